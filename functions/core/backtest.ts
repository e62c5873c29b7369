/**
 * A journey's backtest, pure: the imported history replayed on its own clock with the journey's real
 * entry rule, steps and delivery guardrails, sending nothing. Per customer, orders in time order:
 *
 * 1. after each order, win-back's due day by the customer's own timing as of that order
 *    (win-back.ts: her gaps so far, the declared cycles of what she bought so far, 60 days as the
 *    fallback; the model is not refitted day by day, so its timing is left out); no later order
 *    before it and the due day between `from` and `to`: she enters, at 02:00 UTC that day (the sweep);
 * 2. the holdout share is drawn as the engine draws it (by the entry id): held-out entries get no
 *    marketing message;
 * 3. each step at its time after entry, unless she bought by then (converted, the journey ends);
 *    each message through decideDelivery (consent, opt-out, missing address, frequency cap counting
 *    this journey's messages, quiet hours in her time zone), a deferral tried again when it says;
 * 4. whether she bought again between entry and `to` anyway, and at what average order value.
 *
 * Expected extra orders: treated entrants times the journey's uplift (the holdout's measured
 * difference in conversion, with its interval); extra revenue: those orders at the entrants' own
 * average order value. Memory: one customer's orders at a time once the input is grouped.
 */
import { decideDelivery, defaultDeliveryPolicy, type DeliveryPolicy } from './delivery/guardrails.ts';
import type { Channel, MessageLogEntry } from './delivery/types.ts';
import { isHeldOut } from './journey-engine.ts';
import { entryIdFor, journeys, reachesHoldout, stepDueAt, type JourneyStep } from './journeys.ts';
import { applyOrder, type CustomerProfile } from './profile.ts';
import type { Purchase } from './purchase.ts';
import type { Uplift } from './analytics/uplift.ts';
import { winBackCustomerOf, winBackDueAt, type WinBackRules } from './win-back.ts';

const DAY_MS = 86_400_000;
/** A deferral (quiet hours, the cap) is tried again at most this many times per step. */
const MAX_DEFERRALS = 20;

/**
 * Unit prices in USD when no price table is given: Amazon SES per email and Amazon SNS per SMS in
 * the United States, list prices (https://aws.amazon.com/ses/pricing/, https://aws.amazon.com/sns/sms-pricing/).
 * A manager's call costs the store time, not a fee: 0 here.
 */
export const defaultMessagePrices: Record<Channel, number> = { email: 0.0001, sms: 0.00645, task: 0 };

export const backtestJourneys = ['win-back'] as const;
export type BacktestJourney = (typeof backtestJourneys)[number];

export interface BacktestOptions {
  journey: BacktestJourney;
  /** First and last day (YYYY-MM-DD, UTC) entries may fall on; `to` also ends the "bought again" window. */
  from: string;
  to: string;
  rules: WinBackRules;
  holdoutShare: number;
  policy?: DeliveryPolicy;
  prices?: Record<Channel, number>;
  /** Count every customer reachable by email and SMS with marketing consent (histories without contact data). */
  assumeConsent?: boolean;
  /** The journey's measured uplift; null: no expectation is given. */
  uplift: Pick<Uplift, 'difference' | 'low' | 'high'> | null;
}

export interface StepFigures {
  step: string;
  channel: Channel;
  /** Would have been sent (tasks: created). */
  sent: number;
  /** Stopped by a guardrail: no consent, an opt-out, no address; by reason. */
  notSent: Record<string, number>;
  /** Of those sent, how many were deferred first (quiet hours or the cap). */
  deferredFirst: number;
  /** Not reached: the customer had bought before the step. */
  converted: number;
  heldOut: number;
  costUsd: number;
}

