/**
 * In-memory Temporal service for the test suite (internal; not part of the published package).
 * Start it with `startTemporalTestService()`, or spawn `bin/temporal-test-service.js` where an
 * executable is needed (`TestWorkflowEnvironment.createLocal` with an `existing-path` server).
 */
export { startTemporalTestService, type TemporalTestService, type TemporalTestServiceOptions } from './service.js';
