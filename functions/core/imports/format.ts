/**
 * What an import format is: how its file is laid out, which lines make one order, and how those
 * lines become a purchase in the generic wire form (then validated by parsePurchase, like every
 * webhook). Each format lives in its own module under formats/.
 */
import type { OrderSource, PurchaseInput } from '../purchase.ts';

export const importFormatNames = ['comeback-csv', 'shopify-csv', 'woocommerce-csv', 'cdnow'] as const;

export type ImportFormatName = (typeof importFormatNames)[number];

/** One line (record) of the file: its fields by lower-cased column name. */
export interface ImportRow {
  line: number;
  fields: Readonly<Record<string, string>>;
  text: string;
}

export interface ImportContext {
  /** The currency of amounts when the file names none (`--currency`). */
  currency: string;
  /** The time zone of dates written without an offset (`--timezone`). */
  timeZone: string;
}

export interface ImportFormat {
  readonly name: ImportFormatName;
  /** What the orders are recorded as coming from. */
  readonly source: OrderSource;
  /** `csv`: a header line names the columns. `whitespace`: fixed fields separated by blanks, no header. */
  readonly layout: 'csv' | 'whitespace';
  /** For `whitespace` files: the names given to the fields, in order. */
  readonly fieldNames?: readonly string[];
  /** For `whitespace` files: whether the file's first line, split into fields, is a header to skip. */
  readonly isHeader?: (fields: readonly string[]) => boolean;
  /** Columns the header must name (lower-cased). */
  readonly requiredColumns: readonly string[];
  /**
   * The column every line of one order repeats; the lines of an order follow one another. Without
   * it, every line is an order of its own.
   */
  readonly orderColumn?: string;
  /**
   * The order of these lines as a wire purchase, or an OrderRejected saying why it does not count
   * (a cancelled or unpaid order, a missing field).
   */
  toPurchase(rows: readonly ImportRow[], context: ImportContext): PurchaseInput;
}

/** A field's trimmed text, or undefined when empty or absent. */
export function field(row: ImportRow, column: string): string | undefined {
  const value = row.fields[column]?.trim();
  return value ? value : undefined;
}

/** The key that groups the lines of one order; every line its own order when the format has none. */
export function orderKeyOf(format: ImportFormat, row: ImportRow): string {
  return format.orderColumn ? (field(row, format.orderColumn) ?? '') : `line:${row.line}`;
}
