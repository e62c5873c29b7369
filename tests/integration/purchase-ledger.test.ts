/**
 * The purchase ledger's one write per live order, on DynamoDB Local: a customer's newest order, her
 * first included, changes her profile inside the order's own transaction (no read), and every other
 * case (an older order arriving late, another currency than her live orders' revenue, a product she
 * never bought, a consent stated later on the store's site) still leaves the profile applyOrder
 * gives, once the order days are recounted as the purchase reaction does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { keepsLiveAttributes } from '../../functions/adapters/entities.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { tableName } from '../../functions/adapters/dynamodb.ts';
import { applyConsentStatement } from '../../functions/core/consent.ts';
import { applyOrder, type CustomerProfile } from '../../functions/core/profile.ts';
import type { Purchase } from '../../functions/core/purchase.ts';
import { uniqueId } from '../support/events.ts';

// A client of its own that notes every command it sends.
const sent: string[] = [];
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env['DYNAMODB_ENDPOINT'] }), { marshallOptions: { removeUndefinedValues: true } });
client.middlewareStack.add(
  (next, context) => (args) => {
    sent.push(context.commandName ?? 'unknown');
    return next(args);
  },
  { step: 'initialize', name: 'noteCommands' },
);
const ledger = new DynamoPurchaseLedger(client, tableName);

beforeEach(() => {
  sent.length = 0;
});
afterAll(() => client.destroy());

function order(customerId: string, placedAt: string, overrides: Omit<Partial<Purchase>, 'customer'> & { customer?: Partial<Purchase['customer']> } = {}): Purchase {
  const { customer, ...rest } = overrides;
  return {
    orderId: uniqueId('order'),
    placedAt,
    currency: 'USD',
    totalMinor: 2500,
    customer: { id: customerId, email: 'ada@example.com', name: 'Ada', consent: { email: true }, ...customer },
    items: [{ sku: 'TEA', category: 'drinks', quantity: 1, unitPriceMinor: 2500 }],
    ...rest,
  };
}

async function storedProfile(customerId: string): Promise<CustomerProfile> {
  const customer = await ledger.getCustomer(customerId);
  return customer!.profile;
}

describe('DynamoPurchaseLedger.recordPurchase, live', () => {
  it("writes a returning customer's newest order in one transaction, without reading her profile", async () => {
    const customerId = uniqueId('cust');
    await ledger.recordPurchase(order(customerId, '2026-03-01T10:00:00.000Z'), { source: 'comeback' });
    sent.length = 0;

    const status = await ledger.recordPurchase(order(customerId, '2026-03-02T10:00:00.000Z', { totalMinor: 1500, customer: { phone: '+15555550199' } }), { source: 'comeback' });

    expect(status).toBe('recorded');
    expect(sent).toEqual(['TransactWriteItemsCommand']);
    expect(await storedProfile(customerId)).toMatchObject({
      orderCount: 2,
      revenueByCurrency: { USD: 4000 },
      firstOrderAt: '2026-03-01T10:00:00.000Z',
      lastOrderAt: '2026-03-02T10:00:00.000Z',
      contactAsOf: '2026-03-02T10:00:00.000Z',
      phone: '+15555550199',
      consentAsOf: { email: '2026-03-02T10:00:00.000Z' },
    });
  });

  it("writes a returning customer's newest order of products she never bought in one transaction too; the recount adds them to her lists", async () => {
    const customerId = uniqueId('cust');
    await ledger.recordPurchase(order(customerId, '2026-03-01T10:00:00.000Z'), { source: 'comeback' });
    await ledger.recountOrderHistory(customerId);
    sent.length = 0;

    const cups = order(customerId, '2026-03-02T10:00:00.000Z', { items: [{ sku: 'CUP', category: 'kitchen', quantity: 2, unitPriceMinor: 900 }], totalMinor: 1800 });
    expect(await ledger.recordPurchase(cups, { source: 'comeback' })).toBe('recorded');

    expect(sent).toEqual(['TransactWriteItemsCommand']);
    expect(await storedProfile(customerId)).toMatchObject({ orderCount: 2, categories: ['drinks'], skus: ['TEA'] });
    expect(await ledger.recountOrderHistory(customerId)).toMatchObject({ categories: ['drinks', 'kitchen'], skus: ['TEA', 'CUP'] });
    expect(await storedProfile(customerId)).toMatchObject({ orderCount: 2, categories: ['drinks', 'kitchen'], skus: ['TEA', 'CUP'] });
  });

  it("writes a new customer's first order in one transaction, without a read, starting the profile applyOrder starts", async () => {
    const customerId = uniqueId('cust');
    const first = order(customerId, '2026-03-01T10:00:00.000Z', { customer: { phone: '+15555550123', consent: { email: true, sms: false } } });

    expect(await ledger.recordPurchase(first, { source: 'comeback' })).toBe('recorded');

    expect(sent).toEqual(['TransactWriteItemsCommand']);
    expect(await storedProfile(customerId)).toMatchObject({ orderCount: 1, revenueByCurrency: { USD: 2500 }, consent: { email: true, sms: false } });
    // What the recount wrote, which it also gives the reactions after it.
    expect(await ledger.recountOrderHistory(customerId)).toEqual(applyOrder(undefined, first));
    expect(await storedProfile(customerId)).toEqual(applyOrder(undefined, first));
    // The recount, a write of the whole profile, holds the revenue and consent in the profile's maps again.
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.profile(customerId) }));
    expect(keepsLiveAttributes(Item!)).toBe(false);
    expect(Item).toMatchObject({ revenueByCurrency: { USD: 2500 }, consentAsOf: { email: first.placedAt, sms: first.placedAt } });
  });

  it("writes the order of a returning customer in another currency than her live orders' revenue into the profile's map, in a second transaction", async () => {
    const customerId = uniqueId('cust');
    await ledger.recordPurchase(order(customerId, '2026-03-01T10:00:00.000Z'), { source: 'comeback' });
    sent.length = 0;

    await ledger.recordPurchase(order(customerId, '2026-03-02T10:00:00.000Z', { currency: 'EUR', totalMinor: 900 }), { source: 'comeback' });
    await ledger.recordPurchase(order(customerId, '2026-03-03T10:00:00.000Z', { totalMinor: 100 }), { source: 'comeback' });

    expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await storedProfile(customerId)).toMatchObject({ orderCount: 3, currency: 'USD', revenueByCurrency: { USD: 2600, EUR: 900 } });
  });

  it('writes an order that arrived after a newer one, or after one it precedes as the first, in a second transaction, still without a read', async () => {
    const customerId = uniqueId('cust');
    await ledger.recordPurchase(order(customerId, '2026-03-01T10:00:00.000Z'), { source: 'comeback' });
    await ledger.recordPurchase(order(customerId, '2026-03-09T10:00:00.000Z', { customer: { name: 'Ada L.' } }), { source: 'comeback' });
    sent.length = 0;

    await ledger.recordPurchase(order(customerId, '2026-03-05T10:00:00.000Z', { customer: { name: 'A.', locale: 'en-GB' } }), { source: 'comeback' });

    expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    // The newest order's name stays; the older one fills only what was unknown.
    expect(await storedProfile(customerId)).toMatchObject({ orderCount: 3, name: 'Ada L.', locale: 'en-GB', lastOrderAt: '2026-03-09T10:00:00.000Z', consentAsOf: { email: '2026-03-09T10:00:00.000Z' } });
    sent.length = 0;

    await ledger.recordPurchase(order(customerId, '2026-02-01T10:00:00.000Z', { currency: 'EUR', totalMinor: 800 }), { source: 'comeback' });

    expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await storedProfile(customerId)).toMatchObject({ orderCount: 4, firstOrderAt: '2026-02-01T10:00:00.000Z', currency: 'EUR', revenueByCurrency: { USD: 7500, EUR: 800 }, lastOrderAt: '2026-03-09T10:00:00.000Z' });
  });

  it('leaves the profile applyOrder gives, whatever each order meets, once the order history is recounted', async () => {
    const customerId = uniqueId('cust');
    const consentOnSite = { consent: { sms: true }, at: '2026-05-20T00:00:00.000Z', source: 'signup-form' };
    const orders = [
      order(customerId, '2026-03-01T10:00:00.000Z'),
      // A product she never bought.
      order(customerId, '2026-04-01T10:00:00.000Z', { items: [{ sku: 'CUP', category: 'kitchen', quantity: 2, unitPriceMinor: 900 }], totalMinor: 1800 }),
      // Older than what came before, saying no to email.
      order(customerId, '2026-02-01T10:00:00.000Z', { customer: { email: 'old@example.com', consent: { email: false } }, currency: 'EUR', totalMinor: 700 }),
      // Newest, the usual products, a new phone, SMS stated: one write.
      order(customerId, '2026-05-01T10:00:00.000Z', { customer: { phone: '+15555550123', consent: { email: true, sms: false } } }),
      // The same day, another currency.
      order(customerId, '2026-05-01T18:00:00.000Z', { currency: 'EUR', totalMinor: 3100, customer: { locale: 'de-DE' } }),
      // Stating SMS before the consent given on the site later: that later statement stays.
      order(customerId, '2026-05-10T10:00:00.000Z', { customer: { consent: { sms: false } } }),
      // After it, stating SMS again: the checkout's statement wins and the site's source goes.
      order(customerId, '2026-06-01T10:00:00.000Z', { customer: { consent: { sms: false } } }),
    ];
    let expected: CustomerProfile | undefined;
    for (const [index, purchase] of orders.entries()) {
      expect(await ledger.recordPurchase(purchase, { source: 'comeback' })).toBe('recorded');
      expected = applyOrder(expected, purchase);
      if (index === 4) {
        await ledger.recordConsent(customerId, consentOnSite);
        expected = applyConsentStatement(expected, consentOnSite);
      }
    }
    await ledger.recountOrderHistory(customerId);

    expect(await storedProfile(customerId)).toEqual(expected);
  });

  it('counts every order of one customer placed at the same moment', async () => {
    const customerId = uniqueId('cust');
    await ledger.recordPurchase(order(customerId, '2026-03-01T10:00:00.000Z'), { source: 'comeback' });
    const orders = Array.from({ length: 12 }, (_, index) => order(customerId, `2026-03-02T10:00:${String(index).padStart(2, '0')}.000Z`, { totalMinor: 100 + index }));

    await Promise.all(orders.map((purchase) => ledger.recordPurchase(purchase, { source: 'comeback' })));
    await ledger.recountOrderHistory(customerId);

    const expected = orders.reduce<CustomerProfile | undefined>((profile, purchase) => applyOrder(profile, purchase), applyOrder(undefined, order(customerId, '2026-03-01T10:00:00.000Z')));
    const profile = await storedProfile(customerId);
    expect(profile).toMatchObject({ orderCount: 13, revenueByCurrency: { USD: 2500 + 12 * 100 + 66 }, lastOrderAt: '2026-03-02T10:00:11.000Z' });
    expect(profile.orderDays).toEqual(expected!.orderDays);
    expect(profile.largestOrderMinorByCurrency).toEqual({ USD: 2500 });
  });
});

describe('DynamoPurchaseLedger.recordPurchase, a new customer', () => {
  it('counts every order of a customer not seen before, placed at the same moment', async () => {
    const customerId = uniqueId('cust');
    const orders = Array.from({ length: 6 }, (_, index) => order(customerId, `2026-03-02T10:00:${String(index).padStart(2, '0')}.000Z`, { totalMinor: 100 + index }));

    await Promise.all(orders.map((purchase) => ledger.recordPurchase(purchase, { source: 'comeback' })));
    await ledger.recountOrderHistory(customerId);

    expect(await storedProfile(customerId)).toEqual(orders.reduce<CustomerProfile | undefined>((profile, purchase) => applyOrder(profile, purchase), undefined));
  });
});

describe('DynamoPurchaseLedger.recountOrderHistory', () => {
  it('writes nothing when the order history is already counted', async () => {
    const customerId = uniqueId('cust');
    await ledger.recordPurchase(order(customerId, '2026-03-01T10:00:00.000Z'), { source: 'comeback' });
    await ledger.recordPurchase(order(customerId, '2026-03-05T10:00:00.000Z', { totalMinor: 9900 }), { source: 'comeback' });
    await ledger.recountOrderHistory(customerId);
    expect((await storedProfile(customerId)).largestOrderMinorByCurrency).toEqual({ USD: 9900 });
    sent.length = 0;

    const unchanged = await ledger.recountOrderHistory(customerId);

    expect(sent).toEqual(['GetItemCommand', 'QueryCommand']);
    expect(unchanged).toEqual(await storedProfile(customerId));
  });

  it('does nothing for a customer without a profile', async () => {
    expect(await ledger.recountOrderHistory(uniqueId('cust'))).toBeUndefined();
    expect(sent).toEqual(['GetItemCommand']);
  });
});
