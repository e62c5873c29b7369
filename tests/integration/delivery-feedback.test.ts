/**
 * Delivery feedback on DynamoDB Local: messages sent through the real delivery step and the outbox
 * (which "accepts" each under its messageId), then SES events and SNS SMS statuses fed back through
 * the deployed handler (EventBridge and CloudWatch Logs events) and the local host's routes.
 */
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent, EventBridgeEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { useClock } from '../../functions/adapters/clock.ts';
import { deliveryPorts } from '../../functions/adapters/delivery-ports.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoMessageLog } from '../../functions/adapters/message-log.ts';
import { deliverMessage } from '../../functions/core/delivery/deliver.ts';
import { CUSTOMER_TAG, encodeTagValue, MESSAGE_TAG, MessageStillSendingError } from '../../functions/core/delivery/delivery-events.ts';
import type { MessageLogEntry } from '../../functions/core/delivery/types.ts';
import { handler } from '../../functions/handlers/delivery-events.ts';
import { sesEventsRoute, smsStatusRoute } from '../../lib/local/delivery-events.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { lambdaContext } from '../support/events.ts';
import { messageIntents } from '../support/message-intents.ts';
import { customerView, customerWithOrder, partitionOf } from './public-routes.ts';

const clock = new Date('2026-06-01T12:00:00.000Z');
useClock({ now: () => clock });
afterAll(() => useClock({ now: () => new Date() }));

const ports = deliveryPorts();
const log = new DynamoMessageLog(documentClient, tableName);
const intents = messageIntents('https://shop.example');
const thankYou = (customerId: string, n = 1) => intents.thankYou(customerId, { suffix: n });
const loyaltyInvite = (customerId: string, n = 1) => intents.loyaltyInvite(customerId, n);
const { winBackSms } = intents;

/** The 'sent' log entry of a message, as the customer's log holds it. */
async function sentEntry(customerId: string, messageId: string): Promise<MessageLogEntry> {
  const entries = await log.recent(customerId, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
  const entry = entries.find((candidate) => candidate.messageId === messageId && candidate.status === 'sent');
  if (!entry) throw new Error(`no sent entry of ${messageId}: ${JSON.stringify(entries.map((candidate) => [candidate.messageId, candidate.status]))}`);
  return entry;
}

const sesMail = (messageId: string, tags: Record<string, string[]> = {}) => ({
  timestamp: '2026-06-01T12:00:00.000Z',
  source: 'hello@shop.example',
  sendingAccountId: '123456789012',
  messageId,
  destination: ['ada@example.com'],
  tags: { 'ses:configuration-set': ['comeback'], ...tags },
});

const bounce = (messageId: string, subType = 'General', tags: Record<string, string[]> = {}) => ({
  eventType: 'Bounce',
  mail: sesMail(messageId, tags),
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: subType,
    bouncedRecipients: [{ emailAddress: 'ada@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2026-06-01T12:00:05.000Z',
    feedbackId: 'feedback-1',
  },
});
const complaint = (messageId: string) => ({
  eventType: 'Complaint',
  mail: sesMail(messageId),
  complaint: { complainedRecipients: [{ emailAddress: 'ada@example.com' }], timestamp: '2026-06-01T13:00:00.000Z', feedbackId: 'feedback-2', complaintFeedbackType: 'abuse' },
});
const delivery = (messageId: string, tags: Record<string, string[]> = {}) => ({
  eventType: 'Delivery',
  mail: sesMail(messageId, tags),
  delivery: { timestamp: '2026-06-01T12:00:02.000Z', processingTimeMillis: 2000, recipients: ['ada@example.com'], smtpResponse: '250 2.6.0 Message received' },
});

/** SES's event as EventBridge hands it to the function (the SES event is the detail). */
function eventBridge(detail: unknown): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: `event-${Math.random().toString(36).slice(2)}`,
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '123456789012',
    time: '2026-06-01T12:00:05Z',
    region: 'eu-west-1',
    resources: ['arn:aws:ses:eu-west-1:123456789012:configuration-set/comeback'],
    detail,
  };
}

