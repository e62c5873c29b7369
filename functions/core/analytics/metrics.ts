/**
 * The daily metrics snapshot, accumulated customer by customer as the nightly scan streams by, in
 * memory bounded by the number of currencies, cohort months, journeys and segments (never by the
 * number of customers). Accumulators merge, so scan segments read apart add up.
 *
 * Definitions, for the snapshot of day D (the UTC day of the run) with a period of P days
 * (`metrics.periodDays`, 30 by default). "This period" is the days (D-P, D], "the previous period"
 * (D-2P, D-P]; "the value window" is the last `value.windowDays` days (365). A customer is a profile
 * with at least one order. Money is net of refunds (see facts.ts), in minor units, per currency.
 *
 * - customers: every customer. newCustomers: first order in this period. activeCustomers: an order
 *   in this period.
 * - retentionRate: of the customers with an order in the previous period, the share with an order in
 *   this one (null when nobody bought in the previous period).
 * - churnRate: of the customers who existed and were not lost at the start of this period (an order
 *   in the `recency.lapsingDays` days before it), the share who are lost at its end (no order in the
 *   last lapsingDays days): the customers whose year without an order ran out during the period.
 * - repeatPurchaseRate: the share of customers with two orders or more (all time).
 * - purchaseFrequency: orders in the value window per customer with an order in it.
 * - averageOrderValueMinor: net revenue over orders in the value window, per currency.
 * - historicClvMinor: net revenue to date per customer, per currency, over the customers who ever
 *   paid in that currency.
 * - returningCustomers: customers with an order in this period whose first order came before it;
 *   returningRevenueMinor: what they spent in this period.
 * - nps: from the feedback answers given in the last `npsWindowDays` days: 100 × (promoters [9-10]
 *   − detractors [0-6]) / answers; null without answers.
 * - cohorts: for each of the last `cohortMonths` calendar months, the customers whose first order
 *   fell in it, and returned[k-1] = how many of them ordered in calendar month k after it (k = 1 is
 *   the next month), up to the current month (which is still running).
 * - journeys: per journey, the entries of the last `journeyWindowDays` days, treated and holdout
 *   apart, all counted whatever their status (intention to treat): entered, converted (status
 *   converted), conversion rate, revenue of the converting orders; uplift = treated conversion −
 *   holdout conversion with the Newcombe-Wilson interval (see uplift.ts).
 * - segments: members per segment after the run.
 */
import { type CustomerFacts, dayOf, isoDay, isoMonth, monthOf, monthOfDay } from './facts.ts';
import type { CustomerProfile } from '../profile.ts';
import type { RecomputeSettings } from './settings.ts';
import { conversionUplift, type Uplift } from './uplift.ts';
import { defaultTaskLists } from '../delivery/task-lists.ts';
import { countChurnReasons } from '../delivery/tasks.ts';
import type { ManagerTask } from '../delivery/types.ts';

export type JourneyEntryStatus = 'active' | 'converted' | 'completed' | 'removed' | 'superseded' | 'failed';

/** A journey entry as the journey engine writes it (the fields the metrics read). */
export interface JourneyEntryRecord {
  journey: string;
  entryId: string;
  customerId: string;
  enteredAt: string;
  status: JourneyEntryStatus;
  holdout: boolean;
  convertedOrderId?: string;
  convertedRevenueMinor?: number;
  convertedCurrency?: string;
  endedAt?: string;
}

/** One feedback answer (NPS scale 0 to 10). */
export interface FeedbackAnswer {
  customerId: string;
  entryId: string;
  score: number;
  comment?: string;
  at: string;
}

export interface GroupResult {
  entered: number;
  converted: number;
  conversionRate: number | null;
  revenueMinor: Record<string, number>;
}

export interface JourneyResult {
  treated: GroupResult;
  holdout: GroupResult;
  uplift: Uplift | null;
}

export interface Cohort {
  month: string;
  customers: number;
  returned: number[];
}

