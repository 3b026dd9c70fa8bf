/**
 * `date`, `timestamp`, `timestamptz`, `time` and `timetz`.
 *
 * Accepted values:
 * - `date`: a `Date` at exactly midnight UTC (any other time is an error, because which calendar
 *   day an instant falls on depends on a time zone we would have to guess); a `YYYY-MM-DD` string
 *   (optionally ` BC`, or an ISO signed year `+012345-01-01` / `-000044-03-15`); ±`Infinity` or
 *   `"infinity"` / `"-infinity"`.
 * - `timestamptz`: a `Date` (the instant, millisecond precision); an ISO 8601 string **with** `Z`
 *   or an offset (`2024-05-01T12:00:00.123456+02:00`; a string without one would depend on the
 *   session's TimeZone); ±`Infinity` or the infinity strings.
 * - `timestamp` (without time zone): a `Date`, written as its **UTC** wall-clock time (as
 *   `AT TIME ZONE 'UTC'` would, whatever the worker's TZ); an ISO string **without** offset
 *   (PostgreSQL would silently ignore one); a date-only string means midnight; ±`Infinity`.
 * - `time`: `HH:MM[:SS[.ffffff]]` (24:00:00 allowed). `timetz`: the same plus `Z` or an offset.
 *
 * Seconds take up to 9 fractional digits, rounded to microseconds half to even (as PostgreSQL
 * does); `T` or a space separates date and time. Values outside PostgreSQL's ranges (4714-11-24 BC
 * to 5874897 AD for dates, to 294276 AD for timestamps) are errors.
 */
import { got, invalid, renderValue, type Codec } from '../codec.js';
import type { ByteWriter } from '../byte-writer.js';
import {
  DATE_END_DAY,
  EPOCH_2000_DAYS,
  MICROS_PER_DAY,
  MILLIS_PER_DAY,
  MIN_DAY,
  TIMESTAMP_END_DAY,
  dateText,
  fromDate,
  isInfinityText,
  normalise,
  offsetText,
  parseDateTime,
  parseTime,
  rangeError,
  timeText,
} from './calendar.js';

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;
/** Below this many days from 2000 the microsecond count is exact in a double. */
const SAFE_DAYS = 100_000;

function infinity(value: unknown): -1 | 1 | 0 {
  if (value === Infinity) return 1;
  if (value === -Infinity) return -1;
  if (typeof value === 'string') return isInfinityText(value);
  return 0;
}

/** Days since 2000-01-01, or ±1 × Infinity. */
function toDay(value: unknown): number {
  const infinite = infinity(value);
  if (infinite !== 0) return infinite * Infinity;
  let days: number;
  if (value instanceof Date) {
    const millis = value.getTime();
    if (Number.isNaN(millis)) throw invalid('expected a date, got an Invalid Date');
    if (millis % MILLIS_PER_DAY !== 0) {
      throw invalid(
        `${renderValue(value)} is not at midnight UTC, so its calendar day depends on a time zone; pass a 'YYYY-MM-DD' string`,
      );
    }
    days = millis / MILLIS_PER_DAY - EPOCH_2000_DAYS;
  } else if (typeof value === 'string') {
    const parsed = parseDateTime(value);
    if (!parsed || parsed.hasTime) throw invalid(`${renderValue(value)} is not a date (YYYY-MM-DD)`);
    days = parsed.days;
  } else {
    throw invalid(`expected a Date, a 'YYYY-MM-DD' string or ±Infinity, got ${got(value)}`);
  }
  if (days < MIN_DAY || days >= DATE_END_DAY) throw rangeError(value, 'date');
  return days;
}

export const dateCodec: Codec = {
  name: 'date',
  binary: true,
  writeBinary(out, value) {
    const days = toDay(value);
    out.int32(4);
    out.int32(days === Infinity ? INT32_MAX : days === -Infinity ? INT32_MIN : days);
  },
  toText(value) {
    const days = toDay(value);
    if (!Number.isFinite(days)) return days > 0 ? 'infinity' : '-infinity';
    const { text, bc } = dateText(days);
    return bc ? `${text} BC` : text;
  },
};

type Instant = { days: number; micros: number } | -1 | 1;

