/**
 * Benchmark of a restart of the local host (not a test): how long `npm start` takes to come back
 * with journeys waiting, next to a restart with none, and whether every waiting journey then goes
 * on from its Wait. Each host is its own process, as when a person stops and starts it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, postJson, postSignedPurchase } from '../../lib/local/client.ts';
import { samplePurchase } from '../../lib/local/sample.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';

const secret = 'whsec_bench';

function start(dataDir: string): Promise<HostProcess> {
  return startHostProcess({ COMEBACK_DATA_DIR: dataDir, COMEBACK_WEBHOOK_SECRET: secret, COMEBACK_DEMO: 'off', COMEBACK_OUTBOX_PRINT: 'off', COMEBACK_CLOCK_START: '2026-03-02T12:00:00Z' });
}

export async function run(report: (line: string) => void): Promise<void> {
  const customers = Number(process.env['COMEBACK_BENCH_RESTART_CUSTOMERS'] ?? 300);
  const empty = mkdtempSync(join(tmpdir(), 'comeback-bench-empty-'));
  const busy = mkdtempSync(join(tmpdir(), 'comeback-bench-busy-'));
  try {
    await (await start(empty)).stop();
    const emptyRestart = await start(empty);
    await emptyRestart.stop();
    report(`restart with no journeys waiting: ${emptyRestart.startSeconds.toFixed(2)} s to ready (DynamoDB Local and the handlers included)`);

    const host = await start(busy);
    for (let index = 0; index < customers; index += 1) {
      const purchase = samplePurchase({ orderId: `bench-restart-${index}`, customerId: `bench-restart-${index}`, placedAt: new Date('2026-03-02T12:00:00Z') });
      const answer = await postSignedPurchase(host.url, secret, purchase);
      if (answer.status !== 202) throw new Error(`unexpected status ${answer.status}`);
      if ((index + 1) % 100 === 0) report(`  posted ${index + 1}/${customers}`);
    }
    await postJson(host.url, '/_local/clock/advance', { hours: 1 });
    await host.stop();

    const restarted = await start(busy);
    const resumed = Number(/journeys: +(\d+) waiting/.exec(restarted.output())?.[1] ?? NaN);
    report(`restart with ${resumed} journeys waiting: ${restarted.startSeconds.toFixed(2)} s to ready, ${(restarted.startSeconds - emptyRestart.startSeconds).toFixed(2)} s more than with none`);
    const resumedAt = performance.now();
    await postJson(restarted.url, '/_local/clock/advance', { days: 7, hours: 12 });
    const { body } = await getJson(restarted.url, '/_local/outbox');
    const feedback = (body as { items: { step: string; status: string }[] }).items.filter((item) => item.step === 'feedback' && item.status === 'sent').length;
    report(`  then 7.5 virtual days: ${feedback} of ${customers} day-7 feedback emails sent by the resumed executions (${((performance.now() - resumedAt) / 1000).toFixed(1)} s)`);
    await restarted.stop();
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(busy, { recursive: true, force: true });
  }
}
