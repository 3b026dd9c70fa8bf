export { TemporalPgError, isTemporalPgError, type TemporalPgErrorOptions } from './temporal-pg-error.js';
export {
  isConnectionError,
  isPostgresError,
  isRetryableSqlState,
  postgresErrorType,
  type PostgresErrorFields,
} from './postgres-error.js';
export { InvalidIdentifierError } from './invalid-identifier-error.js';
