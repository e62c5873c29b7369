/**
 * Records of an import file, with the line each starts on. A CSV record may span lines (a quoted
 * field holding a line break, as Shopify's notes and addresses do), so records are assembled line
 * by line, following only where quoted fields open and close; csv-parse then reads each record's
 * fields. The CLI and the import route use the same reader, so both agree on where every record
 * starts: the CLI cuts uploads only between orders, and rejected lines carry the file's numbers.
 */
import { parse } from 'csv-parse/sync';

export interface SourceRecord {
  /** The line of the file the record starts on (1-based). */
  line: number;
  /** The record's text, its lines joined by "\n". */
  text: string;
  /** Set when the record ended inside a quoted field that never closed. */
  unclosed?: true;
}

/** A quoted field still open after this many characters is taken as a missing closing quote. */
export const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * Assembles CSV records from lines. Feed every line (without its line break) with `push`; a record
 * comes back once its last line arrives. Blank lines between records are skipped. `end` returns a
 * record left open by a quote that never closed.
 */
export class CsvRecordReader {
  private open: { line: number; parts: string[]; chars: number } | undefined;

  push(text: string, line: number): SourceRecord | undefined {
    if (!this.open) {
      if (text.trim() === '') return undefined;
      this.open = { line, parts: [], chars: 0 };
    }
    const record = this.open;
    // A record goes on to a next line only from inside a quoted field.
    const quoted = endsInsideQuotes(text, record.parts.length > 0);
    record.parts.push(text);
    record.chars += text.length + 1;
    if (!quoted) {
      this.open = undefined;
      return { line: record.line, text: record.parts.join('\n') };
    }
    if (record.chars > MAX_RECORD_CHARS) {
      this.open = undefined;
      return { line: record.line, text: record.parts.join('\n'), unclosed: true };
    }
    return undefined;
  }

  end(): SourceRecord | undefined {
    const record = this.open;
    this.open = undefined;
    return record ? { line: record.line, text: record.parts.join('\n'), unclosed: true } : undefined;
  }
}

/**
 * Whether a line stops inside a quoted field, given whether it starts inside one: a quote opens a
 * field only at its start, and inside one a doubled quote is a quote character (RFC 4180). A quote
 * in the middle of an unquoted field is taken literally, as csv-parse's `relax_quotes` does.
 */
function endsInsideQuotes(text: string, startsQuoted: boolean): boolean {
  let quoted = startsQuoted;
  let fieldStart = !startsQuoted;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (quoted) {
      if (char === '"') {
        if (text[at + 1] === '"') at += 1;
        else quoted = false;
      }
    } else if (char === '"' && fieldStart) {
      quoted = true;
    }
    fieldStart = !quoted && char === ',';
  }
  return quoted;
}

/** Splits text into lines, with or without carriage returns, dropping a byte order mark. */
export function linesOf(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The CSV records of a text whose first line is line `firstLine` of its file. */
export function csvRecords(text: string, firstLine = 1): SourceRecord[] {
  const reader = new CsvRecordReader();
  const records: SourceRecord[] = [];
  linesOf(text).forEach((line, index) => {
    const record = reader.push(line, firstLine + index);
    if (record) records.push(record);
  });
  const last = reader.end();
  if (last) records.push(last);
  return records;
}

/** A record's fields as csv-parse reads them; throws csv-parse's error for malformed CSV. */
export function csvFields(record: SourceRecord): string[] {
  const rows = parse(record.text, { relax_quotes: true, relax_column_count: true }) as string[][];
  if (rows.length > 1) throw new Error('the line holds more than one record');
  return rows[0] ?? [];
}
