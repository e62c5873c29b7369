/**
 * The embedded DynamoDB Local sends nothing off the machine: its JVM starts with the telemetry it
 * would report to AWS turned off, unless the user set DDB_LOCAL_TELEMETRY. Started without a data
 * directory, it leaves nothing behind once stopped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

/** The environment of the process listening as `-port <port>` (Linux /proc). */
function environmentOfJvmOnPort(port: string): Map<string, string> | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.some((arg) => arg.endsWith('DynamoDBLocal.jar')) || argv[argv.indexOf('-port') + 1] !== port) continue;
      const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      return new Map(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
    } catch {
      // A process that ended meanwhile.
    }
  }
  return undefined;
}

it.runIf(process.platform === 'linux')('starts DynamoDB Local with its telemetry off unless the user set it, and removes its scratch database when stopped', async () => {
  // The run's own setup started a DynamoDB Local in this environment already: start from a clean one.
  const inherited = process.env['DDB_LOCAL_TELEMETRY'];
  delete process.env['DDB_LOCAL_TELEMETRY'];
  const quiet = await startDynamoDbLocal();
  process.env['DDB_LOCAL_TELEMETRY'] = '1';
  const told = await startDynamoDbLocal();
  try {
    expect(environmentOfJvmOnPort(new URL(quiet.endpoint).port)?.get('DDB_LOCAL_TELEMETRY')).toBe('0');
    expect(environmentOfJvmOnPort(new URL(told.endpoint).port)?.get('DDB_LOCAL_TELEMETRY')).toBe('1');
  } finally {
    if (inherited === undefined) delete process.env['DDB_LOCAL_TELEMETRY'];
    else process.env['DDB_LOCAL_TELEMETRY'] = inherited;
    await Promise.all([quiet.stop(), told.stop()]);
  }
  for (const stopped of [quiet, told]) expect(existsSync(dirname(stopped.databaseFile))).toBe(false);
});
