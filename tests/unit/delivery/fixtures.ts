/** Contacts, intents, log entries and in-memory ports for the delivery unit tests. */
import { TransientSendError } from '../../../functions/core/delivery/errors.ts';
import { TemplateLibrary } from '../../../functions/core/delivery/templates.ts';
import type { CustomerProfile } from '../../../functions/core/profile.ts';
import type {
  Contact,
  ContactPreferences,
  DeliveryPorts,
  EmailMessage,
  ManagerTask,
  MessageIntent,
  MessageLogEntry,
  SmsMessage,
  TaskNotice,
} from '../../../functions/core/delivery/types.ts';

export function profile(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    customerId: 'cust-1',
    email: 'ada@example.com',
    phone: '+380501234567',
    name: 'Ada',
    timezone: 'UTC',
    consent: { email: true, sms: true },
    consentAsOf: { email: '2026-04-01T10:00:00.000Z', sms: '2026-04-01T10:00:00.000Z' },
    contactAsOf: '2026-04-01T10:00:00.000Z',
    orderCount: 3,
    revenueByCurrency: { USD: 15_990 },
    currency: 'USD',
    firstOrderAt: '2025-06-01T10:00:00.000Z',
    lastOrderAt: '2026-04-01T10:00:00.000Z',
    categories: ['pet-food'],
    skus: ['DOG-FOOD'],
    refundedMinorByCurrency: {},
    ...overrides,
  };
}

export function contact(profileOverrides: Partial<CustomerProfile> = {}, preferences: Partial<ContactPreferences> = {}): Contact {
  return { profile: profile(profileOverrides), preferences: { email: {}, sms: {}, ...preferences } };
}

export function intent(overrides: Partial<MessageIntent> = {}): MessageIntent {
  return {
    messageId: 'entry-1.email',
    journey: 'win-back',
    step: 'email',
    channel: 'email',
    template: 'win-back-email',
    marketing: true,
    priority: 1,
    variables: {},
    ...overrides,
  };
}

export function logEntry(overrides: Partial<MessageLogEntry> & Pick<MessageLogEntry, 'messageId' | 'at'>): MessageLogEntry {
  return {
    customerId: 'cust-1',
    journey: 'post-purchase',
    step: 'offer',
    channel: 'email',
    status: 'sent',
    marketing: true,
    priority: 2,
    ...overrides,
  };
}

/**
 * The delivery step's ports in memory: a clock the test moves, the message log with its one-time
 * claims, what each sender sent, the tasks created, and failures to inject (a number of transient
 * email errors, or the errors the next sends throw per channel).
 */
export function memoryDeliveryPorts(contacts: Record<string, Contact>, start = '2026-05-08T12:00:00.000Z') {
  let clock = new Date(start);
  const log: MessageLogEntry[] = [];
  const guards = new Map<string, 'sending' | 'sent' | 'failed'>();
  const sent = { email: [] as EmailMessage[], sms: [] as SmsMessage[], task: [] as TaskNotice[] };
  const tasks = new Map<string, ManagerTask>();
  const failures = { email: 0 };
  /** What the next sends throw, per channel (the adapters' classified errors). */
  const refusals: { email: Error[]; sms: Error[]; task: Error[] } = { email: [], sms: [], task: [] };
  const ports: DeliveryPorts = {
    now: () => clock,
    contacts: { load: async (customerId) => contacts[customerId] },
    log: {
      async recent(customerId, since, until) {
        return log.filter((entry) => entry.customerId === customerId && entry.at >= since && entry.at <= until);
      },
      async claim(entry) {
        const guard = guards.get(entry.messageId);
        if (guard === 'sending' || guard === 'sent') return false;
        guards.set(entry.messageId, 'sending');
        return true;
      },
      async record(entry) {
        log.push(entry);
        if (entry.status === 'sent') guards.set(entry.messageId, 'sent');
        if ((entry.status === 'failed' || entry.status === 'suppressed') && guards.get(entry.messageId) === 'sending') guards.set(entry.messageId, 'failed');
      },
    },
    senders: {
      async email(message) {
        if (failures.email > 0) {
          failures.email -= 1;
          throw new TransientSendError('SES TooManyRequestsException: Maximum sending rate exceeded.', { code: 'TooManyRequestsException' });
        }
        const refusal = refusals.email.shift();
        if (refusal) throw refusal;
        sent.email.push(message);
      },
      async sms(message) {
        const refusal = refusals.sms.shift();
        if (refusal) throw refusal;
        sent.sms.push(message);
      },
      async task(notice) {
        const refusal = refusals.task.shift();
        if (refusal) throw refusal;
        sent.task.push(notice);
      },
    },
    tasks: {
      async create(task) {
        if (!tasks.has(task.taskId)) tasks.set(task.taskId, task);
      },
    },
    templates: new TemplateLibrary(),
    links: { unsubscribe: async (customerId, channel) => `https://api.example.com/v1/unsubscribe?token=${channel}.${customerId}` },
  };
  return {
    ports,
    log,
    sent,
    tasks,
    failures,
    refusals,
    set(at: string) {
      clock = new Date(at);
    },
    advance(ms: number) {
      clock = new Date(clock.getTime() + ms);
    },
  };
}
