/**
 * The items the adapters read back from the single table, one typed entity each: its zod schema,
 * checked against the domain type it decodes to, and a parse that names the item's key when a
 * stored item does not match (instead of a cast that lets a wrong item travel on).
 *
 * Why a small module of our own rather than ElectroDB or DynamoDB-Toolbox: the keys already live in
 * one module (table-design.ts) that the CDK table and the local host share, and every write here is a
 * hand-built transaction (guards, optimistic versions, funnel counters) that an entity library would
 * wrap rather than replace. What was untyped was the read side alone, and a schema per item type
 * types it without a second key model or a new dependency.
 *
 * The schemas are plain (non-strict) objects: the table's own attributes (pk, sk, the index keys,
 * `type`, the TTL, `version`) and anything the domain type does not name are left out of what a
 * parse returns, as the key-stripping helpers did before. `entity()` refuses at compile time a
 * schema that leaves out a field of its domain type, so no stored field is dropped unnoticed.
 */
import * as z from '../core/zod.ts';
import type { FeedbackAnswer, JourneyEntryRecord as MetricsJourneyEntry, MetricsSnapshot } from '../core/analytics/metrics.ts';
import type { CustomerPredictions, FittedModels } from '../core/analytics/predictions.ts';
import type { RecomputeState } from '../core/analytics/recompute.ts';
import { segmentFilterSchema, type SegmentDefinition } from '../core/analytics/segments.ts';
import type { CoPurchaseNeighbour } from '../core/catalog/offers.ts';
import type { CustomerMatch } from '../core/customer-search.ts';
import type { Channel, DeliveryStatus, JourneyName, ManagerTask, MessageLogEntry, ProviderDeliveryStatus } from '../core/delivery/types.ts';
import type { CheckIn } from '../core/journey-engine.ts';
import { entryStatuses, stateMachineJourneys, type JourneyEntryRecord } from '../core/journeys.ts';
import type { OrderReference, PlatformRefund, RecordedOrder } from '../core/ledger.ts';
import type { EntryKind, JoinVia, LedgerEntry, OrderEarning, StoredLoyaltyAccount } from '../core/loyalty/account.ts';
import type { CycleSource, ScheduledKind, ScheduledMessage, ScheduledStatus } from '../core/loyalty/scheduled.ts';
import { stateCheckoutConsent, type CustomerProfile } from '../core/profile.ts';
import type { PrivacyRequest, PrivacyTopic } from '../core/privacy/shopify-privacy.ts';
import type { OrderSource } from '../core/purchase.ts';

/** A stored item that does not match its entity's schema: named by its key, with every failing field. */
export class StoredItemError extends Error {
  override readonly name: string = 'StoredItemError';
}

export interface Entity<T> {
  readonly name: string;
  /** The item as the domain knows it; throws StoredItemError naming the key when it does not match. */
  parse(item: Record<string, unknown>): T;
}

type Unlisted<T, S extends z.ZodMiniType> = Exclude<keyof T, keyof z.output<S>>;

/** Every field of T must be in the schema: a field missing here would silently vanish on read. */
function entity<T>() {
  return <S extends z.ZodMiniType<T>>(name: string, schema: S & ([Unlisted<T, S>] extends [never] ? unknown : { unlistedFields: Unlisted<T, S> })): Entity<T> => ({
    name,
    parse(item) {
      const result = schema.safeParse(item);
      if (result.success) return result.data;
      const issues = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(item)'}: ${issue.message}`).join('; ');
      throw new StoredItemError(`the ${name} item pk=${String(item['pk'])} sk=${String(item['sk'])} does not match its model: ${issues}`, { cause: result.error });
    },
  });
}

const oneOf = <const V extends string>(values: readonly [V, ...V[]]) => z.enum(values);
const amounts = z.record(z.string(), z.number());

