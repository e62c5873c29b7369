/**
 * Every template rendered with what its journey step provides, and the strictness that makes a
 * forgotten variable fail loudly instead of sending a half-empty message.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { templateVariables } from '../../../functions/core/delivery/deliver.ts';
import { TemplateError } from '../../../functions/core/delivery/errors.ts';
import { TemplateLibrary, defaultTemplatesDir } from '../../../functions/core/delivery/templates.ts';
import type { Channel } from '../../../functions/core/delivery/types.ts';
import { contact } from './fixtures.ts';

const now = new Date('2026-05-08T12:00:00.000Z');
const unsubscribe = 'https://api.example.com/v1/unsubscribe?token=ZW1haWwuY3VzdC0x';
const order = {
  orderId: 'ORD-1001',
  placedAt: '2026-04-01T10:00:00.000Z',
  currency: 'USD',
  totalMinor: 5497,
  items: [
    { sku: 'DOG-FOOD', name: 'Dog food 5 kg', category: 'pet-food', quantity: 1, unitPriceMinor: 3999 },
    { sku: 'TREATS', category: 'treats', quantity: 2, unitPriceMinor: 749 },
  ],
};

/**
 * What each journey step gives its template, beyond customer, links, history and task: the journey
 * engine's shop settings, the last order, what was bought, and the entry's discount code.
 */
const shop = { shopUrl: 'https://shop.example', supportContact: 'help@shop.example or +1 555 555 0100' };
const bought = { categories: ['pet-food', 'treats'], products: order.items };
/** What the loyalty sweep gives its messages (functions/core/loyalty/outreach.ts). */
const silver = { name: 'silver', cashbackPercent: '5', benefits: ['5% back in points on every order', 'free delivery'] };
const gold = { name: 'gold', cashbackPercent: '7', benefits: ['7% back in points on every order', 'free delivery', 'priority support', 'exclusive offers'] };
const reminders = [
  { sku: 'DOG-FOOD', name: 'Dog food 5 kg', quantity: 2, needBy: '2026-05-31T10:00:00.000Z', reorderUrl: 'https://shop.example/cart/add?sku=DOG-FOOD&quantity=2' },
  { sku: 'TREATS', name: 'Treats', quantity: 1, needBy: '2026-06-01T10:00:00.000Z', reorderUrl: 'https://shop.example/cart/add?sku=TREATS&quantity=1' },
];
const crossSellOffers = [
  { sku: 'INK-BLACK', name: 'Black ink', priceMinor: 2400, url: 'https://shop.example/p/INK-BLACK' },
  { sku: 'INK-COLOUR', name: 'Colour ink', priceMinor: null, url: 'https://shop.example/p/INK-COLOUR' },
];
/** What the post-purchase steps offer (functions/core/catalog/offers.ts): never empty, or the step sends nothing. */
const stepOffers = [
  { sku: 'BOWL', name: 'Steel food bowl', priceMinor: 1200, url: 'https://shop.example/p/BOWL' },
  { sku: 'TREATS-XL', name: 'Training treats', priceMinor: null, url: 'https://shop.example/p/TREATS-XL' },
];
const stepVariables: Record<string, { channel: Channel; variables: Record<string, unknown> }> = {
  'post-purchase-thank-you': { channel: 'email', variables: { ...shop, order } },
  'post-purchase-feedback': { channel: 'email', variables: { ...shop, order, ...bought, npsUrl: 'https://shop.example/feedback?o=ORD-1001', offers: stepOffers, currency: 'USD' } },
  'post-purchase-content': { channel: 'email', variables: { ...shop, offers: stepOffers, currency: 'USD' } },
  'post-purchase-offer': { channel: 'email', variables: { ...shop, offers: stepOffers, currency: 'USD', discountCode: 'COMEBACK-7QX2A1B3', discountExpiresAt: '2026-06-07T12:00:00.000Z' } },
  'win-back-email': { channel: 'email', variables: { ...shop, discountCode: 'COMEBACK-7QX2A1B3', discountExpiresAt: '2026-06-07T12:00:00.000Z' } },
  'win-back-sms': { channel: 'sms', variables: { shopUrl: shop.shopUrl, discountCode: 'COMEBACK-7QX2A1B3' } },
  'win-back-call': { channel: 'task', variables: { discountCode: 'COMEBACK-7QX2A1B3' } },
  'check-in-call': { channel: 'task', variables: { months: 6, orderId: 'ORD-1001' } },
  'loyalty-invite': { channel: 'email', variables: { ...shop, joinUrl: 'https://api.example.com/v1/join?token=abc.def' } },
  'loyalty-tier-up': { channel: 'email', variables: { shopUrl: shop.shopUrl, currency: 'USD', balance: { points: 2450 }, tier: silver, next: { ...gold, remaining: { orders: null, spendMinor: 4000 } } } },
  'loyalty-tier-nudge': { channel: 'email', variables: { shopUrl: shop.shopUrl, currency: 'USD', balance: { points: 2450 }, tier: silver, target: { ...gold, remaining: { orders: 1, spendMinor: null } } } },
  'replenishment-reminder': { channel: 'email', variables: { shopUrl: shop.shopUrl, products: reminders, firstProduct: reminders[0] } },
  'cross-sell-offer': { channel: 'email', variables: { shopUrl: shop.shopUrl, currency: 'USD', because: { sku: 'PRINTER-200', name: 'Printer 200' }, offers: crossSellOffers } },
};

