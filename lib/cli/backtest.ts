/**
 * `backtest --journey win-back --from <date> --to <date> --format <format> --file <path>
 *  [--currency USD] [--timezone UTC] [--holdout 0.1] [--uplift <share>] [--assume-consent] [--json]`
 *
 * Replays a store's order history (a file in one of the import formats, the one `import` takes) with
 * the journey's real entry rule and delivery guardrails (functions/core/backtest.ts), sends nothing,
 * and prints what would have happened: entrants, messages per step and channel with their cost, how
 * many entrants bought again anyway, and the expected extra orders and revenue at the journey's
 * uplift (--uplift, or else the one the local host measured, from GET /v1/metrics).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { configuredCatalog } from '../../functions/adapters/catalog-file.ts';
import { Backtest, backtestJourneys, ordersByCustomer, type BacktestJourney, type BacktestReport } from '../../functions/core/backtest.ts';
import { importFormatNames, type ImportFormatName } from '../../functions/core/imports/format.ts';
import { importFormats } from '../../functions/core/imports/formats/index.ts';
import { parseUpload } from '../../functions/core/imports/parse-upload.ts';
import { defaultWinBackTiming } from '../../functions/core/win-back.ts';
import { WIN_BACK_AFTER_DAYS } from '../../functions/core/journeys.ts';
import type { Uplift } from '../../functions/core/analytics/uplift.ts';
import { getJson } from '../local/client.ts';

export const backtestUsage = `backtest --journey ${backtestJourneys.join('|')} --from <YYYY-MM-DD> --to <YYYY-MM-DD> --format ${importFormatNames.join('|')} --file <path> [--currency USD] [--timezone UTC] [--holdout 0.1] [--uplift <share>] [--assume-consent] [--json]`;

export interface BacktestOutput {
  stdout: (text: string) => void;
}

export interface BacktestTarget {
  url: string;
  adminToken: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDate(value: string | undefined): value is string {
  return value !== undefined && DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

function share(name: string, value: string | undefined, low: number, high: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < low || number > high) throw new Error(`--${name} needs a number from ${low} to ${high}, not "${value}"`);
  return number;
}

export async function runBacktest(args: string[], target: BacktestTarget, out: BacktestOutput): Promise<BacktestReport> {
  const { values } = parseArgs({
    args,
    options: {
      journey: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      file: { type: 'string' },
      currency: { type: 'string', default: 'USD' },
      timezone: { type: 'string', default: 'UTC' },
      holdout: { type: 'string', default: '0.1' },
      uplift: { type: 'string' },
      'assume-consent': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.journey || !(backtestJourneys as readonly string[]).includes(values.journey)) throw new Error(`--journey must be one of ${backtestJourneys.join(', ')}; usage: ${backtestUsage}`);
  if (!isDate(values.from) || !isDate(values.to)) throw new Error(`--from and --to need YYYY-MM-DD dates; usage: ${backtestUsage}`);
  if (values.from > values.to) throw new Error('--from must not be after --to');
  if (!values.format || !(importFormatNames as readonly string[]).includes(values.format)) throw new Error(`--format must be one of ${importFormatNames.join(', ')}`);
  if (!values.file) throw new Error(`--file is needed; usage: ${backtestUsage}`);
  const holdoutShare = share('holdout', values.holdout, 0, 0.5) ?? 0.1;
  const givenUplift = share('uplift', values.uplift, -1, 1);

  const started = performance.now();
  const format = importFormats[values.format as ImportFormatName];
  let text: string;
  try {
    text = readFileSync(values.file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${values.file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = parseUpload(format, text, { firstLine: format.layout === 'csv' ? 2 : 1, now: new Date(), currency: values.currency, timeZone: values.timezone });
  const parsedAt = performance.now();
  const uplift = givenUplift !== undefined ? { difference: givenUplift, low: givenUplift, high: givenUplift } : await measuredUplift(target, values.journey as BacktestJourney);

  const backtest = new Backtest({
    journey: values.journey as BacktestJourney,
    from: values.from,
    to: values.to,
    rules: { timing: { ...defaultWinBackTiming, fallbackDays: WIN_BACK_AFTER_DAYS }, catalog: configuredCatalog() },
    holdoutShare,
    assumeConsent: values['assume-consent'],
    uplift,
  });
  for (const orders of ordersByCustomer(parsed.orders.map((order) => order.purchase)).values()) backtest.addCustomer(orders);
  const report = backtest.report();
  const finished = performance.now();
  const timing = { readSeconds: round((parsedAt - started) / 1000), replaySeconds: round((finished - parsedAt) / 1000), rejectedLines: parsed.rejections.length };
  out.stdout(values.json ? `${JSON.stringify({ ...report, ...timing })}\n` : renderBacktest(report, { ...timing, holdoutShare, upliftSource: givenUplift !== undefined ? '--uplift' : uplift ? 'measured by the holdout (GET /v1/metrics)' : 'none' }));
  return report;
}

/** The journey's uplift on the latest day the host's metrics know it; null when there is none or no host. */
async function measuredUplift(target: BacktestTarget, journey: BacktestJourney): Promise<Uplift | null> {
  try {
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
    const answer = await getJson(target.url, `/v1/metrics?from=${from}&to=${to}`, target.adminToken);
    if (answer.status !== 200) return null;
    const days = (answer.body as { days?: { journeys?: Record<string, { uplift?: Uplift | null }> }[] }).days ?? [];
    for (const day of [...days].reverse()) {
      const uplift = day.journeys?.[journey]?.uplift;
      if (uplift) return uplift;
    }
    return null;
  } catch {
    return null;
  }
}

