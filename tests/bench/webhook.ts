/**
 * Benchmark of the purchase webhook (not a test): throughput and latency through the local host on
 * DynamoDB Local, next to the rate of a bare 3-item TransactWriteItems (guard + order + profile
 * update) on the same DynamoDB Local in the same minutes, with the transactions it took per order,
 * for a store's traffic and for the worst case, the time from the 202 to the purchase's
 * reaction having run (read from the table's stream), where the webhook's time goes beside the bare
 * loop's (the CPU per request of this process and of DynamoDB Local, for the bare loop, the
 * webhook's own transaction replayed, the webhook, and the host's HTTP layer alone), the handler's
 * own time with I/O faked and in its parts (each function's bundle and cold import: `npm run bench --
 * functions`).
 * Every figure is measured on this run. Both loops run with the table's stream read only between
 * levels, never in the background of one of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactWriteItemsCommand, type TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { signComebackPayload, verifyComebackSignature } from '../../functions/core/signature.ts';
import { parsePurchase } from '../../functions/core/purchase.ts';
import { lambdaContext, readBody, toGatewayEvent, writeResult } from '../../lib/local/api-gateway.ts';
import { LOCAL_TABLE_NAME, startLocalHost, type LocalHost } from '../../lib/local/host.ts';
import { localDynamoClient } from '../../lib/local/dynamodb-local.ts';
import { samplePurchase } from '../../lib/local/sample.ts';
import { apiRoutes } from '../../lib/routes.ts';

const secret = 'whsec_bench';

/**
 * The bench's HTTP client: node:http over kept-alive connections. It stands for the storefront, whose
 * CPU is not the host's; in this process it takes turns with the host, and fetch (undici) took
 * 0.6-0.8 ms of CPU a request against 0.25-0.31 ms for node:http (3,000 requests to a server that
 * answers at once, both in one process, each way twice).
 */
const clientAgent = new Agent({ keepAlive: true });

function postBody(url: string, headers: Record<string, string>, body: string): Promise<{ status: number }> {
  return new Promise((answered, failed) => {
    const outgoing = request(url, { method: 'POST', agent: clientAgent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      response.resume();
      response.once('end', () => answered({ status: response.statusCode ?? 0 }));
      response.once('error', failed);
    });
    outgoing.once('error', failed);
    outgoing.end(body);
  });
}

/** The parts of this benchmark, in the order they run. */
const PARTS = ['throughput', 'worst-case', 'breakdown', 'reaction-delay', 'handler'] as const;
type Part = (typeof PARTS)[number];

/**
 * COMEBACK_BENCH_WEBHOOK names the parts to run, comma-separated (all when unset):
 * `COMEBACK_BENCH_WEBHOOK=throughput,breakdown npm run bench -- webhook` gives the ratios at 1, 16
 * and 64 clients and where the time goes, without the worst case, the reactions' delay and the
 * handler alone.
 */
export async function run(report: (line: string) => void): Promise<void> {
  const parts = process.env['COMEBACK_BENCH_WEBHOOK']?.split(',').map((part) => part.trim());
  const unknown = parts?.filter((part) => !(PARTS as readonly string[]).includes(part)) ?? [];
  if (unknown.length > 0) throw new Error(`no part ${unknown.join(', ')} in the webhook benchmark; its parts: ${PARTS.join(', ')}`);
  const runs = (part: Part) => !parts || parts.includes(part);
  if (runs('throughput') || runs('worst-case') || runs('breakdown') || runs('reaction-delay')) await throughput(report, runs);
  if (runs('handler')) {
    await handlerTime(report);
    await handlerStages(report);
  }
}

