/**
 * `import --format <format> --file <path> [--currency USD] [--timezone UTC]`
 *
 * Imports a store's past orders into whichever Comeback COMEBACK_URL points at, through the admin
 * route POST /v1/imports. The file is streamed, never read whole, and uploaded in parts of at most
 * 1 MiB and 1,000 orders, cut only between orders, each part with the header line and the file
 * line it starts on: a part fits every API Gateway and Lambda limit and is answered within the
 * API's time limit, and rejected lines carry the file's own line numbers. Parts go one after
 * another; the answers are summed. Importing the same file again records nothing new: every order
 * is a duplicate (the ledger's order guard, as for webhooks).
 *
 * Shows progress on stderr when it is a terminal, lists rejected lines with their reason in
 * `<file>.rejected.csv`, and ends with one JSON line on stdout:
 * {"imported":n,"duplicates":n,"rejected":n,"customers":n,"seconds":s[,"rejectedFile":path]}
 */
import { createReadStream, createWriteStream, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { orderKeyOf, importFormatNames, type ImportFormat, type ImportFormatName } from '../../functions/core/imports/format.ts';
import { importFormats } from '../../functions/core/imports/formats/index.ts';
import { csvFields, CsvRecordReader } from '../../functions/core/imports/records.ts';
import { importSummarySchema, type ImportSummary } from '../../functions/core/imports/request.ts';
import { currencySchema, timeZoneSchema } from '../../functions/core/purchase.ts';
import { refusalDetail, send } from '../local/client.ts';

export interface ImportOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Progress is drawn only on a terminal. */
  stderrIsTerminal: boolean;
}

export interface ImportTarget {
  url: string;
  adminToken: string;
}

export const importUsage = `import --format ${importFormatNames.join('|')} --file <path> [--currency USD] [--timezone UTC]`;

/** What one upload holds at most: far below the route's 5 MiB, and quick enough for the API's time limit. */
export const PART_LIMITS = { bytes: 1024 * 1024, orders: 1000 };

export interface UploadPart {
  /** The file line of the part's first line (after the header, for CSV formats). */
  firstLine: number;
  /** The part's lines, as in the file: line k of the part is line firstLine + k - 1 of the file. */
  lines: string[];
  /** The header line, sent before the part's lines (CSV formats). */
  header?: string;
  orders: number;
  /** Bytes of the file read so far, for progress. */
  bytesRead: number;
}

/**
 * Cuts a file's lines into upload parts between orders: a part ends before the line that starts
 * an order which would take it over `limits`. Blank and unreadable lines stay where they are (so
 * line numbers hold), and an unreadable line never starts an order: the server decides about it.
 */
export async function* uploadParts(lines: AsyncIterable<string>, format: ImportFormat, limits = PART_LIMITS): AsyncGenerator<UploadPart> {
  let lineNumber = 0;
  let bytesRead = 0;
  let header: string | undefined;
  let columns: string[] = [];
  let keyColumn = -1;
  const reader = new CsvRecordReader();
  let part: { firstLine: number; lines: string[]; bytes: number; orders: number; key?: string } | undefined;
  // Lines read since the last complete record: blank lines and the lines of a record still open.
  let pending: { firstLine: number; lines: string[]; bytes: number } | undefined;

  const take = function* (key: string | undefined): Generator<UploadPart> {
    if (!pending) return;
    const startsOrder = key !== undefined && key !== part?.key;
    if (part && startsOrder && (part.bytes + pending.bytes > limits.bytes || part.orders + 1 > limits.orders)) {
      yield { firstLine: part.firstLine, lines: part.lines, ...(header !== undefined ? { header } : {}), orders: part.orders, bytesRead };
      part = undefined;
    }
    part ??= { firstLine: pending.firstLine, lines: [], bytes: 0, orders: 0 };
    part.lines.push(...pending.lines);
    part.bytes += pending.bytes;
    if (startsOrder) {
      part.orders += 1;
      part.key = key;
    }
    pending = undefined;
  };

  for await (const raw of lines) {
    lineNumber += 1;
    bytesRead += Buffer.byteLength(raw) + 1;
    const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (format.layout === 'csv' && header === undefined) {
      const record = reader.push(text, lineNumber);
      if (!record) continue;
      header = record.text;
      columns = headerColumns(record.text);
      keyColumn = columns.indexOf(format.orderColumn ?? '');
      continue;
    }
    pending ??= { firstLine: lineNumber, lines: [], bytes: 0 };
    pending.lines.push(text);
    pending.bytes += Buffer.byteLength(text) + 1;
    if (format.layout === 'whitespace') {
      yield* take(text.trim() === '' ? undefined : `line:${lineNumber}`);
      continue;
    }
    // Blank lines stay pending and travel with the next record.
    const record = reader.push(text, lineNumber);
    if (record) yield* take(record.unclosed ? undefined : recordKey(format, columns.length, keyColumn, record));
  }
  reader.end();
  yield* take(undefined);
  if (part) yield { firstLine: part.firstLine, lines: part.lines, ...(header !== undefined ? { header } : {}), orders: part.orders, bytesRead };
}

function headerColumns(text: string): string[] {
  try {
    return csvFields({ line: 1, text }).map((column) => column.trim().toLowerCase());
  } catch {
    return [];
  }
}

