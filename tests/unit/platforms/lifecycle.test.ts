/**
 * Which platform deliveries count, which reverse, and how contact fields are read: the status
 * tables of Shopify and WooCommerce, phone numbers as E.164, consent at checkout and on the store's
 * own site.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE_METADATA_FILE } from '../../../functions/core/bundled-phone-metadata.ts';
import { applyConsentStatement, parseConsentStatement } from '../../../functions/core/consent.ts';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { defaultPlatformSettings, type OrderAction, type PlatformSettings } from '../../../functions/core/platforms/lifecycle.ts';
import { acceptedPhone, shopifyWebhookActions } from '../../../functions/core/platforms/shopify.ts';
import { wooCommerceWebhookActions } from '../../../functions/core/platforms/woocommerce.ts';
import { applyOrder } from '../../../functions/core/profile.ts';
import { parsePurchase } from '../../../functions/core/purchase.ts';
import { parseLosslessJson } from '../../../functions/handlers/http.ts';
import { projectRoot } from '../../../lib/cdk/comeback-function.ts';
import { BUNDLE_FILE, DEPLOYED_BUNDLE, buildFunctionBundles, writeFunctionBundle } from '../../../lib/cdk/function-bundle.ts';

type Json = Record<string, unknown>;

const fixture = (path: string): Json => parseLosslessJson(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8')) as Json;

const shopifyPaid = (): Json => fixture('shopify/orders-paid-guest.json');
const wooGuest = (): Json => fixture('woocommerce/order-created-guest.json');

const kinds = (actions: OrderAction[]) => actions.map((action) => action.kind);

describe('Shopify: which orders count', () => {
  const cases: { name: string; change: Json; topic?: string; kind: OrderAction['kind']; reason?: RegExp }[] = [
    { name: 'paid', change: { financial_status: 'paid' }, kind: 'record' },
    { name: 'partially paid', change: { financial_status: 'partially_paid' }, kind: 'record' },
    { name: 'authorized', change: { financial_status: 'authorized' }, kind: 'record' },
    { name: 'paid, on orders/paid', change: { financial_status: 'paid' }, topic: 'orders/paid', kind: 'record' },
    { name: 'pending', change: { financial_status: 'pending' }, kind: 'skip', reason: /financial status "pending"/ },
    { name: 'expired', change: { financial_status: 'expired' }, kind: 'skip', reason: /expired/ },
    { name: 'without a financial status', change: { financial_status: null }, kind: 'skip', reason: /\(none\)/ },
    { name: 'a test order, even paid', change: { test: true, financial_status: 'paid' }, kind: 'skip', reason: /test order/ },
    { name: 'a test order, even cancelled', change: { test: true, cancelled_at: '2024-03-10T10:00:00+09:00' }, topic: 'orders/cancelled', kind: 'skip' },
    { name: 'cancelled (cancelled_at), on orders/create', change: { cancelled_at: '2024-03-10T10:00:00+09:00', cancel_reason: 'customer' }, kind: 'cancel', reason: /cancelled at .*\(customer\)/ },
    { name: 'on orders/cancelled', change: { cancelled_at: '2024-03-10T10:00:00+09:00' }, topic: 'orders/cancelled', kind: 'cancel' },
    { name: 'voided', change: { financial_status: 'voided' }, kind: 'cancel', reason: /voided/ },
    { name: 'refunded', change: { financial_status: 'refunded' }, topic: 'orders/updated', kind: 'cancel', reason: /refunded/ },
  ];
  for (const { name, change, topic, kind, reason } of cases) {
    it(`${name}: ${kind}`, () => {
      const actions = shopifyWebhookActions(topic, { ...shopifyPaid(), ...change });
      expect(kinds(actions)).toEqual([kind]);
      const [action] = actions;
      if (reason && action && 'reason' in action) expect(action.reason).toMatch(reason);
    });
  }

  it('counts the financial statuses the store set', () => {
    const settings: PlatformSettings = { ...defaultPlatformSettings, shopifyCountedStatuses: ['paid'] };
    expect(kinds(shopifyWebhookActions('orders/create', { ...shopifyPaid(), financial_status: 'authorized' }, settings))).toEqual(['skip']);
    expect(kinds(shopifyWebhookActions('orders/create', { ...shopifyPaid(), financial_status: 'paid' }, settings))).toEqual(['record']);
  });

  describe('refunds/create', () => {
    const refund = (transactions: Json[]): Json => ({
      id: 509562969,
      order_id: 5423908945098765432n.toString(),
      created_at: '2024-03-11T10:00:00+09:00',
      note: 'damaged',
      restock: true,
      refund_line_items: [{ id: 104689539, line_item_id: 703073504, quantity: 1, subtotal: 1980, total_tax: 0 }],
      transactions,
      order_adjustments: [],
    });
    const transaction = (amount: string, fields: Json = {}): Json => ({ id: 179259969, order_id: '5423908945098765432', kind: 'refund', gateway: 'bogus', status: 'success', amount, currency: 'JPY', ...fields });

    it('gives back the sum of its successful refund transactions, in their currency', () => {
      expect(shopifyWebhookActions('refunds/create', refund([transaction('1000'), transaction('980'), transaction('500', { status: 'failure' }), transaction('300', { kind: 'sale' })]))).toEqual([
        { kind: 'refund', orderId: '5423908945098765432', refundId: '509562969', amount: '1980', currency: 'JPY', reason: 'damaged' },
      ]);
    });

    it('skips a refund that only restocked', () => {
      expect(kinds(shopifyWebhookActions('refunds/create', refund([])))).toEqual(['skip']);
    });
  });
});

describe('WooCommerce: which orders count', () => {
  const cases: [string, OrderAction['kind']][] = [
    ['processing', 'record'],
    ['completed', 'record'],
    ['wc-completed', 'record'],
    ['pending', 'skip'],
    ['on-hold', 'skip'],
    ['failed', 'skip'],
    ['checkout-draft', 'skip'],
    ['trash', 'skip'],
    ['cancelled', 'cancel'],
    ['refunded', 'cancel'],
  ];
  for (const [status, kind] of cases) {
    it(`${status}: ${kind}`, () => {
      expect(kinds(wooCommerceWebhookActions({ ...wooGuest(), status }))).toEqual([kind]);
    });
  }

  it('says why a pending order does not count', () => {
    expect(wooCommerceWebhookActions({ ...wooGuest(), status: 'pending' })).toEqual([{ kind: 'skip', orderId: '727', reason: 'status "pending": only processing and completed orders count' }]);
  });

  it('gives back the refunds listed on a counted order, oldest first', () => {
    const order = { ...wooGuest(), status: 'completed', refunds: [{ id: 731, reason: 'second', total: '-5.00' }, { id: 730, reason: '', total: '-10.00' }] };
    expect(wooCommerceWebhookActions(order).slice(1)).toEqual([
      { kind: 'refund', orderId: '727', refundId: '730', amount: '10.00', currency: 'USD' },
      { kind: 'refund', orderId: '727', refundId: '731', amount: '5.00', currency: 'USD', reason: 'second' },
    ]);
  });

  it('states the consent the store set for its checkout, and none by default', () => {
    const consentOf = (setting: PlatformSettings['wooCommerceMarketingConsent']) => {
      const [action] = wooCommerceWebhookActions(wooGuest(), { ...defaultPlatformSettings, wooCommerceMarketingConsent: setting });
      return action?.kind === 'record' ? parsePurchase(action.purchase).customer.consent : 'not recorded';
    };
    expect(consentOf('none')).toBeUndefined();
    expect(consentOf('email')).toEqual({ email: true });
    expect(consentOf('email+sms')).toEqual({ email: true, sms: true });
  });

  it('reads the billing phone in the billing country, or the default country when the order names none', () => {
    const phoneOf = (billing: Json, settings: PlatformSettings = defaultPlatformSettings) => {
      const [action] = wooCommerceWebhookActions({ ...wooGuest(), billing: { ...(wooGuest().billing as Json), ...billing }, shipping: null }, settings);
      return action?.kind === 'record' ? parsePurchase(action.purchase).customer.phone : 'not recorded';
    };
    expect(phoneOf({ phone: '(555) 555-0107', country: 'US' })).toBe('+15555550107');
    expect(phoneOf({ phone: '(555) 555-0107', country: '' })).toBeUndefined();
    expect(phoneOf({ phone: '(555) 555-0107', country: '' }, { ...defaultPlatformSettings, defaultCountry: 'US' })).toBe('+15555550107');
    expect(phoneOf({ phone: '067 123 4567', country: 'UA' }, { ...defaultPlatformSettings, defaultCountry: 'US' })).toBe('+380671234567');
    // An unparsable phone is dropped; the order still counts.
    expect(phoneOf({ phone: 'call me after six', country: 'US' })).toBeUndefined();
  });
});

const phoneCases: [string, (string | undefined)[], string | undefined][] = [
    ['(555) 555-0107', ['US'], '+15555550107'],
    ['555.555.0107', ['us'], '+15555550107'],
    ['+1 (555) 555-0107', [], '+15555550107'],
    ['+380 67 123 4567', [], '+380671234567'],
    ['+380671234567', ['US'], '+380671234567'],
    ['067 123 45 67', ['UA'], '+380671234567'],
    ['00380 67 123 4567', ['UA'], '+380671234567'],
    ['+49 30 1234567', ['US'], '+49301234567'],
    // The first country that is a country: an unknown code is passed over.
    ['(555) 555-0107', ['XX', undefined, 'US'], '+15555550107'],
    ['(555) 555-0107', [], undefined],
    ['12', ['US'], undefined],
    ['+1 555', [], undefined],
    ['555-555-SHIP', ['US'], undefined],
    ['not a phone', ['US'], undefined],
    ['', ['US'], undefined],
    ['+999 1234 5678', [], undefined],
];

describe('phone numbers as E.164', () => {
  for (const [text, countries, expected] of phoneCases) {
    it(`${JSON.stringify(text)} in ${countries.join('/') || 'no country'}: ${expected ?? 'dropped'}`, () => {
      expect(acceptedPhone(text, ...countries)).toBe(expected);
    });
  }
});

describe('phone numbers in a Lambda bundle, with the metadata in a file beside it', () => {
  const work = mkdtempSync(join(tmpdir(), 'comeback-phone-bundle-'));
  const entry = join(projectRoot, 'functions/core/platforms/shopify.ts');
  let bundled: typeof acceptedPhone;
  let carried: string[];

  beforeAll(async () => {
    // The module built as every function that reads phone numbers is (lib/cdk/function-bundle.ts).
    const { bundles, metafile } = buildFunctionBundles(projectRoot, [entry], DEPLOYED_BUNDLE);
    writeFunctionBundle(bundles.get(entry)!, work);
    carried = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([input]) => input));
    ({ acceptedPhone: bundled } = createRequire(import.meta.url)(join(work, BUNDLE_FILE)) as { acceptedPhone: typeof acceptedPhone });
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('carries the metadata beside the bundle, as the package has it, not inside', () => {
    expect(readdirSync(work).sort()).toEqual([BUNDLE_FILE, `${BUNDLE_FILE}.map`, PHONE_METADATA_FILE].sort());
    expect(readFileSync(join(work, PHONE_METADATA_FILE), 'utf8')).toBe(readFileSync(createRequire(import.meta.url).resolve('libphonenumber-js/metadata.min.json'), 'utf8'));
    expect(carried.filter((input) => input.includes('libphonenumber-js/metadata'))).toEqual([]);
    expect(carried).toContain('functions/core/bundled-phone-metadata.ts');
  });

  it('reads every number as the source does', () => {
    for (const [text, countries] of phoneCases) expect(bundled(text, ...countries), `${text} in ${countries.join('/')}`).toBe(acceptedPhone(text, ...countries));
    expect(bundled('067 123 45 67', 'UA')).toBe('+380671234567');
  });
});

describe('consent given on the store site', () => {
  const now = new Date('2026-06-01T12:00:00.000Z');
  const profile = applyOrder(undefined, parsePurchase({
    orderId: 'w-1',
    placedAt: '2026-05-01T10:00:00Z',
    currency: 'USD',
    total: '10.00',
    customer: { id: 'c-1', email: 'ada@example.com', consent: { email: false } },
    items: [{ sku: 'A', quantity: 1, unitPrice: '10.00' }],
  }));

  it('needs a source and at least one channel', () => {
    expect(() => parseConsentStatement({ email: true }, now)).toThrow(InvalidInputError);
    expect(() => parseConsentStatement({ source: 'newsletter' }, now)).toThrow(/names no channel/);
    expect(() => parseConsentStatement({ email: 'yes', source: 'newsletter' }, now)).toThrow(InvalidInputError);
  });

  it('is stated now unless dated, and never later than now', () => {
    expect(parseConsentStatement({ sms: true, source: 'account-page' }, now)).toEqual({ consent: { sms: true }, at: now.toISOString(), source: 'account-page' });
    expect(parseConsentStatement({ email: true, source: 'footer', givenAt: '2026-05-20T08:00:00+02:00' }, now).at).toBe('2026-05-20T06:00:00.000Z');
    expect(parseConsentStatement({ email: true, source: 'footer', givenAt: '2027-01-01T00:00:00Z' }, now).at).toBe(now.toISOString());
  });

  it('wins over an older checkout statement and keeps its source; an older statement changes nothing', () => {
    const given = applyConsentStatement(profile, parseConsentStatement({ email: true, sms: true, source: 'newsletter-footer' }, now));
    expect(given.consent).toEqual({ email: true, sms: true });
    expect(given.consentSource).toEqual({ email: 'newsletter-footer', sms: 'newsletter-footer' });

    const stale = applyConsentStatement(profile, parseConsentStatement({ email: true, source: 'old-form', givenAt: '2026-04-01T00:00:00Z' }, now));
    expect(stale.consent).toEqual({ email: false });
    expect(stale.consentSource).toEqual({});
  });

  it('loses its source on a channel a newer checkout decides', () => {
    const given = applyConsentStatement(profile, parseConsentStatement({ email: true, sms: true, source: 'newsletter-footer', givenAt: '2026-05-02T00:00:00Z' }, now));
    const later = applyOrder(given, parsePurchase({
      orderId: 'w-2',
      placedAt: '2026-05-10T10:00:00Z',
      currency: 'USD',
      total: '10.00',
      customer: { id: 'c-1', consent: { email: false } },
      items: [{ sku: 'A', quantity: 1, unitPrice: '10.00' }],
    }));
    expect(later.consent).toEqual({ email: false, sms: true });
    expect(later.consentSource).toEqual({ sms: 'newsletter-footer' });
  });
});
