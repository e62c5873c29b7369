/**
 * Delivery feedback: what the providers report after they accepted a message ('sent' in the log).
 *
 * Email: SES configuration-set events (event publishing), one JSON object per event, as SES
 * documents them: `{ eventType, mail: { messageId, timestamp, tags, ... }, bounce | complaint |
 * delivery | reject | deliveryDelay | open | click: {...} }`. SMS: the delivery status log entries
 * SNS writes for SMS to CloudWatch Logs: `{ notification: { messageId, timestamp }, delivery:
 * { destination, providerResponse, ... }, status: 'SUCCESS' | 'FAILURE' }`.
 *
 * The rules, in order:
 * 1. An event is read whole before anything is written; one that does not parse is refused
 *    (InvalidDeliveryEventError) and changes nothing.
 * 2. A permanent bounce (including SES suppressing the send because the address is on the
 *    account's suppression list) and a complaint withdraw the customer's email marketing consent,
 *    as an unsubscribe does (via 'bounce' or 'complaint', at the event's time): marketing email
 *    stops, transactional email goes on (SES's own suppression list keeps a dead address from
 *    being mailed again).
 * 3. Each event sets the message's delivery status in the log, never backwards: a status only
 *    replaces one of lower rank (delayed < delivered < bounced = rejected = failed < complained),
 *    or the same rank seen earlier. So a late Delivery does not overwrite a Bounce, a complaint
 *    after delivery shows as the complaint, and a repeated event changes nothing.
 * 4. Opens and clicks keep the first time each happened; they change no status.
 * 5. Send, RenderingFailure and Subscription events, and a message Comeback did not send, are
 *    acknowledged and change nothing.
 */
import * as z from '../zod.ts';
import { DeliveryError } from './errors.ts';
import type { OptOutStatus } from './opt-outs.ts';
import type { ProviderDeliveryStatus } from './types.ts';

/** An event that is not the documented JSON of an SES event or an SNS SMS delivery status. */
export class InvalidDeliveryEventError extends DeliveryError {
  override readonly name: string = 'InvalidDeliveryEventError';
}

/** Other events of the same message kept changing its delivery status while this one was written; a retry applies it. */
export class DeliveryStatusContentionError extends DeliveryError {
  override readonly name: string = 'DeliveryStatusContentionError';
}

/**
 * The event is about a message the provider accepted but whose send is not logged yet (the
 * provider answered before the log write): a retry a moment later finds the log entry.
 */
export class MessageStillSendingError extends DeliveryError {
  override readonly name: string = 'MessageStillSendingError';
}

/**
 * The SES message tags (SendEmail EmailTags) that carry the log entry of an email. SES allows only
 * ASCII letters, digits, `_` and `-` in a tag value (up to 256 characters), so other characters are
 * written as `_` and their two hex digits (`.` is `_2E`, `@` is `_40`, `_` itself is `_5F`).
 */
export const MESSAGE_TAG = 'comeback-message';
export const CUSTOMER_TAG = 'comeback-customer';
const MAX_TAG_VALUE = 256;

