/**
 * The loyalty program on DynamoDB Local with the real adapters: the ledger under concurrency and
 * retries, refunds, bonuses, referrals, the storefront's signed routes, and tier messages sent by the
 * sweep through the delivery step, on the virtual clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { loyaltyPorts } from '../../functions/adapters/loyalty-ports.ts';
import { loyaltySweepPorts } from '../../functions/adapters/loyalty-sweep-ports.ts';
import { loyaltyKeys } from '../../functions/adapters/loyalty-keys.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { joinProgram, RedemptionRefused } from '../../functions/core/loyalty/account.ts';
import { requestSigningPayload, verifyConfirmation } from '../../functions/core/loyalty/auth.ts';
import {
  loyaltyView,
  onFeedbackAnswered,
  onPurchaseRecorded,
  onRefundRecorded,
  redeemPoints,
  referralCodeFor,
  sweepLoyalty,
} from '../../functions/core/loyalty/use-cases.ts';
import { formatMinorUnits } from '../../functions/core/money.ts';
import { parsePurchase, type Purchase } from '../../functions/core/purchase.ts';
import { signComebackPayload } from '../../functions/core/signature.ts';
import { handler as getLoyaltyAccount } from '../../functions/handlers/loyalty-account.ts';
import { handler as redeemHandler } from '../../functions/handlers/loyalty-redeem.ts';
import { handler as joinHandler } from '../../functions/handlers/loyalty-join.ts';
import { handler as loyaltyDispatch } from '../../functions/handlers/loyalty-dispatch.ts';
import { handler as loyaltySweep } from '../../functions/handlers/loyalty-sweep.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime, TEST_WEBHOOK_SECRETS } from '../support/environment.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { adminEvent, httpEvent, lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const clock = journeyRuntime.clock;
const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const ports = loyaltyPorts();
const sweepPorts = loyaltySweepPorts();

/**
 * Makes the customer a member who joined at `at` (before the orders a test records in the past),
 * unless she is one already: what joining by the link or the storefront writes, dated back.
 */
async function memberSince(customerId: string, at: Date): Promise<void> {
  await ports.store.execute({ customerId, opId: 'join', fingerprint: 'join' }, (state) => joinProgram(state, customerId, 'storefront', ports.catalog.loyalty, at));
}

/** Records an order in the ledger (as the purchase webhook does), then credits it, unless told not to; a member's order unless told otherwise. */
async function buy(
  customerId: string,
  totalMinor: number,
  options: { promoCode?: string; credit?: boolean; daysAgo?: number; timezone?: string; currency?: string; member?: boolean } = {},
): Promise<Purchase> {
  const currency = options.currency ?? 'USD';
  const total = formatMinorUnits(totalMinor, currency);
  const placedAt = new Date(clock.now().getTime() - (options.daysAgo ?? 0) * 86_400_000);
  if (options.member !== false) await memberSince(customerId, new Date(placedAt.getTime() - 60_000));
  const purchase = parsePurchase({
    orderId: uniqueId('order'),
    placedAt: placedAt.toISOString(),
    currency,
    total,
    customer: { id: customerId, email: 'ada@example.com', name: 'Ada', timezone: options.timezone ?? 'UTC', consent: { email: true } },
    items: [{ sku: 'PLAN-BASIC', name: 'Basic plan', quantity: 1, unitPrice: total }],
    ...(options.promoCode ? { promoCode: options.promoCode } : {}),
  });
  await ledger.recordPurchase(purchase, { source: 'comeback' });
  if (options.credit !== false) await credit(purchase);
  return purchase;
}

/** The order's points, with the profile as the reaction hands it on. */
async function credit(purchase: Purchase) {
  return onPurchaseRecorded(ports, purchase, await ports.customers.getProfile(purchase.customer.id));
}

async function ledgerOf(customerId: string) {
  const account = await ports.store.getAccount(customerId);
  const entries = await ports.store.recentEntries(customerId, 1000);
  return { balance: account?.balance ?? 0, entries, sum: entries.reduce((total, entry) => total + entry.points, 0) };
}

