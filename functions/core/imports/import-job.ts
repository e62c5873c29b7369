/**
 * An import uploaded to S3 and processed by the import state machine (workflows/import.asl.json):
 * its record (status, counts, the first rejections), the moves between statuses, and what each
 * step of the state machine does, over ports. Nothing here knows S3, DynamoDB or Step Functions.
 *
 * Statuses: `waiting-upload` (the upload URL was handed out) -> `processing` (the file arrived and
 * the state machine started) -> `done` (every batch counted) or `failed` (with the reason). An
 * import never leaves `done` or `failed`; a second upload to the same URL is ignored.
 *
 * How the file is cut, and why orders stay whole. The Distributed Map reads the CSV from S3 itself
 * (ItemReader, header on the first row) and hands the rows out in batches of at most 500 rows and
 * 192 KiB, in the file's order; each row carries its index in the file (`$$.Map.Item.Index`, set by
 * the ItemSelector), so its line is `index + 2` (the header is line 1): every line keeps the
 * file's number, whichever batch it lands in. The batcher counts rows, not orders, so an order of
 * several lines (one per item) may straddle two batches. Rather than read ahead or overlap batches
 * (a batch sees only its own rows), each batch imports the orders it holds whole and sets aside,
 * as "edges", the run of rows at its start (it may continue an order of the batch before) and the
 * run at its end (it may go on in the next batch). The final step joins edges that touch (the last
 * index of one + 1 = the first of the next, same order id) and imports them: an order is recorded
 * once, whole, wherever the batcher cut. Edges are one or a few rows each, two per batch at most.
 *
 * Known limits of the S3 path: line numbers assume one line per record (a quoted field holding a
 * line break, as in a Shopify note, shifts the numbers after it); the rows of one order that are
 * apart from each other in the file are not detected as such across batches (the second part is
 * counted as a duplicate of the first); `cdnow` files, which are not CSV, go in the request body.
 */
import * as z from '../zod.ts';
import type { ImportFormat, ImportFormatName, ImportRow } from './format.ts';
import { orderKeyOf } from './format.ts';
import { importFormats } from './formats/index.ts';
import { importOrders, type ImportPorts } from './import-orders.ts';
import { missingColumns, parseLines, type ParsedUpload, type Rejection } from './parse-upload.ts';
import type { ImportQuery } from './request.ts';

export const importStatuses = ['waiting-upload', 'processing', 'done', 'failed'] as const;
export type ImportStatus = (typeof importStatuses)[number];

/** The formats an upload to S3 may have: the CSV ones (Step Functions reads CSV only). */
export const s3ImportFormats = ['comeback-csv', 'shopify-csv', 'woocommerce-csv'] as const satisfies readonly ImportFormatName[];

/** Rejections listed in the record; the others are counted in `rejectionsNotListed`. */
export const MAX_LISTED_REJECTIONS = 100;

/** The line of the file of the row at index 0 of the Distributed Map: the header is line 1. */
export const FIRST_DATA_LINE = 2;

/** How long the presigned upload URL is valid. */
export const UPLOAD_URL_SECONDS = 900;

const rejectionSchema = z.object({ line: z.number().check(z.int()), orderId: z.optional(z.string()), reason: z.string() });

/** The import as GET /v1/imports/{id} shows it. */
export const importRecordSchema = z.object({
  importId: z.string(),
  format: z.enum(s3ImportFormats),
  currency: z.string(),
  timezone: z.string(),
  status: z.enum(importStatuses),
  createdAt: z.string().check(z.describe('when the upload URL was handed out')),
  updatedAt: z.string(),
  startedAt: z.optional(z.string()).check(z.describe('when the file arrived and processing started')),
  finishedAt: z.optional(z.string()).check(z.describe('when the import was done or failed')),
  batches: z.number().check(z.int(), z.describe('batches of rows counted so far (the last one joins the orders cut between batches)')),
  imported: z.number().check(z.int()),
  duplicates: z.number().check(z.int(), z.describe('orders already recorded (by an earlier import or a webhook); left as recorded')),
  rejected: z.number().check(z.int()),
  customers: z.number().check(z.int(), z.describe('distinct customers of the imported and duplicate orders')),
  rejections: z.array(rejectionSchema).check(z.describe(`the first ${MAX_LISTED_REJECTIONS} rejections counted, by line`)),
  rejectionsNotListed: z.number().check(z.int(), z.describe('rejections counted but not listed')),
  error: z.optional(z.string()).check(z.describe('why the import failed')),
});

