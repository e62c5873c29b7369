/**
 * What several stores do the same way: read a whole partition of the generic index, page after page,
 * with the SDK's own paginator; give a list's pages out by cursor and take the cursor back; read
 * items by key, many at once; and put or delete many items at once.
 */
import { BatchGetCommand, BatchWriteCommand, paginateQuery, type BatchWriteWriteRequest, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../core/errors.ts';
import * as z from '../core/zod.ts';
import { GSI1, type GSI2 } from './table-design.ts';

export async function* itemsOfIndexPartition(client: DynamoDBDocumentClient, table: string, partition: string): AsyncIterable<Record<string, unknown>> {
  const pages = paginateQuery({ client }, { TableName: table, IndexName: GSI1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': partition } });
  for await (const page of pages) yield* page.Items ?? [];
}

/** A list an API gives out a page at a time: one partition of the table or of an index, by cursor. */
export interface PagedList {
  /** The index the list's query reads (its key is `<index>pk`, `<index>sk`); none: the table's own key. */
  readonly index?: typeof GSI1 | typeof GSI2;
  /** The partition the query reads: the value of the partition key. */
  readonly partition: string;
  /** Where the query reads only the sort keys that start with this. */
  readonly sortKeyPrefix?: string;
}

/** The cursor of the page after this one (none after the last): the page's last key, as base64url JSON. */
export function cursorAfter(lastKey: Record<string, unknown> | undefined): { cursor?: string } {
  return lastKey ? { cursor: Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') } : {};
}

/** DynamoDB's bounds on a key attribute's value, in UTF-8 bytes: a larger or empty one fails the query. */
const keyValue = (maxBytes: number) => z.string().check(z.minLength(1), z.refine((value) => Buffer.byteLength(value, 'utf8') <= maxBytes));

/**
 * The start key a cursor stands for, if the list gave it out: exactly the key attributes its query
 * returns (the table's key, and the index's beside it), each a string DynamoDB takes as a key, the
 * list's partition and sort key prefix. Anything else, a typo or the cursor of another list, which
 * DynamoDB would refuse with a validation error, is the caller's: an InvalidInputError.
 */
export function startKeyOf(cursor: string, list: PagedList): Record<string, string> {
  const [partitionKey, sortKey] = list.index ? [`${list.index}pk`, `${list.index}sk`] : ['pk', 'sk'];
  const sortValue = keyValue(1024);
  const key = z.strictObject({
    pk: keyValue(2048),
    sk: keyValue(1024),
    [partitionKey]: z.literal(list.partition),
    [sortKey]: list.sortKeyPrefix === undefined ? sortValue : sortValue.check(z.startsWith(list.sortKeyPrefix)),
  });
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = key.safeParse(decoded);
  if (!parsed.success) throw new InvalidInputError('the cursor is not one this list gave out', [{ path: 'cursor', message: 'use the cursor the previous page of this list gave' }]);
  return parsed.data;
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
