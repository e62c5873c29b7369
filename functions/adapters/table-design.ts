/**
 * The single-table design. One place defines every key, so the CDK table, the local host's
 * DynamoDB Local table and the adapters cannot drift apart.
 *
 * | item              | pk                       | sk                              | gsi1pk / gsi1sk                     |
 * |-------------------|--------------------------|---------------------------------|-------------------------------------|
 * | customer profile  | CUSTOMER#<id>            | PROFILE                         | LAST_ORDER#<yyyy-mm-dd> / <id>      |
 * | order             | CUSTOMER#<id>            | ORDER#<placedAt>#<orderId>      |                                     |
 * | order guard       | ORDER#<orderId>          | ORDER                           |                                     |
 * | refund            | ORDER#<orderId>          | REFUND#<refundId>               |                                     |
 * | platform delivery | DELIVERY#<source>#<id>   | DELIVERY  (expires by TTL)      |                                     |
 * | message log entry | CUSTOMER#<id>            | MESSAGE#<at>#<messageId>        |                                     |
 * | message guard     | MESSAGE#<messageId>      | MESSAGE                         |                                     |
 * | provider receipt  | RECEIPT#<provider>#<id>  | RECEIPT  (expires by TTL)       |                                     |
 * | contact prefs     | CUSTOMER#<id>            | PREFERENCES (opt-outs, bounces) |                                     |
 * | manager task      | TASK#<taskId>            | TASK                            | TASKS#<status> / <dueAt>#<taskId>   |
 * | journey entry     | CUSTOMER#<id>            | JOURNEY#<journey>#<entryId>     | JOURNEY#<journey>#<status> / <id>   |
 * | check-in due      | CUSTOMER#<id>            | CHECKIN#<orderId>#<months>      | CHECKIN_DUE#<yyyy-mm-dd> / <id>     |
 *
 * Messages sent to a customer in the last N days are one range query on MESSAGE#<from>..MESSAGE#<to>.
 * Reserved: gsi2pk SEGMENT#<name> / gsi2sk <customerId> for customers by segment.
 *
 * Customers by phone number (gsi2, sparse): a profile with a phone also carries gsi2pk PHONE#<e164> /
 * gsi2sk <customerId>, written with the profile, so an inbound SMS (STOP) finds every customer with
 * the sender's number in one query; profiles without a phone are not in the index.
 * Funnel counts: FUNNEL#<journey> / <yyyy-mm-dd>#<step>#<status> holds how many message log entries
 * of that step had that status on that day, added with each entry's first write.
 * Customers by email (gsi2, sparse): an order placed with an email carries gsi2pk ORDER_EMAIL#<email> /
 * gsi2sk <customerId>, so the console's search finds the customers who ordered with it; orders
 * recorded before this key existed are not in the index.
 *
 * What the nightly recompute reads (gsi3, sparse): the customer's profile, segment memberships,
 * predictions, journey entries and feedback answers also carry gsi3sk = their own sk, so the index
 * holds those items alone, under the customer's own pk (no hot partition). A scan of the index reads
 * them in the same per-customer order as the table, without the orders, message logs, tasks and
 * guards beside them; it projects only the attributes the recompute reads (no contact details).
 *
 * What the nightly co-purchase count reads (gsi4, sparse): an order also carries gsi4sk = its own sk,
 * so the index holds the orders alone, a customer's together under the customer's pk, with only the
 * attributes the count reads (who, when, which products). Scanning it instead of the table leaves
 * out the message logs, journey entries and profiles that made up most of what the count read.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { FeedbackAnswer, JourneyEntryRecord } from '../core/analytics/metrics.ts';
import type { CustomerPredictions } from '../core/analytics/predictions.ts';
import type { CustomerProfile } from '../core/profile.ts';
import type { RecordedOrder } from '../core/ledger.ts';

export const TTL_ATTRIBUTE = 'expiresAt';
export const GSI1 = 'gsi1';
export const GSI2 = 'gsi2';
export const GSI3 = 'gsi3';
export const GSI4 = 'gsi4';
/** Every key attribute of the table and its indexes: structure, not data (a customer's export leaves them out). */
export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3sk', 'gsi4sk'] as const;

