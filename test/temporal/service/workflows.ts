/** Every conformance workflow in one bundle, for the service's own tests. */
export * from '../workflows/activities.js';
export * from '../workflows/control.js';
export * from '../workflows/tasks.js';