export interface ModelStatus {
  available: boolean;
  fittedAt?: string;
  reason?: string;
  repeatBuyers: number;
}

export interface MetricsSnapshot {
  day: string;
  computedAt: string;
  period: { days: number; from: string; to: string };
  customers: number;
  newCustomers: number;
  activeCustomers: number;
  returningCustomers: number;
  returningRevenueMinor: Record<string, number>;
  retentionRate: number | null;
  retention: { previousPeriodBuyers: number; retained: number };
  churnRate: number | null;
  churn: { atRisk: number; churned: number };
  repeatPurchaseRate: number | null;
  repeatCustomers: number;
  purchaseFrequency: number | null;
  averageOrderValueMinor: Record<string, number>;
  historicClvMinor: Record<string, number>;
  nps: { score: number | null; answers: number; promoters: number; passives: number; detractors: number; windowDays: number };
  cohorts: Cohort[];
  journeys: Record<string, JourneyResult>;
  segments: Record<string, number>;
  model: ModelStatus;
}

interface GroupTally {
  entered: number;
  converted: number;
  revenueMinor: Record<string, number>;
}

const emptyGroup = (): GroupTally => ({ entered: 0, converted: 0, revenueMinor: {} });

function addTo(totals: Record<string, number>, key: string, amount: number): void {
  totals[key] = (totals[key] ?? 0) + amount;
}

function mergeInto(totals: Record<string, number>, from: Record<string, number>): void {
  for (const key in from) addTo(totals, key, from[key] ?? 0);
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** A MetricsAccumulator's tallies as JSON (a key range's part of the nightly recompute). */
export interface MetricsAccumulatorState {
  counts: Record<'customers' | 'newCustomers' | 'activeCustomers' | 'returningCustomers' | 'previousPeriodBuyers' | 'retained' | 'atRisk' | 'churned' | 'repeatCustomers' | 'valueCustomers' | 'valueOrders', number>;
  returningRevenue: Record<string, number>;
  valueNet: Record<string, number>;
  valueOrdersByCurrency: Record<string, number>;
  netToDate: Record<string, number>;
  payersToDate: Record<string, number>;
  cohorts: [number, { customers: number; returned: number[] }][];
  answers: { promoters: number; passives: number; detractors: number };
  journeys: [string, { treated: GroupTally; holdout: GroupTally }][];
  segments: [string, number][];
}

export class MetricsAccumulator {
  private readonly today: number;
  private readonly settings: RecomputeSettings;
  private readonly currentMonth: number;
  private readonly firstCohort: number;
  private customers = 0;
  private newCustomers = 0;
  private activeCustomers = 0;
  private returningCustomers = 0;
  private readonly returningRevenue: Record<string, number> = {};
  private previousPeriodBuyers = 0;
  private retained = 0;
  private atRisk = 0;
  private churned = 0;
  private repeatCustomers = 0;
  private valueCustomers = 0;
  private valueOrders = 0;
  private readonly valueNet: Record<string, number> = {};
  private readonly valueOrdersByCurrency: Record<string, number> = {};
  private readonly netToDate: Record<string, number> = {};
  private readonly payersToDate: Record<string, number> = {};
  private readonly cohorts = new Map<number, { customers: number; returned: number[] }>();
  private readonly answers = { promoters: 0, passives: 0, detractors: 0 };
  private readonly journeys = new Map<string, { treated: GroupTally; holdout: GroupTally }>();
  private readonly segments = new Map<string, number>();

  constructor(today: number, settings: RecomputeSettings) {
    this.today = today;
    this.settings = settings;
    this.currentMonth = monthOfDay(today);
    this.firstCohort = this.currentMonth - settings.metrics.cohortMonths + 1;
  }

