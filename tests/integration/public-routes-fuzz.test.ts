/**
 * Property-based tests of every route a stranger can reach from a message (the unsubscribe and
 * feedback links, their forms, one-click) and of inbound SMS, on DynamoDB Local: whatever the
 * token, body, content type, Accept header or encoding, the answer is never a 5xx, pages stay
 * pages, and the table holds either the whole write or none of it. The storefront's consent route
 * and the platform webhooks too: whatever the signature and body, consent changes exactly when the
 * answer says so, and an order's deliveries in any order of arrival leave exactly what they must.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { useClock } from '../../functions/adapters/clock.ts';
import { feedbackToken } from '../../functions/core/analytics/feedback.ts';
import { requestSigningPayload } from '../../functions/core/loyalty/auth.ts';
import { joinToken } from '../../functions/core/loyalty/join-link.ts';
import { isSmsOptOut } from '../../functions/core/delivery/opt-outs.ts';
import { signUnsubscribeToken } from '../../functions/core/delivery/unsubscribe.ts';
import { signComebackPayload, signPlatformPayload } from '../../functions/core/signature.ts';
import { loyaltyPorts } from '../../functions/adapters/loyalty-ports.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoImportStore } from '../../functions/adapters/import-store.ts';
import { newImport } from '../../functions/core/imports/import-job.ts';
import { importQuerySchema } from '../../functions/core/imports/request.ts';
import { journeyRuntime, TEST_ADMIN_TOKEN, TEST_FEEDBACK_SECRET, TEST_SHOPIFY_SECRET, TEST_UNSUBSCRIBE_SECRET, TEST_WEBHOOK_SECRETS, TEST_WOOCOMMERCE_SECRET } from '../support/environment.ts';
import { uniqueId } from '../support/events.ts';
import { BROWSER_ACCEPT, call, customerView, customerWithOrder, FORM, inboundSms, partitionOf, receiveSms, type Request, type RouteKey } from './public-routes.ts';

useClock({ now: () => new Date('2026-06-01T12:00:00.000Z') });
afterAll(() => useClock({ now: () => new Date() }));

const RUNS = 60;
type TokenKind = 'valid' | 'forged' | 'tampered' | 'random' | 'none';

/** How the token of a request is made: ours, signed with another secret, changed by one character, anything, or absent. */
const tokenKind = fc.constantFrom<TokenKind>('valid', 'forged', 'tampered', 'random', 'none');

/**
 * The token of one request. A tampered token has one character changed, never the last: the last
 * character of base64url may carry bits that decoding drops, so changing it may leave the bytes.
 */
function tokenFor(kind: TokenKind, sign: (secret: string) => string, ours: string, random: string, position: number): string | undefined {
  switch (kind) {
    case 'valid':
      return sign(ours);
    case 'forged':
      return sign('not-our-secret');
    case 'tampered': {
      const token = sign(ours);
      const at = position % (token.length - 1);
      return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    }
    case 'random':
      return random;
    case 'none':
      return undefined;
  }
}

/** Mostly the types the routes take, so runs reach the writes as well as the refusals. */
const contentType = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(FORM) },
    { weight: 3, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
    { weight: 2, arbitrary: fc.constantFrom('application/merge-patch+json', 'multipart/form-data; boundary=x', 'text/plain', 'text/html') },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  ),
  { nil: undefined, freq: 8 },
);
const accept = fc.option(fc.oneof(fc.constantFrom(BROWSER_ACCEPT, 'application/json', '*/*', 'text/html'), fc.string({ maxLength: 40 })), { nil: undefined });
const formOf = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const body = fc.option(
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 2, arbitrary: fc.constantFrom('List-Unsubscribe=One-Click', '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n', '') },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('score', 'comment', 'token', 'List-Unsubscribe', 'x'), fc.string({ maxLength: 50 })).map(formOf) },
    { weight: 4, arbitrary: fc.record({ score: fc.oneof(fc.integer({ min: -2, max: 12 }).map(String), fc.string({ maxLength: 4 })), comment: fc.string({ maxLength: 2100 }) }).map(formOf) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.record({ score: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.string(), fc.double()), comment: fc.option(fc.string({ maxLength: 50 })) }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(300 * 1024)) },
  ),
  { nil: undefined },
);

