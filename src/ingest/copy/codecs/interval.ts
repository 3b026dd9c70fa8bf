/**
 * `interval`, stored by PostgreSQL as months, days and microseconds (kept apart: a month is not a
 * fixed number of days). Accepted:
 * - an object with any of `years`, `months`, `weeks`, `days` (integers) and `hours`, `minutes`,
 *   `seconds`, `milliseconds`, `microseconds` (numbers; fractions rounded to the microsecond),
 *   each possibly negative — the shape `pg` returns for interval columns; other keys are an error;
 * - an ISO 8601 duration string: `P1Y2M3W4DT5H6M7.5S`, `-P1D`, `PT-90M` (only seconds may have a fraction);
 * - on PostgreSQL 17 and later, ±`Infinity` or `"infinity"` / `"-infinity"`.
 * The time part (hours … microseconds) must stay within ±`Number.MAX_SAFE_INTEGER` microseconds
 * (about 285 years); longer spans belong in years, months or days anyway.
 */
import { got, invalid, outOfRange, renderValue, type Codec } from '../codec.js';
import { isInfinityText } from './calendar.js';

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

interface Interval {
  months: number;
  days: number;
  micros: number;
}

const FIELDS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds', 'microseconds'] as const;
type Field = (typeof FIELDS)[number];
const INTEGER_FIELDS = new Set<Field>(['years', 'months', 'weeks', 'days']);
const KNOWN = new Set<string>(FIELDS);

const ISO_DURATION =
  /^([+-])?P(?:([+-]?\d+)Y)?(?:([+-]?\d+)M)?(?:([+-]?\d+)W)?(?:([+-]?\d+)D)?(?:T(?:([+-]?\d+)H)?(?:([+-]?\d+)M)?(?:([+-]?\d+(?:[.,]\d+)?)S)?)?$/;

function fromFields(fields: Partial<Record<Field, number>>, value: unknown): Interval {
  const n = (field: Field) => fields[field] ?? 0;
  const months = n('years') * 12 + n('months');
  const days = n('weeks') * 7 + n('days');
  const micros =
    n('hours') * 3_600_000_000 +
    n('minutes') * 60_000_000 +
    Math.round(n('seconds') * 1_000_000) +
    Math.round(n('milliseconds') * 1000) +
    Math.round(n('microseconds'));
  if (months < INT32_MIN || months > INT32_MAX) throw outOfRange(`${renderValue(value)} has too many months for an interval`);
  if (days < INT32_MIN || days > INT32_MAX) throw outOfRange(`${renderValue(value)} has too many days for an interval`);
  if (!Number.isSafeInteger(micros)) {
    throw outOfRange(`${renderValue(value)} has a time part beyond ±${Number.MAX_SAFE_INTEGER} microseconds; use days, months or years`);
  }
  // `+ 0` turns -0 into 0 so the text form never says "-0".
  return { months: months + 0, days: days + 0, micros: micros + 0 };
}

function fromObject(value: object): Interval {
  const fields: Partial<Record<Field, number>> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!KNOWN.has(key)) throw invalid(`${renderValue(value)} has an unknown interval field "${key}" (known: ${FIELDS.join(', ')})`);
    if (typeof field !== 'number' || !Number.isFinite(field)) throw invalid(`interval field ${key} must be a finite number, got ${got(field)}`);
    if (INTEGER_FIELDS.has(key as Field) && !Number.isInteger(field)) {
      throw invalid(`interval field ${key} must be an integer, got ${field}; months and days are not divisible`);
    }
    fields[key as Field] = field;
  }
  return fromFields(fields, value);
}

function fromIso(text: string): Interval | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match || !/\d/.test(text)) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  const number = (group: string | undefined) => (group === undefined ? 0 : sign * Number(group.replace(',', '.')));
  return fromFields(
    {
      years: number(match[2]),
      months: number(match[3]),
      weeks: number(match[4]),
      days: number(match[5]),
      hours: number(match[6]),
      minutes: number(match[7]),
      seconds: number(match[8]),
    },
    text,
  );
}

const signed = (value: number) => (value < 0 ? String(value) : `+${value}`);

/**
 * `+1 mon -2 day -04:05:06.000789`: unit words and a clock read the same under every IntervalStyle,
 * and an explicit sign on every field keeps sql_standard from spreading a leading minus to the rest.
 * (A microsecond count would not do: PostgreSQL reads each field as a 32-bit integer.)
 */
function intervalText({ months, days, micros }: Interval): string {
  const magnitude = Math.abs(micros);
  const seconds = Math.floor(magnitude / 1_000_000);
  const fraction = String(magnitude - seconds * 1_000_000).padStart(6, '0');
  const two = (value: number) => String(value).padStart(2, '0');
  const clock = `${Math.floor(seconds / 3600)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${fraction}`;
  return `${signed(months)} mon ${signed(days)} day ${micros < 0 ? '-' : '+'}${clock}`;
}

export function intervalCodec(serverMajor: number): Codec {
  const toInterval = (value: unknown): Interval | -1 | 1 => {
    const infinite = value === Infinity ? 1 : value === -Infinity ? -1 : typeof value === 'string' ? isInfinityText(value) : 0;
    if (infinite !== 0) {
      if (serverMajor < 17) throw invalid(`${renderValue(value)}: an infinite interval needs PostgreSQL 17 or later`);
      return infinite;
    }
    if (typeof value === 'string') {
      const parsed = fromIso(value);
      if (!parsed) throw invalid(`${renderValue(value)} is not an ISO 8601 duration (e.g. P1Y2M3DT4H5M6.5S)`);
      return parsed;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)) return fromObject(value);
    throw invalid(`expected an interval object ({ days, hours, … }) or an ISO 8601 duration string, got ${got(value)}`);
  };
  return {
    name: 'interval',
    binary: true,
    writeBinary(out, value) {
      const interval = toInterval(value);
      out.int32(16);
      if (interval === 1 || interval === -1) {
        out.bigint64(interval === 1 ? 0x7fffffffffffffffn : -0x8000000000000000n);
        out.int32(interval === 1 ? INT32_MAX : INT32_MIN);
        out.int32(interval === 1 ? INT32_MAX : INT32_MIN);
        return;
      }
      out.int64(interval.micros);
      out.int32(interval.days);
      out.int32(interval.months);
    },
    toText(value) {
      const interval = toInterval(value);
      if (interval === 1) return 'infinity';
      if (interval === -1) return '-infinity';
      return intervalText(interval);
    },
  };
}
