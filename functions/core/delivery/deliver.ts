/**
 * The single delivery step. Journeys call deliverMessage for every email, SMS and manager task;
 * it decides (guardrails.ts), issues the discount code a message offers (only once it is to be
 * sent: ../discounts/discounts.ts), renders, takes the message's one-time claim, sends, and logs the
 * outcome in the customer's message log, which the frequency cap and the reports read.
 *
 * Retries are safe: a messageId is sent at most once. A provider that refuses the message for good
 * (a PermanentSendError: rejected, an invalid or opted-out number) is an outcome, not an error: it
 * is logged as 'failed' or 'suppressed' with the provider's reason and returned, so the journey goes
 * on to its next step. Any other send error is logged as 'failed' (which releases the claim) and
 * rethrown for the state machine's Retry.
 */
import { createHash } from 'node:crypto';
import { decideDelivery, defaultDeliveryPolicy, type DeliveryPolicy } from './guardrails.ts';
import { unsubscribeHeaders } from './unsubscribe.ts';
import { PermanentSendError, UnknownCustomerError } from './errors.ts';
import type {
  Contact,
  ContactChannel,
  DeliveryOutcome,
  DeliveryPorts,
  HistoryAtAGlance,
  ManagerTask,
  MessageIntent,
  MessageLogEntry,
  RenderedMessage,
} from './types.ts';
import { defaultSmsMaxSegments, smsLength } from './sms-length.ts';
import { knownTimeZone } from './zoned-time.ts';
import type { DiscountForMessage, DiscountIssueRequest } from '../discounts/discounts.ts';

const DAY_MS = 86_400_000;

