/**
 * Benchmark of the nightly co-purchase count (not a test). A synthetic store of 10,000 products and
 * 1,000,000 orders, made on the fly by a seeded generator as the table scan would stream them (a
 * customer's orders together, oldest first): product popularity follows a Zipf law, each product has
 * companions that go in the same basket and a follow-up bought weeks later. Every figure is measured:
 *
 * - the bounded counter (Space-Saving, the job's own) in a child process of its own: time, and peak
 *   memory from the kernel (process.resourceUsage().maxRSS) and the largest heap seen; the time to
 *   make the orders is measured in a separate pass and taken out;
 * - exact counting (every pair in a Map) over the same orders in another child, for the memory it
 *   would need and for the accuracy of the bounded top-10 against the exact one;
 * - storing the top-10 of every product on DynamoDB Local with the job's adapter.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCoPurchaseStore } from '../../functions/adapters/catalog-store.ts';
import { CoPurchaseCounter, defaultCoPurchaseSettings, type CountedNeighbour, type StreamedOrder } from '../../functions/core/catalog/copurchase.ts';
import { ensureTable, localCredentials, localRegion, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { seeded } from './seeded-random.ts';

const PRODUCTS = 10_000;
const ORDERS = 1_000_000;
const TOP = 10;
const CHILD_VARIABLE = 'COMEBACK_BENCH_COPURCHASE_CHILD';
const CAPACITY_VARIABLE = 'COMEBACK_BENCH_COPURCHASE_CAPACITY';
const DAY_MS = 86_400_000;
const START = Date.parse('2025-01-01T08:00:00.000Z');

type Mode = 'generate' | 'bounded' | 'exact';

interface ChildFigures {
  mode: Mode;
  orders: number;
  lines: number;
  seconds: number;
  baselineRss: number;
  peakRss: number;
  peakHeap: number;
  extra: Record<string, number>;
  /** Per product: neighbours best first (exact mode: with their counts, top 20). */
  top?: Record<string, [string, number][]>;
}

const skuNames = Array.from({ length: PRODUCTS }, (_, index) => `SKU-${String(index).padStart(5, '0')}`);

