/**
 * Fault injection under running journeys, through the real state machine definitions: SES and SNS
 * mocked, everything else real. An error that may pass (an outage, throttling) is retried by the
 * state machine without sending twice, and a long one is caught, recorded against the journey entry
 * and fails the execution (to be redriven). A message the provider refuses for good is logged with
 * the reason and the journey goes on: a failed SMS still reaches the manager's call task. Half of
 * the entrants here are held out, so the holdout's rules show too: the thank-you goes, marketing
 * does not.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  Object.assign(process.env, {
    COMEBACK_DELIVERY: 'aws',
    COMEBACK_EMAIL_FROM: 'shop@example.com',
    COMEBACK_MANAGER_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:comeback-managers',
    COMEBACK_HOLDOUT_SHARE: '0.5',
  });
});

import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { DynamoJourneyStore } from '../../functions/adapters/journey-store.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoTasks } from '../../functions/adapters/message-log.ts';
import { isHeldOut } from '../../functions/core/journey-engine.ts';
import { entryIdFor, type StateMachineJourney } from '../../functions/core/journeys.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime } from '../support/environment.ts';
import { lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const HOLDOUT_SHARE = 0.5;
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const store = new DynamoJourneyStore(documentClient, tableName);
const tasks = new DynamoTasks(documentClient, tableName);
const clock = journeyRuntime.clock;

afterEach(() => {
  ses.reset();
  sns.reset();
});

/** What the SDK throws for an AWS error response: the error code as its name, and who is at fault. */
function awsError(name: string, message: string, fault: 'client' | 'server', status: number): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

/**
 * An id for which the journey's entry is held out, or not: entry ids are deterministic (the
 * customer, and the order or the inactivity episode), and so is the holdout.
 */
function idFor(label: string, journey: StateMachineJourney, episode: (id: string) => string, heldOut: boolean): string {
  for (;;) {
    const id = uniqueId(label);
    if (isHeldOut(entryIdFor(journey, id, episode(id)), HOLDOUT_SHARE) === heldOut) return id;
  }
}

async function buy(customerId: string, options: { orderId?: string; phone?: string; email?: string } = {}) {
  const payload = {
    orderId: options.orderId ?? uniqueId('order'),
    placedAt: clock.now().toISOString(),
    currency: 'EUR',
    total: '20.00',
    customer: { id: customerId, email: options.email ?? 'ada@example.com', ...(options.phone ? { phone: options.phone } : {}), name: 'Ada', timezone: 'Europe/Kyiv', consent: { email: true, sms: true } },
    items: [{ sku: 'TEA', quantity: 1, unitPrice: '20.00' }],
  };
  expect((await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext)).statusCode).toBe(202);
  await clock.advance({ minutes: 1 });
  return payload.orderId;
}

function executionOf(customerId: string, journey: StateMachineJourney) {
  const execution = journeyRuntime.stepFunctions.list().find((candidate) => candidate.name.startsWith(`${journey}-`) && JSON.parse(candidate.input).entry.customerId === customerId);
  expect(execution, `${journey} of ${customerId}`).toBeDefined();
  return execution!;
}

describe('SES outages under a journey', () => {
  it('retries the step through a short outage and sends the thank-you exactly once', async () => {
    ses.on(SendEmailCommand).rejectsOnce(awsError('ServiceUnavailableException', 'SES is down', 'server', 503)).rejectsOnce(awsError('ServiceUnavailableException', 'SES is down', 'server', 503)).resolves({ MessageId: 'm-1' });
    const customerId = uniqueId('ses-recovers');

    await buy(customerId);

    const execution = executionOf(customerId, 'post-purchase');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    // Local retries happen at the same virtual instant, where the log keeps one entry per status.
    expect((await outbox(customerId)).map((item) => `${item.step}:${item.status}`)).toEqual(['thank-you:failed', 'thank-you:sent']);
    expect(execution.status).toBe('RUNNING');
    expect(execution.statesEntered.slice(0, 2)).toEqual(['ThankYouEmail', 'WaitForFeedbackEmail']);
  });

  it('retries a throttled send, and then sends it once', async () => {
    ses.on(SendEmailCommand).rejectsOnce(awsError('TooManyRequestsException', 'Maximum sending rate exceeded.', 'client', 429)).resolves({ MessageId: 'm-2' });
    const customerId = uniqueId('ses-throttled');

    await buy(customerId);

    const log = await outbox(customerId);
    expect(log.map((item) => `${item.step}:${item.status}`)).toEqual(['thank-you:failed', 'thank-you:sent']);
    expect(log[0]?.reason).toBe('TransientSendError: SES TooManyRequestsException: Maximum sending rate exceeded.');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(executionOf(customerId, 'post-purchase').statesEntered.slice(0, 2)).toEqual(['ThankYouEmail', 'WaitForFeedbackEmail']);
  });

  it('records a long outage against the journey and fails the execution, without losing the entry', async () => {
    ses.on(SendEmailCommand).rejects(awsError('ServiceUnavailableException', 'SES is down', 'server', 503));
    const customerId = uniqueId('ses-down');

    await buy(customerId);
    const execution = executionOf(customerId, 'post-purchase');
    await execution.done;

    expect(execution.status).toBe('FAILED');
    expect(execution.statesEntered).toEqual(['ThankYouEmail', 'RecordFailure', 'Failed']);
    const [entry] = await store.listEntries(customerId);
    expect(entry).toMatchObject({ journey: 'post-purchase', status: 'failed' });
    expect(entry?.failure).toMatch(/ServiceUnavailable/);
    expect((await outbox(customerId)).map((item) => item.status)).toEqual(['failed']);
    // One attempt plus the five retries of the definition's States.TaskFailed retrier, no more.
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(6);
  });
});

