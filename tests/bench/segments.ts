/**
 * Benchmark of the nightly recompute (not a test). Customers are CDNOW customers resampled with
 * replacement (seeded), each history shifted back by 0 to 89 days at random so that no two are
 * exact copies, as of 1998-07-01 (the day after the data end). Every figure is measured on this run:
 *
 * - in-process: the recompute use case over 1,000,000 customers with an in-memory store that answers
 *   at once, the time spent making the customers measured and taken out;
 * - peak memory of the job at 100,000 and 1,000,000 customers, each in a child process of its own
 *   (its peak RSS from the kernel and its largest heap), the customers made on the fly as a scan
 *   would stream them; and 1,000,000 again with V8's old space capped at 64 MB, which the job
 *   completes in only if what it keeps alive is bounded;
 * - end to end on DynamoDB Local at 100,000 customers: the profiles written with BatchWriteItem,
 *   then a first night (everyone enters their segments) and the night after.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAnalyticsStore } from '../../functions/adapters/analytics-store.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { dayOf, isoDay } from '../../functions/core/analytics/facts.ts';
import type { MetricsSnapshot } from '../../functions/core/analytics/metrics.ts';
import type { CustomerPredictions, FittedModels } from '../../functions/core/analytics/predictions.ts';
import { recompute, type RecomputeState, type RecomputeStore, type RecomputeSummary, type ScannedRecord } from '../../functions/core/analytics/recompute.ts';
import type { SegmentDefinition } from '../../functions/core/analytics/segments.ts';
import { recomputeSettings } from '../../functions/core/analytics/settings.ts';
import { seededRandom, type Random } from '../../functions/core/models/index.ts';
import type { CustomerProfile } from '../../functions/core/profile.ts';
import { batchWriteItems } from '../../functions/adapters/queries.ts';
import { ensureTable, localCredentials, localRegion, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

const cdnow = new URL('../fixtures/cdnow/', import.meta.url);
const night = new Date('1998-07-01T02:30:00.000Z');
const today = dayOf(night.toISOString());
const PAGE = 1000;
const CHILD_VARIABLE = 'COMEBACK_BENCH_SEGMENTS_CHILD';

/** One CDNOW customer: order days (from her first), orders and cents per day. */
interface History {
  firstDay: number;
  offsets: number[];
  orders: number[];
  cents: number[];
}

