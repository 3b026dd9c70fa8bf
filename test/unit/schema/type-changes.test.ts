import { describe, expect, it } from 'vitest';
import { isInPlaceTypeChange } from '../../../src/ingest/schema/type-changes.js';

// typmods as the catalog stores them
const varchar = (n?: number) => ({ typeOid: 1043, typmod: n === undefined ? -1 : n + 4 });
const numeric = (p?: number, s = 0) => ({ typeOid: 1700, typmod: p === undefined ? -1 : ((p << 16) | s) + 4 });
const timestamptz = (p?: number) => ({ typeOid: 1184, typmod: p ?? -1 });
const interval = (p?: number) => ({ typeOid: 1186, typmod: p === undefined ? -1 : (0x7fff << 16) | p });
const text = { typeOid: 25, typmod: -1 };
const int4 = { typeOid: 23, typmod: -1 };
const int8 = { typeOid: 20, typmod: -1 };

describe('isInPlaceTypeChange', () => {
  it.each([
    ['varchar(10) → varchar(20)', varchar(10), varchar(20)],
    ['varchar(10) → varchar', varchar(10), varchar()],
    ['varchar(10) → text', varchar(10), text],
    ['text → varchar', text, varchar()],
    ['numeric(10,2) → numeric(12,2)', numeric(10, 2), numeric(12, 2)],
    ['numeric(10,2) → numeric', numeric(10, 2), numeric()],
    ['timestamptz(3) → timestamptz', timestamptz(3), timestamptz()],
    ['timestamptz → timestamptz(6)', timestamptz(), timestamptz(6)],
    ['interval(3) → interval(6)', interval(3), interval(6)],
    ['interval(3) → interval', interval(3), interval()],
    ['cidr → inet', { typeOid: 650, typmod: -1 }, { typeOid: 869, typmod: -1 }],
    ['same type', int4, int4],
  ])('%s is in place', (_, from, to) => {
    expect(isInPlaceTypeChange(from, to)).toBe(true);
  });

  it.each([
    ['varchar(20) → varchar(10)', varchar(20), varchar(10)],
    ['varchar → varchar(10)', varchar(), varchar(10)],
    ['text → varchar(10)', text, varchar(10)],
    ['numeric(12,2) → numeric(10,2)', numeric(12, 2), numeric(10, 2)],
    ['numeric(10,2) → numeric(12,3)', numeric(10, 2), numeric(12, 3)],
    ['numeric → numeric(10,2)', numeric(), numeric(10, 2)],
    ['timestamptz → timestamptz(3)', timestamptz(), timestamptz(3)],
    ['interval → interval(3)', interval(), interval(3)],
    ['integer → bigint', int4, int8],
    ['bigint → integer', int8, int4],
    ['text → integer', text, int4],
    ['timestamp → timestamptz', { typeOid: 1114, typmod: -1 }, timestamptz()],
    ['varchar(10)[] → varchar(20)[]', { typeOid: 1015, typmod: 14 }, { typeOid: 1015, typmod: 24 }],
    ['char(5) → char(10)', { typeOid: 1042, typmod: 9 }, { typeOid: 1042, typmod: 14 }],
  ])('%s needs a rebuild', (_, from, to) => {
    expect(isInPlaceTypeChange(from, to)).toBe(false);
  });
});