/** The order a record belongs to; undefined for a record the server rejects as unreadable. */
function recordKey(format: ImportFormat, columns: number, keyColumn: number, record: { line: number; text: string }): string | undefined {
  if (keyColumn < 0) return orderKeyOf(format, { line: record.line, text: record.text, fields: {} });
  try {
    const fields = csvFields(record);
    return fields.length === columns ? (fields[keyColumn]?.trim() ?? '') : undefined;
  } catch {
    return undefined;
  }
}

interface Flags {
  format: ImportFormatName;
  file: string;
  currency: string;
  timezone: string;
}

function readFlags(args: string[]): Flags {
  let values: { format?: string; file?: string; currency?: string; timezone?: string };
  try {
    ({ values } = parseArgs({ args, options: { format: { type: 'string' }, file: { type: 'string' }, currency: { type: 'string' }, timezone: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new Error(`${(error as Error).message.split('\n')[0]} (usage: ${importUsage})`, { cause: error });
  }
  if (!values.format || !(importFormatNames as readonly string[]).includes(values.format)) {
    throw new Error(`import needs --format ${importFormatNames.join(', ')}${values.format ? `, not "${values.format}"` : ''} (usage: ${importUsage})`);
  }
  if (!values.file) throw new Error(`import needs --file <path> (usage: ${importUsage})`);
  const currency = values.currency ?? 'USD';
  if (!currencySchema.safeParse(currency).success) throw new Error(`--currency must be an ISO 4217 code like USD, not "${currency}"`);
  const timezone = values.timezone ?? 'UTC';
  if (!timeZoneSchema.safeParse(timezone).success) throw new Error(`--timezone must be an IANA time zone like Europe/Berlin, not "${timezone}"`);
  return { format: values.format as ImportFormatName, file: values.file, currency, timezone };
}

export async function runImport(args: string[], target: ImportTarget, output: ImportOutput): Promise<void> {
  const started = performance.now();
  const flags = readFlags(args);
  const format = importFormats[flags.format];
  let size: number;
  try {
    size = statSync(flags.file).size;
  } catch (error) {
    throw new Error(`cannot read ${flags.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const totals = { imported: 0, duplicates: 0, rejected: 0 };
  const customers = new Set<string>();
  const rejectedFile = `${flags.file}.rejected.csv`;
  let rejections: WriteStream | undefined;
  const progress = (bytesRead: number) => {
    if (!output.stderrIsTerminal) return;
    const share = size > 0 ? Math.min(100, Math.floor((bytesRead / size) * 100)) : 100;
    output.stderr(`\rimport: ${share}% of ${flags.file}: ${totals.imported} imported, ${totals.duplicates} duplicates, ${totals.rejected} rejected`);
  };
  const input = createReadStream(flags.file, { encoding: 'utf8' });
  const lines = linesOf(input);
  try {
    for await (const part of uploadParts(lines, format)) {
      const summary = await upload(target, flags, part, totals.imported + totals.duplicates);
      totals.imported += summary.imported;
      totals.duplicates += summary.duplicates;
      totals.rejected += summary.rejected;
      for (const customerId of summary.customerIds) customers.add(customerId);
      if (summary.rejections.length > 0) {
        if (!rejections) {
          rejections = createWriteStream(rejectedFile);
          rejections.write('line,orderId,reason\n');
        }
        for (const rejection of summary.rejections) {
          if (!rejections.write(`${rejection.line},${csvValue(rejection.orderId ?? '')},${csvValue(rejection.reason)}\n`)) await once(rejections, 'drain');
        }
      }
      progress(part.bytesRead);
    }
  } finally {
    input.destroy();
    if (rejections) await new Promise<void>((closed) => rejections!.end(() => closed()));
    if (output.stderrIsTerminal) output.stderr('\n');
  }
  // A list left by an earlier import of this file would now be wrong.
  if (!rejections) rmSync(rejectedFile, { force: true });
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  output.stdout(`${JSON.stringify({ ...totals, customers: customers.size, seconds, ...(rejections ? { rejectedFile } : {}) })}\n`);
}

async function upload(target: ImportTarget, flags: Flags, part: UploadPart, recordedBefore: number): Promise<ImportSummary> {
  const query = new URLSearchParams({ format: flags.format, currency: flags.currency, timezone: flags.timezone, firstLine: String(part.firstLine) });
  const body = `${part.header !== undefined ? `${part.header}\n` : ''}${part.lines.join('\n')}\n`;
  const where = `lines ${part.firstLine}-${part.firstLine + part.lines.length - 1}`;
  const answer = await send(`${target.url}/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${target.adminToken}` },
    body,
  });
  if (answer.status !== 200) {
    const before = recordedBefore > 0 ? ` (the ${recordedBefore} orders before line ${part.firstLine} are recorded; the same import run again counts them as duplicates)` : '';
    throw new Error(`the upload of ${where} was refused: HTTP ${answer.status}: ${refusalDetail(answer)}${before}`);
  }
  const summary = importSummarySchema.safeParse(answer.body);
  if (!summary.success) throw new Error(`the answer to the upload of ${where} is not an import summary: ${JSON.stringify(answer.body)?.slice(0, 200)}`);
  return summary.data;
}

/** The lines of a text stream, without their line breaks (LF or CRLF), read a chunk at a time. */
export async function* linesOf(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** A CSV field: quoted when it holds a comma, quote or line break. */
function csvValue(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
