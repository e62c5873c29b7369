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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // startDynamoDbLocal turns DynamoDB Local's start-up telemetry off and starts its JVM for short runs
  // (lib/local/dynamodb-local.ts, DYNAMODB_LOCAL_JVM_OPTIONS): the host processes the tests start
  // inherit both settings from this process.
  const dynamodb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('dynamodbDatabaseFile', dynamodb.databaseFile);
  return () => dynamodb.stop();
}
