/**
 * The storefront adapters against local stand-ins that check each request as Shopify and
 * WooCommerce document it (tests/support/fake-*.ts), and the issuer over them with the real ledger
 * on DynamoDB Local: one code per offer, created once however often the message is retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDiscounts } from '../../functions/adapters/discount-store.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { discountCodeBasicCreate, ShopifyDiscounts } from '../../functions/adapters/shopify-discounts.ts';
import { WooCommerceDiscounts } from '../../functions/adapters/woocommerce-discounts.ts';
import { storefrontIssuer, storefrontReferralCodes, type ReferralDiscountRequest, type StorefrontDiscountRequest } from '../../functions/core/discounts/discounts.ts';
import { DiscountCodeTakenError, StorefrontRefusedError, StorefrontThrottledError, StorefrontUnavailableError } from '../../functions/core/discounts/errors.ts';
import { startFakeShopify, type FakeShopify } from '../support/fake-shopify.ts';
import { startFakeWooCommerce, type FakeWooCommerce } from '../support/fake-woocommerce.ts';
import { uniqueId } from '../support/events.ts';

let shopify: FakeShopify;
let woo: FakeWooCommerce;

beforeAll(async () => {
  [shopify, woo] = await Promise.all([startFakeShopify(), startFakeWooCommerce()]);
});
afterAll(async () => {
  await Promise.all([shopify.close(), woo.close()]);
});

const request = (overrides: Partial<StorefrontDiscountRequest> = {}): StorefrontDiscountRequest => ({
  code: uniqueId('CB').toUpperCase(),
  title: 'Comeback win-back',
  customer: { customerId: '7390412345', email: 'ada@example.com' },
  percent: 15,
  startsAt: '2026-06-01T12:00:00.000Z',
  expiresAt: '2026-07-01T12:00:00.000Z',
  ...overrides,
});

const shopifyAdapter = (accessToken = shopify.accessToken) =>
  new ShopifyDiscounts({ storeDomain: shopify.storeDomain, apiVersion: shopify.apiVersion, accessToken: async () => accessToken, apiOrigin: shopify.origin });
const wooAdapter = (secret = woo.secret) => new WooCommerceDiscounts({ url: woo.url, credentials: async () => ({ key: woo.key, secret }) });

describe('Shopify discountCodeBasicCreate', () => {
  it('creates a code for one customer, used once, until it expires, with the token and the documented variables', async () => {
    const wanted = request();

    await shopifyAdapter().createCode(wanted);

    const sent = shopify.requests.at(-1)!;
    expect(sent.path).toBe('/admin/api/2026-10/graphql.json');
    expect(sent.headers['x-shopify-access-token']).toBe(shopify.accessToken);
    expect(JSON.parse(sent.body)).toEqual({
      query: discountCodeBasicCreate,
      variables: {
        basicCodeDiscount: {
          title: 'Comeback win-back',
          code: wanted.code,
          startsAt: '2026-06-01T12:00:00.000Z',
          endsAt: '2026-07-01T12:00:00.000Z',
          context: { customers: { add: ['gid://shopify/Customer/7390412345'] } },
          customerGets: { value: { percentage: 0.15 }, items: { all: true } },
          appliesOncePerCustomer: true,
          usageLimit: 1,
        },
      },
    });
    expect(shopify.discounts.get(wanted.code)?.usageLimit).toBe(1);
  });

  it('opens a guest\'s code (her id is her email, not a Shopify customer) to any buyer, still once', async () => {
    const wanted = request({ customer: { customerId: 'guest@example.com', email: 'guest@example.com' } });
    await shopifyAdapter().createCode(wanted);
    expect(shopify.discounts.get(wanted.code)).toMatchObject({ context: { all: 'ALL' }, usageLimit: 1, appliesOncePerCustomer: true });
  });

  it('answers the userError TAKEN for a code the store has, as DiscountCodeTakenError', async () => {
    const wanted = request();
    await shopifyAdapter().createCode(wanted);
    await expect(shopifyAdapter().createCode(wanted)).rejects.toBeInstanceOf(DiscountCodeTakenError);
  });

  it.each(['http-429', 'graphql'] as const)('reads throttling (%s) as StorefrontThrottledError and creates nothing', async (kind) => {
    const wanted = request();
    shopify.throttle(kind);
    await expect(shopifyAdapter().createCode(wanted)).rejects.toBeInstanceOf(StorefrontThrottledError);
    expect(shopify.discounts.has(wanted.code)).toBe(false);
  });

  it('reads a wrong token as StorefrontRefusedError 401', async () => {
    const error = await shopifyAdapter('shpat_wrong').createCode(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorefrontRefusedError);
    expect((error as StorefrontRefusedError).status).toBe(401);
  });

  it('reads a store that cannot be reached as StorefrontUnavailableError', async () => {
    const closed = await startFakeShopify();
    await closed.close();
    const adapter = new ShopifyDiscounts({ storeDomain: closed.storeDomain, apiVersion: closed.apiVersion, accessToken: async () => closed.accessToken, apiOrigin: closed.origin });
    await expect(adapter.createCode(request())).rejects.toBeInstanceOf(StorefrontUnavailableError);
  });
});

describe('WooCommerce POST /wp-json/wc/v3/coupons', () => {
  it('creates a percent coupon for the customer\'s address, used once, with Basic auth and the documented body', async () => {
    const wanted = request();

    await wooAdapter().createCode(wanted);

    const sent = woo.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'POST', path: '/wp-json/wc/v3/coupons' });
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from('ck_fake_key:cs_fake_secret').toString('base64')}`);
    expect(JSON.parse(sent.body)).toEqual({
      code: wanted.code,
      description: 'Comeback win-back',
      discount_type: 'percent',
      amount: '15',
      individual_use: true,
      usage_limit: 1,
      usage_limit_per_user: 1,
      email_restrictions: ['ada@example.com'],
      date_expires_gmt: '2026-07-01T12:00:00',
    });
    expect(woo.coupons.get(wanted.code.toLowerCase())?.usage_limit).toBe(1);
  });

  it('answers 400 woocommerce_rest_coupon_code_already_exists as DiscountCodeTakenError, in any case', async () => {
    const wanted = request();
    await wooAdapter().createCode(wanted);
    await expect(wooAdapter().createCode({ ...wanted, code: wanted.code.toLowerCase() })).rejects.toBeInstanceOf(DiscountCodeTakenError);
  });

  it('reads 401 as StorefrontRefusedError and creates nothing', async () => {
    const wanted = request();
    const error = await wooAdapter('cs_wrong').createCode(wanted).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorefrontRefusedError);
    expect((error as StorefrontRefusedError).message).toContain('woocommerce_rest_cannot_create');
    expect(woo.coupons.has(wanted.code.toLowerCase())).toBe(false);
  });
});

describe('issuing a code for an offer', () => {
  const ledger = new DynamoDiscounts(documentClient, tableName);
  const terms = { percent: 10, validDays: 30 };
  const now = new Date('2026-06-01T12:00:00.000Z');

  it('creates one code per offer: a retry, even after the store\'s answer was lost, quotes it and creates no second', async () => {
    const offerId = uniqueId('offer');
    const customer = { customerId: '555', email: 'ada@example.com' };
    // The first attempt's answer is lost after the store created the code (a timeout, a crash).
    let lost = true;
    const adapter = shopifyAdapter();
    const flaky = {
      createReferralCode: (wanted: ReferralDiscountRequest) => adapter.createReferralCode(wanted),
      async createCode(wanted: StorefrontDiscountRequest) {
        await adapter.createCode(wanted);
        if (lost) {
          lost = false;
          throw new StorefrontUnavailableError('the answer was lost');
        }
      },
    };
    const issuer = storefrontIssuer(flaky, ledger, terms);

    await expect(issuer.issue({ offerId, customer, now })).rejects.toBeInstanceOf(StorefrontUnavailableError);
    const first = await issuer.issue({ offerId, customer, now: new Date(now.getTime() + 60_000) });
    const again = await issuer.issue({ offerId, customer, now: new Date(now.getTime() + 7 * 86_400_000) });

    expect(first).toEqual({ code: expect.stringMatching(/^CB-[0-9A-Z]{10}$/), expiresAt: '2026-07-01T12:00:00.000Z' });
    expect(again).toEqual(first);
    const created = [...shopify.discounts.entries()].filter(([code]) => code === first!.code);
    expect(created).toHaveLength(1);
    expect(created[0]![1]).toMatchObject({ endsAt: '2026-07-01T12:00:00.000Z', customerGets: { value: { percentage: 0.1 } } });
    expect((await ledger.get(offerId))?.state).toBe('created');
  });

  it('gives two offers two codes, and concurrent issues of one offer one code', async () => {
    const issuer = storefrontIssuer(wooAdapter(), ledger, terms);
    const customer = { customerId: 'c-1', email: 'ada@example.com' };
    const offerId = uniqueId('offer');
    const together = await Promise.all([1, 2, 3].map(() => issuer.issue({ offerId, customer, now })));
    const other = await issuer.issue({ offerId: uniqueId('offer'), customer, now });
    expect(new Set(together.map((issued) => issued?.code)).size).toBe(1);
    expect(other?.code).not.toBe(together[0]?.code);
    expect(woo.coupons.has(together[0]!.code.toLowerCase())).toBe(true);
  });
});

describe('referral codes', () => {
  const ledger = new DynamoDiscounts(documentClient, tableName);
  const now = new Date('2026-06-01T12:00:00.000Z');

  it('exist in Shopify for any buyer, once each, with no limit and no end, created once however often they are shown', async () => {
    const code = `REF-${uniqueId('S').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 10)}`;
    const referrals = storefrontReferralCodes(shopifyAdapter(), ledger, 12);
    const before = shopify.requests.length;

    await referrals.ensure({ code, customerId: '42', now });
    await referrals.ensure({ code, customerId: '42', now: new Date(now.getTime() + 86_400_000) });

    expect(shopify.requests.length - before).toBe(1);
    expect(JSON.parse(shopify.requests.at(-1)!.body).variables.basicCodeDiscount).toEqual({
      title: `Comeback referral ${code}`,
      code,
      startsAt: '2026-06-01T12:00:00.000Z',
      context: { all: 'ALL' },
      customerGets: { value: { percentage: 0.12 }, items: { all: true } },
      appliesOncePerCustomer: true,
    });
  });

  it('exist in WooCommerce as a percent coupon once per user, without an expiry or an address', async () => {
    const code = `REF-${uniqueId('W').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 10)}`;
    await storefrontReferralCodes(wooAdapter(), ledger, 10).ensure({ code, customerId: '43', now });
    expect(JSON.parse(woo.requests.at(-1)!.body)).toEqual({
      code,
      description: `Comeback referral ${code}`,
      discount_type: 'percent',
      amount: '10',
      individual_use: true,
      usage_limit_per_user: 1,
    });
    expect(woo.coupons.has(code.toLowerCase())).toBe(true);
  });

  it('are asked for again after the store throttled, and a code the store already has counts as created', async () => {
    const code = `REF-${uniqueId('T').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 10)}`;
    const referrals = storefrontReferralCodes(shopifyAdapter(), ledger, 10);
    shopify.throttle('graphql');
    await expect(referrals.ensure({ code, customerId: '44', now })).rejects.toBeInstanceOf(StorefrontThrottledError);
    await referrals.ensure({ code, customerId: '44', now });
    expect(shopify.discounts.has(code)).toBe(true);
    // An earlier attempt created it but its answer was lost: the store already has the code.
    await shopifyAdapter().createReferralCode({ code: `${code}-LOST`, title: 't', percent: 10, startsAt: now.toISOString() });
    await storefrontReferralCodes(shopifyAdapter(), ledger, 10).ensure({ code: `${code}-LOST`, customerId: '45', now });
    expect((await ledger.get(`referral:${code}-LOST`))?.state).toBe('created');
  });
});
