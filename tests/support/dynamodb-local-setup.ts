/**
 * vitest global setup: one DynamoDB Local (in memory) for the whole run, with the Comeback table.
 * Test files share it and keep apart by using their own customer and order ids.
 */
import type { TestProject } from 'vitest/node';
import { ensureTable, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

export const TEST_TABLE = 'comeback-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamodb = await startDynamoDbLocal();
  await ensureTable(dynamodb.endpoint, TEST_TABLE);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return () => dynamodb.stop();
}