/** The variables a step must provide: supportContact is only the thank-you's. */
const required: Record<string, string[]> = {
  'post-purchase-thank-you': ['order', 'supportContact'],
  'post-purchase-feedback': ['order', 'npsUrl', 'offers', 'currency', 'shopUrl'],
  'post-purchase-content': ['offers', 'currency', 'shopUrl'],
  'post-purchase-offer': ['offers', 'currency', 'shopUrl'],
  'win-back-email': ['shopUrl'],
  'win-back-sms': ['shopUrl'],
  'win-back-call': [],
  'check-in-call': ['months', 'orderId'],
  'loyalty-invite': ['joinUrl'],
  'loyalty-tier-up': ['tier', 'balance', 'currency', 'next', 'shopUrl'],
  'loyalty-tier-nudge': ['tier', 'target', 'balance', 'currency', 'shopUrl'],
  'replenishment-reminder': ['products', 'firstProduct', 'shopUrl'],
  'cross-sell-offer': ['because', 'offers', 'currency', 'shopUrl'],
};

const library = new TemplateLibrary();
const task = { reason: 'no purchase for 120 days', dueAt: '2026-05-09T09:00:00.000Z' };

function variablesFor(variables: Record<string, unknown>, profile = {}) {
  return templateVariables(contact(profile), { variables }, unsubscribe, now, task);
}

