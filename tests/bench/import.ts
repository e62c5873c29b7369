/**
 * Benchmark of importing past orders (not a test): the CDNOW master file (69,659 lines, 23,570
 * customers) imported by the CLI's own code through the local host on DynamoDB Local, then again
 * (every order a duplicate), next to the raw write rate of the same DynamoDB Local measured in the
 * same run with the ledger's transaction shapes and no import logic (no parsing, no HTTP, no reads):
 * one transaction per order (guard + order + profile, as a webhook writes), and one per customer
 * (every order's guard and order, and the profile once, as the import writes), on CDNOW's own
 * customers and orders.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/adapters/table-design.ts';
import { IMPORT_CONCURRENCY } from '../../functions/core/imports/import-orders.ts';
import { runImport } from '../../lib/cli/import.ts';
import { localDynamoClient } from '../../lib/local/dynamodb-local.ts';
import { LOCAL_TABLE_NAME, startLocalHost } from '../../lib/local/host.ts';

const adminToken = 'bench-admin-token';
const master = fileURLToPath(new URL('../fixtures/cdnow/CDNOW_master.txt', import.meta.url));
type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Customers of the raw runs: the first of the file, about 9,000 of its orders. */
const RAW_CUSTOMERS = 3000;

export async function run(report: (line: string) => void): Promise<void> {
  const host = await startLocalHost({
    port: 0,
    secrets: { COMEBACK_WEBHOOK_SECRET: 'x', COMEBACK_SHOPIFY_SECRET: 'x', COMEBACK_WOOCOMMERCE_SECRET: 'x', COMEBACK_ADMIN_TOKEN: adminToken, COMEBACK_UNSUBSCRIBE_SECRET: 'x', COMEBACK_FEEDBACK_SECRET: 'x' },
    settings: { COMEBACK_HOLDOUT_SHARE: '0', COMEBACK_SHOP_URL: 'https://shop.example.com', COMEBACK_SUPPORT_CONTACT: 'support@shop.example.com' },
    clockStart: new Date('2026-03-02T17:00:00Z'),
  });
  const client = DynamoDBDocumentClient.from(localDynamoClient(host.dynamodbEndpoint));
  try {
    const customers = cdnowCustomers().slice(0, RAW_CUSTOMERS);
    report(`DynamoDB Local (in memory), the import writing ${IMPORT_CONCURRENCY} customers at once:`);
    report('  what                                                           writers   orders  seconds  orders/s');
    const line = (what: string, writers: number | string, orders: number, seconds: number) =>
      report(`  ${what.padEnd(62)}  ${String(writers).padStart(7)}  ${String(orders).padStart(7)}  ${seconds.toFixed(1).padStart(7)}  ${(orders / seconds).toFixed(0).padStart(8)}`);
    const orders = customers.reduce((sum, count) => sum + count, 0);
    // A first pass warms DynamoDB Local's JVM, so the shapes compare on equal terms.
    await rawWrites(client, customers.slice(0, 300), 'customer', IMPORT_CONCURRENCY);
    for (const writers of [IMPORT_CONCURRENCY, 16]) {
      line('raw: one transaction per order (guard + order + profile)', writers, orders, await rawWrites(client, customers, 'order', writers));
      line("raw: one transaction per customer (the import's shape)", writers, orders, await rawWrites(client, customers, 'customer', writers));
    }
    for (const pass of ['import of CDNOW master via the CLI and the local host', 'the same import again (every order a duplicate)']) {
      let printed = '';
      const started = performance.now();
      await runImport(['--format', 'cdnow', '--file', master, '--currency', 'USD'], { url: host.url, adminToken }, { stdout: (text) => (printed += text), stderr: () => undefined, stderrIsTerminal: false });
      const seconds = (performance.now() - started) / 1000;
      const summary = JSON.parse(printed) as { imported: number; duplicates: number; rejected: number };
      line(pass, IMPORT_CONCURRENCY, summary.imported + summary.duplicates + summary.rejected, seconds);
      report(`    ${printed.trim()}`);
    }
  } finally {
    client.destroy();
    await host.stop();
  }
}

/** The number of orders of each customer of the CDNOW master file, in file order. */
function cdnowCustomers(): number[] {
  const counts = new Map<string, number>();
  for (const text of readFileSync(master, 'utf8').split('\n').slice(1)) {
    const customer = text.trim().split(/\s+/)[0];
    if (customer) counts.set(customer, (counts.get(customer) ?? 0) + 1);
  }
  return [...counts.values()];
}

/**
 * Writes the customers' orders with the ledger's item shapes, `writers` customers at once, one
 * transaction per order or per customer (25 orders at most, as the ledger cuts them); seconds taken.
 */
async function rawWrites(client: DynamoDBDocumentClient, customers: number[], per: 'order' | 'customer', writers: number): Promise<number> {
  const run = randomUUID().slice(0, 8);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < customers.length) {
        const index = next++;
        const customer = `raw-${run}-${index}`;
        const count = customers[index]!;
        const batches = per === 'order' ? Array.from({ length: count }, (_, order) => [order]) : chunk(Array.from({ length: count }, (_, order) => order), 25);
        let version = 0;
        for (const batch of batches) {
          const items: TransactItems = batch.flatMap((order) => {
            const orderId = `${customer}-${order}`;
            const placedAt = new Date(Date.UTC(1997, 0, 1 + order)).toISOString();
            return [
              { Put: { TableName: LOCAL_TABLE_NAME, Item: { ...keys.orderGuard(orderId), type: 'orderGuard', orderId, customerId: customer, placedAt, currency: 'USD', totalMinor: 1177, fingerprint: run }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: LOCAL_TABLE_NAME, Item: { ...keys.order(customer, placedAt, orderId), type: 'order', orderId, customerId: customer, placedAt, currency: 'USD', totalMinor: 1177, refundedMinor: 0, items: [{ sku: 'CD', quantity: 1, unitPriceMinor: 1177 }], source: 'comeback' } } },
            ];
          });
          const lastOrderAt = new Date(Date.UTC(1997, 0, 1 + batch.at(-1)!)).toISOString();
          items.push({
            Put: {
              TableName: LOCAL_TABLE_NAME,
              Item: { ...keys.profile(customer), ...keys.lastOrderDay(lastOrderAt, customer), type: 'profile', customerId: customer, orderCount: batch.at(-1)! + 1, lastOrderAt, version: version + 1 },
              ...(version === 0 ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } }),
            },
          });
          await client.send(new TransactWriteCommand({ TransactItems: items }));
          version += 1;
        }
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

function chunk<T>(values: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(values.length / size) }, (_, index) => values.slice(index * size, index * size + size));
}
