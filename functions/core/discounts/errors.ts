/** Errors of discount codes. Step Functions sees each by its class name (the Lambda errorType). */
import { ComebackError } from '../errors.ts';

export class DiscountError extends ComebackError {
  override readonly name: string = 'DiscountError';
}

/** The storefront already has a code with this name (Shopify userError TAKEN, WooCommerce woocommerce_rest_coupon_code_already_exists). */
export class DiscountCodeTakenError extends DiscountError {
  override readonly name: string = 'DiscountCodeTakenError';
  readonly code: string;
  constructor(code: string, options?: { cause?: unknown }) {
    super(`the storefront already has the discount code ${code}`, options);
    this.code = code;
  }
}

/** The storefront asks to slow down (HTTP 429, Shopify THROTTLED): the state machine's Retry tries again later. */
export class StorefrontThrottledError extends DiscountError {
  override readonly name: string = 'StorefrontThrottledError';
}

/** The storefront refused the request: wrong credentials, a missing scope, an input it does not accept. */
export class StorefrontRefusedError extends DiscountError {
  override readonly name: string = 'StorefrontRefusedError';
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** The storefront could not be reached, or answered with a server error. */
export class StorefrontUnavailableError extends DiscountError {
  override readonly name: string = 'StorefrontUnavailableError';
}

/** Concurrent hand-outs kept taking the pool codes this one picked: the state machine's Retry tries again. */
export class DiscountPoolBusyError extends DiscountError {
  override readonly name: string = 'DiscountPoolBusyError';
}
