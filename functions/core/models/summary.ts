/**
 * Recency/frequency/monetary summary of a transaction log, in the form the BG/NBD and
 * Gamma-Gamma models take (Fader, Hardie & Lee 2005):
 *
 * - `x`: number of repeat transactions in the calibration period (the first purchase is not
 *   counted; several purchases by one customer on one day are one transaction);
 * - `tx`: time of the last repeat transaction, measured from the first purchase (0 when x = 0);
 * - `T`: time from the first purchase to the end of the calibration period;
 * - `meanRepeatValue`: mean value of the repeat transactions (a same-day transaction is worth
 *   the sum of its purchases); 0 when x = 0.
 *
 * Times are whole days between calendar dates, divided by 7 for `unit: 'week'`. The calibration
 * end is a calendar date whose purchases belong to the calibration period, and T runs to that
 * date: with first purchase 1997-01-01 and end 1997-09-30, T = 272 days = 38.857 weeks, which is
 * the convention of the published CDNOW results.
 */
import { InvalidInputError } from '../errors.ts';

export type TimeUnit = 'day' | 'week';

export interface Transaction {
  customerId: string;
  /** Calendar date, YYYY-MM-DD. */
  date: string;
  amount: number;
}

export interface CustomerSummary {
  customerId: string;
  x: number;
  tx: number;
  T: number;
  meanRepeatValue: number;
}

export interface SummaryOptions {
  /** Last calendar day of the calibration period, YYYY-MM-DD (inclusive). */
  calibrationEnd: string;
  unit: TimeUnit;
}

const millisecondsPerDay = 86_400_000;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date; throws on anything else (2021-02-30 included). */
export function dayNumber(date: string): number {
  const match = datePattern.exec(date);
  if (!match) throw new InvalidInputError(`"${date}" is not a YYYY-MM-DD date`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const time = Date.UTC(year, month - 1, day);
  const check = new Date(time);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new InvalidInputError(`"${date}" is not a calendar date`);
  }
  return time / millisecondsPerDay;
}

/** Days per model time unit. */
export function daysPerUnit(unit: TimeUnit): number {
  return unit === 'week' ? 7 : 1;
}

interface Purchases {
  days: number[];
  amounts: number[];
}

export interface SummaryBuilder {
  /** Adds one purchase; purchases after the calibration end are ignored. */
  add(customerId: string, day: number, amount: number): void;
  /** Customers with a first purchase on or before the calibration end, in first-seen order. */
  finish(): CustomerSummary[];
}

/**
 * Incremental summary, for logs read as a stream: purchases may come in any order; `day` is a
 * {@link dayNumber}.
 */
export function createSummaryBuilder(options: SummaryOptions): SummaryBuilder {
  const endDay = dayNumber(options.calibrationEnd);
  const scale = daysPerUnit(options.unit);
  const customers = new Map<string, Purchases>();
  return {
    add(customerId, day, amount) {
      if (!Number.isInteger(day)) throw new InvalidInputError(`day ${day} is not a whole day number`);
      if (!Number.isFinite(amount)) throw new InvalidInputError(`amount ${amount} is not a finite number`);
      if (day > endDay) return;
      let purchases = customers.get(customerId);
      if (!purchases) {
        purchases = { days: [], amounts: [] };
        customers.set(customerId, purchases);
      }
      purchases.days.push(day);
      purchases.amounts.push(amount);
    },
    finish() {
      const summaries: CustomerSummary[] = [];
      for (const [customerId, purchases] of customers) summaries.push(summarize(customerId, purchases, endDay, scale));
      return summaries;
    },
  };
}

function summarize(customerId: string, purchases: Purchases, endDay: number, scale: number): CustomerSummary {
  let { days, amounts } = purchases;
  let sorted = true;
  for (let i = 1; i < days.length; i++) {
    if ((days[i] ?? 0) < (days[i - 1] ?? 0)) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    const order = days.map((_, i) => i).sort((i, j) => (days[i] ?? 0) - (days[j] ?? 0));
    days = order.map((i) => days[i] ?? 0);
    amounts = order.map((i) => amounts[i] ?? 0);
  }
  const firstDay = days[0] ?? endDay;
  let x = 0;
  let lastDay = firstDay;
  let repeatTotal = 0;
  for (let i = 0; i < days.length; i++) {
    const day = days[i] ?? firstDay;
    const amount = amounts[i] ?? 0;
    if (day === firstDay) continue;
    if (day !== lastDay) {
      x++;
      lastDay = day;
    }
    repeatTotal += amount;
  }
  return {
    customerId,
    x,
    tx: (lastDay - firstDay) / scale,
    T: (endDay - firstDay) / scale,
    meanRepeatValue: x > 0 ? repeatTotal / x : 0,
  };
}

/** Summary of a whole transaction log held in memory. */
export function summarizeTransactions(transactions: Iterable<Transaction>, options: SummaryOptions): CustomerSummary[] {
  const builder = createSummaryBuilder(options);
  for (const transaction of transactions) builder.add(transaction.customerId, dayNumber(transaction.date), transaction.amount);
  return builder.finish();
}
