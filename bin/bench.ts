/**
 * `npm run bench`: prints measured figures for each part of the system. Not a test: nothing here
 * passes or fails on a number. Sections run one after another so they do not compete for cores.
 */
const sections: { name: string; module: string }[] = [
  { name: 'purchase webhook', module: '../tests/bench/webhook.ts' },
  { name: 'journeys', module: '../tests/bench/journeys.ts' },
  { name: 'segments', module: '../tests/bench/segments.ts' },
  { name: 'customer models', module: '../tests/bench/models.ts' },
  { name: 'co-purchase', module: '../tests/bench/copurchase.ts' },
];

const only = process.argv[2];
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'SILENT';
// Messages go to the message log; printing thousands of them would time the terminal.
process.env['COMEBACK_OUTBOX_PRINT'] ??= 'off';

for (const section of sections) {
  if (only && !section.name.includes(only)) continue;
  console.log(`\n== ${section.name} ==`);
  const started = performance.now();
  try {
    const { run } = (await import(section.module)) as { run: (report: (line: string) => void) => Promise<void> };
    await run((line) => console.log(line));
    console.log(`(${section.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    // One broken section must not hide the figures of the others.
    console.log(`(${section.name} failed: ${(error as Error).message})`);
    process.exitCode = 1;
  }
}