const request = fc.record({
  kind: tokenKind,
  random: fc.string({ maxLength: 3000 }),
  position: fc.nat(),
  tokenInBody: fc.boolean(),
  contentType,
  accept,
  body,
  base64: fc.boolean(),
  score: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
});

type Fuzzed = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** Requests as the pages and the API send them, run every time besides the generated ones. */
const wellFormed = (fields: Partial<Fuzzed>): Fuzzed => ({
  kind: 'valid',
  random: '',
  position: 0,
  tokenInBody: false,
  contentType: FORM,
  accept: BROWSER_ACCEPT,
  body: '',
  base64: false,
  score: undefined,
  ...fields,
});

function requestOf(input: Fuzzed, token: string | undefined, options: { scoreInQuery?: boolean } = {}): Request {
  const query: Record<string, string> = {};
  if (token !== undefined && !input.tokenInBody) query['token'] = token;
  if (options.scoreInQuery && input.score !== undefined) query['score'] = input.score;
  let text = input.body;
  // The token in the body, as the JSON API and a store's own form send it.
  if (token !== undefined && input.tokenInBody) text = input.contentType?.includes('json') ? JSON.stringify({ token, score: 7 }) : `${text ?? ''}&token=${encodeURIComponent(token)}`;
  const headers: Record<string, string> = {};
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  if (input.accept !== undefined) headers['accept'] = input.accept;
  return { query, headers, base64: input.base64, ...(text !== undefined ? { body: text } : {}) };
}

async function answerOf(route: RouteKey, fuzzed: Request) {
  const answer = await call(route, fuzzed);
  expect(answer.status, `${route} ${JSON.stringify(fuzzed).slice(0, 300)}`).toBeLessThan(500);
  expect(answer.status).toBeGreaterThanOrEqual(200);
  return answer;
}

describe('the unsubscribe link, fuzzed', () => {
  it('GET never writes, answers pages only, and 200 only for our own token', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.constantFrom('email' as const, 'sms' as const), async (input, channel) => {
        const customerId = uniqueId('fuzz');
        const token = tokenFor(input.kind, (secret) => signUnsubscribeToken(secret, customerId, channel), TEST_UNSUBSCRIBE_SECRET, input.random, input.position);
        const answer = await answerOf('GET /v1/unsubscribe', requestOf({ ...input, tokenInBody: false }, token));
        expect(answer.type).toBe('text/html; charset=utf-8');
        expect(answer.status === 200).toBe(input.kind === 'valid');
        expect(await partitionOf(customerId)).toEqual({});
      }),
      { numRuns: RUNS },
    );
  });

  it('POST unsubscribes exactly when it answers 200, only with our token, time and way together', async () => {
    let unsubscribed = 0;
    await fc.assert(
      fc.asyncProperty(request, fc.constantFrom('email' as const, 'sms' as const), async (input, channel) => {
        const customerId = uniqueId('fuzz');
        const token = tokenFor(input.kind, (secret) => signUnsubscribeToken(secret, customerId, channel), TEST_UNSUBSCRIBE_SECRET, input.random, input.position);
        const answer = await answerOf('POST /v1/unsubscribe', requestOf(input, token));
        const preferences = (await partitionOf(customerId))['PREFERENCES'];
        expect(answer.status === 200).toBe(preferences !== undefined);
        if (input.kind !== 'valid') expect(preferences).toBeUndefined();
        if (preferences) {
          unsubscribed += 1;
          expect(preferences[`${channel}OptedOutAt`]).toBe('2026-06-01T12:00:00.000Z');
          expect(['unsubscribe-link', 'one-click']).toContain(preferences[`${channel}OptedOutVia`]);
        }
        if (/(^|,)\s*text\/html/i.test(input.accept ?? '')) expect(answer.type).toBe('text/html; charset=utf-8');
      }),
      { numRuns: RUNS, examples: [[wellFormed({}), 'email'], [wellFormed({ body: 'List-Unsubscribe=One-Click', accept: undefined }), 'sms']] },
    );
    // The runs reached the write, not only the refusals.
    expect(unsubscribed).toBeGreaterThan(0);
  });
});

