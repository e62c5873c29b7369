/**
 * comeback-csv: Comeback's own import file, for any system that can write a CSV.
 *
 *   orderId,customerId,placedAt,currency,total,email,phone,name,sku,category,quantity,unitPrice
 *
 * One line per item; the lines of one order follow one another and repeat its orderId. The order's
 * fields (customerId to name) are read from its first line: later lines may leave them empty or
 * repeat them, but not contradict them. Columns may come in any order; currency, email, phone,
 * name and category may be empty (currency is then the one given to the import).
 */
import { acceptedEmail, acceptedPhone, clip } from '../../platforms/shopify.ts';
import type { PurchaseInput } from '../../purchase.ts';
import { field, type ImportContext, type ImportFormat, type ImportRow } from '../format.ts';
import { instantOf, OrderRejected, quantityOf } from '../values.ts';

const orderColumns = ['customerid', 'placedat', 'currency', 'total', 'email', 'phone', 'name'] as const;

export const comebackCsv: ImportFormat = {
  name: 'comeback-csv',
  source: 'comeback',
  layout: 'csv',
  requiredColumns: ['orderid', 'customerid', 'placedat', 'total', 'sku', 'quantity', 'unitprice'],
  orderColumn: 'orderid',
  toPurchase(rows: readonly ImportRow[], context: ImportContext): PurchaseInput {
    const first = rows[0]!;
    for (const row of rows.slice(1)) {
      for (const column of orderColumns) {
        const value = field(row, column);
        if (value !== undefined && value !== field(first, column)) {
          throw new OrderRejected(`line ${row.line}: ${column} "${value}" differs from the order's first line (line ${first.line})`);
        }
      }
    }
    const placedAtText = field(first, 'placedat') ?? '';
    const placedAt = instantOf(placedAtText, context.timeZone);
    if (!placedAt) throw new OrderRejected(`placedAt "${placedAtText}" is not a date (ISO 8601, like 2026-03-01T10:00:00+02:00 or 2026-03-01)`);
    return {
      orderId: field(first, 'orderid') ?? '',
      placedAt: placedAt.toISOString(),
      currency: field(first, 'currency') ?? context.currency,
      total: field(first, 'total') ?? '',
      customer: {
        id: field(first, 'customerid') ?? '',
        ...definedContact(field(first, 'email'), field(first, 'phone'), field(first, 'name')),
      },
      items: rows.map((row) => {
        const quantity = quantityOf(field(row, 'quantity'));
        if (quantity === undefined) throw new OrderRejected(`line ${row.line}: quantity "${field(row, 'quantity') ?? ''}" is not a whole number above 0`);
        const category = clip(field(row, 'category'), 200);
        return { sku: field(row, 'sku') ?? '', quantity, unitPrice: field(row, 'unitprice') ?? '', ...(category ? { category } : {}) };
      }),
    };
  },
};

/** Contact fields the generic schema accepts; one it would refuse is left out, never failing the order. */
export function definedContact(email: string | undefined, phone: string | undefined, name: string | undefined): { email?: string; phone?: string; name?: string } {
  const contact = { email: acceptedEmail(email), phone: acceptedPhone(phone), name: clip(name, 200) };
  return Object.fromEntries(Object.entries(contact).filter(([, value]) => value !== undefined));
}
