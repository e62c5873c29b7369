/**
 * The local host's stand-in for a Lambda event source mapping on the table's stream: it reads
 * DynamoDB Local's stream through the Streams API (DescribeStream, GetShardIterator, GetRecords,
 * parent shards before their children), keeps the records the mapping's filter would pass, and
 * calls the very same handler with the event Lambda would send. As on AWS, a record the handler
 * reports in `batchItemFailures` is delivered again from there on, a bounded number of times; then
 * it is logged (where AWS sends it to the on-failure queue) and the reader goes on.
 *
 * Where it has got to is kept per shard (in `checkpointFile` when given, so a restarted host neither
 * loses nor repeats records); a shard never read starts at its oldest record.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { tableDefinition } from '../../functions/adapters/table-design.ts';
import { localCredentials, localRegion } from './dynamodb-local.ts';

export interface StreamReaderOptions {
  endpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** The event source mapping's filter: records it refuses never reach the handler. */
  accepts: (record: DynamoDBRecord) => boolean;
  /** Records per handler call (the mapping's batch size). */
  batchSize?: number;
  /** Deliveries of a failing record before it is given up (the mapping's retries, plus one). */
  maxAttempts?: number;
  checkpointFile?: string;
  log?: (line: string) => void;
  /** Told of the records the handler took without a failure, once it returned (the bench times reactions with it). */
  onHandled?: (records: DynamoDBRecord[]) => void;
  /** How the background loop rests between empty passes (a timer; the tests count the rests instead). */
  rest?: (ms: number) => Promise<void>;
}

/** The shards are described again at most this often while none ends (DynamoDB Local rarely splits one). */
const DESCRIBE_EVERY_MS = 10_000;
/**
 * How long the background loop rests after a pass that found nothing: first IDLE_REST_FIRST_MS, then
 * twice as long after each further empty pass, up to IDLE_REST_MAX_MS. A pass that handles records,
 * or wake(), starts again from the shortest. Why: each pass is a GetRecords per shard (and a
 * DescribeStream every DESCRIBE_EVERY_MS): an idle host's DynamoDB Local used 3.3 s of CPU a
 * minute at a steady 100 ms, 0.5 s with these rests. The host wakes the reader after every request
 * it serves, so a webhook's reactions follow within the shortest rest; writes made otherwise (a
 * journey step on the clock) are read within the longest.
 */
const IDLE_REST_FIRST_MS = 100;
const IDLE_REST_MAX_MS = 1_600;

/** A rest that never keeps the process alive: one cut short by wake() or pause() leaves its timer behind. */
function restUnref(ms: number): Promise<void> {
  return new Promise((rested) => setTimeout(rested, ms).unref());
}

export class LocalStreamReader {
  private readonly streams: DynamoDBStreamsClient;
  private readonly options: Required<Omit<StreamReaderOptions, 'checkpointFile' | 'log' | 'onHandled'>> & Pick<StreamReaderOptions, 'checkpointFile' | 'log' | 'onHandled'>;
  private idleRestMs = IDLE_REST_FIRST_MS;
  /** Ends the background loop's current rest early (wake(), pause()). */
  private endRest: (() => void) | undefined;
  private streamArn: string | undefined;
  private shards: Shard[] = [];
  private describedAt = 0;
  /** The last sequence number handled per shard. */
  private readonly checkpoints: Record<string, string>;
  private readonly iterators = new Map<string, string>();
  private readonly ended = new Set<string>();
  private readonly attempts = new Map<string, number>();
  /** Reads run one at a time: the background loop's and settled()'s. */
  private turn: Promise<unknown> = Promise.resolve();
  private polling = false;
  private loop: Promise<void> | undefined;
  /** Handler calls so far. */
  private deliveries = 0;

