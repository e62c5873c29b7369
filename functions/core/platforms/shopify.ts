/**
 * Shopify order webhooks (orders/create, orders/paid) mapped onto the generic purchase. The body is
 * the REST Admin API order resource. Its ids are 64-bit integers, so they must reach this module
 * losslessly: the HTTP edge keeps every integer above 2^53 as a string of its exact digits.
 *
 * This module also holds the small helpers every platform mapper shares (exact ids, contact fields
 * that are kept only when the generic schema accepts them, SKU fallbacks).
 */
import { hasNumberingPlan, parsePhoneNumber } from '../phone-numbers.ts';
import * as z from '../zod.ts';
import { InvalidInputError } from '../errors.ts';
import { formatMinorUnits, toMinorUnits } from '../money.ts';
import { amountSchema, customerInputSchema, definedOnly, invalid, type PurchaseInput } from '../purchase.ts';
import { defaultPlatformSettings, type OrderAction, type PlatformSettings } from './lifecycle.ts';

// ---------------------------------------------------------------------------------------------
// Shared by the platform mappers

/**
 * A platform's numeric id as exact decimal text: a JSON integer that a double holds exactly, or the
 * digits the edge kept as a string. A number beyond 2^53 has already lost digits and is refused.
 */
export const platformIdSchema = z.pipe(z.union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined || issue.input === null ? 'required' : 'must be an integer id (a JSON number or a string of digits)'),
  }), z.transform((value, ctx) => {
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value) && value >= 0) return String(value);
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: Number.isInteger(value) && value > 0
          ? 'the id is above 2^53 and has lost digits; the body must be parsed without converting large integers to numbers'
          : 'must be a non-negative integer id',
      });
      return z.NEVER;
    }
    const digits = value.trim();
    if (/^\d{1,40}$/.test(digits)) return digits.replace(/^0+(?=\d)/, '');
    ctx.issues.push({ code: 'custom', input: value, message: 'must be an integer id (a JSON number or a string of digits)' });
    return z.NEVER;
  }));

/** Optional text a platform may send as a string, null or not at all. */
export const optionalText = z.nullish(z.string());

const customerFields = customerInputSchema.shape;

/** The first argument that is a non-blank string, trimmed. */
export function firstText(...values: (string | null | undefined)[]): string | undefined {
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed) return trimmed;
  }
  return undefined;
}

/** Text cut to the generic schema's limit; blank text is absent. */
export function clip(value: string | null | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, max).trim() : undefined;
}

/** An email the generic schema accepts, or nothing: a bad contact field never fails an order. */
export function acceptedEmail(value: string | null | undefined): string | undefined {
  const email = firstText(value);
  return email !== undefined && customerFields.email.safeParse(email).success ? email : undefined;
}

/**
 * An E.164 phone number, or nothing. A number written with its country code ("+1 613-555-0123",
 * "00380 67 123 4567" read in a country that dials 00) is kept as it is; a national number
 * ("(555) 555-0107") is read in the first of `countries` that is a known country code (the order's
 * billing or shipping country, then the store's default). A number of a length no numbering plan
 * allows, or one without a country to read it in, is dropped: a contact field never fails an order.
 * Possible, not valid, is the test: numbering plans change faster than their metadata, and the
 * fictional 555 numbers of examples and tests must survive.
 */
export function acceptedPhone(value: string | null | undefined, ...countries: (string | null | undefined)[]): string | undefined {
  const phone = firstText(value);
  if (phone === undefined) return undefined;
  const defaultCountry = countries.map((country) => country?.trim().toUpperCase()).find((country) => country !== undefined && hasNumberingPlan(country));
  const parsed = parsePhoneNumber(phone, defaultCountry);
  if (!parsed?.isPossible()) return undefined;
  return customerFields.phone.safeParse(parsed.number).success ? parsed.number : undefined;
}

/** A BCP 47 language tag ("en", "en-CA"), or nothing ("en_US" is not one). */
export function acceptedLocale(value: string | null | undefined): string | undefined {
  const locale = firstText(value);
  return locale !== undefined && customerFields.locale.safeParse(locale).success ? locale : undefined;
}

/** "First Last" from the parts that are present. */
export function personName(first: string | null | undefined, last: string | null | undefined): string | undefined {
  return clip([first, last].map((part) => part?.trim()).filter(Boolean).join(' '), 200);
}

/**
 * A guest's customer id: the lower-cased email. Without an email the buyer cannot be recognised on
 * a later order, so the order is refused.
 */
export function guestCustomerId(email: string | undefined, platform: string, emailPath: string): string {
  if (email === undefined) {
    throw new InvalidInputError(`the ${platform} order has neither a customer id nor an email, so the buyer cannot be identified`, [
      { path: emailPath, message: 'an email is required when the order has no customer id' },
    ]);
  }
  return email.toLowerCase().slice(0, 256);
}

