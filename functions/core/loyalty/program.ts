/**
 * The loyalty program's arithmetic, pure: points earned on an amount, the tier a customer's recent
 * activity gives, the progress to the next tier, whether that is "close", and how many points an
 * order may take. Units: 1 point = 1 minor unit of the program currency (1 point = $0.01 in USD,
 * 1 point = 1 yen in JPY); an order in another currency is converted at the store's rate for it
 * (exchangeRates in the rules file) before it earns or counts; every figure is an integer and
 * rounding is always down (in the store's favour, by less than one minor unit).
 */
import type { LoyaltyProgram, TierBasis, TierDefinition } from '../catalog/rules.ts';
import { currencyExponent } from '../money.ts';

const DAY_MS = 86_400_000;

/** What one UTC day added to the tier window: orders, and net spend in the program currency. */
export interface DayActivity {
  orders: number;
  spendMinor: number;
}

export type Activity = Record<string, DayActivity>;

export interface WindowTotals {
  orders: number;
  spendMinor: number;
}

export interface TierProgress {
  tier: TierDefinition;
  /** Position in program.tiers, 0 for the first. */
  rank: number;
  totals: WindowTotals;
  basis: TierBasis;
  next?: {
    tier: TierDefinition;
    /** What is still missing: minor units (basis 'spend') or orders (basis 'orders'). */
    remaining: number;
    /** 0..99: how far along the way to the next tier, for a progress bar. */
    percent: number;
  };
}

/**
 * An amount in minor units of `currency` as minor units of the program currency, rounded down
 * exactly (BigInt over the rate's decimal digits); undefined when the store set no rate for it.
 */
export function inProgramCurrency(program: LoyaltyProgram, amountMinor: number, currency: string): number | undefined {
  if (currency === program.currency) return amountMinor;
  const rate = program.exchangeRates[currency];
  if (rate === undefined) return undefined;
  const [whole = '0', fraction = ''] = rate.split('.');
  const numerator = BigInt(whole + fraction) * 10n ** BigInt(currencyExponent(program.currency));
  const denominator = 10n ** BigInt(fraction.length) * 10n ** BigInt(currencyExponent(currency));
  const converted = (BigInt(Math.abs(amountMinor)) * numerator) / denominator;
  return Number(amountMinor < 0 ? -converted : converted);
}

/** `amountMinor * rateBp / 10000`, rounded down, exactly (BigInt: no overflow, no floating point). */
export function pointsFor(amountMinor: number, rateBp: number): number {
  if (amountMinor <= 0 || rateBp <= 0) return 0;
  return Number((BigInt(amountMinor) * BigInt(rateBp)) / 10_000n);
}

export function dayOf(at: Date | string): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10);
}

/** The UTC days a run at `now` reads when it looks back `hours`: the day `hours` ago through today, oldest first. */
export function daysLookedBack(now: Date, hours: number): string[] {
  const days: string[] = [];
  for (let day = dayOf(new Date(now.getTime() - hours * 3_600_000)); day <= dayOf(now); day = dayOf(new Date(Date.parse(day) + DAY_MS))) days.push(day);
  return days;
}

/** The first day still inside the window as of `now`: orders placed on it or after count. */
export function windowStart(now: Date, windowDays: number): string {
  return dayOf(new Date(now.getTime() - (windowDays - 1) * DAY_MS));
}

/** The day an order placed at `placedAt` leaves the window (the tier is reviewed that night). */
export function leavesWindowOn(placedAt: string, windowDays: number): string {
  return dayOf(new Date(Date.parse(placedAt) + windowDays * DAY_MS));
}

export function windowTotals(activity: Activity, now: Date, windowDays: number): WindowTotals {
  const from = windowStart(now, windowDays);
  let orders = 0;
  let spendMinor = 0;
  for (const [day, entry] of Object.entries(activity)) {
    if (day < from) continue;
    orders += entry.orders;
    spendMinor += entry.spendMinor;
  }
  return { orders: Math.max(0, orders), spendMinor: Math.max(0, spendMinor) };
}

/** Drops the days that left the window. */
export function pruneActivity(activity: Activity, now: Date, windowDays: number): Activity {
  const from = windowStart(now, windowDays);
  return Object.fromEntries(Object.entries(activity).filter(([day]) => day >= from));
}

/** Adds (or with negative figures, takes back) activity on a day; drops days that left the window. */
export function addActivity(activity: Activity, day: string, change: DayActivity, now: Date, windowDays: number): Activity {
  const next = pruneActivity(activity, now, windowDays);
  if (day < windowStart(now, windowDays)) return next;
  const current = next[day] ?? { orders: 0, spendMinor: 0 };
  const updated = { orders: current.orders + change.orders, spendMinor: current.spendMinor + change.spendMinor };
  if (updated.orders === 0 && updated.spendMinor === 0) delete next[day];
  else next[day] = updated;
  return next;
}

function thresholdOf(tier: TierDefinition, basis: TierBasis): number {
  return basis === 'spend' ? tier.minSpendMinor : tier.minOrders;
}

export function tierProgress(program: LoyaltyProgram, totals: WindowTotals): TierProgress {
  const value = program.basis === 'spend' ? totals.spendMinor : totals.orders;
  let rank = 0;
  program.tiers.forEach((tier, index) => {
    if (value >= thresholdOf(tier, program.basis)) rank = index;
  });
  const tier = program.tiers[rank]!;
  const nextTier = program.tiers[rank + 1];
  const progress: TierProgress = { tier, rank, totals, basis: program.basis };
  if (nextTier) {
    const needed = thresholdOf(nextTier, program.basis);
    const remaining = needed - value;
    progress.next = { tier: nextTier, remaining, percent: Math.min(99, Math.floor((value * 100) / needed)) };
  }
  return progress;
}

export function tierRank(program: LoyaltyProgram, name: string | undefined): number {
  const rank = program.tiers.findIndex((tier) => tier.name === name);
  return rank < 0 ? 0 : rank;
}

/**
 * "One more order to gold": within `nudge.withinOrders` orders (basis 'orders'), or within
 * `nudge.withinSpendBp` of the next tier's threshold (basis 'spend').
 */
export function isCloseToNext(program: LoyaltyProgram, progress: TierProgress): boolean {
  const { next } = progress;
  if (!next || next.remaining <= 0) return false;
  if (program.basis === 'orders') return next.remaining <= program.nudge.withinOrders;
  return next.remaining * 10_000 <= next.tier.minSpendMinor * program.nudge.withinSpendBp;
}

/** The most points an order of `orderTotalMinor` may take: the cap, whatever the balance. */
export function redeemCap(program: LoyaltyProgram, orderTotalMinor: number): number {
  return pointsFor(orderTotalMinor, program.maxRedeemBp);
}

/** A rate in basis points as percent text for messages and the API: 300 -> "3", 250 -> "2.5". */
export function percentText(bp: number): string {
  const whole = Math.floor(bp / 100);
  const fraction = bp % 100;
  if (fraction === 0) return String(whole);
  return `${whole}.${String(fraction).padStart(2, '0')}`.replace(/0$/, '');
}
