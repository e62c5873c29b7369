/**
 * The journey funnels of GET /v1/metrics on DynamoDB Local: each message log entry adds to its
 * step's count of the day with its first write only, so a retried step is not counted twice.
 */
import { describe, expect, it } from 'vitest';
import { DynamoMessageLog } from '../../functions/adapters/message-log.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import type { MessageLogEntry } from '../../functions/core/delivery/types.ts';
import { handler } from '../../functions/handlers/get-metrics.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { httpEvent, lambdaContext, uniqueId } from '../support/events.ts';

type Answer = { statusCode?: number; body?: string };
const call = handler as unknown as (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<Answer>;
const log = new DynamoMessageLog(documentClient, tableName);

async function funnels(from: string, to: string): Promise<Record<string, Record<string, Record<string, number>>>> {
  const event = httpEvent({ method: 'GET', path: '/v1/metrics', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  const answer = await call({ ...event, queryStringParameters: { from, to } }, lambdaContext);
  expect(answer.statusCode, answer.body).toBe(200);
  return (JSON.parse(answer.body!) as { funnels: Record<string, Record<string, Record<string, number>>> }).funnels;
}

describe('GET /v1/metrics funnels', () => {
  it("counts each step's log entries by status and day, a retried write once", async () => {
    // A step of its own, so the other files writing to the shared table do not count in it.
    const step = uniqueId('step');
    const entry = (customerId: string, at: string, status: MessageLogEntry['status']): MessageLogEntry => ({
      messageId: `${customerId}.${step}`,
      at,
      customerId,
      journey: 'win-back',
      step,
      channel: 'email',
      status,
      marketing: true,
      priority: 1,
    });
    const [ada, bob, cleo] = ['ada', 'bob', 'cleo'].map((name) => uniqueId(name));
    await log.record(entry(ada!, '2026-03-01T22:00:00.000Z', 'deferred'));
    await log.claim(entry(ada!, '2026-03-02T08:00:00.000Z', 'sent'));
    await log.record(entry(ada!, '2026-03-02T08:00:00.000Z', 'sent'));
    // The step retried after its write: the same entry again.
    await log.record(entry(ada!, '2026-03-02T08:00:00.000Z', 'sent'));
    await log.record(entry(bob!, '2026-03-02T08:00:00.000Z', 'suppressed'));
    await log.claim(entry(cleo!, '2026-03-03T08:00:00.000Z', 'sent'));
    await log.record(entry(cleo!, '2026-03-03T08:00:00.000Z', 'sent'));

    const all = await funnels('2026-03-01', '2026-03-03');
    const lastTwo = await funnels('2026-03-02', '2026-03-02');

    expect(all['win-back']?.[step]).toEqual({ sent: 2, deferred: 1, suppressed: 1, failed: 0, skipped: 0 });
    expect(lastTwo['win-back']?.[step]).toEqual({ sent: 1, deferred: 0, suppressed: 1, failed: 0, skipped: 0 });
    // The retried write still left the message sent, with its guard confirmed.
    expect(await log.sentMessage(`${ada!}.${step}`)).toEqual({ messageId: `${ada!}.${step}`, customerId: ada });
  });
});
