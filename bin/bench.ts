/**
 * `npm run bench`: prints measured figures for each part of the system. Not a test: nothing here
 * passes or fails on a number. Sections run one after another, each in its own process, so they
 * neither compete for cores nor share handler modules configured for another section's host.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const sections: { name: string; module: string }[] = [
  { name: 'purchase webhook', module: '../tests/bench/webhook.ts' },
  { name: 'journeys', module: '../tests/bench/journeys.ts' },
  { name: 'transitions', module: '../tests/bench/transitions.ts' },
  { name: 'restart', module: '../tests/bench/restart.ts' },
  { name: 'import', module: '../tests/bench/import.ts' },
  { name: 'segments', module: '../tests/bench/segments.ts' },
  { name: 'nightly at a million', module: '../tests/bench/nightly.ts' },
  { name: 'customer models', module: '../tests/bench/models.ts' },
  { name: 'co-purchase', module: '../tests/bench/copurchase.ts' },
  { name: 'backtest', module: '../tests/bench/backtest.ts' },
  { name: 'functions', module: '../tests/bench/functions.ts' },
];

process.env['POWERTOOLS_LOG_LEVEL'] ??= 'SILENT';
// Messages go to the message log; printing thousands of them would time the terminal.
process.env['COMEBACK_OUTBOX_PRINT'] ??= 'off';
// The benchmarks measure sustained throughput, as every figure before them was measured: their
// DynamoDB Local runs with the JVM's own defaults (the optimizing compiler, G1), not with the options
// for short runs that the local host and the tests give it (DYNAMODB_LOCAL_JVM_OPTIONS), which keep
// a value set before them; empty, the `java` launcher adds nothing.
process.env['JDK_JAVA_OPTIONS'] ??= '';

const [flag, value] = process.argv.slice(2);
if (flag === '--section') {
  const section = sections.find((candidate) => candidate.name === value);
  if (!section) throw new Error(`no benchmark section "${value}"`);
  const { run } = (await import(section.module)) as { run: (report: (line: string) => void) => Promise<void> };
  await run((line) => console.log(line));
} else {
  for (const section of sections) {
    if (flag && !section.name.includes(flag)) continue;
    console.log(`\n== ${section.name} ==`);
    const started = performance.now();
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--section', section.name], { stdio: 'inherit' });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    // One broken section must not hide the figures of the others.
    if (child.status === 0) console.log(`(${section.name}: ${seconds} s)`);
    else {
      console.log(`(${section.name} failed after ${seconds} s)`);
      process.exitCode = 1;
    }
  }
}
