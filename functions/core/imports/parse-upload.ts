/**
 * An uploaded part of an import file, read into orders and rejections. Nothing here writes: an
 * upload is read whole first, so a malformed header refuses the upload before any order is
 * recorded, and each order is either recorded whole or rejected whole.
 *
 * Line numbers are the file's: the header is line 1, and `firstLine` says which line of the file
 * the upload's first data line is (the CLI uploads a long file in parts, each with the header).
 */
import { InvalidInputError } from '../errors.ts';
import { parsePurchase, type OrderSource, type Purchase } from '../purchase.ts';
import { field, orderKeyOf, type ImportContext, type ImportFormat, type ImportRow } from './format.ts';
import { csvFields, csvRecords, linesOf } from './records.ts';
import { OrderRejected } from './values.ts';

export interface ParsedOrder {
  /** The line of the file the order starts on. */
  line: number;
  purchase: Purchase;
}

export interface Rejection {
  line: number;
  /** The order's id as the file gives it, when the line names one. */
  orderId?: string;
  reason: string;
}

export interface ParsedUpload {
  source: OrderSource;
  orders: ParsedOrder[];
  rejections: Rejection[];
}

export interface UploadOptions extends ImportContext {
  /** The file line of the upload's first data line: 2 for a whole CSV file, 1 for a whole CDNOW file. */
  firstLine: number;
  /** Orders placed more than a day after this are refused as mistyped dates. */
  now: Date;
}

const MAX_REASON_CHARS = 500;
const FUTURE_TOLERANCE_MS = 86_400_000;

/** A line of the file: read into a row, or rejected as unreadable. */
export type ImportLine = { row: ImportRow } | { rejection: Rejection };
type Line = ImportLine;

export function parseUpload(format: ImportFormat, text: string, options: UploadOptions): ParsedUpload {
  const lines = format.layout === 'csv' ? csvLines(format, text, options.firstLine) : whitespaceLines(format, text, options.firstLine);
  return parseLines(format, lines, options);
}

/**
 * Lines already read (the rows of a CSV that Step Functions read from S3, with their line numbers)
 * into orders and rejections, as parseUpload does with the lines of an upload.
 */
export function parseLines(format: ImportFormat, lines: readonly ImportLine[], options: Omit<UploadOptions, 'firstLine'>): ParsedUpload {
  const orders: ParsedOrder[] = [];
  const rejections: Rejection[] = [];
  for (const group of orderGroups(format, lines)) {
    if ('rejection' in group) {
      rejections.push(group.rejection);
      continue;
    }
    const first = group.rows[0]!;
    const orderId = format.orderColumn ? field(first, format.orderColumn) : undefined;
    try {
      const purchase = parsePurchase(format.toPurchase(group.rows, options));
      if (Date.parse(purchase.placedAt) > options.now.getTime() + FUTURE_TOLERANCE_MS) {
        throw new OrderRejected(`placed in the future (${purchase.placedAt})`);
      }
      orders.push({ line: first.line, purchase });
    } catch (error) {
      rejections.push({ line: first.line, ...(orderId ? { orderId } : {}), reason: reasonOf(error) });
    }
  }
  rejections.sort((a, b) => a.line - b.line);
  return { source: format.source, orders, rejections };
}

/** Why an order is not imported, in one line the store can act on. */
function reasonOf(error: unknown): string {
  let reason: string;
  if (error instanceof OrderRejected) reason = error.message;
  else if (error instanceof InvalidInputError) {
    const fields = error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    reason = fields ? `${error.message} (${fields})` : error.message;
  } else throw error;
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason;
}

