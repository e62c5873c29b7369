/**
 * The loyalty program's use cases: what a recorded purchase, a refund and a feedback answer do to a
 * customer's points and tier, a storefront's redemption, the account as the storefront shows it,
 * and the sweep (tier reviews, then every due scheduled message). Pure of AWS: ports come in.
 */
import { createHash } from 'node:crypto';
import * as z from '../zod.ts';
import { scheduleFollowUps, type FollowUpSummary } from '../catalog/follow-ups.ts';
import { DiscountError } from '../discounts/errors.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { OrderReference } from '../ledger.ts';
import type { CustomerProfile } from '../profile.ts';
import { toMinorUnits } from '../money.ts';
import { amountSchema, currencySchema, fingerprint, identifierSchema, invalid, type Purchase } from '../purchase.ts';
import {
  clawBackRefund,
  creditBonus,
  creditPurchase,
  isMember,
  joinProgram,
  redeem,
  reviewTier,
  type JoinVia,
  type LedgerEntry,
  type LoyaltyAccount,
  type LoyaltyDecision,
  type RedemptionConfirmation,
  type RedemptionRequest,
} from './account.ts';
import { dispatchDueMessages, type DispatchSummary } from './outreach.ts';
import type { LoyaltyPorts, LoyaltySweepPorts } from './ports.ts';
import { daysLookedBack, percentText, tierProgress, windowTotals } from './program.ts';

export interface PurchaseLoyalty {
  status: 'applied' | 'duplicate' | 'skipped';
  points: number;
  referral?: { referrerId: string; points: number; status: 'applied' | 'duplicate' | 'skipped' };
  followUps: FollowUpSummary;
}

/**
 * After a purchase is recorded (and on a duplicate delivery too, so a retry finishes what a failed
 * attempt began): the order's points, the tier (a congratulation or a nudge is scheduled), the
 * customer's referral code, a referral bonus if this is a referred friend's first order, and the
 * product rules' reminders and offers. `profile`: the customer's, with this order counted. Every
 * step is idempotent.
 */
export async function onPurchaseRecorded(ports: LoyaltyPorts, purchase: Purchase, profile: CustomerProfile | undefined): Promise<PurchaseLoyalty> {
  const program = ports.catalog.loyalty;
  const customerId = purchase.customer.id;
  const code = referralCodeFor(customerId);
  const claimed = await ports.store.claimReferralCode(code, customerId);
  const order = { orderId: purchase.orderId, customerId, placedAt: purchase.placedAt, currency: purchase.currency, totalMinor: purchase.totalMinor };
  const credit = await ports.store.execute({ customerId, opId: `purchase:${purchase.orderId}`, fingerprint: fingerprint(order), orderId: purchase.orderId }, (state) => {
    const decision = creditPurchase(state, order, program, ports.now());
    if (decision.kind === 'apply' && claimed && !decision.change.account.referralCode) decision.change.account = { ...decision.change.account, referralCode: code };
    return decision;
  });
  const result: PurchaseLoyalty = { status: credit.status, points: credit.result.points, followUps: { replenishment: 0, crossSell: 0, cancelled: 0 } };

  const friendsFirstOrder = profile !== undefined && profile.firstOrderAt === purchase.placedAt;
  if (purchase.promoCode && friendsFirstOrder) {
    const referrerId = await ports.store.findReferrer(normaliseCode(purchase.promoCode));
    if (referrerId !== undefined && referrerId !== customerId) {
      const friend = createHash('sha256').update(customerId).digest('hex').slice(0, 24);
      const bonus = await ports.store.execute({ customerId: referrerId, opId: `referral:${friend}`, fingerprint: fingerprint({ friend }) }, (state) =>
        creditBonus(state, { customerId: referrerId, opId: `referral:${friend}`, kind: 'referral', points: program.bonuses.referral, reason: "a referred friend's first order" }, program, ports.now()),
      );
      result.referral = { referrerId, points: bonus.result.points, status: bonus.status };
    }
  }
  result.followUps = await scheduleFollowUps(ports, purchase, profile);
  return result;
}

export interface RecordedRefund {
  order: OrderReference;
  refundId: string;
  amountMinor: number;
}

/** After a refund is recorded: the points the refunded amount earned are taken back (once per refundId). */
export async function onRefundRecorded(ports: LoyaltyPorts, refund: RecordedRefund): Promise<{ status: 'applied' | 'duplicate' | 'skipped'; points: number }> {
  const { order } = refund;
  const opId = `refund:${order.orderId}:${refund.refundId}`;
  const outcome = await ports.store.execute({ customerId: order.customerId, opId, fingerprint: fingerprint({ amountMinor: refund.amountMinor }), orderId: order.orderId }, (state) =>
    clawBackRefund(state, { ...order, refundId: refund.refundId, amountMinor: refund.amountMinor }, ports.catalog.loyalty, ports.now()),
  );
  return { status: outcome.status, points: outcome.result.points };
}

