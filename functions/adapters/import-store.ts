/**
 * Import records on DynamoDB, beside the data they load.
 *
 * | item                     | pk                 | sk                          |
 * |--------------------------|--------------------|-----------------------------|
 * | import record            | IMPORT#<importId>  | IMPORT                      |
 * | edge set aside by a batch| IMPORT#<importId>  | EDGE#<first index, 10 digits> (expires by TTL) |
 * | customer seen            | IMPORT#<importId>  | CUSTOMER#<customerId> (expires by TTL)         |
 *
 * A batch's counts are added in one update under the record's version, with the batch's key added
 * to the record's set of counted batches: batches of one import run side by side, so a lost race
 * reads the record again and retries, and a batch retried by Step Functions after it was counted
 * adds nothing. The edges are kept gzipped (an order of many items may be a long run of rows).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pRetry, { AbortError } from 'p-retry';
import {
  importRecordSchema,
  listRejections,
  statusesBefore,
  type BatchCounts,
  type Edge,
  type ImportRecord,
  type ImportRecords,
  type ImportStatus,
  type MapItem,
} from '../core/imports/import-job.ts';
import { importBatchesEntity, importEdgeEntity } from './entities.ts';
import { importKeys, TTL_ATTRIBUTE } from './table-design.ts';

/** Edges and customer marks are needed while the import runs; a day of Step Functions retries is plenty. */
const WORKING_ITEM_SECONDS = 7 * 86_400;

export { importKeys };

/** Another batch updated the record first: read it again. */
class VersionConflict extends Error {
  override readonly name: string = 'VersionConflict';
}

export class DynamoImportStore implements ImportRecords {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async create(record: ImportRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...importKeys.record(record.importId), ...record, version: 0, countedBatches: [] },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(importId: string): Promise<ImportRecord | undefined> {
    const item = (await this.client.send(new GetCommand({ TableName: this.table, Key: importKeys.record(importId), ConsistentRead: true }))).Item;
    return item ? importRecordSchema.parse(item) : undefined;
  }

  async move(importId: string, to: ImportStatus, at: string, error?: string): Promise<boolean> {
    const from = statusesBefore(to);
    const finished = to === 'done' || to === 'failed';
    const stamp = to === 'processing' ? 'startedAt' : finished ? 'finishedAt' : undefined;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: importKeys.record(importId),
          UpdateExpression: `SET #status = :to, updatedAt = :at${stamp ? `, ${stamp} = :at` : ''}${error !== undefined ? ', #error = :error' : ''}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status', ...(error !== undefined ? { '#error': 'error' } : {}) },
          ExpressionAttributeValues: {
            ':to': to,
            ':at': at,
            ...(error !== undefined ? { ':error': error } : {}),
            ...Object.fromEntries(from.map((status, index) => [`:from${index}`, status])),
          },
        }),
      );
      return true;
    } catch (caught) {
      if (caught instanceof ConditionalCheckFailedException) return false;
      throw caught;
    }
  }

  async addBatch(importId: string, batchKey: string, counts: BatchCounts, at: string): Promise<void> {
    const customers = await this.markCustomers(importId, batchKey, counts.customerIds);
    await pRetry(
      async () => {
        const item = (await this.client.send(new GetCommand({ TableName: this.table, Key: importKeys.record(importId), ConsistentRead: true }))).Item;
        if (!item) throw new AbortError(`no import ${importId}`);
        const counted = importBatchesEntity.parse(item).countedBatches ?? [];
        if (counted.includes(batchKey)) return;
        const record = importRecordSchema.parse(item);
        const listed = listRejections(record.rejections, counts.rejections);
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.table,
              Key: importKeys.record(importId),
              UpdateExpression:
                'SET rejections = :rejections, rejectionsNotListed = :notListed, updatedAt = :at, version = :next, countedBatches = list_append(countedBatches, :batch) ' +
                'ADD imported :imported, duplicates :duplicates, rejected :rejected, customers :customers, batches :one',
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: {
                ':rejections': listed.rejections,
                ':notListed': record.rejectionsNotListed + listed.notListed,
                ':at': at,
                ':version': item['version'],
                ':next': Number(item['version']) + 1,
                ':batch': [batchKey],
                ':imported': counts.imported,
                ':duplicates': counts.duplicates,
                ':rejected': counts.rejected,
                ':customers': customers,
                ':one': 1,
              },
            }),
          );
        } catch (caught) {
          if (caught instanceof ConditionalCheckFailedException) throw new VersionConflict('another batch counted first', { cause: caught });
          throw caught;
        }
      },
      { retries: 30, minTimeout: 20, maxTimeout: 1000, randomize: true, shouldRetry: ({ error }) => error instanceof VersionConflict },
    );
  }

  /**
   * Marks the batch's customers as seen in this import; the customers this batch is the first to
   * name (or named first in an earlier attempt of its own) are its new customers.
   */
  private async markCustomers(importId: string, batchKey: string, customerIds: readonly string[]): Promise<number> {
    const expiresAt = Math.floor(Date.now() / 1000) + WORKING_ITEM_SECONDS;
    let fresh = 0;
    const ids = [...new Set(customerIds)];
    for (let at = 0; at < ids.length; at += 25) {
      const marks = await Promise.all(
        ids.slice(at, at + 25).map(async (customerId) => {
          try {
            await this.client.send(
              new PutCommand({
                TableName: this.table,
                Item: { ...importKeys.customer(importId, customerId), batchKey, [TTL_ATTRIBUTE]: expiresAt },
                ConditionExpression: 'attribute_not_exists(pk) OR batchKey = :batchKey',
                ExpressionAttributeValues: { ':batchKey': batchKey },
              }),
            );
            return 1;
          } catch (caught) {
            if (caught instanceof ConditionalCheckFailedException) return 0;
            throw caught;
          }
        }),
      );
      fresh += marks.reduce<number>((sum, mark) => sum + mark, 0);
    }
    return fresh;
  }

  async putEdges(importId: string, edges: readonly Edge[]): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + WORKING_ITEM_SECONDS;
    await Promise.all(
      edges.map((edge) =>
        this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...importKeys.edge(importId, edge.items[0]!.index), key: edge.key, items: gzipSync(JSON.stringify(edge.items)), [TTL_ATTRIBUTE]: expiresAt },
          }),
        ),
      ),
    );
  }

  async edges(importId: string): Promise<Edge[]> {
    const edges: Edge[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': importKeys.partition(importId), ':prefix': importKeys.edgePrefix },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const edge = importEdgeEntity.parse(item);
        edges.push({ key: edge.key, items: JSON.parse(gunzipSync(edge.items).toString('utf8')) as MapItem[] });
      }
    }
    return edges;
  }
}
