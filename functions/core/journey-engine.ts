/**
 * The journey engine's use cases: starting journeys (on a purchase, on inactivity), taking one
 * step of a running journey, converting journeys when the customer buys, and the admin's view.
 * Pure of AWS: storage, the state machine service and the delivery step come in as ports.
 */
import { createHash } from 'node:crypto';
import { recordJourneyFailure } from './journey-failures.ts';
import type { DeliveryOutcome, JourneyName, MessageIntent } from './delivery/types.ts';
import type { RecordedOrder } from './ledger.ts';
import { customerBand, stepOffers, type CoPurchaseReader, type StepOffer } from './catalog/offers.ts';
import type { Catalog } from './catalog/rules.ts';
import type { CustomerProfile } from './profile.ts';
import type { Purchase } from './purchase.ts';
import { defaultWinBackTiming, winBackCustomerOf, winBackDueAt, winBackDueNow, type WinBackModel, type WinBackRules } from './win-back.ts';
import {
  afterStep,
  checkInDueAt,
  checkInMonths,
  entryIdFor,
  findStep,
  convertsJourney,
  journeys,
  LOYALTY_INVITE_ORDER,
  reachesHoldout,
  type EntryStatus,
  type JourneyEntry,
  type JourneyEntryRecord,
  type JourneyStep,
  type StateMachineJourney,
  type StepOutcome,
} from './journeys.ts';

export interface CheckIn {
  customerId: string;
  orderId: string;
  months: number;
  dueAt: string;
  status: 'scheduled' | 'done';
}

export interface JourneyStore {
  getProfile(customerId: string): Promise<CustomerProfile | undefined>;
  listEntries(customerId: string): Promise<JourneyEntryRecord[]>;
  getEntry(entry: Pick<JourneyEntry, 'customerId' | 'journey' | 'entryId'>): Promise<JourneyEntryRecord | undefined>;
  /** Creates the entry unless it exists; false when it did. */
  createEntry(record: JourneyEntryRecord): Promise<boolean>;
  /** Changes an entry that is still active; false when it no longer was. */
  updateActiveEntry(entry: JourneyEntry, changes: Partial<JourneyEntryRecord>): Promise<boolean>;
  /** The customer's orders placed after `since`, oldest first. */
  ordersAfter(customerId: string, since: string, limit: number): Promise<RecordedOrder[]>;
  recentOrders(customerId: string, limit: number): Promise<RecordedOrder[]>;
  scheduleCheckIns(checkIns: CheckIn[]): Promise<void>;
  /** The check-ins due on `day` (YYYY-MM-DD), done or not. */
  checkInsDueOn(day: string): AsyncIterable<CheckIn>;
  completeCheckIn(checkIn: CheckIn): Promise<void>;
  /**
   * Makes `taskId` the customer's one open check-in task: the task that held that place before,
   * if still open, is closed as replaced (outcome `replaced`). Returns the replaced task's id.
   */
  replaceOpenCheckInTask(customerId: string, taskId: string, at: string): Promise<string | undefined>;
  /** Profiles whose last order fell on `day` (YYYY-MM-DD). */
  customersByLastOrderDay(day: string): AsyncIterable<CustomerProfile>;
  /** The last due day each part of the sweep handled whole (YYYY-MM-DD), for the parts that ever did; one read for all. */
  sweptThrough(): Promise<SweptThrough>;
  /** Records the days these parts handled whole, in one write (nothing for none). */
  markSweptThrough(days: SweptThrough): Promise<void>;
  /** A journey's entries in one status (`active`: who is inside now), a page at a time. */
  listByStatus(journey: JourneyName, status: EntryStatus, limit: number, cursor?: string): Promise<{ items: JourneyEntryRecord[]; cursor?: string }>;
}

/** The halves of the daily sweep, each with its own record of the days it handled. */
export type SweepPart = 'win-back' | 'check-ins';

export type SweptThrough = Partial<Record<SweepPart, string>>;

export interface JourneyLauncher {
  /** Starts the entry's execution; starting one that exists is a no-op. */
  start(entry: JourneyEntry): Promise<void>;
  stop(entry: JourneyEntry, cause: string): Promise<void>;
}

