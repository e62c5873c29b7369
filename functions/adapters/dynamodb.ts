/** The DynamoDB document client, created once per process. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readConfig, tableEnv } from '../config.ts';

const config = readConfig(tableEnv);

export const tableName = config.TABLE_NAME;

export const documentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    // The SDK retries throttling and transient errors with backoff on every call.
    maxAttempts: 5,
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);
