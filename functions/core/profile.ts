/**
 * The customer profile and the aggregates kept on it. Every write goes through applyOrder or
 * applyRefund (or, for a live order of a returning customer, orderChange, which gives the same), so
 * nightly jobs read one item per customer instead of every order. Both are order-independent:
 * orders arriving out of time order leave the same profile.
 */
import type { Consent, Purchase } from './purchase.ts';
import { definedOnly } from './purchase.ts';

/**
 * The categories and the SKUs kept on a profile: the latest, at most this many of each and at most
 * MAX_TRACKED_BYTES of each in UTF-8, so a profile item stays far below DynamoDB's 400 KB item limit
 * (500 SKUs of 256 three-byte characters alone would take 384 KB).
 */
export const MAX_TRACKED_VALUES = 500;
export const MAX_TRACKED_BYTES = 64 * 1024;

/**
 * Days with orders kept on the profile: the latest ones, a year of daily buying. A customer with more
 * distinct order days loses the oldest from `orderDays` (her first order stays in `firstOrderAt`).
 */
export const MAX_ORDER_DAYS = 366;

/** What one customer bought on one day in one currency: gross order totals, before refunds. */
export interface DayOrders {
  orders: number;
  totalMinor: number;
}

export interface CustomerProfile {
  customerId: string;
  email?: string;
  phone?: string;
  name?: string;
  locale?: string;
  timezone?: string;
  /** Marketing consent per channel given at checkout; absent means not given. */
  consent: Consent;
  /** When each channel's consent was stated (placedAt of that order). */
  consentAsOf: { email?: string; sms?: string };
  /**
   * Where each channel's consent was last stated, when it was not at checkout: the `source` the store
   * posted to the consent route (its signup form, its account page). Absent on checkout statements.
   */
  consentSource?: { email?: string; sms?: string };
  /** placedAt of the order whose contact data and consent the profile shows. */
  contactAsOf: string;
  orderCount: number;
  /** Net revenue (orders minus refunds) per currency, in minor units. */
  revenueByCurrency: Record<string, number>;
  /** The currency of the customer's first order: the one `netRevenueMinor` is reported in. */
  currency: string;
  firstOrderAt: string;
  lastOrderAt: string;
  categories: string[];
  skus: string[];
  refundedMinorByCurrency: Record<string, number>;
  /**
   * Orders per UTC calendar day (YYYY-MM-DD of placedAt) and currency, for the latest MAX_ORDER_DAYS
   * days with orders: what the nightly segments, metrics and models read. Absent on profiles
   * written before it existed.
   */
  orderDays?: Record<string, Record<string, DayOrders>>;
  /** The largest single order total per currency (gross). Absent on profiles written before it existed. */
  largestOrderMinorByCurrency?: Record<string, number>;
}

export function applyOrder(profile: CustomerProfile | undefined, order: Purchase): CustomerProfile {
  const categories = categoriesOf(order);
  const skus = skusOf(order);
  const contact = contactOf(order);
  if (!profile) {
    return {
      customerId: order.customer.id,
      ...contact,
      ...stateCheckoutConsent({ consent: {}, consentAsOf: {} }, order.customer.consent, order.placedAt),
      contactAsOf: order.placedAt,
      orderCount: 1,
      revenueByCurrency: { [order.currency]: order.totalMinor },
      currency: order.currency,
      firstOrderAt: order.placedAt,
      lastOrderAt: order.placedAt,
      categories: union([], categories),
      skus: union([], skus),
      refundedMinorByCurrency: {},
      orderDays: addOrderDay({}, order),
      largestOrderMinorByCurrency: { [order.currency]: order.totalMinor },
    };
  }
  const newer = order.placedAt >= profile.contactAsOf;
  const earliest = order.placedAt < profile.firstOrderAt;
  return {
    ...profile,
    // The newest order's contact data wins; an older order only fills what is still unknown.
    ...(newer ? { ...profile, ...contact } : { ...contact, ...definedOnly(pickContact(profile)) }),
    ...stateCheckoutConsent(profile, order.customer.consent, order.placedAt),
    contactAsOf: newer ? order.placedAt : profile.contactAsOf,
    orderCount: profile.orderCount + 1,
    revenueByCurrency: addTo(profile.revenueByCurrency, order.currency, order.totalMinor),
    currency: earliest ? order.currency : profile.currency,
    firstOrderAt: earliest ? order.placedAt : profile.firstOrderAt,
    lastOrderAt: order.placedAt > profile.lastOrderAt ? order.placedAt : profile.lastOrderAt,
    categories: union(profile.categories, categories),
    skus: union(profile.skus, skus),
    orderDays: addOrderDay(profile.orderDays ?? {}, order),
    largestOrderMinorByCurrency: maxOf(profile.largestOrderMinorByCurrency ?? {}, order.currency, order.totalMinor),
  };
}