export type ImportRecord = z.output<typeof importRecordSchema>;
export type S3ImportFormat = ImportRecord['format'];

const moves: Record<ImportStatus, readonly ImportStatus[]> = {
  'waiting-upload': ['processing', 'failed'],
  processing: ['done', 'failed'],
  done: [],
  failed: [],
};

/** Whether an import in `from` may move to `to`. */
export function canMove(from: ImportStatus, to: ImportStatus): boolean {
  return moves[from].includes(to);
}

/** The statuses an import may move to `to` from: the condition of the store's update. */
export function statusesBefore(to: ImportStatus): ImportStatus[] {
  return importStatuses.filter((from) => canMove(from, to));
}

export function isS3ImportFormat(format: ImportFormatName): format is S3ImportFormat {
  return (s3ImportFormats as readonly string[]).includes(format);
}

/** A new import, waiting for its file. */
export function newImport(importId: string, query: ImportQuery & { format: S3ImportFormat }, now: Date): ImportRecord {
  const at = now.toISOString();
  return {
    importId,
    format: query.format,
    currency: query.currency,
    timezone: query.timezone,
    status: 'waiting-upload',
    createdAt: at,
    updatedAt: at,
    batches: 0,
    imported: 0,
    duplicates: 0,
    rejected: 0,
    customers: 0,
    rejections: [],
    rejectionsNotListed: 0,
  };
}

const IMPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isImportId(value: string): boolean {
  return IMPORT_ID.test(value);
}

/** The S3 key an import's file is uploaded to. */
export function uploadKey(importId: string): string {
  return `imports/${importId}.csv`;
}

/** The import an uploaded key belongs to, when it is one of ours. */
export function importIdOfKey(key: string): string | undefined {
  const id = /^imports\/([^/]+)\.csv$/.exec(key)?.[1];
  return id && isImportId(id) ? id : undefined;
}

/** One row of the Distributed Map: its index in the file (header excluded) and its fields by header name. */
export interface MapItem {
  index: number;
  row: Record<string, string>;
}

export const mapItemSchema = z.object({ index: z.number().check(z.int(), z.gte(0)), row: z.record(z.string(), z.string()) });

/** A row as the formats read it: fields by lower-cased column name, the file's line number. */
export function rowOfItem(item: MapItem): ImportRow {
  const fields = Object.fromEntries(Object.entries(item.row).map(([column, value]) => [columnName(column), value]));
  return { line: item.index + FIRST_DATA_LINE, text: Object.values(item.row).join(','), fields };
}

/** The columns named by a row's keys (the header), as the formats name them. */
export function columnsOf(item: MapItem): string[] {
  return Object.keys(item.row).map(columnName);
}

function columnName(column: string): string {
  return column.replace(/^\uFEFF/, '').trim().toLowerCase();
}

/**
 * Batches as the Distributed Map's ItemBatcher cuts them: in order, each with at most `maxItems`
 * items and at most `maxBytes` bytes of items as JSON (one item alone may be larger). Used where the
 * map cannot read S3 (the local interpreter), so the same batches reach the same Lambda.
 */
