/**
 * The nightly state machine (workflows/nightly.asl.json) on the local interpreter, on DynamoDB Local:
 * the very file CDK deploys, its Distributed Map run inline. A night whose one key range fails stops
 * as failed with the other ranges kept; run again the same night, it recomputes only the ranges not
 * done; and what it leaves (state, snapshot, memberships, predictions, segment entries) is what the
 * single-function recompute leaves on the same data.
 */
import { DeleteCommand, DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { batchWriteItems } from '../../functions/adapters/queries.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { isoDay } from '../../functions/core/analytics/facts.ts';
import type { CustomerSeenEvent, SegmentEnteredEvent, SegmentEvents } from '../../functions/core/analytics/recompute.ts';
import { seededRandom, simulateBgnbdCustomer } from '../../functions/core/models/index.ts';
import { localCredentials, localRegion } from '../../lib/local/dynamodb-local.ts';
import { journeyRuntime } from '../support/environment.ts';
import { profileOf } from '../unit/analytics/customers.ts';

vi.hoisted(() => {
  process.env['COMEBACK_RECOMPUTE_SETTINGS'] = JSON.stringify({ recency: { minGaps: 100_000 }, models: { minRepeatBuyers: 20 }, scan: { totalSegments: 4, minRanges: 4 } });
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
});

const CUSTOMERS = 80;
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: localRegion, credentials: localCredentials }), {
  marshallOptions: { removeUndefinedValues: true },
});
const table = () => process.env['TABLE_NAME']!;
type Item = Record<string, unknown>;

let recompute: { useSegmentEvents(events: SegmentEvents): void };

/** Customer `index`: BG/NBD purchases with CDNOW's parameters, made from her index alone. */
function profile(index: number, today: number) {
  const random = seededRandom(index + 1);
  const age = 60 + Math.floor(random() * 500);
  const { x, tx } = simulateBgnbdCustomer(random, { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 }, age);
  const days = [today - age, ...Array.from({ length: x }, (_, k) => today - age + Math.max(1, Math.round((tx * (k + 1)) / x)))];
  return profileOf(`night-${index}`, days.map((day) => ({ at: isoDay(day), totalMinor: 1000 + Math.floor(random() * 9000), category: index % 2 ? 'toys' : 'pet-food' })));
}

async function scanAll(): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client }, { TableName: table(), ConsistentRead: true })) items.push(...(page.Items ?? []));
  return items;
}

async function putAll(items: Item[]): Promise<void> {
  await batchWriteItems(client, table(), items.map((Item) => ({ PutRequest: { Item } })));
}

/** What a night of the recompute leaves, in a form two nights can be compared by. */
function recomputeResult(items: Item[]) {
  const pick = (pk: string, sk: string) => items.find((item) => item['pk'] === pk && item['sk'] === sk);
  const { version: _stateVersion, ...state } = pick('RECOMPUTE', 'STATE') ?? {};
  return {
    state,
    snapshot: items.find((item) => item['pk'] === 'METRICS'),
    models: pick('MODEL', 'CURRENT'),
    memberships: items.filter((item) => item['type'] === 'segmentMembership').map((item) => `${String(item['pk'])} ${String(item['sk'])} ${String(item['since'])}`).sort(),
    predictions: items.filter((item) => String(item['sk']) === 'PREDICTIONS').sort((u, v) => String(u['pk']).localeCompare(String(v['pk']))),
  };
}

/** Records what the recompute tells, and fails for one customer while `failFor` names her. */
function listen(failFor?: string) {
  const told = { entered: [] as string[], seen: [] as string[] };
  const state = { failFor };
  recompute.useSegmentEvents({
    entered: async (event: SegmentEnteredEvent) => void told.entered.push(`${event.customerId} ${event.segment}`),
    seen: async (event: CustomerSeenEvent) => {
      if (event.customerId === state.failFor) throw new Error('injected failure of one key range');
      told.seen.push(event.customerId);
      return false;
    },
  });
  return { told, state };
}

