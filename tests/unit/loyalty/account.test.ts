/** The account decisions: credits, clawbacks, bonuses, redemptions, tier changes and their messages. */
import { describe, expect, it } from 'vitest';
import {
  clawBackRefund,
  creditBonus,
  creditPurchase,
  joinProgram,
  membershipOf,
  redeem,
  RedemptionRefused,
  reviewTier,
  type LoyaltyAccount,
  type LoyaltyChange,
  type LoyaltyDecision,
  type LoyaltyState,
  type PurchaseFacts,
} from '../../../functions/core/loyalty/account.ts';
import { testCatalog } from '../catalog/fixtures.ts';

const program = testCatalog().loyalty;
const ordersProgram = testCatalog({ loyalty: { basis: 'orders' } }).loyalty;
const DAY = 86_400_000;
const start = new Date('2026-06-01T12:00:00.000Z');
const at = (days: number) => new Date(start.getTime() + days * DAY);

function applied<R>(decision: LoyaltyDecision<R>): LoyaltyChange & { result: R } {
  if (decision.kind !== 'apply') throw new Error(`expected a change, got ${decision.kind}`);
  return { ...decision.change, result: decision.result };
}

function refusal<R>(decision: LoyaltyDecision<R>): RedemptionRefused {
  if (decision.kind !== 'refuse') throw new Error(`expected a refusal, got ${decision.kind}`);
  expect(decision.error).toBeInstanceOf(RedemptionRefused);
  return decision.error as RedemptionRefused;
}

/** A member since the day before the orders of these tests. */
const joined: LoyaltyState = { account: applied(joinProgram({}, 'cust-1', 'storefront', program, at(-1))).account };

function order(orderId: string, totalMinor: number, placedAt = start, currency = 'USD'): PurchaseFacts {
  return { orderId, customerId: 'cust-1', placedAt: placedAt.toISOString(), currency, totalMinor };
}

/** Applies purchases one after another, as the store would, and returns the final state. */
function buy(state: LoyaltyState, orders: PurchaseFacts[], when = start, p = program): { state: LoyaltyState; changes: LoyaltyChange[] } {
  const changes: LoyaltyChange[] = [];
  let current = state;
  for (const facts of orders) {
    const change = applied(creditPurchase({ ...(current.account ? { account: current.account } : {}) }, facts, p, when));
    changes.push(change);
    current = { account: change.account };
  }
  return { state: current, changes };
}

describe('crediting a purchase', () => {
  it('opens the account and credits the first tier rate on the order, with a ledger entry', () => {
    const change = applied(creditPurchase(joined, order('o-1', 5497), program, start));
    expect(change.result.points).toBe(164);
    expect(change.account).toMatchObject({ balance: 164, earned: 164, tier: 'bronze', activity: { '2026-06-01': { orders: 1, spendMinor: 5497 } } });
    expect(change.entry).toMatchObject({ entryId: 'purchase:o-1', kind: 'purchase', points: 164, balanceAfter: 164, orderId: 'o-1', reason: '3% of order o-1 (bronze)' });
    expect(change.earning).toMatchObject({ orderId: 'o-1', rateBp: 300, points: 164, credited: true, counted: true });
    expect(change.reviews).toEqual(['2027-06-01']);
    expect(change.messages).toEqual([]);
  });

  it('earns at the rate of the tier held when buying; the order that reaches silver earns bronze', () => {
    const { changes } = buy(joined, [order('o-1', 45_000), order('o-2', 10_000), order('o-3', 10_000)]);
    expect(changes.map((change) => [change.entry?.points, change.account.tier])).toEqual([
      [1350, 'bronze'],
      [300, 'silver'],
      [500, 'silver'],
    ]);
  });

  it('schedules a congratulation on moving up, and one nudge per stint when close to the next tier', () => {
    const { changes } = buy(joined, [order('o-1', 46_000), order('o-2', 1_000), order('o-3', 5_000), order('o-4', 95_000)]);
    expect(changes.map((change) => change.messages.map((message) => `${message.kind}:${message.tier}`))).toEqual([
      ['tier-nudge:silver'], // 460.00 of 500.00: within 10%
      [], // still close, already nudged
      ['tier-up:silver'],
      ['tier-nudge:gold'], // 1,470.00 of 1,500.00
    ]);
    const [congratulation] = changes[2]!.messages;
    expect(congratulation).toMatchObject({ customerId: 'cust-1', status: 'scheduled', dueAt: start.toISOString() });
    expect(congratulation!.messageId).toMatch(/^tier-up\.[0-9a-f]{24}$/);
  });

  it('counts orders in another currency as orders, without points', () => {
    const change = applied(creditPurchase(joined, order('o-1', 5000, start, 'EUR'), ordersProgram, start));
    expect(change.result.points).toBe(0);
    expect(change.entry).toBeUndefined();
    expect(change.account.activity).toEqual({ '2026-06-01': { orders: 1, spendMinor: 0 } });
  });

  it('credits an order recorded after its window closed without counting it towards the tier', () => {
    const change = applied(creditPurchase(joined, order('o-old', 10_000, at(-400)), program, start));
    expect(change.result.points).toBe(300);
    expect(change.account.activity).toEqual({});
    expect(change.reviews).toEqual([]);
  });

  it('does nothing for an order already credited', () => {
    const first = applied(creditPurchase(joined, order('o-1', 5000), program, start));
    expect(creditPurchase({ account: first.account, earning: first.earning! }, order('o-1', 5000), program, start).kind).toBe('skip');
  });
});

