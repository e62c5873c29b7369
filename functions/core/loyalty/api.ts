/**
 * The loyalty routes' answers as zod schemas, for the OpenAPI document (the request schema is
 * redeemInputSchema in use-cases.ts, which the redeem handler validates with).
 */
import * as z from 'zod';

const tierSchema = z.object({
  name: z.string(),
  cashbackPercent: z.string().describe('points earned per 100 minor units spent, as a percentage: "3", "2.5"'),
  benefits: z.array(z.string()),
});

export const ledgerEntrySchema = z.object({
  entryId: z.string().describe('the operation: purchase:<orderId>, refund:<orderId>:<refundId>, feedback:<id>, referral:<id>, redeem:<redemptionId>'),
  customerId: z.string(),
  at: z.string(),
  kind: z.enum(['purchase', 'refund', 'feedback', 'referral', 'redemption']),
  points: z.number().int().describe('signed: credits positive, debits negative'),
  balanceAfter: z.number().int(),
  reason: z.string(),
  orderId: z.string().optional(),
  refundId: z.string().optional(),
  redemptionId: z.string().optional(),
});

/** GET /v1/loyalty/{customerId} */
export const loyaltyViewSchema = z.object({
  customerId: z.string(),
  member: z.boolean().describe('the customer joined the program: only members hold a tier (their orders count from joinedAt) and spend points'),
  joinedAt: z.string().nullable().describe('when the customer joined; null for a customer who has not'),
  currency: z.string().describe('1 point = 1 minor unit of this currency'),
  balance: z.number().int().describe('points; may be negative after a refund of an order whose points were spent'),
  points: z.number().int().describe('the balance, under the name storefronts look for'),
  discountPercent: z.string().describe("the tier's discount on every order, as a percentage: \"5\", \"0\""),
  freeShipping: z.boolean().describe('the tier ships for free'),
  prioritySupport: z.boolean().describe("the tier's customers go first in support"),
  tier: tierSchema.extend({ since: z.string().nullable() }),
  next: tierSchema
    .extend({
      basis: z.enum(['spend', 'orders']),
      remaining: z.number().int().describe('minor units (basis spend) or orders (basis orders) still missing'),
      percent: z.number().int().describe('0..99, for a progress bar'),
    })
    .nullable(),
  window: z.object({ days: z.number().int(), orders: z.number().int(), spendMinor: z.number().int() }),
  redeem: z.object({ maxPercentOfOrder: z.string() }),
  referralCode: z.string().nullable(),
  lifetime: z.object({ earned: z.number().int(), redeemed: z.number().int(), clawedBack: z.number().int() }),
  entries: z.array(ledgerEntrySchema),
});

/** POST /v1/loyalty/{customerId}/redeem, 200: signed by the Comeback-Signature header over the exact body. */
export const redemptionConfirmationSchema = z.object({
  redemptionId: z.string(),
  customerId: z.string(),
  orderId: z.string().nullable(),
  points: z.number().int(),
  discountMinor: z.number().int().describe('the discount the points pay for, in minor units (1 point = 1 minor unit)'),
  currency: z.string(),
  orderTotalMinor: z.number().int(),
  balanceAfter: z.number().int(),
  redeemedAt: z.string(),
});

/** POST /v1/loyalty/{customerId}/redeem, 422: a problem+json with what is possible instead. */
export const redemptionRefusalSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(422),
  detail: z.string(),
  code: z.enum(['insufficient-points', 'over-cap', 'wrong-currency', 'not-a-member']),
  balance: z.number().int(),
  maxPoints: z.number().int().describe('the most this order could take now: the smaller of the balance and the cap'),
  instance: z.string().optional(),
});
