/**
 * Imports uploaded to S3, on DynamoDB Local: POST /v1/imports?upload=s3 (a presigned URL, an
 * import waiting for its file), the import state machine of workflows/import.asl.json run by the
 * ASL interpreter with the import function in-process, and GET /v1/imports/{id}.
 *
 * The interpreter cannot read S3, so the run substitutes the Distributed Map's item reading, and
 * only that: a Task inserted before the map reads the uploaded text from this file's stand-in for
 * the bucket as the ItemReader does (CSV, header on the first row, every value a string), gives
 * each row the ItemSelector's { index, row } and cuts the batches with cutBatches at the
 * ItemBatcher's limits read from the definition, with its BatchInput. The map then runs its
 * ItemProcessor over those batches, inline. Everything else is the definition as deployed.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { parse } from 'csv-parse/sync';
import { describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../lib/local/dynamodb-local.ts';
import { journeyRuntime, TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { httpEvent } from '../support/events.ts';

const table = `comeback-import-s3-${randomUUID().slice(0, 8)}`;
await ensureTable(inject('dynamodbEndpoint'), table);
const BUCKET = 'comeback-imports-test';
// Handlers read their configuration once, when first imported: everything below is imported after this.
Object.assign(process.env, { TABLE_NAME: table, COMEBACK_IMPORT_BUCKET: BUCKET });
const { handler: createImport } = await import('../../functions/handlers/create-import.ts');
const { handler: getImport } = await import('../../functions/handlers/get-import.ts');
const { handler: getCustomer } = await import('../../functions/handlers/get-customer.ts');
const { importStep } = await import('../../functions/handlers/import-batch.ts');
const { cutBatches, FIRST_DATA_LINE, MAX_LISTED_REJECTIONS } = await import('../../functions/core/imports/import-job.ts');
const { parseUpload } = await import('../../functions/core/imports/parse-upload.ts');
const { importFormats } = await import('../../functions/core/imports/formats/index.ts');

type Handler = (event: ReturnType<typeof httpEvent>, context: Context) => Promise<{ statusCode?: number; body?: string }>;
const context = { awsRequestId: 'test', functionName: 'test' } as Context;
const clock = journeyRuntime.clock;
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

async function call(handler: unknown, event: ReturnType<typeof httpEvent>): Promise<{ status: number; body: Record<string, unknown> }> {
  const result = await (handler as Handler)(event, context);
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

function createUpload(query: Record<string, string>, options: { body?: string; headers?: Record<string, string> } = {}) {
  return call(createImport, {
    ...httpEvent({ path: '/v1/imports', headers: { ...admin, ...options.headers }, ...(options.body !== undefined ? { body: options.body } : {}) }),
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: query,
  });
}

const importOf = (id: string) => call(getImport, httpEvent({ method: 'GET', path: `/v1/imports/${id}`, pathParameters: { id }, headers: admin }));
const customer = (id: string) => call(getCustomer, httpEvent({ method: 'GET', path: `/v1/customers/${id}`, pathParameters: { id }, headers: admin }));

// --- The state machine, as deployed but for the item reading -------------------------------------

type Json = Record<string, unknown>;
const deployed = JSON.parse(readFileSync(new URL('../../workflows/import.asl.json', import.meta.url), 'utf8')) as { States: Record<string, Json> };
const deployedMap = deployed.States['ImportRows'] as Json & { ItemBatcher: { MaxItemsPerBatch: number; MaxInputBytesPerBatch: number; BatchInput: Record<string, string> } };

/** This file's stand-in for the bucket: the uploaded text by key. */
const bucket = new Map<string, string>();

/** The rows of an uploaded CSV as the ItemReader reads them (header on the first row), with the ItemSelector applied. */
function readItems(text: string): { index: number; row: Record<string, string> }[] {
  const rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, relax_quotes: true, relax_column_count: true }) as Record<string, string>[];
  return rows.map((row, index) => ({ index, row }));
}

function localDefinition(): Json {
  const definition = JSON.parse(JSON.stringify(deployed).replaceAll('${ImportFunctionArn}', 'arn:aws:lambda:us-east-1:123456789012:function:comeback-import')) as { States: Record<string, Json> };
  const { ItemReader: _reader, ItemBatcher: _batcher, ItemSelector: _selector, ItemProcessor, ...map } = definition.States['ImportRows'] as Json & { ItemProcessor: Json };
  const { ProcessorConfig: _config, ...processor } = ItemProcessor;
  definition.States['ImportRows'] = { ...map, ItemsPath: '$.localBatches', ItemProcessor: processor };
  definition.States['ReadItemsLocally'] = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ResultPath: '$.localBatches', Next: 'ImportRows' };
  const started = definition.States['Started'] as { Choices: { Next: string }[] };
  started.Choices = started.Choices.map((choice) => (choice.Next === 'ImportRows' ? { ...choice, Next: 'ReadItemsLocally' } : choice));
  return definition;
}

