/**
 * cdnow: the CDNOW master file (Fader & Hardie), one purchase a line, fields separated by blanks:
 * customer id, date (YYYYMMDD), number of CDs, dollar value. The file carries no order ids, so an
 * order's id is a digest of its line number and text: importing the same file again finds the same
 * ids (duplicates), while two identical purchases on two lines stay two orders.
 */
import { createHash } from 'node:crypto';
import type { PurchaseInput } from '../../purchase.ts';
import { field, type ImportContext, type ImportFormat, type ImportRow } from '../format.ts';
import { instantOf, OrderRejected, quantityOf, unitPriceOf } from '../values.ts';

export const cdnow: ImportFormat = {
  name: 'cdnow',
  source: 'comeback',
  layout: 'whitespace',
  fieldNames: ['customer_id', 'date', 'cds', 'dollars'],
  requiredColumns: ['customer_id', 'date', 'cds', 'dollars'],
  // The master file as distributed starts with " customer_id  date number_of_cds  dollar_value".
  isHeader: (fields) => !/^\d+$/.test(fields[0] ?? ''),
  toPurchase([row]: readonly ImportRow[], context: ImportContext): PurchaseInput {
    const date = field(row!, 'date') ?? '';
    const day = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
    const placedAt = day ? instantOf(`${day[1]}-${day[2]}-${day[3]}`, context.timeZone) : undefined;
    if (!placedAt) throw new OrderRejected(`date "${date}" is not a day written YYYYMMDD`);
    const quantity = quantityOf(field(row!, 'cds'));
    if (quantity === undefined) throw new OrderRejected(`number of CDs "${field(row!, 'cds') ?? ''}" is not a whole number above 0`);
    const dollars = field(row!, 'dollars') ?? '';
    let unitPrice: string;
    try {
      unitPrice = unitPriceOf(dollars, quantity, context.currency);
    } catch (error) {
      throw new OrderRejected(`dollar value: ${(error as Error).message}`);
    }
    return {
      orderId: cdnowOrderId(row!),
      placedAt: placedAt.toISOString(),
      currency: context.currency,
      total: dollars,
      customer: { id: field(row!, 'customer_id') ?? '' },
      items: [{ sku: 'CD', name: 'CD', category: 'music', quantity, unitPrice }],
    };
  },
};

/** The line's order id: its line number and its text without surrounding blanks. */
export function cdnowOrderId(row: Pick<ImportRow, 'line' | 'text'>): string {
  return `cdnow-${createHash('sha256').update(`${row.line}\n${row.text.trim()}`).digest('hex').slice(0, 24)}`;
}