/**
 * What a live order changes on a returning customer's profile, stated so that a store can apply it
 * within the order's own write, without reading the profile first: the operations (`set`, `fill`,
 * `consent`, `add`) and the facts about the stored profile under which they give what applyOrder
 * gives (`requires`). Three placements: the customer's newest order (almost every live order, her
 * first included: the change then starts her profile), an order older than her newest (one that
 * arrived late), and one older than her first. Where a fact
 * does not hold (a consent stated later elsewhere), the store applies applyOrder to the profile it
 * finds instead. Order days, the largest order, and a returning customer's categories and SKUs are
 * left out: they need the customer's orders, and are recounted from them after the write
 * (orderHistoryOf). A condition that her lists already hold the order's products made the write
 * fall back to applyOrder whenever she bought something new, and was most of what the update's
 * conditions cost DynamoDB Local (the webhook bench's breakdown).
 */
export interface OrderChange {
  customerId: string;
  /** Set outright: the newest order's contact details, contactAsOf and lastOrderAt; the earliest order's firstOrderAt and currency. */
  set: Partial<Pick<CustomerProfile, ContactField | 'contactAsOf' | 'lastOrderAt' | 'firstOrderAt' | 'currency'>>;
  /**
   * Set where the profile has none: an older order's contact details; the newest order's firstOrderAt,
   * currency, categories and skus, which only a profile that does not exist yet lacks (a first order
   * starts it with them; the profile of a returning customer keeps its own, as applyOrder does).
   */
  fill: Partial<Pick<CustomerProfile, ContactField | 'firstOrderAt' | 'currency' | 'categories' | 'skus'>>;
  /** The answers that win (each stated at the order's placedAt). */
  consent: Consent;
  /** orderCount grows by one, revenueByCurrency[currency] by the order's total. */
  add: { currency: string; totalMinor: number };
  requires: {
    /**
     * `newest`: there is no profile yet, or contactAsOf and lastOrderAt are at most `at`; `older`:
     * both are later, firstOrderAt is not; `earliest`: all three are later. Only `newest` holds where
     * there is no profile: the other two need one, as does `consentLoses`.
     */
    placement: OrderPlacement;
    at: string;
    /** Channels whose answer wins: no statement of them is newer, and none came from the consent route. */
    consentWins: ('email' | 'sms')[];
    /** Channels whose answer loses: a newer statement of them is on the profile. */
    consentLoses: ('email' | 'sms')[];
  };
}

export type OrderPlacement = 'newest' | 'older' | 'earliest';

export function orderChange(order: Purchase, placement: OrderPlacement): OrderChange {
  const stated = definedOnly({ email: order.customer.consent?.email, sms: order.customer.consent?.sms });
  const channels = (['email', 'sms'] as const).filter((channel) => stated[channel] !== undefined);
  const newest = placement === 'newest';
  const contact = contactOf(order);
  return {
    customerId: order.customer.id,
    set: newest
      ? { ...contact, contactAsOf: order.placedAt, lastOrderAt: order.placedAt }
      : placement === 'earliest'
        ? { firstOrderAt: order.placedAt, currency: order.currency }
        : {},
    fill: newest ? { firstOrderAt: order.placedAt, currency: order.currency, categories: union([], categoriesOf(order)), skus: union([], skusOf(order)) } : contact,
    consent: newest ? stated : {},
    add: { currency: order.currency, totalMinor: order.totalMinor },
    requires: {
      placement,
      at: order.placedAt,
      consentWins: newest ? channels : [],
      consentLoses: newest ? [] : channels,
    },
  };
}