export function cutBatches<T>(items: readonly T[], limits: { maxItems: number; maxBytes: number }): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (current.length > 0 && (current.length >= limits.maxItems || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** A run of rows of one order at the start or end of a batch: it may go on in the next or previous batch. */
export interface Edge {
  key: string;
  items: MapItem[];
}

/**
 * A batch cut into the rows whose orders it holds whole and its edges: the rows at its start that
 * share the first row's order (unless the batch starts the file) and the rows at its end that share
 * the last row's order. A format without an order column (each line an order) has no edges.
 */
export function splitBatch(format: ImportFormat, items: readonly MapItem[]): { whole: MapItem[]; edges: Edge[] } {
  const sorted = [...items].sort((a, b) => a.index - b.index);
  if (!format.orderColumn || sorted.length === 0) return { whole: sorted, edges: [] };
  const keys = sorted.map((item) => orderKeyOf(format, rowOfItem(item)));
  const run = (from: number, step: 1 | -1): number => {
    let at = from;
    while (at + step >= 0 && at + step < keys.length && keys[at + step] === keys[from]) at += step;
    return at;
  };
  const firstKey = keys[0]!;
  const lastKey = keys.at(-1)!;
  // The end of the leading run and the start of the trailing one (inclusive).
  const leadingEnd = firstKey !== '' && sorted[0]!.index > 0 ? run(0, 1) : -1;
  const trailingStart = lastKey !== '' ? run(keys.length - 1, -1) : keys.length;
  if (leadingEnd >= trailingStart) return { whole: [], edges: [{ key: firstKey, items: sorted }] };
  const edges: Edge[] = [];
  if (leadingEnd >= 0) edges.push({ key: firstKey, items: sorted.slice(0, leadingEnd + 1) });
  if (trailingStart < keys.length) edges.push({ key: lastKey, items: sorted.slice(trailingStart) });
  return { whole: sorted.slice(leadingEnd + 1, trailingStart), edges };
}

/** Edges joined where they touch (consecutive indexes, same order): each result is the rows of one order. */
export function joinEdges(edges: readonly Edge[]): MapItem[][] {
  const sorted = [...edges].sort((a, b) => a.items[0]!.index - b.items[0]!.index);
  const orders: { key: string; items: MapItem[] }[] = [];
  for (const edge of sorted) {
    const last = orders.at(-1);
    if (last && last.key === edge.key && last.items.at(-1)!.index + 1 === edge.items[0]!.index) last.items.push(...edge.items);
    else orders.push({ key: edge.key, items: [...edge.items] });
  }
  return orders.map((order) => order.items);
}

/** What one batch (or the joined edges) adds to the record. */
export interface BatchCounts {
  imported: number;
  duplicates: number;
  rejected: number;
  rejections: Rejection[];
  customerIds: string[];
}

/** The store of import records and of the edges set aside between batches. */
export interface ImportRecords {
  create(record: ImportRecord): Promise<void>;
  get(importId: string): Promise<ImportRecord | undefined>;
  /** Moves the import to `to` if its status allows it (statusesBefore); false when it did not. */
  move(importId: string, to: ImportStatus, at: string, error?: string): Promise<boolean>;
  /**
   * Adds a batch's counts once: a batch counted before under `batchKey` (a retried Lambda) adds
   * nothing. A customer counts once per import, whichever batch first names them.
   */
  addBatch(importId: string, batchKey: string, counts: BatchCounts, at: string): Promise<void>;
  putEdges(importId: string, edges: readonly Edge[]): Promise<void>;
  edges(importId: string): Promise<Edge[]>;
}

export interface ImportJobPorts extends ImportPorts {
  records: ImportRecords;
}

/** Where the file of an import is uploaded: a presigned PUT URL for one key. */
export interface UploadUrlPort {
  putUrl(key: string, seconds: number): Promise<string>;
}

/** The answer of POST /v1/imports?upload=s3. */
export const importUploadSchema = z.object({
  importId: z.string(),
  uploadUrl: z.string().check(z.describe('PUT the whole file here (curl -T <file> <url>), before expiresAt')),
  expiresAt: z.string().check(z.describe('when the upload URL stops working')),
  status: z.enum(importStatuses),
});

export type ImportUpload = z.output<typeof importUploadSchema>;

/** A new import waiting for its file, and the URL to upload the file to. */
export async function createUpload(
  ports: { records: ImportRecords; urls: UploadUrlPort; now: () => Date; newId: () => string },
  query: ImportQuery & { format: S3ImportFormat },
): Promise<ImportUpload> {
  const now = ports.now();
  const record = newImport(ports.newId(), query, now);
  await ports.records.create(record);
  const uploadUrl = await ports.urls.putUrl(uploadKey(record.importId), UPLOAD_URL_SECONDS);
  return { importId: record.importId, uploadUrl, expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(), status: record.status };
}

/** The start of the state machine: the uploaded file's import, moved to processing. */
export type BeginResult =
  | { start: true; importId: string; format: S3ImportFormat; currency: string; timezone: string; bucket: string; key: string }
  | { start: false; reason: string };

export async function beginImport(ports: ImportJobPorts, upload: { bucket: string; key: string }): Promise<BeginResult> {
  const importId = importIdOfKey(upload.key);
  if (!importId) return { start: false, reason: `${upload.key} is not an import upload` };
  const record = await ports.records.get(importId);
  if (!record) return { start: false, reason: `no import ${importId}` };
  if (!(await ports.records.move(importId, 'processing', ports.now().toISOString()))) {
    return { start: false, reason: `import ${importId} is ${record.status}: a file uploaded again is ignored` };
  }
  return { start: true, importId, format: record.format, currency: record.currency, timezone: record.timezone, bucket: upload.bucket, key: upload.key };
}

/** One batch of the Distributed Map, with the import's settings (the ItemBatcher's BatchInput). */
export interface ImportBatch {
  importId: string;
  format: S3ImportFormat;
  currency: string;
  timezone: string;
  items: MapItem[];
}

export type BatchOutcome = { counted: number; edges: number } | { skipped: string };

export async function importBatch(ports: ImportJobPorts, batch: ImportBatch): Promise<BatchOutcome> {
  const record = await ports.records.get(batch.importId);
  if (!record || record.status !== 'processing') return { skipped: `import ${batch.importId} is ${record?.status ?? 'unknown'}` };
  const format = importFormats[batch.format];
  const first = batch.items[0];
  if (!first) return { counted: 0, edges: 0 };
  const missing = missingColumns(format, columnsOf(first));
  if (missing.length > 0) {
    const error = `the header lacks ${missing.length === 1 ? 'the column' : 'the columns'} ${missing.join(', ')}: a ${format.name} file names ${format.requiredColumns.join(', ')}`;
    await ports.records.move(batch.importId, 'failed', ports.now().toISOString(), error);
    return { skipped: error };
  }
  const { whole, edges } = splitBatch(format, batch.items);
  // The edges are kept before the batch is counted: a batch counted has its edges stored.
  if (edges.length > 0) await ports.records.putEdges(batch.importId, edges);
  const counts = await importRows(ports, batch, format, [whole]);
  await ports.records.addBatch(batch.importId, `batch#${String(first.index).padStart(10, '0')}`, counts, ports.now().toISOString());
  return { counted: whole.length, edges: edges.length };
}

/** The last step: the orders cut between batches, then the import done. */
export async function finishImport(ports: ImportJobPorts, settings: Omit<ImportBatch, 'items'>): Promise<ImportRecord | undefined> {
  const record = await ports.records.get(settings.importId);
  if (!record || record.status !== 'processing') return record;
  const orders = joinEdges(await ports.records.edges(settings.importId));
  const counts = await importRows(ports, settings, importFormats[settings.format], orders);
  const at = ports.now().toISOString();
  await ports.records.addBatch(settings.importId, 'edges', counts, at);
  await ports.records.move(settings.importId, 'done', at);
  return ports.records.get(settings.importId);
}

/** The import failed (the map stopped, a step kept failing): the record says why. */
export async function failImport(ports: Pick<ImportJobPorts, 'records' | 'now'>, importId: string, error: string): Promise<void> {
  await ports.records.move(importId, 'failed', ports.now().toISOString(), error.slice(0, 1000));
}

/** Imports groups of rows, each parsed on its own (a group is whole orders), as one count. */
async function importRows(ports: ImportJobPorts, settings: Omit<ImportBatch, 'items'>, format: ImportFormat, groups: readonly MapItem[][]): Promise<BatchCounts> {
  const now = ports.now();
  const parsed: ParsedUpload = { source: format.source, orders: [], rejections: [] };
  for (const group of groups) {
    if (group.length === 0) continue;
    const part = parseLines(format, group.map((item) => ({ row: rowOfItem(item) })), { currency: settings.currency, timeZone: settings.timezone, now });
    parsed.orders.push(...part.orders);
    parsed.rejections.push(...part.rejections);
  }
  parsed.rejections.sort((a, b) => a.line - b.line);
  const summary = await importOrders(ports, parsed);
  return { imported: summary.imported, duplicates: summary.duplicates, rejected: summary.rejected, rejections: summary.rejections, customerIds: summary.customerIds };
}

/**
 * The rejections listed after adding `added` to `listed`: by line, at most MAX_LISTED_REJECTIONS;
 * `notListed` counts the rest.
 */
export function listRejections(listed: readonly Rejection[], added: readonly Rejection[]): { rejections: Rejection[]; notListed: number } {
  const all = [...listed, ...added].sort((a, b) => a.line - b.line);
  return { rejections: all.slice(0, MAX_LISTED_REJECTIONS), notListed: Math.max(0, all.length - MAX_LISTED_REJECTIONS) };
}
