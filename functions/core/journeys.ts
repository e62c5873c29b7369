/**
 * The retention journeys: their steps, timings, priorities and re-entry rules, and the pure
 * decisions a journey step takes. The state machines under workflows/ give each journey its shape
 * (named states, waits, retries); the timings live here, in one place, so changing "7 days" never
 * means editing a definition.
 */
import { createHash } from 'node:crypto';
import type { Channel, JourneyName } from './delivery/types.ts';
import * as z from './zod.ts';
import type { OfferPurpose } from './catalog/offers.ts';
import { InvalidInputError } from './errors.ts';
import { defaultDeliveryPolicy, wakeAt, type DeliveryPolicy } from './delivery/guardrails.ts';
import { knownTimeZone, quietHoursEnd } from './delivery/zoned-time.ts';

export type ReentryRule = 'once-ever' | 'once-per-episode' | 'every-time';

export interface JourneyStep {
  /** The step's name, as the state machine passes it. */
  name: string;
  channel: Channel;
  template: string;
  /** false only for the order thank-you: everything else is marketing and needs consent. */
  marketing: boolean;
  /** When the step is due, counted from the customer's entry into the journey. */
  afterEntry: { days?: number; hours?: number; minutes?: number };
  /** The step asks the feedback (NPS) question: at most once per `npsIntervalDays` (JourneySettings) per customer. */
  asksFeedback?: true;
  /**
   * The step offers products (catalog/offers.ts, stepOffers): complements or upsells of what the
   * customer bought. With nothing relevant to offer it sends nothing (logged as skipped).
   */
  offers?: OfferPurpose;
}

export interface Journey {
  name: JourneyName;
  /** Lower is more important: it goes first when two journeys compete for the frequency cap. */
  priority: number;
  reentry: ReentryRule;
  steps: JourneyStep[];
}

/**
 * The post-purchase step that offers complements, in days after the purchase. A cross-sell rule
 * whose wait ends by then goes out with it; one waiting longer is a scheduled message of its own
 * (catalog/follow-ups.ts), so no rule is offered twice.
 */
export const COMPLEMENT_STEP_DAYS = 7;

/** The journeys with steps of their own (loyalty and product-rule messages are scheduled items). */
export const journeys: Record<StateMachineJourney | 'check-in', Journey> = {
  'post-purchase': {
    name: 'post-purchase',
    priority: 2,
    reentry: 'every-time',
    steps: [
      { name: 'thank-you', channel: 'email', template: 'post-purchase-thank-you', marketing: false, afterEntry: {} },
      { name: 'feedback', channel: 'email', template: 'post-purchase-feedback', marketing: true, afterEntry: { days: COMPLEMENT_STEP_DAYS }, asksFeedback: true, offers: 'complement' },
      { name: 'content', channel: 'email', template: 'post-purchase-content', marketing: true, afterEntry: { days: 30 }, offers: 'upsell' },
      { name: 'offer', channel: 'email', template: 'post-purchase-offer', marketing: true, afterEntry: { days: 90 }, offers: 'upsell' },
    ],
  },
  'win-back': {
    name: 'win-back',
    priority: 1,
    reentry: 'once-per-episode',
    steps: [
      { name: 'miss-you-email', channel: 'email', template: 'win-back-email', marketing: true, afterEntry: {} },
      { name: 'reminder-sms', channel: 'sms', template: 'win-back-sms', marketing: true, afterEntry: { days: 7 } },
      { name: 'manager-call', channel: 'task', template: 'win-back-call', marketing: false, afterEntry: { days: 14 } },
    ],
  },
  'loyalty-invite': {
    name: 'loyalty-invite',
    priority: 3,
    reentry: 'once-ever',
    steps: [{ name: 'invite', channel: 'email', template: 'loyalty-invite', marketing: true, afterEntry: {} }],
  },
  // Check-ins run on the nightly sweep, not as executions: see checkInMonths.
  'check-in': {
    name: 'check-in',
    priority: 0,
    reentry: 'every-time',
    steps: [{ name: 'check-in-call', channel: 'task', template: 'check-in-call', marketing: false, afterEntry: {} }],
  },
};

/** The journeys that run as state machines (check-ins are sweep-driven). */
export const stateMachineJourneys = ['post-purchase', 'win-back', 'loyalty-invite'] as const satisfies readonly JourneyName[];
export type StateMachineJourney = (typeof stateMachineJourneys)[number];

export function parseJourney(name: string): StateMachineJourney {
  const journey = stateMachineJourneys.find((candidate) => candidate === name);
  if (!journey) throw new InvalidInputError(`unknown journey "${name}"; journeys: ${stateMachineJourneys.join(', ')}`);
  return journey;
}

/** Days without a purchase after which a customer enters win-back. */
export const WIN_BACK_AFTER_DAYS = 60;
/** Days within which a customer is asked the feedback (NPS) question at most once, unless the store sets another. */
export const NPS_INTERVAL_DAYS = 90;
/** The purchase that earns the loyalty invitation. */
export const LOYALTY_INVITE_ORDER = 3;
/**
 * Manager check-ins after a won order. Up to 12 months is too close to the 1-year limit of a
 * Standard execution, and an execution idling for a year costs transitions for nothing: the
 * nightly sweep creates these tasks from dated items instead.
 */
export const checkInMonths = [3, 6, 12] as const;

/** What a journey's execution carries from state to state. */
export interface JourneyEntry {
  journey: StateMachineJourney;
  entryId: string;
  customerId: string;
  enteredAt: string;
  /** The order that started it (post-purchase), when there is one. */
  orderId?: string;
}