export interface Deliverer {
  deliver(customerId: string, intent: MessageIntent): Promise<DeliveryOutcome>;
}

export interface JourneySettings {
  /** Share of entrants held out of marketing and manager calls, 0..0.5: what uplift is measured against. */
  holdoutShare: number;
  /** The fallback of win-back timing: days without an order for a customer with no rhythm of her own. */
  winBackAfterDays: number;
  /** The rest of win-back timing (win-back.ts) and the store's declared cycles; absent: the defaults, no declared cycles. */
  winBack?: Omit<WinBackRules, 'timing'> & { timing?: Partial<WinBackRules['timing']> };
  /** How many past days a sweep looks back, so a missed night loses no one. */
  sweepLookbackDays: number;
  /** A customer is asked the feedback (NPS) question at most once per this many days. */
  npsIntervalDays: number;
  shopUrl: string;
  supportContact: string;
}

/** What starting, converting and removing journeys need. */
export interface JourneyPorts {
  store: JourneyStore;
  launcher: JourneyLauncher;
  settings: JourneySettings;
  now: () => Date;
  /** Whether the customer joined the loyalty program: members are not invited to it. */
  membership: { isMember(customerId: string): Promise<boolean> };
}

/** What running steps and sweeps need on top: the delivery step, and links messages carry. */
export interface JourneyRunPorts extends JourneyPorts {
  deliverer: Deliverer;
  links: { feedback(customerId: string, entryId: string): Promise<string>; join(customerId: string): Promise<string> };
}

export type StepRequest =
  | { action: 'step'; step: string; entry: JourneyEntry }
  | { action: 'fail'; entry: JourneyEntry; error?: { Error?: string; Cause?: string } };

/** Deterministic holdout: the same entry is always in or out, with no stored coin flips. */
export function isHeldOut(entryId: string, share: number): boolean {
  if (share <= 0) return false;
  const bucket = parseInt(createHash('sha256').update(`holdout:${entryId}`).digest('hex').slice(0, 8), 16) / 0x1_0000_0000;
  return bucket < share;
}

export async function startJourney(ports: JourneyPorts, journey: StateMachineJourney, customerId: string, episode: string, extra: { orderId?: string } = {}): Promise<'started' | 'already'> {
  const entered = await enterJourney(ports, journey, customerId, episode, extra);
  // The re-entry rule lives in the entry id: an ended entry is never started again.
  if (entered.state === 'ended') return 'already';
  await ports.launcher.start(entered.entry);
  return entered.state === 'new' ? 'started' : 'already';
}

/**
 * The entry of a journey, created unless it exists (its execution not started): new, still active
 * (its execution started before, or about to be started again, which is a no-op), or ended.
 */
async function enterJourney(
  ports: JourneyPorts,
  journey: StateMachineJourney,
  customerId: string,
  episode: string,
  extra: { orderId?: string } = {},
): Promise<{ entry: JourneyEntry; state: 'new' | 'active' | 'ended' }> {
  const entryId = entryIdFor(journey, customerId, episode);
  const entry: JourneyEntry = { journey, entryId, customerId, enteredAt: ports.now().toISOString(), ...extra };
  if (await ports.store.createEntry({ ...entry, status: 'active', holdout: isHeldOut(entryId, ports.settings.holdoutShare) })) return { entry, state: 'new' };
  const existing = await ports.store.getEntry(entry);
  if (!existing || existing.status !== 'active') return { entry, state: 'ended' };
  return { entry: existing, state: 'active' };
}

/**
 * What a recorded purchase does to journeys: every journey the customer entered before this order
 * ends as converted (and is credited with it), the newest order starts its post-purchase journey,
 * the third purchase earns the loyalty invitation, and manager check-ins are scheduled. `profile`:
 * the customer's, with this order counted (none: nothing to do). Safe to repeat: every write is
 * conditional and every start idempotent.
 */