describe('a message refused for good', () => {
  it('logs an SMS to an invalid number as failed with the reason, and win-back still reaches the manager call task', async () => {
    // Prepare: a customer outside the holdout, whose last order is 61 days old; the SMS provider refuses the number.
    const today = clock.now().toISOString().slice(0, 10);
    const customerId = idFor('sms-refused', 'win-back', () => today, false);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });
    sns.on(PublishCommand).resolves({ MessageId: 'task-notice' });
    sns.on(PublishCommand, { PhoneNumber: '+15550000' }).rejects(awsError('InvalidParameterException', 'Invalid parameter: PhoneNumber Reason: +15550000 is not valid to publish to', 'client', 400));
    await buy(customerId, { phone: '+15550000' });

    // Act: the sweep starts win-back; the email, then the SMS a week later, then the call a week after.
    await clock.advance({ days: 61 + 14 });

    // Assess
    const winBack = (await outbox(customerId)).filter((item) => item.journey === 'win-back' && item.status !== 'deferred');
    expect(winBack.map((item) => `${item.step}:${item.status}`)).toEqual(['miss-you-email:sent', 'reminder-sms:failed', 'manager-call:sent']);
    expect(winBack[1]?.reason).toBe('SNS InvalidParameterException: Invalid parameter: PhoneNumber Reason: +15550000 is not valid to publish to');
    // Tried once: refused for good is not retried.
    expect(sns.commandCalls(PublishCommand).filter((call) => call.args[0].input.PhoneNumber === '+15550000')).toHaveLength(1);
    const execution = executionOf(customerId, 'win-back');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toContain('ManagerCallTask');
    expect(execution.statesEntered).not.toContain('RecordFailure');
    const call = winBack[2]!;
    const task = await tasks.get(call.id.split('#')[1]!);
    expect(task).toMatchObject({ customerId, journey: 'win-back', status: 'open' });
    expect(task?.text).toContain('Please call Ada on +15550000');
    // The manager heard of it on the topic (other customers' journeys run on the same clock: count this task's notices).
    expect(sns.commandCalls(PublishCommand).filter((call) => call.args[0].input.MessageAttributes?.['taskId']?.StringValue === task?.taskId)).toHaveLength(1);
    const [entry] = (await store.listEntries(customerId)).filter((candidate) => candidate.journey === 'win-back');
    expect(entry).toMatchObject({ status: 'completed', step: 'manager-call' });
  });
});

describe('the holdout group', () => {
  it('gets the order thank-you, which is transactional, but not the feedback email, which is marketing', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-4' });
    const customerId = uniqueId('held-out');
    let orderId = uniqueId('order');
    while (!isHeldOut(entryIdFor('post-purchase', customerId, orderId), HOLDOUT_SHARE)) orderId = uniqueId('order');

    // Its own address: the journeys of the file's other customers go on sending meanwhile.
    const email = `${customerId}@example.com`;
    await buy(customerId, { orderId, email });
    await clock.advance({ days: 8 });

    const [entry] = (await store.listEntries(customerId)).filter((candidate) => candidate.journey === 'post-purchase');
    expect(entry).toMatchObject({ holdout: true, status: 'active', step: 'feedback' });
    expect((await outbox(customerId)).map((item) => `${item.step}:${item.status}`)).toEqual(['thank-you:sent']);
    expect(ses.commandCalls(SendEmailCommand).filter((call) => call.args[0].input.Destination?.ToAddresses?.includes(email))).toHaveLength(1);
    expect(executionOf(customerId, 'post-purchase').statesEntered.filter((state) => /^(ThankYou|Feedback|Content|Offer)Email$/.test(state))).toEqual(['ThankYouEmail', 'FeedbackEmail']);
  });
});
