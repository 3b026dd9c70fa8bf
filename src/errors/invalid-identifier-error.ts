import { TemporalPgError } from './temporal-pg-error.js';

/** An identifier (schema, table, column, index, role) that PostgreSQL would reject or silently truncate. */
export class InvalidIdentifierError extends TemporalPgError {
  readonly type = 'InvalidIdentifier';
  readonly nonRetryable = true;
}
