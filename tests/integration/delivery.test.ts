/**
 * Delivery on DynamoDB Local with the real adapters and the outbox: the frequency cap across
 * journeys, one-click unsubscribe followed by suppression, bounces, and manager tasks through
 * the admin routes. The virtual clock drives every timestamp.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';

vi.hoisted(() => {
  // Read once by the modules below, when they are first imported.
  Object.assign(process.env, {
    COMEBACK_DELIVERY: 'outbox',
    COMEBACK_OUTBOX_PRINT: 'on',
    COMEBACK_PUBLIC_URL: 'https://api.shop.example',
    COMEBACK_UNSUBSCRIBE_SECRET: 'unsub_test_current,unsub_test_previous',
  });
});

import { useClock } from '../../functions/adapters/clock.ts';
import { deliveryPorts } from '../../functions/adapters/delivery-ports.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoContacts, DynamoMessageLog } from '../../functions/adapters/message-log.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { deliverMessage } from '../../functions/core/delivery/deliver.ts';
import { defaultDeliveryPolicy, wakeOffsetMs } from '../../functions/core/delivery/guardrails.ts';
import { signUnsubscribeToken } from '../../functions/core/delivery/unsubscribe.ts';
import { handler as completeTask } from '../../functions/handlers/complete-task.ts';
import { handler as listTasks } from '../../functions/handlers/list-tasks.ts';
import { handler as unsubscribe } from '../../functions/handlers/unsubscribe.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { messageIntents } from '../support/message-intents.ts';
import { httpEvent, lambdaContext, uniqueId } from '../support/events.ts';

const DAY = 86_400_000;
let clock = new Date('2026-06-01T09:00:00.000Z'); // 12:00 in Kyiv
const ports = deliveryPorts();
const { winBackEmail, offer, loyaltyInvite: loyalty, thankYou } = messageIntents('https://shop.example');
const log = new DynamoMessageLog(documentClient, tableName);
const contacts = new DynamoContacts(documentClient, tableName);
const ledger = new DynamoPurchaseLedger(documentClient, tableName);
let stdout: MockInstance<typeof process.stdout.write>;
const printed = () => stdout.mock.calls.map(([block]) => String(block)).filter((block) => block.includes('OUTBOX'));

useClock({ now: () => clock });
beforeEach(() => {
  clock = new Date('2026-06-01T09:00:00.000Z');
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());
afterAll(() => useClock({ now: () => new Date() }));

/** A customer with one recorded order (or one more, given an existing id). */
async function customer(customerId = uniqueId('cust')) {
  const status = await ledger.recordPurchase(
    {
      orderId: uniqueId('order'),
      placedAt: '2026-03-01T08:00:00.000Z',
      currency: 'USD',
      totalMinor: 5497,
      customer: { id: customerId, email: 'ada@example.com', phone: '+15555550123', name: 'Ada', timezone: 'Europe/Kyiv', consent: { email: true, sms: true } },
      items: [{ sku: 'DOG-FOOD', name: 'Dog food', category: 'pet-food', quantity: 1, unitPriceMinor: 5497 }],
    },
    { source: 'comeback' },
  );
  expect(status).toBe('recorded');
  return customerId;
}