function csvLines(format: ImportFormat, text: string, firstLine: number): Line[] {
  // The upload's first line after the header is the file's line `firstLine`.
  const records = csvRecords(text);
  const header = records[0];
  if (!header) throw new InvalidInputError(`the upload is empty: a ${format.name} file starts with its header line`);
  let columns: string[];
  try {
    if (header.unclosed) throw new Error('a quoted field is never closed');
    columns = csvFields(header).map((column) => column.trim().toLowerCase());
  } catch (error) {
    throw new InvalidInputError(`the header line is not valid CSV: ${firstLineOf(error)}`, [], { cause: error });
  }
  const missing = missingColumns(format, columns);
  if (missing.length > 0) {
    throw new InvalidInputError(
      `the header lacks ${missing.length === 1 ? 'the column' : 'the columns'} ${missing.join(', ')}: a ${format.name} file names ${format.requiredColumns.join(', ')}`,
      missing.map((column) => ({ path: `header.${column}`, message: 'missing' })),
    );
  }
  const firstDataLine = header.line + header.text.split('\n').length;
  return records.slice(1).map((record): Line => {
    const line = record.line - firstDataLine + firstLine;
    if (record.unclosed) return { rejection: { line, reason: 'a quoted field opened on this line is never closed' } };
    let values: string[];
    try {
      values = csvFields(record);
    } catch (error) {
      return { rejection: { line, reason: `not valid CSV: ${firstLineOf(error)}` } };
    }
    if (values.length !== columns.length) return { rejection: { line, reason: `${values.length} fields where the header names ${columns.length}` } };
    return { row: { line, text: record.text, fields: Object.fromEntries(columns.map((column, index) => [column, values[index] ?? ''])) } };
  });
}

/** The columns of the format that a header (lower-cased column names) lacks. */
export function missingColumns(format: ImportFormat, columns: readonly string[]): string[] {
  return format.requiredColumns.filter((column) => !columns.includes(column));
}

function whitespaceLines(format: ImportFormat, text: string, firstLine: number): Line[] {
  const names = format.fieldNames ?? [];
  // An upload with no line at all is a mistake (the wrong file, or none), not zero orders to import.
  if (text.trim() === '') throw new InvalidInputError(`the upload is empty: a ${format.name} file has a purchase on each line`);
  const lines: Line[] = [];
  linesOf(text).forEach((content, index) => {
    const line = firstLine + index;
    const values = content.trim().split(/\s+/);
    if (content.trim() === '' || (line === 1 && format.isHeader?.(values))) return;
    if (values.length !== names.length) {
      lines.push({ rejection: { line, reason: `${values.length} fields where a ${format.name} line has ${names.length}: ${names.join(', ')}` } });
      return;
    }
    lines.push({ row: { line, text: content, fields: Object.fromEntries(names.map((name, at) => [name, values[at] ?? ''])) } });
  });
  return lines;
}

type Group = { rows: ImportRow[] } | { rejection: Rejection };

/**
 * Consecutive rows with the same order key make one order. A row without a key is rejected by
 * itself; an unreadable line between two rows of one order rejects that order too (it would be
 * recorded without one of its items); an order whose rows are apart from each other is rejected.
 */
function* orderGroups(format: ImportFormat, lines: readonly Line[]): Generator<Group> {
  const firstSeen = new Map<string, number>();
  let current: { key: string; rows: ImportRow[]; brokenLine?: number } | undefined;
  let unreadableSince: number | undefined;
  const finish = function* (): Generator<Group> {
    if (!current) return;
    const { key, rows, brokenLine } = current;
    current = undefined;
    const first = rows[0]!;
    const orderId = format.orderColumn ? key : undefined;
    const seenAt = firstSeen.get(key);
    if (seenAt !== undefined && seenAt !== first.line) {
      yield { rejection: { line: first.line, ...(orderId ? { orderId } : {}), reason: `the lines of order ${key} must follow one another: it also starts on line ${seenAt}` } };
    } else if (brokenLine !== undefined) {
      yield { rejection: { line: first.line, ...(orderId ? { orderId } : {}), reason: `line ${brokenLine}, one of this order's lines, cannot be read` } };
    } else {
      yield { rows };
    }
    if (seenAt === undefined) firstSeen.set(key, first.line);
  };
  for (const entry of lines) {
    if ('rejection' in entry) {
      yield { rejection: entry.rejection };
      unreadableSince ??= entry.rejection.line;
      continue;
    }
    const key = orderKeyOf(format, entry.row);
    if (key === '') {
      yield* finish();
      yield { rejection: { line: entry.row.line, reason: `no ${format.orderColumn}: the line belongs to no order` } };
      unreadableSince = undefined;
      continue;
    }
    if (current && current.key === key) {
      if (unreadableSince !== undefined) current.brokenLine ??= unreadableSince;
      current.rows.push(entry.row);
    } else {
      yield* finish();
      current = { key, rows: [entry.row] };
    }
    unreadableSince = undefined;
  }
  yield* finish();
}

function firstLineOf(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0] ?? '';
}
