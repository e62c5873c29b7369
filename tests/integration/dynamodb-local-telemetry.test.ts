/**
 * The embedded DynamoDB Local sends nothing off the machine: its JVM starts with the telemetry it
 * would report to AWS turned off, unless the user set DDB_LOCAL_TELEMETRY. It runs without the
 * optimizing compiler and with the serial collector (DYNAMODB_LOCAL_JVM_OPTIONS), unless the user set
 * JDK_JAVA_OPTIONS. Started without a data directory, it leaves nothing behind once stopped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { DYNAMODB_LOCAL_JVM_OPTIONS, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

interface Jvm {
  environment: Map<string, string>;
  /** The names of its threads, as the JVM names them (`C2 CompilerThre`, `G1 Refine#0`: 15 characters at most). */
  threads: string[];
}

/** The process listening as `-port <port>` (Linux /proc). */
function jvmOnPort(port: string): Jvm | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.some((arg) => arg.endsWith('DynamoDBLocal.jar')) || argv[argv.indexOf('-port') + 1] !== port) continue;
      const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      const threads = readdirSync(`/proc/${pid}/task`).map((task) => readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim());
      return { environment: new Map(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])), threads };
    } catch {
      // A process that ended meanwhile.
    }
  }
  return undefined;
}

/** Whether a JVM runs the optimizing compiler (C2), and a collector with threads of its own (G1 or parallel: the serial one has none). */
function compilersAndCollector(jvm: Jvm | undefined) {
  const threads = jvm?.threads ?? [];
  return {
    c1: threads.some((name) => name.startsWith('C1 CompilerThre')),
    c2: threads.some((name) => name.startsWith('C2 CompilerThre')),
    collectorThreads: threads.some((name) => name.startsWith('G1 ') || name.startsWith('GC Thread')),
  };
}

/** Options a user might set: another collector (C1 alone too, as a JVM with C2 costs this test seconds of CPU). */
const USER_JVM_OPTIONS = '-XX:+UseParallelGC -XX:TieredStopAtLevel=1';

it.runIf(process.platform === 'linux')(
  'starts DynamoDB Local with its telemetry off and its JVM options for short runs unless the user set them, and removes its scratch database when stopped',
  async () => {
    // The run's own setup started a DynamoDB Local in this environment already: start from a clean one.
    const inherited = { telemetry: process.env['DDB_LOCAL_TELEMETRY'], jvm: process.env['JDK_JAVA_OPTIONS'] };
    delete process.env['DDB_LOCAL_TELEMETRY'];
    delete process.env['JDK_JAVA_OPTIONS'];
    const quiet = await startDynamoDbLocal();
    process.env['DDB_LOCAL_TELEMETRY'] = '1';
    process.env['JDK_JAVA_OPTIONS'] = USER_JVM_OPTIONS;
    const told = await startDynamoDbLocal();
    try {
      const [quietJvm, toldJvm] = [jvmOnPort(new URL(quiet.endpoint).port), jvmOnPort(new URL(told.endpoint).port)];
      expect(quietJvm?.environment.get('DDB_LOCAL_TELEMETRY')).toBe('0');
      expect(toldJvm?.environment.get('DDB_LOCAL_TELEMETRY')).toBe('1');
      expect(quietJvm?.environment.get('JDK_JAVA_OPTIONS')).toBe(DYNAMODB_LOCAL_JVM_OPTIONS);
      expect(compilersAndCollector(quietJvm)).toEqual({ c1: true, c2: false, collectorThreads: false });
      // The user's options instead: the parallel collector.
      expect(toldJvm?.environment.get('JDK_JAVA_OPTIONS')).toBe(USER_JVM_OPTIONS);
      expect(compilersAndCollector(toldJvm)).toEqual({ c1: true, c2: false, collectorThreads: true });
    } finally {
      for (const [name, value] of [['DDB_LOCAL_TELEMETRY', inherited.telemetry], ['JDK_JAVA_OPTIONS', inherited.jvm]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await Promise.all([quiet.stop(), told.stop()]);
    }
    for (const stopped of [quiet, told]) expect(existsSync(dirname(stopped.databaseFile))).toBe(false);
  },
);