async function throughput(report: (line: string) => void, runs: (part: Part) => boolean): Promise<void> {
  // When each order's reaction (journeys, points) finished, from the stream reader of the host.
  const reacted = new Map<string, number>();
  const host = await startLocalHost({
    port: 0,
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
  // Every call the handlers make (the reaction-delay part counts them per purchase).
  let calls = 0;
  // When set, told of each transaction the handlers send (the breakdown replays the webhook's own).
  let capture: ((input: TransactWriteCommandInput) => void) | undefined;
  documentClient.middlewareStack.add(
    (next, context) => (args) => {
      calls += 1;
      if (context.commandName === 'TransactWriteItemsCommand') {
        transactions += 1;
        capture?.(structuredClone(args.input as TransactWriteCommandInput));
      }
      return next(args);
    },
    { step: 'initialize', name: 'countTransactions' },
  );
  try {
    report('webhook through the local host on DynamoDB Local (POST /v1/purchases, each a new order; customers of four orders each, the first');
    report('her first), next to a bare 3-item TransactWriteItems (guard + order + profile update) on the same DynamoDB Local with the same');
    report('customers; at each level the two loops take turns, four times a quarter of the orders each, bare-first and webhook-first in turn.');
    report('As on AWS, where the reactions run in their own function, the stream is read once a turn is done: then its reactions (journeys,');
    report('points, follow-ups) run from the table stream, timed to the last one.');
    report('tx/order: the transactions the webhook sent per order, cancelled ones included.');
    let sequence = 0;
    const answered = new Map<string, number>();
    const post = async (customer: number, orderId = `bench-${process.pid}-${(sequence += 1)}`) => {
      const body = JSON.stringify(samplePurchase({ orderId, customerId: `bench-${process.pid}-${customer}` }));
      const started = performance.now();
      const response = await postBody(`${host.url}/v1/purchases`, { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, body, Math.floor(Date.now() / 1000)) }, body);
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
      await raw.send(new TransactWriteItemsCommand({ TransactItems: bareItems(orderId, customerId) }));
      return performance.now() - started;
    };
    const ORDERS_PER_CUSTOMER = 4;
    /** The turns each loop takes at a level (total / ROUNDS orders a turn, a multiple of ORDERS_PER_CUSTOMER). */
    const ROUNDS = 4;
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
      return { rate: latencies.length / seconds, seconds, latencies };
    };
    for (let warm = 0; warm < 48; warm += 1) {
      await post(customers + Math.floor(warm / ORDERS_PER_CUSTOMER));
      await transaction(customers + Math.floor(warm / ORDERS_PER_CUSTOMER));
    }
    customers += 48 / ORDERS_PER_CUSTOMER;
    await host.journeys.settled();
    // Both loops run with the stream read only when asked, as on AWS where the reactions run apart:
    // a reader polling in the background beside one loop and not the other would weigh on that one.
    await host.journeys.pollTableStream(false);
    for (const traffic of ['one-by-one', 'at-once'] as const) {
      if (!runs(traffic === 'one-by-one' ? 'throughput' : 'worst-case')) continue;
      report(
        traffic === 'one-by-one'
          ? "customers at once, each customer's orders one after the other:"
          : "the worst case, each customer's four orders at once (the reactions' rate not measured):",
      );
      report('  clients  raw tx/s  webhook req/s  ratio  p50 ms  p99 ms  tx/order  reactions/s');
      for (const clients of traffic === 'one-by-one' ? [1, 16, 64] : [16, 64]) {
        const total = clients === 1 ? 400 : 1600;
        // The two loops take turns, ROUNDS times a share of the orders each, the first in turn
        // bare-first and webhook-first: a change in the machine's load, or the table's growth, weighs
        // on both alike instead of on whichever ran second.
        const bareRounds: { seconds: number; latencies: number[] }[] = [];
        const webhookRounds: { seconds: number; latencies: number[] }[] = [];
        let drainSeconds = 0;
        let webhookTransactions = 0;
        for (let round = 0; round < ROUNDS; round += 1) {
          for (const loop of round % 2 === 0 ? (['bare', 'webhook'] as const) : (['webhook', 'bare'] as const)) {
            if (loop === 'bare') {
              bareRounds.push(await level(clients, total / ROUNDS, transaction, traffic));
              // The bare loop's stream records are read (and passed over: nothing reacts to them) now, untimed.
              await host.journeys.settled();
              continue;
            }
            const before = transactions;
            webhookRounds.push(await level(clients, total / ROUNDS, post, traffic));
            // The webhook's own: the reactions, read next, send transactions of their own.
            webhookTransactions += transactions - before;
            const drained = performance.now();
            await host.journeys.settled();
            drainSeconds += (performance.now() - drained) / 1000;
          }
        }
        const combined = (rounds: { seconds: number; latencies: number[] }[]) => ({
          rate: total / rounds.reduce((sum, round) => sum + round.seconds, 0),
          latencies: rounds.flatMap((round) => round.latencies).sort((a, b) => a - b),
        });
        const bare = combined(bareRounds);
        const webhook = combined(webhookRounds);
        const perOrder = webhookTransactions / total;
        const reactionsPerSecond = total / drainSeconds;
        report(
          `  ${String(clients).padStart(7)}  ${bare.rate.toFixed(0).padStart(8)}  ${webhook.rate.toFixed(0).padStart(13)}  ${`${((webhook.rate / bare.rate) * 100).toFixed(0)}%`.padStart(5)}  ${percentile(webhook.latencies, 0.5).toFixed(1).padStart(6)}  ${percentile(webhook.latencies, 0.99).toFixed(1).padStart(6)}  ${perOrder.toFixed(2).padStart(8)}  ${traffic === 'one-by-one' ? reactionsPerSecond.toFixed(0).padStart(11) : ''}`,
        );
      }
    }
    if (runs('breakdown')) {
      await breakdown(report, {
        host,
        raw,
        post,
        transaction,
        level,
        postCapturing: async (customer, orderId) => {
          const inputs: TransactWriteCommandInput[] = [];
          capture = (input) => inputs.push(input);
          try {
            await post(customer, orderId);
          } finally {
            capture = undefined;
          }
          if (inputs.length !== 1) throw new Error(`the webhook sent ${inputs.length} transactions for one order`);
          return inputs[0]!;
        },
        nextCustomer: () => (customers += 1) - 1,
        customerId: (customer) => `bench-${process.pid}-${customer}`,
      });
    }
    if (!runs('reaction-delay')) return;
    await host.journeys.pollTableStream(true);
    // The time from the 202 to the reaction having run, with the host reading its stream in the
    // background as `npm start` does, one purchase every PACE_MS. Arriving one by one, each
    // reaction runs alone (the reactions of different customers run side by side only within one
    // batch of the stream), and one alone took a median of 130-210 ms on a two-core machine (about
    // 20 DynamoDB Local calls then): at one purchase every 100 ms the reactions fell behind and the delay
    // measured the queue (p50 1.8-2.2 s). At every 250 ms they keep up: the delay is a reaction's own.
    const PACE_MS = 250;
    const PACED = 120;
    answered.clear();
    calls = 0;
    for (let index = 0; index < PACED; index += 1) {
      const due = performance.now() + PACE_MS;
      await post(customers + Math.floor(index / ORDERS_PER_CUSTOMER));
      const rest = due - performance.now();
      if (rest > 0) await new Promise((wake) => setTimeout(wake, rest));
    }
    await host.journeys.settled();
    const delays = [...answered].map(([orderId, at]) => Math.max(0, (reacted.get(orderId) ?? Number.NaN) - at)).filter(Number.isFinite).sort((a, b) => a - b);
    report(
      `from the 202 to the reaction having run (the host reads the stream after each request it serves), ${delays.length} purchases one every ${PACE_MS} ms: p50 ${percentile(delays, 0.5).toFixed(0)} ms, p99 ${percentile(delays, 0.99).toFixed(0)} ms`,
    );
    report(`  DynamoDB calls per purchase: ${(calls / PACED).toFixed(2)} (its webhook, its reaction, and the journey steps due at once, such as the thank-you)`);
  } finally {
    raw.destroy();
    clientAgent.destroy();
    await host.stop();
  }
}