beforeAll(async () => {
  recompute = await import('../../functions/handlers/nightly-recompute.ts');
  const today = Math.floor(journeyRuntime.clock.now().getTime() / 86_400_000);
  await putAll(
    Array.from({ length: CUSTOMERS }, (_, index) => {
      const customer = profile(index, today);
      return { ...keys.profile(customer.customerId), ...keys.readNightly(keys.profile(customer.customerId)), type: 'profile', ...customer, version: 1 };
    }),
  );
  // An earlier night (the first: it observes, then classifies) leaves yesterday's state and models.
  listen();
  await journeyRuntime.runJob('nightly-recompute');
  await journeyRuntime.clock.set(new Date('2026-06-02T02:00:00.000Z'), async () => false);
});

afterEach(() => listen());

describe('the nightly state machine', () => {
  it('resumes a failed night with the ranges not done, and leaves what the single-function recompute leaves', async () => {
    // Prepare: the store as it stands before tonight.
    const before = await scanAll();
    const day = '2026-06-02';

    // Act: tonight fails in the key range of one customer.
    const failing = listen('night-7');
    const failed = (await journeyRuntime.runJob('nightly')) as { status: string; error?: string; output?: unknown };

    // Assess: the execution failed at the end; the other ranges are kept as done.
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('NightlyWorkFailed');
    // The interpreter ends a Map at its first failed iteration while the others run on (on AWS the
    // service stops them): wait until those have finished, so the re-run's share is known.
    const doneRanges = async () => (await scanAll()).filter((item) => item['pk'] === `NIGHT#${day}` && String(item['sk']).startsWith('DONE#'));
    let kept = await doneRanges();
    for (let quiet = 0, polls = 0; quiet < 3 && polls < 100; polls += 1) {
      await new Promise((wake) => setTimeout(wake, 300));
      const now = await doneRanges();
      quiet = now.length === kept.length ? quiet + 1 : 0;
      kept = now;
    }
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(4);
    const customersDone = kept.reduce((sum, item) => sum + Number(item['customers']), 0);
    expect(failing.told.seen).not.toContain('night-7');

    // Act: run again the same night.
    const resumed = listen();
    const succeeded = (await journeyRuntime.runJob('nightly')) as { status: string; output?: { recompute?: { customers?: number } } };

    // Assess: only the ranges not done ran, the failed one among them; the night counts everyone.
    expect(succeeded.status).toBe('SUCCEEDED');
    expect(resumed.told.seen).toContain('night-7');
    expect(resumed.told.seen.length).toBe(CUSTOMERS - customersDone);
    expect(succeeded.output?.recompute?.customers).toBe(CUSTOMERS);
    const byStateMachine = recomputeResult(await scanAll());
    const enteredByStateMachine = [...failing.told.entered, ...resumed.told.entered].sort();

    // Act: a third run the same night does nothing; then the store as it stood, recomputed by the single function.
    const again = listen();
    expect(((await journeyRuntime.runJob('nightly')) as { status: string }).status).toBe('SUCCEEDED');
    expect(again.told.seen).toEqual([]);
    for (const item of await scanAll()) await client.send(new DeleteCommand({ TableName: table(), Key: { pk: item['pk'], sk: item['sk'] } }));
    await putAll(before);
    const single = listen();
    await journeyRuntime.runJob('nightly-recompute');

    // Assess: the same state, snapshot, models, memberships, predictions and segment entries.
    const bySingleFunction = recomputeResult(await scanAll());
    expect(byStateMachine.state['day']).toBe(day);
    expect(byStateMachine.memberships.length).toBeGreaterThan(CUSTOMERS);
    expect(byStateMachine.predictions.length).toBeGreaterThan(0);
    expect(byStateMachine).toEqual(bySingleFunction);
    expect(enteredByStateMachine).toEqual([...single.told.entered].sort());
  });
});