/** SNS SMS delivery status log events as a CloudWatch Logs subscription hands them to the function. */
function cloudWatchLogs(messages: unknown[]): CloudWatchLogsEvent {
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: 'sns/eu-west-1/123456789012/DirectPublishToPhoneNumber',
    logStream: 'stream',
    subscriptionFilters: ['comeback'],
    logEvents: messages.map((message, index) => ({ id: String(index), timestamp: 1780315200000, message: typeof message === 'string' ? message : JSON.stringify(message) })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

const smsStatus = (messageId: string, status: 'SUCCESS' | 'FAILURE', providerResponse: string, timestamp = '2026-06-01 12:00:03.120') => ({
  notification: { messageId, timestamp },
  delivery: { destination: '+15555550123', smsType: 'Promotional', providerResponse, numberOfMessageParts: 1, priceInUSD: 0.00645 },
  status,
});

const invoke = (event: EventBridgeEvent<string, unknown> | CloudWatchLogsEvent) => handler(event, lambdaContext);
const postSes = (body: unknown) => sesEventsRoute.handle({ url: new URL('http://127.0.0.1/_local/ses/events'), body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), parameters: {} });
const postSms = (body: unknown) => smsStatusRoute.handle({ url: new URL('http://127.0.0.1/_local/sms/status'), body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), parameters: {} });