export function encodeTagValue(value: string): string | undefined {
  const encoded = Array.from(Buffer.from(value, 'utf8'))
    .map((byte) => (/[A-Za-z0-9-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return encoded.length > 0 && encoded.length <= MAX_TAG_VALUE ? encoded : undefined;
}

export function decodeTagValue(value: string): string | undefined {
  if (!/^(?:[A-Za-z0-9-]|_[0-9A-F]{2})+$/.test(value)) return undefined;
  const bytes: number[] = [];
  for (let index = 0; index < value.length; index += 1) {
    if (value[index] === '_') {
      bytes.push(Number.parseInt(value.slice(index + 1, index + 3), 16));
      index += 2;
    } else bytes.push(value.charCodeAt(index));
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return decoded.includes('\ufffd') ? undefined : decoded;
}

// The schemas are built in pure-annotated functions, so that the bundles that import this module
// only for the delivery states (through the message log) leave them out (functions/config.ts).
/** SES writes ISO 8601 times; kept in one form (UTC, milliseconds) like every other time in the table. */
const instant = /* @__PURE__ */ (() => z.pipe(z.iso.datetime({ offset: true }), z.transform((time) => new Date(time).toISOString())))();
const recipient = /* @__PURE__ */ (() => z.looseObject({ emailAddress: z.string(), diagnosticCode: z.optional(z.string()), status: z.optional(z.string()) }))();
const mail = /* @__PURE__ */ (() => z.looseObject({
  messageId: z.string().check(z.minLength(1), z.maxLength(256)),
  timestamp: instant,
  destination: z.optional(z.array(z.string())),
  tags: z.optional(z.record(z.string(), z.array(z.string()))),
}))();

export const sesEventSchema = /* @__PURE__ */ (() => z.discriminatedUnion('eventType', [
  z.looseObject({
    eventType: z.literal('Bounce'),
    mail,
    bounce: z.looseObject({
      bounceType: z.enum(['Undetermined', 'Permanent', 'Transient']),
      bounceSubType: z.string(),
      bouncedRecipients: z.array(recipient).check(z.minLength(1)),
      timestamp: instant,
    }),
  }),
  z.looseObject({
    eventType: z.literal('Complaint'),
    mail,
    complaint: z.looseObject({
      complainedRecipients: z.array(recipient).check(z.minLength(1)),
      timestamp: instant,
      complaintFeedbackType: z.optional(z.string()),
      complaintSubType: z.optional(z.nullable(z.string())),
    }),
  }),
  z.looseObject({ eventType: z.literal('Delivery'), mail, delivery: z.looseObject({ timestamp: instant, smtpResponse: z.optional(z.string()) }) }),
  z.looseObject({ eventType: z.literal('Reject'), mail, reject: z.looseObject({ reason: z.string() }) }),
  z.looseObject({
    eventType: z.literal('DeliveryDelay'),
    mail,
    deliveryDelay: z.looseObject({ timestamp: instant, delayType: z.string(), expirationTime: z.optional(instant) }),
  }),
  z.looseObject({ eventType: z.literal('Open'), mail, open: z.looseObject({ timestamp: instant }) }),
  z.looseObject({ eventType: z.literal('Click'), mail, click: z.looseObject({ timestamp: instant, link: z.string() }) }),
  z.looseObject({ eventType: z.enum(['Send', 'RenderingFailure', 'Subscription']), mail }),
]))();
export type SesEvent = z.output<typeof sesEventSchema>;

/** SNS writes its SMS times as `2016-06-28 00:40:34.558`, in UTC. */
const snsTime = /* @__PURE__ */ (() => z.pipe(z.pipe(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,3})?$/)), z.transform((time) => new Date(`${time.replace(' ', 'T')}Z`))).check(z.refine((date) => !Number.isNaN(date.getTime()), 'not a real time')), z.transform((date) => date.toISOString())))();

export const smsStatusSchema = /* @__PURE__ */ (() => z.looseObject({
  notification: z.looseObject({ messageId: z.string().check(z.minLength(1), z.maxLength(256)), timestamp: snsTime }),
  delivery: z.looseObject({ destination: z.optional(z.string()), providerResponse: z.optional(z.string()) }),
  status: z.enum(['SUCCESS', 'FAILURE']),
}))();
export type SmsStatus = z.output<typeof smsStatusSchema>;

export type Provider = 'ses' | 'sns';

/** How an event names its message: the provider's id, and Comeback's own ids when the message carried them. */
export interface MessageReference {
  provider: Provider;
  providerMessageId: string;
  messageId?: string;
  customerId?: string;
}

export type DeliveryChange =
  | { kind: 'status'; status: ProviderDeliveryStatus; at: string; detail: string }
  | { kind: 'engagement'; engagement: 'opened' | 'clicked'; at: string };

export interface DeliveryFeedback {
  reference: MessageReference;
  /** Absent for events that change nothing (Send, RenderingFailure, Subscription). */
  change?: DeliveryChange;
  /** Withdraw the customer's email marketing consent (rule 2). */
  optOut?: { via: 'bounce' | 'complaint'; at: string };
}