describe('the feedback link, fuzzed', () => {
  const feedbackItems = async (customerId: string) => Object.values(await partitionOf(customerId)).filter((item) => String(item['sk']).startsWith('FEEDBACK'));

  it('GET never writes, answers pages only, and 200 only for our own token', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const customerId = uniqueId('fuzz');
        const token = tokenFor(input.kind, (secret) => feedbackToken(customerId, 'entry-1', secret), TEST_FEEDBACK_SECRET, input.random, input.position);
        const answer = await answerOf('GET /v1/feedback', requestOf({ ...input, tokenInBody: false }, token, { scoreInQuery: true }));
        expect(answer.type).toBe('text/html; charset=utf-8');
        if (input.kind !== 'valid') expect(answer.status).toBe(400);
        expect(await partitionOf(customerId)).toEqual({});
      }),
      { numRuns: RUNS },
    );
  });

  it('POST records the answer and its pointer together or not at all, exactly when it answers 200', async () => {
    let recorded = 0;
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const customerId = uniqueId('fuzz');
        const token = tokenFor(input.kind, (secret) => feedbackToken(customerId, 'entry-1', secret), TEST_FEEDBACK_SECRET, input.random, input.position);
        const answer = await answerOf('POST /v1/feedback', requestOf(input, token));
        const items = await feedbackItems(customerId);
        if (input.kind !== 'valid') expect(items).toEqual([]);
        expect(answer.status === 200).toBe(items.length > 0);
        if (items.length > 0) {
          recorded += 1;
          const [answerItem, pointer] = [items.find((item) => String(item['sk']).startsWith('FEEDBACK#')), items.find((item) => String(item['sk']).startsWith('FEEDBACK_ENTRY#'))];
          expect(items).toHaveLength(2);
          expect(pointer?.['score']).toBe(answerItem?.['score']);
          expect(pointer?.['at']).toBe(answerItem?.['at']);
          expect(Number.isInteger(answerItem?.['score']) && Number(answerItem?.['score']) >= 0 && Number(answerItem?.['score']) <= 10).toBe(true);
        }
      }),
      { numRuns: RUNS, examples: [[wellFormed({ body: 'score=8&comment=Good' })], [wellFormed({ contentType: 'application/json', accept: undefined, tokenInBody: true })]] },
    );
    expect(recorded).toBeGreaterThan(0);
  });
});

