/**
 * The loyalty routes' answers as zod schemas, for the OpenAPI document (the request schema is
 * redeemInputSchema in use-cases.ts, which the redeem handler validates with).
 */
import * as z from '../zod.ts';

const tierSchema = z.object({
  name: z.string(),
  cashbackPercent: z.string().check(z.describe('points earned per 100 minor units spent, as a percentage: "3", "2.5"')),
  benefits: z.array(z.string()),
});

export const ledgerEntrySchema = z.object({
  entryId: z.string().check(z.describe('the operation: purchase:<orderId>, refund:<orderId>:<refundId>, feedback:<id>, referral:<id>, redeem:<redemptionId>')),
  customerId: z.string(),
  at: z.string(),
  kind: z.enum(['purchase', 'refund', 'feedback', 'referral', 'redemption']),
  points: z.number().check(z.int(), z.describe('signed: credits positive, debits negative')),
  balanceAfter: z.number().check(z.int()),
  reason: z.string(),
  orderId: z.optional(z.string()),
  refundId: z.optional(z.string()),
  redemptionId: z.optional(z.string()),
});

/** GET /v1/loyalty/{customerId} */
export const loyaltyViewSchema = z.object({
  customerId: z.string(),
  member: z.boolean().check(z.describe('the customer joined the program: only members hold a tier (their orders count from joinedAt) and spend points')),
  joinedAt: z.nullable(z.string()).check(z.describe('when the customer joined; null for a customer who has not')),
  currency: z.string().check(z.describe('1 point = 1 minor unit of this currency')),
  balance: z.number().check(z.int(), z.describe('points; may be negative after a refund of an order whose points were spent')),
  points: z.number().check(z.int(), z.describe('the balance, under the name storefronts look for')),
  discountPercent: z.string().check(z.describe("the tier's discount on every order, as a percentage: \"5\", \"0\"")),
  freeShipping: z.boolean().check(z.describe('the tier ships for free')),
  prioritySupport: z.boolean().check(z.describe("the tier's customers go first in support")),
  tier: z.extend(tierSchema, { since: z.nullable(z.string()) }),
  next: z.nullable(z.extend(tierSchema, {
      basis: z.enum(['spend', 'orders']),
      remaining: z.number().check(z.int(), z.describe('minor units (basis spend) or orders (basis orders) still missing')),
      percent: z.number().check(z.int(), z.describe('0..99, for a progress bar')),
    })),
  window: z.object({ days: z.number().check(z.int()), orders: z.number().check(z.int()), spendMinor: z.number().check(z.int()) }),
  redeem: z.object({ maxPercentOfOrder: z.string() }),
  referralCode: z.nullable(z.string()),
  lifetime: z.object({ earned: z.number().check(z.int()), redeemed: z.number().check(z.int()), clawedBack: z.number().check(z.int()) }),
  entries: z.array(ledgerEntrySchema),
});

/** POST /v1/loyalty/{customerId}/redeem, 200: signed by the Comeback-Signature header over the exact body. */
export const redemptionConfirmationSchema = z.object({
  redemptionId: z.string(),
  customerId: z.string(),
  orderId: z.nullable(z.string()),
  points: z.number().check(z.int()),
  discountMinor: z.number().check(z.int(), z.describe('the discount the points pay for, in minor units (1 point = 1 minor unit)')),
  currency: z.string(),
  orderTotalMinor: z.number().check(z.int()),
  balanceAfter: z.number().check(z.int()),
  redeemedAt: z.string(),
});

/** POST /v1/loyalty/{customerId}/redeem, 422: a problem+json with what is possible instead. */
export const redemptionRefusalSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(422),
  detail: z.string(),
  code: z.enum(['insufficient-points', 'over-cap', 'wrong-currency', 'not-a-member']),
  balance: z.number().check(z.int()),
  maxPoints: z.number().check(z.int(), z.describe('the most this order could take now: the smaller of the balance and the cap')),
  instance: z.optional(z.string()),
});