const journeyNames = ['post-purchase', 'win-back', 'check-in', 'loyalty-invite', 'loyalty', 'replenishment', 'cross-sell'] as const satisfies readonly JourneyName[];
const channels = ['email', 'sms', 'task'] as const satisfies readonly Channel[];
const deliveryStatuses = ['sent', 'deferred', 'capped', 'suppressed', 'failed'] as const satisfies readonly DeliveryStatus[];
const providerDeliveryStatuses = ['delayed', 'delivered', 'bounced', 'rejected', 'complained', 'failed'] as const satisfies readonly ProviderDeliveryStatus[];
const orderSources = ['comeback', 'shopify', 'woocommerce'] as const satisfies readonly OrderSource[];
const entryKinds = ['purchase', 'refund', 'feedback', 'referral', 'redemption'] as const satisfies readonly EntryKind[];
const joinVias = ['invitation-link', 'storefront', 'earned-before-joining'] as const satisfies readonly JoinVia[];
const scheduledKinds = ['tier-up', 'tier-nudge', 'replenishment', 'cross-sell'] as const satisfies readonly ScheduledKind[];
const scheduledStatuses = ['scheduled', 'sent', 'suppressed', 'skipped', 'cancelled', 'failed'] as const satisfies readonly ScheduledStatus[];
const cycleSources = ['product', 'category', 'learned'] as const satisfies readonly CycleSource[];

// Customers and orders ---------------------------------------------------------------------------

const channelTimes = z.object({ email: z.optional(z.string()), sms: z.optional(z.string()) });

/**
 * What a live order's unread update keeps on the profile item beside its maps (purchase-ledger.ts).
 * An update can create a top-level attribute on an item that does not exist yet, and cannot set a path
 * inside a map that does not, so these let a customer's first order start her profile in one try: the
 * revenue live orders added in one currency (a number ADD creates) and each channel's consent last
 * stated by a live order at checkout ({ answer, at }). A write of the whole profile holds them in
 * revenueByCurrency, consent and consentAsOf and leaves these out; the purchase reaction's recount
 * makes that write after each live order. The nightly index (gsi3) does not project them: it reads a
 * live order's revenue and consent, as its order days, once its reaction has run.
 */
export const LIVE_PROFILE_ATTRIBUTES = {
  revenueMinor: 'liveRevenueMinor',
  revenueCurrency: 'liveRevenueCurrency',
  consent: { email: 'liveConsentEmail', sms: 'liveConsentSms' },
} as const;

/** Whether a stored profile item holds any of LIVE_PROFILE_ATTRIBUTES. */
export function keepsLiveAttributes(item: Record<string, unknown>): boolean {
  return [LIVE_PROFILE_ATTRIBUTES.revenueMinor, LIVE_PROFILE_ATTRIBUTES.revenueCurrency, ...Object.values(LIVE_PROFILE_ATTRIBUTES.consent)].some((name) => item[name] !== undefined);
}

const liveConsent = z.optional(z.object({ answer: z.boolean(), at: z.string() }));

/**
 * The profile with LIVE_PROFILE_ATTRIBUTES merged back: their revenue added to its currency's, each
 * channel's checkout statement stated as applyOrder states it. A profile written whole carries none
 * of them and reads as it was written.
 */
export const profileEntity = entity<CustomerProfile>()(
  'profile',
  z.pipe(z.object({
    customerId: z.string(),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
    name: z.optional(z.string()),
    locale: z.optional(z.string()),
    timezone: z.optional(z.string()),
    consent: z.object({ email: z.optional(z.boolean()), sms: z.optional(z.boolean()) }),
    consentAsOf: channelTimes,
    consentSource: z.optional(channelTimes),
    contactAsOf: z.string(),
    orderCount: z.number(),
    revenueByCurrency: amounts,
    currency: z.string(),
    firstOrderAt: z.string(),
    lastOrderAt: z.string(),
    categories: z.array(z.string()),
    skus: z.array(z.string()),
    refundedMinorByCurrency: amounts,
    orderDays: z.optional(z.record(z.string(), z.record(z.string(), z.object({ orders: z.number(), totalMinor: z.number() })))),
    largestOrderMinorByCurrency: z.optional(amounts),
    [LIVE_PROFILE_ATTRIBUTES.revenueMinor]: z.optional(z.number()),
    [LIVE_PROFILE_ATTRIBUTES.revenueCurrency]: z.optional(z.string()),
    [LIVE_PROFILE_ATTRIBUTES.consent.email]: liveConsent,
    [LIVE_PROFILE_ATTRIBUTES.consent.sms]: liveConsent,
  }), z.transform(({ liveRevenueMinor, liveRevenueCurrency, liveConsentEmail, liveConsentSms, ...stored }): CustomerProfile => {
      let profile: CustomerProfile = stored;
      if (liveRevenueMinor !== undefined && liveRevenueCurrency !== undefined) {
        profile = { ...profile, revenueByCurrency: { ...profile.revenueByCurrency, [liveRevenueCurrency]: (profile.revenueByCurrency[liveRevenueCurrency] ?? 0) + liveRevenueMinor } };
      }
      for (const [channel, stated] of [['email', liveConsentEmail], ['sms', liveConsentSms]] as const) {
        if (stated) profile = { ...profile, ...stateCheckoutConsent(profile, { [channel]: stated.answer }, stated.at) };
      }
      return profile;
    })),
);

