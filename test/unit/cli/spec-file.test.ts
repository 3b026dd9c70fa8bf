import { describe, expect, it } from 'vitest';
import { SpecFileError, parseSpecText } from '../../../src/cli/spec-file.js';

const yaml = `# an ingest
database: default
tables:
  schema: raw
  name: orders
  columns:
    - { name: id, type: bigint, primaryKey: true }
    - name: note
      type: text
source: { name: temporal-pg/csv-files, args: { directory: orders } }
delete: off
upsert: if-primary-key
`;

describe('parseSpecText', () => {
  it('reads YAML 1.2 (off stays a string) and tells the line of any field', () => {
    const spec = parseSpecText('orders.yaml', yaml);
    expect(spec.value).toEqual({
      database: 'default',
      tables: { schema: 'raw', name: 'orders', columns: [{ name: 'id', type: 'bigint', primaryKey: true }, { name: 'note', type: 'text' }] },
      source: { name: 'temporal-pg/csv-files', args: { directory: 'orders' } },
      delete: 'off',
      upsert: 'if-primary-key',
    });
    expect(spec.where(['tables', 'columns', 1, 'type'])).toBe('orders.yaml:9');
    expect(spec.where(['delete'])).toBe('orders.yaml:11');
    // A missing field: the closest enclosing one.
    expect(spec.where(['tables', 'indexes'])).toBe('orders.yaml:4');
    expect(spec.where([])).toBe('orders.yaml:2');
  });

  it('reads JSON, with lines too', () => {
    const spec = parseSpecText('orders.json', '{\n  "database": "default",\n  "tables": {"schema": "raw"}\n}\n');
    expect(spec.value).toEqual({ database: 'default', tables: { schema: 'raw' } });
    expect(spec.where(['tables', 'schema'])).toBe('orders.json:3');
  });

  it.each([
    ['a.yaml', 'a: 1\na: 2\n', /^a\.yaml:2:1: Map keys must be unique$/],
    ['a.yaml', 'a: [1,\n', /^a\.yaml:2:1: /],
    ['a.json', '{"a": 1,}', /^a\.json: not valid JSON: /],
    ['a.toml', 'a = 1', /^a\.toml: a spec file must end in \.yaml, \.yml or \.json$/],
  ])('refuses %s %j', (path, text, message) => {
    expect(() => parseSpecText(path, text)).toThrow(SpecFileError);
    expect(() => parseSpecText(path, text)).toThrow(message);
  });
});