export async function deliverMessage(
  ports: DeliveryPorts,
  customerId: string,
  intent: MessageIntent,
  policy: DeliveryPolicy = defaultDeliveryPolicy,
): Promise<DeliveryOutcome> {
  const now = ports.now();
  const at = now.toISOString();
  const contact = await ports.contacts.load(customerId);
  if (!contact) throw new UnknownCustomerError(customerId);

  // Pending messages are logged up to a cap window before their slot: look back two windows.
  const since = new Date(now.getTime() - 2 * policy.frequencyCap.windowMs).toISOString();
  const recent = await ports.log.recent(customerId, since, at);
  const taskId = intent.channel === 'task' ? taskIdFor(intent.messageId) : undefined;
  const withTask = taskId ? { taskId } : {};
  if (recent.some((entry) => entry.messageId === intent.messageId && entry.status === 'sent')) {
    return { status: 'sent', reason: `message ${intent.messageId} was already sent`, ...withTask };
  }

  const entry = (status: MessageLogEntry['status'], extra: Partial<MessageLogEntry> = {}): MessageLogEntry => ({
    messageId: intent.messageId,
    at,
    customerId,
    journey: intent.journey,
    step: intent.step,
    channel: intent.channel,
    status,
    marketing: intent.marketing,
    priority: intent.priority,
    ...extra,
  });

  // A part the customer gets at most once per so many days (the feedback question) is left out
  // when she had it within them; a message with nothing else to say is then not sent at all.
  const asked = intent.oncePer ? await askedWithin(ports, customerId, intent, now, { since, recent }) : undefined;
  const leftOut = intent.oncePer && asked ? { part: intent.oncePer.variable, reason: `${intent.oncePer.variable} left out: already asked on ${asked.at.slice(0, 10)}, at most once per ${intent.oncePer.days} days` } : undefined;
  if (intent.skipReason !== undefined && (intent.oncePer === undefined || leftOut)) {
    const reason = leftOut ? `${intent.skipReason}; ${leftOut.reason}` : intent.skipReason;
    await ports.log.record(entry('skipped', { reason }));
    return { status: 'skipped', reason };
  }
  const given = leftOut ? { ...intent.variables, [leftOut.part]: null } : intent.variables;

  const decision = decideDelivery(intent, contact, recent, now, policy);
  if (decision.kind === 'defer') {
    const deferredUntil = decision.until.toISOString();
    await ports.log.record(entry(decision.status, { reason: decision.reason, deferredUntil }));
    return { status: decision.status, reason: decision.reason, deferredUntil };
  }
  if (decision.kind === 'suppress' || decision.kind === 'skip') {
    const status = decision.kind === 'suppress' ? 'suppressed' : 'skipped';
    await ports.log.record(entry(status, { reason: decision.reason }));
    return { status, reason: decision.reason };
  }

  // Tasks carry the email link: a manager can unsubscribe a customer who asks on the phone.
  const channel: ContactChannel = intent.channel === 'sms' ? 'sms' : 'email';
  const task = intent.task ?? { reason: `${intent.journey} ${intent.step}`, dueAt: at };
  let unsubscribe: string;
  let rendered: RenderedMessage;
  let discount: DiscountForMessage | undefined;
  try {
    unsubscribe = await ports.links.unsubscribe(customerId, channel);
    // Only now, with the decision to send taken, is a code created: a deferred or suppressed message makes none.
    discount = intent.discount && ports.discounts ? await ports.discounts.issue({ offerId: intent.discount.offerId, customer: discountCustomer(contact), now }) : undefined;
    const variables = discount ? { ...given, discountCode: discount.code, ...(discount.expiresAt ? { discountExpiresAt: discount.expiresAt } : {}) } : given;
    rendered = ports.templates.render(intent.template, intent.channel, templateVariables(contact, { variables }, unsubscribe, now, task));
  } catch (error) {
    await ports.log.record(entry('failed', { reason: describe(error) }));
    throw error;
  }

  if (intent.channel === 'sms') {
    // Known before sending: a text over the configured number of parts is refused, not cut (sms-length.ts).
    const length = smsLength(rendered.text);
    const maxSegments = ports.smsMaxSegments ?? defaultSmsMaxSegments;
    if (length.segments > maxSegments) {
      const reason = `the SMS takes ${length.segments} parts (${length.units} ${length.encoding} units), over the maximum of ${maxSegments}`;
      await ports.log.record(entry('failed', { reason, text: rendered.text }));
      return { status: 'failed', reason };
    }
  }

  const sent = entry('sent', {
    ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
    text: rendered.text,
    ...(rendered.html !== undefined ? { html: rendered.html } : {}),
    ...withTask,
    ...(discount ? { discountCode: discount.code } : {}),
    ...(leftOut ? { leftOut: [leftOut.part], reason: leftOut.reason } : {}),
  });
  if (!(await ports.log.claim(sent))) {
    return { status: 'sent', reason: `message ${intent.messageId} was already sent`, ...withTask };
  }
  try {
    const { profile } = contact;
    if (intent.channel === 'email') {
      await ports.senders.email({
        to: profile.email ?? '',
        subject: rendered.subject ?? '',
        text: rendered.text,
        ...(rendered.html !== undefined ? { html: rendered.html } : {}),
        headers: unsubscribeHeaders(unsubscribe),
        messageId: intent.messageId,
        customerId,
      });
    } else if (intent.channel === 'sms') {
      await ports.senders.sms({ to: profile.phone ?? '', text: rendered.text, marketing: intent.marketing, messageId: intent.messageId, customerId });
    } else {
      const managerTask: ManagerTask = {
        taskId: taskId ?? taskIdFor(intent.messageId),
        messageId: intent.messageId,
        customerId,
        journey: intent.journey,
        reason: task.reason,
        dueAt: task.dueAt,
        status: 'open',
        createdAt: at,
        subject: rendered.subject ?? '',
        text: rendered.text,
        historyAtAGlance: historyAtAGlance(contact),
      };
      await ports.tasks.create(managerTask);
      await ports.senders.task({ taskId: managerTask.taskId, subject: managerTask.subject, text: managerTask.text });
    }
  } catch (error) {
    if (error instanceof PermanentSendError) {
      // Logged like any outcome (the claim is given back): the journey's next step does not wait for it.
      const reason = error.message;
      await ports.log.record(entry(error.outcome, { reason, ...withTask }));
      return { status: error.outcome, reason, ...withTask };
    }
    try {
      await ports.log.record(entry('failed', { reason: describe(error), ...withTask }));
    } catch {
      // The send error is what the state machine must see; the claim then stays taken (at most once).
    }
    throw error;
  }
  await ports.log.record(sent);
  return { status: 'sent', ...withTask };
}