export async function reactToPurchase(ports: JourneyPorts, purchase: Purchase, profile: CustomerProfile | undefined): Promise<void> {
  const customerId = purchase.customer.id;
  if (!profile) return;
  for (const entry of await ports.store.listEntries(customerId)) {
    if (entry.status !== 'active' || !convertsJourney(entry, purchase)) continue;
    const converted = await ports.store.updateActiveEntry(entry, {
      status: 'converted',
      endedAt: ports.now().toISOString(),
      convertedOrderId: purchase.orderId,
      convertedRevenueMinor: purchase.totalMinor,
      convertedCurrency: purchase.currency,
    });
    if (converted) await ports.launcher.stop(entry, `converted by order ${purchase.orderId}`);
  }
  // The invitation's entry exists before the order's post-purchase journey starts: the thank-you
  // step takes the invitation along (runJourneyStep), which saves its own execution.
  const invite = profile.orderCount >= LOYALTY_INVITE_ORDER && !(await ports.membership.isMember(customerId)) ? await enterJourney(ports, 'loyalty-invite', customerId, 'once') : undefined;
  let carried = false;
  if (purchase.placedAt === profile.lastOrderAt) {
    const postPurchase = await enterJourney(ports, 'post-purchase', customerId, purchase.orderId, { orderId: purchase.orderId });
    if (postPurchase.state !== 'ended') await ports.launcher.start(postPurchase.entry);
    // A post-purchase journey that existed before the invitation's entry may have thanked already.
    carried = postPurchase.state === 'new' || (postPurchase.state === 'active' && invite?.state !== 'new');
  }
  // No thank-you of this order to go with (an older order recorded late): the invitation runs on its own.
  if (invite && invite.state !== 'ended' && !carried) await ports.launcher.start(invite.entry);
  await ports.store.scheduleCheckIns(
    checkInMonths.map((months) => ({ customerId, orderId: purchase.orderId, months, dueAt: checkInDueAt(purchase.placedAt, months), status: 'scheduled' })),
  );
}

/**
 * What a step needs: no launcher, since a state machine's own step never starts or stops
 * executions (and so the step function needs no state machine ARN: no deployment cycle).
 */
export type JourneyStepPorts = Omit<JourneyRunPorts, 'launcher'> & { offers: StepOfferPorts };

/** What the steps that offer products read: the store's rules file and the nightly co-purchase counts. */
export interface StepOfferPorts {
  catalog: Catalog;
  coPurchases: CoPurchaseReader;
}

/** Why a step that offers products sent nothing: none of them is relevant to the customer. */
export const NO_RELEVANT_OFFER = 'no relevant offer';
/** The customer's latest orders whose products a step finds complements and upsells for. */
export const OFFER_ORDERS = 20;

/**
 * One step of a running journey, called by its state machine. Whatever the delivery step made of
 * the message (sent, suppressed, skipped, or refused for good by the provider) the journey goes on
 * to its next step; only a deferral retries this one, and only an error the state machine retries
 * (a transient send error, the table being unreachable) stops it here.
 */
export async function runJourneyStep(ports: JourneyStepPorts, request: StepRequest): Promise<StepOutcome> {
  if (request.action === 'step' && request.entry.journey === 'post-purchase') {
    if (request.step === CARRIED_INVITE_STEP) return runCarriedInvite(ports, request.entry);
    const outcome = await runStep(ports, request);
    return request.step === 'thank-you' && outcome.outcome === 'continue' ? takeInviteAlong(ports, request.entry, outcome) : outcome;
  }
  return runStep(ports, request);
}

/**
 * The step a post-purchase journey runs for the customer's loyalty invitation when the thank-you
 * could not send it at once (quiet hours, the frequency cap): at the time the invitation was
 * deferred to, before the journey's own next step.
 */
export const CARRIED_INVITE_STEP = 'loyalty-invite';

/**
 * After the thank-you of the order that earned the loyalty invitation: the invitation's own step,
 * in the same call (reactToPurchase entered it before the post-purchase journey started, so the
 * invitation needs no execution of its own). Deferred, it becomes the journey's next stop.
 */