describe('the loyalty join link and route, fuzzed', () => {
  const loyalty = loyaltyPorts();
  const accountOf = async (customerId: string) => (await partitionOf(customerId))['LOYALTY'];

  it('GET /v1/join never writes, answers pages only, and 200 only for our own token', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const customerId = uniqueId('fuzz');
        const token = tokenFor(input.kind, (secret) => joinToken(customerId, secret), TEST_FEEDBACK_SECRET, input.random, input.position);
        const answer = await answerOf('GET /v1/join', requestOf({ ...input, tokenInBody: false }, token));
        expect(answer.type).toBe('text/html; charset=utf-8');
        expect(answer.status === 200).toBe(input.kind === 'valid');
        expect(await partitionOf(customerId)).toEqual({});
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/join joins exactly when it answers 200: our token, for a customer we know; pages whatever the request', async () => {
    let joined = 0;
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (input, known) => {
        const customerId = known ? await customerWithOrder() : uniqueId('fuzz');
        // The feedback link's token for the same customer is not a join link.
        const token = tokenFor(input.kind, (secret) => joinToken(customerId, secret), TEST_FEEDBACK_SECRET, input.random, input.position);
        const answer = await answerOf('POST /v1/join', requestOf({ ...input, tokenInBody: input.tokenInBody && input.contentType === FORM }, token));
        expect(answer.type).toBe('text/html; charset=utf-8');
        const account = await accountOf(customerId);
        expect(answer.status === 200).toBe(account?.['joinedAt'] !== undefined && account['joinedAt'] !== null);
        if (input.kind !== 'valid' || !known) expect(account).toBeUndefined();
        if (answer.status === 200) {
          joined += 1;
          expect(account).toMatchObject({ joinedAt: '2026-06-01T12:00:00.000Z', joinedVia: 'invitation-link' });
        }
      }),
      { numRuns: RUNS, examples: [[wellFormed({}), true], [wellFormed({ body: `token=${encodeURIComponent(joinToken('x', TEST_FEEDBACK_SECRET))}` }), false]] },
    );
    expect(joined).toBeGreaterThan(0);
    // A feedback link's token never joins anyone.
    const customerId = await customerWithOrder();
    const answer = await answerOf('POST /v1/join', { query: { token: feedbackToken(customerId, 'entry-1', TEST_FEEDBACK_SECRET) }, headers: { 'content-type': FORM, accept: BROWSER_ACCEPT } });
    expect(answer.status).toBe(400);
    expect(await accountOf(customerId)).toBeUndefined();
  });

  it('POST /v1/loyalty/{customerId}/join joins exactly when it answers 200: signed for this customer or the admin token, a customer we know', async () => {
    let joined = 0;
    const joinRequest = fc.record({
      credential: fc.constantFrom('valid', 'previous', 'forged', 'stale', 'other-customer', 'none', 'admin', 'wrong-admin', 'admin-and-signature'),
      known: fc.boolean(),
      body: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null')), { nil: undefined }),
      contentType: fc.option(fc.constantFrom('application/json', FORM, 'text/plain'), { nil: undefined }),
      strangeId: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 300 }) }),
    });
    await fc.assert(
      fc.asyncProperty(joinRequest, async (input) => {
        const customerId = input.strangeId ?? (input.known ? await customerWithOrder() : uniqueId('fuzz'));
        const path = `/v1/loyalty/${encodeURIComponent(customerId)}/join`;
        const now = Math.floor(Date.now() / 1000);
        const sign = (secret: string, at = now, signedPath = path) => signComebackPayload(secret, requestSigningPayload('POST', signedPath), at);
        const headers: Record<string, string> = {};
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        const credential = input.credential;
        if (credential === 'valid' || credential === 'admin-and-signature') headers['comeback-signature'] = sign(TEST_WEBHOOK_SECRETS[0]!);
        if (credential === 'previous') headers['comeback-signature'] = sign(TEST_WEBHOOK_SECRETS[1]!);
        if (credential === 'forged') headers['comeback-signature'] = sign('not-our-secret');
        if (credential === 'stale') headers['comeback-signature'] = sign(TEST_WEBHOOK_SECRETS[0]!, now - 3600);
        if (credential === 'other-customer') headers['comeback-signature'] = sign(TEST_WEBHOOK_SECRETS[0]!, now, '/v1/loyalty/someone-else/join');
        if (credential === 'admin' || credential === 'admin-and-signature') headers['authorization'] = `Bearer ${TEST_ADMIN_TOKEN}`;
        if (credential === 'wrong-admin') headers['authorization'] = 'Bearer not-the-token';
        const answer = await answerOf('POST /v1/loyalty/{customerId}/join', { headers, pathParameters: { customerId }, ...(input.body !== undefined ? { body: input.body } : {}) });
        const authorized = ['valid', 'previous', 'admin', 'admin-and-signature'].includes(credential);
        if (!authorized) expect(answer.status).toBe(401);
        const account = input.strangeId === undefined || answer.status === 200 ? await loyalty.store.getAccount(customerId) : undefined;
        expect(answer.status === 200).toBe(account?.joinedAt !== undefined && account.joinedAt !== null);
        if (answer.status !== 200) {
          expect(answer.type).toBe('application/problem+json');
          expect(account).toBeUndefined();
          return;
        }
        joined += 1;
        expect(input.known || input.strangeId !== undefined).toBe(true);
        expect(JSON.parse(answer.body)).toMatchObject({ customerId, member: true, joinedAt: '2026-06-01T12:00:00.000Z' });
      }),
      { numRuns: RUNS, examples: [[{ credential: 'valid', known: true, body: undefined, contentType: undefined, strangeId: undefined }]] },
    );
    expect(joined).toBeGreaterThan(0);
  });
});

