/**
 * WooCommerce order webhooks (order.created, order.updated; WP REST API v3 order shape) mapped onto
 * the generic purchase, and the recognition of the ping WooCommerce sends when a webhook is saved.
 */
import * as z from '../zod.ts';
import { InvalidInputError, type FieldIssue } from '../errors.ts';
import { formatMinorUnits, toMinorUnits } from '../money.ts';
import { amountSchema, definedOnly, invalid, type Consent, type PurchaseInput } from '../purchase.ts';
import {
  countedWooCommerceStatuses,
  defaultPlatformSettings,
  reversedWooCommerceStatuses,
  type OrderAction,
  type PlatformSettings,
  type WooCommerceConsentSetting,
} from './lifecycle.ts';
import {
  acceptedEmail,
  acceptedPhone,
  clip,
  firstText,
  guestCustomerId,
  optionalText,
  personName,
  platformIdSchema,
  skuOrFallback,
} from './shopify.ts';

const wooLineItemSchema = z.object({
  id: platformIdSchema,
  name: optionalText,
  product_id: z.nullish(platformIdSchema),
  variation_id: z.nullish(platformIdSchema),
  quantity: z.number().check(z.int(), z.positive()),
  sku: optionalText,
  price: z.nullish(amountSchema),
  subtotal: z.nullish(amountSchema),
  total: z.nullish(amountSchema),
});

/** The part of the REST v3 order this mapper relies on; every other field is ignored. */
export const wooCommerceOrderSchema = z.object({
  id: platformIdSchema,
  /** The order number the shop shows, which an extension may make differ from the id. */
  number: z.nullish(z.union([z.string(), z.number()])),
  date_created_gmt: optionalText,
  date_created: optionalText,
  currency: z.string(),
  total: amountSchema,
  /** 0 for a guest checkout. */
  customer_id: z.nullish(platformIdSchema),
  billing: z.nullish(z.object({ first_name: optionalText, last_name: optionalText, email: optionalText, phone: optionalText, country: optionalText })),
  shipping: z.nullish(z.object({ phone: optionalText, country: optionalText })),
  /** Refunds given so far, newest first; `total` is negative decimal text ("-10.00"). */
  refunds: z.nullish(z.array(z.object({ id: platformIdSchema, reason: optionalText, total: amountSchema }))),
  line_items: z.array(wooLineItemSchema).check(z.minLength(1, 'an order needs at least one line item')),
  coupon_lines: z.nullish(z.array(z.object({ code: z.string() }))),
  created_via: optionalText,
  status: optionalText,
});

export type WooCommerceOrder = z.output<typeof wooCommerceOrderSchema>;

/** Maps a WooCommerce order webhook body onto the generic purchase (still to be checked by parsePurchase). */
export function wooCommerceOrderToPurchase(payload: unknown, settings: Omit<PlatformSettings, 'shopifyCountedStatuses'> = defaultPlatformSettings): PurchaseInput {
  return purchaseOf(parseWooCommerceOrder(payload), settings);
}

function parseWooCommerceOrder(payload: unknown): WooCommerceOrder {
  const parsed = wooCommerceOrderSchema.safeParse(payload);
  if (!parsed.success) throw invalid('the WooCommerce order lacks fields an order webhook carries', parsed.error);
  return parsed.data;
}

function purchaseOf(order: WooCommerceOrder, settings: Omit<PlatformSettings, 'shopifyCountedStatuses'>): PurchaseInput {
  const placedAt = utcCreationTime(order);

  const issues: FieldIssue[] = [];
  const items = order.line_items.map((item, index) => {
    const unitPrice = unitPriceOf(item, order.currency);
    if (unitPrice === undefined) issues.push({ path: `line_items.${index}.price`, message: 'price or subtotal is required' });
    return definedOnly({
      sku: skuOrFallback(item.sku, item.variation_id, item.product_id, item.id),
      name: clip(decodeEntities(item.name), 500),
      quantity: item.quantity,
      unitPrice: unitPrice ?? 0,
    });
  });
  if (issues.length > 0) throw new InvalidInputError('the WooCommerce order has line items without a price', issues);

  const billing = order.billing ?? undefined;
  const shipping = order.shipping ?? undefined;
  const email = firstText(billing?.email);
  const consent = checkoutConsent(settings.wooCommerceMarketingConsent);
  const phone = firstText(billing?.phone)
    ? acceptedPhone(billing?.phone, billing?.country, shipping?.country, settings.defaultCountry)
    : acceptedPhone(shipping?.phone, shipping?.country, billing?.country, settings.defaultCountry);
  const customerId = order.customer_id && order.customer_id !== '0' ? order.customer_id : undefined;

  return definedOnly({
    orderId: order.id,
    placedAt,
    currency: order.currency,
    total: order.total,
    customer: definedOnly({
      id: customerId ?? guestCustomerId(email, 'WooCommerce', 'billing.email'),
      email: acceptedEmail(email),
      phone,
      name: personName(billing?.first_name, billing?.last_name),
      consent,
    }),
    items,
    orderName: order.number !== null && order.number !== undefined && String(order.number).trim() !== '' ? clip(`#${String(order.number).trim()}`, 100) : undefined,
    channel: clip(order.created_via, 100) ?? 'woocommerce',
    promoCode: clip(order.coupon_lines?.[0]?.code, 100),
  });
}

