/**
 * Benchmark (not a test): what a typical customer costs in a year, measured on the local host.
 * Simulated customer-years run on the virtual clock through the HTTP API, with the very state
 * machine definitions CDK deploys run by the ASL interpreter and every scheduled job on its AWS
 * schedule. A typical customer orders 2 or 3 times a year; their gaps alternate between short ones
 * (the next order comes within 25-55 days) and long ones (about 8 months, in which win-back runs),
 * so one gap in two brings a win-back.
 *
 * Counted as AWS bills them: state transitions (each state entered, Waits included), Lambda
 * invocations and their durations (in-process handler time here, times the memory CDK gives each
 * function), DynamoDB read and write request units (ReturnConsumedCapacity on every request of the
 * handlers' document client), the bytes the table holds at the end (storage growth), and messages
 * sent by channel. A scheduled job runs for the store: each is run once on the empty store first, and
 * what its runs cost beyond that is counted against the customers. The figures per customer-year are printed and written to
 * lib/cost/measured-usage.json, which `npm run comeback -- cost` reads.
 */
import { writeFileSync } from 'node:fs';
import { TTL_ATTRIBUTE } from '../../functions/adapters/table-design.ts';
import { paginateScan as paginateAttributeValueScan, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { batchWriteItems } from '../../functions/adapters/queries.ts';
import type { PurchaseInput } from '../../functions/core/purchase.ts';
import { signComebackPayload } from '../../functions/core/signature.ts';
import { localDynamoClient } from '../../lib/local/dynamodb-local.ts';
import { startLocalHost } from '../../lib/local/host.ts';
import { scheduledJobs } from '../../lib/local/journey-runtime.ts';
import { currentFunction, onInvocation } from '../../lib/local/invocations.ts';
import { stateMachineJourneys } from '../../functions/core/journeys.ts';
import type { MeasuredUsage, FunctionUsage } from '../../functions/core/cost.ts';
import { seeded } from './seeded-random.ts';

const secret = 'whsec_bench';
const DAY = 86_400_000;
const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Kyiv', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'];
const PRODUCTS = [
  { sku: 'DOG-FOOD-5KG', category: 'pet-food', price: '39.99' },
  { sku: 'FILTER-CARTRIDGE', category: 'water-filters', price: '24.90' },
  { sku: 'PRINTER-200', category: 'printers', price: '189.00' },
  { sku: 'MOUSE-WIRELESS', category: 'accessories', price: '29.00' },
  { sku: 'PLAN-BASIC', category: 'plans', price: '9.00' },
];
/** State transitions per customer-year a typical customer may cost (issue 13, Step Functions). */
const TRANSITIONS_TARGET = 30;
/** Memory per function as CDK deploys it (lib/cdk): 512 MB unless a construct says otherwise. */
const MEMORY_MB: Record<string, number> = { 'nightly-recompute': 2048, 'catalog-copurchase': 1024 };
const DEFAULT_MEMORY_MB = 512;
/** Functions whose work follows the customer's orders; the others (scheduled jobs) follow the number of customers. */
const SCHEDULED = new Set(['journey-sweep', 'loyalty-sweep', 'loyalty-dispatch', 'nightly-recompute', 'catalog-copurchase']);
const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand', 'GetCommand', 'BatchGetCommand', 'TransactGetCommand']);

export const usageFile = new URL('../../lib/cost/measured-usage.json', import.meta.url);