export interface BacktestReport {
  journey: BacktestJourney;
  from: string;
  to: string;
  customers: number;
  orders: number;
  entered: number;
  treated: number;
  holdout: number;
  steps: StepFigures[];
  messages: { email: number; sms: number; task: number };
  costUsd: number;
  /** Entrants who bought again between their entry and `to` (the journey would claim some of these). */
  boughtAgainAnyway: { customers: number; share: number | null; orders: number };
  expected: {
    uplift: { difference: number; low: number; high: number } | null;
    extraOrders: { expected: number; low: number; high: number } | null;
    /** Per currency, minor units: the extra orders at the entrants' average order value. */
    extraRevenueMinor: Record<string, { expected: number; low: number; high: number }> | null;
    reason?: string;
  };
}

/** Accumulates customers one at a time, so a store's history streams through. */
export class Backtest {
  private readonly steps: StepFigures[];
  private readonly fromMs: number;
  private readonly toMs: number;
  private customers = 0;
  private orders = 0;
  private entered = 0;
  private holdout = 0;
  private boughtAgain = 0;
  private boughtAgainOrders = 0;
  /** Treated entrants per currency, and the sum of their average order values. */
  private readonly treatedValue = new Map<string, { entrants: number; averageSum: number }>();

  private readonly options: BacktestOptions;

  constructor(options: BacktestOptions) {
    this.options = options;
    this.steps = journeys[options.journey].steps.map((step) => ({ step: step.name, channel: step.channel, sent: 0, notSent: {}, deferredFirst: 0, converted: 0, heldOut: 0, costUsd: 0 }));
    this.fromMs = Date.parse(`${options.from}T00:00:00Z`);
    this.toMs = Date.parse(`${options.to}T00:00:00Z`) + DAY_MS;
  }

  /** One customer's orders (any order). */
  addCustomer(orders: readonly Purchase[]): void {
    if (orders.length === 0) return;
    this.customers++;
    this.orders += orders.length;
    const sorted = [...orders].sort((u, v) => Date.parse(u.placedAt) - Date.parse(v.placedAt));
    const times = sorted.map((order) => Date.parse(order.placedAt));
    let profile: CustomerProfile | undefined;
    for (let index = 0; index < sorted.length; index++) {
      profile = applyOrder(profile, sorted[index]!);
      // Several orders on one day: the episode starts after the day's last.
      if (index + 1 < sorted.length && sorted[index + 1]!.placedAt.slice(0, 10) === sorted[index]!.placedAt.slice(0, 10)) continue;
      const due = Date.parse(winBackDueAt(winBackCustomerOf(profile), this.options.rules).dueAt);
      const enteredAt = due + 2 * 3_600_000;
      const next = times[index + 1];
      if (next !== undefined && next <= enteredAt) continue;
      if (enteredAt < this.fromMs || enteredAt >= this.toMs) continue;
      this.enter(profile, enteredAt, times.filter((at) => at > enteredAt), sorted);
    }
  }

  private enter(profile: CustomerProfile, enteredAt: number, later: readonly number[], orders: readonly Purchase[]): void {
    const { options } = this;
    this.entered++;
    const entryId = entryIdFor(options.journey, profile.customerId, profile.lastOrderAt.slice(0, 10));
    const heldOut = isHeldOut(entryId, options.holdoutShare);
    if (heldOut) this.holdout++;
    const boughtBy = later.filter((at) => at < this.toMs);
    if (boughtBy.length > 0) {
      this.boughtAgain++;
      this.boughtAgainOrders += boughtBy.length;
    }
    if (!heldOut) {
      const earlier = orders.filter((order) => Date.parse(order.placedAt) < enteredAt && order.currency === profile.currency);
      const average = earlier.reduce((sum, order) => sum + order.totalMinor, 0) / Math.max(1, earlier.length);
      const value = this.treatedValue.get(profile.currency) ?? { entrants: 0, averageSum: 0 };
      value.entrants++;
      value.averageSum += average;
      this.treatedValue.set(profile.currency, value);
    }
    const contact = {
      profile: options.assumeConsent
        ? { ...profile, email: profile.email ?? 'customer@example.invalid', phone: profile.phone ?? '+15555550100', consent: { email: true, sms: true } }
        : profile,
      preferences: { email: {}, sms: {} },
    };
    const log: MessageLogEntry[] = [];
    const firstLater = later[0] ?? Number.POSITIVE_INFINITY;
    const journey = journeys[options.journey];
    for (const [index, step] of journey.steps.entries()) {
      const figures = this.steps[index]!;
      const at = stepDueAt({ enteredAt: new Date(enteredAt).toISOString() }, step).getTime();
      if (firstLater <= at) {
        figures.converted++;
        return;
      }
      if (heldOut && !reachesHoldout(step)) {
        figures.heldOut++;
        continue;
      }
      this.deliver(step, figures, contact, log, at, journey.priority, entryId, firstLater);
    }
  }

