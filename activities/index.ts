/**
 * Activities for an existing Temporal worker. Build them with `createActivities(deps)` and spread the
 * result into `Worker.create({ activities })`.
 *
 * @module
 */
export { toApplicationFailure, withFailureConversion } from './failure.js';
