/**
 * Keys of the loyalty and product-rule items on the single table (see table-design.ts for the rest).
 *
 * | item                    | pk                    | sk                                 | gsi1pk / gsi1sk                                   |
 * |-------------------------|-----------------------|------------------------------------|---------------------------------------------------|
 * | loyalty account         | CUSTOMER#<id>         | LOYALTY                            |                                                   |
 * | operation guard         | CUSTOMER#<id>         | LOYALTY#OP#<opId>                  |                                                   |
 * | ledger entry            | CUSTOMER#<id>         | LOYALTY#ENTRY#<at>#<opId>          |                                                   |
 * | order earning           | CUSTOMER#<id>         | LOYALTY#ORDER#<orderId>            |                                                   |
 * | tier review             | CUSTOMER#<id>         | LOYALTY#REVIEW#<yyyy-mm-dd>        | LOYALTY_REVIEW#<yyyy-mm-dd> / <id>                |
 * | scheduled message       | CUSTOMER#<id>         | SCHEDULED#<kind>#<key>             | SCHEDULED_DUE#<yyyy-mm-dd> / <dueAt>#<id>#<kind>  |
 * | referral code           | REFERRAL#<code>       | REFERRAL                           |                                                   |
 * | co-purchases of a sku   | COPURCHASE#<sku>      | TOPK  (expires by TTL)             |                                                   |
 *
 * The customer partition's sort keys stay outside ORDER#..PREDICTIONS, the range the customer
 * read (purchase-ledger.ts) queries in one go. Done scheduled messages and reviews leave the index.
 */
import { keys } from './table-design.ts';

export const loyaltyKeys = {
  account: (customerId: string) => ({ pk: keys.customerPartition(customerId), sk: 'LOYALTY' }),
  guard: (customerId: string, opId: string) => ({ pk: keys.customerPartition(customerId), sk: `LOYALTY#OP#${opId}` }),
  entry: (customerId: string, at: string, opId: string) => ({ pk: keys.customerPartition(customerId), sk: `LOYALTY#ENTRY#${at}#${opId}` }),
  entryPrefix: 'LOYALTY#ENTRY#',
  earning: (customerId: string, orderId: string) => ({ pk: keys.customerPartition(customerId), sk: `LOYALTY#ORDER#${orderId}` }),
  review: (customerId: string, day: string) => ({ pk: keys.customerPartition(customerId), sk: `LOYALTY#REVIEW#${day}` }),
  reviewsDue: (day: string, customerId: string) => ({ gsi1pk: `LOYALTY_REVIEW#${day}`, gsi1sk: customerId }),
  scheduled: (customerId: string, kind: string, key: string) => ({ pk: keys.customerPartition(customerId), sk: `SCHEDULED#${kind}#${key}` }),
  scheduledPrefix: 'SCHEDULED#',
  scheduledDue: (dueAt: string, customerId: string, kind: string, key: string) => ({ gsi1pk: `SCHEDULED_DUE#${dueAt.slice(0, 10)}`, gsi1sk: `${dueAt}#${customerId}#${kind}#${key}` }),
  referral: (code: string) => ({ pk: `REFERRAL#${code}`, sk: 'REFERRAL' }),
  coPurchases: (sku: string) => ({ pk: `COPURCHASE#${sku}`, sk: 'TOPK' }),
  /** The co-purchase count's own state: whether every order carries the orders index's key. */
  coPurchaseCount: { pk: 'COPURCHASE_COUNT', sk: 'STATE' },
};