/** The item's SKU, or a stable stand-in when the merchant left it empty. */
export function skuOrFallback(sku: string | null | undefined, variantId: string | null | undefined, productId: string | null | undefined, lineId: string): string {
  const own = clip(sku, 256);
  if (own !== undefined) return own;
  if (variantId && variantId !== '0') return `variant:${variantId}`;
  if (productId && productId !== '0') return `product:${productId}`;
  return `line:${lineId}`;
}

// ---------------------------------------------------------------------------------------------
// Shopify

const marketingConsentSchema = z.nullish(z.object({ state: optionalText }));

const shopifyLineItemSchema = z.object({
  id: platformIdSchema,
  sku: optionalText,
  title: optionalText,
  name: optionalText,
  quantity: z.number().check(z.int(), z.positive()),
  price: amountSchema,
  product_id: z.nullish(platformIdSchema),
  variant_id: z.nullish(platformIdSchema),
  vendor: optionalText,
  product_type: optionalText,
});

const shopifyAddressSchema = z.nullish(z.object({ country_code: optionalText, phone: optionalText }));

const shopifyCustomerSchema = z.object({
  id: z.nullish(platformIdSchema),
  default_address: shopifyAddressSchema,
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  phone: optionalText,
  locale: optionalText,
  email_marketing_consent: marketingConsentSchema,
  sms_marketing_consent: marketingConsentSchema,
});

/** The part of the REST Admin API order this mapper relies on; every other field is ignored. */
export const shopifyOrderSchema = z.object({
  id: platformIdSchema,
  /** The order's name in the shop and in Shopify's own emails: `#1006`. */
  name: optionalText,
  created_at: optionalText,
  processed_at: optionalText,
  currency: z.string(),
  total_price: amountSchema,
  customer: z.nullish(shopifyCustomerSchema),
  email: optionalText,
  contact_email: optionalText,
  phone: optionalText,
  customer_locale: optionalText,
  line_items: z.array(shopifyLineItemSchema).check(z.minLength(1, 'an order needs at least one line item')),
  discount_codes: z.nullish(z.array(z.object({ code: z.string() }))),
  source_name: optionalText,
  buyer_accepts_marketing: z.nullish(z.boolean()),
  billing_address: shopifyAddressSchema,
  shipping_address: shopifyAddressSchema,
  test: z.nullish(z.boolean()),
  cancelled_at: optionalText,
  cancel_reason: optionalText,
  financial_status: optionalText,
});

export type ShopifyOrder = z.output<typeof shopifyOrderSchema>;

/** Maps a Shopify order webhook body onto the generic purchase (still to be checked by parsePurchase). */
export function shopifyOrderToPurchase(payload: unknown, settings: Pick<PlatformSettings, 'defaultCountry'> = defaultPlatformSettings): PurchaseInput {
  return purchaseOf(parseShopifyOrder(payload), settings);
}

function parseShopifyOrder(payload: unknown): ShopifyOrder {
  const parsed = shopifyOrderSchema.safeParse(payload);
  if (!parsed.success) throw invalid('the Shopify order lacks fields an order webhook carries', parsed.error);
  return parsed.data;
}

function purchaseOf(order: ShopifyOrder, settings: Pick<PlatformSettings, 'defaultCountry'>): PurchaseInput {

  // processed_at is when the sale happened (it differs from created_at for imported orders).
  const placedAt = firstText(order.processed_at, order.created_at);
  if (placedAt === undefined) {
    throw new InvalidInputError('the Shopify order has no date', [{ path: 'processed_at', message: 'processed_at or created_at is required' }]);
  }

  const customer = order.customer ?? undefined;
  const registeredId = customer?.id ?? undefined;
  const email = registeredId !== undefined
    ? firstText(customer?.email, order.email, order.contact_email)
    : firstText(order.email, order.contact_email, customer?.email);
  const emailConsent = customer?.email_marketing_consent
    ? consentFromState(customer.email_marketing_consent.state)
    : (order.buyer_accepts_marketing ?? undefined);
  const smsConsent = consentFromState(customer?.sms_marketing_consent?.state);
  const consent = emailConsent === undefined && smsConsent === undefined ? undefined : definedOnly({ email: emailConsent, sms: smsConsent });

  return definedOnly({
    orderId: order.id,
    placedAt,
    currency: order.currency,
    total: order.total_price,
    customer: definedOnly({
      id: registeredId ?? guestCustomerId(email, 'Shopify', 'email'),
      email: acceptedEmail(email),
      phone: acceptedPhone(
        firstText(customer?.phone, order.phone),
        order.billing_address?.country_code,
        order.shipping_address?.country_code,
        customer?.default_address?.country_code,
        settings.defaultCountry,
      ),
      name: personName(customer?.first_name, customer?.last_name),
      locale: acceptedLocale(firstText(customer?.locale, order.customer_locale)),
      consent,
    }),
    items: order.line_items.map((item) =>
      definedOnly({
        sku: skuOrFallback(item.sku, item.variant_id, item.product_id, item.id),
        name: clip(firstText(item.name, item.title), 500),
        category: clip(item.product_type, 200),
        quantity: item.quantity,
        unitPrice: item.price,
      }),
    ),
    orderName: clip(order.name, 100),
    channel: clip(order.source_name, 100) ?? 'shopify',
    promoCode: clip(order.discount_codes?.[0]?.code, 100),
  });
}

