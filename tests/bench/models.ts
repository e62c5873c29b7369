/**
 * Benchmark of the customer models (not a test): fit time on the CDNOW master file (23,570
 * customers), fit time on 1,000,000 customers resampled with replacement from it (seeded), and
 * the time to score 1,000,000 customers. Every figure is measured on this run.
 */
import { readFileSync } from 'node:fs';
import {
  bgnbdExpectedPurchases,
  bgnbdProbabilityAlive,
  createSummaryBuilder,
  customerLifetimeValue,
  dayNumber,
  fitBgnbd,
  fitGammaGamma,
  seededRandom,
  spendModelCustomers,
} from '../../functions/core/models/index.ts';
import type { BgnbdFit, CustomerSummary, GammaGammaFit } from '../../functions/core/models/index.ts';
import { Predictor, type FittedModels } from '../../functions/core/analytics/predictions.ts';
import { recomputeSettings } from '../../functions/core/analytics/settings.ts';
import type { CustomerFacts } from '../../functions/core/analytics/facts.ts';
import { evaluateDraw, readCdnowMaster } from '../unit/models/holdout.ts';

const master = new URL('../fixtures/cdnow/CDNOW_master.txt', import.meta.url);
const calibrationEnd = '1997-09-30';
const unit = 'week' as const;
const resampled = 1_000_000;

/** One CDNOW customer's purchases: day numbers and dollar values. */
interface History {
  days: number[];
  amounts: number[];
}

