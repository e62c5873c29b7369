/**
 * Orders read through the Shopify Admin GraphQL API (the `orders` query of the sync) mapped onto the
 * REST order and refund resources the webhook mapper reads (functions/core/platforms/shopify.ts), so
 * a synced order and the webhook of it are read by the same rules and become the same order:
 *
 * - ids: `gid://shopify/Order/<n>` (and Customer, LineItem, Refund, ...) -> `<n>`, the id webhooks
 *   carry; `legacyResourceId` is that same number and is preferred when queried;
 * - money: the shop's currency (`shopMoney { amount currencyCode }`), as REST `total_price` and
 *   `currency` are;
 * - enums: `displayFinancialStatus` PARTIALLY_PAID -> `partially_paid`, marketing states
 *   SUBSCRIBED -> `subscribed`, refund transactions REFUND / SUCCESS -> `refund` / `success`;
 * - each refund on the order becomes the refunds/create resource of the same refund id, so a refund
 *   seen by both the sync and the webhook is given back once.
 */
import * as z from '../zod.ts';
import { InvalidInputError } from '../errors.ts';
import { invalid } from '../purchase.ts';
import { defaultPlatformSettings, type OrderAction, type PlatformSettings } from './lifecycle.ts';
import { shopifyWebhookActions } from './shopify.ts';

/** Line items read per order: the query's cost stays within what one request may ask for. */
export const LINE_ITEMS_PER_ORDER = 25;

/** The query the sync pages through; every field it reads is mapped below. */
export const shopifyOrdersQuery = `query orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      legacyResourceId
      createdAt
      processedAt
      test
      cancelledAt
      cancelReason
      displayFinancialStatus
      email
      phone
      customerLocale
      sourceName
      discountCodes
      totalPriceSet { shopMoney { amount currencyCode } }
      billingAddress { countryCodeV2 phone }
      shippingAddress { countryCodeV2 phone }
      customer {
        id
        legacyResourceId
        firstName
        lastName
        locale
        defaultEmailAddress { emailAddress marketingState }
        defaultPhoneNumber { phoneNumber marketingState }
        defaultAddress { countryCodeV2 phone }
      }
      lineItems(first: 25) {
        pageInfo { hasNextPage }
        nodes {
          id
          sku
          name
          title
          quantity
          originalUnitPriceSet { shopMoney { amount currencyCode } }
          variant { legacyResourceId }
          product { legacyResourceId productType }
        }
      }
      refunds(first: 10) {
        id
        legacyResourceId
        note
        transactions(first: 10) { nodes { kind status amountSet { shopMoney { amount currencyCode } } } }
      }
    }
  }
}`;

const text = z.nullish(z.string());
const money = z.object({ shopMoney: z.object({ amount: z.string(), currencyCode: z.string() }) });
const address = z.nullish(z.object({ countryCodeV2: text, phone: text }));
const legacyId = z.nullish(z.union([z.string(), z.number()]));

/** The order node of `shopifyOrdersQuery`. */
export const shopifyGraphqlOrderSchema = z.object({
  id: z.string(),
  legacyResourceId: legacyId,
  createdAt: text,
  processedAt: text,
  test: z.nullish(z.boolean()),
  cancelledAt: text,
  cancelReason: text,
  displayFinancialStatus: text,
  email: text,
  phone: text,
  customerLocale: text,
  sourceName: text,
  discountCodes: z.nullish(z.array(z.string())),
  totalPriceSet: money,
  billingAddress: address,
  shippingAddress: address,
  customer: z.nullish(z.object({
      id: z.string(),
      legacyResourceId: legacyId,
      firstName: text,
      lastName: text,
      locale: text,
      defaultEmailAddress: z.nullish(z.object({ emailAddress: text, marketingState: text })),
      defaultPhoneNumber: z.nullish(z.object({ phoneNumber: text, marketingState: text })),
      defaultAddress: address,
    })),
  lineItems: z.object({
    pageInfo: z.nullish(z.object({ hasNextPage: z.boolean() })),
    nodes: z.array(
      z.object({
        id: z.string(),
        sku: text,
        name: text,
        title: text,
        quantity: z.number(),
        originalUnitPriceSet: money,
        variant: z.nullish(z.object({ legacyResourceId: legacyId })),
        product: z.nullish(z.object({ legacyResourceId: legacyId, productType: text })),
      }),
    ),
  }),
  refunds: z.nullish(z.array(
      z.object({
        id: z.string(),
        legacyResourceId: legacyId,
        note: text,
        transactions: z.nullish(z.object({ nodes: z.array(z.object({ kind: text, status: text, amountSet: money })) })),
      }),
    )),
});

