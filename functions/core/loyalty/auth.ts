/**
 * How the storefront and Comeback trust each other on the loyalty routes, with the scheme of the
 * purchase webhook (Comeback-Signature, HMAC-SHA256 with COMEBACK_WEBHOOK_SECRET, signature.ts):
 *
 * - a request with a body (redeem) is signed over its raw body, exactly like a purchase;
 * - a GET has no body, so it is signed over `GET <path as requested>` (e.g. `GET /v1/loyalty/cust-1001`):
 *   a signature is valid for one customer's account and for five minutes;
 * - a redemption confirmation is signed by Comeback over the exact JSON text of the response body, with
 *   `t` the redemption time (so a retried redemption gets the very same header back). The checkout
 *   verifies it with the same secret before granting the discount.
 */
import { signComebackPayload, verifyComebackSignature } from '../signature.ts';
import { SignatureError } from '../errors.ts';

/** What a bodiless request's Comeback-Signature covers. */
export function requestSigningPayload(method: string, rawPath: string): string {
  return `${method.toUpperCase()} ${rawPath}`;
}

/** The Comeback-Signature of a redemption confirmation: over its body, at its redemption time. */
export function signConfirmation(secret: string, body: string, redeemedAt: string): string {
  return signComebackPayload(secret, body, Math.floor(Date.parse(redeemedAt) / 1000));
}

/**
 * Checks a confirmation's signature (what a checkout does). A receipt has no freshness window: how long
 * a confirmation may be honoured is the checkout's business.
 */
export function verifyConfirmation(header: string | undefined, body: string, secrets: readonly string[]): void {
  const timestamp = /(?:^|,)\s*t=(\d{1,12})\s*(?:,|$)/.exec(header ?? '')?.[1];
  if (!timestamp) throw new SignatureError('the confirmation signature must look like t=<unix seconds>,v1=<hex digest>');
  verifyComebackSignature(header, body, secrets, Number(timestamp));
}