describe('SES events through the deployed handler', () => {
  it('a permanent bounce: the log shows bounced, email marketing is withdrawn with when and how; marketing stops, transactional goes on', async () => {
    // Prepare
    const customerId = await customerWithOrder();
    const first = thankYou(customerId);
    expect(await deliverMessage(ports, customerId, first)).toMatchObject({ status: 'sent' });

    // Act
    await invoke(eventBridge(bounce(first.messageId)));

    // Assess
    expect(await sentEntry(customerId, first.messageId)).toMatchObject({
      status: 'sent',
      deliveryStatus: 'bounced',
      deliveryStatusAt: '2026-06-01T12:00:05.000Z',
      deliveryDetail: expect.stringContaining('550 5.1.1 user unknown'),
    });
    const { body } = await customerView(customerId);
    expect(body.profile['consent']).toEqual({ email: false, sms: true });
    expect(body.profile['optOuts']).toEqual({ email: { at: '2026-06-01T12:00:05.000Z', via: 'bounce' } });
    expect(await deliverMessage(ports, customerId, loyaltyInvite(customerId))).toMatchObject({ status: 'suppressed' });
    expect(await deliverMessage(ports, customerId, thankYou(customerId, 2))).toMatchObject({ status: 'sent' });
  });

  it('SES suppressing the send (OnAccountSuppressionList) is a bounce, not a sent message', async () => {
    const customerId = await customerWithOrder();
    const message = thankYou(customerId);
    await deliverMessage(ports, customerId, message);

    await invoke(eventBridge(bounce(message.messageId, 'OnAccountSuppressionList')));

    expect(await sentEntry(customerId, message.messageId)).toMatchObject({ deliveryStatus: 'bounced', deliveryDetail: expect.stringContaining('suppression list') });
    expect((await customerView(customerId)).body.profile['optOuts']).toEqual({ email: { at: '2026-06-01T12:00:05.000Z', via: 'bounce' } });
  });

  it('a complaint after delivery: complained, and email marketing withdrawn; a late Delivery changes neither', async () => {
    const customerId = await customerWithOrder();
    const message = loyaltyInvite(customerId);
    expect(await deliverMessage(ports, customerId, message)).toMatchObject({ status: 'sent' });

    await invoke(eventBridge(delivery(message.messageId)));
    expect(await sentEntry(customerId, message.messageId)).toMatchObject({ deliveryStatus: 'delivered', deliveryDetail: '250 2.6.0 Message received' });
    await invoke(eventBridge(complaint(message.messageId)));
    await invoke(eventBridge(delivery(message.messageId)));

    expect(await sentEntry(customerId, message.messageId)).toMatchObject({ deliveryStatus: 'complained', deliveryStatusAt: '2026-06-01T13:00:00.000Z' });
    expect((await customerView(customerId)).body.profile['optOuts']).toEqual({ email: { at: '2026-06-01T13:00:00.000Z', via: 'complaint' } });
    expect(await deliverMessage(ports, customerId, loyaltyInvite(customerId, 2))).toMatchObject({ status: 'suppressed' });
  });

  it('a late Delivery does not overwrite a Bounce, and a duplicate event changes nothing', async () => {
    const customerId = await customerWithOrder();
    const message = thankYou(customerId);
    await deliverMessage(ports, customerId, message);
    await invoke(eventBridge(bounce(message.messageId)));
    const after = await partitionOf(customerId);

    await invoke(eventBridge(delivery(message.messageId)));
    await invoke(eventBridge(bounce(message.messageId)));

    expect(await partitionOf(customerId)).toEqual(after);
  });

  it('events of one message arriving at once end as they would one by one', async () => {
    const customerId = await customerWithOrder();
    const message = loyaltyInvite(customerId);
    await deliverMessage(ports, customerId, message);

    await Promise.all([delivery, bounce, delivery, complaint, bounce, delivery].map((event) => invoke(eventBridge(event(message.messageId)))));

    expect(await sentEntry(customerId, message.messageId)).toMatchObject({ deliveryStatus: 'complained', deliveryStatusAt: '2026-06-01T13:00:00.000Z' });
    // The first of the bounce and the complaint to arrive is the opt-out kept; either way email marketing is withdrawn.
    expect((await customerView(customerId)).body.profile['consent']).toEqual({ email: false, sms: true });
  });

  it('an event that overtakes the log write of its send is retried until the send is logged', async () => {
    const customerId = await customerWithOrder();
    const entry: MessageLogEntry = {
      messageId: `${customerId}.post-purchase.thank-you.1`,
      at: '2026-06-01T12:00:00.000Z',
      customerId,
      journey: 'post-purchase',
      step: 'thank-you',
      channel: 'email',
      status: 'sent',
      marketing: false,
      priority: 2,
      subject: 'Thank you',
      text: 'Thank you for your order',
    };
    const tags = { [MESSAGE_TAG]: [encodeTagValue(entry.messageId)!], [CUSTOMER_TAG]: [encodeTagValue(customerId)!] };
    expect(await log.claim(entry)).toBe(true);
    const before = await partitionOf(customerId);

    await expect(invoke(eventBridge(delivery('0102018f-fast-ses-id', tags)))).rejects.toThrow(MessageStillSendingError);
    expect(await partitionOf(customerId)).toEqual(before);

    await log.record(entry);
    await invoke(eventBridge(delivery('0102018f-fast-ses-id', tags)));
    expect(await sentEntry(customerId, entry.messageId)).toMatchObject({ deliveryStatus: 'delivered' });
  });

  it('an email found by the tags the SES sender sets', async () => {
    const customerId = await customerWithOrder();
    const message = thankYou(customerId);
    await deliverMessage(ports, customerId, message);
    const tags = { [MESSAGE_TAG]: [encodeTagValue(message.messageId)!], [CUSTOMER_TAG]: [encodeTagValue(customerId)!] };

    await invoke(eventBridge(delivery('0102018f-real-ses-id-000000', tags)));

    expect(await sentEntry(customerId, message.messageId)).toMatchObject({ deliveryStatus: 'delivered' });
  });

  it('a malformed event, or one about a message Comeback did not send, writes nothing', async () => {
    const customerId = await customerWithOrder();
    const message = thankYou(customerId);
    await deliverMessage(ports, customerId, message);
    const before = await partitionOf(customerId);
    const broken = { ...bounce(message.messageId), bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [], timestamp: '2026-06-01T12:00:05.000Z' } };

    await invoke(eventBridge(broken));
    await invoke(eventBridge({ ...bounce(message.messageId), eventType: 'Explode' }));
    await invoke(eventBridge(bounce('somebody-elses-message')));

    expect(await partitionOf(customerId)).toEqual(before);
  });
});

