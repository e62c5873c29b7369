/**
 * `npm run --silent comeback -- import` as a store types it, against the local host started as
 * `npm start` starts it (its own process, DynamoDB Local and data directory), from a directory of
 * the user's: one JSON line on stdout, rejected lines in a file beside the input, nothing on stderr
 * when it is not a terminal, and a second import of the same file records nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devDefaults } from '../../lib/local/config.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';
import { type CliRun, jsonLine, runComeback, terminalEnvironment } from '../support/terminal.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

let host: HostProcess;
let workDir: string;

beforeAll(async () => {
  mkdirSync(join(root, '.comeback'), { recursive: true });
  workDir = mkdtempSync(join(root, '.comeback', 'import-cli-'));
  host = await startHostProcess({ COMEBACK_DATA_DIR: join(workDir, 'data'), COMEBACK_DEMO: 'off', COMEBACK_CLOCK_START: '2026-03-02T17:00:00Z' }, terminalEnvironment());
}, 120_000);

afterAll(async () => {
  await host?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function comeback(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runComeback(args, workDir, { COMEBACK_URL: host.url, ...env });
}

const header = 'orderId,customerId,placedAt,currency,total,email,phone,name,sku,category,quantity,unitPrice';

describe('npm run --silent comeback -- import', () => {
  it('imports a comeback-csv file, lists rejected lines beside it, and imports nothing the second time', async () => {
    writeFileSync(
      join(workDir, 'orders.csv'),
      [
        header,
        'cli-1,cli-ada,2025-11-02T10:00:00+02:00,USD,54.97,ada@example.com,+15555550123,Ada,DOG-FOOD,pet-food,1,39.99',
        'cli-1,,,,,,,,TOY,toys,3,4.99',
        'cli-2,cli-ada,2026-01-15,USD,12.00,,,,CAT-TREATS,pet-food,1,12.00',
        'cli-3,cli-bob,2026-02-01,USD,-5.00,,,,CAT-TREATS,pet-food,1,12.00',
        'cli-4,cli-bob,2026-02-03,USD,30.00,bob@example.com,,"Bob, the builder",BRICKS,toys,2,15.00',
        '',
      ].join('\n'),
    );
    const first = await comeback(['import', '--format', 'comeback-csv', '--file', 'orders.csv']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(jsonLine(first.stdout)).toEqual({ imported: 3, duplicates: 0, rejected: 1, customers: 2, seconds: expect.any(Number), rejectedFile: 'orders.csv.rejected.csv' });
    expect(readFileSync(join(workDir, 'orders.csv.rejected.csv'), 'utf8')).toBe(
      'line,orderId,reason\n5,cli-3,"the purchase has invalid amounts (total: ""-5.00"" is not a non-negative decimal amount)"\n',
    );

    const second = await comeback(['import', '--format', 'comeback-csv', '--file', 'orders.csv']);
    expect(second.code).toBe(0);
    expect(jsonLine(second.stdout)).toMatchObject({ imported: 0, duplicates: 3, rejected: 1, customers: 2 });

    const ada = await fetch(`${host.url}/v1/customers/cli-ada`, { headers: { authorization: `Bearer ${devDefaults.COMEBACK_ADMIN_TOKEN}` } });
    expect(await ada.json()).toMatchObject({ profile: { orderCount: 2, netRevenueMinor: 6697 } });
    // Nothing was sent for the imported orders: the outbox is empty.
    expect(await (await fetch(`${host.url}/_local/outbox`)).json()).toEqual({ items: [] });
  }, 120_000);

  it('imports a slice of the CDNOW master file and removes a stale list of rejected lines', async () => {
    const slice = readFileSync(new URL('../fixtures/imports/cdnow-2000.txt', import.meta.url), 'utf8').split('\r\n').slice(0, 301).join('\r\n');
    writeFileSync(join(workDir, 'cdnow.txt'), `${slice}\r\n`);
    writeFileSync(join(workDir, 'cdnow.txt.rejected.csv'), 'line,orderId,reason\n2,,left over\n');
    const answer = await comeback(['import', '--format', 'cdnow', '--file', 'cdnow.txt', '--currency', 'USD']);
    expect(answer.code).toBe(0);
    expect(jsonLine(answer.stdout)).toEqual({ imported: 300, duplicates: 0, rejected: 0, customers: 77, seconds: expect.any(Number) });
    expect(existsSync(join(workDir, 'cdnow.txt.rejected.csv'))).toBe(false);
  }, 240_000);

  it.each([
    [['import', '--format', 'magento-csv', '--file', 'orders.csv'], {}, /^comeback: import needs --format comeback-csv, shopify-csv, woocommerce-csv, cdnow, not "magento-csv"/],
    [['import', '--format', 'cdnow', '--file', 'missing.txt'], {}, /^comeback: cannot read missing\.txt: ENOENT/],
    [['import', '--format', 'comeback-csv', '--file', 'orders.csv'], { COMEBACK_ADMIN_TOKEN: 'wrong' }, /^comeback: the upload of lines 2-6 was refused: HTTP 401: this route needs the admin token: Authorization: Bearer <COMEBACK_ADMIN_TOKEN>$/m],
    [['import', '--format', 'shopify-csv', '--file', 'orders.csv'], {}, /^comeback: the upload of lines 2-6 was refused: HTTP 400: the header lacks the columns financial status, created at, lineitem quantity/],
  ])('fails with one line on stderr and exit code 1: %j', async (args, env, message) => {
    const answer = await comeback(args, env);
    expect(answer.code).toBe(1);
    expect(answer.stdout).toBe('');
    expect(answer.stderr.trim().split('\n')).toHaveLength(1);
    expect(answer.stderr).toMatch(message);
  }, 60_000);
});