describe('refunds', () => {
  it('take back what the refunded amount earned; partial refunds add up to a full one', () => {
    const credit = applied(creditPurchase(joined, order('o-1', 10_001), program, start));
    expect(credit.result.points).toBe(300);
    let state: LoyaltyState = { account: credit.account, earning: credit.earning! };
    const facts = { ...order('o-1', 10_001) };
    const taken: number[] = [];
    for (const [refundId, amountMinor] of [['r-1', 3_333], ['r-2', 3_333], ['r-3', 3_335]] as const) {
      const change = applied(clawBackRefund(state, { ...facts, refundId, amountMinor }, program, start));
      taken.push(-change.result.points);
      state = { account: change.account, earning: change.earning! };
    }
    expect(taken.reduce((sum, points) => sum + points, 0)).toBe(300);
    expect(state.account).toMatchObject({ balance: 0, clawedBack: 300, activity: {} });
  });

  it('may leave a negative balance when the points were already spent', () => {
    const credit = applied(creditPurchase(joined, order('o-1', 10_000), program, start));
    const spent = applied(redeem({ account: credit.account }, { customerId: 'cust-1', redemptionId: 'x', points: 300, orderTotalMinor: 1000, currency: 'USD' }, program, start));
    const refund = applied(clawBackRefund({ account: spent.account, earning: credit.earning! }, { ...order('o-1', 10_000), refundId: 'r', amountMinor: 10_000 }, program, start));
    expect(refund.account.balance).toBe(-300);
    expect(refund.entry).toMatchObject({ kind: 'refund', points: -300, balanceAfter: -300 });
  });

  it('arriving before the credit, lower what the order earns later', () => {
    const refund = applied(clawBackRefund(joined, { ...order('o-1', 10_000), refundId: 'r', amountMinor: 4_000 }, program, start));
    expect(refund.result.points).toBe(0);
    const credit = applied(creditPurchase({ account: refund.account, earning: refund.earning! }, order('o-1', 10_000), program, start));
    expect(credit.result.points).toBe(180);
    expect(credit.account.activity['2026-06-01']).toEqual({ orders: 1, spendMinor: 6000 });
  });

  it('can take a customer down a tier, silently', () => {
    const { state, changes } = buy(joined, [order('o-1', 60_000)]);
    expect(state.account!.tier).toBe('silver');
    const refund = applied(clawBackRefund({ account: state.account!, earning: changes[0]!.earning! }, { ...order('o-1', 60_000), refundId: 'r', amountMinor: 30_000 }, program, start));
    expect(refund.account.tier).toBe('bronze');
    expect(refund.messages).toEqual([]);
  });
});

describe('bonuses', () => {
  it('credit their points with their reason', () => {
    const change = applied(creditBonus({}, { customerId: 'cust-1', opId: 'feedback:e-1', kind: 'feedback', points: 100, reason: 'thank you for your feedback' }, program, start));
    expect(change.account.balance).toBe(100);
    expect(change.entry).toMatchObject({ entryId: 'feedback:e-1', kind: 'feedback', points: 100, balanceAfter: 100 });
  });
});

describe('redemptions', () => {
  const account = applied(creditPurchase(joined, order('o-1', 100_000), program, start)).account; // 3,000 points

  it('debit the balance and confirm the discount', () => {
    const change = applied(redeem({ account }, { customerId: 'cust-1', redemptionId: 'rd-1', points: 1200, orderTotalMinor: 5497, currency: 'USD', orderId: 'o-9' }, program, start));
    expect(change.result).toEqual({
      redemptionId: 'rd-1',
      customerId: 'cust-1',
      orderId: 'o-9',
      points: 1200,
      discountMinor: 1200,
      currency: 'USD',
      orderTotalMinor: 5497,
      balanceAfter: 1800,
      redeemedAt: start.toISOString(),
    });
    expect(change.entry).toMatchObject({ kind: 'redemption', points: -1200, balanceAfter: 1800, redemptionId: 'rd-1' });
  });

  it.each([
    ['insufficient-points', { points: 3001, orderTotalMinor: 100_000, currency: 'USD' }, 'not enough points: the balance is 3000, the request 3001', 3000],
    ['over-cap', { points: 2749, orderTotalMinor: 5497, currency: 'USD' }, 'points may pay for at most 50% of the order: 2748 points on this order, the request 2749', 2748],
    ['wrong-currency', { points: 10, orderTotalMinor: 5497, currency: 'EUR' }, 'points pay for orders in USD only, not EUR', 2748],
  ])('refuse %s clearly, with what is possible instead', (code, request, message, maxPoints) => {
    const error = refusal(redeem({ account }, { customerId: 'cust-1', redemptionId: 'rd', ...request }, program, start));
    expect(error).toMatchObject({ code, message, balance: 3000, maxPoints });
  });

  it('refuse a customer without an account', () => {
    expect(refusal(redeem({}, { customerId: 'cust-1', redemptionId: 'rd', points: 1, orderTotalMinor: 5497, currency: 'USD' }, program, start)).code).toBe('not-a-member');
    expect(refusal(redeem(joined, { customerId: 'cust-1', redemptionId: 'rd', points: 1, orderTotalMinor: 5497, currency: 'USD' }, program, start)).code).toBe('insufficient-points');
  });
});