async function takeInviteAlong(ports: JourneyStepPorts, carrier: JourneyEntry, next: StepOutcome): Promise<StepOutcome> {
  const invite = await pendingInvite(ports, carrier.customerId);
  // Not entered (not the third order, a member), or already sent or ended: nothing to take along.
  if (!invite) return next;
  const outcome = await runInvite(ports, invite);
  if (outcome.outcome !== 'retry') return next;
  // The journey's own next step follows the invitation, at its own time (or at once, should the
  // frequency cap hold the invitation past it).
  return { outcome: 'continue', step: CARRIED_INVITE_STEP, at: outcome.at, reason: `${next.reason}; loyalty invitation ${outcome.reason}` };
}

/** The carried invitation at its time: retried while deferred, then the journey's own next step. */
async function runCarriedInvite(ports: JourneyStepPorts, carrier: JourneyEntry): Promise<StepOutcome> {
  const now = ports.now();
  const record = await ports.store.getEntry(carrier);
  if (!record || record.status !== 'active') return { outcome: 'done', step: CARRIED_INVITE_STEP, at: now.toISOString(), reason: record?.status ?? 'unknown entry' };
  const invite = await pendingInvite(ports, carrier.customerId);
  const outcome = invite ? await runInvite(ports, invite) : undefined;
  if (outcome?.outcome === 'retry') return { ...outcome, step: CARRIED_INVITE_STEP };
  const profile = await ports.store.getProfile(carrier.customerId);
  return afterStep('post-purchase', 0, carrier, now, `loyalty invitation ${outcome?.reason ?? 'ended'}`, profile);
}

/** The customer's loyalty invitation while it still waits to be sent (its entry is active). */
async function pendingInvite(ports: JourneyStepPorts, customerId: string): Promise<JourneyEntryRecord | undefined> {
  const invite = await ports.store.getEntry({ journey: 'loyalty-invite', customerId, entryId: entryIdFor('loyalty-invite', customerId, 'once') });
  return invite?.status === 'active' ? invite : undefined;
}

/**
 * The invitation's step for a post-purchase journey that carries it. An error no retry can mend (a
 * template, an unknown customer) fails the invitation's entry, as its own execution would have, and
 * the carrying journey goes on; an error that may pass is thrown, so the carrying step is retried.
 */
async function runInvite(ports: JourneyStepPorts, invite: JourneyEntry): Promise<StepOutcome> {
  const entry: JourneyEntry = { journey: invite.journey, entryId: invite.entryId, customerId: invite.customerId, enteredAt: invite.enteredAt };
  const step = journeys['loyalty-invite'].steps[0]!.name;
  try {
    return await runStep(ports, { action: 'step', step, entry });
  } catch (error) {
    if (!(error instanceof Error) || !PERMANENT_STEP_ERRORS.has(error.name)) throw error;
    await recordJourneyFailure(ports, entry, { Error: error.name, Cause: error.message });
    return { outcome: 'done', step, at: ports.now().toISOString(), reason: 'failed' };
  }
}

/** The errors the journeys' state machines do not retry (their Retry with MaxAttempts 0). */
export const PERMANENT_STEP_ERRORS: ReadonlySet<string> = new Set(['TemplateError', 'StorefrontRefusedError', 'UnknownCustomerError', 'InvalidInputError']);