  addCustomer(facts: CustomerFacts, profile: CustomerProfile): void {
    const period = this.settings.metrics.periodDays;
    const periodStart = this.today - period; // the last day before this period
    const lostAfter = this.settings.recency.lapsingDays;
    this.customers++;
    if (facts.firstDay > periodStart) this.newCustomers++;
    if (facts.boughtThisPeriod) {
      this.activeCustomers++;
      if (facts.firstDay <= periodStart) {
        this.returningCustomers++;
        mergeInto(this.returningRevenue, facts.thisPeriodNetByCurrency);
      }
    }
    if (facts.boughtPreviousPeriod) {
      this.previousPeriodBuyers++;
      if (facts.boughtThisPeriod) this.retained++;
    }
    const before = facts.lastDayBeforePeriod;
    if (before !== undefined && periodStart - before < lostAfter) {
      this.atRisk++;
      if (this.today - facts.lastDay >= lostAfter) this.churned++;
    }
    if (profile.orderCount >= 2) this.repeatCustomers++;
    if (facts.valueOrders > 0) {
      this.valueCustomers++;
      this.valueOrders += facts.valueOrders;
      mergeInto(this.valueNet, facts.valueNetByCurrency);
      mergeInto(this.valueOrdersByCurrency, facts.valueOrdersByCurrency);
    }
    for (const [currency, net] of Object.entries(profile.revenueByCurrency)) {
      addTo(this.netToDate, currency, net);
      addTo(this.payersToDate, currency, 1);
    }
    const cohortMonth = monthOf(profile.firstOrderAt);
    if (cohortMonth >= this.firstCohort && cohortMonth <= this.currentMonth) {
      let cohort = this.cohorts.get(cohortMonth);
      if (!cohort) {
        cohort = { customers: 0, returned: Array.from({ length: this.currentMonth - cohortMonth }, () => 0) };
        this.cohorts.set(cohortMonth, cohort);
      }
      cohort.customers++;
      for (const month of facts.orderMonths) {
        const k = month - cohortMonth;
        if (k >= 1 && k <= cohort.returned.length) cohort.returned[k - 1] = (cohort.returned[k - 1] ?? 0) + 1;
      }
    }
  }

  addJourneyEntry(entry: JourneyEntryRecord): void {
    const entered = dayOf(entry.enteredAt);
    if (entered > this.today || this.today - entered >= this.settings.metrics.journeyWindowDays) return;
    let tallies = this.journeys.get(entry.journey);
    if (!tallies) {
      tallies = { treated: emptyGroup(), holdout: emptyGroup() };
      this.journeys.set(entry.journey, tallies);
    }
    const group = entry.holdout ? tallies.holdout : tallies.treated;
    group.entered++;
    if (entry.status === 'converted') {
      group.converted++;
      if (entry.convertedCurrency && entry.convertedRevenueMinor !== undefined) addTo(group.revenueMinor, entry.convertedCurrency, entry.convertedRevenueMinor);
    }
  }

  addFeedback(answer: FeedbackAnswer): void {
    const day = dayOf(answer.at);
    if (day > this.today || this.today - day >= this.settings.metrics.npsWindowDays) return;
    if (answer.score >= 9) this.answers.promoters++;
    else if (answer.score >= 7) this.answers.passives++;
    else this.answers.detractors++;
  }

  addSegments(names: Iterable<string>): void {
    for (const name of names) this.segments.set(name, (this.segments.get(name) ?? 0) + 1);
  }

