/**
 * The vocabulary of delivery: what a journey asks to send (a MessageIntent), what happened to it
 * (a DeliveryOutcome, logged as a MessageLogEntry), and the ports the delivery use case works
 * through. Journeys never send on their own: every message and manager task goes through
 * deliverMessage, which owns consent, opt-outs, frequency caps and quiet hours.
 */
import type { DiscountAsk, DiscountIssuer } from '../discounts/discounts.ts';
import type { CustomerProfile } from '../profile.ts';

export type Channel = 'email' | 'sms' | 'task';
/** The channels a customer is contacted on directly, and can opt out of. */
export type ContactChannel = 'email' | 'sms';
/** Who a message is from: the journeys, and the sweep-driven loyalty and product-rule messages. */
export type JourneyName = 'post-purchase' | 'win-back' | 'check-in' | 'loyalty-invite' | 'loyalty' | 'replenishment' | 'cross-sell';
export type DeliveryStatus = 'sent' | 'deferred' | 'capped' | 'suppressed' | 'failed';

export interface MessageIntent {
  /** Deterministic, given by the caller (e.g. `${entryId}.${step}`); retries reuse it. */
  messageId: string;
  journey: JourneyName;
  step: string;
  channel: Channel;
  /** Template file name without extension, e.g. 'win-back-email'. */
  template: string;
  /** false only for the order thank-you (transactional). */
  marketing: boolean;
  /** Lower number = more important (win-back 1, post-purchase 2, loyalty-invite 3, check-in 0 for tasks). */
  priority: number;
  /** Template variables beyond the customer's own (products, discountCode, links...). */
  variables: Record<string, unknown>;
  /** For channel 'task'. */
  task?: { reason: string; dueAt: string };
  /**
   * The message offers a discount: the code is issued only when the message is sent, and the
   * template gets discountCode and discountExpiresAt (neither when no storefront is configured).
   */
  discount?: DiscountAsk;
  /**
   * When a deferred message is tried again. 'spread' (the default): at its slot plus the customer's
   * offset, for a message that wakes on its own at the time it is given (a journey's Wait), so a
   * zone's morning is not one burst. 'slot': at its slot, for a message a periodic run picks up
   * (the hourly dispatch), whose runs already gather and pace the sends: an offset would only make
   * it later.
   */
  wake?: 'spread' | 'slot';
  /**
   * A part of the message the customer gets at most once per `days` (the feedback question: a
   * customer buying every month is not asked every month), named by the variable that carries it.
   * When a message of this journey step that had it was sent within them, the part is left out
   * (its variable set to null, so the template leaves its block out) and the log says so.
   */
  oncePer?: { variable: string; days: number };
  /**
   * The rest of the message has nothing relevant to say (a step that offers products found none
   * for the customer): the message goes with its `oncePer` part alone when that is due, else
   * nothing is sent and the log records the message as skipped with this reason.
   */
  skipReason?: string;
}

export interface DeliveryOutcome {
  /**
   * 'skipped' = channel fallback (no phone for SMS, no email); 'failed' or 'suppressed' may also be
   * the provider refusing the message for good. Either way the journey escalates to its next step.
   */
  status: DeliveryStatus | 'skipped';
  reason?: string;
  /** ISO, when status is 'deferred' or 'capped': the journey waits until then and calls again with the same messageId. */
  deferredUntil?: string;
  taskId?: string;
}

export interface MessageLogEntry {
  messageId: string;
  at: string;
  customerId: string;
  journey: JourneyName;
  step: string;
  channel: Channel;
  status: DeliveryStatus | 'skipped';
  marketing: boolean;
  priority: number;
  subject?: string;
  text?: string;
  /** The HTML part of an email, as sent. */
  html?: string;
  reason?: string;
  deferredUntil?: string;
  taskId?: string;
  /** The `oncePer` parts (MessageIntent) this sent message went without: the customer had them recently. */
  leftOut?: string[];
  /** What the provider reported after accepting the message (delivery-events.ts); absent until it does. */
  deliveryStatus?: ProviderDeliveryStatus;
  /** When the provider saw what deliveryStatus says (the event's own time). */
  deliveryStatusAt?: string;
  /** The provider's words: bounce type and diagnostic, the SMTP or carrier response. */
  deliveryDetail?: string;
  /** First open and first click of an email, where the store enables tracking. */
  openedAt?: string;
  clickedAt?: string;
}

/**
 * What happened to a message after the provider accepted it ('sent'): delivered, delayed (a
 * transient bounce or an SES DeliveryDelay, still being tried), bounced for good (including SES
 * suppressing the address), rejected by SES, complained about, or an SMS the carrier did not deliver.
 */
export type ProviderDeliveryStatus = 'delayed' | 'delivered' | 'bounced' | 'rejected' | 'complained' | 'failed';