async function runStep(ports: JourneyStepPorts, request: StepRequest): Promise<StepOutcome> {
  const now = ports.now();
  const { entry } = request;
  if (request.action === 'fail') {
    await recordJourneyFailure(ports, entry, request.error);
    return { outcome: 'done', step: '', at: now.toISOString(), reason: 'failed' };
  }
  let record = await ports.store.getEntry(entry);
  if (record?.status === 'active' && entry.journey === 'loyalty-invite' && (await ports.membership.isMember(entry.customerId))) {
    // She joined while the invitation waited (quiet hours, the cap): nothing left to invite her to.
    await ports.store.updateActiveEntry(entry, { status: 'completed', endedAt: now.toISOString() });
    record = { ...record, status: 'completed' };
  }
  if (!record || record.status !== 'active') return { outcome: 'done', step: request.step, at: now.toISOString(), reason: record?.status ?? 'unknown entry' };
  const profile = await ports.store.getProfile(entry.customerId);
  if (!profile) return end(ports, entry, 'removed', now, 'the customer is unknown', request.step);
  if (profile.lastOrderAt > entry.enteredAt) {
    // The purchase hook normally got here first; this covers a hook that failed half way.
    const order = (await ports.store.ordersAfter(entry.customerId, entry.enteredAt, 2)).find((candidate) => convertsJourney(entry, candidate));
    if (order) {
      await ports.store.updateActiveEntry(entry, { status: 'converted', endedAt: now.toISOString(), convertedOrderId: order.orderId, convertedRevenueMinor: order.totalMinor, convertedCurrency: order.currency });
      return { outcome: 'done', step: request.step, at: now.toISOString(), reason: 'converted' };
    }
  }
  const { step, index } = findStep(entry.journey, request.step);
  const journey = journeys[entry.journey];
  if (record.holdout && !reachesHoldout(step)) {
    await ports.store.updateActiveEntry(entry, { step: step.name, stepAt: now.toISOString() });
    return finish(ports, entry, afterStep(entry.journey, index, entry, now, 'holdout: no message', profile));
  }
  const orders = await ports.store.recentOrders(entry.customerId, step.offers ? OFFER_ORDERS : TEMPLATE_ORDERS);
  const offers = step.offers ? await offersOf(ports, step, profile, orders) : undefined;
  const outcome = await ports.deliverer.deliver(entry.customerId, {
    messageId: `${entry.entryId}.${step.name}`,
    journey: entry.journey,
    step: step.name,
    channel: step.channel,
    template: step.template,
    marketing: step.marketing,
    priority: journey.priority,
    variables: { ...(await templateVariables(ports, entry, profile, orders.slice(0, TEMPLATE_ORDERS))), ...(offers ? { offers, currency: offerCurrency(profile, orders) } : {}) },
    ...(offers?.length === 0 ? { skipReason: NO_RELEVANT_OFFER } : {}),
    ...(offersDiscount(step.template) ? { discount: { offerId: entry.entryId } } : {}),
    ...(step.asksFeedback ? { oncePer: { variable: 'npsUrl', days: ports.settings.npsIntervalDays } } : {}),
    ...(step.channel === 'task' ? { task: { reason: `${entry.journey} ${step.name}`, dueAt: new Date(now.getTime() + 24 * 3600_000).toISOString() } } : {}),
  });
  if ((outcome.status === 'deferred' || outcome.status === 'capped') && outcome.deferredUntil) {
    return { outcome: 'retry', step: step.name, at: outcome.deferredUntil, reason: `${outcome.status}: ${outcome.reason ?? ''}`.trim() };
  }
  await ports.store.updateActiveEntry(entry, { step: step.name, stepAt: now.toISOString() });
  return finish(ports, entry, afterStep(entry.journey, index, entry, now, `${step.name} ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}`, profile));
}

/** The segments whose entry starts win-back: inactivity, and a low chance of still being a customer. */
export const winBackSegments = ['sleeping', 'churn-risk'] as const;

/** The win-back rules a journey settings object gives: the timing's fallback is winBackAfterDays. */
export function winBackRulesOf(settings: Pick<JourneySettings, 'winBackAfterDays' | 'winBack'>): WinBackRules {
  return {
    timing: { ...defaultWinBackTiming, ...settings.winBack?.timing, fallbackDays: settings.winBackAfterDays },
    ...(settings.winBack?.catalog ? { catalog: settings.winBack.catalog } : {}),
  };
}

/**
 * Win-back on segment entry (the nightly recompute tells of entries), once the customer is due by
 * her own timing (win-back.ts): entering sleeping by the store's bands does not start win-back for
 * a customer whose declared cycle is longer. The episode is the day of the last order, as for the
 * daily sweep, so the triggers can never start it twice for one episode.
 */
export async function startWinBackOnSegmentEntry(
  ports: JourneyPorts,
  event: { customerId: string; segment: string; profile: CustomerProfile; model?: WinBackModel },
): Promise<void> {
  if (!(winBackSegments as readonly string[]).includes(event.segment)) return;
  const due = winBackDueAt(winBackCustomerOf(event.profile), winBackRulesOf(ports.settings), event.model);
  if (Date.parse(due.dueAt) > ports.now().getTime()) return;
  await startJourney(ports, 'win-back', event.customerId, event.profile.lastOrderAt.slice(0, 10));
}

