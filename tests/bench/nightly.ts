/**
 * Benchmark of the nightly recompute at a million customers, cut the way a Step Functions
 * Distributed Map would cut it (not a test; every figure is measured on this run):
 *
 * - in-process: 1,000,000 simulated customers (BG/NBD with the CDNOW parameters, each customer made
 *   from her index alone, so a segment is the same whoever reads it) in SEGMENTS key ranges, through
 *   the nightly state machine's steps: the plan (yesterday's thresholds, bands and models from an
 *   earlier night), each range as one Map child (its result gzipped as its checkpoint keeps it),
 *   then the merge of the results; time per child (making the customers taken out), the merge, the
 *   whole job, peak RSS (the kernel's maxRSS) and the largest heap seen;
 * - reading on DynamoDB Local: a seeded store (profiles beside their orders, order guards, message
 *   log entries and contact preferences), read once as the whole-table scan did and once through
 *   the sparse index the recompute reads now: items read and time per customer;
 * - the projected AWS wall time of the Map: ceil(SEGMENTS / MAX_CONCURRENCY) waves of children, each
 *   child's time being its measured CPU time plus its customers' reading at the rate measured on
 *   DynamoDB Local, then the merge's CPU time (which scans slower than DynamoDB: the projection is a ceiling, not a promise).
 */
import { availableParallelism, loadavg } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { DynamoAnalyticsStore } from '../../functions/adapters/analytics-store.ts';
import { GSI3, keys } from '../../functions/adapters/table-design.ts';
import { isoDay } from '../../functions/core/analytics/facts.ts';
import type { MetricsSnapshot } from '../../functions/core/analytics/metrics.ts';
import type { CustomerPredictions, FittedModels } from '../../functions/core/analytics/predictions.ts';
import { finishNight, planNight, recompute, recomputeRange, type RangeResult, type RecomputeState, type RecomputeStore, type ScannedRecord } from '../../functions/core/analytics/recompute.ts';
import type { SegmentDefinition } from '../../functions/core/analytics/segments.ts';
import { recomputeSettings } from '../../functions/core/analytics/settings.ts';
import { seededRandom, simulateBgnbdCustomer } from '../../functions/core/models/index.ts';
import type { CustomerProfile } from '../../functions/core/profile.ts';
import { batchWriteItems } from '../../functions/adapters/queries.ts';
import { ensureTable, localCredentials, localRegion, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

const CUSTOMERS = 1_000_000;
/** Key ranges of the Map: one child each. */
const SEGMENTS = 64;
/** Children of the Map running at once. */
const MAX_CONCURRENCY = 16;
const PAGE = 1000;
const night = new Date('2026-06-01T03:00:00.000Z');
const today = Math.floor(night.getTime() / 86_400_000);
/** CDNOW's BG/NBD parameters, per day. */
const params = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };

const thousands = (value: number) => Math.round(value).toLocaleString('en');
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

/** Customer `index`, made from her index alone. */
function customer(index: number): CustomerProfile {
  const random = seededRandom(index + 1);
  const age = 30 + Math.floor(random() * 700);
  const { x, tx } = simulateBgnbdCustomer(random, params, age);
  const level = 500 + Math.floor(random() * 8000);
  const orderDays: NonNullable<CustomerProfile['orderDays']> = {};
  let revenue = 0;
  let largest = 0;
  const days = [today - age, ...Array.from({ length: x }, (_, k) => today - age + Math.max(1, Math.round((tx * (k + 1)) / x)))];
  for (const day of days) {
    const cents = Math.round(level * (0.5 + random()));
    const key = isoDay(day);
    const existing = orderDays[key]?.['USD'];
    orderDays[key] = { USD: { orders: (existing?.orders ?? 0) + 1, totalMinor: (existing?.totalMinor ?? 0) + cents } };
    revenue += cents;
    largest = Math.max(largest, cents);
  }
  const first = `${isoDay(days[0]!)}T12:00:00.000Z`;
  const last = `${isoDay(days.at(-1)!)}T12:00:00.000Z`;
  return {
    customerId: `c-${index}`,
    consent: { email: index % 2 === 0 },
    consentAsOf: {},
    contactAsOf: last,
    orderCount: days.length,
    revenueByCurrency: { USD: revenue },
    currency: 'USD',
    firstOrderAt: first,
    lastOrderAt: last,
    categories: [index % 3 === 0 ? 'pet-food' : 'toys'],
    skus: [`SKU-${index % 50}`],
    refundedMinorByCurrency: {},
    orderDays,
    largestOrderMinorByCurrency: { USD: largest },
  };
}