const detailOf = (...parts: (string | null | undefined)[]) => parts.filter((part): part is string => Boolean(part)).join(': ').slice(0, 500);

function sesReference(event: SesEvent): MessageReference {
  const tag = (name: string) => {
    const value = event.mail.tags?.[name]?.[0];
    return value === undefined ? undefined : decodeTagValue(value);
  };
  const messageId = tag(MESSAGE_TAG);
  const customerId = tag(CUSTOMER_TAG);
  return { provider: 'ses', providerMessageId: event.mail.messageId, ...(messageId ? { messageId } : {}), ...(customerId ? { customerId } : {}) };
}

/** What an SES event means for the message and the customer (rules 2 to 5). */
export function decideSesEvent(event: SesEvent): DeliveryFeedback {
  const reference = sesReference(event);
  switch (event.eventType) {
    case 'Bounce': {
      const { bounce } = event;
      const diagnostic = bounce.bouncedRecipients[0]?.diagnosticCode;
      if (bounce.bounceType === 'Permanent') {
        const why = bounce.bounceSubType === 'OnAccountSuppressionList' ? 'SES did not send it: the address is on the account suppression list' : diagnostic;
        return {
          reference,
          change: { kind: 'status', status: 'bounced', at: bounce.timestamp, detail: detailOf(`permanent bounce (${bounce.bounceSubType})`, why) },
          optOut: { via: 'bounce', at: bounce.timestamp },
        };
      }
      if (bounce.bounceType === 'Transient') {
        return { reference, change: { kind: 'status', status: 'delayed', at: bounce.timestamp, detail: detailOf(`transient bounce (${bounce.bounceSubType})`, diagnostic) } };
      }
      // SES could not tell why: the message did not arrive, but nothing says the address is dead.
      return { reference, change: { kind: 'status', status: 'bounced', at: bounce.timestamp, detail: detailOf(`undetermined bounce (${bounce.bounceSubType})`, diagnostic) } };
    }
    case 'Complaint': {
      const { complaint } = event;
      return {
        reference,
        change: { kind: 'status', status: 'complained', at: complaint.timestamp, detail: detailOf('complaint', complaint.complaintFeedbackType ?? complaint.complaintSubType) },
        optOut: { via: 'complaint', at: complaint.timestamp },
      };
    }
    case 'Delivery':
      return { reference, change: { kind: 'status', status: 'delivered', at: event.delivery.timestamp, detail: detailOf(event.delivery.smtpResponse) } };
    case 'Reject':
      return { reference, change: { kind: 'status', status: 'rejected', at: event.mail.timestamp, detail: detailOf('rejected by SES', event.reject.reason) } };
    case 'DeliveryDelay':
      return {
        reference,
        change: { kind: 'status', status: 'delayed', at: event.deliveryDelay.timestamp, detail: detailOf(`delivery delayed (${event.deliveryDelay.delayType})`) },
      };
    case 'Open':
      return { reference, change: { kind: 'engagement', engagement: 'opened', at: event.open.timestamp } };
    case 'Click':
      return { reference, change: { kind: 'engagement', engagement: 'clicked', at: event.click.timestamp } };
    default:
      return { reference };
  }
}

/** What an SNS SMS delivery status means for the message: delivered, or failed with the carrier's words. */
export function decideSmsStatus(status: SmsStatus): DeliveryFeedback {
  const reference: MessageReference = { provider: 'sns', providerMessageId: status.notification.messageId };
  const at = status.notification.timestamp;
  const detail = detailOf(status.delivery.providerResponse);
  return { reference, change: { kind: 'status', status: status.status === 'SUCCESS' ? 'delivered' : 'failed', at, detail } };
}

export const deliveryStatusRank: Record<ProviderDeliveryStatus, number> = {
  delayed: 1,
  delivered: 2,
  bounced: 3,
  rejected: 3,
  failed: 3,
  complained: 4,
};