  constructor(options: StreamReaderOptions) {
    this.options = { batchSize: 100, maxAttempts: 3, rest: restUnref, ...options };
    this.streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: localRegion, credentials: localCredentials });
    this.checkpoints = readCheckpoints(options.checkpointFile);
  }

  /** Reads in the background until stop(), as the mapping polls on AWS. */
  start(): void {
    if (this.loop) return;
    this.polling = true;
    this.loop = (async () => {
      while (this.polling) {
        let handled = 0;
        try {
          handled = await this.inTurn(() => this.readOnce());
        } catch (error) {
          this.options.log?.(`reading the table's stream failed: ${(error as Error).message}`);
        }
        if (handled > 0) this.idleRestMs = IDLE_REST_FIRST_MS;
        else if (this.polling) await this.restIdle();
      }
    })();
  }

  /** Something was probably written: the background loop reads again now, and rests briefly after. */
  wake(): void {
    this.idleRestMs = IDLE_REST_FIRST_MS;
    this.endRest?.();
  }

  private async restIdle(): Promise<void> {
    const ms = this.idleRestMs;
    this.idleRestMs = Math.min(ms * 2, IDLE_REST_MAX_MS);
    const woken = new Promise<void>((end) => (this.endRest = end));
    await Promise.race([this.options.rest(ms), woken]);
    this.endRest = undefined;
  }

  /**
   * Resolves once every record written before the call has been handled: reads until a pass over
   * every open shard finds nothing new. True when the handler was called (its work may have started
   * more: journey executions).
   */
  settled(): Promise<boolean> {
    return this.inTurn(async () => {
      const before = this.deliveries;
      // An empty page is no proof of the end: a shard may have closed and a new one begun since the
      // last look, or an iterator expired. Settled is two passes over every shard, described
      // afresh, that found nothing.
      for (let empty = 0; empty < 2; ) {
        await this.describe(true);
        empty = (await this.readOnce()) > 0 ? 0 : empty + 1;
      }
      return this.deliveries > before;
    });
  }

  /** Stops reading in the background (start() goes on); settled() still reads when asked. */
  async pause(): Promise<void> {
    this.polling = false;
    this.endRest?.();
    await this.loop;
    this.loop = undefined;
  }

  async stop(): Promise<void> {
    await this.pause();
    await this.turn.catch(() => undefined);
    this.streams.destroy();
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turn.then(work);
    this.turn = next.catch(() => undefined);
    return next;
  }

  /** One pass over the shards that can be read now (parents first): the records handled. */
  private async readOnce(): Promise<number> {
    await this.describe(false);
    let handled = 0;
    const known = new Set(this.shards.map((shard) => shard.ShardId));
    for (const shard of this.shards) {
      const shardId = shard.ShardId!;
      if (this.ended.has(shardId)) continue;
      // A child shard's records come after all of its parent's.
      if (shard.ParentShardId && known.has(shard.ParentShardId) && !this.ended.has(shard.ParentShardId)) continue;
      handled += await this.readShard(shardId);
    }
    return handled;
  }

  private async readShard(shardId: string): Promise<number> {
    const iterator = this.iterators.get(shardId) ?? (await this.iteratorFor(shardId));
    let answer;
    try {
      answer = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        this.iterators.delete(shardId);
        return 0;
      }
      throw error;
    }
    const records = answer.Records ?? [];
    if (answer.NextShardIterator) this.iterators.set(shardId, answer.NextShardIterator);
    else {
      this.iterators.delete(shardId);
      this.ended.add(shardId);
      this.describedAt = 0;
    }
    if (records.length === 0) return 0;
    const event: DynamoDBStreamEvent = { Records: records.map((record) => this.lambdaRecord(record)).filter(this.options.accepts) };
    const failedFrom = event.Records.length === 0 ? undefined : await this.deliver(event);
    if (failedFrom === undefined) {
      if (event.Records.length > 0) this.options.onHandled?.(event.Records);
      this.checkpoint(shardId, records.at(-1)!.dynamodb!.SequenceNumber!);
      return records.length;
    }
    const attempts = (this.attempts.get(failedFrom) ?? 0) + 1;
    if (attempts < this.options.maxAttempts) {
      // Delivered again from the first record that failed, as the mapping does.
      this.attempts.set(failedFrom, attempts);
      this.iterators.set(shardId, await this.iteratorFor(shardId, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: failedFrom }));
      return records.length;
    }
    this.attempts.delete(failedFrom);
    const givenUp = event.Records.filter((record) => compareSequence(record.dynamodb!.SequenceNumber!, failedFrom) >= 0);
    this.options.log?.(
      `gave up on ${givenUp.length} stream record(s) after ${attempts} deliveries (on AWS they go to the on-failure queue): ${givenUp.map((record) => record.dynamodb?.SequenceNumber).join(', ')}`,
    );
    this.checkpoint(shardId, records.at(-1)!.dynamodb!.SequenceNumber!);
    return records.length;
  }

  /** Calls the handler: the first sequence number to deliver again, or undefined when all went through. */
  private async deliver(event: DynamoDBStreamEvent): Promise<string | undefined> {
    let response: DynamoDBBatchResponse | void;
    this.deliveries += 1;
    try {
      response = await this.options.handler(event);
    } catch (error) {
      this.options.log?.(`the stream handler failed: ${(error as Error).message}`);
      return event.Records[0]!.dynamodb!.SequenceNumber!;
    }
    const failed = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier).filter((identifier) => identifier.length > 0);
    if (failed.length === 0) return undefined;
    return failed.reduce((lowest, candidate) => (compareSequence(candidate, lowest) < 0 ? candidate : lowest));
  }

  private async iteratorFor(shardId: string, from?: { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string }): Promise<string> {
    const after = this.checkpoints[shardId];
    const position = from
      ? { ShardIteratorType: from.type, SequenceNumber: from.sequenceNumber }
      : after
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
        : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      const { ShardIterator } = await this.streams.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ...position }));
      return ShardIterator!;
    } catch (error) {
      // A checkpoint older than what the stream still holds: from the oldest record kept.
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      const { ShardIterator } = await this.streams.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
      return ShardIterator!;
    }
  }

  private async describe(force: boolean): Promise<void> {
    if (!force && this.streamArn && Date.now() - this.describedAt < DESCRIBE_EVERY_MS) return;
    if (!this.streamArn) this.streamArn = await latestStreamArn(this.options.endpoint, this.options.tableName);
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    this.shards = shards;
    this.describedAt = Date.now();
  }

  private checkpoint(shardId: string, sequenceNumber: string): void {
    this.checkpoints[shardId] = sequenceNumber;
    const file = this.options.checkpointFile;
    if (!file) return;
    writeFileSync(`${file}.next`, `${JSON.stringify(this.checkpoints)}\n`);
    renameSync(`${file}.next`, file);
  }

  /** The record as a Lambda event carries it. */
  private lambdaRecord(record: _Record): DynamoDBRecord {
    const { ApproximateCreationDateTime, ...change } = record.dynamodb ?? {};
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion,
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion ?? localRegion,
      eventSourceARN: this.streamArn,
      // The same DynamoDB JSON; Lambda's type spells binary values as base64 text, which this table has none of.
      dynamodb: { ...(change as NonNullable<DynamoDBRecord['dynamodb']>), ...(ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) } : {}) },
    };
  }
}

/** The table's stream; a table kept from a version without one gets it now. */
async function latestStreamArn(endpoint: string, tableName: string): Promise<string> {
  const client = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.StreamSpecification?.StreamEnabled && Table.LatestStreamArn) return Table.LatestStreamArn;
    const { TableDescription } = await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: tableDefinition(tableName).StreamSpecification }));
    if (!TableDescription?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
    return TableDescription.LatestStreamArn;
  } finally {
    client.destroy();
  }
}

function readCheckpoints(file: string | undefined): Record<string, string> {
  if (!file || !existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** Sequence numbers are decimal text of any length. */
function compareSequence(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