  merge(other: MetricsAccumulator): void {
    this.customers += other.customers;
    this.newCustomers += other.newCustomers;
    this.activeCustomers += other.activeCustomers;
    this.returningCustomers += other.returningCustomers;
    mergeInto(this.returningRevenue, other.returningRevenue);
    this.previousPeriodBuyers += other.previousPeriodBuyers;
    this.retained += other.retained;
    this.atRisk += other.atRisk;
    this.churned += other.churned;
    this.repeatCustomers += other.repeatCustomers;
    this.valueCustomers += other.valueCustomers;
    this.valueOrders += other.valueOrders;
    mergeInto(this.valueNet, other.valueNet);
    mergeInto(this.valueOrdersByCurrency, other.valueOrdersByCurrency);
    mergeInto(this.netToDate, other.netToDate);
    mergeInto(this.payersToDate, other.payersToDate);
    for (const [month, cohort] of other.cohorts) {
      const mine = this.cohorts.get(month);
      if (!mine) this.cohorts.set(month, { customers: cohort.customers, returned: [...cohort.returned] });
      else {
        mine.customers += cohort.customers;
        cohort.returned.forEach((count, k) => (mine.returned[k] = (mine.returned[k] ?? 0) + count));
      }
    }
    this.answers.promoters += other.answers.promoters;
    this.answers.passives += other.answers.passives;
    this.answers.detractors += other.answers.detractors;
    for (const [journey, tallies] of other.journeys) {
      const mine = this.journeys.get(journey) ?? { treated: emptyGroup(), holdout: emptyGroup() };
      for (const side of ['treated', 'holdout'] as const) {
        mine[side].entered += tallies[side].entered;
        mine[side].converted += tallies[side].converted;
        mergeInto(mine[side].revenueMinor, tallies[side].revenueMinor);
      }
      this.journeys.set(journey, mine);
    }
    for (const [name, count] of other.segments) this.segments.set(name, (this.segments.get(name) ?? 0) + count);
  }

  toJSON(): MetricsAccumulatorState {
    const { customers, newCustomers, activeCustomers, returningCustomers, previousPeriodBuyers, retained, atRisk, churned, repeatCustomers, valueCustomers, valueOrders } = this;
    return {
      counts: { customers, newCustomers, activeCustomers, returningCustomers, previousPeriodBuyers, retained, atRisk, churned, repeatCustomers, valueCustomers, valueOrders },
      returningRevenue: { ...this.returningRevenue },
      valueNet: { ...this.valueNet },
      valueOrdersByCurrency: { ...this.valueOrdersByCurrency },
      netToDate: { ...this.netToDate },
      payersToDate: { ...this.payersToDate },
      cohorts: [...this.cohorts].map(([month, cohort]) => [month, { customers: cohort.customers, returned: [...cohort.returned] }]),
      answers: { ...this.answers },
      journeys: [...this.journeys].map(([journey, tallies]) => [journey, structuredClone(tallies)]),
      segments: [...this.segments],
    };
  }

  /** The accumulator `state` describes, for the same day and settings as the one it came from. */
  static fromJSON(state: MetricsAccumulatorState, today: number, settings: RecomputeSettings): MetricsAccumulator {
    const accumulator = new MetricsAccumulator(today, settings);
    Object.assign(accumulator, state.counts);
    mergeInto(accumulator.returningRevenue, state.returningRevenue);
    mergeInto(accumulator.valueNet, state.valueNet);
    mergeInto(accumulator.valueOrdersByCurrency, state.valueOrdersByCurrency);
    mergeInto(accumulator.netToDate, state.netToDate);
    mergeInto(accumulator.payersToDate, state.payersToDate);
    for (const [month, cohort] of state.cohorts) accumulator.cohorts.set(month, { customers: cohort.customers, returned: [...cohort.returned] });
    Object.assign(accumulator.answers, state.answers);
    for (const [journey, tallies] of state.journeys) accumulator.journeys.set(journey, structuredClone(tallies));
    for (const [name, count] of state.segments) accumulator.segments.set(name, count);
    return accumulator;
  }