const orderLines = z.array(z.object({ sku: z.string(), name: z.optional(z.string()), category: z.optional(z.string()), quantity: z.number(), unitPriceMinor: z.number() }));

export const orderEntity = entity<RecordedOrder>()(
  'order',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    placedAt: z.string(),
    currency: z.string(),
    totalMinor: z.number(),
    refundedMinor: z.number(),
    items: orderLines,
    orderName: z.optional(z.string()),
    source: oneOf(orderSources),
    cancelledAt: z.optional(z.string()),
    channel: z.optional(z.string()),
    promoCode: z.optional(z.string()),
  }),
);

/** An order as the recount of a customer's order history reads it (purchase-ledger.ts, a projection). */
export const orderHistoryEntity = entity<Pick<RecordedOrder, 'placedAt' | 'currency' | 'totalMinor' | 'items'>>()(
  'order',
  z.object({ placedAt: z.string(), currency: z.string(), totalMinor: z.number(), items: orderLines }),
);

/** A profile as the customer search reads it (customer-directory.ts, a projection of the profile). */
export const customerMatchEntity = entity<CustomerMatch>()(
  'customer match',
  z.object({ customerId: z.string(), name: z.optional(z.string()), email: z.optional(z.string()), phone: z.optional(z.string()), orderCount: z.number(), lastOrderAt: z.string() }),
);

/** An order's guard (ORDER#<orderId>): the order it recorded once, and the fingerprint of its payload. */
export const orderGuardEntity = entity<OrderReference & { fingerprint: string }>()(
  'order guard',
  z.object({ orderId: z.string(), customerId: z.string(), placedAt: z.string(), currency: z.string(), totalMinor: z.number(), fingerprint: z.string() }),
);

/**
 * What arrived for an order before the order itself, kept on its guard's key until it comes
 * (purchase-ledger.ts): a cancellation (the order will never count) and refunds (applied when it is
 * recorded), under an optimistic version.
 */
export interface PendingOrderItem {
  orderId: string;
  version: number;
  cancelled?: { reason: string; at: string };
  earlyRefunds?: Record<string, Omit<PlatformRefund, 'refundId'>>;
}

export const pendingOrderEntity = entity<PendingOrderItem>()(
  'pending order',
  z.object({
    orderId: z.string(),
    version: z.number(),
    cancelled: z.optional(z.object({ reason: z.string(), at: z.string() })),
    earlyRefunds: z.optional(z.record(z.string(), z.object({ amount: z.string(), currency: z.optional(z.string()), reason: z.optional(z.string()), fingerprint: z.string() }))),
  }),
);

// Delivery ---------------------------------------------------------------------------------------

export const messageLogEntity = entity<MessageLogEntry>()(
  'message log entry',
  z.object({
    messageId: z.string(),
    at: z.string(),
    customerId: z.string(),
    journey: oneOf(journeyNames),
    step: z.string(),
    channel: oneOf(channels),
    status: z.enum([...deliveryStatuses, 'skipped']),
    marketing: z.boolean(),
    priority: z.number(),
    subject: z.optional(z.string()),
    text: z.optional(z.string()),
    html: z.optional(z.string()),
    reason: z.optional(z.string()),
    deferredUntil: z.optional(z.string()),
    taskId: z.optional(z.string()),
    leftOut: z.optional(z.array(z.string())),
    deliveryStatus: z.optional(oneOf(providerDeliveryStatuses)),
    deliveryStatusAt: z.optional(z.string()),
    deliveryDetail: z.optional(z.string()),
    openedAt: z.optional(z.string()),
    clickedAt: z.optional(z.string()),
  }),
);