const redemption = (customerId: string, redemptionId: string, points: number, orderTotalMinor = 5000) => ({ customerId, redemptionId, points, orderTotalMinor, currency: 'USD' });

describe('the points ledger', () => {
  it('credits a purchase once, however often and however concurrently it is retried', async () => {
    const customerId = uniqueId('loyal-retry');
    const purchase = await buy(customerId, 100_00, { credit: false });

    const outcomes = await Promise.all(Array.from({ length: 6 }, () => credit(purchase)));
    const again = await credit(purchase);

    expect(outcomes.filter((outcome) => outcome.status === 'applied')).toHaveLength(1);
    expect(again).toMatchObject({ status: 'duplicate', points: 300 });
    expect(await ledgerOf(customerId)).toMatchObject({ balance: 300, sum: 300, entries: [{ entryId: `purchase:${purchase.orderId}`, points: 300 }] });
  });

  it('never overdraws under 20 concurrent redemptions mixed with new purchases', async () => {
    const customerId = uniqueId('loyal-race');
    await buy(customerId, 400_00); // 1,200 points
    const redemptions = Array.from({ length: 20 }, (_, index) =>
      redeemPoints(ports, redemption(customerId, `rd-${index}`, 100)).then(
        () => 'redeemed',
        (error: unknown) => (error instanceof RedemptionRefused ? error.code : `unexpected ${(error as Error).message}`),
      ),
    );
    const purchases = Array.from({ length: 3 }, () => buy(customerId, 10_00)); // 30 points each, bronze

    const results = await Promise.all(redemptions);
    await Promise.all(purchases);

    expect(results.filter((result) => result === 'redeemed')).toHaveLength(12);
    expect(results.filter((result) => result !== 'redeemed').every((result) => result === 'insufficient-points')).toBe(true);
    const { balance, sum, entries } = await ledgerOf(customerId);
    expect(balance).toBe(1290 - 1200);
    expect(sum).toBe(balance);
    expect(entries.filter((entry) => entry.kind === 'redemption')).toHaveLength(12);
    expect(entries.every((entry) => entry.balanceAfter >= 0)).toBe(true);
  });

  it('gives a retried redemption its first confirmation, and refuses the same id for another request', async () => {
    const customerId = uniqueId('loyal-redeem-retry');
    await buy(customerId, 200_00); // 600 points
    const first = await redeemPoints(ports, redemption(customerId, 'checkout-1', 250));
    await clock.advance({ minutes: 5 });
    const [second, third] = await Promise.all([redeemPoints(ports, redemption(customerId, 'checkout-1', 250)), redeemPoints(ports, redemption(customerId, 'checkout-1', 250))]);

    expect(first.status).toBe('redeemed');
    expect([second.status, third.status]).toEqual(['duplicate', 'duplicate']);
    expect(second.body).toBe(first.body);
    expect((await ledgerOf(customerId)).balance).toBe(350);
    await expect(redeemPoints(ports, redemption(customerId, 'checkout-1', 300))).rejects.toThrow('redeem checkout-1 was already applied with different content');
  });

  it('takes back the points of a refund once per refund id, and credits a feedback answer once', async () => {
    const customerId = uniqueId('loyal-refund');
    const purchase = await buy(customerId, 100_00);
    const order = (await ledger.findOrder(purchase.orderId))!;

    await clock.advance({ minutes: 1 });
    const refunds = await Promise.all([onRefundRecorded(ports, { order, refundId: 'r-1', amountMinor: 50_00 }), onRefundRecorded(ports, { order, refundId: 'r-1', amountMinor: 50_00 })]);
    await clock.advance({ minutes: 1 });
    await onFeedbackAnswered(ports, { customerId, feedbackId: 'post-purchase-abc' });
    await onFeedbackAnswered(ports, { customerId, feedbackId: 'post-purchase-abc' });

    expect(refunds.map((refund) => refund.status).sort()).toEqual(['applied', 'duplicate']);
    const { balance, entries } = await ledgerOf(customerId);
    expect(balance).toBe(300 - 150 + 100);
    expect(entries.map((entry) => [entry.kind, entry.points])).toEqual([
      ['feedback', 100],
      ['refund', -150],
      ['purchase', 300],
    ]);
  });

  it("credits the referrer once for a referred friend's first order", async () => {
    const referrer = uniqueId('loyal-referrer');
    await buy(referrer, 20_00); // 60 points and a referral code
    const code = referralCodeFor(referrer);
    const friend = uniqueId('loyal-friend');

    const first = await buy(friend, 30_00, { promoCode: code.toLowerCase() });
    await clock.advance({ minutes: 1 });
    await buy(friend, 30_00, { promoCode: code });

    expect((await loyaltyView(ports, referrer)).referralCode).toBe(code);
    const { balance, entries } = await ledgerOf(referrer);
    expect(balance).toBe(60 + 500);
    expect(entries.filter((entry) => entry.kind === 'referral')).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'referral', reason: "a referred friend's first order" });
    expect(JSON.stringify(entries)).not.toContain(friend);
    expect(first.promoCode).toBe(code.toLowerCase());
  });
});

