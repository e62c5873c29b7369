/**
 * vitest global setup: one DynamoDB Local (in memory) for the whole run. Each test file creates its
 * own table in it (tests/support/environment.ts), whose stream that file's journey runtime reads.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    /** The SQLite file of that DynamoDB Local. */
    dynamodbDatabaseFile: string;
  }
}

/**
 * The JVM of each host process's DynamoDB Local (the test files' workers, started after this setup,
 * inherit the variable) compiles with C1 only and collects with one thread: such a database lives
 * seconds to a few minutes, where C2's compiling costs more CPU than it saves. This one serves the
 * whole run and keeps the JVM's defaults: with C1 only, four journey test files together took 119 s
 * instead of 105. The product's own DynamoDB Local keeps the defaults.
 */
const QUICK_JVM = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // startDynamoDbLocal turns DynamoDB Local's start-up telemetry off (lib/local/dynamodb-local.ts); the
  // host processes the tests start inherit that from this process.
  const dynamodb = await startDynamoDbLocal();
  process.env.JDK_JAVA_OPTIONS ??= QUICK_JVM;
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('dynamodbDatabaseFile', dynamodb.databaseFile);
  return () => dynamodb.stop();
}
