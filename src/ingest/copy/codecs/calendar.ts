/**
 * Calendar arithmetic and ISO 8601 parsing for the date/time codecs. PostgreSQL counts days and
 * microseconds from 2000-01-01 00:00 UTC in the proleptic Gregorian calendar, with year 0 being
 * 1 BC; so do these functions (years are astronomical: -1 is 2 BC).
 */
import { invalid, outOfRange, renderValue } from '../codec.js';

export const MICROS_PER_DAY = 86_400_000_000;
export const MILLIS_PER_DAY = 86_400_000;
/** Days from 1970-01-01 (JavaScript's epoch) to 2000-01-01 (PostgreSQL's). */
export const EPOCH_2000_DAYS = 10_957;
/** First valid day, 4714-11-24 BC (DATETIME_MIN_JULIAN). */
export const MIN_DAY = -2_451_545;
/** First day after the `date` range, 5874898-01-01 (DATE_END_JULIAN − POSTGRES_EPOCH_JDATE). */
export const DATE_END_DAY = 2_145_031_949;
/** First day after the timestamp range, 294277-01-01 (TIMESTAMP_END_JULIAN). */
export const TIMESTAMP_END_DAY = 106_751_983;
/** Largest accepted UTC offset is 15:59:59 (TZDISP_LIMIT). */
const MAX_OFFSET_SECONDS = 16 * 3600 - 1;

/** Days since 2000-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468 - EPOCH_2000_DAYS;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + EPOCH_2000_DAYS + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day: dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1 };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A parsed ISO 8601 date, date-time or time; `micros` may be 86,400,000,000 (24:00:00). */
export interface ParsedDateTime {
  days: number;
  micros: number;
  hasTime: boolean;
  /** Seconds east of UTC, when the string had `Z` or an offset. */
  offsetSeconds: number | undefined;
}

const DATE_TIME =
  /^([+-]\d{6}|\d{4,7})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?: ?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?))?)?( BC)?$/i;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?: ?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?))?$/i;

export function parseDateTime(text: string): ParsedDateTime | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, yearText = '', monthText = '', dayText = '', hour, minute, second, fraction, offset, bc] = match;
  let year = Number(yearText);
  if (bc) {
    if (/^[+-]/.test(yearText) || year === 0) return undefined;
    year = 1 - year;
  } else if (year === 0 && !/^[+-]/.test(yearText)) {
    // Year 0 exists only in the signed (astronomical) ISO form; "0000" is PostgreSQL's error too.
    return undefined;
  }
  const month = Number(monthText);
  const day = Number(dayText);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const micros = hour === undefined ? 0 : timeOfDay(hour, minute, second, fraction);
  if (micros === undefined) return undefined;
  const offsetSeconds = offset === undefined ? undefined : parseOffset(offset);
  if (offsetSeconds === null) return undefined;
  return { days: daysFromCivil(year, month, day), micros, hasTime: hour !== undefined, offsetSeconds };
}

export function parseTime(text: string): { micros: number; offsetSeconds: number | undefined } | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const micros = timeOfDay(match[1] ?? '', match[2], match[3], match[4]);
  if (micros === undefined) return undefined;
  const offsetSeconds = match[5] === undefined ? undefined : parseOffset(match[5]);
  if (offsetSeconds === null) return undefined;
  return { micros, offsetSeconds };
}

function timeOfDay(hourText: string, minuteText = '0', secondText = '0', fraction = ''): number | undefined {
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  const nanos = Number(fraction.padEnd(9, '0'));
  // 24:00:00 is midnight at the end of the day; second 60 (a leap second) rolls over, as in PostgreSQL.
  if (hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0 || nanos > 0))) return undefined;
  return ((hour * 60 + minute) * 60 + second) * 1_000_000 + roundHalfEven(nanos, 1000);
}

/** Rounds `value / divisor` half to even, as PostgreSQL rounds fractional seconds. */
function roundHalfEven(value: number, divisor: number): number {
  const quotient = Math.floor(value / divisor);
  const remainder = value - quotient * divisor;
  if (remainder * 2 > divisor || (remainder * 2 === divisor && quotient % 2 === 1)) return quotient + 1;
  return quotient;
}

/** Seconds east of UTC, or null when out of range. */
function parseOffset(text: string): number | null {
  if (text === 'Z' || text === 'z') return 0;
  const digits = text.slice(1).replaceAll(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  const seconds = Number(digits.slice(4, 6) || '0');
  if (minutes > 59 || seconds > 59) return null;
  const total = hours * 3600 + minutes * 60 + seconds;
  if (total > MAX_OFFSET_SECONDS) return null;
  return text.startsWith('-') ? -total : total;
}

/** Splits an instant into whole days since 2000-01-01 and microseconds into that day. */
export function normalise(days: number, micros: number): { days: number; micros: number } {
  const carry = Math.floor(micros / MICROS_PER_DAY);
  return { days: days + carry, micros: micros - carry * MICROS_PER_DAY };
}

export function isInfinityText(text: string): -1 | 1 | 0 {
  if (/^\+?infinity$/i.test(text)) return 1;
  if (/^-infinity$/i.test(text)) return -1;
  return 0;
}

/** A Date's day (since 2000-01-01) and microseconds into that day, in UTC. */
export function fromDate(value: Date): { days: number; micros: number } {
  const millis = value.getTime();
  if (Number.isNaN(millis)) throw invalid('Invalid Date');
  const day = Math.floor(millis / MILLIS_PER_DAY);
  return { days: day - EPOCH_2000_DAYS, micros: (millis - day * MILLIS_PER_DAY) * 1000 };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `YYYY-MM-DD` with ` BC` appended for years before 1, as PostgreSQL's ISO output writes it. */
export function dateText(days: number): { text: string; bc: boolean } {
  const { year, month, day } = civilFromDays(days);
  const bc = year <= 0;
  return { text: `${pad(bc ? 1 - year : year, 4)}-${pad(month)}-${pad(day)}`, bc };
}

/** `HH:MM:SS[.ffffff]`. */
export function timeText(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  const clock = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return fraction === 0 ? clock : `${clock}.${pad(fraction, 6)}`;
}

/** `+HH:MM:SS` for an offset in seconds east of UTC. */
export function offsetText(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const total = Math.abs(offsetSeconds);
  return `${sign}${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

export function rangeError(value: unknown, type: string) {
  return outOfRange(`${renderValue(value)} is outside the range of ${type}`);
}
