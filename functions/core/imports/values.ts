/**
 * Reading the values of export files: dates written in the exporting system's own way, amounts
 * per line, and the outcome of an order that cannot be imported.
 */
import { ComebackError } from '../errors.ts';
import { instantAt } from '../delivery/zoned-time.ts';
import { formatMinorUnits, toMinorUnits } from '../money.ts';

/** An order of the file that is not imported, and why (the reason is shown to the store). */
export class OrderRejected extends ComebackError {
  override readonly name: string = 'OrderRejected';
}

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * The UTC instant of a date-time as exports write it: ISO 8601 ("2026-03-01T10:00:00+02:00"),
 * Shopify's "2026-03-01 10:00:00 +0200", or a date or date-time without an offset, which is the
 * wall-clock time in `timeZone` (WooCommerce writes the store's local time). A date alone is
 * midnight. Undefined when the text is not such a date or names a day that does not exist.
 */
export function instantOf(text: string, timeZone: string): Date | undefined {
  const match = dateTimePattern.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const millis = Number(`0.${match[7] ?? '0'}`) * 1000;
  const offset = match[8];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offset !== undefined) {
    const offsetMinutes = offset.toUpperCase() === 'Z' ? 0 : offsetToMinutes(offset);
    if (offsetMinutes === undefined) return undefined;
    return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
  }
  return new Date(wallClockMinute(timeZone, year, month, day, hour, minute) + second * 1000 + millis);
}

/** Instants of wall-clock minutes already worked out: a file's orders fall on far fewer minutes than lines. */
const minutes = new Map<string, number>();

function wallClockMinute(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  if (timeZone === 'UTC') return Date.UTC(year, month - 1, day, hour, minute);
  const key = `${timeZone} ${year}-${month}-${day} ${hour}:${minute}`;
  let instant = minutes.get(key);
  if (instant === undefined) {
    if (minutes.size >= 100_000) minutes.clear();
    instant = instantAt(timeZone, year, month, day, hour, minute).getTime();
    minutes.set(key, instant);
  }
  return instant;
}

/** "+02:00", "+0200" or "+02" as minutes east of UTC; undefined beyond ±18 hours. */
function offsetToMinutes(offset: string): number | undefined {
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  if (minutes > 18 * 60 || Number(digits.slice(2) || '0') > 59) return undefined;
  return offset.startsWith('-') ? -minutes : minutes;
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && year >= 1900;
}

/**
 * The unit price of a line whose total is known: total / quantity, rounded half up to the
 * currency's minor unit (5 CDs for 29.33 are 5.87 each). The order's own total stays exact.
 */
export function unitPriceOf(lineTotal: string, quantity: number, currency: string): string {
  const totalMinor = BigInt(toMinorUnits(lineTotal, currency));
  const count = BigInt(Math.max(quantity, 1));
  return formatMinorUnits(Number((2n * totalMinor + count) / (2n * count)), currency);
}

/** A whole number of items, as exports write it ("2", "2.0"). */
export function quantityOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,7}(\.0*)?$/.test(text)) return undefined;
  const quantity = Number.parseInt(text, 10);
  return quantity > 0 ? quantity : undefined;
}