/**
 * Win-back when the customer's own timing comes due (the nightly recompute tells of every customer
 * it classified, with the purchase model's view of her): started when due within the sweep's
 * look-back, so a customer due before 60 days (a monthly buyer) or after (a yearly licence) enters
 * on time. Returns whether this call started it.
 */
export async function startWinBackWhenDue(ports: JourneyPorts, event: { customerId: string; profile: CustomerProfile; model?: WinBackModel }): Promise<boolean> {
  const due = winBackDueAt(winBackCustomerOf(event.profile), winBackRulesOf(ports.settings), event.model);
  if (!winBackDueNow(due, ports.now(), ports.settings.sweepLookbackDays)) return false;
  return (await startJourney(ports, 'win-back', event.customerId, event.profile.lastOrderAt.slice(0, 10))) === 'started';
}

/** Takes a customer out of a journey at the admin's request. */
export async function removeFromJourney(ports: JourneyPorts, journey: StateMachineJourney, customerId: string): Promise<JourneyEntryRecord[]> {
  const removed: JourneyEntryRecord[] = [];
  for (const entry of await ports.store.listEntries(customerId)) {
    if (entry.journey !== journey || entry.status !== 'active') continue;
    if (await ports.store.updateActiveEntry(entry, { status: 'removed', endedAt: ports.now().toISOString() })) {
      await ports.launcher.stop(entry, 'removed by an admin');
      removed.push({ ...entry, status: 'removed' });
    }
  }
  if (journey === 'post-purchase' && removed.length > 0) {
    // A loyalty invitation the stopped journey carried, still waiting: it goes on in its own execution.
    const invite = await ports.store.getEntry({ journey: 'loyalty-invite', customerId, entryId: entryIdFor('loyalty-invite', customerId, 'once') });
    if (invite?.status === 'active') await ports.launcher.start(invite);
  }
  return removed;
}

/**
 * The daily sweep: customers whose last order was `winBackAfterDays` ago enter win-back when that is
 * their due day (win-back.ts: no rhythm of their own, no longer declared cycle; the others are
 * started by the nightly recompute on their own due day), one entry per inactivity episode (the
 * episode is the day of that last order); and due check-ins become manager tasks. Each half reads
 * the due days it has not yet handled whole, at most `sweepLookbackDays` back, so a night the sweep
 * did not run loses no one and a night it did is not read again.
 */
export async function sweepJourneys(ports: JourneyRunPorts): Promise<{ winBackStarted: number; checkInTasks: number }> {
  // Both halves in one run read their records in one call and write them in one: a half that fails
  // leaves neither written, and the next run reads the other half's days again (each half is idempotent).
  const swept = await ports.store.sweptThrough();
  const { winBackStarted, handled: winBack } = await winBackHalf(ports, swept['win-back']);
  const { checkInTasks, handled: checkIns } = await checkInHalf(ports, swept['check-ins']);
  await ports.store.markSweptThrough({ ...winBack, ...checkIns });
  return { winBackStarted, checkInTasks };
}

/**
 * The due days a sweep reads tonight, oldest first: from the day after the last one it handled whole
 * (or `lookbackDays` back, whichever is later) through today. A record from after today (a clock set
 * back) or from before the look-back is not trusted: the whole look-back is read.
 */
export function sweepDays(now: Date, lookbackDays: number, sweptThrough: string | undefined): string[] {
  const today = dayOf(now);
  const earliest = dayOf(new Date(now.getTime() - lookbackDays * 86_400_000));
  const from = sweptThrough !== undefined && sweptThrough >= earliest && sweptThrough <= today ? nextDay(sweptThrough) : earliest;
  const days: string[] = [];
  for (let day = from; day <= today; day = nextDay(day)) days.push(day);
  return days;
}

/** The win-back half of the sweep by itself (the nightly state machine's branch). */
export async function sweepWinBack(ports: JourneyRunPorts): Promise<{ winBackStarted: number }> {
  const { winBackStarted, handled } = await winBackHalf(ports, (await ports.store.sweptThrough())['win-back']);
  await ports.store.markSweptThrough(handled);
  return { winBackStarted };
}

