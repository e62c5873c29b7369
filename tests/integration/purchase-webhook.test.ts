/**
 * The purchase webhook and the refund route on DynamoDB Local: the handlers exactly as deployed,
 * called with API Gateway events.
 */
import { describe, expect, it } from 'vitest';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { handler as recordRefund } from '../../functions/handlers/record-refund.ts';
import { handler as getCustomer } from '../../functions/handlers/get-customer.ts';
import { TEST_WEBHOOK_SECRETS } from '../support/environment.ts';
import { adminEvent, httpEvent, lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

function purchase(orderId: string, customerId: string, overrides: Record<string, unknown> = {}) {
  return {
    orderId,
    placedAt: '2026-03-01T10:00:00+02:00',
    currency: 'USD',
    total: '54.97',
    customer: { id: customerId, email: 'Ada@Example.com', phone: '+15555550123', timezone: 'Europe/Kyiv', consent: { email: true } },
    items: [
      { sku: 'DOG-FOOD', category: 'pet-food', quantity: 1, unitPrice: '39.99' },
      { sku: 'TREATS', category: 'treats', quantity: 2, unitPrice: 7.49 },
    ],
    ...overrides,
  };
}

async function post(payload: unknown, options: Parameters<typeof signedEvent>[2] = {}) {
  const result = await recordPurchase(signedEvent('/v1/purchases', payload, options), lambdaContext);
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

async function customer(id: string) {
  const result = await getCustomer(adminEvent(`/v1/customers/${id}`, { id }), lambdaContext);
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as { profile: Record<string, unknown>; orders: Record<string, unknown>[] } };
}

async function refund(orderId: string, payload: unknown) {
  const result = await recordRefund(
    signedEvent(`/v1/purchases/${orderId}/refund`, payload, { pathParameters: { orderId } }),
    lambdaContext,
  );
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

describe('POST /v1/purchases', () => {
  it('records a signed purchase and the profile shows it', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');

    const answer = await post(purchase(orderId, customerId));

    expect(answer).toEqual({ status: 202, body: { orderId, customerId, status: 'recorded' } });
    const { status, body } = await customer(customerId);
    expect(status).toBe(200);
    expect(body.profile).toMatchObject({
      customerId,
      orderCount: 1,
      netRevenueMinor: 5497,
      currency: 'USD',
      revenueByCurrency: { USD: 5497 },
      firstOrderAt: '2026-03-01T08:00:00.000Z',
      lastOrderAt: '2026-03-01T08:00:00.000Z',
      email: 'ada@example.com',
      timezone: 'Europe/Kyiv',
      consent: { email: true },
    });
    expect(body.profile['categories']).toEqual(['pet-food', 'treats']);
    expect(body.orders).toHaveLength(1);
    expect(body.orders[0]).toMatchObject({ orderId, totalMinor: 5497, refundedMinor: 0, items: [{ sku: 'DOG-FOOD', unitPriceMinor: 3999 }, { sku: 'TREATS', unitPriceMinor: 749 }] });
  });

  it('records a delivery twice only once, answering 202 duplicate', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');
    await post(purchase(orderId, customerId));

    const again = await post(purchase(orderId, customerId));

    expect(again).toEqual({ status: 202, body: { orderId, customerId, status: 'duplicate' } });
    expect((await customer(customerId)).body.profile).toMatchObject({ orderCount: 1, netRevenueMinor: 5497 });
  });

  it('records one order delivered 50 times at once exactly once, and every delivery gets a 202', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');

    const answers = await Promise.all(Array.from({ length: 50 }, () => post(purchase(orderId, customerId))));

    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(202));
    expect(answers.filter((answer) => answer.body['status'] === 'recorded')).toHaveLength(1);
    const { body } = await customer(customerId);
    expect(body.profile).toMatchObject({ orderCount: 1, netRevenueMinor: 5497 });
    expect(body.orders).toHaveLength(1);
  });

  it('keeps aggregates right when different orders of one customer race', async () => {
    const customerId = uniqueId('cust');

    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) => post(purchase(`${customerId}-o${index}`, customerId, { total: `${index + 1}.00` }))),
    );

    expect(answers.every((answer) => answer.body['status'] === 'recorded')).toBe(true);
    const { body } = await customer(customerId);
    expect(body.profile).toMatchObject({ orderCount: 12, netRevenueMinor: (78 * 100) });
  });

  it('leaves correct aggregates when orders arrive out of time order', async () => {
    const customerId = uniqueId('cust');
    const march = purchase(uniqueId('order'), customerId, { placedAt: '2026-03-10T12:00:00Z', currency: 'USD', total: '10.00' });
    const january = purchase(uniqueId('order'), customerId, { placedAt: '2026-01-05T09:00:00-05:00', currency: 'EUR', total: '20.00', customer: { id: customerId, consent: { email: false } } });
    const february = purchase(uniqueId('order'), customerId, { placedAt: '2026-02-01T00:00:00Z', currency: 'USD', total: '5.50' });

    for (const order of [march, january, february]) expect((await post(order)).status).toBe(202);

    const { body } = await customer(customerId);
    expect(body.profile).toMatchObject({
      orderCount: 3,
      currency: 'EUR',
      netRevenueMinor: 2000,
      revenueByCurrency: { USD: 1550, EUR: 2000 },
      firstOrderAt: '2026-01-05T14:00:00.000Z',
      lastOrderAt: '2026-03-10T12:00:00.000Z',
      // The March order stated email consent last; the late-arriving January "no" is older.
      consent: { email: true },
    });
    expect(body.orders.map((order) => order['placedAt'])).toEqual(['2026-03-10T12:00:00.000Z', '2026-02-01T00:00:00.000Z', '2026-01-05T14:00:00.000Z']);
  });

  it('answers 409 for an orderId already recorded with a different payload, changing nothing', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');
    await post(purchase(orderId, customerId));

    const conflict = await post(purchase(orderId, customerId, { total: '99.00' }));

    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ status: 409, title: 'Conflict' });
    expect(String(conflict.body['detail'])).toContain(orderId);
    expect((await customer(customerId)).body.profile).toMatchObject({ orderCount: 1, netRevenueMinor: 5497 });
  });

  it('accepts every secret of a rotation', async () => {
    const answer = await post(purchase(uniqueId('order'), uniqueId('cust')), { secret: TEST_WEBHOOK_SECRETS[1] });
    expect(answer.status).toBe(202);
  });

  it.each([
    ['a wrong secret', { secret: 'whsec_wrong' }],
    // Signed when the test runs, not when the file is read: a busy machine may be minutes apart.
    ['a signature over 5 minutes old', { at: -400 }],
    ['a signature from the future', { at: 400 }],
  ])('answers 401 for %s and stores nothing', async (_label, options) => {
    const customerId = uniqueId('cust');
    const answer = await post(purchase(uniqueId('order'), customerId), { ...options, ...('at' in options ? { at: Math.floor(Date.now() / 1000) + options.at } : {}) });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ status: 401, title: 'Invalid signature' });
    expect((await customer(customerId)).status).toBe(404);
  });

  it('answers 401 without a signature header', async () => {
    const customerId = uniqueId('cust');
    const event = httpEvent({ path: '/v1/purchases', body: JSON.stringify(purchase(uniqueId('order'), customerId)), headers: { 'content-type': 'application/json' } });
    const result = await recordPurchase(event, lambdaContext);
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body ?? '{}').detail).toMatch(/Comeback-Signature header is missing/);
    expect((await customer(customerId)).status).toBe(404);
  });

  it('answers 400 for malformed JSON', async () => {
    const answer = await post('{"orderId": "x",');
    expect(answer.status).toBe(400);
    expect(String(answer.body['detail'])).toMatch(/not valid JSON/);
  });

  it.each([
    ['an unparseable date', { placedAt: '2026-13-45 25:00' }, 'placedAt'],
    ['a date without an offset', { placedAt: '2026-03-01T10:00:00' }, 'placedAt'],
    ['an unknown currency', { currency: 'XYZ' }, 'currency'],
    ['a non-positive quantity', { items: [{ sku: 'A', quantity: 0, unitPrice: '1.00' }] }, 'items.0.quantity'],
    ['an unknown time zone', { customer: { id: 'x', timezone: 'Mars/Olympus' } }, 'customer.timezone'],
    ['a phone that is not E.164', { customer: { id: 'x', phone: '555-0123' } }, 'customer.phone'],
    ['more decimals than the currency has', { total: '10.005' }, 'total'],
    ['a negative total', { total: '-1.00' }, 'total'],
  ])('answers 400 with the failing field for %s, storing nothing', async (_label, overrides, field) => {
    const customerId = uniqueId('cust');
    const payload = purchase(uniqueId('order'), customerId, overrides);

    const answer = await post(payload);

    expect(answer.status).toBe(400);
    expect(answer.body['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
    expect((await customer(customerId)).status).toBe(404);
  });

  it('answers 413 for a body over 256 KiB', async () => {
    const payload = purchase(uniqueId('order'), uniqueId('cust'), { channel: 'x'.repeat(300 * 1024) });
    expect((await post(payload)).status).toBe(413);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const event = signedEvent('/v1/purchases', purchase(uniqueId('order'), uniqueId('cust')));
    event.headers['content-type'] = 'text/plain';
    const result = await recordPurchase(event, lambdaContext);
    expect(result.statusCode).toBe(415);
  });

  it('keeps 64-bit order and customer ids exact', async () => {
    const body = `{"orderId": 9007199254740993123, "placedAt": "2026-03-01T10:00:00Z", "currency": "JPY", "total": 1500,
      "customer": {"id": 18446744073709551615}, "items": [{"sku": "TEA", "quantity": 3, "unitPrice": 500}]}`;
    const answer = await post(body);
    expect(answer).toEqual({ status: 202, body: { orderId: '9007199254740993123', customerId: '18446744073709551615', status: 'recorded' } });
    expect((await customer('18446744073709551615')).body.profile).toMatchObject({ netRevenueMinor: 1500, currency: 'JPY' });
  });
});