/** What the breakdown is given of the throughput run: its host, loops and customers. */
interface BreakdownRun {
  host: LocalHost;
  raw: DynamoDBClient;
  post: (customer: number) => Promise<number>;
  transaction: (customer: number) => Promise<number>;
  level: (clients: number, total: number, call: (customer: number) => Promise<number>, traffic: 'one-by-one') => Promise<{ seconds: number }>;
  /** Posts one order and returns the one transaction the webhook sent for it. */
  postCapturing: (customer: number, orderId: string) => Promise<TransactWriteCommandInput>;
  nextCustomer: () => number;
  customerId: (customer: number) => string;
}

/**
 * Where the webhook's time goes next to the bare loop's, at 1 and 16 clients on the same host and
 * DynamoDB Local: the rate, this process's CPU per request (bench client, host, handler, SDK) and
 * DynamoDB Local's (its JVM's, from /proc), for the bare 3-item loop, the same loop sending the
 * webhook's own transaction (its items, attributes and index keys, replayed with new ids), the
 * webhook, and the host's HTTP layer alone (the same client and request-to-event path, a handler
 * that answers at once). The paths take turns, ROUNDS times a share of the requests each, in
 * forward and then reverse order: both JVMs' compilers warm up over the first thousands of
 * requests, and one path measured after the others would look faster for that alone.
 */