describe('the storefront routes', () => {
  function redeemEvent(customerId: string, body: unknown, options: { secret?: string } = {}) {
    return signedEvent(`/v1/loyalty/${customerId}/redeem`, body, { pathParameters: { customerId }, ...options });
  }

  function accountEvent(customerId: string, options: { path?: string; secret?: string | null } = {}) {
    const path = `/v1/loyalty/${customerId}`;
    const signature = signComebackPayload(options.secret ?? TEST_WEBHOOK_SECRETS[0]!, requestSigningPayload('GET', options.path ?? path), Math.floor(Date.now() / 1000));
    return httpEvent({ method: 'GET', path, pathParameters: { customerId }, headers: options.secret === null ? {} : { 'comeback-signature': signature } });
  }

  it('redeems with a signed confirmation the checkout can verify, the same on a retry', async () => {
    const customerId = uniqueId('loyal-http');
    await buy(customerId, 300_00); // 900 points
    const body = { redemptionId: 'cart-77', points: 800, orderTotal: '10.00', currency: 'USD', orderId: 'o-77' };

    const over = await redeemHandler(redeemEvent(customerId, body), lambdaContext);
    const fine = await redeemHandler(redeemEvent(customerId, { ...body, orderTotal: '16.00' }), lambdaContext);
    const retried = await redeemHandler(redeemEvent(customerId, { ...body, orderTotal: '16.00' }), lambdaContext);
    const conflict = await redeemHandler(redeemEvent(customerId, { ...body, orderTotal: '16.00', points: 700 }), lambdaContext);
    const broke = await redeemHandler(redeemEvent(customerId, { ...body, redemptionId: 'cart-78', orderTotal: '100.00' }), lambdaContext);

    expect(over.statusCode).toBe(422);
    expect(over.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(over.body!)).toMatchObject({
      status: 422,
      code: 'over-cap',
      detail: 'points may pay for at most 50% of the order: 500 points on this order, the request 800',
      balance: 900,
      maxPoints: 500,
    });
    expect(fine.statusCode).toBe(200);
    expect(JSON.parse(fine.body!)).toEqual({
      redemptionId: 'cart-77',
      customerId,
      orderId: 'o-77',
      points: 800,
      discountMinor: 800,
      currency: 'USD',
      orderTotalMinor: 1600,
      balanceAfter: 100,
      redeemedAt: expect.any(String),
    });
    expect(() => verifyConfirmation(String(fine.headers?.['comeback-signature']), fine.body!, TEST_WEBHOOK_SECRETS)).not.toThrow();
    expect(fine.headers?.['comeback-redemption']).toBe('redeemed');
    expect(retried).toMatchObject({ statusCode: 200, body: fine.body, headers: { 'comeback-signature': fine.headers?.['comeback-signature'], 'comeback-redemption': 'duplicate' } });
    expect(conflict.statusCode).toBe(409);
    expect(JSON.parse(broke.body!)).toMatchObject({ status: 422, code: 'insufficient-points', balance: 100, maxPoints: 100 });
  });

  it('refuses unsigned, wrongly signed or malformed redemptions', async () => {
    const customerId = uniqueId('loyal-http-bad');
    const body = { redemptionId: 'x', points: 1, orderTotal: '1.00', currency: 'USD' };
    expect((await redeemHandler(redeemEvent(customerId, body, { secret: 'not-the-secret' }), lambdaContext)).statusCode).toBe(401);
    expect((await redeemHandler(redeemEvent(customerId, { ...body, points: 0 }), lambdaContext)).statusCode).toBe(400);
    expect((await redeemHandler(redeemEvent(customerId, { ...body, orderTotal: '1.001' }), lambdaContext)).statusCode).toBe(400);
    expect((await redeemHandler(redeemEvent(customerId, { ...body, poinst: 5 }), lambdaContext)).statusCode).toBe(400);
  });

  it('answers any redemption below 500, and the balance drops exactly when it answers a new redemption', async () => {
    const customerId = uniqueId('loyal-http-fuzz');
    await buy(customerId, 300_00); // 900 points
    const anything = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('', '€'.repeat(167), '1e400', '-1'));
    const redemptions = fc.record(
      {
        redemptionId: fc.oneof(fc.uuid(), fc.constantFrom('cart-1', 'cart-1', 'cart-2'), anything),
        points: fc.oneof(fc.integer({ min: 1, max: 600 }), anything),
        orderTotal: fc.oneof(fc.constantFrom('10.00', '16.00', '100.00', 25), anything),
        currency: fc.oneof(fc.constantFrom('USD', 'USD', 'EUR'), anything),
        orderId: fc.oneof(fc.uuid(), anything),
        extra: anything,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(redemptions, fc.constantFrom(undefined, undefined, undefined, 'not-the-secret'), async (body, secret) => {
        const before = (await ledgerOf(customerId)).balance;
        const answer = await redeemHandler(redeemEvent(customerId, body, secret ? { secret } : {}), lambdaContext);
        const status = answer.statusCode ?? 0;
        expect(status, `${JSON.stringify(body)}: ${answer.body}`).toBeLessThan(500);
        const after = (await ledgerOf(customerId)).balance;
        if (status === 200 && answer.headers?.['comeback-redemption'] === 'redeemed') expect(after).toBe(before - (body.points as number));
        else {
          expect(after).toBe(before);
          if (status !== 200) expect(answer.headers?.['content-type']).toBe('application/problem+json');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('shows tier, balance, progress and benefits to a signed GET, and nothing to others', async () => {
    const customerId = uniqueId('loyal-view');
    await buy(customerId, 400_00);

    const view = await getLoyaltyAccount(accountEvent(customerId), lambdaContext);
    expect(view.statusCode).toBe(200);
    expect(JSON.parse(view.body!)).toMatchObject({
      customerId,
      currency: 'USD',
      balance: 1200,
      tier: { name: 'bronze', cashbackPercent: '3', benefits: ['3% back in points on every order'] },
      next: { name: 'silver', cashbackPercent: '5', benefits: ['5% back in points on every order', 'free delivery'], basis: 'spend', remaining: 100_00, percent: 80 },
      window: { days: 365, orders: 1, spendMinor: 400_00 },
      redeem: { maxPercentOfOrder: '50' },
      referralCode: referralCodeFor(customerId),
      entries: [{ kind: 'purchase', points: 1200 }],
      points: 1200,
      discountPercent: '0',
      freeShipping: false,
      prioritySupport: false,
    });
    expect((await getLoyaltyAccount(accountEvent(customerId, { secret: null }), lambdaContext)).statusCode).toBe(401);
    expect((await getLoyaltyAccount(accountEvent(customerId, { path: '/v1/loyalty/someone-else' }), lambdaContext)).statusCode).toBe(401);
    expect((await getLoyaltyAccount(accountEvent(uniqueId('nobody')), lambdaContext)).statusCode).toBe(404);
  });

  it('shows the same account to an admin with the token, and nothing for a wrong token even beside a good signature', async () => {
    const customerId = uniqueId('loyal-admin');
    await buy(customerId, 400_00);
    const signed = await getLoyaltyAccount(accountEvent(customerId), lambdaContext);
    const asAdmin = (token: string | null) => getLoyaltyAccount(adminEvent(`/v1/loyalty/${customerId}`, { customerId }, token), lambdaContext);

    const admin = await asAdmin(TEST_ADMIN_TOKEN);
    const wrong = await getLoyaltyAccount({ ...accountEvent(customerId), headers: { ...accountEvent(customerId).headers, authorization: 'Bearer not-the-token' } }, lambdaContext);

    expect(admin.statusCode).toBe(200);
    expect(JSON.parse(admin.body!)).toEqual(JSON.parse(signed.body!));
    expect(wrong.statusCode).toBe(401);
  });

  it.each([
    // currency, amount in its minor units, points at bronze's 3% of the amount in USD at the rules file's rate
    ['EUR', 100_00, 324], // €100 = $108
    ['GBP', 100_00, 381], // £100 = $127
    ['UAH', 4_000_00, 288], // ₴4,000 = $96
    ['PLN', 100_00, 0], // no rate: counts as an order, earns nothing
  ])('earns points on an order in %s at the store’s rate, and counts its spend the same way', async (currency, totalMinor, points) => {
    const customerId = uniqueId(`loyal-${currency.toLowerCase()}`);

    await buy(customerId, totalMinor, { currency });

    const view = JSON.parse((await getLoyaltyAccount(accountEvent(customerId), lambdaContext)).body!) as { balance: number; window: { orders: number; spendMinor: number } };
    expect(view.balance).toBe(points);
    expect(view.window.orders).toBe(1);
    expect(view.window.spendMinor).toBe(Math.round((points * 100) / 3));
  });

  it('takes back what a refunded order in another currency earned', async () => {
    const customerId = uniqueId('loyal-eur-refund');
    const purchase = await buy(customerId, 100_00, { currency: 'EUR' });
    const order = (await ledger.findOrder(purchase.orderId))!;

    await onRefundRecorded(ports, { order, refundId: 'r-1', amountMinor: 50_00 });

    // Half of €100 back: the 324 points of $108 become the 162 of $54.
    expect(await ledgerOf(customerId)).toMatchObject({ balance: 162, sum: 162 });
  });

  it('gives the tier benefits as data the storefront applies', async () => {
    const customerId = uniqueId('loyal-gold');
    await buy(customerId, 1600_00); // 1,600 of spend: gold from this order on

    const view = JSON.parse((await getLoyaltyAccount(accountEvent(customerId), lambdaContext)).body!) as Record<string, unknown>;

    expect(view).toMatchObject({ tier: { name: 'gold' }, discountPercent: '5', freeShipping: true, prioritySupport: true });
  });
});

describe('tier messages', () => {
  async function loyaltyMessages(customerId: string) {
    return (await outbox(customerId)).filter((item) => item.journey === 'loyalty').map((item) => `${item.step}/${item.status}`);
  }

  it('congratulates on moving up and nudges near the next tier, through the delivery step, once each', async () => {
    const customerId = uniqueId('loyal-tier');
    await buy(customerId, 300_00);
    await buy(customerId, 250_00); // 550.00: silver
    expect(await loyaltyMessages(customerId)).toEqual([]);

    // Other customers of this file may have messages due too: this one's are counted below.
    expect(await loyaltySweep()).toMatchObject({ errors: 0 });
    await sweepLoyalty(sweepPorts);
    expect(await loyaltyMessages(customerId)).toEqual(['tier-up/sent']);
    const congratulation = (await outbox(customerId)).find((item) => item.step === 'tier-up')!;
    expect(congratulation.subject).toBe('Welcome to silver: your new perks are here');
    expect(congratulation.text).toContain('- free delivery');
    expect(congratulation.text).toContain('Next up: gold, $950.00 more away.');

    await clock.advance({ days: 1 });
    await buy(customerId, 800_00); // 1,350.00 of 1,500.00: within 10% of gold
    await sweepLoyalty(sweepPorts);
    expect(await loyaltyMessages(customerId)).toEqual(['tier-up/sent', 'tier-nudge/sent']);
    expect((await outbox(customerId)).find((item) => item.step === 'tier-nudge')!.text).toContain('You’re so close to gold: just $150.00 more and it’s yours.');
  });

  it('congratulates a customer who moved up at night in their morning, at the first hourly dispatch after 09:00 there', async () => {
    const customerId = uniqueId('loyal-night');
    // 20:00 UTC is 23:00 in Kyiv (summer time): quiet hours there until 09:00, 06:00 UTC.
    await clock.advance({ minutes: ((20 - clock.now().getUTCHours() + 24) % 24) * 60 - clock.now().getUTCMinutes() });
    await buy(customerId, 600_00, { timezone: 'Europe/Kyiv' }); // silver

    // The dispatch runs every hour at minute 15, as on AWS, until the congratulation goes out.
    const runs: { at: string; sent: number }[] = [];
    for (let hour = 0; hour < 16 && !runs.some((run) => run.sent > 0); hour += 1) {
      const minutes = (75 - clock.now().getUTCMinutes()) % 60 || 60;
      await clock.advance({ minutes });
      runs.push({ at: clock.now().toISOString(), sent: (await loyaltyDispatch()).sent });
    }

    const log = (await outbox(customerId)).filter((item) => item.step === 'tier-up');
    expect(log.map((item) => item.status)).toEqual(['deferred', 'sent']);
    // 09:00 in Kyiv is 06:00 UTC: the 06:15 run sends it, not the nightly sweep.
    expect(log[1]!.at).toBe(runs.at(-1)!.at);
    expect(log[1]!.at.slice(11)).toBe('06:15:00.000Z');
    expect(Date.parse(log[1]!.at) - Date.parse(log[0]!.at)).toBeLessThan(11 * 3_600_000);
  });

  it('reviews the tier when an order leaves the 12-month window, at the nightly sweep', async () => {
    const customerId = uniqueId('loyal-review');
    await buy(customerId, 600_00, { daysAgo: 364 });
    await buy(customerId, 50_00, { daysAgo: 100 });
    expect((await ports.store.getAccount(customerId))!.tier).toBe('silver');

    await clock.advance({ days: 1 });
    const sweep = await loyaltySweep();

    expect(sweep.reviews).toBeGreaterThanOrEqual(1);
    const account = (await ports.store.getAccount(customerId))!;
    expect(account).toMatchObject({ tier: 'bronze', balance: 1800 + 250 }); // the second order earned silver's 5%
    expect(Object.values(account.activity)).toEqual([{ orders: 1, spendMinor: 50_00 }]);
    expect(await loyaltyMessages(customerId)).toEqual([]);
  });
});

describe('membership', () => {
  function joinEvent(customerId: string, options: { signedFor?: string; secret?: string; admin?: string } = {}) {
    const path = `/v1/loyalty/${customerId}/join`;
    const signature = signComebackPayload(options.secret ?? TEST_WEBHOOK_SECRETS[0]!, requestSigningPayload('POST', options.signedFor ?? path), Math.floor(Date.now() / 1000));
    return httpEvent({ method: 'POST', path, pathParameters: { customerId }, headers: options.admin !== undefined ? { authorization: `Bearer ${options.admin}` } : { 'comeback-signature': signature } });
  }
  const joinAnswer = async (event: ReturnType<typeof joinEvent>) => {
    const result = await joinHandler(event, lambdaContext);
    return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
  };

  it('lets a customer who has not joined earn points but no tier; the storefront joins her once, and only later orders count', async () => {
    const customerId = uniqueId('loyal-join');
    await buy(customerId, 600_00, { member: false }); // silver's threshold, but not a member: 3% and no tier
    expect(await loyaltyView(ports, customerId)).toMatchObject({ member: false, joinedAt: null, balance: 1800, tier: { name: 'bronze', since: null }, window: { orders: 0, spendMinor: 0 } });
    await expect(redeemPoints(ports, redemption(customerId, 'before-joining', 100))).rejects.toMatchObject({ code: 'not-a-member' });

    // Prepare: strangers and other customers' signatures are refused, and change nothing.
    expect((await joinAnswer(joinEvent(customerId, { secret: 'not-the-secret' }))).status).toBe(401);
    expect((await joinAnswer(joinEvent(customerId, { signedFor: '/v1/loyalty/someone-else/join' }))).status).toBe(401);
    expect((await joinAnswer(joinEvent(customerId, { admin: 'not-the-token' }))).status).toBe(401);
    expect((await loyaltyView(ports, customerId)).member).toBe(false);

    // Act: the storefront joins her, then again (a retried click), then an admin does.
    const joined = await joinAnswer(joinEvent(customerId));
    await clock.advance({ minutes: 3 });
    const again = await joinAnswer(joinEvent(customerId));
    const byAdmin = await joinAnswer(joinEvent(customerId, { admin: TEST_ADMIN_TOKEN }));

    // Assess
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ customerId, member: true, balance: 1800, tier: { name: 'bronze' }, window: { orders: 0, spendMinor: 0 } });
    expect(Date.parse(String(joined.body['joinedAt']))).toBe(clock.now().getTime() - 3 * 60_000);
    expect(again).toEqual(joined);
    expect(byAdmin.body['joinedAt']).toBe(joined.body['joinedAt']);
    await buy(customerId, 600_00, { member: false });
    expect(await loyaltyView(ports, customerId)).toMatchObject({ member: true, tier: { name: 'silver' }, window: { orders: 1, spendMinor: 600_00 }, balance: 3600 });
    expect((await redeemPoints(ports, redemption(customerId, 'after-joining', 100))).status).toBe('redeemed');
  });

  it('answers 404 for a customer nobody knows, and joins nobody', async () => {
    const customerId = uniqueId('loyal-nobody');
    expect((await joinAnswer(joinEvent(customerId))).status).toBe(404);
    expect(await ports.store.getAccount(customerId)).toBeUndefined();
  });

  it('keeps an account from before joining existed a member since it was opened if it earned points, and not one otherwise', async () => {
    const legacy = async (customerId: string, earned: number) => {
      const account = { customerId, currency: 'USD', balance: earned, earned, redeemed: 0, clawedBack: 0, tier: 'bronze', tierSince: '2026-01-10T08:00:00.000Z', activity: {}, createdAt: '2026-01-10T08:00:00.000Z', updatedAt: '2026-01-10T08:00:00.000Z' };
      await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...loyaltyKeys.account(customerId), type: 'loyaltyAccount', ...account, version: 1 } }));
    };
    const earner = uniqueId('loyal-legacy');
    const idle = uniqueId('loyal-legacy-idle');
    await legacy(earner, 300);
    await legacy(idle, 0);

    expect(await loyaltyView(ports, earner)).toMatchObject({ member: true, joinedAt: '2026-01-10T08:00:00.000Z' });
    expect(await loyaltyView(ports, idle)).toMatchObject({ member: false, joinedAt: null });
    // The legacy member's next order counts towards her tier, and the account now stores her membership.
    await buy(earner, 600_00, { member: false });
    expect(await loyaltyView(ports, earner)).toMatchObject({ member: true, tier: { name: 'silver' }, window: { orders: 1 } });
    expect(await ports.store.getAccount(earner)).toMatchObject({ joinedAt: '2026-01-10T08:00:00.000Z', joinedVia: 'earned-before-joining' });
  });
});