const round = (value: number) => Math.round(value * 100) / 100;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const money = (minor: number) => (minor / 100).toFixed(2);

export function renderBacktest(report: BacktestReport, context: { readSeconds: number; replaySeconds: number; rejectedLines: number; holdoutShare: number; upliftSource: string }): string {
  const lines = [
    `Backtest of ${report.journey}, entries ${report.from} to ${report.to}: nothing was sent`,
    `  history: ${report.customers} customers, ${report.orders} orders (${context.rejectedLines} lines rejected); read in ${context.readSeconds} s, replayed in ${context.replaySeconds} s`,
    `  entered: ${report.entered} (treated ${report.treated}, holdout ${report.holdout} at a ${percent(context.holdoutShare)} share)`,
    '  messages per step:',
    ...report.steps.map((step) => {
      const notSent = Object.entries(step.notSent)
        .map(([reason, count]) => `${count} ${reason}`)
        .join(', ');
      return `    ${step.step.padEnd(16)} ${step.channel.padEnd(5)} sent ${String(step.sent).padStart(7)}   cost $${step.costUsd.toFixed(2).padStart(9)}   bought before it ${step.converted}   held out ${step.heldOut}${step.deferredFirst ? `   deferred first ${step.deferredFirst}` : ''}${notSent ? `   not sent: ${notSent}` : ''}`;
    }),
    `  total: ${report.messages.email} emails, ${report.messages.sms} SMS, ${report.messages.task} manager calls; cost $${report.costUsd.toFixed(2)}`,
    `  bought again by ${report.to} anyway: ${report.boughtAgainAnyway.customers} of ${report.entered} entrants${report.boughtAgainAnyway.share === null ? '' : ` (${percent(report.boughtAgainAnyway.share)})`}, ${report.boughtAgainAnyway.orders} orders`,
  ];
  const { expected } = report;
  if (expected.uplift && expected.extraOrders) {
    lines.push(
      `  expected if the journey works as the holdout says (uplift ${(expected.uplift.difference * 100).toFixed(1)} pts [${(expected.uplift.low * 100).toFixed(1)}, ${(expected.uplift.high * 100).toFixed(1)}], ${context.upliftSource}):`,
      `    extra orders ${expected.extraOrders.expected.toFixed(1)} [${expected.extraOrders.low.toFixed(1)}, ${expected.extraOrders.high.toFixed(1)}]`,
      ...Object.entries(expected.extraRevenueMinor ?? {}).map(
        ([currency, revenue]) => `    extra revenue ${currency} ${money(revenue.expected)} [${money(revenue.low)}, ${money(revenue.high)}] at the entrants' own average order value`,
      ),
    );
  } else {
    lines.push(`  expected extra orders and revenue: n/a (${expected.reason ?? 'no uplift'})`);
  }
  return `${lines.join('\n')}\n`;
}