function readHistories(): History[] {
  const byCustomer = new Map<string, Map<number, { orders: number; cents: number }>>();
  const lines = readFileSync(new URL('CDNOW_master.txt', cdnow), 'utf8').split('\n');
  for (const line of lines) {
    const [customerId, date, , dollars] = line.trim().split(/\s+/);
    if (!customerId || !date || !/^\d{8}$/.test(date) || dollars === undefined) continue;
    const day = dayOf(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`);
    let days = byCustomer.get(customerId);
    if (!days) byCustomer.set(customerId, (days = new Map()));
    const entry = days.get(day) ?? { orders: 0, cents: 0 };
    entry.orders += 1;
    entry.cents += Math.round(Number(dollars) * 100);
    days.set(day, entry);
  }
  return [...byCustomer.values()].map((days) => {
    const sorted = [...days.entries()].sort(([u], [v]) => u - v);
    const firstDay = sorted[0]?.[0] ?? today;
    return { firstDay, offsets: sorted.map(([day]) => day - firstDay), orders: sorted.map(([, e]) => e.orders), cents: sorted.map(([, e]) => e.cents) };
  });
}

/** Makes resampled customers, as the ledger would have written their profiles. */
class CustomerMaker {
  private readonly histories: History[];
  private readonly random: Random;
  private readonly isoDays = new Map<number, string>();
  /** Time spent making customers, taken out of the job's time. */
  milliseconds = 0;

  constructor(histories: History[], seed: number) {
    this.histories = histories;
    this.random = seededRandom(seed);
  }

  private iso(day: number): string {
    let text = this.isoDays.get(day);
    if (!text) this.isoDays.set(day, (text = isoDay(day)));
    return text;
  }

  make(index: number): CustomerProfile {
    const started = performance.now();
    const history = this.histories[Math.floor(this.random() * this.histories.length)]!;
    const shift = Math.floor(this.random() * 90);
    const orderDays: CustomerProfile['orderDays'] = {};
    let orders = 0;
    let revenue = 0;
    let largest = 0;
    for (let k = 0; k < history.offsets.length; k++) {
      const cents = history.cents[k]!;
      orderDays[this.iso(history.firstDay - shift + history.offsets[k]!)] = { USD: { orders: history.orders[k]!, totalMinor: cents } };
      orders += history.orders[k]!;
      revenue += cents;
      largest = Math.max(largest, cents);
    }
    const first = `${this.iso(history.firstDay - shift)}T12:00:00.000Z`;
    const last = `${this.iso(history.firstDay - shift + history.offsets.at(-1)!)}T12:00:00.000Z`;
    const profile: CustomerProfile = {
      customerId: `bench-${index}`,
      email: `bench-${index}@example.com`,
      consent: { email: index % 2 === 0 },
      consentAsOf: {},
      contactAsOf: last,
      orderCount: orders,
      revenueByCurrency: { USD: revenue },
      currency: 'USD',
      firstOrderAt: first,
      lastOrderAt: last,
      categories: ['music'],
      skus: ['CD'],
      refundedMinorByCurrency: {},
      orderDays,
      largestOrderMinorByCurrency: { USD: largest },
    };
    this.milliseconds += performance.now() - started;
    return profile;
  }
}

/** A store that streams made customers and answers every write at once, keeping nothing. */
class StreamingStore implements RecomputeStore {
  private readonly maker: CustomerMaker;
  private readonly customers: number;
  state: RecomputeState | undefined;
  models: FittedModels | undefined;
  writes = 0;
  peakHeap = 0;

  constructor(maker: CustomerMaker, customers: number) {
    this.maker = maker;
    this.customers = customers;
  }

  async readState() {
    return this.state;
  }
  async readModels() {
    return this.models;
  }
  async listDefinitions(): Promise<SegmentDefinition[]> {
    return [example];
  }
  async *scan(segment: number, total: number): AsyncGenerator<ScannedRecord[]> {
    const share = Math.ceil(this.customers / total);
    const end = Math.min(this.customers, (segment + 1) * share);
    for (let start = segment * share; start < end; start += PAGE) {
      const page: ScannedRecord[] = [];
      for (let i = start; i < Math.min(end, start + PAGE); i++) page.push({ kind: 'customer', customerId: `bench-${i}`, profile: this.maker.make(i), segments: [] });
      this.peakHeap = Math.max(this.peakHeap, process.memoryUsage().heapUsed);
      yield page;
    }
  }
  async enterSegment() {
    this.writes++;
    return true;
  }
  async leaveSegments(memberships: readonly unknown[]) {
    this.writes += memberships.length;
  }
  async putPredictions(items: readonly { customerId: string; predictions: CustomerPredictions }[]) {
    this.writes += items.length;
  }
  async deletePredictions(ids: readonly string[]) {
    this.writes += ids.length;
  }
  async saveModels(models: FittedModels) {
    this.models = models;
  }
  async saveState(state: RecomputeState) {
    this.state = state;
  }
  async saveSnapshot(_snapshot: MetricsSnapshot) {}
}

/** The custom segment of the issue's example, evaluated for every customer. */
const example: SegmentDefinition = {
  name: 'lapsed-big-spenders',
  filter: { type: 'all', filters: [{ type: 'boughtCategory', category: 'music' }, { type: 'lastOrder', minDaysAgo: 182, maxDaysAgo: 365 }, { type: 'orderTotal', currency: 'USD', overMinor: 5000 }] },
  createdAt: night.toISOString(),
  updatedAt: night.toISOString(),
};

const settings = recomputeSettings({ scan: { totalSegments: 8, writeConcurrency: 16 } });
const noEvents = { entered: async () => undefined };
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const micros = (milliseconds: number, count: number) => `${((milliseconds * 1000) / count).toFixed(1)} µs`;
const thousands = (value: number) => value.toLocaleString('en');

async function timedRun(store: StreamingStore, maker: CustomerMaker, options: { refitModels?: boolean } = {}) {
  maker.milliseconds = 0;
  const started = performance.now();
  const summary = await recompute({ store, events: noEvents, now: () => night }, settings, options);
  const total = performance.now() - started;
  return { summary, total, job: total - maker.milliseconds, making: maker.milliseconds };
}

async function inProcess(report: (line: string) => void, histories: History[]): Promise<void> {
  const customers = 1_000_000;
  const maker = new CustomerMaker(histories, 1);
  const store = new StreamingStore(maker, customers);
  report(`in-process, ${thousands(customers)} resampled customers, 8 scan segments, in-memory store:`);
  const first = await timedRun(store, maker);
  report(
    `  first night (observing pass, model fit on ${thousands(settings.models.sampleSize)} sampled, classifying pass; everyone enters): ` +
      `${(first.job / 1000).toFixed(1)} s job + ${(first.making / 1000).toFixed(1)} s making customers; ${micros(first.job, customers)} per customer`,
  );
  report(`    models: ${store.models?.available ? `available, ${thousands(store.models.repeatBuyers)} repeat buyers` : `not available (${store.models?.reason})`}; ${thousands(first.summary.entered)} entries, ${thousands(first.summary.predictionsWritten)} predictions`);
  const steady = await timedRun(store, maker);
  report(
    `  a later night (one pass, yesterday's thresholds and models; the in-memory store keeps no memberships, so everyone still enters): ` +
      `${(steady.job / 1000).toFixed(1)} s, ${micros(steady.job, customers)} per customer, ` +
      `${thousands(Math.round(customers / (steady.job / 1000)))} customers/s`,
  );
  const models = store.models;
  store.models = models ? { ...models, available: false, reason: 'switched off for the benchmark' } : undefined;
  const withoutPredictions = await timedRun(store, maker);
  store.models = models;
  report(
    `  the same without predictions (segments and metrics only): ${(withoutPredictions.job / 1000).toFixed(1)} s, ${micros(withoutPredictions.job, customers)} per customer, ` +
      `${thousands(Math.round(customers / (withoutPredictions.job / 1000)))} customers/s`,
  );
}

/**
 * Runs one first night in a child process and reads its memory there; `out of memory` when V8 gave
 * up at the heap limit the options set (a figure too: the night needs more than that).
 */
function measureInChild(customers: number, nodeOptions: string[] = []): Promise<{ baselineRss: number; peakRss: number; peakHeap: number; seconds: number } | 'out of memory'> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...process.execArgv, ...nodeOptions, fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CHILD_VARIABLE]: String(customers) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code === 0) return done(JSON.parse(output.trim().split('\n').at(-1) ?? '{}'));
      if (errors.includes('heap out of memory')) return done('out of memory');
      fail(new Error(`the memory child for ${customers} customers exited with ${code}: ${errors.slice(-500)}`));
    });
  });
}

