/**
 * Every delivery guardrail in one pure function. Given what a journey wants to send, the contact
 * (profile and preferences), the customer's recent message log and the time, decideDelivery says
 * whether to send now, wait, suppress, or skip to the journey's next channel. No I/O, no clock.
 *
 * The rules, in the order they apply:
 * 1. Tasks (manager calls) are exempt from consent, caps and quiet hours.
 * 2. A hard-bounced or complained channel is never used, not even for the order thank-you.
 * 3. Opt-out wins: a channel the customer unsubscribed from gets no marketing, whatever the journey.
 *    The transactional thank-you (marketing = false) ignores the marketing opt-out.
 * 4. Channel fallback: SMS without a phone or email without an address is skipped, so the journey
 *    escalates to its next step.
 * 5. Marketing needs the customer's consent for the channel (given at checkout).
 * 6. Frequency cap: at most `maxMessages` marketing messages per rolling window, across journeys.
 *    A message over the cap is deferred ('capped') to the next free slot, and pending messages
 *    of higher priority (lower number) keep the slots they are waiting for.
 * 7. Quiet hours in the customer's time zone (UTC when unknown): marketing waits ('deferred')
 *    until the quiet period ends. The transactional thank-you is sent at once.
 *
 * A deferred message wakes at its slot plus an offset fixed per customer (a hash of the customer id,
 * whole minutes within `wakeSpreadMs`), so the morning of a time zone, or the moment the cap frees,
 * is not one burst of sends; the offset shrinks when the slot is close to the next quiet hours, so
 * the wake itself is always a moment the message may go. A message a periodic run picks up
 * (intent.wake 'slot') wakes at the slot itself: the runs pace those sends.
 */
import { createHash } from 'node:crypto';
import type { Contact, ContactChannel, MessageIntent, MessageLogEntry } from './types.ts';
import { knownTimeZone, quietHoursEnd, quietHoursStart, type QuietHours } from './zoned-time.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface DeliveryPolicy {
  frequencyCap: { maxMessages: number; windowMs: number };
  quietHours: QuietHours;
  /**
   * How long after its deferredUntil a pending message still holds its slot. A journey that ended
   * while waiting (the customer bought again) must not block the others for ever.
   */
  pendingHoldMs: number;
  /** Deferred messages wake within this long after their slot, at a per-customer offset; 0 wakes them at the slot. */
  wakeSpreadMs: number;
}

export const defaultDeliveryPolicy: DeliveryPolicy = {
  frequencyCap: { maxMessages: 2, windowMs: 7 * DAY_MS },
  quietHours: { startHour: 21, endHour: 9 },
  pendingHoldMs: DAY_MS,
  wakeSpreadMs: HOUR_MS,
};

export type DeliveryDecision =
  | { kind: 'send' }
  /** `slot`: the first moment the message may go; `until`: when to try again (the slot plus the customer's offset). */
  | { kind: 'defer'; status: 'capped' | 'deferred'; slot: Date; until: Date; reason: string }
  | { kind: 'suppress'; reason: string }
  | { kind: 'skip'; reason: string };

export function decideDelivery(
  intent: MessageIntent,
  contact: Contact,
  recentLog: readonly MessageLogEntry[],
  now: Date,
  policy: DeliveryPolicy = defaultDeliveryPolicy,
): DeliveryDecision {
  if (intent.channel === 'task') return { kind: 'send' };
  const channel: ContactChannel = intent.channel;
  const { profile, preferences } = contact;
  const channelPreferences = preferences[channel];

  if (channelPreferences.suppressed) {
    return { kind: 'suppress', reason: `${channel} is suppressed after a ${channelPreferences.suppressed}` };
  }
  if (intent.marketing && channelPreferences.optedOutAt) {
    return { kind: 'suppress', reason: `the customer unsubscribed from ${channel} on ${channelPreferences.optedOutAt}` };
  }
  if (channel === 'sms' && !profile.phone) return { kind: 'skip', reason: 'no phone number for SMS' };
  if (channel === 'email' && !profile.email) return { kind: 'skip', reason: 'no email address' };
  if (!intent.marketing) return { kind: 'send' };
  if (profile.consent[channel] !== true) {
    return { kind: 'suppress', reason: `no marketing consent for ${channel}` };
  }

  const zone = knownTimeZone(profile.timezone);
  const schedule = { zone, policy };
  const events = sentMarketingTimes(recentLog, intent.messageId, now, policy);
  for (const pending of pendingAhead(intent, recentLog, now, policy)) {
    const start = Math.max(now.getTime(), Date.parse(pending.deferredUntil ?? '') || now.getTime());
    events.push(nextSendTime(start, events, schedule));
  }
  const capFree = nextFreeSlot(now.getTime(), events, policy.frequencyCap);
  const sendAt = nextSendTime(now.getTime(), events, schedule);
  if (sendAt === now.getTime()) return { kind: 'send' };

  const slot = new Date(sendAt);
  const until = new Date(intent.wake === 'slot' ? sendAt : wakeAt(sendAt, profile.customerId, zone, policy));
  if (capFree > now.getTime()) {
    return {
      kind: 'defer',
      status: 'capped',
      slot,
      until,
      reason: `frequency cap: at most ${policy.frequencyCap.maxMessages} marketing messages per ${describeWindow(policy.frequencyCap.windowMs)}; next free slot ${slot.toISOString()}`,
    };
  }
  const { startHour, endHour } = policy.quietHours;
  return {
    kind: 'defer',
    status: 'deferred',
    slot,
    until,
    reason: `quiet hours ${pad(startHour)}:00-${pad(endHour)}:00 in ${zone}`,
  };
}

