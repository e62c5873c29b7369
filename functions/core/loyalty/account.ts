/**
 * A customer's loyalty account and the pure decisions that change it. The balance is a ledger: every
 * credit and debit is an entry with its reason, written in the same transaction as the account and
 * a guard item named after the operation (`purchase:<orderId>`, `redeem:<redemptionId>`...), so a
 * retried operation is found by its guard and never counted twice. These functions take the state
 * read and return what to write; the store makes it one transaction and retries lost races.
 */
import type { LoyaltyProgram } from '../catalog/rules.ts';
import type { OrderReference } from '../ledger.ts';
import { InvalidInputError, UnprocessableError } from '../errors.ts';
import {
  addActivity,
  dayOf,
  inProgramCurrency,
  isCloseToNext,
  leavesWindowOn,
  percentText,
  pointsFor,
  pruneActivity,
  redeemCap,
  tierProgress,
  tierRank,
  windowStart,
  windowTotals,
  type Activity,
} from './program.ts';
import { scheduledMessageId, type ScheduledMessage } from './scheduled.ts';

export interface LoyaltyAccount {
  customerId: string;
  /** The program currency: 1 point = 1 minor unit of it. */
  currency: string;
  balance: number;
  /** Lifetime points credited (purchases and bonuses), redeemed, and taken back by refunds. */
  earned: number;
  redeemed: number;
  clawedBack: number;
  /** The tier as last computed (on a purchase, a refund, a review), and since when. */
  tier: string;
  tierSince: string;
  /** `<tier>@<tierSince>`: the nudge towards that tier already scheduled during this stint. */
  nudged?: string;
  /** Orders and net spend per UTC day of the tier window. */
  activity: Activity;
  referralCode?: string;
  /**
   * When the customer joined the program; null until she does. Only members hold a tier: orders
   * placed before joining earn points at the first tier's rate but count towards no tier.
   */
  joinedAt: string | null;
  /** How she joined: the invitation's link, the storefront's call, or earned points before joining was an act (membershipOf). */
  joinedVia?: JoinVia;
  createdAt: string;
  updatedAt: string;
}

export type JoinVia = 'invitation-link' | 'storefront' | 'earned-before-joining';

/** An account as stored: one stored before joining was an act has no joinedAt at all. */
export type StoredLoyaltyAccount = Omit<LoyaltyAccount, 'joinedAt'> & { joinedAt?: string | null };

const hasMembership = (account: StoredLoyaltyAccount): account is LoyaltyAccount => account.joinedAt !== undefined;

/**
 * The account with its membership as the program knows it now. An account stored before joining
 * was an act has no joinedAt at all: one that ever earned points was a member in all but name, and
 * stays one, joined when the account was opened (its first earning: the order or bonus that opened
 * it); one that never earned anything has not joined.
 */
export function membershipOf(account: StoredLoyaltyAccount): LoyaltyAccount {
  if (hasMembership(account)) return account;
  return account.earned > 0 ? { ...account, joinedAt: account.createdAt, joinedVia: 'earned-before-joining' } : { ...account, joinedAt: null };
}

export function isMember(account: LoyaltyAccount | undefined): account is LoyaltyAccount & { joinedAt: string } {
  return typeof account?.joinedAt === 'string';
}

export type EntryKind = 'purchase' | 'refund' | 'feedback' | 'referral' | 'redemption';

export interface LedgerEntry {
  /** The operation's id, the same as its guard's. */
  entryId: string;
  customerId: string;
  at: string;
  kind: EntryKind;
  /** Signed: credits are positive, debits negative. */
  points: number;
  balanceAfter: number;
  reason: string;
  orderId?: string;
  refundId?: string;
  redemptionId?: string;
}

/** What one order earned, and what refunds took back: the basis of a fair clawback. */
export interface OrderEarning extends OrderReference {
  refundedMinor: number;
  /** The rate the order earned at, once credited. */
  rateBp?: number;
  /** The points the order holds now (after refunds). */
  points: number;
  credited: boolean;
  /** Whether the order is in the account's activity (it was inside the window when credited). */
  counted: boolean;
}