/** What the recompute leaves out of its index: contact details and where consent was stated. */
type ProfileFieldsUnread = 'email' | 'phone' | 'name' | 'locale' | 'timezone' | 'consentSource';
const profileFieldsRead = [
  'customerId',
  'consent',
  'consentAsOf',
  'contactAsOf',
  'orderCount',
  'revenueByCurrency',
  'currency',
  'firstOrderAt',
  'lastOrderAt',
  'categories',
  'skus',
  'refundedMinorByCurrency',
  'orderDays',
  'largestOrderMinorByCurrency',
] as const satisfies readonly (keyof CustomerProfile)[];
const predictionFields = ['pAlive', 'expectedPurchases90d', 'expectedNextOrderAt', 'predictedClv', 'currency', 'fittedAt', 'asOf', 'intervals'] as const satisfies readonly (keyof CustomerPredictions)[];
const journeyEntryFields = [
  'journey',
  'entryId',
  'customerId',
  'enteredAt',
  'status',
  'holdout',
  'convertedOrderId',
  'convertedRevenueMinor',
  'convertedCurrency',
  'endedAt',
] as const satisfies readonly (keyof JourneyEntryRecord)[];
/** The comment stays out: the metrics count scores. */
const feedbackFields = ['customerId', 'entryId', 'score', 'at'] as const satisfies readonly (keyof FeedbackAnswer)[];

// A field added to these items is a decision: read by the recompute (add it above) or not (say so).
type Unlisted<Item, Listed> = Exclude<keyof Item, Listed>;
const everyFieldDecided: [
  Unlisted<CustomerProfile, (typeof profileFieldsRead)[number] | ProfileFieldsUnread>,
  Unlisted<CustomerPredictions, (typeof predictionFields)[number]>,
  Unlisted<JourneyEntryRecord, (typeof journeyEntryFields)[number]>,
  Unlisted<FeedbackAnswer, (typeof feedbackFields)[number] | 'comment'>,
] extends [never, never, never, never]
  ? true
  : false = true;

/** The attributes gsi3 projects besides the keys: `type`, `segment` of a membership, and the fields above. */
export const NIGHTLY_PROJECTION: readonly string[] = everyFieldDecided
  ? [...new Set(['type', 'segment', ...profileFieldsRead, ...predictionFields, ...journeyEntryFields, ...feedbackFields])]
  : [];

/** The attributes gsi4 projects besides the keys: what the co-purchase count reads of an order. */
export const COPURCHASE_PROJECTION = ['customerId', 'placedAt', 'items'] as const satisfies readonly (keyof RecordedOrder)[];

