/**
 * The nightly recompute's checkpoint on the single table (core/analytics/nightly-run.ts): the
 * night's basis, and each key range's result as it finishes. Every item expires a few days after
 * its night (TTL), finished or not.
 *
 * | item          | pk            | sk                          | holds                                    |
 * |---------------|---------------|-----------------------------|------------------------------------------|
 * | night basis   | NIGHT#<day>   | BASIS                       | the basis, gzipped JSON                  |
 * | range part    | NIGHT#<day>   | PART#<range>#<part>         | a slice of the range's gzipped JSON      |
 * | range done    | NIGHT#<day>   | DONE#<range>                | how many parts; written after the parts  |
 *
 * A range's result (its sketches, histograms and model sample) can pass DynamoDB's 400 KB item
 * limit, so it is gzipped and cut into parts; the range is done only once its DONE item exists, so
 * a range that failed half way is run again and its parts overwritten. No item of the night carries
 * an index key: the nightly index (gsi3) never reads them.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { NightCheckpoint } from '../core/analytics/nightly-run.ts';
import type { NightBasis, RangeResult } from '../core/analytics/recompute.ts';
import { nightDataEntity, nightRangeDoneEntity } from './entities.ts';
import { batchWriteItems } from './queries.ts';
import { nightKeys, TTL_ATTRIBUTE } from './table-design.ts';

/** Bytes of gzipped JSON per part: well inside the 400 KB item limit with the keys beside them. */
export const PART_BYTES = 300_000;
/** Days a night's items are kept after the night. */
const KEPT_DAYS = 3;

type Item = Record<string, unknown>;

function pack(value: unknown): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(value), 'utf8'));
}

function unpack(bytes: Uint8Array): unknown {
  return JSON.parse(gunzipSync(bytes).toString('utf8')) as unknown;
}

function isRangeResult(value: unknown): value is RangeResult {
  return typeof value === 'object' && value !== null && typeof (value as { range?: unknown }).range === 'number' && typeof (value as { counts?: unknown }).counts === 'object';
}

function isBasis(value: unknown): value is NightBasis {
  return typeof value === 'object' && value !== null && typeof (value as { ranges?: unknown }).ranges === 'number' && typeof (value as { startedAt?: unknown }).startedAt === 'string';
}

export class DynamoNightCheckpoint implements NightCheckpoint {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async readNight(day: string): Promise<{ basis: NightBasis; done: number[] } | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: nightKeys.basis(day), ConsistentRead: true }));
    if (!Item) return undefined;
    const basis = unpack(nightDataEntity.parse(Item).data);
    if (!isBasis(basis)) throw new Error(`the night ${day} holds no readable basis`);
    const done: number[] = [];
    for await (const item of this.query(day, nightKeys.donePrefix, 'sk, parts')) done.push(nightKeys.rangeOfDone(nightRangeDoneEntity.parse(item).sk));
    return { basis, done: done.sort((u, v) => u - v) };
  }

  async startNight(basis: NightBasis): Promise<NightBasis> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...nightKeys.basis(basis.day), type: 'nightBasis', data: pack(basis), [TTL_ATTRIBUTE]: this.expiry(basis.day) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return basis;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Another plan of the same night came first: every range classifies by its basis.
      const kept = await this.readNight(basis.day);
      if (!kept) throw error;
      return kept.basis;
    }
  }

  async saveRange(day: string, result: RangeResult): Promise<void> {
    const bytes = pack(result);
    const parts: Item[] = [];
    for (let offset = 0, part = 0; offset < bytes.length; offset += PART_BYTES, part++) {
      parts.push({ ...nightKeys.part(day, result.range, part), type: 'nightPart', data: bytes.subarray(offset, offset + PART_BYTES), [TTL_ATTRIBUTE]: this.expiry(day) });
    }
    await batchWriteItems(this.client, this.table, parts.map((Item) => ({ PutRequest: { Item } })));
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { ...nightKeys.done(day, result.range), type: 'nightRangeDone', parts: parts.length, customers: result.counts.customers, [TTL_ATTRIBUTE]: this.expiry(day) } }),
    );
  }

  async readRanges(day: string): Promise<RangeResult[]> {
    const parts = new Map<number, Map<number, Uint8Array>>();
    for await (const item of this.query(day, nightKeys.partPrefix)) {
      const { sk, data } = nightDataEntity.parse(item);
      const { range, part } = nightKeys.partOf(sk);
      const ofRange = parts.get(range) ?? new Map<number, Uint8Array>();
      ofRange.set(part, data);
      parts.set(range, ofRange);
    }
    const results: RangeResult[] = [];
    for await (const item of this.query(day, nightKeys.donePrefix)) {
      const { sk, parts: count } = nightRangeDoneEntity.parse(item);
      const range = nightKeys.rangeOfDone(sk);
      const ofRange = parts.get(range);
      const slices: Uint8Array[] = [];
      for (let part = 0; part < count; part += 1) {
        const slice = ofRange?.get(part);
        if (slice === undefined) throw new Error(`the night ${day}: range ${range} is done but misses parts`);
        slices.push(slice);
      }
      const result = unpack(Buffer.concat(slices));
      if (!isRangeResult(result) || result.range !== range) throw new Error(`the night ${day}: range ${range} holds no readable result`);
      results.push(result);
    }
    return results.sort((u, v) => u.range - v.range);
  }

  private async *query(day: string, prefix: string, projection?: string): AsyncGenerator<Item> {
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': nightKeys.partition(day), ':prefix': prefix },
        ConsistentRead: true,
        ...(projection ? { ProjectionExpression: projection } : {}),
      },
    )) {
      yield* page.Items ?? [];
    }
  }

  /** Epoch seconds, KEPT_DAYS after the night's day. */
  private expiry(day: string): number {
    return Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + KEPT_DAYS * 86_400;
  }
}