describe('POST /v1/purchases/{orderId}/refund', () => {
  it('counts net revenue, and a repeated refund id once', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');
    await post(purchase(orderId, customerId));

    const first = await refund(orderId, { amount: '10.00', refundId: 'r1', reason: 'damaged' });
    const again = await refund(orderId, { amount: '10.00', refundId: 'r1', reason: 'damaged' });

    expect(first).toEqual({ status: 202, body: { orderId, customerId, refundId: 'r1', status: 'recorded' } });
    expect(again.body['status']).toBe('duplicate');
    const { body } = await customer(customerId);
    expect(body.profile).toMatchObject({ netRevenueMinor: 4497, orderCount: 1, refundedMinorByCurrency: { USD: 1000 } });
    expect(body.orders[0]).toMatchObject({ refundedMinor: 1000 });
  });

  it('counts a retried refund without an id once', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');
    await post(purchase(orderId, customerId));

    await Promise.all([refund(orderId, { amount: 5 }), refund(orderId, { amount: 5 })]);

    expect((await customer(customerId)).body.profile).toMatchObject({ netRevenueMinor: 4997 });
  });

  it('answers 422 when refunding more than was paid, changing nothing', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');
    await post(purchase(orderId, customerId));
    await refund(orderId, { amount: '50.00', refundId: 'a' });

    const over = await refund(orderId, { amount: '5.00', refundId: 'b' });

    expect(over.status).toBe(422);
    expect(String(over.body['detail'])).toMatch(/exceed what was paid/);
    expect((await customer(customerId)).body.profile).toMatchObject({ netRevenueMinor: 497 });
  });

  it('never overdraws under concurrent refunds', async () => {
    const customerId = uniqueId('cust');
    const orderId = uniqueId('order');
    await post(purchase(orderId, customerId));

    const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => refund(orderId, { amount: '10.00', refundId: `r${index}` })));

    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(5);
    expect(answers.filter((answer) => answer.status === 422)).toHaveLength(3);
    expect((await customer(customerId)).body.profile).toMatchObject({ netRevenueMinor: 497 });
  });

  it('answers 404 for an unknown order and 409 for a refund id reused with another amount', async () => {
    expect((await refund(uniqueId('missing'), { amount: '1.00' })).status).toBe(404);
    const orderId = uniqueId('order');
    await post(purchase(orderId, uniqueId('cust')));
    await refund(orderId, { amount: '1.00', refundId: 'same' });
    expect((await refund(orderId, { amount: '2.00', refundId: 'same' })).status).toBe(409);
  });

  it('answers 400 for a zero amount', async () => {
    const orderId = uniqueId('order');
    await post(purchase(orderId, uniqueId('cust')));
    const answer = await refund(orderId, { amount: '0' });
    expect(answer.status).toBe(400);
    expect(answer.body['errors']).toEqual([{ path: 'amount', message: 'must be greater than zero' }]);
  });
});

describe('GET /v1/customers/{id}', () => {
  it('needs the admin token', async () => {
    const missing = await getCustomer(adminEvent('/v1/customers/x', { id: 'x' }, null), lambdaContext);
    const wrong = await getCustomer(adminEvent('/v1/customers/x', { id: 'x' }, 'nope'), lambdaContext);
    expect(missing.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
  });

  it('answers 404 for an unknown customer', async () => {
    const answer = await customer(uniqueId('nobody'));
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ title: 'Not found' });
  });
});