/** The check-in half of the sweep by itself (the nightly state machine's branch). */
export async function sweepCheckIns(ports: JourneyRunPorts): Promise<{ checkInTasks: number }> {
  const { checkInTasks, handled } = await checkInHalf(ports, (await ports.store.sweptThrough())['check-ins']);
  await ports.store.markSweptThrough(handled);
  return { checkInTasks };
}

/**
 * The win-back half: one-time buyers whose fallback day has come. Their due time is the start of the
 * due day (win-back.ts), so tonight's due day is handled whole. Gives the day to record as handled.
 */
async function winBackHalf(ports: JourneyRunPorts, sweptThrough: string | undefined): Promise<{ winBackStarted: number; handled: SweptThrough }> {
  const now = ports.now();
  let winBackStarted = 0;
  const dueDays = sweepDays(now, ports.settings.sweepLookbackDays, sweptThrough);
  for (const dueDay of dueDays) {
    const day = dayOf(new Date(Date.parse(`${dueDay}T00:00:00Z`) - ports.settings.winBackAfterDays * 86_400_000));
    for await (const profile of ports.store.customersByLastOrderDay(day)) {
      // The sweep knows no purchase model: it starts the one-time buyers (whom the model never
      // times) on the fallback day; every repeat buyer is left to the recompute.
      const customer = winBackCustomerOf(profile);
      const due = winBackDueAt(customer, winBackRulesOf(ports.settings));
      if (customer.gaps.length > 0 || due.basis !== 'fallback' || !winBackDueNow(due, now, ports.settings.sweepLookbackDays)) continue;
      if ((await startJourney(ports, 'win-back', profile.customerId, profile.lastOrderAt.slice(0, 10))) === 'started') winBackStarted += 1;
    }
  }
  const handledWhole = dueDays.at(-1);
  return { winBackStarted, handled: handledWhole === undefined ? {} : { 'win-back': handledWhole } };
}

/**
 * The check-in half: each due check-in becomes a task once (completed after). Check-ins fall at any
 * time of their day, so today is read again tomorrow for those due after tonight's run.
 */
async function checkInHalf(ports: JourneyRunPorts, sweptThrough: string | undefined): Promise<{ checkInTasks: number; handled: SweptThrough }> {
  const now = ports.now();
  let checkInTasks = 0;
  const dueDays = sweepDays(now, ports.settings.sweepLookbackDays, sweptThrough);
  for (const dueDay of dueDays) {
    for await (const checkIn of ports.store.checkInsDueOn(dueDay)) {
      if (checkIn.status !== 'scheduled' || checkIn.dueAt > now.toISOString()) continue;
      const profile = await ports.store.getProfile(checkIn.customerId);
      if (profile && checkInIsCurrent(checkIn, profile)) {
        const outcome = await ports.deliverer.deliver(checkIn.customerId, {
          messageId: `check-in.${createHash('sha256').update(`${checkIn.customerId}|${checkIn.orderId}|${checkIn.months}`).digest('hex').slice(0, 24)}`,
          journey: 'check-in',
          step: `${checkIn.months}-month`,
          channel: 'task',
          template: journeys['check-in'].steps[0]!.template,
          marketing: false,
          priority: journeys['check-in'].priority,
          variables: { months: checkIn.months, orderId: checkIn.orderId },
          task: { reason: `${checkIn.months}-month check-in`, dueAt: new Date(now.getTime() + 3 * 86_400_000).toISOString() },
        });
        if (outcome.status === 'sent') {
          checkInTasks += 1;
          if (outcome.taskId) await ports.store.replaceOpenCheckInTask(checkIn.customerId, outcome.taskId, now.toISOString());
        }
      }
      await ports.store.completeCheckIn(checkIn);
    }
  }
  const yesterday = dayOf(new Date(now.getTime() - 86_400_000));
  const handledWhole = dueDays.filter((day) => day <= yesterday).at(-1);
  return { checkInTasks, handled: handledWhole === undefined ? {} : { 'check-ins': handledWhole } };
}

/**
 * Check-ins belong to the customer: they fall 3, 6 and 12 months after the customer's LAST order.
 * Every order schedules its own (the import and platform sync too); one whose order is no longer
 * the last was moved by the newer order and is dropped when it comes due.
 */
