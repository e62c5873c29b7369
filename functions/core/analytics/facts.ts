/**
 * What the nightly rules read off one customer profile, as of one day. Computed once per customer
 * in one walk over her order days, then shared by the segment rules, the metric accumulators and
 * the models, so each rule stays a small pure function of numbers.
 *
 * Days are UTC calendar days counted from 1970-01-01 ("day numbers"). A window of n days ending on
 * day D is (D - n, D]: it holds D itself and the n - 1 days before.
 *
 * Money: order totals on the profile are gross; refunds are kept per currency but are not dated.
 * Every amount here is net, with each currency's refunds spread over that currency's orders in
 * proportion (an all-refunded customer has net 0 on every day).
 */
import type { CustomerProfile } from '../profile.ts';

export const MILLISECONDS_PER_DAY = 86_400_000;

/** The UTC day number of an ISO 8601 date or date-time (YYYY-MM-DD...). */
export function dayOf(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / MILLISECONDS_PER_DAY;
}

/** The UTC day number of an instant. */
export function dayOfDate(date: Date): number {
  return Math.floor(date.getTime() / MILLISECONDS_PER_DAY);
}

export function isoDay(day: number): string {
  return new Date(day * MILLISECONDS_PER_DAY).toISOString().slice(0, 10);
}

/** Months counted from January 1970: year * 12 + month - 1. */
export function monthOf(iso: string): number {
  return Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;
}

export function isoMonth(month: number): string {
  return `${String(Math.floor(month / 12)).padStart(4, '0')}-${String((month % 12) + 1).padStart(2, '0')}`;
}

/** The window lengths the facts are taken over, in days. */
export interface FactWindows {
  /** The metrics' "this period" (and the previous one before it). */
  metricsPeriod: number;
  /** The trend's two periods. */
  trendPeriod: number;
  /** The value window (12 months by default): value segments, purchase frequency, average order value. */
  valueWindow: number;
  /** Days without an order after which a customer is lost. */
  lostAfter: number;
}

export interface CustomerFacts {
  customerId: string;
  /** The profile's reporting currency: that of the first order. */
  currency: string;
  orderCount: number;
  firstDay: number;
  lastDay: number;
  /** today - firstDay and today - lastDay, never below 0 (an order dated after today counts as today). */
  daysSinceFirst: number;
  daysSinceLast: number;
  /** Value window: net revenue in the profile currency and orders in any currency. */
  valueRevenue: number;
  valueOrders: number;
  /** Value window per currency, for the average order value. */
  valueNetByCurrency: Record<string, number>;
  valueOrdersByCurrency: Record<string, number>;
  /** Trend: the last trendPeriod days and the trendPeriod days before, profile currency for spend. */
  trendSpend: [previous: number, current: number];
  trendOrders: [previous: number, current: number];
  /** Metrics period: an order in this period, in the previous one, and the net spent in this one. */
  boughtThisPeriod: boolean;
  boughtPreviousPeriod: boolean;
  thisPeriodNetByCurrency: Record<string, number>;
  /** The latest order day on or before the start of this period (its first day - 1); undefined if none. */
  lastDayBeforePeriod: number | undefined;
  /** Months (see monthOf) with at least one order, ascending. */
  orderMonths: number[];
  /** Days between consecutive order days, oldest first (empty for a one-day buyer). */
  gaps: number[];
  /** The BG/NBD and Gamma-Gamma summary in days (see models/summary.ts). */
  model: { x: number; tx: number; T: number; meanRepeatValue: number };
}

interface DayEntry {
  day: number;
  month: number;
  orders: number;
  /** Net per currency. */
  net: Record<string, number>;
  ordersByCurrency: Record<string, number>;
}

/** Net / gross for each currency: 1 without refunds, 0 when everything was refunded. */
function netShares(profile: CustomerProfile): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const [currency, refunded] of Object.entries(profile.refundedMinorByCurrency)) {
    const net = profile.revenueByCurrency[currency] ?? 0;
    const gross = net + refunded;
    shares[currency] = gross > 0 ? Math.min(1, Math.max(0, net / gross)) : 0;
  }
  return shares;
}

function dayEntries(profile: CustomerProfile): DayEntry[] {
  if (!profile.orderDays) return approximateDayEntries(profile);
  const shares = netShares(profile);
  const entries: DayEntry[] = [];
  for (const [iso, currencies] of Object.entries(profile.orderDays)) {
    let orders = 0;
    const net: Record<string, number> = {};
    const ordersByCurrency: Record<string, number> = {};
    for (const [currency, totals] of Object.entries(currencies)) {
      orders += totals.orders;
      net[currency] = totals.totalMinor * (shares[currency] ?? 1);
      ordersByCurrency[currency] = totals.orders;
    }
    entries.push({ day: dayOf(iso), month: monthOf(iso), orders, net, ordersByCurrency });
  }
  if (entries.length > 1) entries.sort((u, v) => u.day - v.day);
  return entries;
}

