/**
 * Benchmark of `npm run comeback -- backtest` (not a test): how fast a year of a 100,000-customer
 * store replays through win-back's entry rule and the delivery guardrails. The store is synthetic,
 * made by a seeded generator: each customer buys at her own rate (a year of history before the
 * window and the window itself), one in ten buys a product with a declared cycle, and time zones,
 * consent and addresses vary. Reading the file is left out (the import bench measures the parsers):
 * the figure is the replay of the orders the CLI has parsed.
 */
import { Backtest } from '../../functions/core/backtest.ts';
import { defaultWinBackTiming } from '../../functions/core/win-back.ts';
import { loadCatalogFile, defaultCatalogFile } from '../../functions/adapters/catalog-file.ts';
import type { Purchase } from '../../functions/core/purchase.ts';
import { seeded } from './seeded-random.ts';

const CUSTOMERS = 100_000;
const DAY_MS = 86_400_000;
const HISTORY_START = Date.parse('2024-01-01T00:00:00Z');
const WINDOW = { from: '2025-01-01', to: '2025-12-31' };
const END = Date.parse('2026-01-01T00:00:00Z');
const ZONES = ['UTC', 'Europe/Kyiv', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];

function customerOrders(index: number, next: () => number): Purchase[] {
  const id = `c${index}`;
  const meanGapDays = 20 + next() * 200;
  const licence = next() < 0.1;
  const customer = {
    id,
    ...(next() < 0.9 ? { email: `${id}@example.com` } : {}),
    ...(next() < 0.5 ? { phone: '+15555550100' } : {}),
    timezone: ZONES[Math.floor(next() * ZONES.length)]!,
    consent: { email: next() < 0.8, sms: next() < 0.4 },
  };
  const orders: Purchase[] = [];
  let at = HISTORY_START + next() * 365 * DAY_MS;
  while (at < END && orders.length < 50) {
    orders.push({
      orderId: `${id}-${orders.length}`,
      placedAt: new Date(at).toISOString(),
      currency: 'USD',
      totalMinor: 1000 + Math.floor(next() * 9000),
      customer,
      items: [licence ? { sku: 'ANTIVIRUS-1Y', category: 'licences', quantity: 1, unitPriceMinor: 4900 } : { sku: 'TEA', category: 'tea', quantity: 1, unitPriceMinor: 1500 }],
    });
    at += -Math.log(1 - next()) * meanGapDays * DAY_MS;
  }
  return orders;
}

export async function run(report: (line: string) => void): Promise<void> {
  const next = seeded(20_260_101);
  const generated = performance.now();
  const customers = Array.from({ length: CUSTOMERS }, (_, index) => customerOrders(index, next));
  const orders = customers.reduce((sum, list) => sum + list.length, 0);
  report(`synthetic store: ${CUSTOMERS} customers, ${orders} orders from 2024-01-01 (made in ${((performance.now() - generated) / 1000).toFixed(1)} s)`);

  const started = performance.now();
  const cpu = process.cpuUsage();
  const backtest = new Backtest({
    journey: 'win-back',
    ...WINDOW,
    rules: { timing: defaultWinBackTiming, catalog: loadCatalogFile(defaultCatalogFile) },
    holdoutShare: 0.1,
    uplift: { difference: 0.03, low: 0.01, high: 0.05 },
  });
  for (const list of customers) backtest.addCustomer(list);
  const result = backtest.report();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  report(`replayed ${WINDOW.from}..${WINDOW.to}: ${result.entered} entries, ${result.messages.email} emails, ${result.messages.sms} SMS, ${result.messages.task} calls, cost $${result.costUsd.toFixed(2)}`);
  report(`replay: ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (${((cpuSeconds * 1e6) / CUSTOMERS).toFixed(0)} µs CPU per customer, ${((cpuSeconds * 1e6) / Math.max(1, result.entered)).toFixed(0)} µs per entry)`);
}
