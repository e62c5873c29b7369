/**
 * `npm run --silent comeback -- backtest` as a store types it, on the first customers of the CDNOW
 * history, without a running host (the uplift is given): the figures it prints are computed here
 * again from the file by the rule as the README states it, independently of the replay.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../functions/core/backtest.ts';
import { type CliRun, runComeback } from '../support/terminal.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let workDir: string;
const LINES = 4000;

function comeback(args: string[]): Promise<CliRun> {
  // Nothing listens on port 9: the CLI needs no host when the uplift is given.
  return runComeback(args, workDir, { COMEBACK_URL: 'http://127.0.0.1:9' });
}

beforeAll(() => {
  mkdirSync(join(root, '.comeback'), { recursive: true });
  workDir = mkdtempSync(join(root, '.comeback', 'backtest-cli-'));
  const master = readFileSync(join(root, 'tests/fixtures/cdnow/CDNOW_master.txt'), 'utf8').split('\n');
  writeFileSync(join(workDir, 'cdnow.txt'), `${master.slice(0, LINES + 1).join('\n')}\n`);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const dayOf = (yyyymmdd: string) => Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))) / DAY;

/** The rule, restated: due after ceil(1.5 x median gap) days (at least 14) with 2+ gaps, else 60. */
function expectedFigures(text: string, from: string, to: string) {
  const byCustomer = new Map<string, { day: number; dollars: number }[]>();
  for (const line of text.split('\n').slice(1)) {
    const [id, date, , dollars] = line.trim().split(/\s+/);
    if (!id || !date) continue;
    const orders = byCustomer.get(id) ?? [];
    orders.push({ day: dayOf(date), dollars: Number(dollars) });
    byCustomer.set(id, orders);
  }
  const [fromDay, toDay] = [dayOf(from.replaceAll('-', '')), dayOf(to.replaceAll('-', ''))];
  const figures = { customers: byCustomer.size, entered: 0, sms: 0, calls: 0, boughtAgain: 0, revenue: 0 };
  for (const orders of byCustomer.values()) {
    const days = [...new Set(orders.map((order) => order.day))].sort((u, v) => u - v);
    for (let index = 0; index < days.length; index++) {
      const gaps = days.slice(1, index + 1).map((day, k) => day - days[k]!);
      const sorted = [...gaps].sort((u, v) => u - v);
      const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
      const wait = gaps.length >= 2 ? Math.max(14, Math.ceil(median * 1.5)) : 60;
      const entryDay = days[index]! + wait;
      const next = days[index + 1];
      if (next !== undefined && next <= entryDay) continue;
      if (entryDay < fromDay || entryDay > toDay) continue;
      figures.entered++;
      if (next === undefined || next > entryDay + 7) figures.sms++;
      if (next === undefined || next > entryDay + 14) figures.calls++;
      if (next !== undefined && next <= toDay) figures.boughtAgain++;
      const before = orders.filter((order) => order.day <= days[index]!);
      figures.revenue += before.reduce((sum, order) => sum + order.dollars, 0) / before.length;
    }
  }
  return figures;
}

describe('npm run --silent comeback -- backtest', () => {
  it('replays win-back on CDNOW, sending nothing, and prints what the rule gives', async () => {
    const args = ['backtest', '--journey', 'win-back', '--from', '1997-04-01', '--to', '1998-03-31', '--format', 'cdnow', '--file', 'cdnow.txt'];
    const [text, json] = await Promise.all([
      comeback([...args, '--assume-consent', '--holdout', '0', '--uplift', '0.05']),
      comeback([...args, '--assume-consent', '--holdout', '0', '--uplift', '0.05', '--json']),
    ]);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as BacktestReport;
    const expected = expectedFigures(readFileSync(join(workDir, 'cdnow.txt'), 'utf8'), '1997-04-01', '1998-03-31');

    expect(expected.entered).toBeGreaterThan(100);
    expect(report).toMatchObject({ customers: expected.customers, orders: LINES, entered: expected.entered, treated: expected.entered, holdout: 0 });
    expect(report.messages).toEqual({ email: expected.entered, sms: expected.sms, task: expected.calls });
    expect(report.costUsd).toBeCloseTo(expected.entered * 0.0001 + expected.sms * 0.00645, 3);
    expect(report.boughtAgainAnyway.customers).toBe(expected.boughtAgain);
    expect(report.expected.extraOrders?.expected).toBeCloseTo(expected.entered * 0.05, 6);
    expect((report.expected.extraRevenueMinor?.['USD']?.expected ?? 0) / 100).toBeCloseTo(expected.revenue * 0.05, 0);

    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Backtest of win-back, entries 1997-04-01 to 1998-03-31: nothing was sent');
    expect(text.stdout).toContain(`  entered: ${expected.entered} (treated ${expected.entered}, holdout 0 at a 0.0% share)`);
    expect(text.stdout).toMatch(new RegExp(`reminder-sms +sms +sent +${expected.sms} `));
  }, 120_000);

  it('without consent in the history, sends nothing and says why; bad input is one line', async () => {
    const plain = await comeback(['backtest', '--journey', 'win-back', '--from', '1997-04-01', '--to', '1997-06-30', '--format', 'cdnow', '--file', 'cdnow.txt', '--uplift', '0.05', '--json']);
    const report = JSON.parse(plain.stdout) as { messages: Record<string, number>; steps: { notSent: Record<string, number> }[] };
    expect(report.messages).toMatchObject({ email: 0, sms: 0 });
    expect(Object.keys(report.steps[0]!.notSent)).toEqual(['no email address']);

    const bad = await comeback(['backtest', '--journey', 'win-back', '--from', '1998-01-01', '--to', '1997-01-01', '--format', 'cdnow', '--file', 'cdnow.txt']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('comeback: --from must not be after --to\n');
    expect(bad.stdout).toBe('');
  }, 120_000);
});
