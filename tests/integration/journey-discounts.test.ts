/**
 * Discount codes on the journey runtime, with a Shopify store stood in for by tests/support/
 * fake-shopify.ts: the win-back messages are actually sent (the real state machine, handlers and
 * DynamoDB Local on the virtual clock), and the code they carry exists in the store, created when
 * the first message carrying it was sent, not when it was deferred; a customer whose email and SMS
 * are suppressed gets no code until the manager's call task, which is sent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeShopify } from '../support/fake-shopify.ts';

const shopify = await startFakeShopify();
// Handlers read their configuration once, when first imported: the storefront is set before that.
Object.assign(process.env, {
  COMEBACK_STOREFRONT: 'shopify',
  COMEBACK_SHOPIFY_STORE_DOMAIN: shopify.storeDomain,
  COMEBACK_SHOPIFY_API_VERSION: shopify.apiVersion,
  COMEBACK_SHOPIFY_API_ORIGIN: shopify.origin,
  COMEBACK_SHOPIFY_ACCESS_TOKEN: shopify.accessToken,
  COMEBACK_DISCOUNT_PERCENT: '15',
  COMEBACK_DISCOUNT_DAYS: '21',
});
const { handler: recordPurchase } = await import('../../functions/handlers/record-purchase.ts');
const { handler: unsubscribe } = await import('../../functions/handlers/unsubscribe.ts');
const { handler: loyaltyAccount } = await import('../../functions/handlers/loyalty-account.ts');
const { signUnsubscribeToken } = await import('../../functions/core/delivery/unsubscribe.ts');
const { outbox } = await import('../../lib/local/local-routes.ts');
const { journeyRuntime, TEST_UNSUBSCRIBE_SECRET } = await import('../support/environment.ts');
const { adminEvent, httpEvent, lambdaContext, signedEvent } = await import('../support/events.ts');

afterAll(() => shopify.close());

const clock = journeyRuntime.clock;
const DAY = 86_400_000;
let customers = 0;

/** Shopify customer ids are decimal: the code is then for that customer alone. */
function shopifyCustomerId(): string {
  customers += 1;
  return `${7_100_000_000 + process.pid * 100 + customers}`;
}

async function buy(customerId: string) {
  const payload = {
    orderId: `order-${customerId}-${clock.now().getTime()}`,
    placedAt: clock.now().toISOString(),
    currency: 'USD',
    total: '54.97',
    customer: { id: customerId, email: `${customerId}@example.com`, phone: '+15555550123', name: 'Ada', timezone: 'Europe/Kyiv', consent: { email: true, sms: true } },
    items: [{ sku: 'DOG-FOOD', name: 'Dog food', category: 'pet-food', quantity: 1, unitPrice: '54.97' }],
  };
  expect((await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext)).statusCode).toBe(202);
  await clock.advance({ minutes: 1 });
}

const discountsFor = (customerId: string) => [...shopify.discounts.values()].filter((discount) => JSON.stringify(discount.context).includes(`Customer/${customerId}"`));

describe('discount codes in win-back, with a Shopify store', () => {
  it('puts a code the store has into the email, created when the email is sent, and the SMS reminds of the same code', async () => {
    const customerId = shopifyCustomerId();
    await buy(customerId);
    await clock.advance({ days: 61 });

    const items = await outbox(customerId);
    const deferred = items.find((item) => item.step === 'miss-you-email' && item.status === 'deferred');
    const email = items.find((item) => item.step === 'miss-you-email' && item.status === 'sent');
    expect(deferred, 'the sweep runs at 05:00 in Kyiv: the email waits out the quiet hours').toBeDefined();
    expect(email).toBeDefined();
    const code = /CB-[0-9A-Z]{10}/.exec(email!.text ?? '')?.[0];
    expect(code, 'the email shows a code').toBeDefined();
    expect(email!.html).toContain(code);

    const [discount, ...others] = discountsFor(customerId);
    expect(others).toEqual([]);
    expect(discount).toMatchObject({
      code,
      context: { customers: { add: [`gid://shopify/Customer/${customerId}`] } },
      customerGets: { value: { percentage: 0.15 }, items: { all: true } },
      usageLimit: 1,
      appliesOncePerCustomer: true,
    });
    // Created at the send, not at the deferral; valid for the configured 21 days from then.
    expect(discount!.startsAt).toBe(email!.at);
    expect(Date.parse(discount!.endsAt!) - Date.parse(email!.at)).toBe(21 * DAY);
    expect(deferred!.at < email!.at).toBe(true);

    await clock.advance({ days: 7 });
    const sms = (await outbox(customerId)).find((item) => item.step === 'reminder-sms' && item.status === 'sent');
    expect(sms?.text).toContain(code);
    expect(discountsFor(customerId)).toHaveLength(1);
  });

  it('creates no code while every message is suppressed; the manager call, which is sent, carries one', async () => {
    const customerId = shopifyCustomerId();
    await buy(customerId);
    for (const channel of ['email', 'sms'] as const) {
      const token = signUnsubscribeToken(TEST_UNSUBSCRIBE_SECRET, customerId, channel);
      const result = await unsubscribe(httpEvent({ path: '/v1/unsubscribe', body: JSON.stringify({ token }), headers: { 'content-type': 'application/json' } }), lambdaContext);
      expect(result.statusCode).toBe(200);
    }
    await clock.advance({ days: 70 });

    const statuses = (await outbox(customerId)).filter((item) => item.journey === 'win-back' && item.status !== 'deferred').map((item) => `${item.step}/${item.status}`);
    expect(statuses).toEqual(['miss-you-email/suppressed', 'reminder-sms/suppressed']);
    expect(discountsFor(customerId)).toEqual([]);

    await clock.advance({ days: 7 });
    const call = (await outbox(customerId)).find((item) => item.step === 'manager-call' && item.status === 'sent');
    expect(call).toBeDefined();
    const [discount, ...others] = discountsFor(customerId);
    expect(others).toEqual([]);
    expect(call!.text).toContain(discount!.code);
  });
});

describe('referral codes, with a Shopify store', () => {
  async function shownCode(customerId: string): Promise<string | null> {
    const result = await loyaltyAccount(adminEvent(`/v1/loyalty/${customerId}`, { customerId }), lambdaContext);
    expect(result.statusCode).toBe(200);
    return (JSON.parse(result.body ?? '{}') as { referralCode: string | null }).referralCode;
  }

  it('shows a customer her referral code only once the store has it, for any buyer, created once', async () => {
    const customerId = shopifyCustomerId();
    await buy(customerId);
    shopify.throttle('graphql');

    const whileThrottled = await shownCode(customerId);
    const shown = await shownCode(customerId);
    const before = shopify.requests.length;
    const again = await shownCode(customerId);

    expect(whileThrottled).toBeNull();
    expect(shown).toMatch(/^REF-[0-9A-Z]{10}$/);
    expect(again).toBe(shown);
    expect(shopify.requests.length).toBe(before);
    expect(shopify.discounts.get(shown!)).toMatchObject({ context: { all: 'ALL' }, appliesOncePerCustomer: true, customerGets: { value: { percentage: 0.1 } } });
    expect(shopify.discounts.get(shown!)?.usageLimit).toBeUndefined();
  });
});