export const keys = {
  profile: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  customerPartition: (customerId: string) => `CUSTOMER#${customerId}`,
  order: (customerId: string, placedAt: string, orderId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `ORDER#${placedAt}#${orderId}` }),
  orderPrefix: 'ORDER#',
  orderGuard: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  refund: (orderId: string, refundId: string) => ({ pk: `ORDER#${orderId}`, sk: `REFUND#${refundId}` }),
  delivery: (source: string, deliveryId: string) => ({ pk: `DELIVERY#${source}#${deliveryId}`, sk: 'DELIVERY' }),
  message: (customerId: string, at: string, messageId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `MESSAGE#${at}#${messageId}` }),
  messagePrefix: 'MESSAGE#',
  messageGuard: (messageId: string) => ({ pk: `MESSAGE#${messageId}`, sk: 'MESSAGE' }),
  /** The message a provider (ses, sns) accepted under its own id, for its delivery status events. */
  providerReceipt: (provider: string, providerMessageId: string) => ({ pk: `RECEIPT#${provider}#${providerMessageId}`, sk: 'RECEIPT' }),
  preferences: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PREFERENCES' }),
  task: (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'TASK' }),
  tasksByStatus: (status: string, dueAt: string, taskId: string) => ({ gsi1pk: `TASKS#${status}`, gsi1sk: `${dueAt}#${taskId}` }),
  journeyEntry: (customerId: string, journey: string, entryId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `JOURNEY#${journey}#${entryId}` }),
  journeyPrefix: (journey: string) => `JOURNEY#${journey}#`,
  /** Every journey entry of a customer, whatever the journey. */
  journeyEntryPrefix: 'JOURNEY#',
  journeysByStatus: (journey: string, status: string, customerId: string) => ({ gsi1pk: `JOURNEY#${journey}#${status}`, gsi1sk: customerId }),
  checkIn: (customerId: string, orderId: string, months: number) => ({ pk: `CUSTOMER#${customerId}`, sk: `CHECKIN#${orderId}#${String(months).padStart(2, '0')}` }),
  checkInsDue: (dueAt: string, customerId: string, orderId: string, months: number) => ({ gsi1pk: `CHECKIN_DUE#${dueAt.slice(0, 10)}`, gsi1sk: `${customerId}#${orderId}#${months}` }),
  /** The customer's open check-in task, replaced by the next check-in's. */
  checkInTask: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'CHECKIN_TASK' }),
  /** A discount issued for an offer (discount-store.ts). */
  discount: (offerId: string) => ({ pk: `DISCOUNT#${offerId}`, sk: 'DISCOUNT' }),
  discountPoolCode: (code: string) => ({ pk: `DISCOUNT_POOL#${code}`, sk: 'POOL' }),
  /** Free pool codes by expiry (`~` sorts after every ISO time: no expiry goes last). */
  freePoolCode: (expiresAt: string | undefined, code: string) => ({ gsi1pk: 'DISCOUNT_POOL#FREE', gsi1sk: `${expiresAt ?? '~'}#${code}` }),
  /** Customers by phone number (E.164), on the profile item; only profiles with a phone carry it. */
  customerByPhone: (phone: string, customerId: string) => ({ gsi2pk: `PHONE#${phone}`, gsi2sk: customerId }),
  /** How many log entries of a journey step had a status on a day (UTC): the funnels of GET /v1/metrics. */
  funnelCount: (journey: string, day: string, step: string, status: string) => ({ pk: `FUNNEL#${journey}`, sk: `${day}#${step}#${status}` }),
  /** Customers by an email they ordered with (lower case), on the order item. */
  customerByOrderEmail: (email: string, customerId: string) => ({ gsi2pk: `ORDER_EMAIL#${email}`, gsi2sk: customerId }),
  /** Customers by the day of their last order: the win-back sweep reads one day at a time. */
  lastOrderDay: (lastOrderAt: string, customerId: string) => ({ gsi1pk: `LAST_ORDER#${lastOrderAt.slice(0, 10)}`, gsi1sk: customerId }),
  /** The last due day each half of the journey sweep handled whole (journey-engine.ts sweepDays), all in one partition. */
  sweepRecord: (part: string) => ({ ...keys.sweepRecords(), sk: `PART#${part}` }),
  sweepRecords: () => ({ pk: 'JOURNEY_SWEEP' }),
  /** On the items the nightly recompute reads (see gsi3 above): their own sort key. */
  readNightly: (key: { sk: string }) => ({ gsi3sk: key.sk }),
  /** On an order, for the nightly co-purchase count (see gsi4 above): its own sort key. */
  readForCoPurchases: (key: { sk: string }) => ({ gsi4sk: key.sk }),
};

/**
 * The keys of the items each of these adapters owns, kept here beside the rest so that every key of
 * the table is written in this one module (their layouts are tabled at the top of each adapter).
 */
export const analyticsKeys = {
  membership: (customerId: string, segment: string) => ({ pk: keys.customerPartition(customerId), sk: `SEGMENT#${segment}` }),
  membersOf: (segment: string, customerId: string) => ({ gsi2pk: `SEGMENT#${segment}`, gsi2sk: customerId }),
  predictions: (customerId: string) => ({ pk: keys.customerPartition(customerId), sk: 'PREDICTIONS' }),
  definition: (name: string) => ({ pk: `SEGMENT_DEF#${name}`, sk: 'DEFINITION' }),
  definitionsIndex: (name: string) => ({ gsi1pk: 'SEGMENT_DEFS', gsi1sk: name }),
  currentModels: { pk: 'MODEL', sk: 'CURRENT' },
  fittedModels: (fittedAt: string) => ({ pk: 'MODEL', sk: `BGNBD#${fittedAt}` }),
  state: { pk: 'RECOMPUTE', sk: 'STATE' },
  snapshot: (day: string) => ({ pk: 'METRICS', sk: `DAY#${day}` }),
};