/** Where an order falls among a profile's orders, for orderChange. */
export function placementOf(profile: Pick<CustomerProfile, 'contactAsOf' | 'lastOrderAt' | 'firstOrderAt'>, order: Pick<Purchase, 'placedAt'>): OrderPlacement | undefined {
  if (order.placedAt >= profile.contactAsOf && order.placedAt >= profile.lastOrderAt) return 'newest';
  if (order.placedAt < profile.contactAsOf && order.placedAt < profile.lastOrderAt) return order.placedAt >= profile.firstOrderAt ? 'older' : 'earliest';
  return undefined;
}

/**
 * The aggregates only a customer's orders give: her order days (the latest MAX_ORDER_DAYS), largest
 * order per currency, and the categories and SKUs she bought (the latest, within MAX_TRACKED_VALUES
 * and MAX_TRACKED_BYTES).
 */
export type OrderHistory = Required<Pick<CustomerProfile, 'orderDays' | 'largestOrderMinorByCurrency' | 'categories' | 'skus'>>;

/**
 * The order history of these orders, as applyOrder keeps it one order at a time when they come in
 * the time they were placed: the lists keep what was bought last, whatever order they are given in.
 */
export function orderHistoryOf(orders: Iterable<Pick<Purchase, 'placedAt' | 'currency' | 'totalMinor' | 'items'>>): OrderHistory {
  let orderDays: Record<string, Record<string, DayOrders>> = {};
  let largestOrderMinorByCurrency: Record<string, number> = {};
  let categories: string[] = [];
  let skus: string[] = [];
  for (const order of [...orders].sort((u, v) => (u.placedAt < v.placedAt ? -1 : u.placedAt > v.placedAt ? 1 : 0))) {
    orderDays = addOrderDay(orderDays, order);
    largestOrderMinorByCurrency = maxOf(largestOrderMinorByCurrency, order.currency, order.totalMinor);
    categories = union(categories, categoriesOf(order));
    skus = union(skus, skusOf(order));
  }
  return { orderDays, largestOrderMinorByCurrency, categories, skus };
}

function categoriesOf(order: Pick<Purchase, 'items'>): string[] {
  return order.items.flatMap((item) => (item.category ? [item.category] : []));
}

function skusOf(order: Pick<Purchase, 'items'>): string[] {
  return order.items.map((item) => item.sku);
}

export function applyRefund(profile: CustomerProfile, currency: string, amountMinor: number): CustomerProfile {
  return {
    ...profile,
    revenueByCurrency: addTo(profile.revenueByCurrency, currency, -amountMinor),
    refundedMinorByCurrency: addTo(profile.refundedMinorByCurrency, currency, amountMinor),
  };
}

/** What the API shows: the profile in a stable field order, plus revenue in the first order's currency. */
export function profileView(profile: CustomerProfile): CustomerProfile & { netRevenueMinor: number } {
  const { customerId, orderCount, currency, revenueByCurrency, firstOrderAt, lastOrderAt, ...rest } = profile;
  return {
    customerId,
    orderCount,
    netRevenueMinor: revenueByCurrency[currency] ?? 0,
    currency,
    revenueByCurrency,
    firstOrderAt,
    lastOrderAt,
    ...rest,
  };
}

type ConsentState = Pick<CustomerProfile, 'consent' | 'consentAsOf'>;

/**
 * Consent given at checkout (at `at`, the order's placedAt), per channel: the answer given with the
 * newest order that states one wins, whatever order the webhooks arrive in (each channel remembers
 * when it was stated), and a channel it decides loses the consent route's source. What applyOrder
 * does with an order's consent; a store that keeps a live order's statement beside the profile's
 * maps merges it back with this.
 */