/**
 * After a feedback (NPS or review) answer is recorded: the feedback bonus, once per `feedbackId`
 * (the journey entry that asked, for NPS), however often the answer is changed.
 */
export async function onFeedbackAnswered(ports: LoyaltyPorts, answer: { customerId: string; feedbackId: string }): Promise<{ status: 'applied' | 'duplicate' | 'skipped'; points: number }> {
  const program = ports.catalog.loyalty;
  const opId = `feedback:${answer.feedbackId}`;
  const outcome = await ports.store.execute({ customerId: answer.customerId, opId, fingerprint: fingerprint({ feedbackId: answer.feedbackId }) }, (state) =>
    creditBonus(state, { customerId: answer.customerId, opId, kind: 'feedback', points: program.bonuses.feedback, reason: 'thank you for your feedback' }, program, ports.now()),
  );
  return { status: outcome.status, points: outcome.result.points };
}

/** POST /v1/loyalty/{customerId}/redeem: what the storefront sends. */
export const redeemInputSchema = z.strictObject({
  /** The storefront's id for this redemption: a retry with the same id gets the same confirmation. */
  redemptionId: identifierSchema,
  /** Points to redeem; 1 point = 1 minor unit of the program currency. */
  points: z.number().check(z.int(), z.positive(), z.lte(Number.MAX_SAFE_INTEGER)),
  /** The order's value before the points, as decimal text ("54.97"). */
  orderTotal: amountSchema,
  currency: currencySchema,
  orderId: z.optional(identifierSchema),
});

export function parseRedemption(input: unknown, customerId: string): RedemptionRequest {
  const parsed = redeemInputSchema.safeParse(input);
  if (!parsed.success) throw invalid('the redemption does not match the schema', parsed.error);
  let orderTotalMinor: number;
  try {
    orderTotalMinor = toMinorUnits(parsed.data.orderTotal, parsed.data.currency);
  } catch (error) {
    throw new InvalidInputError('the order total is invalid', [{ path: 'orderTotal', message: (error as Error).message }]);
  }
  return {
    customerId,
    redemptionId: parsed.data.redemptionId,
    points: parsed.data.points,
    orderTotalMinor,
    currency: parsed.data.currency,
    ...(parsed.data.orderId !== undefined ? { orderId: parsed.data.orderId } : {}),
  };
}

/**
 * Redeems points for a discount on an order. Refusals (not enough points, over the cap, another
 * currency) throw RedemptionRefused and change nothing. The confirmation is returned with its exact
 * JSON text, which a retry with the same redemptionId gets back byte for byte (the edge signs it).
 */
export async function redeemPoints(
  ports: LoyaltyPorts,
  request: RedemptionRequest,
): Promise<{ status: 'redeemed' | 'duplicate'; confirmation: RedemptionConfirmation; body: string }> {
  const { redemptionId, points, orderTotalMinor, currency, orderId } = request;
  const outcome = await ports.store.execute(
    { customerId: request.customerId, opId: `redeem:${redemptionId}`, fingerprint: fingerprint({ points, orderTotalMinor, currency, orderId: orderId ?? null }) },
    (state): LoyaltyDecision<{ body: string }> => {
      const decision = redeem(state, request, ports.catalog.loyalty, ports.now());
      return decision.kind === 'refuse' ? decision : { ...decision, result: { body: JSON.stringify(decision.result) } };
    },
  );
  return { status: outcome.status === 'duplicate' ? 'duplicate' : 'redeemed', confirmation: JSON.parse(outcome.result.body) as RedemptionConfirmation, body: outcome.result.body };
}

export interface LoyaltyView {
  customerId: string;
  /** Whether the customer joined the program, and when: only members hold a tier and spend points. */
  member: boolean;
  joinedAt: string | null;
  /** 1 point = 1 minor unit of this currency. */
  currency: string;
  balance: number;
  /** The balance again, under the name a storefront looks for beside the tier's benefits. */
  points: number;
  /** The tier's benefits as data a storefront applies: its discount on every order, shipping, support. */
  discountPercent: string;
  freeShipping: boolean;
  prioritySupport: boolean;
  tier: { name: string; cashbackPercent: string; benefits: string[]; since: string | null };
  next: { name: string; cashbackPercent: string; benefits: string[]; basis: 'spend' | 'orders'; remaining: number; percent: number } | null;
  window: { days: number; orders: number; spendMinor: number };
  redeem: { maxPercentOfOrder: string };
  referralCode: string | null;
  lifetime: { earned: number; redeemed: number; clawedBack: number };
  entries: LedgerEntry[];
}

/**
 * The account as the storefront shows it. A known customer without points yet is at the first tier;
 * so is one who has not joined, whose orders count towards no tier (window totals of zero).
 */
