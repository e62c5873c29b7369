/**
 * What a platform's webhook means for the ledger. A platform sends an order at every step of its
 * life (created unpaid, paid, cancelled, refunded), so a delivery is read as one or more actions:
 *
 * - `record`: an order the platform considers placed and paid; it counts.
 * - `skip`: an order that does not count (yet): a test order, unpaid, failed, cancelled when it was
 *   created. Acknowledged with the reason, nothing stored, so a later delivery of the same order
 *   that is paid still counts.
 * - `cancel`: the order is cancelled (or, on WooCommerce, wholly refunded). What is left of its
 *   revenue is reversed with the points it earned; arriving before the order, it keeps the order
 *   from ever counting.
 * - `refund`: money given back on the order, by the platform's refund id.
 *
 * The rules of which statuses count live here, once per platform.
 */
import type { PurchaseInput } from '../purchase.ts';

/** Shopify's order financial statuses (REST Admin API `financial_status`). */
export const shopifyFinancialStatuses = ['pending', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded', 'voided', 'expired'] as const;
export type ShopifyFinancialStatus = (typeof shopifyFinancialStatuses)[number];

/** Placed and paid (or its payment authorized, to be captured at fulfilment). */
export const defaultCountedShopifyStatuses: readonly ShopifyFinancialStatus[] = ['paid', 'partially_paid', 'authorized'];

/** WooCommerce order statuses that mean placed and paid. */
export const countedWooCommerceStatuses = ['processing', 'completed'] as const;
/** WooCommerce order statuses that undo an order. */
export const reversedWooCommerceStatuses = ['cancelled', 'refunded'] as const;

/** What a WooCommerce checkout states about marketing consent (the store's setting). */
export const wooCommerceConsentSettings = ['none', 'email', 'email+sms'] as const;
export type WooCommerceConsentSetting = (typeof wooCommerceConsentSettings)[number];

export interface PlatformSettings {
  /** ISO 3166-1 alpha-2 country a national phone number is read in when the order names none. */
  defaultCountry?: string;
  /** Shopify financial statuses that count. */
  shopifyCountedStatuses: readonly string[];
  wooCommerceMarketingConsent: WooCommerceConsentSetting;
}

export const defaultPlatformSettings: PlatformSettings = {
  shopifyCountedStatuses: defaultCountedShopifyStatuses,
  wooCommerceMarketingConsent: 'none',
};

/** The id every cancellation is kept under among an order's refunds: an order is cancelled once. */
export const CANCELLATION_REFUND_ID = 'cancellation';

export type OrderAction =
  | { kind: 'record'; purchase: PurchaseInput }
  | { kind: 'skip'; orderId: string; reason: string }
  | { kind: 'cancel'; orderId: string; reason: string }
  | {
      kind: 'refund';
      orderId: string;
      refundId: string;
      /** Decimal text in `currency`, positive. */
      amount: string;
      /** The refund's own currency when the platform states it; the order's otherwise. */
      currency?: string;
      reason?: string;
    };
