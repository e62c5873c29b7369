/**
 * Property-based test of POST /v1/sync/{platform} as deployed (the handler, API Gateway events):
 * whatever the token, platform, content type and body, the answer is problem+json and never a 5xx;
 * without the admin token it is 401; a well-formed request to a Comeback connected to no store is
 * 409 naming what to set; any other body is 400 (415 when it is not sent as JSON).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/handlers/sync-platform.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

type Answer = { statusCode?: number; headers?: Record<string, unknown>; body?: string };
const call = handler as unknown as (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<Answer>;

const body = fc.oneof(
  fc.constant(JSON.stringify({ since: '2026-01-01' })),
  fc.constant(JSON.stringify({ since: '2026-01-01T00:00:00+02:00', cursor: 'Mg==' })),
  fc.record({ since: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), cursor: fc.option(fc.string()) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  fc.json(),
  fc.string(),
);

describe('POST /v1/sync/{platform}', () => {
  it('answers every request with problem+json below 500, 401 without the token, 409 without a store, 400 or 415 for anything else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'valid' | 'wrong' | 'none'>('valid', 'wrong', 'none'),
        fc.oneof(fc.constantFrom('shopify', 'woocommerce'), fc.string({ maxLength: 20 })),
        fc.constantFrom('application/json', 'text/plain', ''),
        body,
        async (token, platform, type, raw) => {
          const headers: Record<string, string> = {};
          if (token !== 'none') headers.authorization = `Bearer ${token === 'valid' ? TEST_ADMIN_TOKEN : 'not-the-token'}`;
          if (type) headers['content-type'] = type;
          const answer = await call(httpEvent({ method: 'POST', path: `/v1/sync/${platform}`, pathParameters: { platform }, headers, body: raw }), lambdaContext);
          const status = answer.statusCode ?? 0;
          expect(status, answer.body).toBeGreaterThanOrEqual(400);
          expect(status, answer.body).toBeLessThan(500);
          expect(answer.headers?.['content-type']).toBe('application/problem+json');
          if (token !== 'valid') expect(status).toBe(401);
          const wellFormed = type === 'application/json' && ['shopify', 'woocommerce'].includes(platform) && /^\{"since":"2026-01-01(T00:00:00\+02:00","cursor":"Mg==)?"\}$/.test(raw);
          if (token === 'valid') expect(wellFormed ? [409] : [400, 415], answer.body).toContain(status);
          if (token === 'valid' && wellFormed) expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ detail: expect.stringMatching(/^this Comeback is not connected to a (Shopify|WooCommerce) store: set /) });
        },
      ),
      { numRuns: 150 },
    );
  });
});