export function checkInIsCurrent(checkIn: Pick<CheckIn, 'months' | 'dueAt'>, profile: Pick<CustomerProfile, 'lastOrderAt'>): boolean {
  return checkInDueAt(profile.lastOrderAt, checkIn.months) === checkIn.dueAt;
}

/** The latest orders a message shows. */
const TEMPLATE_ORDERS = 5;

/**
 * The products a step offers (catalog/offers.ts): complements of what the customer bought, from the
 * rules whose wait ends by the step and from the nightly co-purchase counts, or the upsell rules'.
 * A cancelled order's products lead to nothing, though they still count as bought.
 */
async function offersOf(ports: JourneyStepPorts, step: JourneyStep, profile: CustomerProfile, orders: readonly RecordedOrder[]): Promise<StepOffer[]> {
  const purpose = step.offers!;
  const { catalog } = ports.offers;
  const kept = orders.filter((order) => order.cancelledAt === undefined);
  const skus = [...new Set(kept.flatMap((order) => order.items.map((item) => item.sku)))];
  const coPurchases = purpose === 'complement' && skus.length > 0 ? await ports.offers.coPurchases.lookup(skus) : new Map();
  const customer = {
    orders: kept,
    boughtSkus: [...profile.skus, ...orders.flatMap((order) => order.items.map((item) => item.sku))],
    boughtCategories: profile.categories,
    band: customerBand(catalog, profile),
    currency: offerCurrency(profile, orders),
  };
  return stepOffers(catalog, coPurchases, customer, purpose, { ruleWaitDays: stepDays(step) });
}

/** The currency the customer pays in: her latest order's. */
function offerCurrency(profile: CustomerProfile, orders: readonly RecordedOrder[]): string {
  return orders[0]?.currency ?? profile.currency;
}

function stepDays(step: JourneyStep): number {
  const { days = 0, hours = 0, minutes = 0 } = step.afterEntry;
  return days + hours / 24 + minutes / 1440;
}

async function templateVariables(ports: JourneyStepPorts, entry: JourneyEntry, profile: CustomerProfile, orders: readonly RecordedOrder[]): Promise<Record<string, unknown>> {
  const lastOrder = orders[0];
  return {
    shopUrl: ports.settings.shopUrl,
    supportContact: ports.settings.supportContact,
    order: lastOrder
      ? {
          orderId: lastOrder.orderId,
          ...(lastOrder.orderName ? { name: lastOrder.orderName } : {}),
          placedAt: lastOrder.placedAt,
          currency: lastOrder.currency,
          totalMinor: lastOrder.totalMinor,
          items: lastOrder.items,
        }
      : null,
    categories: profile.categories,
    products: orders.flatMap((order) => order.items).slice(0, 5),
    orderCount: profile.orderCount,
    npsUrl: await ports.links.feedback(entry.customerId, entry.entryId),
    ...(entry.journey === 'loyalty-invite' ? { joinUrl: await ports.links.join(entry.customerId) } : {}),
  };
}

/** The messages that offer a discount: the 90-day offer and every step of win-back. */
const discountTemplates: ReadonlySet<string> = new Set(['post-purchase-offer', 'win-back-email', 'win-back-sms', 'win-back-call']);

/**
 * Whether a step's message asks for a discount code. The offer is the journey entry: the win-back
 * SMS and call quote the code its email gave (the first of them actually sent creates it).
 */
export function offersDiscount(template: string): boolean {
  return discountTemplates.has(template);
}

async function finish(ports: JourneyStepPorts, entry: JourneyEntry, outcome: StepOutcome): Promise<StepOutcome> {
  if (outcome.outcome === 'done') await end(ports, entry, 'completed', ports.now(), outcome.reason, outcome.step);
  return outcome;
}

async function end(ports: JourneyStepPorts, entry: JourneyEntry, status: EntryStatus, now: Date, reason: string, step: string): Promise<StepOutcome> {
  await ports.store.updateActiveEntry(entry, { status, endedAt: now.toISOString() });
  return { outcome: 'done', step, at: now.toISOString(), reason };
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function nextDay(day: string): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000));
}