async function breakdown(report: (line: string) => void, run: BreakdownRun): Promise<void> {
  const LEVELS = [1, 16];
  const TOTAL = 1200;
  const ROUNDS = 4;
  // The webhook's transaction for a new customer's first order and for her second.
  const probe = run.nextCustomer();
  const probeId = run.customerId(probe);
  const first = await run.postCapturing(probe, `bench-${process.pid}-probe-1`);
  const second = await run.postCapturing(probe, `bench-${process.pid}-probe-2`);
  const template = (input: TransactWriteCommandInput, orderId: string) => {
    const text = JSON.stringify(input);
    return (newOrderId: string, newCustomerId: string) =>
      JSON.parse(text.replaceAll(orderId, newOrderId).replace(new RegExp(`${probeId}(?!\\d)`, 'g'), newCustomerId)) as TransactWriteCommandInput;
  };
  const firstOrder = template(first, `bench-${process.pid}-probe-1`);
  const laterOrder = template(second, `bench-${process.pid}-probe-2`);
  // Each item as the SDK sends it (attribute values in DynamoDB's JSON), in bytes.
  const size = (items: Record<string, Record<string, unknown>>[]) => items.map((item) => JSON.stringify(Object.values(item)[0]).length);
  const wire = (input: TransactWriteCommandInput) =>
    (input.TransactItems ?? []).map((item) =>
      Object.fromEntries(
        Object.entries(item).map(([operation, fields]) => [
          operation,
          Object.fromEntries(
            Object.entries(fields as Record<string, unknown>).map(([field, value]) => [
              field,
              ['Item', 'Key', 'ExpressionAttributeValues'].includes(field) ? marshall(value as Record<string, unknown>, { removeUndefinedValues: true }) : value,
            ]),
          ),
        ]),
      ),
    );
  const itemsClient = DynamoDBDocumentClient.from(localDynamoClient(run.host.dynamodbEndpoint), { marshallOptions: { removeUndefinedValues: true } });
  const started = new Set<number>();
  let replayed = 0;
  const sameItems = async (customer: number) => {
    replayed += 1;
    const input = (started.has(customer) ? laterOrder : firstOrder)(`items-${process.pid}-${replayed}`, `items-${process.pid}-${customer}`);
    started.add(customer);
    // Its order under another type of the same size: as with the bare loop's, nothing reacts to it.
    for (const item of input.TransactItems ?? []) if (item.Put?.Item?.['type'] === 'order') item.Put.Item['type'] = 'Order';
    const at = performance.now();
    await itemsClient.send(new TransactWriteCommand(input));
    return performance.now() - at;
  };
  // The host's HTTP layer alone: its request-to-event path (lib/local/api-gateway.ts), answered at once.
  const route = apiRoutes.find((candidate) => candidate.id === 'RecordPurchase')!;
  const noop = createServer((request, response) => {
    void readBody(request).then((body) => {
      const event = toGatewayEvent(request, body, route, {});
      lambdaContext(route.id);
      writeResult(response, { statusCode: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId: 'none', customerId: event.rawPath, status: 'recorded' }) });
    });
  });
  await new Promise<void>((listening) => noop.listen(0, '127.0.0.1', () => listening()));
  const noopUrl = `http://127.0.0.1:${(noop.address() as AddressInfo).port}/v1/purchases`;
  const body = JSON.stringify(samplePurchase({ orderId: 'none', customerId: 'none' }));
  const httpOnly = async () => {
    const at = performance.now();
    const response = await postBody(noopUrl, { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, body, Math.floor(Date.now() / 1000)) }, body);
    if (response.status !== 202) throw new Error(`unexpected status ${response.status}`);
    return performance.now() - at;
  };
  const jvm = dynamoDbLocalCpu();
  /** One turn of a path: its seconds, and the CPU microseconds of this process and of DynamoDB Local. */
  const measure = async (clients: number, requests: number, call: (customer: number) => Promise<number>) => {
    const node = process.cpuUsage();
    const database = jvm?.();
    const { seconds } = await run.level(clients, requests, call, 'one-by-one');
    const used = process.cpuUsage(node);
    const databaseUsed = database === undefined ? undefined : jvm!() - database;
    await run.host.journeys.settled();
    return { seconds, node: used.user + used.system, database: databaseUsed };
  };
  try {
    const [guard, order, profile] = size(wire(first));
    const [rawGuard, rawOrder, rawProfile] = size(bareItems(`raw-${process.pid}-1`, `raw-${process.pid}-1`) as Record<string, Record<string, unknown>>[]);
    report(`where the time goes, at ${LEVELS.join(' and ')} clients, ${TOTAL} requests a path, the paths taking turns ${ROUNDS} times on this host and DynamoDB Local`);
    report('(CPU per request: this process holds the bench client, the host, the handler and the SDK; DynamoDB Local is its JVM, read from /proc):');
    report(
      `  the webhook's transaction carries more than the bare one: guard ${guard} / order ${order} / profile update ${profile} bytes of JSON against ${rawGuard} / ${rawOrder} / ${rawProfile},`,
    );
    report('  the order with its email (gsi2) and co-purchase (gsi4) index keys, the profile with its last-order-day (gsi1), phone (gsi2) and nightly (gsi3) keys');
    // `writes`: the path sends a transaction (the HTTP layer alone sends none, so no share of the bare rate is given for it).
    const rows: { name: string; call: (customer: number) => Promise<number>; writes: boolean }[] = [
      { name: 'bare 3-item transaction', call: run.transaction, writes: true },
      { name: "the webhook's own transaction, replayed", call: sameItems, writes: true },
      { name: 'webhook through the host', call: run.post, writes: true },
      { name: 'HTTP layer alone (client + host, no-op)', call: httpOnly, writes: false },
    ];
    for (const clients of LEVELS) {
      const sums = rows.map(() => ({ seconds: 0, node: 0, database: 0 as number | undefined }));
      for (let round = 0; round < ROUNDS; round += 1) {
        const order = rows.map((_, index) => (round % 2 === 0 ? index : rows.length - 1 - index));
        for (const index of order) {
          const turn = await measure(clients, TOTAL / ROUNDS, rows[index]!.call);
          const sum = sums[index]!;
          sum.seconds += turn.seconds;
          sum.node += turn.node;
          sum.database = sum.database === undefined || turn.database === undefined ? undefined : sum.database + turn.database;
        }
      }
      const bareRate = TOTAL / sums[0]!.seconds;
      report(`  ${String(clients).padStart(2)} client${clients === 1 ? ' ' : 's'}                                 req/s  of bare  node µs/req  DynamoDB Local µs/req`);
      rows.forEach(({ name, writes }, index) => {
        const { seconds, node, database } = sums[index]!;
        const rate = TOTAL / seconds;
        const ofBare = writes ? `${((rate / bareRate) * 100).toFixed(0)}%` : '';
        report(
          `  ${name.padEnd(43)}  ${rate.toFixed(0).padStart(5)}  ${ofBare.padStart(7)}  ${(node / TOTAL).toFixed(0).padStart(11)}  ${database === undefined ? '(not on Linux)'.padStart(21) : (database / TOTAL).toFixed(0).padStart(21)}`,
        );
      });
    }
  } finally {
    itemsClient.destroy();
    await new Promise<void>((closed) => noop.close(() => closed()));
  }
}