  private deliver(step: JourneyStep, figures: StepFigures, contact: Parameters<typeof decideDelivery>[1], log: MessageLogEntry[], at: number, priority: number, entryId: string, firstLater: number): void {
    const intent = {
      messageId: `${entryId}.${step.name}`,
      journey: this.options.journey,
      step: step.name,
      channel: step.channel,
      template: step.template,
      marketing: step.marketing,
      priority,
      variables: {},
    };
    let deferred = false;
    for (let attempt = 0; attempt <= MAX_DEFERRALS; attempt++) {
      const decision = decideDelivery(intent, contact, log, new Date(at), this.options.policy ?? defaultDeliveryPolicy);
      if (decision.kind === 'send') {
        figures.sent++;
        if (deferred) figures.deferredFirst++;
        figures.costUsd += (this.options.prices ?? defaultMessagePrices)[step.channel];
        log.push({ ...intent, at: new Date(at).toISOString(), customerId: contact.profile.customerId, status: 'sent' });
        return;
      }
      if (decision.kind !== 'defer') {
        figures.notSent[decision.reason] = (figures.notSent[decision.reason] ?? 0) + 1;
        return;
      }
      deferred = true;
      at = decision.until.getTime();
      if (firstLater <= at) {
        figures.converted++;
        return;
      }
    }
    figures.notSent['deferred too often'] = (figures.notSent['deferred too often'] ?? 0) + 1;
  }

  report(): BacktestReport {
    const { options } = this;
    const messages = { email: 0, sms: 0, task: 0 };
    for (const step of this.steps) messages[step.channel] += step.sent;
    const treated = this.entered - this.holdout;
    const uplift = options.uplift;
    const extraOrders = uplift ? { expected: treated * uplift.difference, low: treated * uplift.low, high: treated * uplift.high } : null;
    let extraRevenueMinor: BacktestReport['expected']['extraRevenueMinor'] = null;
    if (uplift) {
      extraRevenueMinor = {};
      for (const [currency, value] of this.treatedValue) {
        extraRevenueMinor[currency] = {
          expected: Math.round(value.averageSum * uplift.difference),
          low: Math.round(value.averageSum * uplift.low),
          high: Math.round(value.averageSum * uplift.high),
        };
      }
    }
    return {
      journey: options.journey,
      from: options.from,
      to: options.to,
      customers: this.customers,
      orders: this.orders,
      entered: this.entered,
      treated,
      holdout: this.holdout,
      steps: this.steps.map((step) => ({ ...step, costUsd: round(step.costUsd) })),
      messages,
      costUsd: round(this.steps.reduce((sum, step) => sum + step.costUsd, 0)),
      boughtAgainAnyway: { customers: this.boughtAgain, share: this.entered > 0 ? this.boughtAgain / this.entered : null, orders: this.boughtAgainOrders },
      expected: {
        uplift: uplift ? { difference: uplift.difference, low: uplift.low, high: uplift.high } : null,
        extraOrders,
        extraRevenueMinor,
        ...(uplift ? {} : { reason: 'no measured uplift: the journey has no holdout results yet (give one with --uplift)' }),
      },
    };
  }
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/** Groups orders by customer, in the order customers first appear. */
export function ordersByCustomer(orders: Iterable<Purchase>): Map<string, Purchase[]> {
  const grouped = new Map<string, Purchase[]>();
  for (const order of orders) {
    const list = grouped.get(order.customer.id);
    if (list) list.push(order);
    else grouped.set(order.customer.id, [order]);
  }
  return grouped;
}
