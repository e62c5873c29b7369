/**
 * Benchmark of the purchase webhook (not a test): throughput and latency through the local host on
 * DynamoDB Local, next to the rate of a bare 3-item TransactWriteItems (guard + order + profile
 * update) on the same DynamoDB Local in the same minutes, with the transactions it took per order,
 * for a store's traffic and for the worst case, the time from the 202 to the purchase's
 * reaction having run (read from the table's stream), the handler's own time with I/O faked, and
 * each Lambda bundle's size and cold import time. Every figure is measured on this run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { mockClient } from 'aws-sdk-client-mock';
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { signComebackPayload } from '../../functions/core/signature.ts';
import { LOCAL_TABLE_NAME, startLocalHost } from '../../lib/local/host.ts';
import { freePort, localDynamoClient } from '../../lib/local/dynamodb-local.ts';
import { samplePurchase } from '../../lib/local/sample.ts';
import { apiRoutes } from '../../lib/routes.ts';
import { EXTERNAL_MODULES } from '../../lib/cdk/comeback-function.ts';

const secret = 'whsec_bench';
const projectRoot = new URL('../../', import.meta.url);

export async function run(report: (line: string) => void): Promise<void> {
  await throughput(report);
  await handlerTime(report);
  await bundles(report);
}

async function throughput(report: (line: string) => void): Promise<void> {
  // When each order's reaction (journeys, points) finished, from the stream reader of the host.
  const reacted = new Map<string, number>();
  const host = await startLocalHost({
    port: await freePort(),
    secrets: { COMEBACK_WEBHOOK_SECRET: secret, COMEBACK_SHOPIFY_SECRET: 'x', COMEBACK_WOOCOMMERCE_SECRET: 'x', COMEBACK_ADMIN_TOKEN: 'x', COMEBACK_UNSUBSCRIBE_SECRET: 'x', COMEBACK_FEEDBACK_SECRET: 'x' },
    settings: { COMEBACK_HOLDOUT_SHARE: '0', COMEBACK_SHOP_URL: 'https://shop.example.com', COMEBACK_SUPPORT_CONTACT: 'support@shop.example.com' },
    onReactions: (records: DynamoDBRecord[]) => {
      const at = performance.now();
      for (const record of records) {
        const orderId = record.dynamodb?.NewImage?.['orderId']?.S;
        if (orderId) reacted.set(orderId, at);
      }
    },
  });
  const raw = localDynamoClient(host.dynamodbEndpoint);
  // Every transaction the handlers send, cancelled ones included: the host runs them in this process.
  const { documentClient } = await import('../../functions/adapters/dynamodb.ts');
  let transactions = 0;
  documentClient.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') transactions += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countTransactions' },
  );
  try {
    report('webhook through the local host on DynamoDB Local (POST /v1/purchases, each a new order; customers of four orders each, the first');
    report('her first), next to a bare 3-item TransactWriteItems (guard + order + profile update) on the same DynamoDB Local with the same');
    report('customers, each level right after the other. As on AWS, where the reactions run in their own function, the stream is read once');
    report('the level is done: then its reactions (journeys, points, follow-ups) run from the table stream, timed to the last one.');
    report('tx/order: the transactions the webhook sent per order, cancelled ones included.');
    let sequence = 0;
    const answered = new Map<string, number>();
    const post = async (customer: number) => {
      sequence += 1;
      const orderId = `bench-${process.pid}-${sequence}`;
      const body = JSON.stringify(samplePurchase({ orderId, customerId: `bench-${process.pid}-${customer}` }));
      const started = performance.now();
      const response = await fetch(`${host.url}/v1/purchases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, body, Math.floor(Date.now() / 1000)) },
        body,
      });
      await response.arrayBuffer();
      const at = performance.now();
      if (response.status !== 202) throw new Error(`unexpected status ${response.status}`);
      answered.set(orderId, at);
      return at - started;
    };
    let rawSequence = 0;
    const transaction = async (customer: number) => {
      rawSequence += 1;
      const orderId = `raw-${process.pid}-${rawSequence}`;
      const customerId = `raw-${process.pid}-${customer}`;
      const started = performance.now();
      // Not an order item (another `type`): nothing reacts to it.
      await raw.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: LOCAL_TABLE_NAME, Item: { pk: { S: `RAW#${orderId}` }, sk: { S: 'ORDER' }, type: { S: 'benchGuard' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: LOCAL_TABLE_NAME, Item: { pk: { S: `RAW#${customerId}` }, sk: { S: `ORDER#${orderId}` }, type: { S: 'benchOrder' }, totalMinor: { N: '5497' } } } },
            {
              Update: {
                TableName: LOCAL_TABLE_NAME,
                Key: { pk: { S: `RAW#${customerId}` }, sk: { S: 'PROFILE' } },
                UpdateExpression: 'ADD orderCount :one, revenueMinor :total',
                ExpressionAttributeValues: { ':one': { N: '1' }, ':total': { N: '5497' } },
              },
            },
          ],
        }),
      );
      return performance.now() - started;
    };
    const ORDERS_PER_CUSTOMER = 4;
    let customers = 0;
    /**
     * `clients` callers sending `total` orders. `one-by-one`: each caller takes the next customer and
     * sends her four orders one after the other, as a store's traffic is (many customers at once, one
     * customer's orders rarely together). `at-once`: the callers take the next order, so one customer's
     * four orders go out together from four callers: the worst case, where they meet each other's conditions.
     */
    const level = async (clients: number, total: number, call: (customer: number) => Promise<number>, traffic: 'one-by-one' | 'at-once') => {
      const latencies: number[] = [];
      let issued = 0;
      const first = customers;
      customers += total / ORDERS_PER_CUSTOMER;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (issued < total) {
            if (traffic === 'at-once') {
              const customer = first + Math.floor(issued / ORDERS_PER_CUSTOMER);
              issued += 1;
              latencies.push(await call(customer));
              continue;
            }
            const customer = first + issued / ORDERS_PER_CUSTOMER;
            issued += ORDERS_PER_CUSTOMER;
            for (let order = 0; order < ORDERS_PER_CUSTOMER; order += 1) latencies.push(await call(customer));
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return { rate: latencies.length / seconds, latencies };
    };
    for (let warm = 0; warm < 48; warm += 1) {
      await post(customers + Math.floor(warm / ORDERS_PER_CUSTOMER));
      await transaction(customers + Math.floor(warm / ORDERS_PER_CUSTOMER));
    }
    customers += 48 / ORDERS_PER_CUSTOMER;
    await host.journeys.settled();
    for (const traffic of ['one-by-one', 'at-once'] as const) {
      report(
        traffic === 'one-by-one'
          ? "customers at once, each customer's orders one after the other:"
          : "the worst case, each customer's four orders at once (the reactions' rate not measured):",
      );
      report('  clients  raw tx/s  webhook req/s  ratio  p50 ms  p99 ms  tx/order  reactions/s');
      for (const clients of traffic === 'one-by-one' ? [1, 16, 64] : [16, 64]) {
        const total = clients === 1 ? 400 : 1600;
        const bare = await level(clients, total, transaction, traffic);
        await host.journeys.pollTableStream(false);
        transactions = 0;
        const webhook = await level(clients, total, post, traffic);
        const perOrder = transactions / total;
        const drained = performance.now();
        await host.journeys.settled();
        const reactionsPerSecond = total / ((performance.now() - drained) / 1000);
        await host.journeys.pollTableStream(true);
        report(
          `  ${String(clients).padStart(7)}  ${bare.rate.toFixed(0).padStart(8)}  ${webhook.rate.toFixed(0).padStart(13)}  ${`${((webhook.rate / bare.rate) * 100).toFixed(0)}%`.padStart(5)}  ${percentile(webhook.latencies, 0.5).toFixed(1).padStart(6)}  ${percentile(webhook.latencies, 0.99).toFixed(1).padStart(6)}  ${perOrder.toFixed(2).padStart(8)}  ${traffic === 'one-by-one' ? reactionsPerSecond.toFixed(0).padStart(11) : ''}`,
        );
      }
    }
    // The time from the 202 to the reaction having run, with the host reading its stream in the
    // background as `npm start` does, one purchase every PACE_MS (a rate the reactions keep up with).
    const PACE_MS = 100;
    const PACED = 200;
    answered.clear();
    for (let index = 0; index < PACED; index += 1) {
      const due = performance.now() + PACE_MS;
      await post(customers + Math.floor(index / ORDERS_PER_CUSTOMER));
      const rest = due - performance.now();
      if (rest > 0) await new Promise((wake) => setTimeout(wake, rest));
    }
    await host.journeys.settled();
    const delays = [...answered].map(([orderId, at]) => Math.max(0, (reacted.get(orderId) ?? Number.NaN) - at)).filter(Number.isFinite).sort((a, b) => a - b);
    report(
      `from the 202 to the reaction having run (the host polls the stream every 100 ms when idle), ${delays.length} purchases one every ${PACE_MS} ms: p50 ${percentile(delays, 0.5).toFixed(0)} ms, p99 ${percentile(delays, 0.99).toFixed(0)} ms`,
    );
  } finally {
    raw.destroy();
    await host.stop();
  }
}

