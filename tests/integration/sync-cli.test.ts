/**
 * `npm run --silent comeback -- sync` as a store types it, against the local host started as
 * `npm start` starts it, with the store's Shopify (a local stand-in answering as the Admin GraphQL
 * API does) in its environment: one JSON line, a second sync recording nothing new, an order
 * cancelled on the platform since reversed, and a clear one-line error for a platform not set up.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopifyOrderNode, startFakeShopifyOrders, type FakeShopifyOrders } from '../support/fake-shopify-orders.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';
import { type CliRun, jsonLine, runComeback, terminalEnvironment } from '../support/terminal.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

let host: HostProcess;
let shopify: FakeShopifyOrders;
let workDir: string;

beforeAll(async () => {
  shopify = await startFakeShopifyOrders();
  shopify.orders.push(
    { node: shopifyOrderNode(2001, { customerId: 91, createdAt: '2026-02-01T10:00:00Z' }), updatedAt: '2026-02-01T10:00:00Z' },
    { node: shopifyOrderNode(2002, { customerId: 91, createdAt: '2026-02-20T10:00:00Z' }), updatedAt: '2026-02-20T10:00:00Z' },
    { node: shopifyOrderNode(2003, { customerId: 92, createdAt: '2026-03-01T10:00:00Z' }), updatedAt: '2026-03-01T10:00:00Z' },
    { node: shopifyOrderNode(2004, { createdAt: '2026-03-01T11:00:00Z', test: true }), updatedAt: '2026-03-01T11:00:00Z' },
    { node: shopifyOrderNode(2005, { createdAt: '2026-03-01T12:00:00Z', status: 'PENDING' }), updatedAt: '2026-03-01T12:00:00Z' },
  );
  mkdirSync(join(root, '.comeback'), { recursive: true });
  workDir = mkdtempSync(join(root, '.comeback', 'sync-cli-'));
  host = await startHostProcess(
    {
      COMEBACK_DATA_DIR: join(workDir, 'data'),
      COMEBACK_DEMO: 'off',
      COMEBACK_CLOCK_START: '2026-03-02T17:00:00Z',
      COMEBACK_SHOPIFY_STORE_DOMAIN: 'fake-store.myshopify.com',
      COMEBACK_SHOPIFY_ACCESS_TOKEN: shopify.token,
      COMEBACK_SHOPIFY_API_ORIGIN: shopify.origin,
    },
    terminalEnvironment(),
  );
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await shopify?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function comeback(args: string[]): Promise<CliRun> {
  return runComeback(args, workDir, { COMEBACK_URL: host.url });
}

describe('npm run --silent comeback -- sync', () => {
  it('records the paid orders once, records nothing new the second time, and reverses an order cancelled since', async () => {
    shopify.faults.push('throttled');
    const first = await comeback(['sync', 'shopify', '--since', '2026-01-01']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(jsonLine(first.stdout)).toMatchObject({ fetched: 5, recorded: 3, duplicates: 0, notCounted: 2, reversed: 0 });

    const customer = await fetch(`${host.url}/v1/customers/91`, { headers: { authorization: 'Bearer dev-admin-token' } });
    expect(customer.status).toBe(200);
    expect(await customer.json()).toMatchObject({ profile: expect.objectContaining({ orderCount: 2 }) });

    const again = await comeback(['sync', 'shopify', '--since', '2026-01-01']);
    expect(jsonLine(again.stdout)).toMatchObject({ fetched: 5, recorded: 0, duplicates: 3, notCounted: 2, reversed: 0 });

    shopify.orders[1] = { node: shopifyOrderNode(2002, { customerId: 91, createdAt: '2026-02-20T10:00:00Z', cancelledAt: '2026-03-02T09:00:00Z', status: 'VOIDED' }), updatedAt: '2026-03-02T09:00:00Z' };
    const cancelled = await comeback(['sync', 'shopify', '--since', '2026-03-02']);
    expect(jsonLine(cancelled.stdout)).toMatchObject({ fetched: 1, recorded: 0, duplicates: 0, notCounted: 0, reversed: 1 });
    const twice = await comeback(['sync', 'shopify', '--since', '2026-03-02']);
    expect(jsonLine(twice.stdout)).toMatchObject({ fetched: 1, reversed: 0 });
  }, 120_000);

  it('says in one line what a Comeback without the store needs', async () => {
    const answer = await comeback(['sync', 'woocommerce', '--since', '2026-01-01']);
    expect(answer.code).toBe(1);
    expect(answer.stdout).toBe('');
    expect(answer.stderr).toBe('comeback: sync refused (HTTP 409): this Comeback is not connected to a WooCommerce store: set COMEBACK_WOOCOMMERCE_URL and COMEBACK_WOOCOMMERCE_CREDENTIALS\n');
  }, 60_000);
});
