/**
 * The local host as a new user meets it: `node bin/local.ts` (what `npm start` runs) as a child
 * process, spoken to over HTTP. A signed post shows in the profile, and a restart keeps it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { fetchCustomer, postSignedPurchase, postSigned } from '../../lib/local/client.ts';
import { samplePurchase } from '../../lib/local/sample.ts';
import { apiRoutes } from '../../lib/routes.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';

const secret = 'whsec_host_test';
const adminToken = 'host-admin-token';
const dataDir = mkdtempSync(join(tmpdir(), 'comeback-host-'));
/**
 * The virtual clock of the new data directory starts here, whatever the hour the tests run at:
 * midday in New York, so win-back's messages fall outside the customer's quiet hours.
 */
const clockStart = '2026-03-02T17:00:00Z';

function startHost(): Promise<HostProcess> {
  return startHostProcess({ COMEBACK_DATA_DIR: dataDir, COMEBACK_WEBHOOK_SECRET: `${secret},whsec_old`, COMEBACK_ADMIN_TOKEN: adminToken, COMEBACK_CLOCK_START: clockStart, COMEBACK_OUTBOX_PRINT: 'on' });
}

describe('the local host over HTTP', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await startHost();
  }, 90_000);

  afterAll(async () => {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URL, the dev secrets, a ready command, and shows a sample purchase going through', () => {
    expect(host.output()).toContain(`Comeback is running locally at ${host.url}`);
    expect(host.output()).toContain(`COMEBACK_WEBHOOK_SECRET=${secret},whsec_old`);
    expect(host.output()).toContain('npm run comeback -- sample-purchase');
    expect(host.output()).toMatch(/demo: POST \/v1\/purchases \(signed\) -> 202/);
    expect(host.output()).toMatch(/demo: GET \/v1\/customers\/demo-customer -> 200 orderCount=1 netRevenueMinor=5497 USD/);
  });

  it('records a signed purchase (202) that the profile then shows, and keeps it across a restart', async () => {
    const purchase = samplePurchase({ orderId: 'host-order-1', customerId: 'host-customer', placedAt: new Date(clockStart) });

    const posted = await postSignedPurchase(host.url, secret, purchase);

    expect(posted).toEqual({ status: 202, body: { orderId: 'host-order-1', customerId: 'host-customer', status: 'recorded' } });
    const before = await fetchCustomer(host.url, adminToken, 'host-customer');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ profile: { customerId: 'host-customer', orderCount: 1, netRevenueMinor: 5497, currency: 'USD' } });

    await host.stop();
    host = await startHost();

    const after = await fetchCustomer(host.url, adminToken, 'host-customer');
    expect(after.body).toMatchObject({ profile: { orderCount: 1, netRevenueMinor: 5497 } });
    expect(host.output()).toMatch(/demo: POST \/v1\/purchases \(signed\) -> 202 .*"status":"duplicate"/);
  }, 120_000);

  it('answers errors as problem+json', async () => {
    const unsigned = await fetch(`${host.url}/v1/purchases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toBe('application/problem+json');
    const invalid = await postSigned(host.url, '/v1/purchases', secret, '{"orderId": 1}');
    expect(invalid.status).toBe(400);
    expect((invalid.body as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    const unknownRoute = await fetch(`${host.url}/v2/nothing`);
    expect(unknownRoute.status).toBe(404);
    expect((await fetchCustomer(host.url, 'wrong', 'host-customer')).status).toBe(401);
  });

  it("answers any path and method below 500: a malformed percent-encoding is the request's error", async () => {
    const malformed = await fetch(`${host.url}/v1/customers/%E0%A4%A`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');

    const segment = fc.oneof(fc.webSegment(), fc.constantFrom('v1', 'customers', 'segments', 'journeys', 'tasks', 'console', 'openapi.json', '%', '%E0%A4%A', '%00', '..', '%2F', 'x'.repeat(300)), fc.string({ maxLength: 8 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), fc.boolean(), async (segments, method, admin) => {
        const answer = await fetch(`${host.url}/${segments.join('/')}`, { method, headers: admin ? { authorization: `Bearer ${adminToken}` } : {} });
        await answer.arrayBuffer();
        expect(answer.status, `${method} /${segments.join('/')}`).toBeLessThan(500);
        if (answer.status >= 400) expect(answer.headers.get('content-type')).toMatch(/^(application\/problem\+json|text\/html)/);
      }),
      { numRuns: 100 },
    );
  });

  it('serves a valid OpenAPI 3.1 document describing every route', async () => {
    const document = (await (await fetch(`${host.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };

    const result = await new Validator().validate(document);

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    for (const route of apiRoutes) expect(document.paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
    const purchaseSchema = (document.paths['/v1/purchases']?.['post'] as { requestBody: { content: Record<string, { schema: { required: string[] } }> } }).requestBody.content['application/json']?.schema;
    expect(purchaseSchema?.required).toEqual(expect.arrayContaining(['orderId', 'placedAt', 'currency', 'total', 'customer', 'items']));
  });
});