/** The bare loop's three items: a guard, an order and the profile's update, each as small as it can be. */
function bareItems(orderId: string, customerId: string): TransactWriteItemsCommandInput['TransactItems'] {
  return [
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
  ];
}

/** CPU microseconds DynamoDB Local (the JVM this process started) has used so far; undefined where /proc is not there. */
function dynamoDbLocalCpu(): (() => number) | undefined {
  const stat = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name: state, ppid, ... utime and stime are fields 14 and 15 of stat(5).
  const fields = (pid: string) => stat(pid).slice(stat(pid).lastIndexOf(')') + 2).split(' ');
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  const pid = pids.find((candidate) => {
    try {
      return stat(candidate).includes('(java)') && fields(candidate)[1] === String(process.pid);
    } catch {
      return false;
    }
  });
  if (!pid) return undefined;
  const ticks = 100; // USER_HZ
  return () => {
    const [utime, stime] = fields(pid).slice(11, 13).map(Number);
    return ((utime! + stime!) * 1_000_000) / ticks;
  };
}

/** The handler alone: DynamoDB answered instantly by aws-sdk-client-mock, so only our code is timed. */
async function handlerTime(report: (line: string) => void): Promise<void> {
  // The handler's environment, as the throughput's host gave it, when that part did not run.
  Object.assign(process.env, { TABLE_NAME: process.env['TABLE_NAME'] ?? LOCAL_TABLE_NAME, AWS_REGION: process.env['AWS_REGION'] ?? 'us-east-1', COMEBACK_WEBHOOK_SECRET: process.env['COMEBACK_WEBHOOK_SECRET'] ?? secret });
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

/**
 * The handler's parts one by one, CPU per request over the same 5,000 purchases: the signature
 * check, the lossless JSON parse, validation and normalisation (zod), the ledger building its
 * transaction and the SDK sending it (marshalling, serialising, signing) with the HTTP call itself
 * answered at once, beside the bare loop's transaction through the same stubbed SDK; middy's share
 * (the handler against its function with DynamoDB mocked); and the local host's event building.
 */
async function handlerStages(report: (line: string) => void): Promise<void> {
  const { jsonBody, rawBody } = await import('../../functions/handlers/http.ts');
  const { DynamoPurchaseLedger } = await import('../../functions/adapters/purchase-ledger.ts');
  const { handler, recordPurchase } = await import('../../functions/handlers/record-purchase.ts');
  const now = Math.floor(Date.now() / 1000);
  const bodies = Array.from({ length: 5000 }, (_, index) => JSON.stringify(samplePurchase({ orderId: `stage-${index}`, customerId: `stage-${index}` })));
  const signatures = bodies.map((body) => signComebackPayload(secret, body, now));
  const events = bodies.map((body, index) => ({ version: '2.0', rawPath: '/v1/purchases', headers: { 'content-type': 'application/json', 'comeback-signature': signatures[index]! }, body, isBase64Encoded: false }) as never);
  const inputs = events.map((event) => jsonBody(event, rawBody(event)));
  const purchases = inputs.map((input) => parsePurchase(input));
  // DynamoDB answers every request at once, after the SDK's whole pipeline has run.
  const answered = { handle: async () => ({ response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{}')]) } }) };
  const stubbed = () => new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestHandler: answered as never });
  const lowLevel = stubbed();
  const ledger = new DynamoPurchaseLedger(DynamoDBDocumentClient.from(stubbed(), { marshallOptions: { removeUndefinedValues: true } }), LOCAL_TABLE_NAME);
  const cpu = async (run: (index: number) => unknown) => {
    for (let index = 0; index < 500; index += 1) await run(index);
    const started = process.cpuUsage();
    for (let index = 0; index < bodies.length; index += 1) await run(index);
    const used = process.cpuUsage(started);
    return (used.user + used.system) / bodies.length;
  };
  const request = {
    url: '/v1/purchases',
    method: 'POST',
    httpVersion: '1.1',
    headers: { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(bodies[0]!.length), 'comeback-signature': signatures[0]!, 'user-agent': 'node', accept: '*/*' },
    socket: { remoteAddress: '127.0.0.1' },
  } as never;
  const route = apiRoutes.find((candidate) => candidate.id === 'RecordPurchase')!;
  const body = Buffer.from(bodies[0]!);
  const stages: [string, (index: number) => unknown][] = [
    ['signature check (HMAC-SHA256)', (index) => verifyComebackSignature(signatures[index], bodies[index]!, [secret], now)],
    ['body as JSON (lossless-json)', (index) => jsonBody(events[index]!, rawBody(events[index]!))],
    ['validation and normalisation (zod)', (index) => parsePurchase(inputs[index])],
    ["the ledger's transaction built and sent, SDK answered at once", (index) => ledger.recordPurchase(purchases[index]!, { source: 'comeback' })],
    ["the bare loop's transaction sent, SDK answered at once", (index) => lowLevel.send(new TransactWriteItemsCommand({ TransactItems: bareItems(`stage-${index}`, `stage-${index}`) }))],
    ["the local host's event from a request (toGatewayEvent)", () => toGatewayEvent(request, body, route, {})],
  ];
  report('the handler in parts, CPU µs per request (5,000 purchases; where DynamoDB is answered at once, the SDK still marshals, serialises and signs):');
  for (const [name, run] of stages) report(`  ${name.padEnd(62)} ${(await cpu(run)).toFixed(0).padStart(5)}`);
  const dynamo = mockClient(DynamoDBDocumentClient);
  dynamo.onAnyCommand().resolves({}).on(QueryCommand).resolves({ Items: [] });
  try {
    const context = lambdaContext(route.id);
    const function_ = await cpu((index) => recordPurchase(events[index]!));
    const wrapped = await cpu((index) => handler(events[index]!, context));
    report(`  with DynamoDB mocked (no SDK pipeline): the function ${function_.toFixed(0)}, through middy ${wrapped.toFixed(0)}: middy's share ${(wrapped - function_).toFixed(0)}`);
  } finally {
    dynamo.restore();
    lowLevel.destroy();
  }
}

function percentile(sorted: number[], quantile: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? Number.NaN;
}
