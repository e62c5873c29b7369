/**
 * The code pool (COMEBACK_STOREFRONT=pool) on DynamoDB Local: the admin upload route (with a
 * fast-check fuzz of whatever a caller may send it), and messages that take codes from the pool
 * when they are sent: each code once, an offer always its own code, expired codes never.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

Object.assign(process.env, { COMEBACK_STOREFRONT: 'pool' });
const { handler: upload } = await import('../../functions/handlers/upload-discount-codes.ts');
const { handler: recordPurchase } = await import('../../functions/handlers/record-purchase.ts');
const { deliveryPorts } = await import('../../functions/adapters/delivery-ports.ts');
const { configuredDiscounts } = await import('../../functions/adapters/discounts.ts');
const { DynamoDiscounts } = await import('../../functions/adapters/discount-store.ts');
const { documentClient, tableName } = await import('../../functions/adapters/dynamodb.ts');
const { poolIssuer } = await import('../../functions/core/discounts/discounts.ts');
const { deliverMessage } = await import('../../functions/core/delivery/deliver.ts');
const { outbox } = await import('../../lib/local/local-routes.ts');
const { journeyRuntime, TEST_ADMIN_TOKEN } = await import('../support/environment.ts');
const { httpEvent, lambdaContext, signedEvent, uniqueId } = await import('../support/events.ts');

const clock = journeyRuntime.clock;
const store = new DynamoDiscounts(documentClient, tableName);

async function post(body: string | undefined, headers: Record<string, string> = {}) {
  const result = await upload(httpEvent({ method: 'POST', path: '/v1/discount-codes/pool', headers, ...(body !== undefined ? { body } : {}) }), lambdaContext);
  return { status: result.statusCode ?? 0, type: String(result.headers?.['content-type'] ?? result.headers?.['Content-Type'] ?? ''), body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const codesOf = (label: string, count: number) => Array.from({ length: count }, (_, index) => `${uniqueId(label)}-${index}`.toUpperCase());

describe('POST /v1/discount-codes/pool', () => {
  it('adds the new codes, leaves a code uploaded twice as it was, and counts what is free', async () => {
    const codes = codesOf('up', 3);
    const before = await store.available();

    const first = await post(JSON.stringify({ codes, expiresAt: '2026-12-31T23:59:59Z' }), admin);
    const again = await post(JSON.stringify({ codes: [codes[0], codes[0], 'NEW-' + codes[1]] }), admin);

    expect(first).toMatchObject({ status: 200, body: { added: 3, duplicates: 0, available: before + 3 } });
    expect(again).toMatchObject({ status: 200, body: { added: 1, duplicates: 2, available: before + 4 } });
  });

  it('refuses a caller without the admin token (401) and a body off the schema (400), as problem+json', async () => {
    const codes = codesOf('refused', 1);
    const before = await store.available();
    expect(await post(JSON.stringify({ codes }), { 'content-type': 'application/json' })).toMatchObject({ status: 401, type: 'application/problem+json' });
    expect(await post(JSON.stringify({ codes: ['has space'] }), admin)).toMatchObject({ status: 400, type: 'application/problem+json' });
    expect(await post(JSON.stringify({ codes: [] }), admin)).toMatchObject({ status: 400 });
    expect(await store.available()).toBe(before);
  });

  it('never answers a 5xx and adds codes only for the admin, whatever is sent (fuzz)', async () => {
    const token = fc.constantFrom(`Bearer ${TEST_ADMIN_TOKEN}`, 'Bearer wrong', TEST_ADMIN_TOKEN, '', undefined);
    const contentType = fc.option(fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', 'multipart/form-data'), { nil: undefined });
    const codeText = fc.oneof(fc.stringMatching(/^[A-Z0-9][A-Z0-9_-]{0,20}$/), fc.string({ maxLength: 120 }));
    const body = fc.option(
      fc.oneof(
        fc.record({ codes: fc.array(codeText, { maxLength: 5 }), expiresAt: fc.option(fc.oneof(fc.date({ min: new Date('2100-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()), fc.string()), { nil: undefined }) }).map((value) => JSON.stringify(value)),
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
        fc.string({ maxLength: 200 }),
      ),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(token, contentType, body, async (authorization, type, payload) => {
        const before = await store.available();
        const answer = await post(payload, { ...(authorization !== undefined ? { authorization } : {}), ...(type ? { 'content-type': type } : {}) });
        expect(answer.status).toBeLessThan(500);
        if (answer.status !== 200) {
          expect(answer.type).toBe('application/problem+json');
          expect(await store.available()).toBe(before);
        } else {
          expect(authorization).toBe(`Bearer ${TEST_ADMIN_TOKEN}`);
          expect(answer.body.available).toBe(before + Number(answer.body.added));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('handing out pool codes', () => {
  it('gives concurrent offers different codes, each code once, and an offer asked again its own code', async () => {
    await store.add({ codes: codesOf('once', 6) }, '2026-06-01T00:00:00.000Z');
    const before = await store.available();
    const issuer = poolIssuer(store);
    const now = new Date('2026-06-01T12:00:00.000Z');
    const offers = Array.from({ length: 6 }, () => uniqueId('offer'));

    const issued = await Promise.all(offers.map((offerId) => issuer.issue({ offerId, customer: { customerId: offerId }, now })));
    const again = await issuer.issue({ offerId: offers[0]!, customer: { customerId: offers[0]! }, now });

    expect(issued.every((discount) => discount !== undefined)).toBe(true);
    expect(new Set(issued.map((discount) => discount?.code)).size).toBe(6);
    expect(await store.available()).toBe(before - 6);
    expect(again).toEqual(issued[0]);
  });

  it('skips codes that have expired', async () => {
    const [expired] = codesOf('expired', 1);
    await store.add({ codes: [expired!], expiresAt: '2026-05-01T00:00:00.000Z' }, '2026-04-01T00:00:00.000Z');
    const discount = await poolIssuer(store).issue({ offerId: uniqueId('offer'), customer: { customerId: 'c' }, now: new Date('2026-06-01T12:00:00.000Z') });
    expect(discount?.code).not.toBe(expired);
  });

  it('sends a 90-day offer with a code from the pool, taken when the message is sent', async () => {
    const customerId = uniqueId('pool-buyer');
    const payload = {
      orderId: uniqueId('order'),
      placedAt: clock.now().toISOString(),
      currency: 'USD',
      total: '20.00',
      customer: { id: customerId, email: 'ada@example.com', name: 'Ada', timezone: 'UTC', consent: { email: true, sms: false } },
      items: [{ sku: 'TEA', name: 'Tea', category: 'tea', quantity: 1, unitPrice: '20.00' }],
    };
    expect((await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext)).statusCode).toBe(202);
    await store.add({ codes: codesOf('offer', 1) }, clock.now().toISOString());
    const offerId = uniqueId('entry');

    // The journey step's delivery: its messages offer codes.
    const outcome = await deliverMessage(deliveryPorts(configuredDiscounts), customerId, {
      messageId: uniqueId('offer-message'),
      journey: 'post-purchase',
      step: 'offer',
      channel: 'email',
      template: 'post-purchase-offer',
      marketing: true,
      priority: 2,
      variables: { shopUrl: 'https://shop.test', order: null, categories: [], products: [], orderCount: 1, offers: [{ sku: 'PET-BOWL', name: 'Stainless steel food bowl', priceMinor: 1200, url: 'https://shop.example/p/PET-BOWL' }], currency: 'USD' },
      discount: { offerId },
    });

    expect(outcome.status).toBe('sent');
    const sent = (await outbox(customerId)).find((item) => item.step === 'offer');
    const handedOut = await store.get(offerId);
    expect(handedOut?.state).toBe('pool');
    expect(sent?.text).toContain(handedOut!.code);
    expect(sent?.at).toBe(handedOut!.issuedAt);
  });
});
