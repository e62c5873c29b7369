/**
 * Reads that several stores make the same way: a whole partition of the generic index, page after
 * page, with the SDK's own paginator; and items by key, many at once.
 */
import { BatchGetCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GSI1 } from './table-design.ts';

export async function* itemsOfIndexPartition(client: DynamoDBDocumentClient, table: string, partition: string): AsyncIterable<Record<string, unknown>> {
  const pages = paginateQuery({ client }, { TableName: table, IndexName: GSI1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': partition } });
  for await (const page of pages) yield* page.Items ?? [];
}

/** BatchGetItem takes at most this many keys a call. */
const KEYS_PER_BATCH = 100;

export interface BatchRead {
  /** Strongly consistent reads (what a GetItem with ConsistentRead reads). */
  consistent?: boolean;
  /** Only these attributes, with placeholders for reserved words. */
  projection?: { expression: string; names?: Record<string, string> };
}

/**
 * The items under `keys` that exist, in no particular order, read with BatchGetItem: one call per
 * hundred keys instead of a GetItem each. Keys DynamoDB leaves unprocessed (throttling, or the 16 MB
 * an answer holds) are asked again after a backoff that doubles from 20 ms up to a second, as AWS
 * advises for BatchGetItem.
 */
export async function batchGetItems(client: DynamoDBDocumentClient, table: string, keys: readonly Record<string, unknown>[], read: BatchRead = {}): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += KEYS_PER_BATCH) {
    let wanted: Record<string, unknown>[] = keys.slice(start, start + KEYS_PER_BATCH);
    for (let attempt = 0; wanted.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 20 * 2 ** (attempt - 1))));
      const answer = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: wanted,
              ...(read.consistent ? { ConsistentRead: true } : {}),
              ...(read.projection ? { ProjectionExpression: read.projection.expression, ...(read.projection.names ? { ExpressionAttributeNames: read.projection.names } : {}) } : {}),
            },
          },
        }),
      );
      found.push(...(answer.Responses?.[table] ?? []));
      wanted = answer.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
}
