/** Contacts, intents and log entries for the delivery unit tests. */
import type { CustomerProfile } from '../../../functions/core/profile.ts';
import type { Contact, ContactPreferences, MessageIntent, MessageLogEntry } from '../../../functions/core/delivery/types.ts';

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