/** Shopify's marketing consent states; pending, redacted and invalid say neither yes nor no. */
function consentFromState(state: string | null | undefined): boolean | undefined {
  switch (state?.trim().toLowerCase()) {
    case 'subscribed':
      return true;
    case 'unsubscribed':
    case 'not_subscribed':
      return false;
    default:
      return undefined;
  }
}

/** The REST refund resource of the refunds/create webhook; money went back through its transactions. */
const shopifyRefundSchema = z.object({
  id: platformIdSchema,
  order_id: platformIdSchema,
  note: optionalText,
  transactions: z.nullish(z.array(z.object({ kind: optionalText, status: optionalText, amount: amountSchema, currency: optionalText }))),
});

/** Topics whose body is the refund resource, and the one whose body is a cancelled order. */
const REFUND_TOPIC = 'refunds/create';
const CANCELLED_TOPIC = 'orders/cancelled';

/**
 * What one Shopify delivery means, by its X-Shopify-Topic. Every other topic carries the order
 * (orders/create, orders/paid, orders/updated, or none for a test post):
 *
 * 1. A test order never counts.
 * 2. A cancelled order (cancelled_at set, whatever the topic) or one whose payment was voided or
 *    wholly refunded is reversed, or kept from counting should it arrive later.
 * 3. An order counts when its financial status is one of the store's counted ones (paid,
 *    partially_paid and authorized unless set otherwise); any other is acknowledged and skipped,
 *    and counts when a later delivery (orders/paid) says it is paid.
 */
export function shopifyWebhookActions(topic: string | undefined, payload: unknown, settings: PlatformSettings = defaultPlatformSettings): OrderAction[] {
  const name = topic?.trim().toLowerCase();
  if (name === REFUND_TOPIC) return [refundAction(payload)];
  const order = parseShopifyOrder(payload);
  if (order.test === true) return [{ kind: 'skip', orderId: order.id, reason: 'a test order' }];
  const status = order.financial_status?.trim().toLowerCase() ?? '';
  const cancelledAt = firstText(order.cancelled_at);
  if (name === CANCELLED_TOPIC || cancelledAt !== undefined) {
    const why = firstText(order.cancel_reason);
    return [{ kind: 'cancel', orderId: order.id, reason: `cancelled${cancelledAt ? ` at ${cancelledAt}` : ''}${why ? ` (${why})` : ''}` }];
  }
  if (status === 'voided' || status === 'refunded') return [{ kind: 'cancel', orderId: order.id, reason: `payment ${status}` }];
  if (!settings.shopifyCountedStatuses.includes(status)) {
    return [{ kind: 'skip', orderId: order.id, reason: `financial status "${status || '(none)'}": only ${settings.shopifyCountedStatuses.join(', ')} orders count` }];
  }
  return [{ kind: 'record', purchase: purchaseOf(order, settings) }];
}

/** The money a refund gave back: its successful refund transactions (a restock alone gives none). */
function refundAction(payload: unknown): OrderAction {
  const parsed = shopifyRefundSchema.safeParse(payload);
  if (!parsed.success) throw invalid('the Shopify refund lacks fields a refunds/create webhook carries', parsed.error);
  const refund = parsed.data;
  const given = (refund.transactions ?? []).filter(
    (transaction) => transaction.kind?.toLowerCase() === 'refund' && transaction.status?.toLowerCase() === 'success',
  );
  const currency = firstText(...given.map((transaction) => transaction.currency))?.toUpperCase();
  const amount = currency ? sumOf(given.map((transaction) => transaction.amount), currency) : undefined;
  if (given.length === 0 || amount === undefined || amount === '0') {
    return { kind: 'skip', orderId: refund.order_id, reason: `refund ${refund.id} gave no money back` };
  }
  return definedOnly({ kind: 'refund' as const, orderId: refund.order_id, refundId: refund.id, amount, currency, reason: clip(refund.note, 500) });
}

/** The sum of amounts in one currency as decimal text, or undefined when one is not an amount of it. */
function sumOf(amounts: readonly (string | number)[], currency: string): string | undefined {
  try {
    const minor = amounts.reduce<number>((total, amount) => total + toMinorUnits(amount, currency), 0);
    return minor === 0 ? '0' : formatMinorUnits(minor, currency);
  } catch {
    return undefined;
  }
}