/** The state an operation is decided on, read consistently from the customer's partition. */
export interface LoyaltyState {
  account?: LoyaltyAccount;
  earning?: OrderEarning;
}

export interface LoyaltyChange {
  account: LoyaltyAccount;
  entry?: LedgerEntry;
  earning?: OrderEarning;
  /** Days on which the tier must be looked at again (an order leaves the window). */
  reviews: string[];
  /** Tier messages the change calls for, written with it and sent by the sweep. */
  messages: ScheduledMessage[];
}

export type LoyaltyDecision<R> =
  | { kind: 'apply'; change: LoyaltyChange; result: R }
  | { kind: 'refuse'; error: Error }
  | { kind: 'skip'; result: R };

export function openAccount(customerId: string, program: LoyaltyProgram, now: Date): LoyaltyAccount {
  const at = now.toISOString();
  return {
    customerId,
    currency: program.currency,
    balance: 0,
    earned: 0,
    redeemed: 0,
    clawedBack: 0,
    tier: program.tiers[0]!.name,
    tierSince: at,
    activity: {},
    joinedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * Joining the program: from now on the customer's orders count towards her tier, which starts at
 * the first; points earned before stay hers. Joining again changes nothing.
 */
export function joinProgram(state: LoyaltyState, customerId: string, via: Exclude<JoinVia, 'earned-before-joining'>, program: LoyaltyProgram, now: Date): LoyaltyDecision<{ joinedAt: string }> {
  if (isMember(state.account)) return { kind: 'skip', result: { joinedAt: state.account.joinedAt } };
  const at = now.toISOString();
  const account = state.account ?? openAccount(customerId, program, now);
  const { nudged: _nudged, ...rest } = account;
  const joined: LoyaltyAccount = { ...rest, joinedAt: at, joinedVia: via, tier: program.tiers[0]!.name, tierSince: at, activity: {}, updatedAt: at };
  return { kind: 'apply', result: { joinedAt: at }, change: { account: joined, reviews: [], messages: [] } };
}

export interface PurchaseFacts {
  orderId: string;
  customerId: string;
  placedAt: string;
  currency: string;
  totalMinor: number;
}

/**
 * A recorded order earns its tier's cashback on its net amount (less anything refunded before the
 * credit), at the rate of the tier the customer holds when buying, and counts towards the tier
 * window. An order in another currency earns and counts at the store's rate for that currency;
 * without a rate it counts as an order but earns no points.
 */
export function creditPurchase(state: LoyaltyState, order: PurchaseFacts, program: LoyaltyProgram, now: Date): LoyaltyDecision<{ points: number }> {
  const account = state.account ?? openAccount(order.customerId, program, now);
  const earning: OrderEarning = state.earning ?? { ...order, refundedMinor: 0, points: 0, credited: false, counted: false };
  if (earning.credited) return { kind: 'skip', result: { points: earning.points } };
  // An order placed before joining (or with no membership at all) earns at the first tier's rate and counts towards no tier.
  const asMember = isMember(account) && order.placedAt >= account.joinedAt;
  const before = asMember ? tierProgress(program, windowTotals(account.activity, now, program.windowDays)) : tierProgress(program, { orders: 0, spendMinor: 0 });
  const rateBp = before.tier.cashbackBp;
  const net = Math.max(0, order.totalMinor - earning.refundedMinor);
  const netInProgram = inProgramCurrency(program, net, order.currency);
  const points = pointsFor(netInProgram ?? 0, rateBp);
  const counted = asMember && net > 0 && dayOf(order.placedAt) >= windowStart(now, program.windowDays);
  const activity = counted
    ? addActivity(account.activity, dayOf(order.placedAt), { orders: 1, spendMinor: netInProgram ?? 0 }, now, program.windowDays)
    : pruneActivity(account.activity, now, program.windowDays);
  const credited: LoyaltyAccount = { ...account, balance: account.balance + points, earned: account.earned + points, activity, updatedAt: now.toISOString() };
  const opId = `purchase:${order.orderId}`;
  const { account: next, messages } = evaluateTier(credited, program, now, opId, { nudge: true });
  const review = leavesWindowOn(order.placedAt, program.windowDays);
  return {
    kind: 'apply',
    result: { points },
    change: {
      account: next,
      earning: { ...earning, rateBp, points, credited: true, counted },
      reviews: counted && review > dayOf(now) ? [review] : [],
      messages,
      ...(points > 0
        ? {
            entry: entry(next, opId, now, 'purchase', points, `${percentText(rateBp)}% of order ${order.orderId} (${before.tier.name})`, { orderId: order.orderId }),
          }
        : {}),
    },
  };
}

export interface RefundFacts extends PurchaseFacts {
  refundId: string;
  amountMinor: number;
}

/**
 * A refund takes back what the refunded amount earned: the order's points become those of its new
 * net amount at the rate it earned at, so several partial refunds take back exactly what one full
 * refund would. Points already spent are not refused back: the balance may go below zero, and later
 * earnings fill it again (a customer cannot keep points for goods she returned).
 */
export function clawBackRefund(state: LoyaltyState, refund: RefundFacts, program: LoyaltyProgram, now: Date): LoyaltyDecision<{ points: number }> {
  const account = state.account ?? openAccount(refund.customerId, program, now);
  const earning: OrderEarning = state.earning ?? {
    orderId: refund.orderId,
    customerId: refund.customerId,
    placedAt: refund.placedAt,
    currency: refund.currency,
    totalMinor: refund.totalMinor,
    refundedMinor: 0,
    points: 0,
    credited: false,
    counted: false,
  };
  const refundedMinor = Math.min(earning.totalMinor, earning.refundedMinor + refund.amountMinor);
  const delta = refundedMinor - earning.refundedMinor;
  // At today's rate: a store that changed a rate since the order takes back by the new one.
  const convert = (minor: number) => inProgramCurrency(program, minor, earning.currency);
  let clawback = 0;
  let activity = account.activity;
  if (earning.credited) {
    const remaining = pointsFor(convert(earning.totalMinor - refundedMinor) ?? 0, earning.rateBp ?? 0);
    clawback = Math.max(0, earning.points - remaining);
    if (earning.counted) {
      const emptied = refundedMinor >= earning.totalMinor && earning.refundedMinor < earning.totalMinor;
      activity = addActivity(activity, dayOf(earning.placedAt), { orders: emptied ? -1 : 0, spendMinor: -(convert(delta) ?? 0) }, now, program.windowDays);
    }
  }
  const changed: LoyaltyAccount = {
    ...account,
    balance: account.balance - clawback,
    clawedBack: account.clawedBack + clawback,
    activity,
    updatedAt: now.toISOString(),
  };
  const opId = `refund:${refund.orderId}:${refund.refundId}`;
  const { account: next, messages } = evaluateTier(changed, program, now, opId, { nudge: false });
  return {
    kind: 'apply',
    result: { points: clawback > 0 ? -clawback : 0 },
    change: {
      account: next,
      earning: { ...earning, refundedMinor, points: earning.points - clawback },
      reviews: [],
      messages,
      ...(clawback > 0
        ? { entry: entry(next, opId, now, 'refund', -clawback, `refund ${refund.refundId} of order ${refund.orderId}`, { orderId: refund.orderId, refundId: refund.refundId }) }
        : {}),
    },
  };
}

/** A bonus (a feedback answer, a referred friend's first order): points with their reason. */
export function creditBonus(
  state: LoyaltyState,
  bonus: { customerId: string; opId: string; kind: 'feedback' | 'referral'; points: number; reason: string },
  program: LoyaltyProgram,
  now: Date,
): LoyaltyDecision<{ points: number }> {
  if (bonus.points <= 0) return { kind: 'skip', result: { points: 0 } };
  const account = state.account ?? openAccount(bonus.customerId, program, now);
  const credited = { ...account, balance: account.balance + bonus.points, earned: account.earned + bonus.points, updatedAt: now.toISOString() };
  const { account: next, messages } = evaluateTier(credited, program, now, bonus.opId, { nudge: false });
  return {
    kind: 'apply',
    result: { points: bonus.points },
    change: { account: next, reviews: [], messages, entry: entry(next, bonus.opId, now, bonus.kind, bonus.points, bonus.reason, {}) },
  };
}

export interface RedemptionRequest {
  customerId: string;
  redemptionId: string;
  points: number;
  orderTotalMinor: number;
  currency: string;
  orderId?: string;
}

/** What the storefront gets back and may show or check at checkout; Comeback signs it. */
export interface RedemptionConfirmation {
  redemptionId: string;
  customerId: string;
  orderId: string | null;
  points: number;
  /** The discount the points pay for: 1 point = 1 minor unit. */
  discountMinor: number;
  currency: string;
  orderTotalMinor: number;
  balanceAfter: number;
  redeemedAt: string;
}

export type RefusalCode = 'insufficient-points' | 'over-cap' | 'wrong-currency' | 'not-a-member';

/** A redemption the program refuses (a 422 at the edge, with its code and figures). */
export class RedemptionRefused extends UnprocessableError {
  override readonly name: string = 'RedemptionRefused';
  readonly code: RefusalCode;
  readonly balance: number;
  readonly maxPoints: number;
  constructor(code: RefusalCode, message: string, figures: { balance: number; maxPoints: number }) {
    super(message);
    this.code = code;
    this.balance = figures.balance;
    this.maxPoints = figures.maxPoints;
  }

  /** The storefront offers what is possible instead: the balance, or the most points this order takes. */
  override get problemMembers(): Readonly<Record<string, string | number>> {
    return { code: this.code, balance: this.balance, maxPoints: this.maxPoints };
  }
}

/**
 * Points pay for at most `maxRedeemBp` of the order's value, and never more than the balance: the
 * check runs on the balance read, and the account write is conditional on the version read, so
 * concurrent redemptions are serialised and cannot overdraw.
 */
export function redeem(state: LoyaltyState, request: RedemptionRequest, program: LoyaltyProgram, now: Date): LoyaltyDecision<RedemptionConfirmation> {
  if (!Number.isSafeInteger(request.points) || request.points <= 0) throw new InvalidInputError('points must be a positive whole number');
  const balance = state.account?.balance ?? 0;
  const cap = redeemCap(program, request.orderTotalMinor);
  if (!isMember(state.account)) {
    return { kind: 'refuse', error: new RedemptionRefused('not-a-member', 'points are spent by members of the program: the customer has not joined', { balance, maxPoints: 0 }) };
  }
  const figures = { balance, maxPoints: Math.max(0, Math.min(balance, cap)) };
  if (request.currency !== program.currency) {
    return { kind: 'refuse', error: new RedemptionRefused('wrong-currency', `points pay for orders in ${program.currency} only, not ${request.currency}`, figures) };
  }
  if (request.points > balance) {
    return { kind: 'refuse', error: new RedemptionRefused('insufficient-points', `not enough points: the balance is ${balance}, the request ${request.points}`, figures) };
  }
  if (request.points > cap) {
    return {
      kind: 'refuse',
      error: new RedemptionRefused('over-cap', `points may pay for at most ${percentText(program.maxRedeemBp)}% of the order: ${cap} points on this order, the request ${request.points}`, figures),
    };
  }
  const account = state.account!;
  const debited = { ...account, balance: balance - request.points, redeemed: account.redeemed + request.points, updatedAt: now.toISOString() };
  const opId = `redeem:${request.redemptionId}`;
  const confirmation: RedemptionConfirmation = {
    redemptionId: request.redemptionId,
    customerId: request.customerId,
    orderId: request.orderId ?? null,
    points: request.points,
    discountMinor: request.points,
    currency: program.currency,
    orderTotalMinor: request.orderTotalMinor,
    balanceAfter: debited.balance,
    redeemedAt: now.toISOString(),
  };
  return {
    kind: 'apply',
    result: confirmation,
    change: {
      account: debited,
      reviews: [],
      messages: [],
      entry: entry(debited, opId, now, 'redemption', -request.points, `redemption ${request.redemptionId}${request.orderId ? ` on order ${request.orderId}` : ''}`, {
        redemptionId: request.redemptionId,
        ...(request.orderId ? { orderId: request.orderId } : {}),
      }),
    },
  };
}

/** The nightly review after an order left the window: the tier may drop, a nudge may be due. */
export function reviewTier(state: LoyaltyState, program: LoyaltyProgram, now: Date, day: string): LoyaltyDecision<{ tier?: string }> {
  if (!isMember(state.account)) return { kind: 'skip', result: {} };
  const pruned = { ...state.account, activity: pruneActivity(state.account.activity, now, program.windowDays) };
  const { account, messages } = evaluateTier(pruned, program, now, `review:${day}`, { nudge: true });
  if (account.tier === state.account.tier && messages.length === 0 && Object.keys(account.activity).length === Object.keys(state.account.activity).length) {
    return { kind: 'skip', result: { tier: account.tier } };
  }
  return { kind: 'apply', result: { tier: account.tier }, change: { account: { ...account, updatedAt: now.toISOString() }, reviews: [], messages } };
}

/**
 * Recomputes the tier from the window. Moving up schedules a congratulation; moving down is silent.
 * A customer close to the next tier gets one nudge per stint in her tier (never in the same change
 * as an upgrade: one message at a time).
 */
export function evaluateTier(
  account: LoyaltyAccount,
  program: LoyaltyProgram,
  now: Date,
  opId: string,
  options: { nudge: boolean },
): { account: LoyaltyAccount; messages: ScheduledMessage[] } {
  // Tiers are for members: a customer who has not joined stays where joining will start her.
  if (!isMember(account)) return { account, messages: [] };
  const progress = tierProgress(program, windowTotals(account.activity, now, program.windowDays));
  const before = tierRank(program, account.tier);
  const at = now.toISOString();
  const messages: ScheduledMessage[] = [];
  let next = account;
  if (progress.rank !== before || program.tiers[before]?.name !== account.tier) {
    next = { ...account, tier: progress.tier.name, tierSince: at };
    if (progress.rank > before) {
      const key = `${progress.tier.name}@${at}`;
      messages.push(tierMessage(account.customerId, 'tier-up', key, progress.tier.name, at, opId));
      return { account: next, messages };
    }
  }
  if (options.nudge && progress.next && isCloseToNext(program, progress)) {
    const key = `${progress.next.tier.name}@${next.tierSince}`;
    if (next.nudged !== key) {
      next = { ...next, nudged: key };
      messages.push(tierMessage(account.customerId, 'tier-nudge', key, progress.next.tier.name, at, opId));
    }
  }
  return { account: next, messages };
}

function tierMessage(customerId: string, kind: 'tier-up' | 'tier-nudge', key: string, tier: string, at: string, opId: string): ScheduledMessage {
  return { customerId, kind, key, messageId: scheduledMessageId(customerId, kind, key, opId), dueAt: at, status: 'scheduled', createdAt: at, tier };
}

function entry(
  account: LoyaltyAccount,
  opId: string,
  now: Date,
  kind: EntryKind,
  points: number,
  reason: string,
  refs: { orderId?: string; refundId?: string; redemptionId?: string },
): LedgerEntry {
  return { entryId: opId, customerId: account.customerId, at: now.toISOString(), kind, points, balanceAfter: account.balance, reason, ...refs };
}