export function stateCheckoutConsent(profile: ConsentState & Pick<CustomerProfile, 'consentSource'>, given: Consent | undefined, at: string): ConsentState & Pick<CustomerProfile, 'consentSource'> {
  const { consent, consentAsOf } = stateConsent(profile, given, at);
  if (profile.consentSource === undefined) return { consent, consentAsOf };
  // A channel the checkout decided no longer has the consent route's source.
  const consentSource = { ...profile.consentSource };
  for (const channel of ['email', 'sms'] as const) if (consentAsOf[channel] !== profile.consentAsOf[channel]) delete consentSource[channel];
  return { consent, consentAsOf, consentSource };
}

/**
 * A consent statement (at checkout, or given on the store's site and posted to the consent route):
 * per channel, the statement made last wins, whatever order the statements arrive in.
 */
export function stateConsent<P extends ConsentState>(profile: P, given: Consent | undefined, at: string): P {
  const consent = { ...profile.consent };
  const consentAsOf = { ...profile.consentAsOf };
  for (const channel of ['email', 'sms'] as const) {
    const answer = given?.[channel];
    const statedAt = consentAsOf[channel];
    if (answer !== undefined && (statedAt === undefined || at >= statedAt)) {
      consent[channel] = answer;
      consentAsOf[channel] = at;
    }
  }
  return { ...profile, consent, consentAsOf };
}

function contactOf(order: Purchase) {
  return definedOnly(pickContact(order.customer));
}

type ContactField = 'email' | 'phone' | 'name' | 'locale' | 'timezone';

function pickContact(source: { email?: string; phone?: string; name?: string; locale?: string; timezone?: string }) {
  return { email: source.email, phone: source.phone, name: source.name, locale: source.locale, timezone: source.timezone };
}

function addTo(totals: Record<string, number>, key: string, amount: number): Record<string, number> {
  return { ...totals, [key]: (totals[key] ?? 0) + amount };
}

/**
 * Sums are commutative and the days kept are always the latest MAX_ORDER_DAYS of all days seen, so
 * the result does not depend on arrival order: a day that is kept was never dropped, and an older
 * order arriving late lands on a day that is dropped again at once.
 */
function addOrderDay(
  days: Readonly<Record<string, Record<string, DayOrders>>>,
  order: Pick<Purchase, 'placedAt' | 'currency' | 'totalMinor'>,
): Record<string, Record<string, DayOrders>> {
  const day = order.placedAt.slice(0, 10);
  const currencies = days[day] ?? {};
  const current = currencies[order.currency] ?? { orders: 0, totalMinor: 0 };
  const next = { ...days, [day]: { ...currencies, [order.currency]: { orders: current.orders + 1, totalMinor: current.totalMinor + order.totalMinor } } };
  const keys = Object.keys(next);
  if (keys.length <= MAX_ORDER_DAYS) return next;
  keys.sort();
  for (const dropped of keys.slice(0, keys.length - MAX_ORDER_DAYS)) delete next[dropped];
  return next;
}

function maxOf(values: Record<string, number>, key: string, value: number): Record<string, number> {
  const current = values[key];
  return current !== undefined && current >= value ? values : { ...values, [key]: value };
}

/** A list of categories or SKUs with these added: its latest values, as many as MAX_TRACKED_VALUES and MAX_TRACKED_BYTES allow. */
function union(existing: readonly string[], added: readonly string[]): string[] {
  const merged = [...new Set([...existing, ...added])];
  let kept = 0;
  let bytes = 0;
  while (kept < merged.length && kept < MAX_TRACKED_VALUES) {
    const size = Buffer.byteLength(merged[merged.length - 1 - kept]!, 'utf8');
    if (bytes + size > MAX_TRACKED_BYTES) break;
    bytes += size;
    kept += 1;
  }
  return kept === merged.length ? merged : merged.slice(merged.length - kept);
}
