export type { ColumnDefinition, IndexDefinition, TableDefinition } from './table-definition.js';
export { indexLabel, validateDefinition } from './validate-definition.js';
export {
  DuplicateColumnError,
  DuplicateIndexError,
  InvalidIndexMethodError,
  MalformedDefinitionError,
  MissingTableNameError,
  NoColumnsError,
  NullablePrimaryKeyError,
  UnknownIndexColumnError,
} from './errors.js';