async function childMain(customers: number): Promise<void> {
  const histories = readHistories();
  const maker = new CustomerMaker(histories, 2);
  const baselineRss = process.memoryUsage().rss;
  const store = new StreamingStore(maker, customers);
  const started = performance.now();
  await recompute({ store, events: noEvents, now: () => night }, settings);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ baselineRss, peakRss, peakHeap: store.peakHeap, seconds: (performance.now() - started) / 1000 })}\n`);
}

async function memory(report: (line: string) => void): Promise<void> {
  report('peak memory of a first night (the heaviest: two passes, model fit, everyone enters), one child process per size:');
  report('  customers    V8 old space      baseline RSS  peak RSS  peak heap  time');
  for (const [customers, nodeOptions] of [
    [100_000, []],
    [1_000_000, []],
    [1_000_000, ['--max-old-space-size=64']],
  ] as const) {
    const figures = await measureInChild(customers, [...nodeOptions]);
    const row = `  ${thousands(customers).padStart(9)}    ${(nodeOptions.length > 0 ? 'capped at 64 MB' : 'default').padEnd(15)}  `;
    if (figures === 'out of memory') {
      report(`${row}out of memory: one process's first night holds more than that (on AWS the night runs in key ranges: npm run bench -- nightly)`);
      continue;
    }
    report(`${row}${megabytes(figures.baselineRss).padStart(12)}  ${megabytes(figures.peakRss).padStart(8)}  ${megabytes(figures.peakHeap).padStart(9)}  ${figures.seconds.toFixed(1)} s`);
  }
  report('  (baseline: the process with its modules and the CDNOW histories loaded, before the job; peak heap includes garbage not yet collected)');
}