/**
 * The message of the same journey step last sent to the customer with the `intent.oncePer` part,
 * within its days (another message: a retry of this one is not a repeat), if any. The log already
 * read covers the cap's windows; a longer span is read on its own.
 */
async function askedWithin(
  ports: DeliveryPorts,
  customerId: string,
  intent: MessageIntent,
  now: Date,
  read: { since: string; recent: readonly MessageLogEntry[] },
): Promise<MessageLogEntry | undefined> {
  const part = intent.oncePer;
  if (!part) return undefined;
  const from = new Date(now.getTime() - part.days * DAY_MS).toISOString();
  const entries = from < read.since ? await ports.log.recent(customerId, from, now.toISOString()) : read.recent;
  return entries
    .filter((entry) => entry.status === 'sent' && entry.journey === intent.journey && entry.step === intent.step && entry.messageId !== intent.messageId && entry.at > from)
    .filter((entry) => !(entry.leftOut ?? []).includes(part.variable))
    .sort((a, b) => (a.at < b.at ? 1 : -1))[0];
}

/** A task's id follows from its message, so a retried step finds the task it already created. */
export function taskIdFor(messageId: string): string {
  return /^[A-Za-z0-9._-]{1,100}$/.test(messageId) ? messageId : `task-${createHash('sha256').update(messageId).digest('hex').slice(0, 32)}`;
}

export function historyAtAGlance(contact: Contact): HistoryAtAGlance {
  const { profile } = contact;
  return {
    orderCount: profile.orderCount,
    lastOrderAt: profile.lastOrderAt,
    netRevenueMinor: profile.revenueByCurrency[profile.currency] ?? 0,
    currency: profile.currency,
  };
}

/**
 * What every template sees: the journey's variables, then the customer, how a manager can reach
 * them, the unsubscribe link, the purchase history and (for tasks) the task; these five names are
 * reserved and win over the journey's own.
 */
export function templateVariables(
  contact: Contact,
  intent: Pick<MessageIntent, 'variables'>,
  unsubscribeLink: string,
  now: Date,
  task: { reason: string; dueAt: string },
): Record<string, unknown> {
  const { profile } = contact;
  return {
    ...intent.variables,
    customer: {
      customerId: profile.customerId,
      name: profile.name ?? null,
      email: profile.email ?? null,
      phone: profile.phone ?? null,
      timezone: knownTimeZone(profile.timezone),
      locale: profile.locale ?? null,
    },
    reach: reachOf(contact),
    links: { unsubscribe: unsubscribeLink },
    history: {
      ...historyAtAGlance(contact),
      firstOrderAt: profile.firstOrderAt,
      daysSinceLastOrder: Math.max(0, Math.floor((now.getTime() - Date.parse(profile.lastOrderAt)) / DAY_MS)),
    },
    task,
  };
}

/**
 * How a manager reaches the customer in person: the phone number, or when there is none, the email
 * address to write to instead. An address that bounced, drew a complaint or unsubscribed is never
 * offered: writing to it by hand is still writing to someone who said no.
 */
export function reachOf(contact: Contact): { phone: string | null; email: string | null } {
  const { profile, preferences } = contact;
  const writable = !preferences.email.suppressed && !preferences.email.optedOutAt;
  return { phone: profile.phone ?? null, email: profile.email && writable ? profile.email : null };
}

/** Whom the storefront restricts the code to: her id, and her address when she has one. */
function discountCustomer(contact: Contact): DiscountIssueRequest['customer'] {
  const { profile } = contact;
  return { customerId: profile.customerId, ...(profile.email ? { email: profile.email } : {}) };
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}
