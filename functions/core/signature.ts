/**
 * Webhook signatures. Comeback's own scheme follows Stripe's: `t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<raw body>")>`, with a tolerance window against replays. Shopify and
 * WooCommerce sign the raw body alone, base64-encoded. Every comparison is constant-time, and any
 * of several secrets may match, so a secret can be rotated without downtime.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from './errors.ts';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signComebackPayload(secret: string, rawBody: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

export function verifyComebackSignature(
  header: string | undefined,
  rawBody: string,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): void {
  if (!header) throw new SignatureError('the Comeback-Signature header is missing');
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) {
    throw new SignatureError('the Comeback-Signature header must look like t=<unix seconds>,v1=<hex digest>');
  }
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    throw new SignatureError(`the signature timestamp is more than ${toleranceSeconds} seconds away from now`);
  }
  const expected = secrets.map((secret) => createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest());
  const matched = candidates.some((candidate) => expected.some((digest) => equalDigest(digest, Buffer.from(candidate, 'hex'))));
  if (!matched) throw new SignatureError('the signature does not match the body');
}

/** Shopify's X-Shopify-Hmac-Sha256 and WooCommerce's X-WC-Webhook-Signature. */
export function signPlatformPayload(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export function verifyPlatformSignature(header: string | undefined, headerName: string, rawBody: string, secrets: readonly string[]): void {
  if (!header) throw new SignatureError(`the ${headerName} header is missing`);
  const given = Buffer.from(header.trim(), 'base64');
  const matched = secrets.some((secret) => equalDigest(createHmac('sha256', secret).update(rawBody).digest(), given));
  if (!matched) throw new SignatureError(`the ${headerName} signature does not match the body`);
}

function equalDigest(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Constant-time comparison of a bearer token against the admin token. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = createHmac('sha256', 'token-compare').update(given).digest();
  const b = createHmac('sha256', 'token-compare').update(expected).digest();
  return timingSafeEqual(a, b);
}