const NIGHT_PART = 'PART#';
const NIGHT_DONE = 'DONE#';

/** The nightly recompute's checkpoint (night-checkpoint.ts): a night's basis, its ranges' parts and their done marks. */
export const nightKeys = {
  partition: (day: string) => `NIGHT#${day}`,
  basis: (day: string) => ({ pk: `NIGHT#${day}`, sk: 'BASIS' }),
  part: (day: string, range: number, part: number) => ({ pk: `NIGHT#${day}`, sk: `${NIGHT_PART}${nightRangeKey(range)}#${String(part).padStart(3, '0')}` }),
  done: (day: string, range: number) => ({ pk: `NIGHT#${day}`, sk: `${NIGHT_DONE}${nightRangeKey(range)}` }),
  partPrefix: NIGHT_PART,
  donePrefix: NIGHT_DONE,
  /** The range and part a part's sort key names. */
  partOf: (sk: string) => {
    const [range, part] = sk.slice(NIGHT_PART.length).split('#');
    return { range: Number(range), part: Number(part) };
  },
  /** The range a done mark's sort key names. */
  rangeOfDone: (sk: string) => Number(sk.slice(NIGHT_DONE.length)),
};

const nightRangeKey = (range: number) => String(range).padStart(5, '0');

export const feedbackKeys = {
  answer: (customerId: string, at: string, entryId: string) => ({ pk: keys.customerPartition(customerId), sk: `FEEDBACK#${at}#${entryId}` }),
  entry: (customerId: string, entryId: string) => ({ pk: keys.customerPartition(customerId), sk: `FEEDBACK_ENTRY#${entryId}` }),
};

export const identityKeys = {
  email: (email: string) => ({ pk: `EMAIL#${email}`, sk: 'IDENTITY' }),
  alias: (customerId: string) => ({ pk: `ALIAS#${customerId}`, sk: 'IDENTITY' }),
  emailPointer: (customerId: string, email: string) => ({ pk: keys.customerPartition(customerId), sk: `IDENTITY#EMAIL#${email}` }),
  aliasPointer: (customerId: string, alias: string) => ({ pk: keys.customerPartition(customerId), sk: `IDENTITY#ALIAS#${alias}` }),
};

export const importKeys = {
  record: (importId: string) => ({ pk: `IMPORT#${importId}`, sk: 'IMPORT' }),
  partition: (importId: string) => `IMPORT#${importId}`,
  edge: (importId: string, firstIndex: number) => ({ pk: `IMPORT#${importId}`, sk: `EDGE#${String(firstIndex).padStart(10, '0')}` }),
  edgePrefix: 'EDGE#',
  customer: (importId: string, customerId: string) => ({ pk: `IMPORT#${importId}`, sk: `CUSTOMER#${customerId}` }),
};

export const privacyKeys = {
  request: (requestId: string) => ({ pk: `PRIVACY_REQUEST#${requestId}`, sk: 'REQUEST' }),
  byReceipt: (receivedAt: string, requestId: string) => ({ gsi1pk: 'PRIVACY_REQUESTS', gsi1sk: `${receivedAt}#${requestId}` }),
};

/** The table as DynamoDB Local creates it; lib/cdk/comeback-data.ts declares the same for AWS. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    // The purchase reactions read new items from the stream (functions/handlers/purchase-reactions.ts).
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    AttributeDefinitions: KEY_ATTRIBUTES.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      ...[GSI1, GSI2].map((index) => ({
        IndexName: index,
        KeySchema: [
          { AttributeName: `${index}pk`, KeyType: 'HASH' as const },
          { AttributeName: `${index}sk`, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
      {
        IndexName: GSI3,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...NIGHTLY_PROJECTION] },
      },
      {
        IndexName: GSI4,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'gsi4sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...COPURCHASE_PROJECTION] },
      },
    ],
  };
}