export type ShopifyGraphqlOrder = z.output<typeof shopifyGraphqlOrderSchema>;

/** `gid://shopify/Order/450789469` -> `450789469`; anything else is passed on for the mapper to refuse. */
export function numericId(gid: string, legacy?: string | number | null): string {
  if (legacy !== undefined && legacy !== null && String(legacy).trim() !== '') return String(legacy).trim();
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/.exec(gid.trim());
  return match ? match[1]! : gid;
}

const lower = (value: string | null | undefined): string | null | undefined => value?.trim().toLowerCase();

/** The REST order resource (the part shopifyOrderSchema reads) of an order node. */
export function restOrderOf(order: ShopifyGraphqlOrder): Record<string, unknown> {
  const customer = order.customer;
  const restAddress = (value: ShopifyGraphqlOrder['billingAddress']) => (value ? { country_code: value.countryCodeV2, phone: value.phone } : null);
  return {
    id: numericId(order.id, order.legacyResourceId),
    created_at: order.createdAt,
    processed_at: order.processedAt,
    currency: order.totalPriceSet.shopMoney.currencyCode,
    total_price: order.totalPriceSet.shopMoney.amount,
    customer: customer
      ? {
          id: numericId(customer.id, customer.legacyResourceId),
          email: customer.defaultEmailAddress?.emailAddress,
          phone: customer.defaultPhoneNumber?.phoneNumber,
          first_name: customer.firstName,
          last_name: customer.lastName,
          locale: customer.locale,
          default_address: restAddress(customer.defaultAddress),
          email_marketing_consent: customer.defaultEmailAddress ? { state: lower(customer.defaultEmailAddress.marketingState) } : null,
          sms_marketing_consent: customer.defaultPhoneNumber ? { state: lower(customer.defaultPhoneNumber.marketingState) } : null,
        }
      : null,
    email: order.email,
    phone: order.phone,
    customer_locale: order.customerLocale,
    line_items: order.lineItems.nodes.map((item) => ({
      id: numericId(item.id),
      sku: item.sku,
      name: item.name,
      title: item.title,
      quantity: item.quantity,
      price: item.originalUnitPriceSet.shopMoney.amount,
      variant_id: item.variant?.legacyResourceId === undefined || item.variant.legacyResourceId === null ? null : String(item.variant.legacyResourceId),
      product_id: item.product?.legacyResourceId === undefined || item.product.legacyResourceId === null ? null : String(item.product.legacyResourceId),
      product_type: item.product?.productType,
    })),
    discount_codes: (order.discountCodes ?? []).map((code) => ({ code })),
    source_name: order.sourceName,
    billing_address: restAddress(order.billingAddress),
    shipping_address: restAddress(order.shippingAddress),
    test: order.test,
    cancelled_at: order.cancelledAt,
    cancel_reason: lower(order.cancelReason),
    financial_status: lower(order.displayFinancialStatus),
  };
}

/** The refunds/create resource of each refund on the order node. */
export function restRefundsOf(order: ShopifyGraphqlOrder): Record<string, unknown>[] {
  const orderId = numericId(order.id, order.legacyResourceId);
  return (order.refunds ?? []).map((refund) => ({
    id: numericId(refund.id, refund.legacyResourceId),
    order_id: orderId,
    note: refund.note,
    transactions: (refund.transactions?.nodes ?? []).map((transaction) => ({
      kind: lower(transaction.kind),
      status: lower(transaction.status),
      amount: transaction.amountSet.shopMoney.amount,
      currency: transaction.amountSet.shopMoney.currencyCode,
    })),
  }));
}

/**
 * What a synced order means for the ledger: the order read as the webhook mapper reads an order
 * delivery, then each refund given on it (only for an order that counts: a cancelled or skipped
 * order's refunds change nothing more).
 */
export function shopifySyncedOrderActions(node: unknown, settings: PlatformSettings = defaultPlatformSettings): OrderAction[] {
  const parsed = shopifyGraphqlOrderSchema.safeParse(node);
  if (!parsed.success) throw invalid('the Shopify order lacks fields the orders query asks for', parsed.error);
  if (parsed.data.lineItems.pageInfo?.hasNextPage === true) {
    throw new InvalidInputError(`the order has more than ${LINE_ITEMS_PER_ORDER} line items, more than one page of the orders query holds; its webhook records it`);
  }
  const actions = shopifyWebhookActions(undefined, restOrderOf(parsed.data), settings);
  if (actions[0]?.kind !== 'record') return actions;
  const refunds = restRefundsOf(parsed.data).flatMap((refund) => shopifyWebhookActions('refunds/create', refund, settings));
  return [...actions, ...refunds.filter((action) => action.kind === 'refund')];
}