/**
 * A profile written before order days were kept knows only its first and last order: the first
 * order goes on the first day, the others on the last, and net revenue is spread evenly over orders.
 */
function approximateDayEntries(profile: CustomerProfile): DayEntry[] {
  const share = (orders: number): Record<string, number> =>
    Object.fromEntries(Object.entries(profile.revenueByCurrency).map(([currency, net]) => [currency, (net * orders) / Math.max(1, profile.orderCount)]));
  const first = dayOf(profile.firstOrderAt);
  const last = dayOf(profile.lastOrderAt);
  const entry = (iso: string, orders: number): DayEntry => ({
    day: dayOf(iso),
    month: monthOf(iso),
    orders,
    net: share(orders),
    ordersByCurrency: { [profile.currency]: orders },
  });
  if (first === last || profile.orderCount < 2) return [entry(profile.firstOrderAt, profile.orderCount)];
  return [entry(profile.firstOrderAt, 1), entry(profile.lastOrderAt, profile.orderCount - 1)];
}

function add(totals: Record<string, number>, from: Record<string, number>): void {
  for (const currency in from) totals[currency] = (totals[currency] ?? 0) + (from[currency] ?? 0);
}

export function customerFacts(profile: CustomerProfile, today: number, windows: FactWindows): CustomerFacts {
  const entries = dayEntries(profile);
  const currency = profile.currency;
  const firstDay = dayOf(profile.firstOrderAt);
  const lastDay = dayOf(profile.lastOrderAt);
  const periodStart = today - windows.metricsPeriod; // exclusive
  const previousStart = periodStart - windows.metricsPeriod;
  const trendStart = today - windows.trendPeriod;
  const trendPreviousStart = trendStart - windows.trendPeriod;
  const valueStart = today - windows.valueWindow;

  let valueRevenue = 0;
  let valueOrders = 0;
  const valueNetByCurrency: Record<string, number> = {};
  const valueOrdersByCurrency: Record<string, number> = {};
  const trendSpend: [number, number] = [0, 0];
  const trendOrders: [number, number] = [0, 0];
  let boughtThisPeriod = false;
  let boughtPreviousPeriod = false;
  const thisPeriodNetByCurrency: Record<string, number> = {};
  let lastDayBeforePeriod: number | undefined;
  const orderMonths: number[] = [];
  let previousMonth = -1;
  const gaps: number[] = [];
  let previousDay: number | undefined;

  // The model summary: the first day is the first order; every later day with an order is one
  // repeat transaction. When the oldest days were dropped (over MAX_ORDER_DAYS), every kept day is
  // a repeat one.
  let x = 0;
  let repeatValue = 0;
  let repeatValueDays = 0;

  for (const entry of entries) {
    const { day, month, orders, net } = entry;
    const inProfileCurrency = net[currency];
    if (previousDay !== undefined && day > previousDay) gaps.push(day - previousDay);
    previousDay = day;
    if (day > valueStart) {
      valueOrders += orders;
      valueRevenue += inProfileCurrency ?? 0;
      add(valueNetByCurrency, net);
      add(valueOrdersByCurrency, entry.ordersByCurrency);
    }
    if (day > trendStart) {
      trendSpend[1] += inProfileCurrency ?? 0;
      trendOrders[1] += orders;
    } else if (day > trendPreviousStart) {
      trendSpend[0] += inProfileCurrency ?? 0;
      trendOrders[0] += orders;
    }
    if (day > periodStart) {
      boughtThisPeriod = true;
      add(thisPeriodNetByCurrency, net);
    } else {
      lastDayBeforePeriod = day;
      if (day > previousStart) boughtPreviousPeriod = true;
    }
    if (month !== previousMonth) {
      orderMonths.push(month);
      previousMonth = month;
    }
    if (day > firstDay) {
      x++;
      if (inProfileCurrency !== undefined) {
        repeatValue += inProfileCurrency;
        repeatValueDays++;
      }
    }
  }
  const tx = x > 0 ? lastDay - firstDay : 0;
  return {
    customerId: profile.customerId,
    currency,
    orderCount: profile.orderCount,
    firstDay,
    lastDay,
    daysSinceFirst: Math.max(0, today - firstDay),
    daysSinceLast: Math.max(0, today - lastDay),
    valueRevenue,
    valueOrders,
    valueNetByCurrency,
    valueOrdersByCurrency,
    trendSpend,
    trendOrders,
    boughtThisPeriod,
    boughtPreviousPeriod,
    thisPeriodNetByCurrency,
    lastDayBeforePeriod,
    orderMonths,
    gaps,
    model: { x, tx, T: Math.max(today - firstDay, tx), meanRepeatValue: repeatValueDays > 0 ? repeatValue / repeatValueDays : 0 },
  };
}

/** The month (see monthOf) a day number falls in. */
export function monthOfDay(day: number): number {
  const date = new Date(day * MILLISECONDS_PER_DAY);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}