/** The synthetic order stream, customer by customer. */
function* syntheticOrders(orders: number, seed: number): Generator<StreamedOrder> {
  const random = seeded(seed);
  const cdf = new Float64Array(PRODUCTS);
  let total = 0;
  for (let rank = 0; rank < PRODUCTS; rank += 1) cdf[rank] = total += 1 / (rank + 1);
  const popular = () => {
    const target = random() * total;
    let low = 0;
    let high = PRODUCTS - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cdf[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const companion = (product: number, which: number) => (product * [7, 13, 31][which]! + [1, 5, 11][which]!) % PRODUCTS;
  const followUp = (product: number) => (product * 17 + 3) % PRODUCTS;
  let made = 0;
  for (let customer = 0; made < orders; customer += 1) {
    let visits = 1;
    while (visits < 12 && random() < 0.55) visits += 1;
    let day = Math.floor(random() * 365);
    let previous = -1;
    for (let visit = 0; visit < visits && made < orders; visit += 1) {
      const main = previous >= 0 && random() < 0.4 ? followUp(previous) : popular();
      const skus = [skuNames[main]!];
      if (random() < 0.5) skus.push(skuNames[companion(main, 0)]!);
      if (random() < 0.25) skus.push(skuNames[companion(main, 1)]!);
      if (random() < 0.1) skus.push(skuNames[companion(main, 2)]!);
      if (random() < 0.3) skus.push(skuNames[popular()]!);
      yield { customerId: `c${customer}`, placedAt: new Date(START + day * DAY_MS + Math.floor(random() * DAY_MS)).toISOString(), skus };
      made += 1;
      previous = main;
      day += 3 + Math.floor(random() * 88);
    }
  }
}

/** Exact counts by the counter's own definition: every pair kept, in a Map. */
class ExactCounter {
  readonly pairs = new Map<number, number>();
  private readonly ids = new Map<string, number>();
  private customer: string | undefined;
  private history: { time: number; ids: number[] }[] = [];

  add(order: StreamedOrder): void {
    const { afterDays, historyOrders, maxItemsPerOrder } = defaultCoPurchaseSettings;
    const time = Date.parse(order.placedAt);
    const ids: number[] = [];
    for (const sku of order.skus) {
      if (ids.length >= maxItemsPerOrder) break;
      let id = this.ids.get(sku);
      if (id === undefined) this.ids.set(sku, (id = this.ids.size));
      if (!ids.includes(id)) ids.push(id);
    }
    for (const a of ids) for (const b of ids) if (a !== b) this.bump(a, b);
    if (order.customerId !== this.customer) {
      this.customer = order.customerId;
      this.history = [];
    }
    for (const previous of this.history) {
      const gap = time - previous.time;
      if (gap === 0 || Math.abs(gap) > afterDays * DAY_MS) continue;
      const [earlier, later] = gap > 0 ? [previous.ids, ids] : [ids, previous.ids];
      for (const a of earlier) for (const b of later) if (a !== b) this.bump(a, b);
    }
    this.history.push({ time, ids });
    if (this.history.length > historyOrders) this.history.shift();
  }

  top(count: number): Record<string, [string, number][]> {
    const names = [...this.ids.keys()];
    const rows = new Map<number, [number, number][]>();
    for (const [key, value] of this.pairs) {
      if (value < defaultCoPurchaseSettings.minCount) continue;
      const source = Math.floor(key / 16_384);
      let row = rows.get(source);
      if (!row) rows.set(source, (row = []));
      row.push([key % 16_384, value]);
    }
    const result: Record<string, [string, number][]> = {};
    for (const [source, row] of rows) {
      row.sort((x, y) => y[1] - x[1]);
      result[names[source]!] = row.slice(0, count).map(([target, value]) => [names[target]!, value]);
    }
    return result;
  }

  private bump(a: number, b: number): void {
    const key = a * 16_384 + b;
    this.pairs.set(key, (this.pairs.get(key) ?? 0) + 1);
  }
}

async function childMain(mode: Mode): Promise<void> {
  const baselineRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const progress = (done: number, started: number) => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    if (done % 200_000 === 0) process.stdout.write(`progress ${mode}: ${done.toLocaleString('en')} orders, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  };
  const capacity = Number(process.env[CAPACITY_VARIABLE] ?? defaultCoPurchaseSettings.capacity);
  const bounded = mode === 'bounded' ? new CoPurchaseCounter({ capacity }) : undefined;
  const exact = mode === 'exact' ? new ExactCounter() : undefined;
  let orders = 0;
  let lines = 0;
  const started = performance.now();
  for (const order of syntheticOrders(ORDERS, 2026)) {
    bounded?.add(order);
    exact?.add(order);
    orders += 1;
    lines += order.skus.length;
    if (orders % 10_000 === 0) progress(orders, started);
  }
  let top: ChildFigures['top'];
  const extra: Record<string, number> = {};
  if (bounded) {
    const neighbours = bounded.topK();
    const summary = bounded.summary();
    Object.assign(extra, { pairs: summary.pairs, products: summary.products, counterBytes: summary.counterBytes, productsWithNeighbours: neighbours.size });
    top = Object.fromEntries([...neighbours].map(([sku, list]: [string, CountedNeighbour[]]) => [sku, list.map((entry) => [entry.sku, entry.count] as [string, number])]));
  }
  if (exact) {
    extra['distinctPairs'] = exact.pairs.size;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    top = exact.top(2 * TOP);
  }
  const seconds = (performance.now() - started) / 1000;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const figures: ChildFigures = { mode, orders, lines, seconds, baselineRss, peakRss: process.resourceUsage().maxRSS * 1024, peakHeap, extra, ...(top ? { top } : {}) };
  process.stdout.write(`result ${JSON.stringify(figures)}\n`);
}

function inChild(mode: Mode, report: (line: string) => void, capacity = defaultCoPurchaseSettings.capacity): Promise<ChildFigures> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CHILD_VARIABLE]: mode, [CAPACITY_VARIABLE]: String(capacity) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    let result: ChildFigures | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('progress ')) report(`    ${line.slice(9)}`);
        else if (line.startsWith('result ')) result = JSON.parse(line.slice(7)) as ChildFigures;
      }
    });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 && result ? done(result) : fail(new Error(`the ${mode} child exited with ${code}`))));
  });
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
const thousands = (value: number) => value.toLocaleString('en');

/** Share of the exact top-10 the bounded top-10 finds (a tie with the exact 10th counts as found). */
function recall(bounded: Record<string, [string, number][]>, exact: Record<string, [string, number][]>): { recall: number; top1: number; products: number } {
  let found = 0;
  let wanted = 0;
  let top1 = 0;
  let products = 0;
  for (const [sku, truth] of Object.entries(exact)) {
    const best = truth.slice(0, TOP);
    if (best.length === 0) continue;
    products += 1;
    const threshold = best[best.length - 1]![1];
    const counts = new Map(truth);
    const picked = (bounded[sku] ?? []).slice(0, TOP);
    wanted += best.length;
    found += Math.min(best.length, picked.filter(([neighbour]) => (counts.get(neighbour) ?? 0) >= threshold).length);
    if (picked[0] && (counts.get(picked[0][0]) ?? 0) >= best[0]![1]) top1 += 1;
  }
  return { recall: found / Math.max(1, wanted), top1: top1 / Math.max(1, products), products };
}

export async function run(report: (line: string) => void): Promise<void> {
  report(`synthetic store: ${thousands(PRODUCTS)} products, ${thousands(ORDERS)} orders (Zipf popularity, companions, follow-ups), one child process per measurement`);

  report('  making the orders only (taken out of the counting time):');
  const generate = await inChild('generate', report);
  report(`    ${thousands(generate.orders)} orders, ${thousands(generate.lines)} lines in ${generate.seconds.toFixed(1)} s; peak RSS ${megabytes(generate.peakRss)}`);

  report(`  bounded counter (Space-Saving, ${defaultCoPurchaseSettings.capacity} neighbours per product, top ${defaultCoPurchaseSettings.topK} kept):`);
  const bounded = await inChild('bounded', report);
  const counting = bounded.seconds - generate.seconds;
  report(
    `    ${bounded.seconds.toFixed(1)} s with the generator, ${counting.toFixed(1)} s counting: ${thousands(Math.round(bounded.orders / counting))} orders/s, ` +
      `${thousands(bounded.extra['pairs']!)} neighbour updates, ${thousands(bounded.extra['productsWithNeighbours']!)} products with neighbours`,
  );
  report(
    `    memory: baseline RSS ${megabytes(bounded.baselineRss)}, peak RSS ${megabytes(bounded.peakRss)} (generator alone ${megabytes(generate.peakRss)}), ` +
      `peak heap ${megabytes(bounded.peakHeap)}, counters ${megabytes(bounded.extra['counterBytes']!)}`,
  );

  report('  exact counting (every pair in a Map), for comparison:');
  const exact = await inChild('exact', report);
  report(
    `    ${(exact.seconds - generate.seconds).toFixed(1)} s counting, ${thousands(exact.extra['distinctPairs']!)} distinct pairs; peak RSS ${megabytes(exact.peakRss)}, peak heap ${megabytes(exact.peakHeap)}`,
  );
  const accuracy = recall(bounded.top!, exact.top!);
  report(
    `  accuracy of the bounded top-${TOP} against the exact one over ${thousands(accuracy.products)} products: recall ${(accuracy.recall * 100).toFixed(1)}%, ` +
      `best neighbour right for ${(accuracy.top1 * 100).toFixed(1)}%`,
  );
  const narrower = defaultCoPurchaseSettings.capacity / 2;
  report(`  the same with ${narrower} neighbours per product (half the memory of the counters):`);
  const narrowerRun = await inChild('bounded', report, narrower);
  const narrowerAccuracy = recall(narrowerRun.top!, exact.top!);
  report(
    `    ${(narrowerRun.seconds - generate.seconds).toFixed(1)} s counting, peak RSS ${megabytes(narrowerRun.peakRss)}, counters ${megabytes(narrowerRun.extra['counterBytes']!)}; ` +
      `recall ${(narrowerAccuracy.recall * 100).toFixed(1)}%, best neighbour right for ${(narrowerAccuracy.top1 * 100).toFixed(1)}%`,
  );

  report('  storing every product top-10 on DynamoDB Local (the job adapter, BatchWriteItem):');
  const dynamodb = await startDynamoDbLocal();
  try {
    const table = 'comeback-bench-copurchase';
    await ensureTable(dynamodb.endpoint, table);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 10 }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const store = new DynamoCoPurchaseStore(client, table);
    const neighbours = new Map(Object.entries(bounded.top!).map(([sku, list]) => [sku, list.map(([neighbour, count]) => ({ sku: neighbour, count, minCount: count }))]));
    const started = performance.now();
    const saved = await store.save(neighbours, new Date(START).toISOString());
    const seconds = (performance.now() - started) / 1000;
    report(`    ${thousands(saved)} items in ${seconds.toFixed(1)} s (${thousands(Math.round(saved / seconds))} items/s)`);
    const lookupStarted = performance.now();
    const lookups = 200;
    for (let index = 0; index < lookups; index += 1) await store.lookup(skuNames.slice(index * 20, index * 20 + 20));
    report(`    personal-offer lookups (20 products each, BatchGetItem): ${(((performance.now() - lookupStarted) / lookups)).toFixed(1)} ms each`);
  } finally {
    await dynamodb.stop();
  }
}

const childMode = process.env[CHILD_VARIABLE] as Mode | undefined;
if (childMode) await childMain(childMode);