describe('the nightly review', () => {
  it('drops the tier when orders leave the window, and nudges when the lost tier is within reach', () => {
    const { state } = buy(joined, [order('o-1', 46_000, start), order('o-2', 6_000, at(200))], at(200));
    expect(state.account!.tier).toBe('silver');
    const review = applied(reviewTier(state, program, at(366), '2027-06-02'));
    expect(review.account.tier).toBe('bronze');
    expect(review.account.activity).toEqual({ '2026-12-18': { orders: 1, spendMinor: 6000 } });
    expect(review.messages).toEqual([]);

    const close = buy(joined, [order('o-1', 6_000, start), order('o-2', 46_000, at(200))], at(200)).state;
    const nudge = applied(reviewTier(close, program, at(366), '2027-06-02'));
    expect(nudge.messages.map((message) => `${message.kind}:${message.tier}`)).toEqual(['tier-nudge:silver']);
  });

  it('skips customers without an account or without a change', () => {
    expect(reviewTier({}, program, start, '2026-06-01').kind).toBe('skip');
    const { state } = buy(joined, [order('o-1', 1_000)]);
    expect(reviewTier(state, program, at(10), '2026-06-11').kind).toBe('skip');
  });
});

describe('membership', () => {
  it('lets a customer who has not joined earn points at the first tier rate, counting towards no tier and sending no tier message', () => {
    const { state, changes } = buy({}, [order('o-1', 46_000), order('o-2', 60_000)]);
    expect(changes.map((change) => change.entry?.points)).toEqual([1380, 1800]);
    expect(state.account).toMatchObject({ joinedAt: null, tier: 'bronze', balance: 3180, activity: {} });
    expect(changes.flatMap((change) => change.messages)).toEqual([]);
    expect(changes.flatMap((change) => change.reviews)).toEqual([]);
    expect(changes.map((change) => change.earning?.counted)).toEqual([false, false]);
    // Points wait for her, but only a member spends them.
    expect(refusal(redeem(state, { customerId: 'cust-1', redemptionId: 'rd', points: 100, orderTotalMinor: 10_000, currency: 'USD' }, program, start))).toMatchObject({ code: 'not-a-member', balance: 3180, maxPoints: 0 });
  });

  it('counts towards the tier only the orders placed after joining; the points earned before stay', () => {
    const before = buy({}, [order('o-1', 60_000, at(-10))], at(-10)).state;
    const join = applied(joinProgram(before, 'cust-1', 'invitation-link', program, start));
    expect(join.account).toMatchObject({ joinedAt: start.toISOString(), joinedVia: 'invitation-link', tier: 'bronze', tierSince: start.toISOString(), balance: 1800, activity: {} });
    // Recorded after joining but placed before: still not counted.
    const late = applied(creditPurchase({ account: join.account }, order('o-0', 60_000, at(-5)), program, at(1)));
    expect(late.earning).toMatchObject({ counted: false, rateBp: 300 });
    expect(late.account.tier).toBe('bronze');
    const after = buy({ account: late.account }, [order('o-2', 60_000, at(2))], at(2));
    expect(after.changes[0]!.earning).toMatchObject({ counted: true });
    expect(after.state.account).toMatchObject({ tier: 'silver', activity: { '2026-06-03': { orders: 1, spendMinor: 60_000 } } });
    expect(after.changes[0]!.messages.map((message) => message.kind)).toEqual(['tier-up']);
  });

  it('joins once: joining again changes nothing', () => {
    const join = applied(joinProgram({}, 'cust-1', 'storefront', program, start));
    expect(joinProgram({ account: join.account }, 'cust-1', 'invitation-link', program, at(3))).toEqual({ kind: 'skip', result: { joinedAt: start.toISOString() } });
  });

  it('treats an account from before joining existed as joined when it was opened if it ever earned points, and as not joined otherwise', () => {
    const legacy = (earned: number): LoyaltyAccount => {
      const { joinedAt: _joinedAt, ...rest } = applied(creditPurchase({}, order('o-1', 10_000, at(-30)), program, at(-30))).account;
      return { ...rest, earned, balance: earned } as LoyaltyAccount;
    };
    expect(membershipOf(legacy(300))).toMatchObject({ joinedAt: at(-30).toISOString(), joinedVia: 'earned-before-joining' });
    expect(membershipOf(legacy(0))).toMatchObject({ joinedAt: null });
    // A stored membership is kept as it is.
    expect(membershipOf(joined.account!)).toBe(joined.account);
  });
});