/**
 * WooCommerce records no marketing consent, so what a checkout states is the store's setting: with
 * `none` an order states nothing, and consent comes only from the consent route (what the store's own
 * form collected); `email` or `email+sms` are for a store whose checkout itself asks.
 */
function checkoutConsent(setting: WooCommerceConsentSetting): Consent | undefined {
  switch (setting) {
    case 'none':
      return undefined;
    case 'email':
      return { email: true };
    case 'email+sms':
      return { email: true, sms: true };
  }
}

/**
 * What one WooCommerce delivery (order.created, order.updated, ...; every one carries the whole
 * order) means, by the order's status:
 *
 * 1. processing or completed: placed and paid, it counts; each refund listed on it is given back.
 * 2. cancelled or refunded: what is left of the order is reversed, or it is kept from counting
 *    should it arrive later.
 * 3. anything else (pending, on-hold, failed, checkout-draft, trash): acknowledged and skipped; the
 *    order counts when a later update says it is processing.
 */
export function wooCommerceWebhookActions(payload: unknown, settings: PlatformSettings = defaultPlatformSettings): OrderAction[] {
  const order = parseWooCommerceOrder(payload);
  const status = (order.status ?? '').trim().toLowerCase().replace(/^wc-/, '');
  if ((reversedWooCommerceStatuses as readonly string[]).includes(status)) return [{ kind: 'cancel', orderId: order.id, reason: `status ${status}` }];
  if (!(countedWooCommerceStatuses as readonly string[]).includes(status)) {
    return [{ kind: 'skip', orderId: order.id, reason: `status "${status || '(none)'}": only ${countedWooCommerceStatuses.join(' and ')} orders count` }];
  }
  // WooCommerce lists refunds newest first, each total negative ("-10.00"); they are given back oldest first.
  const refunds = (order.refunds ?? []).map(
    (refund): OrderAction =>
      definedOnly({ kind: 'refund' as const, orderId: order.id, refundId: refund.id, amount: String(refund.total).trim().replace(/^-/, ''), currency: order.currency, reason: clip(refund.reason, 500) }),
  );
  return [{ kind: 'record', purchase: purchaseOf(order, settings) }, ...refunds.reverse()];
}

/**
 * WooCommerce pings a delivery URL when a webhook is saved, with the form-encoded body
 * `webhook_id=<n>` instead of an order. Such a delivery is acknowledged, never recorded.
 */
export function isWooCommercePing(rawBody: string): boolean {
  return /^webhook_id=\d{1,20}$/.test(rawBody);
}

const offsetSuffix = /T.*(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * date_created_gmt is UTC written without an offset; date_created is the store's wall-clock time,
 * whose offset the payload does not carry, so it is used only if it states one itself.
 */
function utcCreationTime(order: WooCommerceOrder): string {
  const gmt = firstText(order.date_created_gmt);
  if (gmt !== undefined) return offsetSuffix.test(gmt) ? gmt : `${gmt}Z`;
  const local = firstText(order.date_created);
  if (local !== undefined && offsetSuffix.test(local)) return local;
  throw new InvalidInputError('the WooCommerce order has no UTC creation date', [
    {
      path: 'date_created_gmt',
      message: local === undefined ? 'required' : "required: date_created has no offset, so the store's time zone is unknown",
    },
  ]);
}

/**
 * The unit price in the currency's exponent. WooCommerce computes `price` as subtotal / quantity in
 * floating point (8.333333333333334); when it has more decimals than the currency allows, the unit
 * price is the line subtotal divided by the quantity, rounded half up to the currency's minor unit.
 */
function unitPriceOf(item: WooCommerceOrder['line_items'][number], currency: string): string | number | undefined {
  if (item.price !== undefined && item.price !== null && fitsCurrency(item.price, currency)) return item.price;
  if (item.subtotal !== undefined && item.subtotal !== null && fitsCurrency(item.subtotal, currency)) {
    const subtotalMinor = BigInt(toMinorUnits(item.subtotal, currency));
    const quantity = BigInt(item.quantity);
    return formatMinorUnits(Number((2n * subtotalMinor + quantity) / (2n * quantity)), currency);
  }
  // Unusable either way: passed on as sent, so the generic validation names the problem.
  return item.price ?? item.subtotal ?? undefined;
}

function fitsCurrency(amount: string | number, currency: string): boolean {
  try {
    toMinorUnits(amount, currency);
    return true;
  } catch {
    return false;
  }
}

const namedEntities: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ndash: '\u2013', mdash: '\u2014', hellip: '\u2026',
};

/** WooCommerce sends item names HTML-escaped ("Ship Your Idea &ndash; Color: Black"). */
function decodeEntities(text: string | null | undefined): string | undefined {
  return text?.replace(/&(#\d{1,7}|#x[\da-f]{1,6}|[a-z]+);/gi, (entity: string, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return namedEntities[body.toLowerCase()] ?? entity;
  });
}
