/**
 * The models on real data: the CDNOW purchase history of Fader & Hardie. The sample must give the
 * published estimates; other calibration windows on the full file must fit cleanly; the
 * `model fit` command must give the same numbers from a CSV.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bgnbdExpectedPurchases,
  bgnbdExpectedPurchasesNewCustomer,
  fitBgnbd,
  fitGammaGamma,
  spendModelCustomers,
  summarizeTransactions,
} from '../../../functions/core/models/index.ts';
import type { BgnbdFit, CustomerSummary, GammaGammaFit, Transaction } from '../../../functions/core/models/index.ts';
import { runModelFit } from '../../../lib/cli/model-fit.ts';

const dataDirectory = new URL('../../fixtures/cdnow/', import.meta.url);

function isoDate(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

/** CDNOW_sample.txt: master id, sample id, YYYYMMDD, CDs, dollars. */
function sampleTransactions(): Transaction[] {
  const text = readFileSync(new URL('CDNOW_sample.txt', dataDirectory), 'utf8');
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 5)
    .map(([, sampleId = '', date = '', , dollars = '']) => ({ customerId: sampleId, date: isoDate(date), amount: Number(dollars) }));
}

/** CDNOW_master.txt: a header line, then customer id, YYYYMMDD, CDs, dollars. */
function masterTransactions(): Transaction[] {
  const text = readFileSync(new URL('CDNOW_master.txt', dataDirectory), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 4)
    .map(([customerId = '', date = '', , dollars = '']) => ({ customerId, date: isoDate(date), amount: Number(dollars) }));
}

