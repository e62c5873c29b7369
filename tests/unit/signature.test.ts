import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signComebackPayload, signPlatformPayload, tokenMatches, verifyComebackSignature, verifyPlatformSignature } from '../../functions/core/signature.ts';

const body = '{"orderId":"1"}';
const now = 1_767_000_000;

describe('Comeback-Signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, as Stripe signs', () => {
    const expected = createHmac('sha256', 'secret').update(`${now}.${body}`).digest('hex');
    expect(signComebackPayload('secret', body, now)).toBe(`t=${now},v1=${expected}`);
  });

  it('verifies with any of several secrets, and any of several v1 values', () => {
    const header = signComebackPayload('new', body, now);
    expect(() => verifyComebackSignature(header, body, ['old', 'new'], now)).not.toThrow();
    const twoSignatures = `${header},v1=${'0'.repeat(64)}`;
    expect(() => verifyComebackSignature(twoSignatures, body, ['new'], now)).not.toThrow();
  });

  it.each([
    ['missing', undefined, /header is missing/],
    ['without a timestamp', 'v1=abc', /must look like/],
    ['without a digest', `t=${now}`, /must look like/],
    ['for another body', signComebackPayload('secret', '{"orderId":"2"}', now), /does not match/],
    ['with another secret', signComebackPayload('other', body, now), /does not match/],
    ['with a malformed digest', `t=${now},v1=zz`, /does not match/],
  ])('refuses a header %s', (_label, header, message) => {
    expect(() => verifyComebackSignature(header, body, ['secret'], now)).toThrow(message);
  });

  it('refuses timestamps more than five minutes away, either way', () => {
    expect(() => verifyComebackSignature(signComebackPayload('s', body, now - 300), body, ['s'], now)).not.toThrow();
    expect(() => verifyComebackSignature(signComebackPayload('s', body, now - 301), body, ['s'], now)).toThrow(/300 seconds/);
    expect(() => verifyComebackSignature(signComebackPayload('s', body, now + 301), body, ['s'], now)).toThrow(/300 seconds/);
  });
});

describe('platform signatures (Shopify, WooCommerce)', () => {
  it('are base64 HMAC-SHA256 of the raw body', () => {
    const expected = createHmac('sha256', 'shp').update(body).digest('base64');
    expect(signPlatformPayload('shp', body)).toBe(expected);
    expect(() => verifyPlatformSignature(expected, 'X-Shopify-Hmac-Sha256', body, ['other', 'shp'])).not.toThrow();
  });

  it('are refused when missing or wrong, naming the header', () => {
    expect(() => verifyPlatformSignature(undefined, 'X-WC-Webhook-Signature', body, ['wc'])).toThrow(/X-WC-Webhook-Signature header is missing/);
    expect(() => verifyPlatformSignature(signPlatformPayload('wc', `${body} `), 'X-WC-Webhook-Signature', body, ['wc'])).toThrow(/does not match/);
  });
});

describe('admin token', () => {
  it('matches only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });
});
