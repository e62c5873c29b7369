/**
 * What several stores do the same way: read a whole partition of the generic index, page after page,
 * with the SDK's own paginator; read items by key, many at once; and put or delete many items at once.
 */
import { BatchGetCommand, BatchWriteCommand, paginateQuery, type BatchWriteWriteRequest, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/** BatchWriteItem takes at most this many requests a call. */
const REQUESTS_PER_BATCH = 25;
/** Calls a batch may take before its unprocessed requests fail the write. */
const BATCH_WRITE_ATTEMPTS = 8;

export interface BatchWrite {
  /** Batches sent at once, each by its own writer; one unless told. */
  writers?: number;
}

/**
 * Puts and deletes `requests` with BatchWriteItem, 25 a call. Requests DynamoDB leaves unprocessed
 * (throttling) are sent again after a backoff that doubles from 25 ms (1.6 s before the eighth
 * call), with jitter, as AWS advises for BatchWriteItem; a batch still left unprocessed after 8
 * calls fails the write with an error that says how many requests were left. Items already written
 * stay written: each caller's writes are idempotent puts and deletes, so running it again finishes
 * the work.
 */
export async function batchWriteItems(client: DynamoDBDocumentClient, table: string, requests: readonly BatchWriteWriteRequest[], write: BatchWrite = {}): Promise<void> {
  const batches: BatchWriteWriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += REQUESTS_PER_BATCH) batches.push(requests.slice(start, start + REQUESTS_PER_BATCH));
  let next = 0;
  // Once a batch fails, the other writers take no new one: the write has failed already.
  let failed = false;
  const writer = async () => {
    while (!failed && next < batches.length) {
      let pending = batches[next++]!;
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        if (attempt > BATCH_WRITE_ATTEMPTS) {
          failed = true;
          throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${BATCH_WRITE_ATTEMPTS} attempts`);
        }
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** (attempt - 2) * (0.5 + Math.random() / 2)));
        try {
          const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
          pending = UnprocessedItems?.[table] ?? [];
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(write.writers ?? 1, batches.length)) }, writer));
}