describe('the shipped templates', () => {
  it('cover every template file, and every file belongs to a known template', () => {
    const names = new Set(readdirSync(defaultTemplatesDir).filter((file) => file.endsWith('.hbs')).map((file) => file.split('.')[0]));
    expect([...names].sort()).toEqual(Object.keys(stepVariables).sort());
  });

  it.each(Object.entries(stepVariables))('%s renders with what its journey step provides', (template, { channel, variables }) => {
    const message = library.render(template, channel, variablesFor(variables));

    expect(message.text).not.toMatch(/\{\{|\}\}|undefined|null|\[object/);
    if (channel === 'email') {
      expect(message.subject).toBeTruthy();
      expect(message.text).toContain(unsubscribe);
    }
    if (channel === 'sms') expect(message.text.length).toBeLessThanOrEqual(160);
    if (channel === 'task') expect(message.subject).toMatch(/Ada/);
  });

  it.each(Object.entries(stepVariables))('%s fails when any variable it needs is missing', (template, { channel, variables }) => {
    for (const name of required[template] ?? []) {
      const { [name]: _dropped, ...rest } = variables;
      expect(() => library.render(template, channel, variablesFor(rest)), `${template} without ${name}`).toThrow(TemplateError);
    }
  });

  it('writes the order thank-you as plain text with formatted money and dates', () => {
    const message = library.render('post-purchase-thank-you', 'email', variablesFor(stepVariables['post-purchase-thank-you']!.variables));

    expect(message.subject).toBe('Thank you for your order ORD-1001');
    expect(message.text).toContain('Hi Ada,');
    expect(message.text).toContain('Order ORD-1001, placed 1 April 2026:\n- Dog food 5 kg x 1: $39.99 each\n- TREATS x 2: $7.49 each');
    expect(message.text).toContain('Total: $54.97');
    expect(message.text).toContain('contact us at help@shop.example or +1 555 555 0100.');
  });

  it('cannot thank for an order it does not know', () => {
    expect(() => library.render('post-purchase-thank-you', 'email', variablesFor({ ...shop, order: null }))).toThrow(
      'template post-purchase-thank-you.subject needs order.orderId, which the journey step did not provide',
    );
  });

  it('greets a customer without a name kindly', () => {
    const message = library.render('win-back-email', 'email', variablesFor(stepVariables['win-back-email']!.variables, { name: undefined }));

    expect(message.text.startsWith('Hi there,')).toBe(true);
    expect(message.text).toContain('    COMEBACK-7QX2A1B3\n');
    expect(message.subject).toBe('We miss you! Here’s a little something to welcome you back');
    expect(message.text).toContain('It is valid until 7 June 2026.');
  });

  it.each([
    ['post-purchase-offer', 'email'],
    ['win-back-email', 'email'],
    ['win-back-sms', 'sms'],
    ['win-back-call', 'task'],
  ] as const)('offers no code in %s when the store has no storefront to create one', (template, channel) => {
    const { discountCode: _code, discountExpiresAt: _expiry, ...withoutCode } = stepVariables[template]!.variables;

    const message = library.render(template, channel, variablesFor(withoutCode));

    expect(`${message.subject ?? ''} ${message.text}`).not.toMatch(/code|COMEBACK-/i);
  });

  it('gives the manager the history at a glance in the win-back call', () => {
    const message = library.render('win-back-call', 'task', variablesFor({ discountCode: 'COMEBACK-7QX2A1B3' }));

    expect(message.subject).toBe('Win-back call: Ada');
    expect(message.text).toContain('- Orders: 3 (first 1 June 2025)');
    expect(message.text).toContain('- Last order: 1 April 2026, 37 days ago');
    expect(message.text).toContain('- Net revenue: $159.90');
    expect(message.text).toContain('Why this call: no purchase for 120 days. Due 9 May 2026.');
  });

  it.each([
    // what we know of the customer, what the manager is told to do
    ['a phone number', {}, {}, 'Please call Ada on +380501234567 and ask, kindly, why they stopped buying from us.'],
    ['no phone number', { phone: undefined }, {}, 'There is no phone number on file: please write to ada@example.com instead, and ask, kindly, why they stopped buying from us.'],
    [
      'no phone number and a bounced address',
      { phone: undefined },
      { email: { suppressed: 'bounce' as const } },
      'There is no phone number on file, and no email address we may write to: there is no way to reach this customer in person. Record that as the outcome.',
    ],
    [
      'no phone number and an address that unsubscribed',
      { phone: undefined },
      { email: { optedOutAt: '2026-05-01T08:00:00.000Z' } },
      'There is no phone number on file, and no email address we may write to: there is no way to reach this customer in person. Record that as the outcome.',
    ],
  ])('tells the manager how to reach a customer with %s in the win-back call', (_label, profile, preferences, instruction) => {
    const variables = templateVariables(contact(profile, preferences), { variables: { discountCode: 'COMEBACK-7QX2A1B3' } }, unsubscribe, now, task);

    const message = library.render('win-back-call', 'task', variables);

    expect(message.text.split('\n')[0]).toBe(instruction);
  });

  it('names the phone number, or the address to write to, in the check-in call', () => {
    const withPhone = library.render('check-in-call', 'task', variablesFor({ months: 3, orderId: 'ORD-1001' }));
    const withoutPhone = library.render('check-in-call', 'task', variablesFor({ months: 3, orderId: 'ORD-1001' }, { phone: undefined }));

    expect(withPhone.text).toContain('Please give Ada a friendly call on +380501234567: ask how things are going');
    expect(withoutPhone.text).toContain('There is no phone number on file: please write to ada@example.com instead: ask how things are going');
  });

  it.each([
    ['post-purchase-feedback', 'Goes well with your order: Steel food bowl and Training treats.'],
    ['post-purchase-content', 'When you’re ready for more, we think you’ll like Steel food bowl and Training treats:'],
    ['post-purchase-offer', 'Picked for you: Steel food bowl and Training treats.'],
  ])('names the products %s offers, each with its link and its price where there is one', (template, intro) => {
    const message = library.render(template, 'email', variablesFor(stepVariables[template]!.variables));

    expect(message.text).toContain(`${intro}\n- Steel food bowl, $12.00: https://shop.example/p/BOWL\n- Training treats: https://shop.example/p/TREATS-XL\n`);
  });

  it('asks the feedback question beside the complements', () => {
    const message = library.render('post-purchase-feedback', 'email', variablesFor(stepVariables['post-purchase-feedback']!.variables));

    expect(message.text).toContain('Pick your number here (it takes five seconds): https://shop.example/feedback?o=ORD-1001');
  });

  it('renders dates in the customer zone', () => {
    // 23:30 UTC on 31 March is already 1 April in Kyiv.
    const late = { ...order, placedAt: '2026-03-31T23:30:00.000Z' };
    const message = library.render('post-purchase-thank-you', 'email', templateVariables(contact({ timezone: 'Europe/Kyiv' }), { variables: { ...shop, order: late } }, unsubscribe, now, task));

    expect(message.text).toContain('Order ORD-1001, placed 1 April 2026:');
  });

  it('titles the check-in task with its months', () => {
    const message = library.render('check-in-call', 'task', variablesFor({ months: 3, orderId: 'ORD-1001' }));

    expect(message.subject).toBe('3-month check-in: Ada');
    expect(message.text).toContain("It's been 3 months since order ORD-1001.\nPlease give Ada a friendly call on +380501234567");
  });

  it('congratulates on a new tier with its perks, the balance and the way to the next', () => {
    const message = library.render('loyalty-tier-up', 'email', variablesFor(stepVariables['loyalty-tier-up']!.variables));

    expect(message.subject).toBe('Welcome to silver: your new perks are here');
    expect(message.text).toContain('every order earns 5% back in points, and you get:\n- 5% back in points on every order\n- free delivery');
    expect(message.text).toContain('Your balance: 2,450 points, worth $24.50 off an order.');
    expect(message.text).toContain('Next up: gold, $40.00 more away.');
  });

  it('nudges with what is left to the next tier', () => {
    const message = library.render('loyalty-tier-nudge', 'email', variablesFor(stepVariables['loyalty-tier-nudge']!.variables));

    expect(message.subject).toBe('Almost there: gold is within reach');
    expect(message.text).toContain('You’re so close to gold: just 1 more order and it’s yours.');
  });

  it('lists the products running low with their one-click reorder links', () => {
    const message = library.render('replenishment-reminder', 'email', variablesFor(stepVariables['replenishment-reminder']!.variables));

    expect(message.subject).toBe('Running low on Dog food 5 kg?');
    expect(message.text).toContain('- Dog food 5 kg x 2, should last until about 31 May 2026. Reorder in one click: https://shop.example/cart/add?sku=DOG-FOOD&quantity=2');
  });

  it('prices cross-sell offers when the catalog has a price', () => {
    const message = library.render('cross-sell-offer', 'email', variablesFor(stepVariables['cross-sell-offer']!.variables));

    expect(message.subject).toBe('Goes well with your Printer 200');
    expect(message.text).toContain('- Black ink, $24.00: https://shop.example/p/INK-BLACK\n- Colour ink: https://shop.example/p/INK-COLOUR');
  });
});

describe('the template library', () => {
  const directory = mkdtempSync(join(tmpdir(), 'comeback-templates-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('throws on a variable the template uses but nobody provided (strict mode)', () => {
    writeFileSync(join(directory, 'strict.sms.hbs'), 'Hello {{customer.nickname}}');
    const strict = new TemplateLibrary(directory);

    expect(() => strict.render('strict', 'sms', { customer: { name: 'Ada' } })).toThrow(/template strict\.sms could not be rendered: "nickname" not defined/);
  });

  it('throws on a declared need even when only a block uses it', () => {
    writeFileSync(join(directory, 'block.sms.hbs'), '{{!-- needs: products --}}\n{{#each products}}{{name}} {{/each}}');
    const library = new TemplateLibrary(directory);

    expect(() => library.render('block', 'sms', {})).toThrow('template block.sms needs products, which the journey step did not provide');
    expect(library.render('block', 'sms', { products: [{ name: 'Kibble' }, { name: 'Treats' }] })).toEqual({ text: 'Kibble Treats' });
  });

  it('does not escape text for HTML', () => {
    writeFileSync(join(directory, 'plain.sms.hbs'), '{{text}}');
    expect(new TemplateLibrary(directory).render('plain', 'sms', { text: 'Tom & Jerry <3' })).toEqual({ text: 'Tom & Jerry <3' });
  });

  it('reads each file once and keeps the compiled template', () => {
    writeFileSync(join(directory, 'cached.sms.hbs'), 'first');
    const library = new TemplateLibrary(directory);
    expect(library.render('cached', 'sms', {}).text).toBe('first');

    writeFileSync(join(directory, 'cached.sms.hbs'), 'second');

    expect(library.render('cached', 'sms', {}).text).toBe('first');
    expect(new TemplateLibrary(directory).render('cached', 'sms', {}).text).toBe('second');
  });

  it('names a missing template file and refuses names that are not template names', () => {
    const library = new TemplateLibrary(directory);
    expect(() => library.render('nowhere', 'sms', {})).toThrow(/template file nowhere\.sms\.hbs cannot be read/);
    expect(() => library.render('../secrets', 'sms', {})).toThrow(/is not a template name/);
  });

  it('reports invalid Handlebars when the template is first used', () => {
    writeFileSync(join(directory, 'broken.sms.hbs'), '{{#each items}}no end');
    expect(() => new TemplateLibrary(directory).render('broken', 'sms', {})).toThrow(/not valid Handlebars/);
  });

  it('exposes what a template declares it needs', () => {
    expect(library.needs('win-back-email', 'text')).toEqual(['shopUrl']);
  });
});