  snapshot(context: { computedAt: string; segmentNames: Iterable<string>; model: ModelStatus }): MetricsSnapshot {
    const period = this.settings.metrics.periodDays;
    const { promoters, passives, detractors } = this.answers;
    const answers = promoters + passives + detractors;
    const perCurrency = (totals: Record<string, number>, counts: Record<string, number>): Record<string, number> =>
      Object.fromEntries(
        Object.keys(totals)
          .filter((currency) => (counts[currency] ?? 0) > 0)
          .sort()
          .map((currency) => [currency, Math.round((totals[currency] ?? 0) / (counts[currency] ?? 1))]),
      );
    const rounded = (totals: Record<string, number>): Record<string, number> =>
      Object.fromEntries(Object.keys(totals).sort().map((currency) => [currency, Math.round(totals[currency] ?? 0)]));
    const group = (tally: GroupTally): GroupResult => ({
      entered: tally.entered,
      converted: tally.converted,
      conversionRate: ratio(tally.converted, tally.entered),
      revenueMinor: rounded(tally.revenueMinor),
    });
    const segments: Record<string, number> = {};
    for (const name of context.segmentNames) segments[name] = this.segments.get(name) ?? 0;
    return {
      day: isoDay(this.today),
      computedAt: context.computedAt,
      period: { days: period, from: isoDay(this.today - period + 1), to: isoDay(this.today) },
      customers: this.customers,
      newCustomers: this.newCustomers,
      activeCustomers: this.activeCustomers,
      returningCustomers: this.returningCustomers,
      returningRevenueMinor: rounded(this.returningRevenue),
      retentionRate: ratio(this.retained, this.previousPeriodBuyers),
      retention: { previousPeriodBuyers: this.previousPeriodBuyers, retained: this.retained },
      churnRate: ratio(this.churned, this.atRisk),
      churn: { atRisk: this.atRisk, churned: this.churned },
      repeatPurchaseRate: ratio(this.repeatCustomers, this.customers),
      repeatCustomers: this.repeatCustomers,
      purchaseFrequency: ratio(this.valueOrders, this.valueCustomers),
      averageOrderValueMinor: perCurrency(this.valueNet, this.valueOrdersByCurrency),
      historicClvMinor: perCurrency(this.netToDate, this.payersToDate),
      nps: {
        score: answers > 0 ? (100 * (promoters - detractors)) / answers : null,
        answers,
        promoters,
        passives,
        detractors,
        windowDays: this.settings.metrics.npsWindowDays,
      },
      cohorts: [...this.cohorts.entries()]
        .sort(([u], [v]) => v - u)
        .map(([month, cohort]) => ({ month: isoMonth(month), customers: cohort.customers, returned: cohort.returned })),
      journeys: Object.fromEntries(
        [...this.journeys.entries()]
          .sort(([u], [v]) => u.localeCompare(v))
          .map(([journey, tallies]) => [
            journey,
            {
              treated: group(tallies.treated),
              holdout: group(tallies.holdout),
              uplift: conversionUplift(tallies.treated, tallies.holdout, this.settings.metrics.confidence),
            },
          ]),
      ),
      segments,
      model: context.model,
    };
  }
}

/**
 * How the managers' calls went, beside the snapshots of GET /v1/metrics: of the tasks completed on
 * the days from..to (UTC, both inclusive), how many per journey and outcome (`replaced` is a
 * check-in closed by a newer one), and how often each of the store's churn reasons was given.
 */
export function taskOutcomes(
  tasks: readonly Pick<ManagerTask, 'status' | 'journey' | 'outcome' | 'churnReason' | 'completedAt'>[],
  from: string,
  to: string,
  churnReasons: readonly string[] = defaultTaskLists.churnReasons,
): { completed: number; outcomes: Record<string, Record<string, number>>; churnReasons: Record<string, number> } {
  const inRange = tasks.filter((task) => task.status === 'done' && task.completedAt !== undefined && task.completedAt.slice(0, 10) >= from && task.completedAt.slice(0, 10) <= to);
  const outcomes: Record<string, Record<string, number>> = {};
  for (const task of inRange) {
    const byJourney = (outcomes[task.journey] ??= {});
    const outcome = task.outcome ?? 'none';
    byJourney[outcome] = (byJourney[outcome] ?? 0) + 1;
  }
  return { completed: inRange.length, outcomes, churnReasons: countChurnReasons(inRange, churnReasons) };
}