async function endToEnd(report: (line: string) => void, histories: History[]): Promise<void> {
  const customers = 100_000;
  const table = 'comeback-bench';
  const dynamodb = await startDynamoDbLocal();
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 10 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    await ensureTable(dynamodb.endpoint, table);
    report(`end to end on DynamoDB Local (in memory), ${thousands(customers)} customers:`);
    const maker = new CustomerMaker(histories, 3);
    const loadStarted = performance.now();
    let written = 0;
    let next = 0;
    const writer = async () => {
      while (next < customers) {
        const start = next;
        next += 25;
        const items = Array.from({ length: Math.min(25, customers - start) }, (_, k) => {
          const profile = maker.make(start + k);
          return {
            ...keys.profile(profile.customerId),
            ...keys.lastOrderDay(profile.lastOrderAt, profile.customerId),
            ...keys.readNightly(keys.profile(profile.customerId)),
            type: 'profile',
            ...profile,
            version: 1,
          };
        });
        await batchWriteItems(client, table, items.map((Item) => ({ PutRequest: { Item } })));
        written += items.length;
        if (written % 20_000 === 0) report(`  loading: ${thousands(written)} profiles written (${((performance.now() - loadStarted) / 1000).toFixed(0)} s)`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    report(`  loaded ${thousands(written)} profiles with BatchWriteItem in ${loadSeconds.toFixed(1)} s (${thousands(Math.round(written / loadSeconds))} items/s)`);

    const store = new DynamoAnalyticsStore(client, table);
    const nightRun = async (label: string, at: Date): Promise<RecomputeSummary> => {
      const started = performance.now();
      const summary = await recompute({ store, events: noEvents, now: () => at }, settings);
      const seconds = (performance.now() - started) / 1000;
      report(
        `  ${label}: ${seconds.toFixed(1)} s, ${micros(seconds * 1000, customers)} per customer; ${thousands(summary.entered)} entries, ${thousands(summary.left)} exits, ` +
          `${thousands(summary.predictionsWritten)} predictions written${summary.bootstrapped ? ' (observing pass first)' : ''}${summary.modelsRefitted ? ', models fitted' : ''}`,
      );
      return summary;
    };
    await nightRun('first night', night);
    await nightRun('the night after', new Date(night.getTime() + 86_400_000));
    const scanStarted = performance.now();
    let records = 0;
    await Promise.all(
      Array.from({ length: settings.scan.totalSegments }, async (_, segment) => {
        for await (const page of store.scan(segment, settings.scan.totalSegments)) records += page.length;
      }),
    );
    const scanSeconds = (performance.now() - scanStarted) / 1000;
    report(`  of which reading: a parallel scan of what the job reads (profiles, memberships, predictions) takes ${scanSeconds.toFixed(1)} s, ${micros(scanSeconds * 1000, customers)} per customer (${thousands(records)} records)`);
  } finally {
    client.destroy();
    await dynamodb.stop();
  }
}

export async function run(report: (line: string) => void): Promise<void> {
  const histories = readHistories();
  report(`CDNOW master: ${thousands(histories.length)} customers; as of ${night.toISOString().slice(0, 10)}; ${process.version}`);
  await inProcess(report, histories);
  await memory(report);
  await endToEnd(report, histories);
}

const childCustomers = process.env[CHILD_VARIABLE];
if (childCustomers) await childMain(Number(childCustomers));