function toInstant(value: unknown, withZone: boolean): Instant {
  const infinite = infinity(value);
  if (infinite !== 0) return infinite;
  const type = withZone ? 'timestamp with time zone' : 'timestamp without time zone';
  let instant: { days: number; micros: number };
  if (value instanceof Date) {
    instant = fromDate(value);
  } else if (typeof value === 'string') {
    const parsed = parseDateTime(value);
    if (!parsed) throw invalid(`${renderValue(value)} is not an ISO 8601 ${withZone ? 'timestamp' : 'date-time'}`);
    if (withZone && parsed.offsetSeconds === undefined) {
      throw invalid(`${renderValue(value)} has no UTC offset; add Z or ±HH:MM (without one it would depend on the session TimeZone)`);
    }
    if (!withZone && parsed.offsetSeconds !== undefined) {
      throw invalid(`${renderValue(value)} has a UTC offset, which a timestamp without time zone would silently drop`);
    }
    instant = normalise(parsed.days, parsed.micros - (parsed.offsetSeconds ?? 0) * 1_000_000);
  } else {
    throw invalid(`expected a Date, an ISO 8601 string or ±Infinity, got ${got(value)}`);
  }
  if (instant.days < MIN_DAY || instant.days >= TIMESTAMP_END_DAY) throw rangeError(value, type);
  return instant;
}

function writeInstant(out: ByteWriter, instant: Instant): void {
  out.int32(8);
  if (instant === 1) return out.bigint64(INT64_MAX);
  if (instant === -1) return out.bigint64(INT64_MIN);
  if (instant.days > -SAFE_DAYS && instant.days < SAFE_DAYS) {
    out.int64(instant.days * MICROS_PER_DAY + instant.micros);
  } else {
    out.bigint64(BigInt(instant.days) * BigInt(MICROS_PER_DAY) + BigInt(instant.micros));
  }
}

function instantText(instant: Instant, withZone: boolean): string {
  if (instant === 1) return 'infinity';
  if (instant === -1) return '-infinity';
  const { text, bc } = dateText(instant.days);
  return `${text} ${timeText(instant.micros)}${withZone ? '+00' : ''}${bc ? ' BC' : ''}`;
}

function makeTimestampCodec(withZone: boolean): Codec {
  return {
    name: withZone ? 'timestamptz' : 'timestamp',
    binary: true,
    writeBinary(out, value) {
      writeInstant(out, toInstant(value, withZone));
    },
    toText(value) {
      return instantText(toInstant(value, withZone), withZone);
    },
  };
}

export const timestampCodec = makeTimestampCodec(false);
export const timestamptzCodec = makeTimestampCodec(true);

function toTime(value: unknown, withZone: boolean): { micros: number; offsetSeconds: number } {
  if (typeof value !== 'string') throw invalid(`expected a time string (HH:MM:SS[.ffffff]${withZone ? '±HH:MM' : ''}), got ${got(value)}`);
  const parsed = parseTime(value);
  if (!parsed) throw invalid(`${renderValue(value)} is not a time of day`);
  if (withZone && parsed.offsetSeconds === undefined) throw invalid(`${renderValue(value)} has no UTC offset (add Z or ±HH:MM)`);
  if (!withZone && parsed.offsetSeconds !== undefined) {
    throw invalid(`${renderValue(value)} has a UTC offset, which a time without time zone would silently drop`);
  }
  return { micros: parsed.micros, offsetSeconds: parsed.offsetSeconds ?? 0 };
}

export const timeCodec: Codec = {
  name: 'time',
  binary: true,
  writeBinary(out, value) {
    const { micros } = toTime(value, false);
    out.int32(8);
    out.int64(micros);
  },
  toText(value) {
    return timeText(toTime(value, false).micros);
  },
};

export const timetzCodec: Codec = {
  name: 'timetz',
  binary: true,
  writeBinary(out, value) {
    const { micros, offsetSeconds } = toTime(value, true);
    out.int32(12);
    out.int64(micros);
    // The binary form stores the zone in seconds west of UTC.
    out.int32(-offsetSeconds);
  },
  toText(value) {
    const { micros, offsetSeconds } = toTime(value, true);
    return `${timeText(micros)}${offsetText(offsetSeconds)}`;
  },
};