/** Runs the import state machine on an S3 Object Created event; the states entered, in order, and how it ended. */
async function runImport(key: string): Promise<{ states: string[]; status: 'SUCCEEDED' | 'FAILED'; error?: string }> {
  const machine = new StateMachine(localDefinition() as never, { validationOptions: { noValidate: true } });
  const lambda = async (input: unknown) => ({ Payload: await importStep((input as { Payload: unknown }).Payload), StatusCode: 200 });
  const readItemsLocally = async (input: unknown) => {
    const state = input as Record<string, string>;
    const text = bucket.get(state['key']!) ?? '';
    const batchInput = Object.fromEntries(Object.entries(deployedMap.ItemBatcher.BatchInput).map(([name, path]) => [name.replace(/\.\$$/, ''), state[path.replace(/^\$\./, '')]]));
    const limits = { maxItems: deployedMap.ItemBatcher.MaxItemsPerBatch, maxBytes: deployedMap.ItemBatcher.MaxInputBytesPerBatch };
    return cutBatches(readItems(text), limits).map((items) => ({ Items: items, BatchInput: batchInput }));
  };
  type LocalHandlers = NonNullable<NonNullable<Parameters<StateMachine['run']>[1]>['overrides']>['taskResourceLocalHandlers'];
  const handlers = { Begin: lambda, ImportBatch: lambda, Finish: lambda, MarkFailed: lambda, ReadItemsLocally: readItemsLocally } as unknown as NonNullable<LocalHandlers>;
  const event = { 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: BUCKET }, object: { key, size: (bucket.get(key) ?? '').length } } };
  const run = machine.run(event, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])) },
  });
  const states: string[] = [];
  const collect = (async () => {
    for await (const log of run.eventLogs) if (log.type === 'StateEntered') states.push(log.state.name);
  })();
  try {
    await run.result;
    await collect;
    return { states, status: 'SUCCEEDED' };
  } catch (error) {
    await collect.catch(() => undefined);
    return { states, status: 'FAILED', error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

// --- Files ---------------------------------------------------------------------------------------

const header = 'orderId,customerId,placedAt,currency,total,email,phone,name,sku,category,quantity,unitPrice';

/**
 * A comeback-csv file of about `lines` lines: orders of 3 lines (one per item) by 37
 * customers, some rejected (a quantity of 0 on their last line), so that orders and rejections fall
 * on both sides of the batches' edges.
 */
function comebackFile(prefix: string, lines: number): string {
  const rows: string[] = [header];
  for (let order = 0; rows.length <= lines; order += 1) {
    // Three lines an order: the batches of 500 rows cut orders 166 (rows 498 to 500) and 333 (999 to 1001).
    const items = 3;
    const broken = order % 23 === 5;
    const id = `${prefix}-${order}`;
    const day = `2025-${String(1 + (order % 12)).padStart(2, '0')}-${String(1 + (order % 28)).padStart(2, '0')}`;
    for (let item = 0; item < items; item += 1) {
      const first = item === 0;
      const quantity = broken && item === items - 1 ? 0 : 1;
      rows.push(`${id},${first ? `${prefix}-c${order % 37}` : ''},${first ? day : ''},${first ? 'USD' : ''},${first ? `${items * 5}.00` : ''},,,,SKU-${item},,${quantity},5.00`);
    }
  }
  return `${rows.join('\n')}\n`;
}

/** What the request-body import makes of the same file: the orders, rejections and customers to expect. */
function expected(text: string, format: 'comeback-csv' | 'woocommerce-csv', currency = 'USD') {
  const parsed = parseUpload(importFormats[format], text, { currency, timeZone: 'UTC', firstLine: FIRST_DATA_LINE, now: clock.now() });
  return { orders: parsed.orders, rejections: parsed.rejections, customers: new Set(parsed.orders.map((order) => order.purchase.customer.id)).size };
}

async function newUpload(format: string, currency = 'USD'): Promise<{ importId: string; key: string }> {
  const answer = await createUpload({ format, upload: 's3', currency });
  expect(answer.status).toBe(202);
  const importId = answer.body['importId'] as string;
  return { importId, key: `imports/${importId}.csv` };
}

describe('POST /v1/imports?upload=s3', () => {
  it('answers 202 with a presigned PUT URL for the import key, valid 15 minutes, and an import waiting for its file', async () => {
    const answer = await createUpload({ format: 'shopify-csv', upload: 's3', currency: 'EUR' });
    expect(answer.status).toBe(202);
    const importId = answer.body['importId'] as string;
    expect(importId).toMatch(/^[0-9a-f-]{36}$/);
    const url = new URL(answer.body['uploadUrl'] as string);
    expect(url.protocol).toBe('https:');
    expect(url.hostname).toContain(BUCKET);
    expect(url.pathname).toBe(`/imports/${importId}.csv`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('x-id')).toBe('PutObject');
    expect(answer.body['expiresAt']).toBe(new Date(clock.now().getTime() + 900_000).toISOString());

    const record = await importOf(importId);
    expect(record).toMatchObject({ status: 200, body: { importId, format: 'shopify-csv', currency: 'EUR', timezone: 'UTC', status: 'waiting-upload', imported: 0, rejections: [] } });
  });

  it('refuses cdnow (not CSV), a body, and a missing admin token', async () => {
    expect(await createUpload({ format: 'cdnow', upload: 's3' })).toMatchObject({ status: 400, body: { detail: expect.stringContaining('request body') } });
    expect((await createUpload({ format: 'comeback-csv', upload: 's3' }, { body: `${header}\n`, headers: { 'content-type': 'text/csv' } })).status).toBe(400);
    expect((await createUpload({ format: 'comeback-csv', upload: 's3' }, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('GET /v1/imports/{id} is 404 for an unknown or malformed id and 401 without the token', async () => {
    expect((await importOf(randomUUID())).status).toBe(404);
    expect((await importOf('not-an-id')).status).toBe(404);
    const id = randomUUID();
    expect((await call(getImport, httpEvent({ method: 'GET', path: `/v1/imports/${id}`, pathParameters: { id } }))).status).toBe(401);
  });
});

describe('the import state machine', () => {
  it('deploys an ItemReader and ItemSelector this run stands in for', () => {
    expect(deployedMap['ItemReader']).toMatchObject({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' } });
    expect(deployedMap['ItemSelector']).toEqual({ 'index.$': '$$.Map.Item.Index', 'row.$': '$$.Map.Item.Value' });
  });

  it('imports a file of several batches like the body upload: orders cut between batches recorded whole, rejections on their lines', async () => {
    // Prepare
    const prefix = `s3-${randomUUID().slice(0, 6)}`;
    const text = comebackFile(prefix, 1_300);
    const want = expected(text, 'comeback-csv');
    const batches = cutBatches(readItems(text), { maxItems: deployedMap.ItemBatcher.MaxItemsPerBatch, maxBytes: deployedMap.ItemBatcher.MaxInputBytesPerBatch });
    expect(batches.length).toBe(3);
    const cut = batches.slice(1).map((batch) => batch[0]!.row['orderId']).filter((orderId) => !batch0Starts(batches, orderId));
    expect(cut).toEqual([`${prefix}-166`, `${prefix}-333`]);
    const { importId, key } = await newUpload('comeback-csv');

    // Act
    bucket.set(key, text);
    const run = await runImport(key);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.filter((state) => state !== 'ImportBatch')).toEqual(['Begin', 'Started', 'ReadItemsLocally', 'ImportRows', 'Finish']);
    expect(run.states.filter((state) => state === 'ImportBatch')).toHaveLength(3);
    const record = await importOf(importId);
    expect(record.body).toMatchObject({
      status: 'done',
      imported: want.orders.length,
      duplicates: 0,
      rejected: want.rejections.length,
      customers: want.customers,
      batches: 4,
      rejectionsNotListed: 0,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    expect(record.body['rejections']).toEqual(want.rejections.slice(0, MAX_LISTED_REJECTIONS));
    expect(want.rejections.length).toBeGreaterThan(5);
    // Every order cut between two batches is recorded with all its items.
    for (const orderId of cut) {
      const order = want.orders.find((candidate) => candidate.purchase.orderId === orderId);
      if (!order) continue;
      const recorded = await customer(order.purchase.customer.id);
      const orders = recorded.body['orders'] as { orderId: string; items: unknown[] }[];
      expect(orders.find((candidate) => candidate.orderId === orderId)?.items).toHaveLength(order.purchase.items.length);
    }

    // A second event for the same upload (S3 and EventBridge deliver at least once) changes nothing.
    const again = await runImport(key);
    expect(again).toMatchObject({ status: 'SUCCEEDED', states: ['Begin', 'Started', 'Ignored'] });
    expect((await importOf(importId)).body).toEqual(record.body);
  }, 240_000);

  it("imports WooCommerce's export as the body upload does, lines and reasons included", async () => {
    const text = readFileSync(new URL('../fixtures/imports/woocommerce-orders.csv', import.meta.url), 'utf8');
    const want = expected(text, 'woocommerce-csv');
    const { importId, key } = await newUpload('woocommerce-csv');
    bucket.set(key, text);
    expect((await runImport(key)).status).toBe('SUCCEEDED');
    const record = await importOf(importId);
    // The fixture's orders were imported by no other test of this table: all new.
    expect(record.body).toMatchObject({ status: 'done', imported: want.orders.length, rejected: want.rejections.length, customers: want.customers, rejections: want.rejections });
  });

  it('marks an import failed, saying why, when its header lacks the columns of the format', async () => {
    const { importId, key } = await newUpload('comeback-csv');
    bucket.set(key, 'orderId,customerId,total\n1,c1,10.00\n');
    const run = await runImport(key);
    expect(run.status).toBe('SUCCEEDED');
    expect((await importOf(importId)).body).toMatchObject({ status: 'failed', imported: 0, error: expect.stringContaining('the header lacks the columns placedat, sku, quantity, unitprice') });
    // A failed import does not start again.
    expect((await runImport(key)).states).toEqual(['Begin', 'Started', 'Ignored']);
  });

  it('marks the import failed when the map fails, and ends in Failed', async () => {
    const { importId, key } = await newUpload('comeback-csv');
    // A batch the import function refuses (InvalidInputError is not retried): the map stops.
    const refuse = `${header}\n${'x'.repeat(10)}\n`;
    bucket.set(key, refuse);
    const original = deployedMap.ItemBatcher.BatchInput;
    deployedMap.ItemBatcher.BatchInput = { ...original, 'format.$': '$.currency' };
    try {
      const run = await runImport(key);
      expect(run).toMatchObject({ status: 'FAILED', error: expect.stringContaining('The import failed; GET /v1/imports/{id} says why.') });
      expect(run.states.slice(-2)).toEqual(['MarkFailed', 'Failed']);
    } finally {
      deployedMap.ItemBatcher.BatchInput = original;
    }
    expect((await importOf(importId)).body).toMatchObject({ status: 'failed', error: expect.stringContaining('InvalidInputError') });
  });

  it('ignores an object that is no import upload', async () => {
    bucket.set('imports/elsewhere.csv', `${header}\n`);
    expect(await runImport('imports/elsewhere.csv')).toMatchObject({ status: 'SUCCEEDED', states: ['Begin', 'Started', 'Ignored'] });
  });

  it('counts a batch retried after it was counted once', async () => {
    const prefix = `retry-${randomUUID().slice(0, 6)}`;
    const { importId, key } = await newUpload('comeback-csv');
    expect(await importStep({ action: 'begin', bucket: BUCKET, key })).toMatchObject({ start: true, importId });
    const rows = [`${prefix}-1,${prefix}-c,2025-01-01,USD,5.00,,,,A,,1,5.00`, `${prefix}-2,${prefix}-c,2025-01-02,USD,5.00,,,,A,,0,5.00`, `${prefix}-3,${prefix}-d,2025-01-03,USD,5.00,,,,A,,1,5.00`];
    const items = readItems(`${header}\n${rows.join('\n')}\n`);
    const batch = { action: 'batch', batchInput: { importId, format: 'comeback-csv', currency: 'USD', timezone: 'UTC' }, items };
    await importStep(batch);
    await importStep(batch);
    await importStep({ action: 'finish', import: batch.batchInput });
    // Orders 1 and 2 are whole; order 3 ends the batch, so it is an edge, imported by finish.
    expect((await importOf(importId)).body).toMatchObject({
      status: 'done',
      imported: 2,
      duplicates: 0,
      rejected: 1,
      customers: 2,
      batches: 2,
      rejections: [{ line: 3, orderId: `${prefix}-2`, reason: expect.stringContaining('quantity') }],
    });
  });
});

/** Whether a batch boundary falls between two orders (the first row of the batch starts its order). */
function batch0Starts(batches: { index: number; row: Record<string, string> }[][], orderId: string | undefined): boolean {
  for (let at = 1; at < batches.length; at += 1) {
    const previous = batches[at - 1]!.at(-1)!;
    if (batches[at]![0]!.row['orderId'] === orderId) return previous.row['orderId'] !== orderId;
  }
  return true;
}
