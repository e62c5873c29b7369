/**
 * The local host keeps its journeys as the deployed system does: a store run at a person's pace
 * (real minutes between clicks) and restarted half way sends exactly what the same store run straight
 * through sends, at the same virtual instants. Those are written out below (`straightThrough`), as a
 * host run straight through, with no pause and no restart, sent them: a second host running the same
 * 74 days beside this one cost 42 s of CPU (the file alone: 123 s, now 81). The host is
 * `node bin/local.ts` (what `npm start` runs), spoken to over HTTP, with its own data directory.
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
    // Messages of the same instant are listed in no fixed order: sorted, the instant comes first.
    outbox: items.map((item) => `${item.at} ${item.customerId} ${item.journey}/${item.step} ${item.channel} ${item.status}`).sort(),
    tasks: (tasks.body as { items: { customerId: string; journey: string; reason: string; dueAt: string }[] }).items.map((task) => `${task.dueAt} ${task.customerId} ${task.journey} ${task.reason}`).sort(),
  };
}

/** Days the clock moves, in the person's steps: a week, to win-back, its SMS, its call. */
const steps = [7, 53, 7, 7];

/**
 * What the three customers are sent, and the open tasks, after those steps taken straight through:
 * "instant customer journey/step channel status", in time order. A message due in the customer's
 * quiet hours (21:00-09:00 local) is deferred to 09:00 there plus the customer's own minute; the call
 * task is due a day after the call step.
 */
const straightThrough = {
  outbox: [
    '2026-03-02T12:30:00.000Z durable-kyiv post-purchase/thank-you email sent',
    '2026-03-02T12:30:00.000Z durable-new-york post-purchase/thank-you email sent',
    '2026-03-02T12:30:00.000Z durable-tokyo post-purchase/thank-you email sent',
    '2026-03-09T12:30:00.000Z durable-kyiv post-purchase/feedback email sent',
    '2026-03-09T13:47:00.000Z durable-new-york post-purchase/feedback email sent',
    '2026-03-10T00:01:00.000Z durable-tokyo post-purchase/feedback email sent',
    // The dog food runs out: the catalog's consumption cycle, a week before (the hourly loyalty dispatch).
    '2026-03-25T13:15:00.000Z durable-kyiv replenishment/replenishment email sent',
    '2026-03-25T13:15:00.000Z durable-new-york replenishment/replenishment email sent',
    '2026-03-25T13:15:00.000Z durable-tokyo replenishment/replenishment email deferred',
    '2026-03-26T00:15:00.000Z durable-tokyo replenishment/replenishment email sent',
    '2026-04-01T12:30:00.000Z durable-kyiv post-purchase/content email sent',
    '2026-04-01T13:47:00.000Z durable-new-york post-purchase/content email sent',
    '2026-04-02T00:01:00.000Z durable-tokyo post-purchase/content email sent',
    // Win-back from the nightly sweep at 02:00 UTC, 60 days after the order.
    '2026-05-01T02:00:00.000Z durable-kyiv win-back/miss-you-email email deferred',
    '2026-05-01T02:00:00.000Z durable-new-york win-back/miss-you-email email deferred',
    '2026-05-01T02:00:00.000Z durable-tokyo win-back/miss-you-email email sent',
    '2026-05-01T06:00:00.000Z durable-kyiv win-back/miss-you-email email sent',
    '2026-05-01T13:47:00.000Z durable-new-york win-back/miss-you-email email sent',
    '2026-05-08T02:00:00.000Z durable-tokyo win-back/reminder-sms sms sent',
    '2026-05-08T06:00:00.000Z durable-kyiv win-back/reminder-sms sms sent',
    '2026-05-08T13:47:00.000Z durable-new-york win-back/reminder-sms sms sent',
    '2026-05-15T02:00:00.000Z durable-kyiv win-back/manager-call task sent',
    '2026-05-15T02:00:00.000Z durable-new-york win-back/manager-call task sent',
    '2026-05-15T02:00:00.000Z durable-tokyo win-back/manager-call task sent',
  ],
  tasks: [
    '2026-05-16T02:00:00.000Z durable-kyiv win-back win-back manager-call',
    '2026-05-16T02:00:00.000Z durable-new-york win-back win-back manager-call',
    '2026-05-16T02:00:00.000Z durable-tokyo win-back win-back manager-call',
  ],
};

describe('journeys on the local host', () => {
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  it(
    'wait through minutes of real time and a restart, and send what a run straight through sends',
    async () => {
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

        // Assess: the same messages and tasks at the same instants, and nothing failed.
        expect(await outcome(host)).toEqual(straightThrough);
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