const history = (customerId: string) => log.recent(customerId, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');

function withQuery(event: ReturnType<typeof httpEvent>, query: Record<string, string>) {
  return { ...event, queryStringParameters: query, rawQueryString: new URLSearchParams(query).toString() };
}

function parse(result: { statusCode?: number; body?: string; headers?: Record<string, unknown> }) {
  return { status: result.statusCode, type: result.headers?.['content-type'], body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

describe('frequency cap on DynamoDB', () => {
  it('holds the third marketing message of the week across journeys until the oldest leaves the window', async () => {
    const customerId = await customer();

    const first = await deliverMessage(ports, customerId, winBackEmail(customerId));
    clock = new Date(clock.getTime() + DAY);
    const second = await deliverMessage(ports, customerId, offer(customerId));
    clock = new Date(clock.getTime() + DAY);
    const third = await deliverMessage(ports, customerId, loyalty(customerId));

    expect([first.status, second.status]).toEqual(['sent', 'sent']);
    // The slot frees at 09:00 on 8 June; the customer wakes within the hour after it, at their own minute.
    const wake = Date.parse('2026-06-08T09:00:00.000Z') + wakeOffsetMs(customerId, defaultDeliveryPolicy.wakeSpreadMs);
    expect(third).toMatchObject({ status: 'capped', deferredUntil: new Date(wake).toISOString() });
    expect(printed()).toHaveLength(2);
    expect(printed()[0]).toContain('To: ada@example.com\nSubject: We miss you!');
    expect(printed()[0]).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

    // A retried step finds its message already sent: nothing new goes out or is counted.
    await expect(deliverMessage(ports, customerId, winBackEmail(customerId))).resolves.toMatchObject({ status: 'sent' });
    clock = new Date(wake);
    await expect(deliverMessage(ports, customerId, loyalty(customerId))).resolves.toEqual({ status: 'sent' });

    const entries = await history(customerId);
    expect(entries.map((entry) => [entry.at, entry.journey, entry.status])).toEqual([
      ['2026-06-01T09:00:00.000Z', 'win-back', 'sent'],
      ['2026-06-02T09:00:00.000Z', 'post-purchase', 'sent'],
      ['2026-06-03T09:00:00.000Z', 'loyalty-invite', 'capped'],
      [new Date(wake).toISOString(), 'loyalty-invite', 'sent'],
    ]);
    expect(printed()).toHaveLength(3);
  });
});

describe('POST /v1/unsubscribe', () => {
  it('records a one-click opt-out, after which marketing email is suppressed, even after another purchase', async () => {
    const customerId = await customer();
    await deliverMessage(ports, customerId, thankYou(customerId));
    const [sent] = await history(customerId);
    const link = /https:\/\/api\.shop\.example\/v1\/unsubscribe\?token=([\w-]+)/.exec(sent?.text ?? '');
    expect(link).not.toBeNull();

    const answer = await unsubscribe(
      withQuery(httpEvent({ path: '/v1/unsubscribe', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), { token: link![1]! }),
      lambdaContext,
    );

    expect(parse(answer)).toEqual({ status: 200, type: 'application/json', body: { customerId, channel: 'email', status: 'unsubscribed' } });
    await customer(customerId); // a later purchase rewrites the profile
    const outcome = await deliverMessage(ports, customerId, winBackEmail(customerId));
    expect(outcome).toMatchObject({ status: 'suppressed', reason: expect.stringContaining('unsubscribed from email') });
    expect(printed()).toHaveLength(1);
    expect((await history(customerId)).map((entry) => entry.status)).toEqual(['sent', 'suppressed']);
  });

  it('takes the token from a JSON or form body too, and keeps the first opt-out time', async () => {
    const customerId = uniqueId('cust');
    const token = signUnsubscribeToken('unsub_test_previous', customerId, 'sms');

    const json = await unsubscribe(httpEvent({ path: '/v1/unsubscribe', body: JSON.stringify({ token }), headers: { 'content-type': 'application/json' } }), lambdaContext);
    clock = new Date(clock.getTime() + DAY);
    const form = await unsubscribe(httpEvent({ path: '/v1/unsubscribe', body: `token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), lambdaContext);

    expect(parse(json).body).toEqual({ customerId, channel: 'sms', status: 'unsubscribed' });
    expect(parse(form).status).toBe(200);
    expect(await contacts.preferences(customerId)).toEqual({ email: {}, sms: { optedOutAt: '2026-06-01T09:00:00.000Z' } });
  });

  it('answers 400 problem+json for a missing or forged token, and records nothing', async () => {
    const customerId = uniqueId('cust');
    const forged = signUnsubscribeToken('not-our-secret', customerId, 'email');

    const missing = await unsubscribe(httpEvent({ path: '/v1/unsubscribe', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), lambdaContext);
    const bad = await unsubscribe(withQuery(httpEvent({ path: '/v1/unsubscribe' }), { token: forged }), lambdaContext);

    for (const answer of [missing, bad]) {
      expect(parse(answer)).toMatchObject({ status: 400, type: 'application/problem+json', body: { title: 'Invalid request' } });
    }
    expect(await contacts.preferences(customerId)).toEqual({ email: {}, sms: {} });
  });

  it('shows a confirmation page on GET and changes nothing', async () => {
    const customerId = uniqueId('cust');
    const token = signUnsubscribeToken('unsub_test_current', customerId, 'email');

    const page = await unsubscribe(withQuery(httpEvent({ method: 'GET', path: '/v1/unsubscribe' }), { token }), lambdaContext);

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<form method="post" action="?token=${token}">`);
    expect(await contacts.preferences(customerId)).toEqual({ email: {}, sms: {} });
  });
});

describe('bounces', () => {
  it('stop every email to the address, the thank-you included', async () => {
    const customerId = await customer();
    await contacts.recordBounce(customerId, 'email', 'bounce');

    const outcome = await deliverMessage(ports, customerId, thankYou(customerId));

    expect(outcome).toEqual({ status: 'suppressed', reason: 'email is suppressed after a bounce' });
    expect(printed()).toEqual([]);
  });
});

describe('manager tasks', () => {
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  async function findTask(status: 'open' | 'done', id: string) {
    let cursor: string | undefined;
    do {
      const answer = parse(await listTasks(withQuery(httpEvent({ method: 'GET', path: '/v1/tasks', headers: admin }), { status, limit: '500', ...(cursor ? { cursor } : {}) }), lambdaContext));
      expect(answer.status).toBe(200);
      const found = (answer.body['items'] as Record<string, unknown>[]).find((item) => item['id'] === id);
      if (found) return found;
      cursor = answer.body['cursor'] as string | undefined;
    } while (cursor);
    return undefined;
  }

  function complete(id: string, body: unknown, headers: Record<string, string> = admin) {
    return completeTask(
      httpEvent({ path: `/v1/tasks/${id}/complete`, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers }, pathParameters: { id } }),
      lambdaContext,
    );
  }

  it('lists a win-back call as open and completes it once with the churn reason', async () => {
    const customerId = await customer();
    clock = new Date('2026-06-01T20:30:00.000Z'); // 23:30 in Kyiv: tasks do not wait for morning
    const outcome = await deliverMessage(ports, customerId, {
      messageId: `${customerId}.win-back.call`,
      journey: 'win-back',
      step: 'call',
      channel: 'task',
      template: 'win-back-call',
      marketing: false,
      priority: 1,
      variables: { discountCode: 'COMEBACK-7QX2A1B3' },
      task: { reason: 'no answer to the win-back email and SMS', dueAt: '2026-06-02T09:00:00.000Z' },
    });
    const id = outcome.taskId!;

    expect(outcome).toEqual({ status: 'sent', taskId: `${customerId}.win-back.call` });
    expect(printed()[0]).toContain(`task\nTask: ${id}\nSubject: Win-back call: Ada`);
    expect(await findTask('open', id)).toMatchObject({
      id,
      customerId,
      journey: 'win-back',
      reason: 'no answer to the win-back email and SMS',
      dueAt: '2026-06-02T09:00:00.000Z',
      status: 'open',
      historyAtAGlance: { orderCount: 1, lastOrderAt: '2026-03-01T08:00:00.000Z', netRevenueMinor: 5497, currency: 'USD' },
    });

    const withoutReason = parse(await complete(id, { outcome: 'Reached: not interested' }));
    const offTheList = parse(await complete(id, { outcome: 'reached', churnReason: 'price' }));
    const done = parse(await complete(id, { outcome: 'Reached: not interested', churnReason: 'price', note: 'found it cheaper' }));
    const again = parse(await complete(id, { outcome: 'Reached: not interested', churnReason: 'price', note: 'found it cheaper' }));
    const different = parse(await complete(id, { outcome: 'Reached: not interested', churnReason: 'quality' }));

    expect(withoutReason).toMatchObject({ status: 400, body: { errors: [{ path: 'churnReason' }] } });
    expect(offTheList).toMatchObject({ status: 422, body: { detail: expect.stringContaining('Reached: will order again, Reached: not interested') } });
    expect(done).toMatchObject({ status: 200, body: { id, status: 'done', outcome: 'Reached: not interested', churnReason: 'price', note: 'found it cheaper', completedAt: '2026-06-01T20:30:00.000Z' } });
    expect(again).toEqual(done);
    expect(different.status).toBe(409);
    expect(await findTask('open', id)).toBeUndefined();
    expect(await findTask('done', id)).toMatchObject({ id, churnReason: 'price' });
  });

  it('answers 401 without the admin token and 404 for an unknown task', async () => {
    const list = await listTasks(withQuery(httpEvent({ method: 'GET', path: '/v1/tasks' }), { status: 'open' }), lambdaContext);
    const wrong = await listTasks(withQuery(httpEvent({ method: 'GET', path: '/v1/tasks', headers: { authorization: 'Bearer nope' } }), { status: 'open' }), lambdaContext);
    const completeAnonymously = await complete('any', { outcome: 'x' }, {});
    const unknown = await complete(uniqueId('task'), { outcome: 'x' });
    const badStatus = await listTasks(withQuery(httpEvent({ method: 'GET', path: '/v1/tasks', headers: admin }), { status: 'pending' }), lambdaContext);

    expect([list.statusCode, wrong.statusCode, completeAnonymously.statusCode, unknown.statusCode, badStatus.statusCode]).toEqual([401, 401, 401, 404, 400]);
  });
});