export const taskEntity = entity<ManagerTask>()(
  'task',
  z.object({
    taskId: z.string(),
    messageId: z.string(),
    customerId: z.string(),
    journey: oneOf(journeyNames),
    reason: z.string(),
    dueAt: z.string(),
    status: z.enum(['open', 'done']),
    createdAt: z.string(),
    subject: z.string(),
    text: z.string(),
    historyAtAGlance: z.object({ orderCount: z.number(), lastOrderAt: z.string(), netRevenueMinor: z.number(), currency: z.string() }),
    outcome: z.optional(z.string()),
    churnReason: z.optional(z.string()),
    note: z.optional(z.string()),
    completedAt: z.optional(z.string()),
  }),
);

// Journeys ---------------------------------------------------------------------------------------

export const journeyEntryEntity = entity<JourneyEntryRecord>()(
  'journey entry',
  z.object({
    journey: oneOf(stateMachineJourneys),
    entryId: z.string(),
    customerId: z.string(),
    enteredAt: z.string(),
    orderId: z.optional(z.string()),
    status: oneOf(entryStatuses),
    holdout: z.boolean(),
    failure: z.optional(z.string()),
    step: z.optional(z.string()),
    stepAt: z.optional(z.string()),
    endedAt: z.optional(z.string()),
    convertedOrderId: z.optional(z.string()),
    convertedRevenueMinor: z.optional(z.number()),
    convertedCurrency: z.optional(z.string()),
  }),
);

export const checkInEntity = entity<CheckIn>()(
  'check-in',
  z.object({ customerId: z.string(), orderId: z.string(), months: z.number(), dueAt: z.string(), status: z.enum(['scheduled', 'done']) }),
);

// Loyalty ----------------------------------------------------------------------------------------