/** What the customer told us per channel after checkout: opt-outs, and what the providers reported. */
export interface ChannelPreferences {
  /** When the customer unsubscribed from marketing on this channel. */
  optedOutAt?: string;
  /** A hard bounce or a complaint: nothing is ever sent to this address again. */
  suppressed?: 'bounce' | 'complaint';
  suppressedAt?: string;
}

/** The PREFERENCES item of a customer; kept apart from the profile so purchase writes never touch it. */
export interface ContactPreferences {
  email: ChannelPreferences;
  sms: ChannelPreferences;
}

export interface Contact {
  profile: CustomerProfile;
  preferences: ContactPreferences;
}

export type TaskStatus = 'open' | 'done';

/** The customer at a glance, for the manager who calls. */
export interface HistoryAtAGlance {
  orderCount: number;
  lastOrderAt: string;
  /** Net revenue (orders minus refunds) in `currency`, in minor units. */
  netRevenueMinor: number;
  currency: string;
}

/** A call or check-in for a manager, created by a journey's task step. */
export interface ManagerTask {
  taskId: string;
  /** The message that created it. */
  messageId: string;
  customerId: string;
  journey: JourneyName;
  reason: string;
  dueAt: string;
  status: TaskStatus;
  createdAt: string;
  subject: string;
  text: string;
  historyAtAGlance: HistoryAtAGlance;
  outcome?: string;
  /** One of the store's churn reasons when the task was completed (task-lists.ts). */
  churnReason?: string;
  note?: string;
  completedAt?: string;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** The HTML part, sent beside the text (multipart/alternative). */
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers: Record<string, string>;
  /** The log entry it is (messageId and customerId), so the provider's delivery events find it. */
  messageId?: string;
  customerId?: string;
}

export interface SmsMessage {
  /** E.164 phone number. */
  to: string;
  text: string;
  /** Marketing SMS go out as promotional, the rest as transactional. */
  marketing?: boolean;
  /** The log entry it is, so the carrier's delivery status finds it. */
  messageId?: string;
  customerId?: string;
}

export interface TaskNotice {
  taskId: string;
  subject: string;
  text: string;
}

/** A message after its template is applied: email has a subject, SMS only text, a task a title (subject) and text. */
export interface RenderedMessage {
  subject?: string;
  text: string;
  /** Email only: the HTML part, made from the same template as the text. */
  html?: string;
}

/** How the shop looks in an email: the brand settings of functions/config.ts (brandEnv). */
export interface Brand {
  shopName: string;
  shopUrl?: string;
  /** An https address of the logo, shown above the message instead of the shop's name. */
  logoUrl?: string;
  /** Accent colour (header, links, the line above the message), `#rrggbb`. */
  color: string;
  /** The colour around the message, `#rrggbb`. */
  background: string;
  /** The shop's postal address for the footer (many laws ask for it in marketing email). */
  postalAddress?: string;
}

export const defaultBrand: Brand = { shopName: 'Our shop', color: '#1f6f5c', background: '#f4f4f4' };

export interface TemplateRenderer {
  /** Throws a TemplateError when a variable the template uses is missing. */
  render(template: string, channel: Channel, variables: Record<string, unknown>): RenderedMessage;
}

export interface ContactStore {
  load(customerId: string): Promise<Contact | undefined>;
}

export interface MessageLog {
  /** The customer's log entries with `at` between since and until (ISO, both inclusive), oldest first. */
  recent(customerId: string, since: string, until: string): Promise<MessageLogEntry[]>;
  /**
   * Takes the right to send entry.messageId. False when that message was already sent (or is being
   * sent right now); a message whose last attempt failed, or was refused by the provider, can be
   * claimed again.
   */
  claim(entry: MessageLogEntry): Promise<boolean>;
  /**
   * Appends the entry to the customer's log; 'sent' confirms the claim taken at entry.at, 'failed'
   * and 'suppressed' release it.
   */
  record(entry: MessageLogEntry): Promise<void>;
}

export interface Senders {
  email(message: EmailMessage): Promise<void>;
  sms(message: SmsMessage): Promise<void>;
  task(notice: TaskNotice): Promise<void>;
}

export interface TaskCreator {
  /** Creates the task; creating the same taskId again leaves the first one as it is. */
  create(task: ManagerTask): Promise<void>;
}

export interface LinkBuilder {
  /** The signed one-click unsubscribe URL for a customer's channel. */
  unsubscribe(customerId: string, channel: ContactChannel): Promise<string>;
}

export interface DeliveryPorts {
  /** The current time (the adapters' clock, so the local virtual clock drives delivery). */
  now(): Date;
  contacts: ContactStore;
  log: MessageLog;
  senders: Senders;
  tasks: TaskCreator;
  templates: TemplateRenderer;
  links: LinkBuilder;
  /** The most SMS parts a message may take (sms-length.ts); over it the message is refused. */
  smsMaxSegments?: number;
  /** Issues the discount codes messages offer; without it messages offer no code. */
  discounts?: DiscountIssuer;
}
