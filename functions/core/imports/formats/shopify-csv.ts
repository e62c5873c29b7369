/**
 * shopify-csv: Shopify's own orders export (Orders > Export, "Plain CSV file"). One row per line
 * item; the order's fields (Email, Financial Status, Currency, Total, Created at, ...) are on its
 * first row, later rows carry Name and the Lineitem columns. Columns are found by name, in any
 * order; the export's many other columns are ignored.
 *
 * Only orders Shopify considers placed and paid count: not test orders (paid with the Bogus
 * Gateway), not cancelled (Cancelled at is set), financial status paid, partially_paid or
 * authorized (the webhooks' default, functions/core/platforms/lifecycle.ts). Any other order is
 * rejected with the reason.
 *
 * The export names no customer id, so a buyer is known by the lower-cased email, as a guest is by
 * the webhook; the order id is the export's Id (the id webhooks carry), or its Name without it.
 */
import type { PurchaseInput } from '../../purchase.ts';
import { defaultCountedShopifyStatuses as countedShopifyStatuses } from '../../platforms/lifecycle.ts';
import { clip, firstText } from '../../platforms/shopify.ts';
import { field, type ImportContext, type ImportFormat, type ImportRow } from '../format.ts';
import { instantOf, OrderRejected, quantityOf } from '../values.ts';
import { definedContact } from './comeback-csv.ts';

export const shopifyCsv: ImportFormat = {
  name: 'shopify-csv',
  source: 'shopify',
  layout: 'csv',
  requiredColumns: ['name', 'email', 'financial status', 'currency', 'total', 'created at', 'lineitem quantity', 'lineitem name', 'lineitem price'],
  orderColumn: 'name',
  toPurchase(rows: readonly ImportRow[], context: ImportContext): PurchaseInput {
    const first = rows[0]!;
    if (/bogus/i.test(field(first, 'payment method') ?? '')) throw new OrderRejected('a test order (paid with the Bogus Gateway)');
    const cancelledAt = field(first, 'cancelled at');
    if (cancelledAt !== undefined) throw new OrderRejected(`cancelled at ${cancelledAt}`);
    const status = (field(first, 'financial status') ?? '').toLowerCase().replace(/\s+/g, '_');
    if (!(countedShopifyStatuses as readonly string[]).includes(status)) {
      throw new OrderRejected(`financial status "${status || '(empty)'}": only ${countedShopifyStatuses.join(', ')} orders count`);
    }
    const contact = definedContact(field(first, 'email'), firstText(field(first, 'phone'), field(first, 'billing phone'), field(first, 'shipping phone')), field(first, 'billing name'));
    if (contact.email === undefined) throw new OrderRejected("no email: Shopify's export names the buyer only by email");
    const createdAt = field(first, 'created at') ?? '';
    const placedAt = instantOf(createdAt, context.timeZone);
    if (!placedAt) throw new OrderRejected(`Created at "${createdAt}" is not a date`);
    const acceptsMarketing = field(first, 'accepts marketing')?.toLowerCase();
    const promoCode = clip(field(first, 'discount code'), 100);
    return {
      orderId: field(first, 'id') ?? field(first, 'name') ?? '',
      placedAt: placedAt.toISOString(),
      currency: field(first, 'currency') ?? context.currency,
      total: field(first, 'total') ?? '',
      customer: {
        id: contact.email.toLowerCase().slice(0, 256),
        ...contact,
        ...(acceptsMarketing === 'yes' || acceptsMarketing === 'no' ? { consent: { email: acceptsMarketing === 'yes' } } : {}),
      },
      items: rows.map((row) => {
        const quantity = quantityOf(field(row, 'lineitem quantity'));
        if (quantity === undefined) throw new OrderRejected(`line ${row.line}: Lineitem quantity "${field(row, 'lineitem quantity') ?? ''}" is not a whole number above 0`);
        const name = clip(field(row, 'lineitem name'), 500);
        const sku = clip(field(row, 'lineitem sku'), 256) ?? (name ? `name:${name}`.slice(0, 256) : `line:${row.line}`);
        return { sku, ...(name ? { name } : {}), quantity, unitPrice: field(row, 'lineitem price') ?? '' };
      }),
      channel: clip(field(first, 'source'), 100) ?? 'shopify',
      ...(promoCode ? { promoCode } : {}),
    };
  },
};
