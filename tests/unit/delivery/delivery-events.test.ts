/**
 * Delivery feedback decisions (functions/core/delivery/delivery-events.ts): what each SES event and
 * SNS SMS status means, in every order of arrival, with SES's documented JSON as the input.
 */
import { describe, expect, it } from 'vitest';
import {
  applyDeliveryFeedback,
  CUSTOMER_TAG,
  decideSesEvent,
  decideSmsStatus,
  decodeTagValue,
  encodeTagValue,
  InvalidDeliveryEventError,
  MESSAGE_TAG,
  nextDeliveryState,
  readSesEvent,
  readSmsStatus,
  type DeliveryChange,
  type DeliveryFeedbackPorts,
  type DeliveryState,
  type SentMessage,
} from '../../../functions/core/delivery/delivery-events.ts';

const mail = (tags: Record<string, string[]> = {}) => ({
  timestamp: '2026-06-01T09:00:00.000Z',
  source: 'Shop <hello@shop.example>',
  sendingAccountId: '123456789012',
  messageId: '0102018f-ses-message-id-000000',
  destination: ['ada@example.com'],
  headersTruncated: false,
  tags: { 'ses:configuration-set': ['comeback'], ...tags },
});

/** SES event publishing JSON, one example per event type (fields as SES documents them). */
export const sesEvents = {
  permanentBounce: {
    eventType: 'Bounce',
    mail: mail(),
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'ada@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      timestamp: '2026-06-01T09:00:05.000Z',
      feedbackId: '0102018f-feedback',
      reportingMTA: 'dsn; e226-55.smtp-out.amazonses.com',
    },
  },
  suppressedBounce: {
    eventType: 'Bounce',
    mail: mail(),
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'OnAccountSuppressionList',
      bouncedRecipients: [{ emailAddress: 'ada@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'Amazon SES did not send the message to this address because it is on the suppression list for your account.' }],
      timestamp: '2026-06-01T09:00:01.000Z',
      feedbackId: '0102018f-feedback',
    },
  },
  transientBounce: {
    eventType: 'Bounce',
    mail: mail(),
    bounce: {
      bounceType: 'Transient',
      bounceSubType: 'MailboxFull',
      bouncedRecipients: [{ emailAddress: 'ada@example.com', diagnosticCode: 'smtp; 452 4.2.2 mailbox full' }],
      timestamp: '2026-06-01T09:00:03.000Z',
    },
  },
  complaint: {
    eventType: 'Complaint',
    mail: mail(),
    complaint: {
      complainedRecipients: [{ emailAddress: 'ada@example.com' }],
      timestamp: '2026-06-01T10:00:00.000Z',
      feedbackId: '0102018f-complaint',
      userAgent: 'Mail/1.0',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2026-06-01T09:59:00.000Z',
    },
  },
  delivery: {
    eventType: 'Delivery',
    mail: mail(),
    delivery: {
      timestamp: '2026-06-01T09:00:02.000Z',
      processingTimeMillis: 2000,
      recipients: ['ada@example.com'],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'e226-55.smtp-out.amazonses.com',
    },
  },
  reject: { eventType: 'Reject', mail: mail(), reject: { reason: 'Bad content' } },
  deliveryDelay: {
    eventType: 'DeliveryDelay',
    mail: mail(),
    deliveryDelay: {
      timestamp: '2026-06-01T09:30:00.000Z',
      delayType: 'TransientCommunicationFailure',
      expirationTime: '2026-06-01T21:00:00.000Z',
      delayedRecipients: [{ emailAddress: 'ada@example.com', status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 try again later' }],
    },
  },
  open: { eventType: 'Open', mail: mail(), open: { ipAddress: '192.0.2.1', timestamp: '2026-06-01T11:00:00.000Z', userAgent: 'Mozilla/5.0' } },
  click: { eventType: 'Click', mail: mail(), click: { ipAddress: '192.0.2.1', timestamp: '2026-06-01T11:01:00.000Z', userAgent: 'Mozilla/5.0', link: 'https://shop.example/', linkTags: {} } },
  send: { eventType: 'Send', mail: mail(), send: {} },
} as const;

const smsStatus = (status: 'SUCCESS' | 'FAILURE', providerResponse: string) => ({
  notification: { messageId: '34d9b400-c6dd-5444-820d-fbeb0f1f54cf', timestamp: '2026-06-01 09:00:00.558' },
  delivery: {
    phoneCarrier: 'My Phone Carrier',
    mnc: 270,
    numberOfMessageParts: 1,
    destination: '+15555550123',
    priceInUSD: 0.00645,
    smsType: 'Promotional',
    mcc: 310,
    providerResponse,
    dwellTimeMs: 599,
    dwellTimeMsUntilDeviceAck: 1344,
  },
  status,
});

describe('what each SES event means', () => {
  it.each([
    ['a permanent bounce', sesEvents.permanentBounce, { status: 'bounced', at: '2026-06-01T09:00:05.000Z' }, 'bounce', /permanent bounce \(General\).*550 5\.1\.1/],
    ['SES suppressing the send', sesEvents.suppressedBounce, { status: 'bounced', at: '2026-06-01T09:00:01.000Z' }, 'bounce', /OnAccountSuppressionList.*suppression list/],
    ['a transient bounce', sesEvents.transientBounce, { status: 'delayed', at: '2026-06-01T09:00:03.000Z' }, undefined, /transient bounce \(MailboxFull\)/],
    ['a complaint', sesEvents.complaint, { status: 'complained', at: '2026-06-01T10:00:00.000Z' }, 'complaint', /complaint: abuse/],
    ['a delivery', sesEvents.delivery, { status: 'delivered', at: '2026-06-01T09:00:02.000Z' }, undefined, /250 2\.6\.0/],
    ['a reject', sesEvents.reject, { status: 'rejected', at: '2026-06-01T09:00:00.000Z' }, undefined, /Bad content/],
    ['a delivery delay', sesEvents.deliveryDelay, { status: 'delayed', at: '2026-06-01T09:30:00.000Z' }, undefined, /TransientCommunicationFailure/],
  ])('%s', (_name, event, change, optOut, detail) => {
    const feedback = decideSesEvent(readSesEvent(event));
    expect(feedback.change).toMatchObject({ kind: 'status', ...change });
    expect(feedback.change?.kind === 'status' ? feedback.change.detail : '').toMatch(detail);
    expect(feedback.optOut).toEqual(optOut ? { via: optOut, at: change.at } : undefined);
    expect(feedback.reference).toEqual({ provider: 'ses', providerMessageId: '0102018f-ses-message-id-000000' });
  });

  it('opens and clicks are engagement, and a Send changes nothing', () => {
    expect(decideSesEvent(readSesEvent(sesEvents.open)).change).toEqual({ kind: 'engagement', engagement: 'opened', at: '2026-06-01T11:00:00.000Z' });
    expect(decideSesEvent(readSesEvent(sesEvents.click)).change).toEqual({ kind: 'engagement', engagement: 'clicked', at: '2026-06-01T11:01:00.000Z' });
    expect(decideSesEvent(readSesEvent(sesEvents.send))).toEqual({ reference: expect.objectContaining({ provider: 'ses' }) });
  });

  it('reads the message and the customer from the tags the sender set', () => {
    const event = { ...sesEvents.delivery, mail: mail({ [MESSAGE_TAG]: [encodeTagValue('entry-1.thank-you')!], [CUSTOMER_TAG]: [encodeTagValue('ada@example.com')!] }) };
    expect(decideSesEvent(readSesEvent(event)).reference).toEqual({
      provider: 'ses',
      providerMessageId: '0102018f-ses-message-id-000000',
      messageId: 'entry-1.thank-you',
      customerId: 'ada@example.com',
    });
  });

  it.each([
    ['no eventType', { mail: mail() }],
    ['an unknown eventType', { eventType: 'Teleport', mail: mail() }],
    ['a bounce without recipients', { ...sesEvents.permanentBounce, bounce: { ...sesEvents.permanentBounce.bounce, bouncedRecipients: [] } }],
    ['a delivery without its time', { eventType: 'Delivery', mail: mail(), delivery: {} }],
    ['no mail', { eventType: 'Delivery', delivery: sesEvents.delivery.delivery }],
    ['a time that is not ISO 8601', { ...sesEvents.delivery, delivery: { timestamp: 'yesterday' } }],
    ['not an object', 'Bounce'],
  ])('refuses %s', (_name, event) => {
    expect(() => readSesEvent(event)).toThrow(InvalidDeliveryEventError);
  });
});

describe('what an SNS SMS delivery status means', () => {
  it('SUCCESS is delivered at the notification time, FAILURE failed with the carrier words', () => {
    expect(decideSmsStatus(readSmsStatus(smsStatus('SUCCESS', 'Message has been accepted by phone carrier')))).toEqual({
      reference: { provider: 'sns', providerMessageId: '34d9b400-c6dd-5444-820d-fbeb0f1f54cf' },
      change: { kind: 'status', status: 'delivered', at: '2026-06-01T09:00:00.558Z', detail: 'Message has been accepted by phone carrier' },
    });
    expect(decideSmsStatus(readSmsStatus(smsStatus('FAILURE', 'Phone is currently unreachable/unavailable'))).change).toMatchObject({
      status: 'failed',
      detail: 'Phone is currently unreachable/unavailable',
    });
  });

  it.each([
    ['an unknown status', { ...smsStatus('SUCCESS', 'ok'), status: 'MAYBE' }],
    ['an ISO time instead of SNS time', { ...smsStatus('SUCCESS', 'ok'), notification: { messageId: 'm', timestamp: '2026-06-01T09:00:00Z' } }],
    ['an impossible time', { ...smsStatus('SUCCESS', 'ok'), notification: { messageId: 'm', timestamp: '2026-13-45 99:00:00.000' } }],
    ['no notification', { delivery: {}, status: 'SUCCESS' }],
  ])('refuses %s', (_name, status) => {
    expect(() => readSmsStatus(status)).toThrow(InvalidDeliveryEventError);
  });
});

describe('the delivery status never goes backwards', () => {
  const status = (name: string): DeliveryChange => {
    const feedback = decideSesEvent(readSesEvent(sesEvents[name as keyof typeof sesEvents]));
    return feedback.change!;
  };
  /** The state after the events arrive in this order. */
  const after = (...names: string[]) =>
    names.reduce<DeliveryState>((state, name) => ({ ...state, ...(nextDeliveryState(state, status(name)) ?? {}) }), {});

  it.each([
    [['delivery'], 'delivered'],
    [['permanentBounce', 'delivery'], 'bounced'],
    [['delivery', 'permanentBounce'], 'bounced'],
    [['deliveryDelay', 'delivery'], 'delivered'],
    [['delivery', 'deliveryDelay'], 'delivered'],
    [['transientBounce', 'permanentBounce'], 'bounced'],
    [['delivery', 'complaint'], 'complained'],
    [['complaint', 'delivery'], 'complained'],
    [['permanentBounce', 'complaint'], 'complained'],
    [['reject', 'delivery'], 'rejected'],
    [['transientBounce', 'deliveryDelay'], 'delayed'],
  ])('%j ends %s', (order, expected) => {
    expect(after(...order).deliveryStatus).toBe(expected);
  });

  it('a repeated event changes nothing', () => {
    const once = after('permanentBounce');
    expect(nextDeliveryState(once, status('permanentBounce'))).toBeUndefined();
    expect(nextDeliveryState(after('delivery'), status('delivery'))).toBeUndefined();
  });

  it('a later delay replaces an earlier one, an earlier one does not replace a later one', () => {
    expect(after('transientBounce', 'deliveryDelay')).toMatchObject({ deliveryStatusAt: '2026-06-01T09:30:00.000Z' });
    expect(after('deliveryDelay', 'transientBounce')).toMatchObject({ deliveryStatusAt: '2026-06-01T09:30:00.000Z' });
  });

  it('opens and clicks keep their first time and leave the status alone', () => {
    const state = after('delivery', 'open', 'click');
    expect(state).toMatchObject({ deliveryStatus: 'delivered', openedAt: '2026-06-01T11:00:00.000Z', clickedAt: '2026-06-01T11:01:00.000Z' });
    expect(nextDeliveryState(state, { kind: 'engagement', engagement: 'opened', at: '2026-06-02T08:00:00.000Z' })).toBeUndefined();
    expect(nextDeliveryState(state, { kind: 'engagement', engagement: 'opened', at: '2026-06-01T10:30:00.000Z' })).toEqual({ openedAt: '2026-06-01T10:30:00.000Z' });
  });
});

describe('SES tag values', () => {
  it.each(['entry-1.thank-you', 'ada@example.com', 'check-in.0a1b2c', 'a_b', 'Зоя', 'x'])('%s goes there and back', (value) => {
    const encoded = encodeTagValue(value)!;
    expect(encoded).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(decodeTagValue(encoded)).toBe(value);
  });

  it('an id too long for a tag is left out, and a foreign value is not read', () => {
    expect(encodeTagValue('.'.repeat(100))).toBeUndefined();
    expect(encodeTagValue('')).toBeUndefined();
    expect(decodeTagValue('a_zz')).toBeUndefined();
    expect(decodeTagValue('a.b')).toBeUndefined();
  });
});

describe('applying feedback', () => {
  const sent: SentMessage = { messageId: 'entry-1.thank-you', customerId: 'cust-1' };
  function fakePorts(known: { byId?: SentMessage; byProvider?: SentMessage } = {}) {
    const calls: string[] = [];
    const ports: DeliveryFeedbackPorts = {
      sentMessage: async (messageId) => (known.byId?.messageId === messageId ? known.byId : undefined),
      acceptedAs: async () => known.byProvider,
      applyDeliveryChange: async (message, change) => {
        calls.push(`log ${message.messageId} ${change.kind === 'status' ? change.status : change.engagement}`);
        return 'updated';
      },
      recordOptOut: async (customerId, channel, via, at) => {
        calls.push(`opt-out ${customerId} ${channel} ${via} ${at}`);
        return 'recorded';
      },
    };
    return { ports, calls };
  }

  it('a complaint about a message found by its receipt: the log, then the opt-out', async () => {
    const { ports, calls } = fakePorts({ byProvider: sent });
    const outcome = await applyDeliveryFeedback(ports, decideSesEvent(readSesEvent(sesEvents.complaint)));
    expect(outcome).toEqual({ kind: 'applied', messageId: sent.messageId, customerId: 'cust-1', log: 'updated', optOut: 'recorded' });
    expect(calls).toEqual(['log entry-1.thank-you complained', 'opt-out cust-1 email complaint 2026-06-01T10:00:00.000Z']);
  });

  it('a message found by its tags', async () => {
    const { ports, calls } = fakePorts({ byId: sent });
    const event = { ...sesEvents.delivery, mail: mail({ [MESSAGE_TAG]: [encodeTagValue(sent.messageId)!] }) };
    expect(await applyDeliveryFeedback(ports, decideSesEvent(readSesEvent(event)))).toMatchObject({ kind: 'applied', log: 'updated' });
    expect(calls).toEqual(['log entry-1.thank-you delivered']);
  });

  it('a bounce of a message no longer in the log still suppresses the customer its tag names', async () => {
    const { ports, calls } = fakePorts();
    const event = { ...sesEvents.permanentBounce, mail: mail({ [CUSTOMER_TAG]: ['cust-9'] }) };
    expect(await applyDeliveryFeedback(ports, decideSesEvent(readSesEvent(event)))).toEqual({ kind: 'applied', customerId: 'cust-9', log: 'not-found', optOut: 'recorded' });
    expect(calls).toEqual(['opt-out cust-9 email bounce 2026-06-01T09:00:05.000Z']);
  });

  it('a message Comeback did not send, and a Send event, change nothing', async () => {
    const { ports, calls } = fakePorts();
    expect(await applyDeliveryFeedback(ports, decideSesEvent(readSesEvent(sesEvents.permanentBounce)))).toEqual({
      kind: 'unknown-message',
      providerMessageId: '0102018f-ses-message-id-000000',
    });
    expect(await applyDeliveryFeedback(fakePorts({ byProvider: sent }).ports, decideSesEvent(readSesEvent(sesEvents.send)))).toEqual({ kind: 'ignored' });
    expect(calls).toEqual([]);
  });
});
