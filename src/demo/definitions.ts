/**
 * The demo's table, in the three versions the demo walks through: the first load; a new nullable
 * column (PostgreSQL adds it without a rewrite: an in-place migration); a type change that needs a
 * rewrite (a fresh table, swapped in under force-execute).
 */
import type { TableDefinition } from '../ingest/definition/index.js';
import type { CityColumn } from './cities-source.js';

const base = {
  schema: 'geonames',
  name: 'cities',
  indexes: [{ columns: ['country'] }],
} as const;

/** v1: the cities, without their GeoNames feature code. */
export const citiesV1: TableDefinition = {
  ...base,
  columns: [
    { name: 'city_id', type: 'integer', primaryKey: true },
    { name: 'name', type: 'text', nullable: false },
    { name: 'country', type: 'varchar(2)', nullable: false },
    { name: 'admin_code', type: 'varchar(20)' },
    { name: 'population', type: 'integer' },
    { name: 'latitude', type: 'double precision' },
    { name: 'longitude', type: 'double precision' },
  ],
};

/** v2: plus `feature_code` (PPLC = capital, PPLA = seat of a first-order division …), nullable: added in place. */
export const citiesV2: TableDefinition = {
  ...base,
  columns: [...citiesV1.columns, { name: 'feature_code', type: 'varchar(10)' }],
};

/** v3: `population` becomes `bigint`: a rewrite, so a fresh table and a swap. */
export const citiesV3: TableDefinition = {
  ...base,
  columns: citiesV2.columns.map((column) => (column.name === 'population' ? { ...column, type: 'bigint' } : column)),
};

/** The columns the source must fill for a definition. */
export function sourceColumns(definition: TableDefinition): CityColumn[] {
  return definition.columns.map((column) => column.name as CityColumn);
}