export async function loyaltyView(ports: LoyaltyPorts, customerId: string, entries = 10): Promise<LoyaltyView> {
  const program = ports.catalog.loyalty;
  const [account, profile] = await Promise.all([ports.store.getAccount(customerId), ports.customers.getProfile(customerId)]);
  if (!account && !profile) throw new NotFoundError(`customer ${customerId} is unknown`);
  const member = isMember(account);
  const totals = member ? windowTotals(account.activity, ports.now(), program.windowDays) : { orders: 0, spendMinor: 0 };
  const progress = tierProgress(program, totals);
  const view = (tier: typeof progress.tier) => ({ name: tier.name, cashbackPercent: percentText(tier.cashbackBp), benefits: tier.benefits });
  return {
    customerId,
    member,
    joinedAt: member ? account.joinedAt : null,
    currency: program.currency,
    balance: account?.balance ?? 0,
    points: account?.balance ?? 0,
    discountPercent: percentText(progress.tier.discountBp),
    freeShipping: progress.tier.freeShipping,
    prioritySupport: progress.tier.prioritySupport,
    tier: { ...view(progress.tier), since: member && account.tier === progress.tier.name ? account.tierSince : null },
    next: progress.next ? { ...view(progress.next.tier), basis: program.basis, remaining: progress.next.remaining, percent: progress.next.percent } : null,
    window: { days: program.windowDays, ...totals },
    redeem: { maxPercentOfOrder: percentText(program.maxRedeemBp) },
    referralCode: account?.referralCode ? await handedOut(ports, account.referralCode, customerId) : null,
    lifetime: { earned: account?.earned ?? 0, redeemed: account?.redeemed ?? 0, clawedBack: account?.clawedBack ?? 0 },
    entries: account ? await ports.store.recentEntries(customerId, entries) : [],
  };
}

/**
 * Joins the customer to the program (the invitation's link, or the storefront on her behalf) and
 * returns her account. Joining twice is joining once: the second call changes nothing. An unknown
 * customer cannot join.
 */
export async function joinLoyalty(ports: LoyaltyPorts, customerId: string, via: Exclude<JoinVia, 'earned-before-joining'>): Promise<LoyaltyAccount & { joinedAt: string }> {
  const [account, profile] = await Promise.all([ports.store.getAccount(customerId), ports.customers.getProfile(customerId)]);
  if (isMember(account)) return account;
  if (!account && !profile) throw new NotFoundError(`customer ${customerId} is unknown`);
  await ports.store.execute({ customerId, opId: 'join', fingerprint: 'join' }, (state) => joinProgram(state, customerId, via, ports.catalog.loyalty, ports.now()));
  const joined = await ports.store.getAccount(customerId);
  if (!isMember(joined)) throw new Error(`the membership of ${customerId} was written but does not read back`);
  return joined;
}

export interface LoyaltySweepSummary extends DispatchSummary {
  reviews: number;
}

/**
 * The nightly loyalty sweep: tiers of customers whose orders left the window are reviewed (a drop is
 * silent, a nudge may follow), then every scheduled message due by now is sent. Between nights,
 * dispatchDueMessages runs on its own, often (a message deferred by quiet hours is due again at 09:00
 * in the customer's zone, which a once-a-day run at a fixed hour would always miss in half the zones).
 */
export async function sweepLoyalty(ports: LoyaltySweepPorts): Promise<LoyaltySweepSummary> {
  const now = ports.now();
  const program = ports.catalog.loyalty;
  let reviews = 0;
  for (const day of daysLookedBack(now, ports.settings.lookbackHours)) {
    for await (const customerId of ports.store.dueReviews(day)) {
      await ports.store.execute({ customerId, opId: `review:${day}`, fingerprint: day }, (state) => reviewTier(state, program, ports.now(), day));
      await ports.store.completeReview(customerId, day);
      reviews += 1;
    }
  }
  return { reviews, ...(await dispatchDueMessages(ports)) };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The customer's referral code, the same every time: `REF-` and 10 characters of a digest of her id
 * (50 bits: a clash among a million customers has odds of about 1 in 2,000, and the store's claim
 * refuses a clash rather than crediting the wrong person). Codes arrive as promo codes, any case.
 */
export function referralCodeFor(customerId: string): string {
  const digest = createHash('sha256').update(`referral|${customerId}`).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 7)) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let index = 0; index < 10; index += 1) code += CROCKFORD[Number((bits >> BigInt(index * 5)) & 31n)];
  return `REF-${code}`;
}

/**
 * The referral code as it may be shown: with a storefront configured, only once the store has it
 * (created here at its first showing), so no friend is ever refused it at checkout; a store that
 * cannot create it now (throttled, unreachable) leaves it unshown, and the next read asks again.
 * Without a storefront it is shown as it is: the store's own integration honours it.
 */
async function handedOut(ports: LoyaltyPorts, code: string, customerId: string): Promise<string | null> {
  if (!ports.referrals) return code;
  try {
    await ports.referrals.ensure({ code, customerId, now: ports.now() });
    return code;
  } catch (error) {
    if (error instanceof DiscountError) return null;
    throw error;
  }
}

export function normaliseCode(code: string): string {
  return code.trim().toUpperCase();
}
