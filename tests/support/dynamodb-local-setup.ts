/**
 * vitest global setup: one DynamoDB Local (in memory) for the whole run. Each test file creates its
 * own table in it (tests/support/environment.ts), whose stream that file's journey runtime reads.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/**
 * The JVM of every DynamoDB Local the run starts (this one, and each host process's, which inherit
 * the variable) compiles with C1 only and collects with one thread: a test's database lives seconds
 * to minutes, where C2's compiling costs more CPU than it saves. Measured on two cores: a third less
 * CPU for the same test files. The product's own DynamoDB Local keeps the JVM's defaults.
 */
const QUICK_JVM = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.JDK_JAVA_OPTIONS ??= QUICK_JVM;
  const dynamodb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return () => dynamodb.stop();
}