/** The handler alone: DynamoDB answered instantly by aws-sdk-client-mock, so only our code is timed. */
async function handlerTime(report: (line: string) => void): Promise<void> {
  const dynamo = mockClient(DynamoDBDocumentClient);
  // Every read finds nothing and every write succeeds: the order is new, the customer too.
  dynamo.onAnyCommand().resolves({}).on(QueryCommand).resolves({ Items: [] });
  const { handler } = await import('../../functions/handlers/record-purchase.ts');
  const context = { awsRequestId: 'bench', functionName: 'bench' } as never;
  const events = Array.from({ length: 5000 }, (_, index) => {
    const body = JSON.stringify(samplePurchase({ orderId: `fake-${index}`, customerId: `fake-${index}` }));
    return {
      version: '2.0',
      rawPath: '/v1/purchases',
      headers: { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, body, Math.floor(Date.now() / 1000)) },
      body,
      isBase64Encoded: false,
    } as never;
  });
  for (const event of events.slice(0, 500)) await handler(event, context);
  const started = performance.now();
  for (const event of events) {
    const result = (await handler(event, context)) as { statusCode: number; body?: string };
    if (result.statusCode !== 202) throw new Error(`unexpected status ${result.statusCode}: ${result.body ?? ''}`);
  }
  const perRequest = ((performance.now() - started) * 1000) / events.length;
  report(`record-purchase handler with DynamoDB faked: ${perRequest.toFixed(0)} µs per request (${events.length} requests: verify signature, parse, validate, aggregate, build the one transaction of the order)`);
  dynamo.restore();
}

