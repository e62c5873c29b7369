/**
 * The local stand-in for the event source mapping, on DynamoDB Local's stream: records reach the
 * handler as Lambda's event; a record the handler reports as failed is delivered again from there
 * on, and given up after the last attempt so the stream goes on; a reader started again with the
 * checkpoint file goes on after the last record handled, neither losing nor repeating one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, localDynamoClient } from '../../lib/local/dynamodb-local.ts';
import { LocalStreamReader } from '../../lib/local/stream-reader.ts';

const endpoint = inject('dynamodbEndpoint');
const client = localDynamoClient(endpoint);
const directory = mkdtempSync(join(tmpdir(), 'comeback-stream-'));

afterAll(() => {
  client.destroy();
  rmSync(directory, { recursive: true, force: true });
});

async function tableWith(ids: string[]): Promise<string> {
  const table = `comeback-stream-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, table);
  for (const id of ids) await put(table, id);
  return table;
}

async function put(table: string, id: string): Promise<void> {
  await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `ITEM#${id}` }, sk: { S: 'ITEM' }, type: { S: id.startsWith('skip') ? 'other' : 'order' }, id: { S: id } } }));
}

const idsOf = (event: DynamoDBStreamEvent) => event.Records.map((record) => record.dynamodb?.NewImage?.['id']?.S ?? '?');

function reader(
  table: string,
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>,
  options: { checkpointFile?: string; rest?: (ms: number) => Promise<void> } = {},
) {
  const lines: string[] = [];
  const following = new LocalStreamReader({
    endpoint,
    tableName: table,
    handler,
    accepts: (record) => record.dynamodb?.NewImage?.['type']?.S === 'order',
    maxAttempts: 3,
    log: (line) => lines.push(line),
    ...options,
  });
  return { following, lines };
}

describe('the local stream reader', () => {
  it('hands the filtered records to the handler as Lambda does, in the order they were written', async () => {
    const table = await tableWith(['a', 'skip-1', 'b', 'c']);
    const seen: string[] = [];
    const { following } = reader(table, async (event) => {
      expect(event.Records.every((record) => record.eventName === 'INSERT' && record.eventSource === 'aws:dynamodb' && record.dynamodb?.SequenceNumber)).toBe(true);
      seen.push(...idsOf(event));
    });
    expect(await following.settled()).toBe(true);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(await following.settled()).toBe(false);
    await following.stop();
  });

  it('delivers a failed record again with those after it, and gives it up after the last attempt so the stream goes on', async () => {
    const table = await tableWith(['a', 'b', 'c']);
    const deliveries: string[][] = [];
    const { following, lines } = reader(table, async (event) => {
      deliveries.push(idsOf(event));
      const failing = event.Records.find((record) => record.dynamodb?.NewImage?.['id']?.S === 'b');
      return { batchItemFailures: failing ? [{ itemIdentifier: failing.dynamodb!.SequenceNumber! }] : [] };
    });
    await following.settled();
    expect(deliveries).toEqual([['a', 'b', 'c'], ['b', 'c'], ['b', 'c']]);
    expect(lines.join('\n')).toMatch(/gave up on 2 stream record\(s\) after 3 deliveries/);

    await put(table, 'd');
    await following.settled();
    expect(deliveries.at(-1)).toEqual(['d']);
    await following.stop();
  });

  it('goes on after the last record handled when started again with its checkpoint file', async () => {
    const table = await tableWith(['a', 'b']);
    const checkpointFile = join(directory, `${table}.json`);
    const first: string[] = [];
    const before = reader(table, async (event) => void first.push(...idsOf(event)), { checkpointFile });
    await before.following.settled();
    await before.following.stop();
    expect(first).toEqual(['a', 'b']);

    await put(table, 'c');
    const second: string[] = [];
    const after = reader(table, async (event) => void second.push(...idsOf(event)), { checkpointFile });
    await after.following.settled();
    await after.following.stop();
    expect(second).toEqual(['c']);
  });

  it('reads in the background once started, and stops when paused', async () => {
    const table = await tableWith([]);
    const seen: string[] = [];
    const { following } = reader(table, async (event) => void seen.push(...idsOf(event)));
    following.start();
    await put(table, 'a');
    await expect.poll(() => seen, { timeout: 10_000, interval: 50 }).toEqual(['a']);
    await following.pause();
    await put(table, 'b');
    // Paused, nothing read 'b' in the background: settled() is the one that hands it over.
    expect(await following.settled()).toBe(true);
    expect(seen).toEqual(['a', 'b']);
    await following.stop();
  });

  it('rests longer after each empty pass, up to the longest rest, and from the shortest again after records or wake()', async () => {
    const table = await tableWith([]);
    const seen: string[] = [];
    // The rests asked for, each ended only when the test says so: no timer decides anything here.
    const rests: { ms: number; end: () => void }[] = [];
    const rest = (ms: number) => new Promise<void>((end) => rests.push({ ms, end }));
    const restsAsked = () => rests.map((asked) => asked.ms);
    const endRest = async (count: number) => {
      rests.at(-1)!.end();
      await expect.poll(() => rests.length, { timeout: 10_000, interval: 10 }).toBe(count);
    };
    const { following } = reader(table, async (event) => void seen.push(...idsOf(event)), { rest });
    following.start();
    await expect.poll(() => rests.length, { timeout: 10_000, interval: 10 }).toBe(1);
    for (let count = 2; count <= 7; count += 1) await endRest(count);
    expect(restsAsked()).toEqual([100, 200, 400, 800, 1_600, 1_600, 1_600]);

    // A record read: the rest after the next empty pass is the shortest again. (In one whole run,
    // under load, the first pass after the write found nothing yet; the rests go on until one hands it over.)
    await put(table, 'a');
    while (seen.length === 0) await endRest(rests.length + 1);
    expect(seen).toEqual(['a']);
    const afterRecord = rests.length - 1;
    expect(restsAsked().slice(afterRecord)).toEqual([100]);
    await endRest(afterRecord + 2);
    await endRest(afterRecord + 3);
    expect(restsAsked().slice(afterRecord)).toEqual([100, 200, 400]);

    // wake() ends the rest under way, though the test never ends it, and the next is the shortest.
    await put(table, 'b');
    const beforeWake = rests.length;
    following.wake();
    await expect.poll(() => rests.length, { timeout: 10_000, interval: 10 }).toBe(beforeWake + 1);
    expect(restsAsked().at(-1)).toBe(100);
    while (seen.length === 1) await endRest(rests.length + 1);
    expect(seen).toEqual(['a', 'b']);

    // pause() ends the rest under way too: it resolves though the test never ended that rest.
    const beforePause = rests.length;
    await following.pause();
    expect(rests).toHaveLength(beforePause);
    await following.stop();
  });
});