export const loyaltyAccountEntity = entity<StoredLoyaltyAccount>()(
  'loyalty account',
  z.object({
    customerId: z.string(),
    currency: z.string(),
    balance: z.number(),
    earned: z.number(),
    redeemed: z.number(),
    clawedBack: z.number(),
    tier: z.string(),
    tierSince: z.string(),
    nudged: z.optional(z.string()),
    activity: z.record(z.string(), z.object({ orders: z.number(), spendMinor: z.number() })),
    referralCode: z.optional(z.string()),
    // Absent on accounts stored before joining was an act: membershipOf decides what they are.
    joinedAt: z.optional(z.nullable(z.string())),
    joinedVia: z.optional(oneOf(joinVias)),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const ledgerEntryEntity = entity<LedgerEntry>()(
  'loyalty ledger entry',
  z.object({
    entryId: z.string(),
    customerId: z.string(),
    at: z.string(),
    kind: oneOf(entryKinds),
    points: z.number(),
    balanceAfter: z.number(),
    reason: z.string(),
    orderId: z.optional(z.string()),
    refundId: z.optional(z.string()),
    redemptionId: z.optional(z.string()),
  }),
);

export const orderEarningEntity = entity<OrderEarning>()(
  'order earning',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    placedAt: z.string(),
    currency: z.string(),
    totalMinor: z.number(),
    refundedMinor: z.number(),
    rateBp: z.optional(z.number()),
    points: z.number(),
    credited: z.boolean(),
    counted: z.boolean(),
  }),
);

export const scheduledMessageEntity = entity<ScheduledMessage>()(
  'scheduled message',
  z.object({
    customerId: z.string(),
    kind: oneOf(scheduledKinds),
    key: z.string(),
    messageId: z.string(),
    dueAt: z.string(),
    status: oneOf(scheduledStatuses),
    createdAt: z.string(),
    orderId: z.optional(z.string()),
    placedAt: z.optional(z.string()),
    tier: z.optional(z.string()),
    sku: z.optional(z.string()),
    name: z.optional(z.string()),
    quantity: z.optional(z.number()),
    needBy: z.optional(z.string()),
    cycleDays: z.optional(z.number()),
    cycleSource: z.optional(oneOf(cycleSources)),
    ruleId: z.optional(z.string()),
    offer: z.optional(z.array(z.string())),
    reason: z.optional(z.string()),
    doneAt: z.optional(z.string()),
    pendingMessageId: z.optional(z.string()),
    attempts: z.optional(z.number()),
  }),
);

// Analytics --------------------------------------------------------------------------------------

/** A segment membership as the nightly scan reads it from gsi3 (which projects its segment only). */
export const scannedMembershipEntity = entity<{ segment: string }>()('segment membership', z.object({ segment: z.string() }));

/** A segment membership as the segment's member list reads it from gsi2. */
export const segmentMemberEntity = entity<{ customerId: string; since: string }>()('segment membership', z.object({ customerId: z.string(), since: z.string() }));

/** A journey entry as the nightly scan reads it from gsi3 (the projected fields only). */
export const scannedJourneyEntryEntity = entity<MetricsJourneyEntry>()(
  'journey entry',
  z.object({
    journey: z.string(),
    entryId: z.string(),
    customerId: z.string(),
    enteredAt: z.string(),
    status: oneOf(entryStatuses),
    holdout: z.boolean(),
    convertedOrderId: z.optional(z.string()),
    convertedRevenueMinor: z.optional(z.number()),
    convertedCurrency: z.optional(z.string()),
    endedAt: z.optional(z.string()),
  }),
);

export const feedbackEntity = entity<FeedbackAnswer>()(
  'feedback',
  z.object({ customerId: z.string(), entryId: z.string(), score: z.number(), comment: z.optional(z.string()), at: z.string() }),
);

const interval = z.tuple([z.number(), z.number()]);

export const predictionsEntity = entity<CustomerPredictions>()(
  'predictions',
  z.object({
    pAlive: z.number(),
    expectedPurchases90d: z.number(),
    expectedNextOrderAt: z.nullable(z.string()),
    predictedClv: z.nullable(z.number()),
    currency: z.string(),
    fittedAt: z.string(),
    asOf: z.string(),
    intervals: z.optional(z.object({ level: z.number(), pAlive: interval, expectedPurchases90d: interval, purchases90d: interval, predictedClv: z.nullable(interval) })),
  }),
);

const covariance = z.array(z.array(z.number()));

export const fittedModelsEntity = entity<FittedModels>()(
  'fitted models',
  z.object({
    fittedAt: z.string(),
    unit: z.literal('day'),
    available: z.boolean(),
    reason: z.optional(z.string()),
    customers: z.number(),
    repeatBuyers: z.number(),
    sampled: z.number(),
    bgnbd: z.optional(z.object({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number(), logLikelihood: z.number(), converged: z.boolean(), covariance: z.optional(covariance) })),
    gammaGamma: z.record(z.string(), z.object({ p: z.number(), q: z.number(), gamma: z.number(), customers: z.number(), converged: z.boolean(), covariance: z.optional(covariance) })),
  }),
);

const recencyBands = z.object({
  newDays: z.number(),
  activeDays: z.number(),
  sleepingDays: z.number(),
  lapsingDays: z.number(),
  basis: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('derived'), gaps: z.number() }),
    z.object({ kind: z.literal('fallback'), gaps: z.number(), minGaps: z.number() }),
    z.object({ kind: z.literal('override') }),
  ]),
});
const rfmCuts = z.object({ recencyDays: z.array(z.number()), orders: z.array(z.number()), monetary: z.record(z.string(), z.array(z.number())), customers: z.number() });

export const recomputeStateEntity = entity<RecomputeState>()(
  'recompute state',
  z.object({
    day: z.string(),
    computedAt: z.string(),
    thresholds: z.optional(z.object({
        revenue: z.record(z.string(), z.object({ vip: z.number(), mid: z.number(), customers: z.number() })),
        orders: z.object({ vip: z.number(), mid: z.number() }),
        averageOrder: z.optional(z.record(z.string(), z.object({ high: z.number() }))),
      })),
    bands: z.optional(z.object({ overall: recencyBands, byCategory: z.record(z.string(), recencyBands) })),
    rfmCuts: z.optional(rfmCuts),
    rfmTiers: z.optional(z.object({ cuts: rfmCuts, tiers: amounts, scored: z.number() })),
    segments: amounts,
    customers: z.number(),
    indexed: z.optional(z.boolean()),
  }),
);

const rate = z.nullable(z.number());
const groupResult = z.object({ entered: z.number(), converted: z.number(), conversionRate: rate, revenueMinor: amounts });