/** The customer's offset after a slot: whole minutes in [0, spread), the same for every message of theirs. */
export function wakeOffsetMs(customerId: string, spreadMs: number): number {
  const minutes = Math.floor(spreadMs / 60_000);
  if (minutes <= 0) return 0;
  const hash = parseInt(createHash('sha256').update(`wake:${customerId}`).digest('hex').slice(0, 8), 16);
  return (hash % minutes) * 60_000;
}

/**
 * When a message whose slot is `slot` (outside quiet hours) wakes: the slot plus the customer's
 * offset, scaled down to the time left before quiet hours begin, so the wake is never quiet time.
 */
export function wakeAt(slot: number, customerId: string, zone: string, policy: DeliveryPolicy): number {
  const offset = wakeOffsetMs(customerId, policy.wakeSpreadMs);
  const quietStart = quietHoursStart(new Date(slot), zone, policy.quietHours)?.getTime() ?? Number.POSITIVE_INFINITY;
  const room = quietStart - slot;
  if (offset === 0 || room <= 0) return slot;
  return slot + (offset < room ? offset : Math.floor((offset * room) / policy.wakeSpreadMs));
}

/**
 * The earliest time at or after `start` at which one more message fits the rolling cap without
 * pushing any window, including those of messages already placed later, over the limit.
 * The answer is `start` or the moment some counted message leaves its window.
 */
export function nextFreeSlot(start: number, events: readonly number[], cap: { maxMessages: number; windowMs: number }): number {
  const candidates = [start, ...events.map((at) => at + cap.windowMs).filter((at) => at > start)].sort((a, b) => a - b);
  const countIn = (end: number) => events.filter((at) => at > end - cap.windowMs && at <= end).length;
  const fits = (at: number) =>
    countIn(at) < cap.maxMessages && events.every((later) => later < at || later >= at + cap.windowMs || countIn(later) < cap.maxMessages);
  for (const candidate of candidates) {
    if (fits(candidate)) return candidate;
  }
  // Unreachable with maxMessages >= 1: the last candidate has every message out of its window.
  return candidates[candidates.length - 1] ?? start;
}

/** The first time at or after `start` that is both a free cap slot and outside quiet hours. */
export function nextSendTime(start: number, events: readonly number[], schedule: { zone: string; policy: DeliveryPolicy }): number {
  let at = start;
  // Each round moves forward; a few rounds settle any realistic cap and quiet-hours combination.
  for (let round = 0; round < 16; round += 1) {
    const free = nextFreeSlot(at, events, schedule.policy.frequencyCap);
    const awake = quietHoursEnd(new Date(free), schedule.zone, schedule.policy.quietHours).getTime();
    if (awake === free) return free;
    at = awake;
  }
  return at;
}

/** When the marketing messages counted against the cap were sent (other messages than this one). */
function sentMarketingTimes(log: readonly MessageLogEntry[], messageId: string, now: Date, policy: DeliveryPolicy): number[] {
  const since = now.getTime() - policy.frequencyCap.windowMs;
  return log
    .filter((entry) => entry.messageId !== messageId && entry.status === 'sent' && countsAgainstCap(entry))
    .map((entry) => Date.parse(entry.at))
    .filter((at) => at > since)
    .sort((a, b) => a - b);
}

function countsAgainstCap(entry: Pick<MessageLogEntry, 'marketing' | 'channel'>): boolean {
  return entry.marketing && entry.channel !== 'task';
}

/**
 * Messages waiting for a slot (their latest entry is 'capped' or 'deferred') that go before this
 * one: lower priority number first, then whoever asked first, then by messageId, so two messages
 * never both yield to each other.
 */
function pendingAhead(intent: MessageIntent, log: readonly MessageLogEntry[], now: Date, policy: DeliveryPolicy): MessageLogEntry[] {
  const firstAsked = new Map<string, string>();
  const latest = new Map<string, MessageLogEntry>();
  for (const entry of log) {
    const first = firstAsked.get(entry.messageId);
    if (first === undefined || entry.at < first) firstAsked.set(entry.messageId, entry.at);
    const last = latest.get(entry.messageId);
    if (last === undefined || entry.at >= last.at) latest.set(entry.messageId, entry);
  }
  const order = (entry: { messageId: string; priority: number }, askedAt: string) => [entry.priority, askedAt, entry.messageId] as const;
  const mine = order(intent, firstAsked.get(intent.messageId) ?? now.toISOString());
  const goesFirst = (a: readonly [number, string, string], b: readonly [number, string, string]) =>
    a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
  return [...latest.values()]
    .filter((entry) => entry.messageId !== intent.messageId)
    .filter((entry) => (entry.status === 'capped' || entry.status === 'deferred') && entry.deferredUntil !== undefined)
    .filter((entry) => countsAgainstCap(entry))
    .filter((entry) => Date.parse(entry.deferredUntil ?? '') + policy.pendingHoldMs > now.getTime())
    .map((entry) => ({ entry, key: order(entry, firstAsked.get(entry.messageId) ?? entry.at) }))
    .filter(({ key }) => goesFirst(key, mine))
    .sort((a, b) => (goesFirst(a.key, b.key) ? -1 : goesFirst(b.key, a.key) ? 1 : 0))
    .map(({ entry }) => entry);
}

function describeWindow(windowMs: number): string {
  return windowMs % DAY_MS === 0 ? `${windowMs / DAY_MS} days` : `${windowMs / HOUR_MS} hours`;
}

function pad(hour: number): string {
  return String(hour).padStart(2, '0');
}

