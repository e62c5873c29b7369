/**
 * `npm run --silent comeback -- cost` as a store types it: the monthly bill by service from the
 * usage the benchmark measured, with no host running; bad input is one line on stderr.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateMonthlyCost, measuredUsageSchema } from '../../functions/core/cost.ts';
import { type CliRun, runComeback } from '../support/terminal.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let workDir: string;

beforeAll(() => {
  mkdirSync(join(root, '.comeback'), { recursive: true });
  workDir = mkdtempSync(join(root, '.comeback', 'cost-cli-'));
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function comeback(args: string[]): Promise<CliRun> {
  return runComeback(args, workDir, {});
}

const measured = measuredUsageSchema.parse(JSON.parse(readFileSync(new URL('../../lib/cost/measured-usage.json', import.meta.url), 'utf8')));

describe('npm run --silent comeback -- cost', () => {
  it('prints the monthly bill by service and its total from the measured usage, for 2.5 orders a year and an SMS share of 0.2 unless told', async () => {
    const answer = await comeback(['cost', '--customers', '100000']);

    expect(answer.stderr).toBe('');
    expect(answer.code).toBe(0);
    const lines = answer.stdout.trim().split('\n');
    expect(lines[0]).toBe('Monthly AWS bill at 100,000 customers, 2.5 orders per customer-year, SMS share 0.2');
    for (const service of ['Step Functions (Standard)', 'Lambda', 'DynamoDB (on-demand)', 'DynamoDB storage', 'SES (email)', 'SNS (SMS)', 'API Gateway (HTTP API)']) {
      expect(lines.some((line) => line.startsWith(service)), service).toBe(true);
    }
    const total = estimateMonthlyCost(measured, { customers: 100_000, ordersPerYear: 2.5, smsShare: 0.2 }).totalUsd;
    expect(lines.at(-1)).toMatch(new RegExp(`^Total\\s+\\$\\s*${total.toFixed(2).replace('.', '\\.')}$`));
  }, 60_000);

  it('takes the prices from a file when told', async () => {
    writeFileSync(join(workDir, 'prices.json'), JSON.stringify({ smsPerMessage: 0, recordedOn: '2026-12-01' }));

    const answer = await comeback(['cost', '--customers', '1000', '--sms-share', '1', '--prices', 'prices.json']);

    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain('list prices recorded on 2026-12-01');
    expect(answer.stdout).toMatch(/^SNS \(SMS\).*\$\s*0\.00$/m);
  }, 60_000);

  it.each([
    // The computation's own refusals are unit-tested (tests/unit/cost.test.ts); these reach the CLI's edge.
    [['cost', '--customers', 'many'], 'comeback: --customers needs a number, not "many"'],
    [['cost', '--customers', '10', '--prices', 'missing.json'], 'comeback: cannot read the prices file missing.json: ENOENT'],
    [
      ['cost', '--customers', '-5'],
      "comeback: Option '--customers' argument is ambiguous. Did you forget to specify the option argument for '--customers'? To specify an option argument starting with a dash use '--customers=-XYZ'.",
    ],
  ])('refuses %j in one line on stderr', async (args, message) => {
    const answer = await comeback(args);

    expect(answer.code).toBe(1);
    expect(answer.stdout).toBe('');
    expect(answer.stderr).toBe(`${message}\n`);
  }, 60_000);
});