describe('CDNOW sample, calibration 1997-01-01..1997-09-30 in weeks', () => {
  let summaries: CustomerSummary[];
  let bgnbd: BgnbdFit;
  let gammaGamma: GammaGammaFit;
  let leftOut: number;

  beforeAll(() => {
    summaries = summarizeTransactions(sampleTransactions(), { calibrationEnd: '1997-09-30', unit: 'week' });
    bgnbd = fitBgnbd(summaries);
    const spend = spendModelCustomers(summaries);
    leftOut = spend.nonPositive;
    gammaGamma = fitGammaGamma(spend.customers);
  });

  it('summarises customer 1 as in the papers’ data set (x = 2, tx = 30.43, T = 38.86)', () => {
    expect(summaries).toHaveLength(2357);
    const first = summaries.find((summary) => summary.customerId === '0001');
    expect(first?.x).toBe(2);
    expect(first?.tx).toBeCloseTo(30.43, 2);
    expect(first?.T).toBeCloseTo(38.86, 2);
  });

  it('reproduces the published BG/NBD estimates and log-likelihood', () => {
    expect(bgnbd.converged).toBe(true);
    expect(bgnbd.params.r.toFixed(3)).toBe('0.243');
    expect(bgnbd.params.alpha.toFixed(3)).toBe('4.414');
    expect(bgnbd.params.a.toFixed(3)).toBe('0.793');
    expect(bgnbd.params.b.toFixed(3)).toBe('2.426');
    expect(bgnbd.logLikelihood.toFixed(1)).toBe('-9582.4');
  });

  it('needs T measured to 1997-09-30: a period ending at 1997-10-01 does not give the published values', () => {
    const longer = fitBgnbd(summaries.map((summary) => ({ ...summary, T: summary.T + 1 / 7 })));
    expect(longer.params.a.toFixed(3)).not.toBe('0.793');
    expect(longer.logLikelihood.toFixed(1)).not.toBe('-9582.4');
  });

  it('reproduces the published Gamma-Gamma estimates on the 946 repeat buyers', () => {
    expect(gammaGamma.converged).toBe(true);
    expect(gammaGamma.customers).toBe(946);
    expect(leftOut).toBe(0);
    expect(gammaGamma.params.p.toFixed(2)).toBe('6.25');
    expect(gammaGamma.params.q.toFixed(2)).toBe('3.74');
    expect(gammaGamma.params.gamma.toFixed(2)).toBe('15.44');
  });

  it('reproduces the expected purchases of the BG/NBD spreadsheet (Fader, Hardie & Lee, Excel note)', () => {
    // Customer 1 over the 39 weeks after calibration.
    expect(bgnbdExpectedPurchases(bgnbd.params, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
    // A new customer over t weeks, eq. (9).
    const horizons = [0.1429, 1, 3, 31.8571, 32];
    const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437];
    horizons.forEach((t, i) => expect(bgnbdExpectedPurchasesNewCustomer(bgnbd.params, t)).toBeCloseTo(published[i] ?? 0, 4));
  });
});

describe('CDNOW master, other calibration windows', () => {
  const transactions = masterTransactions();

  for (const [calibrationEnd, unit] of [
    ['1997-06-30', 'week'],
    ['1998-03-31', 'day'],
  ] as const) {
    it(`fits cleanly with calibration end ${calibrationEnd} in ${unit}s`, () => {
      const summaries = summarizeTransactions(transactions, { calibrationEnd, unit });
      expect(summaries).toHaveLength(23_570);
      const bgnbd = fitBgnbd(summaries);
      expect(bgnbd.converged).toBe(true);
      expect(Number.isFinite(bgnbd.logLikelihood)).toBe(true);
      for (const value of Object.values(bgnbd.params)) {
        expect(value).toBeGreaterThan(0);
        expect(Number.isFinite(value)).toBe(true);
      }
      const gammaGamma = fitGammaGamma(spendModelCustomers(summaries).customers);
      expect(gammaGamma.converged).toBe(true);
      for (const value of Object.values(gammaGamma.params)) {
        expect(value).toBeGreaterThan(0);
        expect(Number.isFinite(value)).toBe(true);
      }
    });
  }
});

describe('model fit command', () => {
  let directory: string;
  let csv: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'comeback-model-fit-'));
    csv = join(directory, 'cdnow.csv');
    const lines = ['customer_id,date,amount', ...sampleTransactions().map((t) => `${t.customerId},${t.date},${t.amount}`)];
    writeFileSync(csv, `${lines.join('\n')}\n`);
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function capture(): { stdout: string[]; stderr: string[]; out: { stdout: (text: string) => void; stderr: (text: string) => void } } {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { stdout, stderr, out: { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) } };
  }

  it('prints the published CDNOW estimates as one JSON document', async () => {
    const { stdout, stderr, out } = capture();
    await runModelFit(['--csv', csv, '--calibration-end', '1997-09-30', '--unit', 'week'], out);
    expect(stdout).toHaveLength(1);
    const document = JSON.parse(stdout[0] ?? '') as {
      customers: number;
      bgnbd: Record<string, number>;
      gammaGamma: Record<string, number>;
    };
    expect(Object.keys(document)).toEqual(['customers', 'bgnbd', 'gammaGamma']);
    expect(Object.keys(document.bgnbd)).toEqual(['r', 'alpha', 'a', 'b', 'logLikelihood']);
    expect(Object.keys(document.gammaGamma)).toEqual(['p', 'q', 'gamma', 'customers']);
    expect(document.customers).toBe(2357);
    expect(document.bgnbd.r?.toFixed(3)).toBe('0.243');
    expect(document.bgnbd.alpha?.toFixed(3)).toBe('4.414');
    expect(document.bgnbd.a?.toFixed(3)).toBe('0.793');
    expect(document.bgnbd.b?.toFixed(3)).toBe('2.426');
    expect(document.bgnbd.logLikelihood?.toFixed(1)).toBe('-9582.4');
    expect(document.gammaGamma.p?.toFixed(2)).toBe('6.25');
    expect(document.gammaGamma.q?.toFixed(2)).toBe('3.74');
    expect(document.gammaGamma.gamma?.toFixed(2)).toBe('15.44');
    expect(document.gammaGamma.customers).toBe(946);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^0 repeat buyer\(s\) left out of the spend model/);
    expect(stderr[0]?.trimEnd()).not.toContain('\n');
  });

  it('counts repeat buyers whose mean repeat value is not positive', async () => {
    const file = join(directory, 'refunds.csv');
    writeFileSync(
      file,
      [
        'customer_id,date,amount',
        'a,2024-01-01,10',
        'a,2024-02-01,0',
        'b,2024-01-05,20',
        'b,2024-01-20,30',
        'b,2024-03-01,25',
        'c,2024-01-10,15',
        'c,2024-02-10,12.5',
        'd,2024-01-12,8',
        'e,2024-01-03,40',
        'e,2024-02-03,-5',
        'f,2024-01-15,9',
        'f,2024-03-15,19',
      ].join('\n'),
    );
    const { stdout, stderr, out } = capture();
    await runModelFit(['--csv', file, '--calibration-end', '2024-03-31', '--unit', 'day'], out);
    const document = JSON.parse(stdout[0] ?? '') as { customers: number; gammaGamma: { customers: number } };
    expect(document.customers).toBe(6);
    expect(document.gammaGamma.customers).toBe(3);
    expect(stderr[0]).toMatch(/^2 repeat buyer\(s\) left out/);
  });

  const cases: [string, string, string[], RegExp][] = [
    ['a missing flag', '', ['--unit', 'week', '--calibration-end', '1997-09-30'], /missing --csv/],
    ['an unknown flag', '', ['--csv', 'x.csv', '--calibration-end', '1997-09-30', '--unit', 'week', '--verbose'], /Unknown option '--verbose'/],
    ['a bad unit', '', ['--csv', 'x.csv', '--calibration-end', '1997-09-30', '--unit', 'month'], /--unit must be week or day/],
    ['a bad calibration end', '', ['--csv', 'x.csv', '--calibration-end', '1997-09-31', '--unit', 'week'], /--calibration-end: "1997-09-31" is not a calendar date/],
    ['an unreadable file', '', ['--calibration-end', '1997-09-30', '--unit', 'week'], /cannot read .*missing\.csv: ENOENT/],
    ['a bad header', 'customer,date,amount\n1,1997-01-01,3\n', ['--calibration-end', '1997-09-30', '--unit', 'week'], /bad header on line 1/],
    ['a bad date', 'customer_id,date,amount\n1,1997-01-01,3\n1,1997/01/02,4\n', ['--calibration-end', '1997-09-30', '--unit', 'week'], /bad date "1997\/01\/02" on line 3/],
    ['a bad amount', 'customer_id,date,amount\n1,1997-01-01,3\n\n1,1997-01-02,4$\n', ['--calibration-end', '1997-09-30', '--unit', 'week'], /bad amount "4\$" on line 4/],
    ['a short line', 'customer_id,date,amount\n1,1997-01-01\n', ['--calibration-end', '1997-09-30', '--unit', 'week'], /line 2 has 2 fields, expected 3/],
    ['an empty file', '', ['--calibration-end', '1997-09-30', '--unit', 'week'], /empty file/],
  ];

  for (const [name, content, args, message] of cases) {
    it(`rejects ${name} with a one-line message`, async () => {
      const fullArgs = [...args];
      if (!args.includes('--csv') && !(name === 'a missing flag')) {
        const file = join(directory, name === 'an unreadable file' ? 'missing.csv' : `${name.replaceAll(' ', '-')}.csv`);
        if (name !== 'an unreadable file') writeFileSync(file, content);
        fullArgs.push('--csv', file);
      }
      const { stdout, out } = capture();
      const error = await runModelFit(fullArgs, out).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
      expect(stdout).toHaveLength(0);
    });
  }
});
