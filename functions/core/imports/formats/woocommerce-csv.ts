/**
 * woocommerce-csv: the orders export of WooCommerce's Customer / Order / Coupon Export extension in
 * its "Default - One Row per Item" format. Columns are found by their keys (order_id, order_date,
 * status, order_total, order_currency, customer_id, billing_email, item_name, item_sku,
 * item_quantity, item_subtotal, item_total, coupon_items, ...), which the extension keeps stable;
 * the order's fields repeat on each of its item rows.
 *
 * Only orders WooCommerce considers placed and paid count: status processing or completed (the
 * webhooks' rule, functions/core/platforms/lifecycle.ts). Any
 * other order (pending, on-hold, failed, cancelled, refunded, draft) is rejected with the reason.
 *
 * order_date is the store's local time without an offset: it is read in the import's time zone.
 * A guest (customer_id 0) is known by the lower-cased billing email, as the webhook knows them.
 */
import type { PurchaseInput } from '../../purchase.ts';
import { countedWooCommerceStatuses } from '../../platforms/lifecycle.ts';
import { clip } from '../../platforms/shopify.ts';
import { field, type ImportContext, type ImportFormat, type ImportRow } from '../format.ts';
import { instantOf, OrderRejected, quantityOf, unitPriceOf } from '../values.ts';
import { definedContact } from './comeback-csv.ts';

export const wooCommerceCsv: ImportFormat = {
  name: 'woocommerce-csv',
  source: 'woocommerce',
  layout: 'csv',
  requiredColumns: ['order_id', 'order_date', 'status', 'order_total', 'billing_email', 'item_name', 'item_quantity'],
  orderColumn: 'order_id',
  toPurchase(rows: readonly ImportRow[], context: ImportContext): PurchaseInput {
    const first = rows[0]!;
    const status = (field(first, 'status') ?? '').toLowerCase().replace(/^wc-/, '');
    if (!(countedWooCommerceStatuses as readonly string[]).includes(status)) {
      throw new OrderRejected(`status "${status || '(empty)'}": only ${countedWooCommerceStatuses.join(' and ')} orders count`);
    }
    const name = [field(first, 'billing_first_name'), field(first, 'billing_last_name')].filter(Boolean).join(' ') || undefined;
    const contact = definedContact(field(first, 'billing_email'), field(first, 'billing_phone'), name);
    const customerId = field(first, 'customer_id');
    const registered = customerId !== undefined && /^\d+$/.test(customerId) && !/^0+$/.test(customerId) ? customerId.replace(/^0+/, '') : undefined;
    if (registered === undefined && contact.email === undefined) throw new OrderRejected('a guest order without a billing email: the buyer cannot be identified');
    const orderDate = field(first, 'order_date') ?? '';
    const placedAt = instantOf(orderDate, context.timeZone);
    if (!placedAt) throw new OrderRejected(`order_date "${orderDate}" is not a date`);
    const currency = field(first, 'order_currency') ?? context.currency;
    const promoCode = clip(/(?:^|;)code:([^;|]+)/.exec(field(first, 'coupon_items') ?? '')?.[1], 100);
    return {
      orderId: field(first, 'order_id') ?? '',
      placedAt: placedAt.toISOString(),
      currency,
      total: field(first, 'order_total') ?? '',
      customer: { id: registered ?? contact.email!.toLowerCase().slice(0, 256), ...contact },
      items: rows.map((row) => {
        const quantity = quantityOf(field(row, 'item_quantity'));
        if (quantity === undefined) throw new OrderRejected(`line ${row.line}: item_quantity "${field(row, 'item_quantity') ?? ''}" is not a whole number above 0`);
        // The line before discounts, as the webhook's unit price; its total after them otherwise.
        const lineTotal = field(row, 'item_subtotal') ?? field(row, 'item_total');
        if (lineTotal === undefined) throw new OrderRejected(`line ${row.line}: neither item_subtotal nor item_total is given`);
        let unitPrice: string;
        try {
          unitPrice = unitPriceOf(lineTotal, quantity, currency);
        } catch (error) {
          throw new OrderRejected(`line ${row.line}: item price: ${(error as Error).message}`);
        }
        const itemName = clip(field(row, 'item_name'), 500);
        const sku = clip(field(row, 'item_sku'), 256) ?? (itemName ? `name:${itemName}`.slice(0, 256) : `line:${row.line}`);
        return { sku, ...(itemName ? { name: itemName } : {}), quantity, unitPrice };
      }),
      channel: 'woocommerce',
      ...(promoCode ? { promoCode } : {}),
    };
  },
};