export const entryStatuses = ['active', 'converted', 'completed', 'removed', 'superseded', 'failed'] as const;
export type EntryStatus = (typeof entryStatuses)[number];

/** What an execution's input carries as `entry`, read back by the handlers the service invokes. */
export const journeyEntrySchema = z.object({
  journey: z.enum(stateMachineJourneys),
  entryId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  enteredAt: z.iso.datetime(),
  orderId: z.optional(z.string()),
});

export interface JourneyEntryRecord extends JourneyEntry {
  status: EntryStatus;
  /** Held out of messages, to measure the journey's uplift against. */
  holdout: boolean;
  failure?: string;
  step?: string;
  stepAt?: string;
  endedAt?: string;
  convertedOrderId?: string;
  convertedRevenueMinor?: number;
  convertedCurrency?: string;
}

/**
 * Entry ids are the executions' names: deterministic, so a second start for the same order or the
 * same inactivity episode is a no-op. Customer ids may hold any character (guest ids are emails),
 * so they enter the name as a digest; Step Functions names allow [A-Za-z0-9_-], 80 at most.
 */
export function entryIdFor(journey: StateMachineJourney, customerId: string, episode: string): string {
  const customer = digest(customerId, 16);
  switch (journey) {
    case 'post-purchase':
      return `post-purchase-${customer}-${digest(episode, 16)}`;
    case 'win-back':
      return `win-back-${customer}-${episode.replace(/[^0-9]/g, '')}`;
    case 'loyalty-invite':
      return `loyalty-invite-${customer}`;
  }
}

export function checkInDueAt(placedAt: string, months: number): string {
  const due = new Date(placedAt);
  due.setUTCMonth(due.getUTCMonth() + months);
  return due.toISOString();
}

export function stepDueAt(entry: { enteredAt: string }, step: JourneyStep): Date {
  const { days = 0, hours = 0, minutes = 0 } = step.afterEntry;
  return new Date(new Date(entry.enteredAt).getTime() + ((days * 24 + hours) * 60 + minutes) * 60_000);
}

/** The answer a step gives its state machine: go on to the next step at `at`, retry this one at `at`, or end. */
export interface StepOutcome {
  outcome: 'continue' | 'retry' | 'done';
  /**
   * The step the state machine runs at `at`: the next one (continue), this one again (retry), or
   * this one (done), which then answers done at once: the journeys' definitions run the next step
   * from here, with no Choice between steps (each state entered is billed).
   */
  step: string;
  at: string;
  reason: string;
}

/**
 * Does this order convert the journey? Any order placed after the customer entered, except the
 * order that started the journey itself (a post-purchase journey is not converted by its own order,
 * however the clocks of the storefront and of Comeback compare).
 */
export function convertsJourney(entry: { enteredAt: string; orderId?: string }, order: { orderId: string; placedAt: string }): boolean {
  return order.orderId !== entry.orderId && order.placedAt > entry.enteredAt;
}

export function findStep(journey: StateMachineJourney, stepName: string): { step: JourneyStep; index: number } {
  const steps = journeys[journey].steps;
  const index = steps.findIndex((candidate) => candidate.name === stepName);
  const step = steps[index];
  if (!step) throw new Error(`journey ${journey} has no step ${stepName}`);
  return { step, index };
}

/**
 * Whether a held-out entry still gets this step. The holdout group is held out of marketing only:
 * the transactional order thank-you still goes, but marketing messages and manager calls (a touch
 * as much as an email is) do not, or the uplift would be measured against contacted customers.
 */
export function reachesHoldout(step: Pick<JourneyStep, 'marketing' | 'channel'>): boolean {
  return !step.marketing && step.channel !== 'task';
}

/**
 * After a step's message went out (or was suppressed, skipped or refused for good): the next step
 * and its time, or the end. With the customer known, a marketing step due in their quiet hours is
 * timed to the instant a quiet-hours deferral would wake it (the end of quiet hours plus the
 * customer's minutes), so its execution waits once instead of waking only to be deferred.
 */
export function afterStep(
  journey: StateMachineJourney,
  index: number,
  entry: { enteredAt: string },
  now: Date,
  reason: string,
  customer?: { customerId: string; timezone?: string | undefined },
): StepOutcome {
  const steps = journeys[journey].steps;
  const next = steps[index + 1];
  if (!next) return { outcome: 'done', step: steps[index]?.name ?? '', at: now.toISOString(), reason: 'completed' };
  const due = stepDueAt(entry, next);
  const at = due > now ? due : now;
  return { outcome: 'continue', step: next.name, at: (customer ? sendableAt(at, next, customer) : at).toISOString(), reason };
}

/** When a deferral for quiet hours would wake a step due at `due` (itself when it may go then). */
export function sendableAt(due: Date, step: Pick<JourneyStep, 'marketing' | 'channel'>, customer: { customerId: string; timezone?: string | undefined }, policy: DeliveryPolicy = defaultDeliveryPolicy): Date {
  // The same exemptions as the delivery guardrails: order messages and call tasks ignore quiet hours.
  if (!step.marketing || step.channel === 'task') return due;
  const zone = knownTimeZone(customer.timezone);
  const awake = quietHoursEnd(due, zone, policy.quietHours).getTime();
  return awake === due.getTime() ? due : new Date(wakeAt(awake, customer.customerId, zone, policy));
}

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}