/** The delivery attributes of a log entry. */
export interface DeliveryState {
  deliveryStatus?: ProviderDeliveryStatus;
  deliveryStatusAt?: string;
  deliveryDetail?: string;
  openedAt?: string;
  clickedAt?: string;
}

/** The attributes a change sets on a log entry in `current` state, or undefined when it changes nothing (rules 3 and 4). */
export function nextDeliveryState(current: DeliveryState, change: DeliveryChange): DeliveryState | undefined {
  if (change.kind === 'engagement') {
    const field = change.engagement === 'opened' ? 'openedAt' : 'clickedAt';
    const seen = current[field];
    return seen !== undefined && Date.parse(seen) <= Date.parse(change.at) ? undefined : { [field]: change.at };
  }
  if (current.deliveryStatus !== undefined) {
    const held = deliveryStatusRank[current.deliveryStatus];
    const next = deliveryStatusRank[change.status];
    if (next < held) return undefined;
    if (next === held && Date.parse(change.at) <= Date.parse(current.deliveryStatusAt ?? '')) return undefined;
  }
  return { deliveryStatus: change.status, deliveryStatusAt: change.at, ...(change.detail ? { deliveryDetail: change.detail } : {}) };
}

/** Where a message's log entry is. */
export interface SentMessage {
  messageId: string;
  customerId: string;
}

export interface DeliveryFeedbackPorts {
  /** The message with this id, if Comeback sent it or is sending it. */
  sentMessage(messageId: string): Promise<SentMessage | undefined>;
  /** The message the provider accepted under this id (recorded at send time). */
  acceptedAs(provider: Provider, providerMessageId: string): Promise<SentMessage | undefined>;
  /**
   * Applies nextDeliveryState to the message's log entry; 'unchanged' when it changes nothing.
   * Throws MessageStillSendingError while the send is not logged yet.
   */
  applyDeliveryChange(message: SentMessage, change: DeliveryChange): Promise<'updated' | 'unchanged'>;
  recordOptOut(customerId: string, channel: 'email', via: 'bounce' | 'complaint', at: string): Promise<OptOutStatus>;
}

export type DeliveryFeedbackOutcome =
  | { kind: 'ignored' }
  | { kind: 'unknown-message'; providerMessageId: string }
  | { kind: 'applied'; messageId?: string; customerId: string; log: 'updated' | 'unchanged' | 'not-found'; optOut?: OptOutStatus };

function parse<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`)
      .join('; ');
    throw new InvalidDeliveryEventError(`not ${what}: ${detail}`);
  }
  return parsed.data;
}

export const readSesEvent = (input: unknown): SesEvent => parse(sesEventSchema, input, 'an SES event');
export const readSmsStatus = (input: unknown): SmsStatus => parse(smsStatusSchema, input, 'an SNS SMS delivery status');

/** Applies one provider event: its log entry's status, and for bounces and complaints the opt-out. */
export async function applyDeliveryFeedback(ports: DeliveryFeedbackPorts, feedback: DeliveryFeedback): Promise<DeliveryFeedbackOutcome> {
  const { reference, change, optOut } = feedback;
  if (!change) return { kind: 'ignored' };
  const message =
    (reference.messageId !== undefined ? await ports.sentMessage(reference.messageId) : undefined) ??
    (await ports.acceptedAs(reference.provider, reference.providerMessageId));
  const customerId = message?.customerId ?? reference.customerId;
  if (customerId === undefined) return { kind: 'unknown-message', providerMessageId: reference.providerMessageId };
  const log = message ? await ports.applyDeliveryChange(message, change) : 'not-found';
  const optedOut = optOut ? await ports.recordOptOut(customerId, 'email', optOut.via, optOut.at) : undefined;
  return {
    kind: 'applied',
    customerId,
    log,
    ...(message ? { messageId: message.messageId } : reference.messageId ? { messageId: reference.messageId } : {}),
    ...(optedOut ? { optOut: optedOut } : {}),
  };
}
