/**
 * The local host keeps its journeys as the deployed system does: a store run at a person's pace
 * (real minutes between clicks) and restarted half way sends exactly what a store run straight
 * through sends, at the same virtual instants. Both hosts are `node bin/local.ts` (what
 * `npm start` runs), spoken to over HTTP, each with its own data directory and the same clock start.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, postJson, postSignedPurchase } from '../../lib/local/client.ts';
import { samplePurchase } from '../../lib/local/sample.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';

const secret = 'whsec_durable_test';
const adminToken = 'durable-admin-token';
const clockStart = '2026-03-02T12:30:00.000Z';
const directories: string[] = [];

function startHost(dataDir: string): Promise<HostProcess> {
  return startHostProcess({
    COMEBACK_DATA_DIR: dataDir,
    COMEBACK_CLOCK_START: clockStart,
    COMEBACK_DEMO: 'off',
    COMEBACK_WEBHOOK_SECRET: secret,
    COMEBACK_ADMIN_TOKEN: adminToken,
    COMEBACK_OUTBOX_PRINT: 'off',
  });
}

/** Three customers in three time zones, all consenting to email and SMS. */
const customers = [
  { id: 'durable-new-york', timezone: 'America/New_York', phone: '+12125550101' },
  { id: 'durable-kyiv', timezone: 'Europe/Kyiv', phone: '+380441234567' },
  { id: 'durable-tokyo', timezone: 'Asia/Tokyo', phone: '+81312345678' },
];

async function postPurchases(host: HostProcess): Promise<void> {
  for (const [index, customer] of customers.entries()) {
    const purchase = samplePurchase({ orderId: `durable-order-${index}`, customerId: customer.id, placedAt: new Date(clockStart) });
    const posted = await postSignedPurchase(host.url, secret, { ...purchase, customer: { ...purchase.customer, timezone: customer.timezone, phone: customer.phone, email: `${customer.id}@example.com` } });
    expect(posted.status).toBe(202);
  }
}

async function advance(host: HostProcess, days: number): Promise<void> {
  const answer = await postJson(host.url, '/_local/clock/advance', { days });
  expect(answer.status).toBe(200);
}

interface OutboxLine {
  at: string;
  customerId: string;
  journey: string;
  step: string;
  channel: string;
  status: string;
}

async function outcome(host: HostProcess): Promise<{ outbox: string[]; tasks: string[] }> {
  const outbox = await getJson(host.url, '/_local/outbox');
  const tasks = await getJson(host.url, '/v1/tasks?status=open', adminToken);
  const items = (outbox.body as { items: OutboxLine[] }).items.filter((item) => item.customerId.startsWith('durable-'));
  return {
    outbox: items.map((item) => `${item.at} ${item.customerId} ${item.journey}/${item.step} ${item.channel} ${item.status}`),
    tasks: (tasks.body as { items: { customerId: string; journey: string; reason: string; dueAt: string }[] }).items.map((task) => `${task.dueAt} ${task.customerId} ${task.journey} ${task.reason}`).sort(),
  };
}

/** Days the clock moves, in the person's steps: a week, to win-back, its SMS, its call. */
const steps = [7, 53, 7, 7];

async function straightThrough(): Promise<{ outbox: string[]; tasks: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'comeback-straight-'));
  directories.push(dataDir);
  const host = await startHost(dataDir);
  try {
    await postPurchases(host);
    for (const days of steps) await advance(host, days);
    return await outcome(host);
  } finally {
    await host.stop();
  }
}

describe('journeys on the local host', () => {
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  it(
    'wait through minutes of real time and a restart, and send what a run straight through sends',
    async () => {
      // Prepare: the same store, run straight through, alongside.
      const reference = straightThrough();
      const dataDir = mkdtempSync(join(tmpdir(), 'comeback-restarted-'));
      directories.push(dataDir);

      // Act: purchases, then a person who comes back after more than a minute of real time (the
      // interpreter's own timeout of a Task), advances, restarts the host, and goes on.
      let host = await startHost(dataDir);
      await postPurchases(host);
      await new Promise((pause) => setTimeout(pause, 65_000));
      await advance(host, steps[0]!);
      const beforeRestart = await getJson(host.url, '/_local/executions');
      await host.stop();
      expect(JSON.parse(readFileSync(join(dataDir, 'clock.json'), 'utf8'))).toEqual({ now: '2026-03-09T12:30:00.000Z' });

      host = await startHost(dataDir);
      try {
        expect(host.output()).toContain('clock:       2026-03-09T12:30:00.000Z');
        const running = (beforeRestart.body as { items: { status: string }[] }).items.filter((execution) => execution.status === 'RUNNING').length;
        expect(running).toBeGreaterThan(0);
        expect(host.output()).toContain(`journeys:    ${running} waiting executions resumed`);
        for (const days of steps.slice(1)) await advance(host, days);
        const restarted = await outcome(host);

        // Assess: the same messages and tasks at the same instants, and nothing failed.
        const straight = await reference;
        expect(restarted).toEqual(straight);
        expect(straight.outbox.filter((line) => line.endsWith(' sent')).length).toBeGreaterThanOrEqual(customers.length * 6);
        for (const customer of customers) {
          const lines = straight.outbox.filter((line) => line.includes(` ${customer.id} `) && line.endsWith(' sent'));
          expect(lines.map((line) => line.split(' ')[2])).toEqual([
            'post-purchase/thank-you',
            'post-purchase/feedback',
            // The dog food runs out: the catalog's consumption cycle, a week before.
            'replenishment/replenishment',
            'post-purchase/content',
            'win-back/miss-you-email',
            'win-back/reminder-sms',
            'win-back/manager-call',
          ]);
        }
        expect(straight.tasks.filter((task) => task.includes(' win-back '))).toHaveLength(customers.length);
        const executions = (await getJson(host.url, '/_local/executions')).body as { items: { status: string; error?: string }[] };
        expect(executions.items.filter((execution) => execution.status === 'FAILED')).toEqual([]);
      } finally {
        await host.stop();
      }
    },
    300_000,
  );

  it('keeps the clock under the data directory, and moves it back only while nothing is recorded', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'comeback-clock-'));
    directories.push(dataDir);
    let host = await startHost(dataDir);
    try {
      expect(existsSync(join(dataDir, 'clock.json'))).toBe(true);
      expect((await getJson(host.url, '/_local/clock')).body).toEqual({ now: clockStart });

      const back = await postJson(host.url, '/_local/clock/set', { now: '2025-12-31T23:00:00+02:00' });
      expect(back).toEqual({ status: 200, body: { now: '2025-12-31T21:00:00.000Z' } });
      const forward = await postJson(host.url, '/_local/clock/set', { now: '2026-01-10T08:00:00Z' });
      expect(forward).toEqual({ status: 200, body: { now: '2026-01-10T08:00:00.000Z' } });
      expect((await postJson(host.url, '/_local/clock/set', { now: 'yesterday' })).status).toBe(400);

      await postPurchases(host);
      const refused = await postJson(host.url, '/_local/clock/set', { now: '2026-01-01T00:00:00Z' });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ status: 409, detail: expect.stringContaining('only forward') });

      await host.stop();
      host = await startHost(dataDir);
      // The clock start applies to a new data directory only: the kept clock goes on.
      expect((await getJson(host.url, '/_local/clock')).body).toEqual({ now: '2026-01-10T08:00:00.000Z' });
    } finally {
      await host.stop();
    }
  }, 120_000);
});
