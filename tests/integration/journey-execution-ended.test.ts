/**
 * The admin view tells the truth: when a journey's execution ends other than by success (it failed,
 * timed out, or someone aborted it outside Comeback), the status change the service reports marks
 * the entry failed with the reason, so the customer is no longer listed as inside the journey. An
 * entry that Comeback itself ended (converted, removed) keeps its status. A loyalty invitation a
 * failed post-purchase journey was carrying fails with it.
 */
import { describe, expect, it } from 'vitest';
import { DynamoJourneyStore } from '../../functions/adapters/journey-store.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { entryIdFor, type JourneyEntry } from '../../functions/core/journeys.ts';
import { handler as journeyCustomers } from '../../functions/handlers/journey-customers.ts';
import { journeyExecutionEnded } from '../../functions/handlers/journey-execution-ended.ts';
import { adminEvent, lambdaContext, uniqueId } from '../support/events.ts';

const store = new DynamoJourneyStore(documentClient, tableName);

function statusChange(entry: JourneyEntry, status: 'FAILED' | 'TIMED_OUT' | 'ABORTED', failure: { error?: string; cause?: string } = {}) {
  return {
    version: '0',
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: {
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:comeback-${entry.journey}:${entry.entryId}`,
      name: entry.entryId,
      status,
      input: JSON.stringify({ entry }),
      error: failure.error ?? null,
      cause: failure.cause ?? null,
    },
  };
}

async function activeEntry(label: string): Promise<JourneyEntry> {
  const customerId = uniqueId(label);
  const entry: JourneyEntry = { journey: 'win-back', entryId: `win-back-${customerId}`, customerId, enteredAt: '2026-06-01T02:00:00.000Z' };
  expect(await store.createEntry({ ...entry, status: 'active', holdout: false })).toBe(true);
  return entry;
}

interface Listed {
  customerId: string;
  failure?: string;
}

/** The admin list of the win-back entries in a status, every page of it. */
async function listOf(status?: string): Promise<Listed[]> {
  const items: Listed[] = [];
  let cursor: string | undefined;
  do {
    const query = { ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) };
    const result = await journeyCustomers({ ...adminEvent('/v1/journeys/win-back/customers', { name: 'win-back' }), queryStringParameters: query }, lambdaContext);
    expect(result.statusCode).toBe(200);
    const page = JSON.parse(result.body ?? '{}') as { items: Listed[]; cursor?: string };
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

async function listed(customerId: string): Promise<boolean> {
  return (await listOf()).some((item) => item.customerId === customerId);
}

describe('a journey execution that ends other than by success', () => {
  it.each([
    { status: 'FAILED' as const, failure: { error: 'States.Runtime', cause: 'An error occurred while executing the state' }, reason: 'States.Runtime: An error occurred while executing the state' },
    { status: 'TIMED_OUT' as const, failure: {}, reason: 'States.TIMED_OUT: the execution ended as TIMED_OUT' },
    { status: 'ABORTED' as const, failure: { cause: 'stopped in the console' }, reason: 'States.ABORTED: stopped in the console' },
  ])('marks an active entry failed with the reason when the execution is $status', async ({ status, failure, reason }) => {
    const entry = await activeEntry(`ended-${status.toLowerCase()}`);
    expect(await listed(entry.customerId)).toBe(true);

    const answer = await journeyExecutionEnded(statusChange(entry, status, failure));

    expect(answer).toEqual({ entryFailed: true });
    expect(await store.getEntry(entry)).toMatchObject({ status: 'failed', failure: reason, endedAt: expect.any(String) });
    expect(await listed(entry.customerId)).toBe(false);
    expect((await listOf('failed')).find((item) => item.customerId === entry.customerId)).toMatchObject({ failure: reason });
    // Told twice (EventBridge delivers at least once): nothing changes.
    expect(await journeyExecutionEnded(statusChange(entry, status, failure))).toEqual({ entryFailed: false });
  });

  it('leaves an entry that Comeback ended itself as it is', async () => {
    const entry = await activeEntry('ended-converted');
    expect(await store.updateActiveEntry(entry, { status: 'converted', endedAt: '2026-06-03T10:00:00.000Z', convertedOrderId: 'o-1' })).toBe(true);

    expect(await journeyExecutionEnded(statusChange(entry, 'ABORTED', { cause: 'converted by order o-1' }))).toEqual({ entryFailed: false });

    expect(await store.getEntry(entry)).toMatchObject({ status: 'converted', convertedOrderId: 'o-1' });
  });

  it('ends the loyalty invitation a failed post-purchase journey was carrying, whether or not its RecordFailure step marked the journey first', async () => {
    const customerId = uniqueId('ended-carrier');
    const carrier: JourneyEntry = { journey: 'post-purchase', entryId: `post-purchase-${customerId}`, customerId, enteredAt: '2026-06-01T02:00:00.000Z', orderId: 'o-3' };
    const invite: JourneyEntry = { journey: 'loyalty-invite', entryId: entryIdFor('loyalty-invite', customerId, 'once'), customerId, enteredAt: '2026-06-01T02:00:00.000Z' };
    expect(await store.createEntry({ ...carrier, status: 'failed', holdout: false, failure: 'JourneyStepFailed: a journey step failed after its retries' })).toBe(true);
    expect(await store.createEntry({ ...invite, status: 'active', holdout: false })).toBe(true);

    expect(await journeyExecutionEnded(statusChange(carrier, 'FAILED', { error: 'JourneyStepFailed', cause: 'a journey step failed after its retries' }))).toEqual({ entryFailed: false });

    expect(await store.getEntry(invite)).toMatchObject({ status: 'failed', failure: 'JourneyStepFailed: the post-purchase journey carrying it ended: a journey step failed after its retries' });
  });

  it('leaves the loyalty invitation alone when another journey fails', async () => {
    const entry = await activeEntry('ended-not-carrier');
    const invite: JourneyEntry = { journey: 'loyalty-invite', entryId: entryIdFor('loyalty-invite', entry.customerId, 'once'), customerId: entry.customerId, enteredAt: '2026-06-01T02:00:00.000Z' };
    expect(await store.createEntry({ ...invite, status: 'active', holdout: false })).toBe(true);

    expect(await journeyExecutionEnded(statusChange(entry, 'FAILED'))).toEqual({ entryFailed: true });

    expect(await store.getEntry(invite)).toMatchObject({ status: 'active' });
  });

  it('answers a status or a cursor the list does not know with a 400', async () => {
    for (const query of [{ status: 'sleeping' }, { cursor: 'not-a-cursor' }, { cursor: Buffer.from(JSON.stringify({ gsi1pk: 'JOURNEY#post-purchase#active' })).toString('base64url') }]) {
      const result = await journeyCustomers({ ...adminEvent('/v1/journeys/win-back/customers', { name: 'win-back' }), queryStringParameters: query }, lambdaContext);
      expect(result.statusCode, JSON.stringify(query)).toBe(400);
      expect(result.headers?.['content-type']).toBe('application/problem+json');
    }
  });

  it('ignores events that are not about a journey execution', async () => {
    expect(await journeyExecutionEnded({ source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: { name: 'x', status: 'FAILED', input: '{"not":"an entry"}' } })).toEqual({ entryFailed: false });
    expect(await journeyExecutionEnded({ 'detail-type': 'Scheduled Event' })).toEqual({ entryFailed: false });
  });
});