export async function run(report: (line: string) => void): Promise<void> {
  const customers = Number(process.env['COMEBACK_BENCH_COST_CUSTOMERS'] ?? 8);
  const years = Number(process.env['COMEBACK_BENCH_COST_YEARS'] ?? 1);
  process.env['COMEBACK_OUTBOX_PRINT'] = 'off';
  const clockStart = new Date('2026-01-05T00:00:00Z');
  const host = await startLocalHost({
    port: 0,
    secrets: { COMEBACK_WEBHOOK_SECRET: secret, COMEBACK_SHOPIFY_SECRET: 'x', COMEBACK_WOOCOMMERCE_SECRET: 'x', COMEBACK_ADMIN_TOKEN: 'x', COMEBACK_UNSUBSCRIBE_SECRET: 'x', COMEBACK_FEEDBACK_SECRET: 'x' },
    settings: { COMEBACK_HOLDOUT_SHARE: '0', COMEBACK_SHOP_URL: 'https://shop.example.com', COMEBACK_SUPPORT_CONTACT: 'support@shop.example.com' },
    clockStart,
  });
  try {
    const functions = new Map<string, FunctionUsage & { milliseconds: number }>();
    const usageOf = (name: string) => {
      let usage = functions.get(name);
      if (!usage) {
        usage = { invocations: 0, milliseconds: 0, gbSeconds: 0, readRequestUnits: 0, writeRequestUnits: 0, memoryMb: MEMORY_MB[name] ?? DEFAULT_MEMORY_MB, followsOrders: !SCHEDULED.has(name) };
        functions.set(name, usage);
      }
      return usage;
    };
    onInvocation((name, milliseconds) => {
      const usage = usageOf(name);
      usage.invocations += 1;
      usage.milliseconds += milliseconds;
    });
    // Imported once the host has set the handlers' environment: the same client the handlers use.
    const { documentClient, tableName } = await import('../../functions/adapters/dynamodb.ts');
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
        const usage = usageOf(currentFunction() ?? 'unattributed');
        if (READS.has(context.commandName ?? '')) usage.readRequestUnits += units;
        else usage.writeRequestUnits += units;
        return result;
      },
      { step: 'initialize', name: 'countConsumedCapacity' },
    );

    // What a run of each schedule costs on the empty store, whatever the number of customers: one
    // virtual day with every job on its schedule, after a first day whose runs import the handlers'
    // modules (the time of a later run leaves that out, as it does for every function the
    // simulation measures). A run of the nightly state machine calls its functions several times
    // each (the recompute's plan, one call per key range, and merge): the fixed cost is per run of
    // the schedule, not per invocation.
    const emptyRuns = new Map<string, { milliseconds: number; readRequestUnits: number; writeRequestUnits: number }>();
    const nightlyExecutions = () => host.journeys.stepFunctions.list().filter((execution) => execution.stateMachineArn.endsWith(':stateMachine:comeback-nightly')).length;
    await host.journeys.clock.advance({ days: 1 });
    functions.clear();
    const nightsBefore = nightlyExecutions();
    await host.journeys.clock.advance({ days: 1 });
    const nights = nightlyExecutions() - nightsBefore;
    for (const job of scheduledJobs) {
      const usage = functions.get(job.name);
      if (!usage) continue;
      const runs = 'inNightly' in job ? nights : usage.invocations;
      emptyRuns.set(job.name, { milliseconds: usage.milliseconds / runs, readRequestUnits: usage.readRequestUnits / runs, writeRequestUnits: usage.writeRequestUnits / runs });
    }
    functions.clear();
    // Those days' executions of the store's nightly state machine are not the simulation's.
    const emptyExecutions = new Set(host.journeys.stepFunctions.list().map((execution) => execution.executionArn));

    const clock = host.journeys.clock;
    const start = clock.now().getTime();
    const end = start + years * 365 * DAY;
    const random = seeded(20260105);
    const orders: { at: number; customer: number }[] = [];
    let longGaps = 0;
    for (let customer = 0; customer < customers; customer += 1) {
      // Two orders in 292 days on average: 2.5 a year.
      let at = start + Math.floor(random() * 60 * DAY);
      let short = random() < 0.5;
      while (at < end) {
        orders.push({ at, customer });
        const shortGap = (25 + Math.floor(random() * 31)) * DAY;
        at += short ? shortGap : 292 * DAY - shortGap - Math.floor(random() * DAY);
        if (!short && at < end) longGaps += 1;
        short = !short;
      }
    }
    orders.sort((a, b) => a.at - b.at);
    report(`${customers} typical customers over ${years} simulated years: ${orders.length} orders (${(orders.length / customers / years).toFixed(2)} per customer-year), ${longGaps} long gaps with a win-back`);
    // DynamoDB deletes an item past its TTL, typically within days and at no cost; DynamoDB Local
    // keeps it. Without this, every night's scan of the simulated year would read each earlier
    // night's expired checkpoints and counts, which on AWS are gone: once a virtual day (01:00 UTC)
    // the expired items are deleted, outside the handlers' client, so no unit of it is counted.
    let expired = 0;
    const firstSweep = new Date(clock.now());
    firstSweep.setUTCHours(25, 0, 0, 0);
    clock.every(firstSweep, DAY, async (at) => void (expired += await deleteExpired(host.dynamodbEndpoint, tableName, at)), (error) => report(`  deleting expired items failed: ${(error as Error).message}`));
    const started = performance.now();
    for (const [index, order] of orders.entries()) {
      const minutes = Math.floor((order.at - clock.now().getTime()) / 60_000);
      if (minutes > 0) await clock.advance({ minutes });
      await postPurchase(host.url, purchaseOf(index, order.customer, clock.now(), random));
      if ((index + 1) % 20 === 0) report(`  virtual day ${Math.floor((clock.now().getTime() - start) / DAY)}: ${index + 1}/${orders.length} orders`);
    }
    await clock.advance({ minutes: Math.ceil((end - clock.now().getTime()) / 60_000) });
    report(`  simulated in ${((performance.now() - started) / 1000).toFixed(1)} s; ${expired} items deleted past their TTL, as DynamoDB does`);

    const customerYears = customers * years;
    const executions = host.journeys.stepFunctions.list();
    const byJourney: Record<string, number> = {};
    // Which states the transitions went to, per journey: where a change to a definition would save some.
    const byState = new Map<string, Map<string, number>>();
    // The store's own state machines (the nightly work) run once a night whatever the customers do.
    const storeRuns = new Map<string, { runs: number; transitions: number }>();
    let transitions = 0;
    for (const execution of executions) {
      if (emptyExecutions.has(execution.executionArn)) continue;
      const machine = execution.stateMachineArn.replace(/^.*:stateMachine:comeback-/, '');
      if (!(stateMachineJourneys as readonly string[]).includes(machine)) {
        const store = storeRuns.get(machine) ?? { runs: 0, transitions: 0 };
        storeRuns.set(machine, { runs: store.runs + 1, transitions: store.transitions + execution.statesEntered.length });
        continue;
      }
      byJourney[machine] = (byJourney[machine] ?? 0) + execution.statesEntered.length;
      transitions += execution.statesEntered.length;
      const states = byState.get(machine) ?? new Map<string, number>();
      for (const state of execution.statesEntered) states.set(state, (states.get(state) ?? 0) + 1);
      byState.set(machine, states);
    }

    const { DynamoMessageLog } = await import('../../functions/adapters/message-log.ts');
    const log = new DynamoMessageLog(documentClient, tableName);
    const messages = { email: 0, sms: 0, task: 0 };
    for (let customer = 0; customer < customers; customer += 1) {
      for (const entry of await log.recent(customerId(customer), new Date(start - DAY).toISOString(), new Date(end + DAY).toISOString())) {
        if (entry.status === 'sent') messages[entry.channel] += 1;
      }
    }
    // Read outside the handlers' client, so the count above stays theirs.
    const storage = await tableBytes(host.dynamodbEndpoint, tableName);

    const perYear = (value: number) => value / customerYears;
    const usage: MeasuredUsage = {
      measuredAt: new Date().toISOString(),
      method:
        `npm run bench -- transitions: ${customers} customers over ${years} simulated years on the local host (DynamoDB Local, the workflows/*.asl.json definitions on aws-local-stepfunctions, ` +
        'every scheduled job on its AWS schedule, virtual clock); orders 2-3 a year, gaps alternating short (25-55 days) and long (win-back); ' +
        'transitions = states entered; Lambda duration = in-process handler time; read/write units = ConsumedCapacity of every request; storage = item bytes in the table at the end, the customers\' per customer-year and the store\'s own per year.',
      customers,
      years,
      ordersPerCustomerYear: perYear(orders.length),
      storeStorageBytesPerYear: storage.store / years,
      perCustomerYear: {
        stateTransitions: perYear(transitions),
        stateTransitionsByJourney: Object.fromEntries(Object.entries(byJourney).map(([name, count]) => [name, perYear(count)])),
        functions: Object.fromEntries(
          [...functions.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, { milliseconds, ...usage }]) => {
              const gb = usage.memoryMb / 1024;
              const empty = emptyRuns.get(name);
              if (!empty) {
                return [name, { ...usage, invocations: perYear(usage.invocations), gbSeconds: perYear((milliseconds / 1000) * gb), readRequestUnits: perYear(usage.readRequestUnits), writeRequestUnits: perYear(usage.writeRequestUnits) }];
              }
              // A scheduled job: its runs are the store's, what they cost beyond an empty store's run is the customers'.
              const job = scheduledJobs.find((candidate) => candidate.name === name)!;
              const runs = 'inNightly' in job ? (storeRuns.get('nightly')?.runs ?? 0) : usage.invocations;
              const beyond = (total: number, perRun: number) => perYear(Math.max(0, total - runs * perRun));
              return [
                name,
                {
                  ...usage,
                  invocations: 0,
                  gbSeconds: beyond((milliseconds / 1000) * gb, (empty.milliseconds / 1000) * gb),
                  readRequestUnits: beyond(usage.readRequestUnits, empty.readRequestUnits),
                  writeRequestUnits: beyond(usage.writeRequestUnits, empty.writeRequestUnits),
                  perRun: { runsPerMonth: (30.44 * 24) / job.everyHours, gbSeconds: (empty.milliseconds / 1000) * gb, readRequestUnits: empty.readRequestUnits, writeRequestUnits: empty.writeRequestUnits },
                },
              ];
            }),
        ),
        storageBytes: perYear(storage.customers),
        messages: { email: perYear(messages.email), sms: perYear(messages.sms), task: perYear(messages.task) },
      },
    };
    writeFileSync(usageFile, `${JSON.stringify(usage, null, 2)}\n`);

    const figures = usage.perCustomerYear;
    report('per customer-year:');
    report(
      `  state transitions: ${figures.stateTransitions.toFixed(1)} (target at most ${TRANSITIONS_TARGET}: ${figures.stateTransitions <= TRANSITIONS_TARGET ? 'met' : 'missed'}; ${Object.entries(figures.stateTransitionsByJourney).map(([name, count]) => `${name} ${count.toFixed(1)}`).join(', ')})`,
    );
    for (const [journey, states] of byState) {
      report(`    ${journey}: ${[...states].map(([state, count]) => `${state} ${(count / customerYears).toFixed(2)}`).join(', ')}`);
    }
    for (const [machine, { runs, transitions: total }] of storeRuns) {
      report(`  and the store's ${machine} state machine: ${(total / runs).toFixed(1)} transitions per run (${runs} runs), not counted per customer`);
    }
    for (const [name, fn] of Object.entries(figures.functions)) {
      report(`  ${name.padEnd(22)} ${fn.invocations.toFixed(2)} invocations, ${fn.gbSeconds.toFixed(3)} GB-s, ${fn.readRequestUnits.toFixed(1)} RRU, ${fn.writeRequestUnits.toFixed(1)} WRU`);
      if (fn.perRun) report(`  ${''.padEnd(22)} and per run of the store (${fn.perRun.runsPerMonth.toFixed(0)} a month): ${fn.perRun.gbSeconds.toFixed(3)} GB-s, ${fn.perRun.readRequestUnits.toFixed(1)} RRU, ${fn.perRun.writeRequestUnits.toFixed(1)} WRU`);
    }
    report(`  storage: ${(figures.storageBytes / 1024).toFixed(1)} KiB (and the store's own ${(usage.storeStorageBytesPerYear / 1024).toFixed(1)} KiB a year); messages: ${figures.messages.email.toFixed(2)} email, ${figures.messages.sms.toFixed(2)} SMS, ${figures.messages.task.toFixed(2)} manager tasks`);
    report(`written to ${usageFile.pathname}`);
  } finally {
    await host.stop();
  }
}