/**
 * The customers `from`..`to` as one Map child would read its key range; every write answered at once.
 * Yesterday's state and models are shared by every child, as they are read from the table.
 */
class RangeStore implements RecomputeStore {
  private readonly from: number;
  private readonly to: number;
  private readonly yesterday: { state: RecomputeState | undefined; models: FittedModels | undefined };
  makingMs = 0;
  /** CPU time (user and system, in ms) spent making customers. */
  makingCpuMs = 0;
  peakHeap = 0;
  writes = 0;

  constructor(from: number, to: number, yesterday: { state: RecomputeState | undefined; models: FittedModels | undefined }) {
    this.from = from;
    this.to = to;
    this.yesterday = yesterday;
  }

  async readState() {
    return this.yesterday.state;
  }
  async readModels() {
    return this.yesterday.models;
  }
  async listDefinitions(): Promise<SegmentDefinition[]> {
    return [];
  }
  async *scan(segment: number, total: number): AsyncGenerator<ScannedRecord[]> {
    const share = Math.ceil((this.to - this.from) / total);
    const end = Math.min(this.to, this.from + (segment + 1) * share);
    for (let start = this.from + segment * share; start < end; start += PAGE) {
      const made = performance.now();
      const madeCpu = process.cpuUsage();
      const page: ScannedRecord[] = [];
      for (let i = start; i < Math.min(end, start + PAGE); i++) page.push({ kind: 'customer', customerId: `c-${i}`, profile: customer(i), segments: [] });
      this.makingMs += performance.now() - made;
      this.makingCpuMs += cpuMs(process.cpuUsage(madeCpu));
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
    this.yesterday.models ??= models;
  }
  async saveState(state: RecomputeState) {
    this.yesterday.state ??= state;
  }
  async saveSnapshot(_snapshot: MetricsSnapshot) {}
}

const noEvents = { entered: async () => undefined };
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

async function inProcess(report: (line: string) => void): Promise<{ childMs: number[]; childCpuMs: number[]; share: number; mergeCpuMs: number }> {
  const yesterday: { state: RecomputeState | undefined; models: FittedModels | undefined } = { state: undefined, models: undefined };
  // An earlier night over a tenth of the store gives the children thresholds, bands and models.
  const earlier = new RangeStore(0, CUSTOMERS / 10, yesterday);
  const earlierStarted = performance.now();
  await recompute({ store: earlier, events: noEvents, now: () => new Date(night.getTime() - 86_400_000) }, recomputeSettings({ scan: { totalSegments: 8 } }));
  report(`an earlier night over ${thousands(CUSTOMERS / 10)} customers for yesterday's state and models: ${seconds(performance.now() - earlierStarted)}; models ${yesterday.models?.available ? 'available' : `not available (${yesterday.models?.reason})`}`);

  const share = Math.ceil(CUSTOMERS / SEGMENTS);
  const childSettings = recomputeSettings({ scan: { totalSegments: 1, writeConcurrency: 16 } });
  const childMs: number[] = [];
  const childCpuMs: number[] = [];
  let peakHeap = 0;
  let customers = 0;
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  // The state machine's steps: the plan, one Map child per key range (kept as its checkpoint would keep it), the merge.
  const whole = new RangeStore(0, CUSTOMERS, yesterday);
  const ports = { store: whole, events: noEvents, now: () => night };
  const started = performance.now();
  const basis = await planNight(ports, childSettings, { ranges: SEGMENTS });
  const kept: RangeResult[] = [];
  let keptBytes = 0;
  for (let segment = 0; segment < SEGMENTS; segment++) {
    const making = { ms: whole.makingMs, cpu: whole.makingCpuMs };
    const childStarted = performance.now();
    const childCpu = process.cpuUsage();
    const result = await recomputeRange(ports, childSettings, basis, segment);
    const packed = gzipSync(JSON.stringify(result));
    keptBytes = Math.max(keptBytes, packed.length);
    kept.push(JSON.parse(gunzipSync(packed).toString('utf8')) as RangeResult);
    childCpuMs.push(cpuMs(process.cpuUsage(childCpu)) - (whole.makingCpuMs - making.cpu));
    childMs.push(performance.now() - childStarted - (whole.makingMs - making.ms));
    customers += result.counts.customers;
    peakHeap = Math.max(peakHeap, whole.peakHeap);
  }
  const makingMs = whole.makingMs;
  const mergeStarted = performance.now();
  const mergeCpu = process.cpuUsage();
  const summary = await finishNight(ports, childSettings, basis, kept);
  const mergeMs = performance.now() - mergeStarted;
  const mergeCpuMs = cpuMs(process.cpuUsage(mergeCpu));
  if (summary.customers !== customers) throw new Error(`the merge counted ${summary.customers} customers, the ranges ${customers}`);
  const totalMs = performance.now() - started - makingMs;
  const sorted = [...childMs].sort((u, v) => u - v);
  const sortedCpu = [...childCpuMs].sort((u, v) => u - v);
  const totalCpuMs = childCpuMs.reduce((sum, ms) => sum + ms, 0);
  report(`in-process, ${thousands(customers)} customers in ${SEGMENTS} key ranges of ${thousands(share)}, each through the recompute as one Map child (one after another, one core):`);
  report(`  job: ${seconds(totalMs)} (+ ${seconds(makingMs)} making customers), ${((totalMs * 1000) / customers).toFixed(1)} µs per customer, ${thousands(customers / (totalMs / 1000))} customers/s`);
  report(`  per child, wall: median ${seconds(sorted[Math.floor(sorted.length / 2)]!)}, slowest ${seconds(sorted.at(-1)!)}, fastest ${seconds(sorted[0]!)}`);
  report(
    `  CPU time (user + system, all threads; what a child with a vCPU of its own spends): ${seconds(totalCpuMs)}, ${((totalCpuMs * 1000) / customers).toFixed(1)} µs per customer; ` +
      `per child median ${seconds(sortedCpu[Math.floor(sortedCpu.length / 2)]!)}, slowest ${seconds(sortedCpu.at(-1)!)}`,
  );
  report(`  peak RSS ${megabytes(process.resourceUsage().maxRSS * 1024)} (${megabytes(rssBefore)} before the children), largest heap seen ${megabytes(peakHeap)}`);
  report(`  a range's result as its checkpoint keeps it (gzipped JSON): at most ${thousands(keptBytes / 1024)} KiB; the merge of the ${SEGMENTS} results: ${seconds(mergeMs)} wall, ${seconds(mergeCpuMs)} CPU`);
  return { childMs, childCpuMs, share, mergeCpuMs };
}

async function reading(report: (line: string) => void): Promise<{ tableMsPerCustomer: number; indexMsPerCustomer: number }> {
  const customers = 2_000;
  const orders = 4;
  const messages = 6;
  const table = 'comeback-bench-nightly';
  const dynamodb = await startDynamoDbLocal();
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 10 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    await ensureTable(dynamodb.endpoint, table);
    const items = (index: number): Record<string, unknown>[] => {
      const profile = customer(index);
      const { customerId } = profile;
      return [
        { ...keys.profile(customerId), ...keys.lastOrderDay(profile.lastOrderAt, customerId), ...keys.readNightly(keys.profile(customerId)), type: 'profile', ...profile, version: 1 },
        ...Array.from({ length: orders }, (_, k) => [
          { ...keys.order(customerId, `${profile.lastOrderAt}#${k}`, `${customerId}-${k}`), type: 'order', orderId: `${customerId}-${k}`, customerId, totalMinor: 1000, items: [{ sku: 'SKU-1', quantity: 1 }] },
          { ...keys.orderGuard(`${customerId}-${k}`), type: 'orderGuard', orderId: `${customerId}-${k}`, customerId },
        ]).flat(),
        ...Array.from({ length: messages }, (_, k) => ({ ...keys.message(customerId, `${profile.lastOrderAt}#${k}`, `m${k}`), type: 'message', customerId, messageId: `m${k}`, status: 'sent' })),
        { ...keys.preferences(customerId), type: 'preferences', customerId },
      ];
    };
    let next = 0;
    const writer = async () => {
      while (next < customers) {
        await batchWriteItems(client, table, items(next++).map((Item) => ({ PutRequest: { Item } })));
      }
    };
    const loadStarted = performance.now();
    await Promise.all(Array.from({ length: 16 }, writer));
    report(`reading on DynamoDB Local (in memory), ${thousands(customers)} customers, each with ${orders} orders and their guards, ${messages} message log entries, contact preferences (loaded in ${seconds(performance.now() - loadStarted)}):`);

    const segments = 4;
    const scanAll = async (input: { IndexName?: string; FilterExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> }) => {
      let scanned = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: segments }, async (_, segment) => {
          for await (const page of paginateScan({ client }, { TableName: table, Segment: segment, TotalSegments: segments, ...input })) scanned += page.ScannedCount ?? 0;
        }),
      );
      return { scanned, ms: performance.now() - started };
    };
    const types = ['profile', 'segmentMembership', 'predictions', 'journeyEntry', 'feedback'];
    const whole = await scanAll({
      FilterExpression: `#type IN (${types.map((_, i) => `:t${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: Object.fromEntries(types.map((type, i) => [`:t${i}`, type])),
    });
    const index = await scanAll({ IndexName: GSI3 });
    report(`  the whole table filtered by type (the read before the index): ${(whole.scanned / customers).toFixed(1)} items and ${(whole.ms / customers).toFixed(3)} ms per customer (${seconds(whole.ms)})`);
    report(`  the sparse index (${segments} segments): ${(index.scanned / customers).toFixed(1)} items and ${(index.ms / customers).toFixed(3)} ms per customer (${seconds(index.ms)})`);
    // The store's own reader over the index, records as the recompute gets them.
    const store = new DynamoAnalyticsStore(client, table);
    const readerStarted = performance.now();
    let records = 0;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        for await (const page of store.scan(segment, segments)) records += page.length;
      }),
    );
    const readerMs = performance.now() - readerStarted;
    report(`  the recompute's reader over the index: ${thousands(records)} customers in ${seconds(readerMs)}, ${(readerMs / customers).toFixed(3)} ms per customer`);
    return { tableMsPerCustomer: whole.ms / customers, indexMsPerCustomer: readerMs / customers };
  } finally {
    client.destroy();
    await dynamodb.stop();
  }
}