describe('SNS SMS delivery status through the CloudWatch Logs subscription', () => {
  it('SUCCESS sets delivered; a FAILURE of another SMS sets failed with the carrier words; unreadable lines are skipped', async () => {
    const [delivered, failed] = [await customerWithOrder(), await customerWithOrder()];
    for (const customerId of [delivered, failed]) expect(await deliverMessage(ports, customerId, winBackSms(customerId))).toMatchObject({ status: 'sent' });

    await invoke(
      cloudWatchLogs([
        'not json',
        smsStatus(`${delivered}.win-back.sms`, 'SUCCESS', 'Message has been accepted by phone carrier'),
        smsStatus(`${failed}.win-back.sms`, 'FAILURE', 'Phone is currently unreachable/unavailable'),
        { notification: {}, status: 'SUCCESS' },
      ]),
    );

    expect(await sentEntry(delivered, `${delivered}.win-back.sms`)).toMatchObject({ deliveryStatus: 'delivered', deliveryStatusAt: '2026-06-01T12:00:03.120Z' });
    expect(await sentEntry(failed, `${failed}.win-back.sms`)).toMatchObject({ deliveryStatus: 'failed', deliveryDetail: 'Phone is currently unreachable/unavailable' });
    // A failed SMS is the carrier's, not the customer's no: consent stays.
    expect((await customerView(failed)).body.profile['optOuts']).toEqual({});
  });

  it('the check CloudWatch Logs sends when the subscription is made carries no status and changes nothing', async () => {
    const customerId = await customerWithOrder();
    await deliverMessage(ports, customerId, winBackSms(customerId));
    const before = await partitionOf(customerId);
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 1780315200000, message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda.' }] };

    await invoke({ awslogs: { data: gzipSync(JSON.stringify(control)).toString('base64') } });

    expect(await partitionOf(customerId)).toEqual(before);
  });
});

describe('the local routes', () => {
  it('POST /_local/ses/events and /_local/sms/status run the same code; the outbox shows the status', async () => {
    const customerId = await customerWithOrder();
    const email = loyaltyInvite(customerId);
    await deliverMessage(ports, customerId, email);
    const sms = winBackSms(customerId);
    clock.setTime(Date.parse('2026-06-03T12:00:00.000Z'));
    try {
      expect(await deliverMessage(ports, customerId, sms)).toMatchObject({ status: 'sent' });
    } finally {
      clock.setTime(Date.parse('2026-06-01T12:00:00.000Z'));
    }

    const answer = await postSes(complaint(email.messageId));
    const again = await postSes(complaint(email.messageId));
    const smsAnswer = await postSms(smsStatus(sms.messageId, 'SUCCESS', 'Message has been accepted by phone carrier', '2026-06-03 12:00:04.000'));

    expect(answer).toEqual({ status: 200, body: { outcome: { kind: 'applied', messageId: email.messageId, customerId, log: 'updated', optOut: 'recorded' } } });
    expect(again).toEqual({ status: 200, body: { outcome: { kind: 'applied', messageId: email.messageId, customerId, log: 'unchanged', optOut: 'already' } } });
    expect(smsAnswer.body).toMatchObject({ outcome: { kind: 'applied', log: 'updated' } });
    const items = await outbox(customerId);
    expect(items.find((item) => item.messageId === email.messageId && item.status === 'sent')).toMatchObject({ deliveryStatus: 'complained' });
    expect(items.find((item) => item.messageId === sms.messageId && item.status === 'sent')).toMatchObject({ deliveryStatus: 'delivered' });
  });

  it('a body that is not an event is a 400 and changes nothing', async () => {
    const customerId = await customerWithOrder();
    const message = thankYou(customerId);
    await deliverMessage(ports, customerId, message);
    const before = await partitionOf(customerId);

    for (const body of ['nope', '{}', JSON.stringify({ eventType: 'Bounce', mail: sesMail(message.messageId) })]) {
      expect((await postSes(body)).status).toBe(400);
    }
    expect((await postSms(smsStatus(message.messageId, 'SUCCESS', 'ok', 'yesterday'))).status).toBe(400);
    expect(await partitionOf(customerId)).toEqual(before);
  });
});