interface ConsumedCapacity {
  CapacityUnits?: number;
}

function customerId(customer: number): string {
  return `bench-cost-${customer}`;
}

function purchaseOf(index: number, customer: number, at: Date, random: () => number): PurchaseInput {
  const lines = PRODUCTS.filter(() => random() < 0.3);
  const items = (lines.length > 0 ? lines : PRODUCTS.slice(0, 1)).map((product) => ({ sku: product.sku, category: product.category, quantity: 1, unitPrice: product.price }));
  const total = items.reduce((sum, item) => sum + Math.round(Number(item.unitPrice) * 100), 0);
  return {
    orderId: `bench-cost-order-${index}`,
    placedAt: at.toISOString(),
    currency: 'USD',
    total: (total / 100).toFixed(2),
    customer: {
      id: customerId(customer),
      email: `${customerId(customer)}@example.com`,
      phone: `+1555020${String(customer).padStart(4, '0')}`,
      name: `Customer ${customer}`,
      timezone: ZONES[customer % ZONES.length]!,
      consent: { email: true, sms: true },
    },
    items,
  };
}

async function postPurchase(url: string, body: PurchaseInput): Promise<void> {
  const text = JSON.stringify(body);
  const response = await fetch(`${url}/v1/purchases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, text, Math.floor(Date.now() / 1000)) },
    body: text,
  });
  if (response.status !== 202) throw new Error(`unexpected status ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

/** Deletes the items whose TTL is before `at`, as DynamoDB's TTL does: the number deleted. */
async function deleteExpired(endpoint: string, table: string, at: Date): Promise<number> {
  const client = DynamoDBDocumentClient.from(localDynamoClient(endpoint));
  let deleted = 0;
  try {
    const pages = paginateScan(
      { client },
      {
        TableName: table,
        FilterExpression: '#ttl < :now',
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': Math.floor(at.getTime() / 1000) },
      },
    );
    for await (const page of pages) {
      const keys = page.Items ?? [];
      await batchWriteItems(client, table, keys.map((Key) => ({ DeleteRequest: { Key } })));
      deleted += keys.length;
    }
  } finally {
    client.destroy();
  }
  return deleted;
}

/**
 * The table's size as DynamoDB counts it (attribute names and values, plus 100 bytes of overhead per
 * item): the items of the customers, and the store's own (rules, nightly figures, counts).
 */
async function tableBytes(endpoint: string, table: string): Promise<{ customers: number; store: number }> {
  const client = localDynamoClient(endpoint);
  const bytes = { customers: 0, store: 0 };
  // The items as DynamoDB holds them (AttributeValues), whose sizes DynamoDB's rules count.
  for await (const page of paginateAttributeValueScan({ client }, { TableName: table })) {
    for (const item of page.Items ?? []) {
      const size = 100 + Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
      // A customer's item names the customer in its key or carries the id (message guards, indexes' copies).
      if (Object.values(item).some((value) => value.S?.includes('bench-cost-'))) bytes.customers += size;
      else bytes.store += size;
    }
  }
  client.destroy();
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-/, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry), 0);
  if (value.NS) return value.NS.reduce((sum, entry) => sum + Math.ceil(entry.length / 2) + 1, 0);
  if (value.L) return 3 + value.L.reduce((sum, entry) => sum + 1 + valueBytes(entry), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [name, entry]) => sum + 1 + Buffer.byteLength(name) + valueBytes(entry), 0);
  return 0;
}

