/**
 * Benchmark of the journeys on the local host (not a test): journeys started and completed per
 * second through the HTTP API on DynamoDB Local with the virtual clock, and the state transitions
 * each journey spends per customer, which is what Step Functions Standard bills.
 */
import { signComebackPayload } from '../../functions/core/signature.ts';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { startLocalHost } from '../../lib/local/host.ts';
import { samplePurchase } from '../../lib/local/sample.ts';

const secret = 'whsec_bench';
/** Step Functions Standard, us-east-1: USD per state transition (after the free tier). */
const USD_PER_TRANSITION = 0.000025;

export async function run(report: (line: string) => void): Promise<void> {
  const customers = Number(process.env['COMEBACK_BENCH_JOURNEY_CUSTOMERS'] ?? 200);
  process.env['COMEBACK_OUTBOX_PRINT'] = 'off';
  const host = await startLocalHost({
    port: await freePort(),
    secrets: { COMEBACK_WEBHOOK_SECRET: secret, COMEBACK_SHOPIFY_SECRET: 'x', COMEBACK_WOOCOMMERCE_SECRET: 'x', COMEBACK_ADMIN_TOKEN: 'x', COMEBACK_UNSUBSCRIBE_SECRET: 'x', COMEBACK_FEEDBACK_SECRET: 'x' },
    settings: { COMEBACK_HOLDOUT_SHARE: '0', COMEBACK_SHOP_URL: 'https://shop.example.com', COMEBACK_SUPPORT_CONTACT: 'support@shop.example.com' },
    clockStart: new Date('2026-03-02T12:00:00Z'),
  });
  try {
    const clock = host.journeys.clock;
    report(`${customers} customers, one purchase each, through POST /v1/purchases:`);
    let started = performance.now();
    for (let index = 0; index < customers; index += 1) {
      const body = JSON.stringify(samplePurchase({ orderId: `bench-journey-${index}`, customerId: `bench-journey-${index}`, placedAt: clock.now() }));
      const response = await fetch(`${host.url}/v1/purchases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, body, Math.floor(Date.now() / 1000)) },
        body,
      });
      if (response.status !== 202) throw new Error(`unexpected status ${response.status}`);
      await response.arrayBuffer();
      if ((index + 1) % 50 === 0) report(`  posted ${index + 1}/${customers}`);
    }
    await clock.advance({ minutes: 1 });
    let seconds = (performance.now() - started) / 1000;
    report(`  post-purchase journeys started (thank-you sent): ${(customers / seconds).toFixed(0)} per second (${seconds.toFixed(1)} s)`);

    started = performance.now();
    const days = 120;
    for (let day = 0; day < days; day += 10) {
      await clock.advance({ days: 10 });
      report(`  virtual day ${day + 10}/${days}: ${host.journeys.stepFunctions.list().filter((execution) => execution.status === 'RUNNING').length} executions running`);
    }
    seconds = (performance.now() - started) / 1000;
    const executions = host.journeys.stepFunctions.list();
    const completed = executions.filter((execution) => execution.status === 'SUCCEEDED').length;
    const statuses = executions.reduce<Record<string, number>>((counts, execution) => ({ ...counts, [`${execution.name.split('-').slice(0, 2).join('-')} ${execution.status}`]: (counts[`${execution.name.split('-').slice(0, 2).join('-')} ${execution.status}`] ?? 0) + 1 }), {});
    report(`  executions by journey and status: ${JSON.stringify(statuses)}`);
    report(`  ${days} virtual days in ${seconds.toFixed(1)} s: ${completed} journeys completed (post-purchase to its offer, win-back to the call task), ${(completed / seconds).toFixed(0)} per second`);

    report('state transitions per customer (Step Functions Standard bills each; quiet-hours deferrals add 2 each):');
    for (const journey of ['post-purchase', 'win-back', 'loyalty-invite']) {
      const done = executions.filter((execution) => execution.status === 'SUCCEEDED' && execution.name.startsWith(`${journey}-`));
      if (done.length === 0) {
        report(`  ${journey.padEnd(15)} none completed`);
        continue;
      }
      const transitions = done.map((execution) => execution.statesEntered.length).sort((a, b) => a - b);
      const mean = transitions.reduce((sum, value) => sum + value, 0) / transitions.length;
      report(
        `  ${journey.padEnd(15)} ${done.length} executions: min ${transitions[0]}, median ${transitions[Math.floor(transitions.length / 2)]}, max ${transitions.at(-1)} transitions; USD ${(mean * USD_PER_TRANSITION * 1000).toFixed(3)} per 1,000 customers`,
      );
    }
  } finally {
    await host.stop();
  }
}
