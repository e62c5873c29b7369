/**
 * Fault injection: SES failing under a running journey. The state machine's Retry absorbs a short
 * outage without sending twice; a long one is caught, recorded against the journey entry, and the
 * execution fails (to be redriven), with every failed attempt in the message log.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  Object.assign(process.env, {
    COMEBACK_DELIVERY: 'aws',
    COMEBACK_EMAIL_FROM: 'shop@example.com',
    COMEBACK_MANAGER_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:comeback-managers',
  });
});

import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { DynamoJourneyStore } from '../../functions/adapters/journey-store.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime } from '../support/environment.ts';
import { lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const ses = mockClient(SESv2Client);
const store = new DynamoJourneyStore(documentClient, tableName);

afterEach(() => ses.reset());

class ServiceUnavailable extends Error {
  override name = 'ServiceUnavailableException';
}

async function buy(customerId: string) {
  const payload = {
    orderId: uniqueId('order'),
    placedAt: journeyRuntime.clock.now().toISOString(),
    currency: 'EUR',
    total: '20.00',
    customer: { id: customerId, email: 'ada@example.com', timezone: 'Europe/Kyiv', consent: { email: true } },
    items: [{ sku: 'TEA', quantity: 1, unitPrice: '20.00' }],
  };
  expect((await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext)).statusCode).toBe(202);
  await journeyRuntime.clock.advance({ minutes: 1 });
  const execution = journeyRuntime.stepFunctions.list().find((candidate) => JSON.parse(candidate.input).entry.customerId === customerId);
  expect(execution).toBeDefined();
  return execution!;
}

describe('SES outages under a journey', () => {
  it('retries the step through a short outage and sends the thank-you exactly once', async () => {
    ses.on(SendEmailCommand).rejectsOnce(new ServiceUnavailable('SES is down')).rejectsOnce(new ServiceUnavailable('SES is down')).resolves({ MessageId: 'm-1' });
    const customerId = uniqueId('ses-recovers');

    const execution = await buy(customerId);

    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
    // Local retries happen at the same virtual instant, where the log keeps one entry per status.
    expect((await outbox(customerId)).map((item) => `${item.step}:${item.status}`)).toEqual(['thank-you:failed', 'thank-you:sent']);
    expect(execution.status).toBe('RUNNING');
    expect(execution.statesEntered.slice(0, 3)).toEqual(['ThankYouEmail', 'AfterThankYouEmail', 'WaitBeforeFeedbackEmail']);
  });

  it('records a long outage against the journey and fails the execution, without losing the entry', async () => {
    ses.on(SendEmailCommand).rejects(new ServiceUnavailable('SES is down'));
    const customerId = uniqueId('ses-down');

    const execution = await buy(customerId);
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
