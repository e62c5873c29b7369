/** The loyalty items' keys beside the other items of a customer, referral codes, signatures and API schemas. */
import { describe, expect, it } from 'vitest';
import { loyaltyKeys } from '../../../functions/adapters/loyalty-keys.ts';
import { keys } from '../../../functions/adapters/table-design.ts';
import { requestSigningPayload, signConfirmation, verifyConfirmation } from '../../../functions/core/loyalty/auth.ts';
import { normaliseCode, referralCodeFor } from '../../../functions/core/loyalty/use-cases.ts';
import { SignatureError } from '../../../functions/core/errors.ts';
import { parseCatalog } from '../../../functions/core/catalog/rules.ts';
import { creditPurchase, joinProgram, redeem } from '../../../functions/core/loyalty/account.ts';
import { loyaltyViewSchema, redemptionConfirmationSchema } from '../../../functions/core/loyalty/api.ts';

describe('loyalty keys', () => {
  it('stay out of the ORDER#..PREDICTIONS range the customer read queries in one go', () => {
    const sortKeys = [
      loyaltyKeys.account('c').sk,
      loyaltyKeys.guard('c', 'purchase:o').sk,
      loyaltyKeys.entry('c', '2026-06-01T00:00:00.000Z', 'purchase:o').sk,
      loyaltyKeys.earning('c', 'o').sk,
      loyaltyKeys.review('c', '2026-06-01').sk,
      loyaltyKeys.scheduled('c', 'tier-up', 'gold@x').sk,
      loyaltyKeys.scheduled('c', 'cross-sell', 'rule#SKU').sk,
    ];
    for (const sk of sortKeys) expect(sk >= keys.orderPrefix && sk <= 'PREDICTIONS', sk).toBe(false);
    expect(loyaltyKeys.account('c').pk).toBe(keys.profile('c').pk);
  });
});

describe('referral codes', () => {
  it('are the same for a customer every time, and differ between customers', () => {
    expect(referralCodeFor('cust-1001')).toBe(referralCodeFor('cust-1001'));
    expect(referralCodeFor('cust-1001')).toMatch(/^REF-[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(new Set(Array.from({ length: 2000 }, (_, index) => referralCodeFor(`cust-${index}`))).size).toBe(2000);
    expect(normaliseCode(` ${referralCodeFor('x').toLowerCase()} `)).toBe(referralCodeFor('x'));
  });
});

describe('loyalty signatures', () => {
  it('sign a GET over its method and path', () => {
    expect(requestSigningPayload('get', '/v1/loyalty/cust-1001')).toBe('GET /v1/loyalty/cust-1001');
  });

  it('sign a confirmation at its redemption time, so a checkout can check it later', () => {
    const body = '{"redemptionId":"r-1","points":1200}';
    const header = signConfirmation('whsec_1', body, '2026-06-01T12:00:00.000Z');
    expect(header).toMatch(/^t=1780315200,v1=[0-9a-f]{64}$/);
    expect(() => verifyConfirmation(header, body, ['whsec_old', 'whsec_1'])).not.toThrow();
    expect(() => verifyConfirmation(header, body.replace('1200', '1300'), ['whsec_1'])).toThrow(SignatureError);
    expect(() => verifyConfirmation(undefined, body, ['whsec_1'])).toThrow(SignatureError);
  });
});

describe('the loyalty API schemas', () => {
  it('describe what the use cases answer', () => {
    const program = parseCatalog({ currency: 'USD', productUrl: 'https://shop.test/{sku}', reorderUrl: 'https://shop.test/{sku}' }).loyalty;
    const now = new Date('2026-06-01T12:00:00.000Z');
    const member = joinProgram({}, 'c', 'storefront', program, now);
    if (member.kind !== 'apply') throw new Error('no membership');
    const credit = creditPurchase({ account: member.change.account }, { orderId: 'o', customerId: 'c', placedAt: now.toISOString(), currency: 'USD', totalMinor: 10_000 }, program, now);
    if (credit.kind !== 'apply') throw new Error('no credit');
    const redemption = redeem({ account: credit.change.account }, { customerId: 'c', redemptionId: 'r', points: 100, orderTotalMinor: 1000, currency: 'USD' }, program, now);
    if (redemption.kind !== 'apply') throw new Error('no redemption');
    expect(redemptionConfirmationSchema.parse(redemption.result)).toEqual(redemption.result);
    const view = {
      customerId: 'c',
      member: true,
      joinedAt: now.toISOString(),
      currency: 'USD',
      balance: 200,
      points: 200,
      discountPercent: '0',
      freeShipping: false,
      prioritySupport: false,
      tier: { name: 'bronze', cashbackPercent: '3', benefits: [], since: null },
      next: null,
      window: { days: 365, orders: 1, spendMinor: 10_000 },
      redeem: { maxPercentOfOrder: '50' },
      referralCode: null,
      lifetime: { earned: 300, redeemed: 100, clawedBack: 0 },
      entries: [credit.change.entry, redemption.change.entry],
    };
    expect(() => loyaltyViewSchema.parse(view)).not.toThrow();
  });
});
