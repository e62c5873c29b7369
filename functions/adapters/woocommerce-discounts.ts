/**
 * Discount codes in a WooCommerce store: `POST /wp-json/wc/v3/coupons` with the REST API's consumer
 * key and secret (HTTP Basic over https). The coupon is a percentage off the order, used once,
 * once per user, for the customer's email address when there is one, until date_expires_gmt
 * (the GMT form, since Comeback's times are UTC; date_expires would be read in the site's zone).
 */
import type { ReferralDiscountRequest, Storefront, StorefrontDiscountRequest } from '../core/discounts/discounts.ts';
import { DiscountCodeTakenError, StorefrontRefusedError, StorefrontThrottledError, StorefrontUnavailableError } from '../core/discounts/errors.ts';

export interface WooCommerceDiscountsOptions {
  /** The store's address, e.g. https://shop.example.com */
  url: string;
  /** The consumer key and secret, resolved when first needed. */
  credentials: () => Promise<{ key: string; secret: string }>;
  /** How long one call may take. */
  timeoutMs?: number;
}

export class WooCommerceDiscounts implements Storefront {
  private readonly options: WooCommerceDiscountsOptions;

  constructor(options: WooCommerceDiscountsOptions) {
    this.options = options;
  }

  async createCode(request: StorefrontDiscountRequest): Promise<void> {
    await this.create(request.code, wooCommerceCoupon(request));
  }

  async createReferralCode(request: ReferralDiscountRequest): Promise<void> {
    await this.create(request.code, wooCommerceReferralCoupon(request));
  }

  private async create(code: string, coupon: Record<string, unknown>): Promise<void> {
    const { key, secret } = await this.options.credentials();
    let response: Response;
    try {
      response = await fetch(new URL('/wp-json/wc/v3/coupons', this.options.url), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(coupon),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new StorefrontUnavailableError(`WooCommerce could not be reached: ${(error as Error).message}`, { cause: error });
    }
    if (response.ok) return;
    const body = (await response.json().catch(() => ({}))) as { code?: unknown; message?: unknown };
    const error = typeof body.code === 'string' ? body.code : '';
    const message = typeof body.message === 'string' ? body.message : response.statusText;
    if (error === 'woocommerce_rest_coupon_code_already_exists') throw new DiscountCodeTakenError(code);
    if (response.status === 429) throw new StorefrontThrottledError(`WooCommerce throttled the coupon: ${message}`);
    if (response.status >= 500) throw new StorefrontUnavailableError(`WooCommerce failed to create the coupon (${response.status}): ${message}`);
    throw new StorefrontRefusedError(`WooCommerce refused the coupon (${response.status} ${error}): ${message}`, response.status);
  }
}

/** The coupon as the REST API takes it. */
export function wooCommerceCoupon(request: StorefrontDiscountRequest): Record<string, unknown> {
  const { email } = request.customer;
  return {
    code: request.code,
    description: request.title,
    discount_type: 'percent',
    amount: String(request.percent),
    individual_use: true,
    usage_limit: 1,
    usage_limit_per_user: 1,
    ...(email ? { email_restrictions: [email] } : {}),
    // WooCommerce takes ISO 8601 without a zone: "2026-04-01T10:00:00".
    date_expires_gmt: request.expiresAt.slice(0, 19),
  };
}

/** A referral coupon: any customer, once each, no total limit and no expiry. */
export function wooCommerceReferralCoupon(request: ReferralDiscountRequest): Record<string, unknown> {
  return {
    code: request.code,
    description: request.title,
    discount_type: 'percent',
    amount: String(request.percent),
    individual_use: true,
    usage_limit_per_user: 1,
  };
}