export async function run(report: (line: string) => void): Promise<void> {
  report(`${process.version}; ${thousands(CUSTOMERS)} customers as of ${night.toISOString().slice(0, 10)}; Map: ${SEGMENTS} key ranges, MaxConcurrency ${MAX_CONCURRENCY}`);
  // Figures from a shared machine are read with its load beside them.
  report(`machine: ${availableParallelism()} cores, load average ${loadavg().map((load) => load.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the start`);
  const { childMs, childCpuMs, share, mergeCpuMs } = await inProcess(report);
  const read = await reading(report);
  // A child has a vCPU of its own on Lambda (1769 MB and up): its CPU time, not this shared machine's wall time.
  const slowest = Math.max(...childCpuMs);
  const waves = Math.ceil(SEGMENTS / MAX_CONCURRENCY);
  const cpuOnly = waves * slowest + mergeCpuMs;
  const withReads = waves * (slowest + share * read.indexMsPerCustomer) + mergeCpuMs;
  report(`projected Distributed Map wall time at ${thousands(CUSTOMERS)} customers (${waves} waves of ${MAX_CONCURRENCY} children, each wave as long as the slowest child's CPU time, then the merge):`);
  report(`  CPU alone: ${seconds(cpuOnly)}; with each child reading its ${thousands(share)} customers at DynamoDB Local's index rate: ${seconds(withReads)} (longest child ${seconds(slowest + share * read.indexMsPerCustomer)} of Lambda's 900 s)`);
  report(`  one Lambda reading the whole table as before, at DynamoDB Local's rate: ${seconds(CUSTOMERS * read.tableMsPerCustomer + childCpuMs.reduce((sum, ms) => sum + ms, 0))}`);
  report(`  (on this machine, one child after another: ${seconds(childMs.reduce((sum, ms) => sum + ms, 0))} of wall time)`);
  report(`machine: load average at the end: ${loadavg().map((load) => load.toFixed(1)).join(' / ')}`);
}