export const metricsSnapshotEntity = entity<MetricsSnapshot>()(
  'metrics snapshot',
  z.object({
    day: z.string(),
    computedAt: z.string(),
    period: z.object({ days: z.number(), from: z.string(), to: z.string() }),
    customers: z.number(),
    newCustomers: z.number(),
    activeCustomers: z.number(),
    returningCustomers: z.number(),
    returningRevenueMinor: amounts,
    retentionRate: rate,
    retention: z.object({ previousPeriodBuyers: z.number(), retained: z.number() }),
    churnRate: rate,
    churn: z.object({ atRisk: z.number(), churned: z.number() }),
    repeatPurchaseRate: rate,
    repeatCustomers: z.number(),
    purchaseFrequency: rate,
    averageOrderValueMinor: amounts,
    historicClvMinor: amounts,
    nps: z.object({ score: rate, answers: z.number(), promoters: z.number(), passives: z.number(), detractors: z.number(), windowDays: z.number() }),
    cohorts: z.array(z.object({ month: z.string(), customers: z.number(), returned: z.array(z.number()) })),
    journeys: z.record(
      z.string(),
      z.object({
        treated: groupResult,
        holdout: groupResult,
        uplift: z.nullable(z.object({ difference: z.number(), low: z.number(), high: z.number(), confidence: z.number(), method: z.literal('newcombe-wilson') })),
      }),
    ),
    segments: amounts,
    model: z.object({ available: z.boolean(), fittedAt: z.optional(z.string()), reason: z.optional(z.string()), repeatBuyers: z.number() }),
  }),
);

export const segmentDefinitionEntity = entity<SegmentDefinition>()(
  'segment definition',
  z.object({ name: z.string(), description: z.optional(z.string()), filter: segmentFilterSchema, createdAt: z.string(), updatedAt: z.string() }),
);

// Products ---------------------------------------------------------------------------------------

/** An order as the co-purchase count reads it from gsi4 (COPURCHASE_PROJECTION). */
export const coPurchaseOrderEntity = entity<{ customerId: string; placedAt: string; items: { sku: string }[] }>()(
  'order',
  z.object({ customerId: z.string(), placedAt: z.string(), items: z.array(z.object({ sku: z.string() })) }),
);

/** A product's top neighbours as the nightly co-purchase count stored them (catalog-store.ts). */
export const coPurchasesEntity = entity<{ sku: string; neighbours: CoPurchaseNeighbour[]; computedAt: string }>()(
  'co-purchases',
  z.object({ sku: z.string(), neighbours: z.array(z.object({ sku: z.string(), count: z.number() })), computedAt: z.string() }),
);

// Work in progress: gzipped JSON, unpacked (and checked) by the adapter that wrote it ------------

const gzipped = z.instanceof(Uint8Array);

/** The night's basis, or a slice of a key range's result (night-checkpoint.ts). */
export const nightDataEntity = entity<{ sk: string; data: Uint8Array }>()('night checkpoint', z.object({ sk: z.string(), data: gzipped }));

/** A key range of the night that is done, and how many parts its result was cut into. */
export const nightRangeDoneEntity = entity<{ sk: string; parts: number }>()('night range done', z.object({ sk: z.string(), parts: z.number() }));

/** An import's record as its batches' bookkeeping reads it: the batches already counted (import-store.ts). */
export const importBatchesEntity = entity<{ countedBatches?: string[] }>()('import record', z.object({ countedBatches: z.optional(z.array(z.string())) }));

/** An edge an import's batch set aside (import-store.ts). */
export const importEdgeEntity = entity<{ key: string; items: Uint8Array }>()('import edge', z.object({ key: z.string(), items: gzipped }));

// Privacy ----------------------------------------------------------------------------------------

const privacyTopics = ['customers/data_request', 'customers/redact', 'shop/redact'] as const satisfies readonly PrivacyTopic[];

export const privacyRequestEntity = entity<PrivacyRequest>()(
  'privacy request',
  z.object({
    requestId: z.string(),
    topic: oneOf(privacyTopics),
    receivedAt: z.string(),
    shopDomain: z.optional(z.string()),
    customers: z.array(z.object({ customerId: z.string(), exportPath: z.string() })),
    orderIds: z.optional(z.array(z.string())),
  }),
);