describe('inbound SMS, fuzzed', () => {
  let numbers = 0;
  const freshNumber = () => `+1998${process.pid % 1000}${String(++numbers).padStart(4, '0')}`;
  const text = fc.oneof(fc.constantFrom('STOP', 'stop', 'СТОП', 'Stop all', 'HELP', 'START', 'stopped', ''), fc.string({ maxLength: 60 }));

  it('never throws, and withdraws SMS consent exactly when the customer sent an opt-out keyword', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ mine: fc.constant(true), text }),
            fc.record({ mine: fc.constant(false), text }),
            fc.string({ maxLength: 200 }).map((raw) => ({ raw })),
            fc.jsonValue({ maxDepth: 2 }).map((value) => ({ raw: JSON.stringify(value) })),
            fc.record({ originationNumber: fc.string({ maxLength: 20 }), messageBody: fc.oneof(text, fc.integer()) }).map((value) => ({ raw: JSON.stringify(value) })),
          ),
          { maxLength: 5 },
        ),
        async (messages) => {
          const phone = freshNumber();
          const customerId = await customerWithOrder({ phone });
          const elsewhere = freshNumber();
          await receiveSms(messages.map((message) => ('raw' in message ? message.raw : inboundSms(message.mine ? phone : elsewhere, message.text))));
          const stopped = messages.some((message) => 'mine' in message && message.mine && isSmsOptOut(message.text));
          const { body } = await customerView(customerId);
          expect(body.profile['optOuts']).toEqual(stopped ? { sms: { at: '2026-06-01T12:00:00.000Z', via: 'sms-stop' } } : {});
          expect(body.profile['consent']).toEqual({ email: true, sms: !stopped });
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('the consent route, fuzzed', () => {
  const statement = fc.oneof(
    { weight: 4, arbitrary: fc.record({ email: fc.option(fc.boolean(), { nil: undefined }), sms: fc.option(fc.boolean(), { nil: undefined }), source: fc.oneof(fc.constantFrom('newsletter-footer', 'account-page'), fc.string({ maxLength: 120 })) }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.record({ email: fc.oneof(fc.boolean(), fc.string(), fc.integer()), source: fc.string({ maxLength: 20 }), givenAt: fc.oneof(fc.constantFrom('2026-05-01T00:00:00Z', '2030-01-01T00:00:00Z', 'yesterday'), fc.string({ maxLength: 30 })) }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const consentRequest = fc.record({
    signature: fc.constantFrom('valid', 'previous', 'forged', 'stale', 'none'),
    known: fc.boolean(),
    body: fc.oneof({ weight: 5, arbitrary: statement.map((value) => JSON.stringify(value) ?? 'null') }, { weight: 1, arbitrary: fc.string({ maxLength: 200 }) }),
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', FORM),
  });

  it('states consent exactly when it answers 200: signed by the store, a customer with an order, a channel and a source', async () => {
    let stated = 0;
    await fc.assert(
      fc.asyncProperty(consentRequest, async (input) => {
        const customerId = input.known ? await customerWithOrder() : uniqueId('fuzz');
        const now = Math.floor(Date.now() / 1000);
        const secret = { valid: TEST_WEBHOOK_SECRETS[0]!, previous: TEST_WEBHOOK_SECRETS[1]!, forged: 'not-our-secret', stale: TEST_WEBHOOK_SECRETS[0]!, none: '' }[input.signature];
        const headers: Record<string, string> = { 'content-type': input.contentType };
        if (input.signature !== 'none') headers['comeback-signature'] = signComebackPayload(secret, input.body, input.signature === 'stale' ? now - 3600 : now);
        const answer = await answerOf('PUT /v1/customers/{id}/consent', { body: input.body, headers, pathParameters: { id: customerId } });
        expect(answer.type).toMatch(answer.status === 200 ? /^application\/json/ : /^application\/problem\+json/);
        if (input.signature === 'forged' || input.signature === 'stale' || input.signature === 'none') expect(answer.status).toBe(401);
        if (!input.known) {
          expect(answer.status).not.toBe(200);
          return;
        }
        const { body } = await customerView(customerId);
        if (answer.status === 200) {
          stated += 1;
          const given = JSON.parse(input.body) as { email?: boolean; sms?: boolean; source: string; givenAt?: string };
          // customerWithOrder gave both channels at checkout, 2026-05-01T08:00Z; only a later statement wins.
          const earlier = given.givenAt !== undefined && Date.parse(given.givenAt) < Date.parse('2026-05-01T08:00:00.000Z');
          expect(body.profile['consent']).toEqual(earlier ? { email: true, sms: true } : { email: given.email ?? true, sms: given.sms ?? true });
          expect(JSON.parse(answer.body).consentSource).toEqual(body.profile['consentSource'] ?? {});
        } else {
          expect(body.profile['consent']).toEqual({ email: true, sms: true });
          expect(body.profile).not.toHaveProperty('consentSource');
        }
      }),
      {
        numRuns: RUNS,
        examples: [[{ signature: 'valid', known: true, body: JSON.stringify({ email: false, source: 'account-page' }), contentType: 'application/json' }]],
      },
    );
    expect(stated).toBeGreaterThan(0);
  });
});

describe('the platform webhooks, fuzzed', () => {
  const example = (name: string) => parseFixture(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
  const parseFixture = (text: string) => JSON.parse(text.replace(/("(?:id|customer_id|product_id|variant_id|variation_id)":\s*)(\d{16,})/g, '$1"$2"')) as Record<string, unknown>;
  let ids = 0;
  const freshId = () => `${Date.now()}${process.pid % 1000}${String(++ids).padStart(4, '0')}`.slice(0, 19);
  const loyalty = loyaltyPorts();

  /** Shopify deliveries of one order (total 199.65 USD): creations, payments, cancellations and three refunds, each maybe more than once, in any order. */
  const shopifyEvent = fc.oneof(
    fc.constant({ kind: 'create' as const }),
    fc.constant({ kind: 'cancel' as const }),
    fc.constantFrom(['r1', '50.00'], ['r2', '100.00'], ['r3', '80.00']).map(([refund, amount]) => ({ kind: 'refund' as const, refund: refund!, amount: amount! })),
  );

  it('Shopify: whatever the order of arrival and the repeats, the order counts once, unless cancelled first, and keeps what no refund or cancellation took', async () => {
    const refundIds = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(fc.array(shopifyEvent, { minLength: 1, maxLength: 6 }), async (events) => {
        const order: Record<string, unknown> = { ...example('shopify/orders-create.json'), id: freshId(), test: false, created_at: '2026-05-30T10:00:00-04:00', processed_at: '2026-05-30T10:00:00-04:00' };
        const customerId = freshId();
        order['customer'] = { ...(order['customer'] as Record<string, unknown>), id: customerId };
        for (const event of events) {
          let topic = 'orders/create';
          let body: unknown = order;
          if (event.kind === 'cancel') {
            topic = 'orders/cancelled';
            body = { ...order, cancelled_at: '2026-05-31T08:00:00-04:00', cancel_reason: 'customer' };
          }
          if (event.kind === 'refund') {
            topic = 'refunds/create';
            const key = `${String(order['id'])}:${event.refund}`;
            if (!refundIds.has(key)) refundIds.set(key, freshId());
            body = { id: refundIds.get(key), order_id: order['id'], note: null, refund_line_items: [], order_adjustments: [], transactions: [{ id: freshId(), kind: 'refund', status: 'success', amount: event.amount, currency: 'USD' }] };
          }
          const text = JSON.stringify(body);
          const answer = await answerOf('POST /v1/webhooks/shopify/orders', {
            body: text,
            headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': signPlatformPayload(TEST_SHOPIFY_SECRET, text), 'x-shopify-webhook-id': freshId() },
          });
          expect([200, 202]).toContain(answer.status);
        }
        const firstCreate = events.findIndex((event) => event.kind === 'create');
        const firstCancel = events.findIndex((event) => event.kind === 'cancel');
        const counted = firstCreate >= 0 && (firstCancel < 0 || firstCreate < firstCancel);
        // Points are the reactions' (from the table's stream): wait for them.
        await journeyRuntime.settled();
        const view = await customerView(customerId);
        const account = await loyalty.store.getAccount(customerId);
        if (!counted) {
          expect(view.status).toBe(404);
          expect(account?.balance ?? 0).toBe(0);
          return;
        }
        const refunded = new Set(events.flatMap((event) => (event.kind === 'refund' ? [event.refund] : [])));
        const refundedMinor = [...refunded].reduce((total, refund) => total + { r1: 5000, r2: 10000, r3: 8000 }[refund as 'r1' | 'r2' | 'r3'], 0);
        const net = firstCancel >= 0 ? 0 : Math.max(0, 19965 - refundedMinor);
        expect(view.body.profile).toMatchObject({ orderCount: 1, netRevenueMinor: net });
        // 3% back in points (the first tier) on what the order kept.
        expect(account?.balance).toBe(Math.floor((net * 3) / 100));
      }),
      { numRuns: 25, examples: [[[{ kind: 'cancel' }, { kind: 'create' }]], [[{ kind: 'create' }, { kind: 'refund', refund: 'r2', amount: '100.00' }, { kind: 'cancel' }, { kind: 'cancel' }]]] },
    );
  });

  it('WooCommerce: any status and any body: never a 5xx, and only processing or completed orders become revenue', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('processing', 'completed', 'pending', 'on-hold', 'failed', 'cancelled', 'refunded', 'checkout-draft', 'trash', ''),
        fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('(555) 555-0107', '+380 67 123 4567', '0')), { nil: undefined }),
        fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined, freq: 4 }),
        async (status, phone, garbage) => {
          const customerId = freshId();
          const base = example('woocommerce/order-created-customer.json');
          const order = { ...base, id: freshId(), customer_id: customerId, status, billing: { ...(base['billing'] as Record<string, unknown>), ...(phone !== undefined ? { phone } : {}) } };
          const text = JSON.stringify(garbage !== undefined ? garbage : order) ?? 'null';
          const answer = await answerOf('POST /v1/webhooks/woocommerce/orders', {
            body: text,
            headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.updated', 'x-wc-webhook-signature': signPlatformPayload(TEST_WOOCOMMERCE_SECRET, text) },
          });
          const view = await customerView(customerId);
          if (garbage !== undefined) {
            expect(answer.status).toBe(400);
            return;
          }
          expect(view.status === 200).toBe(status === 'processing' || status === 'completed');
          expect(answer.status).toBe(view.status === 200 || status === 'cancelled' || status === 'refunded' ? 202 : 200);
          // A phone is E.164 or absent.
          if (view.status === 200 && view.body.profile['phone'] !== undefined) expect(view.body.profile['phone']).toMatch(/^\+[1-9]\d{6,14}$/);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('the import routes, fuzzed', () => {
  const records = new DynamoImportStore(documentClient, tableName);
  const bearer = fc.oneof(fc.constant(`Bearer ${TEST_ADMIN_TOKEN}`), fc.constant('Bearer not-the-token'), fc.string({ maxLength: 60 }), fc.constant(undefined));
  const queryValue = fc.oneof(fc.constantFrom('comeback-csv', 'shopify-csv', 'woocommerce-csv', 'cdnow', 's3', 'USD', 'UTC', '2'), fc.string({ maxLength: 20 }));
  const query = fc.dictionary(fc.constantFrom('format', 'upload', 'currency', 'timezone', 'firstLine', 'other'), queryValue, { maxKeys: 5 });

  it('POST /v1/imports without a body: 401 without the admin token; on a host without a bucket, 409 exactly for a CSV format with upload=s3; never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(bearer, query, fc.constantFrom(undefined, 'text/csv', 'application/json'), async (authorization, parameters, contentType) => {
        const headers = { ...(authorization !== undefined ? { authorization } : {}), ...(contentType ? { 'content-type': contentType } : {}) };
        const answer = await call('POST /v1/imports', { query: parameters, headers });
        expect(answer.type).toBe('application/problem+json');
        if (authorization !== `Bearer ${TEST_ADMIN_TOKEN}`) {
          expect(answer.status).toBe(401);
          return;
        }
        const parsed = importQuerySchema.safeParse(parameters);
        const s3 = parsed.success && parsed.data.upload === 's3';
        const conflict = s3 && ['comeback-csv', 'shopify-csv', 'woocommerce-csv'].includes(parsed.data.format);
        expect(answer.status, answer.body).toBe(conflict ? 409 : s3 || !parsed.success ? 400 : contentType === 'text/csv' ? 400 : 415);
      }),
      // Once found by a run: an empty CDNOW upload was read as no orders (200) instead of refused.
      { numRuns: RUNS, examples: [[`Bearer ${TEST_ADMIN_TOKEN}`, { format: 'cdnow' }, 'text/csv']] },
    );
  });

  it('GET /v1/imports/{id}: 401 without the admin token, then 200 for an import and 404 for any other id; never a 5xx', async () => {
    const known = randomUUID();
    await records.create(newImport(known, { format: 'comeback-csv', currency: 'USD', timezone: 'UTC' }, new Date('2026-06-01T12:00:00.000Z')));
    const id = fc.oneof(fc.constant(known), fc.uuid(), fc.string({ minLength: 1, maxLength: 80 }), fc.constant(known.toUpperCase()), fc.constant(`${known} `));
    await fc.assert(
      fc.asyncProperty(bearer, id, async (authorization, importId) => {
        const answer = await call('GET /v1/imports/{id}', { pathParameters: { id: importId }, headers: authorization !== undefined ? { authorization } : {} });
        if (authorization !== `Bearer ${TEST_ADMIN_TOKEN}`) expect(answer.status).toBe(401);
        else if (importId === known) {
          expect(answer.status).toBe(200);
          expect(JSON.parse(answer.body)).toMatchObject({ importId: known, status: 'waiting-upload' });
        } else expect(answer).toMatchObject({ status: 404, type: 'application/problem+json' });
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the customer data routes and Shopify's privacy webhooks, fuzzed", () => {
  const bearer = fc.oneof(fc.constant(`Bearer ${TEST_ADMIN_TOKEN}`), fc.constant('Bearer not-the-token'), fc.string({ maxLength: 60 }), fc.constant(undefined));

  it('DELETE /v1/customers/{id} and the export: 401 without the admin token and nothing erased; with it, a 204 erases the whole partition; never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(bearer, fc.boolean(), async (authorization, known) => {
        const customerId = known ? await customerWithOrder() : uniqueId('nobody');
        const headers: Record<string, string> = authorization !== undefined ? { authorization } : {};
        const exported = await answerOf('GET /v1/customers/{id}/export', { pathParameters: { id: customerId }, headers });
        const erased = await answerOf('DELETE /v1/customers/{id}', { pathParameters: { id: customerId }, headers });
        const left = Object.keys(await partitionOf(customerId)).length;
        if (authorization !== `Bearer ${TEST_ADMIN_TOKEN}`) {
          expect([exported.status, erased.status]).toEqual([401, 401]);
          expect(left > 0).toBe(known);
          return;
        }
        expect(exported.status).toBe(known ? 200 : 404);
        expect(erased.status).toBe(204);
        expect(left).toBe(0);
      }),
      { numRuns: 20 },
    );
  });

  const topic = fc.oneof(fc.constantFrom('customers/data_request', 'customers/redact', 'shop/redact'), fc.string({ maxLength: 30 }));
  const shopifyId = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String), fc.integer(), fc.string({ maxLength: 12 }), fc.constant(null));
  const body = (customerId: string) =>
    fc.oneof(
      fc.record({ shop_id: shopifyId, shop_domain: fc.string({ maxLength: 20 }), customer: fc.record({ id: fc.oneof(fc.constant(customerId), shopifyId), email: fc.option(fc.emailAddress()), phone: fc.option(fc.string({ maxLength: 15 })) }), orders_to_redact: fc.array(shopifyId, { maxLength: 3 }), data_request: fc.option(fc.record({ id: shopifyId })) }).map((value) => JSON.stringify(value)),
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 40 }),
    );

  it('POST /v1/webhooks/shopify/privacy: 401 for any signature but ours; the customer is erased whole exactly when customers/redact names them and answers 200, else left whole; never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        topic,
        fc.string({ maxLength: 12 }),
        tokenKind,
        fc.nat(),
        fc.constant(null).chain(() => {
          const customerId = freshCustomerDigits();
          return fc.tuple(fc.constant(customerId), body(customerId));
        }),
        async (header, random, kind, position, [customerId, text]) => {
          await customerWithOrder({ customerId });
          const before = Object.keys(await partitionOf(customerId)).length;
          const signature = tokenFor(kind, (secret) => signPlatformPayload(secret, text), TEST_SHOPIFY_SECRET, random, position);
          const answer = await answerOf('POST /v1/webhooks/shopify/privacy', {
            body: text,
            headers: { 'content-type': 'application/json', 'x-shopify-topic': header, ...(signature !== undefined ? { 'x-shopify-hmac-sha256': signature } : {}) },
          });
          const left = Object.keys(await partitionOf(customerId)).length;
          if (kind !== 'valid') expect(answer.status).toBe(401);
          const named = answer.status === 200 && header.trim() === 'customers/redact' && (JSON.parse(text) as { customer: { id: unknown } }).customer.id === customerId;
          expect(left).toBe(named ? 0 : before);
        },
      ),
      {
        numRuns: 40,
        // The redaction of a customer, and a data request, as Shopify sends them.
        examples: (['customers/redact', 'customers/data_request'] as const).map((named) => {
          const customerId = freshCustomerDigits();
          const text = JSON.stringify({ shop_id: 954889, shop_domain: 'shop.myshopify.com', customer: { id: customerId, email: null, phone: null }, orders_to_redact: [], data_request: { id: 9999 } });
          return [named, '', 'valid', 0, [customerId, text]] as [string, string, TokenKind, number, [string, string]];
        }),
      },
    );
  });
});

let customerDigits = 0;
/** A Shopify-like customer id of its own per run. */
function freshCustomerDigits(): string {
  return `${Date.now()}${process.pid % 1000}${String(++customerDigits).padStart(4, '0')}`.slice(0, 19);
}