function readMaster(): History[] {
  const byCustomer = new Map<string, History>();
  const lines = readFileSync(master, 'utf8').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const [customerId, date, , dollars] = (lines[i] ?? '').trim().split(/\s+/);
    if (!customerId || !date || dollars === undefined) continue;
    let history = byCustomer.get(customerId);
    if (!history) {
      history = { days: [], amounts: [] };
      byCustomer.set(customerId, history);
    }
    history.days.push(dayNumber(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`));
    history.amounts.push(Number(dollars));
  }
  return [...byCustomer.values()];
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

function timed<T>(work: () => T): { value: T; milliseconds: number } {
  const started = performance.now();
  const value = work();
  return { value, milliseconds: performance.now() - started };
}

function summarize(histories: readonly History[], pick: (i: number) => number, count: number): CustomerSummary[] {
  const builder = createSummaryBuilder({ calibrationEnd, unit });
  for (let i = 0; i < count; i++) {
    const history = histories[pick(i)];
    if (!history) continue;
    const id = `c${i}`;
    for (let k = 0; k < history.days.length; k++) builder.add(id, history.days[k] ?? 0, history.amounts[k] ?? 0);
  }
  return builder.finish();
}

function fitBoth(summaries: readonly CustomerSummary[]): { bgnbd: BgnbdFit; gammaGamma: GammaGammaFit; bgnbdMs: number; gammaGammaMs: number } {
  const bgnbd = timed(() => fitBgnbd(summaries));
  const gammaGamma = timed(() => fitGammaGamma(spendModelCustomers(summaries).customers));
  return { bgnbd: bgnbd.value, gammaGamma: gammaGamma.value, bgnbdMs: bgnbd.milliseconds, gammaGammaMs: gammaGamma.milliseconds };
}

function describeFit({ bgnbd, gammaGamma }: { bgnbd: BgnbdFit; gammaGamma: GammaGammaFit }): string {
  const { r, alpha, a, b } = bgnbd.params;
  const { p, q, gamma } = gammaGamma.params;
  return (
    `r=${r.toFixed(4)} alpha=${alpha.toFixed(4)} a=${a.toFixed(4)} b=${b.toFixed(4)} LL=${bgnbd.logLikelihood.toFixed(1)} ` +
    `(${bgnbd.evaluations} evaluations${bgnbd.converged ? '' : ', NOT converged'}); ` +
    `p=${p.toFixed(3)} q=${q.toFixed(3)} gamma=${gamma.toFixed(3)} on ${gammaGamma.customers} repeat buyers ` +
    `(${gammaGamma.evaluations} evaluations${gammaGamma.converged ? '' : ', NOT converged'})`
  );
}

export async function run(report: (line: string) => void): Promise<void> {
  const histories = readMaster();
  const transactions = histories.reduce((sum, history) => sum + history.days.length, 0);
  report(`CDNOW master: ${histories.length} customers, ${transactions} purchase lines; calibration end ${calibrationEnd}, unit ${unit}`);

  // Fit on the master file: the median of 5 runs, after one warm-up.
  const masterSummary = timed(() => summarize(histories, (i) => i, histories.length));
  fitBoth(masterSummary.value);
  const runs = Array.from({ length: 5 }, () => fitBoth(masterSummary.value));
  const median = (values: number[]): number => values.sort((u, v) => u - v)[Math.floor(values.length / 2)] ?? Number.NaN;
  report(`  summary of ${masterSummary.value.length} customers: ${seconds(masterSummary.milliseconds)}`);
  report(`  BG/NBD fit: ${seconds(median(runs.map((run) => run.bgnbdMs)))} (median of 5); Gamma-Gamma fit: ${seconds(median(runs.map((run) => run.gammaGammaMs)))}`);
  if (runs[0]) report(`  ${describeFit(runs[0])}`);

  // 1M customers resampled with replacement from the master customers.
  const random = seededRandom(20_250_101);
  const picks = Int32Array.from({ length: resampled }, () => Math.floor(random() * histories.length));
  const bigSummary = timed(() => summarize(histories, (i) => picks[i] ?? 0, resampled));
  const summaries = bigSummary.value;
  const resampledLines = Array.from(picks).reduce((sum, pick) => sum + (histories[pick]?.days.length ?? 0), 0);
  report(`${resampled.toLocaleString('en')} customers resampled from the master file (seeded), ${resampledLines.toLocaleString('en')} purchase lines:`);
  report(`  summary: ${seconds(bigSummary.milliseconds)}`);
  const big = fitBoth(summaries);
  report(`  BG/NBD fit: ${seconds(big.bgnbdMs)}; Gamma-Gamma fit: ${seconds(big.gammaGammaMs)}; total with summary: ${seconds(bigSummary.milliseconds + big.bgnbdMs + big.gammaGammaMs)}`);
  report(`  ${describeFit(big)}`);

  // Scoring the 1M customers with the model fitted on them.
  const bgnbd = big.bgnbd.params;
  const gammaGamma = big.gammaGamma.params;
  const ninetyDays = 90 / 7;
  const alive = new Float64Array(summaries.length);
  const purchases = new Float64Array(summaries.length);
  const value = new Float64Array(summaries.length);
  const aliveTime = timed(() => summaries.forEach((customer, i) => (alive[i] = bgnbdProbabilityAlive(bgnbd, customer))));
  const purchasesTime = timed(() => summaries.forEach((customer, i) => (purchases[i] = bgnbdExpectedPurchases(bgnbd, customer, ninetyDays))));
  const clvTime = timed(() =>
    summaries.forEach((customer, i) => (value[i] = customerLifetimeValue(bgnbd, gammaGamma, customer, { horizon: 365 / 7, discount: { ratePerPeriod: 0.01, periodLength: 365 / 7 / 12 } }))),
  );
  const mean = (values: Float64Array): number => values.reduce((sum, v) => sum + v, 0) / values.length;
  report(`scoring ${summaries.length.toLocaleString('en')} customers:`);
  report(`  P(alive): ${seconds(aliveTime.milliseconds)} (mean ${mean(alive).toFixed(4)})`);
  report(`  expected purchases in the next 90 days: ${seconds(purchasesTime.milliseconds)} (mean ${mean(purchases).toFixed(4)})`);
  report(`  CLV over 365 days, 12 monthly periods discounted at 1 %: ${seconds(clvTime.milliseconds)} (mean $${mean(value).toFixed(2)})`);
  report(`  all three: ${seconds(aliveTime.milliseconds + purchasesTime.milliseconds + clvTime.milliseconds)}`);

  reportMap(report, masterSummary.value);
}

/** MAP fits (weak priors) on the master file, their predictions with credible intervals, and the small-store holdout comparison with more draws than the test. */
function reportMap(report: (line: string) => void, summaries: readonly CustomerSummary[]): void {
  const bgnbd = timed(() => fitBgnbd(summaries, { prior: 'weak' }));
  const spend = timed(() => fitGammaGamma(spendModelCustomers(summaries).customers, { prior: 'weak' }));
  report(`MAP with the weak priors on the master file: BG/NBD ${seconds(bgnbd.milliseconds)}, Gamma-Gamma ${seconds(spend.milliseconds)} (each with its Laplace covariance)`);
  report(`  ${describeFit({ bgnbd: bgnbd.value, gammaGamma: spend.value })}`);

  // Predictions of the master file's customers in days, as the nightly recompute makes them.
  const inDays = summaries.map((customer) => ({ ...customer, tx: customer.tx * 7, T: customer.T * 7 }));
  const dayFit = fitBgnbd(inDays, { prior: 'weak' });
  const models: FittedModels = {
    fittedAt: 'bench',
    unit: 'day',
    available: true,
    customers: inDays.length,
    repeatBuyers: inDays.filter((customer) => customer.x > 0).length,
    sampled: inDays.length,
    bgnbd: { ...dayFit.params, logLikelihood: dayFit.logLikelihood, converged: dayFit.converged, ...(dayFit.covariance ? { covariance: dayFit.covariance } : {}) },
    gammaGamma: { USD: { ...spend.value.params, customers: spend.value.customers, converged: spend.value.converged, ...(spend.value.covariance ? { covariance: spend.value.covariance } : {}) } },
  };
  const rules = recomputeSettings({}).models;
  const facts = inDays.map((customer) => ({ customerId: customer.customerId, currency: 'USD', model: customer }) as unknown as CustomerFacts);
  const withoutCovariance: FittedModels['bgnbd'] = { ...dayFit.params, logLikelihood: dayFit.logLikelihood, converged: dayFit.converged };
  for (const [name, variant] of [
    ['without intervals', { ...models, bgnbd: withoutCovariance }],
    ['with intervals from 40 parameter draws', models],
    ['with intervals by the delta method (as above 25,000 customers)', { ...models, customers: 30_000 }],
  ] as const) {
    const predictor = new Predictor(variant, 10_000, rules);
    const time = timed(() => facts.forEach((customer) => predictor.predict(customer)));
    report(`  predictions of ${facts.length.toLocaleString('en')} customers in days ${name}: ${seconds(time.milliseconds)}`);
  }

  const population = readCdnowMaster();
  const draws = 30;
  report(`holdout error per customer on CDNOW subsamples, ${draws} seeded draws per size (39 weeks of calibration, 39 of holdout):`);
  report('  customers | repeat buyers | MAE MAP | MAE naive | RMSE MAP / naive | MLE usable | MAE MLE / MAP where MLE is usable | 80 % interval holds the count');
  for (const size of [50, 100, 200, 500]) {
    const results = Array.from({ length: draws }, (_, i) => evaluateDraw(population, size, 1000 * size + i));
    const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
    const usable = results.filter((result) => result.mleUsable);
    report(
      `  ${size} | ${mean(results.map((r) => r.repeatBuyers)).toFixed(1)} | ${mean(results.map((r) => r.mae.map)).toFixed(3)} | ${mean(results.map((r) => r.mae.naive)).toFixed(3)} | ` +
        `${mean(results.map((r) => r.rmse.map)).toFixed(3)} / ${mean(results.map((r) => r.rmse.naive)).toFixed(3)} | ${usable.length} of ${draws} | ` +
        `${mean(usable.map((r) => r.mae.mle)).toFixed(3)} / ${mean(usable.map((r) => r.mae.map)).toFixed(3)} | ${(100 * mean(results.map((r) => r.coverage))).toFixed(1)} %`,
    );
  }
}