/** Each route's Lambda bundle as CDK builds it (esbuild, ESM, minified), its size and cold import time. */
async function bundles(report: (line: string) => void): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'comeback-bundles-'));
  try {
    report('Lambda bundles (esbuild, ESM, minified, AWS SDK included):');
    report('  function            size KiB  cold import ms');
    for (const route of apiRoutes) {
      const outfile = join(outdir, `${route.id}.mjs`);
      await build({
        entryPoints: [new URL(route.handler, projectRoot).pathname],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        outfile,
        banner: { js: "import { createRequire as comebackCreateRequire } from 'node:module'; const require = comebackCreateRequire(import.meta.url);" },
        // As the CDK bundles: the protobuf runtime of the sketch library is never loaded.
        external: [...EXTERNAL_MODULES],
        logLevel: 'silent',
      });
      // The environment the local host gave the handlers (table, secrets, state machines, settings),
      // with the files a deployed bundle carries beside it pointed at the repository's copies.
      const env = {
        ...process.env,
        COMEBACK_CATALOG_FILE: new URL('workflows/catalog.json', projectRoot).pathname,
        COMEBACK_TEMPLATES_DIR: new URL('workflows/templates/', projectRoot).pathname,
      };
      const timings = Array.from({ length: 5 }, () => {
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', `const t=performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now()-t)`], { env, encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`importing ${route.id} failed: ${child.stderr.trim().split('\n').filter((line) => /Error/.test(line)).slice(0, 2).join(' ')}`);
        return Number(child.stdout.trim());
      }).sort((a, b) => a - b);
      report(`  ${route.id.padEnd(18)}  ${(statSync(outfile).size / 1024).toFixed(0).padStart(8)}  ${timings[2]!.toFixed(1).padStart(14)}`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], quantile: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? Number.NaN;
}
