/**
 * Messages in the customer's language: the texts chosen by the profile's locale with its fallback,
 * money in the order's currency as the customer's locale writes it, dates in their time zone, the
 * order called by the shop's order name, and the HTML part beside the text.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateVariables } from '../../../functions/core/delivery/deliver.ts';
import { formatMoney, messageLocale } from '../../../functions/core/delivery/i18n.ts';
import { previewText, textToHtml } from '../../../functions/core/delivery/render-html.ts';
import { TemplateLibrary, defaultTemplatesDir } from '../../../functions/core/delivery/templates.ts';
import type { Brand } from '../../../functions/core/delivery/types.ts';
import { compileLayout } from '../../../workflows/templates/build-layout.ts';
import { BUNDLE_FILE, DEPLOYED_BUNDLE, buildFunctionBundles, writeFunctionBundle } from '../../../lib/cdk/function-bundle.ts';
import { projectRoot } from '../../../lib/cdk/comeback-function.ts';
import { contact } from './fixtures.ts';

const now = new Date('2026-05-08T12:00:00.000Z');
const unsubscribe = 'https://api.example.com/v1/unsubscribe?token=ZW1haWwuY3VzdC0x';
const task = { reason: 'thank-you', dueAt: now.toISOString() };
const brand: Brand = {
  shopName: 'Pet Corner',
  shopUrl: 'https://shop.example',
  logoUrl: 'https://shop.example/logo.png',
  color: '#aa3300',
  background: '#fafafa',
  postalAddress: 'Khreshchatyk 1\nKyiv 01001',
};
const library = new TemplateLibrary(defaultTemplatesDir, brand);

/** Spaces inside formatted numbers are no-break spaces; tests read them as plain ones. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

function order(currency: string, name?: string) {
  return {
    orderId: '5821034561',
    ...(name ? { name } : {}),
    // 23:30 in Kyiv on 31 March is already 1 April there.
    placedAt: '2026-03-31T21:30:00.000Z',
    currency,
    totalMinor: 123_450,
    items: [{ sku: 'DOG-FOOD', name: 'Dog food 5 kg', quantity: 2, unitPriceMinor: 61_725 }],
  };
}

function thankYou(locale: string | undefined, currency: string, name?: string) {
  const variables = templateVariables(
    contact({ ...(locale ? { locale } : {}), timezone: 'Europe/Kyiv' }),
    { variables: { order: order(currency, name), supportContact: 'help@shop.example' } },
    unsubscribe,
    now,
    task,
  );
  return library.render('post-purchase-thank-you', 'email', variables);
}

describe('the language of a message', () => {
  it.each([
    ['uk-UA', 'uk', 'uk-UA'],
    ['de-DE', 'de', 'de-DE'],
    ['ru', 'ru', 'ru'],
    ['de_AT', 'de', 'de-AT'],
    ['en-US', 'en', 'en-US'],
    ['fr-FR', 'en', 'en'],
    ['not a locale', 'en', 'en'],
    [undefined, 'en', 'en'],
  ])('%s: texts in %s, numbers and dates as %s writes them', (profileLocale, language, locale) => {
    expect(messageLocale(profileLocale)).toEqual({ language, locale });
  });

  it.each([
    [123_450, 'UAH', 'uk-UA', '1 234,50 ₴'],
    [5_497, 'EUR', 'de-DE', '54,97 €'],
    [5_497, 'RUB', 'ru-RU', '54,97 ₽'],
    [5_497, 'USD', 'en-US', '$54.97'],
    [5_497, 'EUR', 'en', '€54.97'],
    [1_000, 'JPY', 'de-DE', '1.000 ¥'],
  ])('%i minor units of %s in %s: %s', (minor, currency, locale, expected) => {
    expect(plain(formatMoney(minor, currency, locale))).toBe(expected);
  });
});

describe('the order thank-you in every language', () => {
  it.each([
    ['uk-UA', 'UAH', 'Дякуємо за замовлення #1006', ['Вітаємо, Ada!', 'Замовлення #1006 від 1 квітня 2026 р.:', '- Dog food 5 kg × 2: 617,25 ₴ за шт.', 'Разом: 1 234,50 ₴', 'Команда Pet Corner']],
    ['de-DE', 'EUR', 'Vielen Dank für Ihre Bestellung #1006', ['Hallo Ada,', 'Bestellung #1006 vom 1. April 2026:', '- Dog food 5 kg × 2: je 617,25 €', 'Gesamt: 1.234,50 €', 'Ihr Pet Corner-Team']],
    ['ru-RU', 'RUB', 'Спасибо за заказ #1006', ['Здравствуйте, Ada!', 'Заказ #1006 от 1 апреля 2026 г.:', '- Dog food 5 kg × 2: 617,25 ₽ за шт.', 'Итого: 1 234,50 ₽']],
    ['fr-FR', 'EUR', 'Thank you for your order #1006', ['Hi Ada,', 'Order #1006, placed 1 April 2026:', '- Dog food 5 kg x 2: €617.25 each', 'Total: €1,234.50', 'The Pet Corner team']],
  ])('%s paying in %s', (locale, currency, subject, lines) => {
    const message = thankYou(locale, currency, '#1006');

    expect(message.subject).toBe(subject);
    for (const line of lines) expect(plain(message.text)).toContain(line);
    expect(message.text).toContain(unsubscribe);
    expect(message.text).not.toContain('$');
  });

  it('calls the order by its id when the shop gave it no name', () => {
    expect(thankYou('en-GB', 'GBP').subject).toBe('Thank you for your order 5821034561');
    expect(plain(thankYou('en-GB', 'GBP').text)).toContain('Total: £1,234.50');
  });
});

/** What the journey steps give each customer-facing message (the same shapes as in templates.test.ts). */
const shopVariables = { shopUrl: 'https://shop.example', supportContact: 'help@shop.example' };
const offered = { currency: 'UAH', offers: [{ name: 'Миска', priceMinor: 24_000, url: 'https://shop.example/p/bowl' }, { name: 'Ласощі', priceMinor: null, url: 'https://shop.example/p/treats' }] };
const messages: Record<string, { channel: 'email' | 'sms'; variables: Record<string, unknown> }> = {
  'post-purchase-thank-you': { channel: 'email', variables: { ...shopVariables, order: order('UAH', '#1006') } },
  'post-purchase-feedback': { channel: 'email', variables: { ...shopVariables, order: order('UAH', '#1006'), products: order('UAH').items, categories: ['pet-food'], npsUrl: 'https://api.example.com/v1/feedback?token=x', ...offered } },
  'post-purchase-content': { channel: 'email', variables: { ...shopVariables, ...offered } },
  'post-purchase-offer': { channel: 'email', variables: { ...shopVariables, ...offered, discountCode: 'SHOP-7QX2', discountExpiresAt: '2026-06-07T12:00:00.000Z' } },
  'win-back-email': { channel: 'email', variables: { ...shopVariables, discountCode: 'SHOP-7QX2', discountExpiresAt: '2026-06-07T12:00:00.000Z' } },
  'win-back-sms': { channel: 'sms', variables: { ...shopVariables, discountCode: 'SHOP-7QX2' } },
  'loyalty-invite': { channel: 'email', variables: { ...shopVariables, joinUrl: 'https://api.example.com/v1/join?token=abc.def' } },
  'loyalty-tier-up': { channel: 'email', variables: { ...shopVariables, currency: 'UAH', balance: { points: 2451 }, tier: { name: 'silver', cashbackPercent: '5', benefits: ['free delivery'] }, next: { name: 'gold', remaining: { orders: 5, spendMinor: null } } } },
  'loyalty-tier-nudge': { channel: 'email', variables: { ...shopVariables, currency: 'UAH', balance: { points: 22 }, tier: { name: 'silver' }, target: { name: 'gold', cashbackPercent: '7', benefits: ['free delivery'], remaining: { orders: null, spendMinor: 40_000 } } } },
  'replenishment-reminder': { channel: 'email', variables: { ...shopVariables, products: [{ name: 'Dog food 5 kg', quantity: 2, needBy: '2026-05-31T22:30:00.000Z', reorderUrl: 'https://shop.example/cart' }], firstProduct: { name: 'Dog food 5 kg' } } },
  'cross-sell-offer': { channel: 'email', variables: { ...shopVariables, currency: 'UAH', because: { name: 'Printer 200' }, offers: [{ name: 'Black ink', priceMinor: 2400, url: 'https://shop.example/p/ink' }] } },
};

function render(template: string, locale: string) {
  const { channel, variables } = messages[template]!;
  return library.render(template, channel, templateVariables(contact({ locale, timezone: 'Europe/Kyiv' }), { variables }, unsubscribe, now, task));
}

describe('every message a customer gets', () => {
  const directory = join(defaultTemplatesDir, 'messages');
  const catalogs = [...new Set(readdirSync(directory).map((file) => file.split('.')[0]!))];

  it.each(catalogs)('%s has every English text in uk, ru and de', (message) => {
    const keys = (language: string) => Object.keys(JSON.parse(readFileSync(join(directory, `${message}.${language}.json`), 'utf8')) as object).sort();
    // The thank-you and the layout may leave a shared text (greeting, signature) to common.<language>.json.
    for (const language of ['uk', 'ru', 'de']) expect(keys(language), `${message}.${language}.json`).toEqual(keys('en'));
  });

  it('is covered here, template by template', () => {
    const customerFacing = readdirSync(defaultTemplatesDir).filter((file) => /\.(text|sms)\.hbs$/.test(file)).map((file) => file.split('.')[0]);
    expect(Object.keys(messages).sort()).toEqual(customerFacing.sort());
  });

  it.each(Object.keys(messages))('%s is written in Ukrainian for uk-UA, with no English left', (template) => {
    const message = render(template, 'uk-UA');
    const english = render(template, 'en');
    const words = `${message.subject ?? ''} ${message.text}`;

    expect(words).toMatch(/[а-яіїєґ]{4}/i);
    // No sentence of the English message survives: only names, codes and links are shared.
    for (const line of english.text.split('\n').filter((line) => /[a-z]{3} [a-z]{3,}/i.test(line) && !/^- /.test(line) && !line.includes('Printer 200'))) {
      expect(message.text, template).not.toContain(line);
    }
    expect(words).not.toContain('$');
  });

  it.each([
    ['uk-UA', 'Наступний рівень: gold, до нього ще 5 замовлень.', 'Ваш баланс: 2 451 бал,'],
    ['ru-RU', 'Следующий уровень: gold, до него ещё 5 заказов.', 'Ваш баланс: 2 451 балл,'],
    ['de-DE', 'Als Nächstes: gold, noch 5 Bestellungen entfernt.', 'Ihr Guthaben: 2.451 Punkte,'],
    ['en-GB', 'Next up: gold, 5 more orders away.', 'Your balance: 2,451 points,'],
  ])('counts in %s with the language’s plural forms', (locale, next, balance) => {
    const text = plain(render('loyalty-tier-up', locale).text);

    expect(text).toContain(next);
    expect(text).toContain(balance);
  });

  it.each([
    ['uk-UA', 'ще 400,00 ₴'],
    ['de-DE', 'noch 400,00 UAH'],
  ])('writes what is left to spend in the order currency, in %s', (locale, left) => {
    expect(plain(render('loyalty-tier-nudge', locale).text)).toContain(left);
  });

  it('lists in the language: offered products joined by its own “and”, priced as it writes money', () => {
    expect(plain(render('post-purchase-content', 'uk-UA').text)).toContain('радимо звернути увагу на Миска і Ласощі:\n- Миска, 240,00 ₴: https://shop.example/p/bowl\n- Ласощі: https://shop.example/p/treats');
    expect(render('post-purchase-feedback', 'ru-RU').text).toContain('К вашему заказу хорошо подойдёт: Миска и Ласощі.');
    expect(render('post-purchase-offer', 'de-DE').text).toContain('Für Sie ausgewählt: Миска und Ласощі.');
  });

  it.each(['en', 'uk-UA', 'ru-RU', 'de-DE'])('carries the join link in the loyalty invitation, in %s', (locale) => {
    const text = render('loyalty-invite', locale).text;
    expect(text).toContain('https://api.example.com/v1/join?token=abc.def');
    expect(text).not.toContain('https://shop.example\n');
  });

  it('dates the code’s expiry and the reorder day in the customer’s time zone and language', () => {
    expect(plain(render('win-back-email', 'uk-UA').text)).toContain('Він дійсний до 7 червня 2026 р.');
    // 22:30 UTC on 31 May is 1 June in Kyiv.
    expect(plain(render('replenishment-reminder', 'de-DE').text)).toContain('reicht etwa bis zum 1. Juni 2026');
  });
});

describe('the HTML part', () => {
  const message = thankYou('uk-UA', 'UAH', '#1006');
  const html = plain(message.html ?? '');

  it('is the branded, responsive layout in the message language, with its preview text', () => {
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<html lang="uk"');
    expect(html).toContain('name="viewport"');
    expect(html).toContain('@media only screen');
    expect(html).toContain('Дякуємо за замовлення! Ми його отримали й уже готуємо.');
    expect(previewText(message.text)).toBe('Дякуємо за замовлення! Ми його отримали й уже готуємо.');
    expect(html).toContain('<img src="https://shop.example/logo.png" alt="Pet Corner"');
    expect(html).toContain('#aa3300');
    expect(html).toContain('#fafafa');
    expect(html).toContain('Khreshchatyk 1<br>Kyiv 01001');
  });

  it('carries the amounts, the order items as a list and the unsubscribe link', () => {
    expect(html).toContain('<li>Dog food 5 kg × 2: 617,25 ₴ за шт.</li>');
    expect(html).toContain('Разом: 1 234,50 ₴');
    expect(html).toContain(`<a href="${unsubscribe}"`);
    expect(html).toContain('Відписатися від наших листів');
    expect(html).not.toMatch(/\{\{|\}\}/);
  });

  it('escapes what the text holds and links its addresses', () => {
    expect(textToHtml('Hi <Ada> & co,\n\nSee https://shop.example/p?a=1&b=2.', '#000000')).toBe(
      '<p>Hi &lt;Ada&gt; &amp; co,</p>\n<p>See <a href="https://shop.example/p?a=1&amp;b=2" style="color:#000000">https://shop.example/p?a=1&amp;b=2</a>.</p>',
    );
  });

  it('is the output of MJML for layout.mjml, as checked in', async () => {
    expect(readFileSync(join(defaultTemplatesDir, 'layout.html'), 'utf8')).toBe(await compileLayout());
  });
});

describe('in a Lambda bundle, with the templates precompiled and only the Handlebars runtime', () => {
  const work = mkdtempSync(join(tmpdir(), 'comeback-precompiled-templates-'));
  let Bundled: typeof TemplateLibrary;
  let carried: string[];

  beforeAll(async () => {
    // The template library bundled as a sending function's bundle is (lib/cdk/function-bundle.ts).
    const entry = join(projectRoot, 'functions/core/delivery/templates.ts');
    const { bundles, metafile } = buildFunctionBundles(projectRoot, [entry], DEPLOYED_BUNDLE);
    writeFunctionBundle(bundles.get(entry)!, join(work, 'bundle'));
    carried = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    ({ TemplateLibrary: Bundled } = createRequire(import.meta.url)(join(work, 'bundle', BUNDLE_FILE)) as { TemplateLibrary: typeof TemplateLibrary });
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('carries the runtime, not the compiler', () => {
    expect(carried.filter((input) => input.includes('node_modules/handlebars/'))).not.toEqual([]);
    expect(carried.filter((input) => /node_modules\/handlebars\/dist\/cjs\/handlebars\/compiler\//.test(input))).toEqual([]);
    expect(readdirSync(join(work, 'bundle')).sort()).toEqual([BUNDLE_FILE, `${BUNDLE_FILE}.map`, 'templates.precompiled.cjs'].sort());
  });

  const tasks: Record<string, Record<string, unknown>> = { 'win-back-call': { discountCode: 'COMEBACK-7QX2A1B3' }, 'check-in-call': { months: 6, orderId: 'ORD-1001' } };
  const cases = [
    ...Object.entries(messages).map(([template, { channel, variables }]) => [template, channel, variables] as const),
    ...Object.entries(tasks).map(([template, variables]) => [template, 'task', variables] as const),
  ];
  it('covers every template', () => {
    expect(cases.map(([template]) => template).sort()).toEqual([...new Set(readdirSync(defaultTemplatesDir).filter((file) => file.endsWith('.hbs')).map((file) => file.split('.')[0]!))].sort());
  });

  it.each(cases)('renders %s (%s) byte for byte as the source does, in every language', (template, channel, given) => {
    const bundled = new Bundled(defaultTemplatesDir, brand);
    for (const locale of ['en-GB', 'uk-UA', 'de-DE', 'ru-RU']) {
      const variables = templateVariables(contact({ locale, timezone: 'Europe/Kyiv' }), { variables: given }, unsubscribe, now, task);
      expect(bundled.render(template, channel, variables), `${template} ${locale}`).toEqual(library.render(template, channel, variables));
    }
  });

  it('reports a missing variable as the source does, with the error class\'s own name', () => {
    const variables = templateVariables(contact({ locale: 'en' }), { variables: {} }, unsubscribe, now, task);
    const failure = (render: () => unknown) => {
      try {
        render();
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
      return 'rendered';
    };
    const expected = failure(() => library.render('cross-sell-offer', 'email', variables));
    // The name is the errorType a state machine catches.
    expect(expected).toMatch(/^TemplateError: template cross-sell-offer\.\w+ needs/);
    expect(failure(() => new Bundled(defaultTemplatesDir, brand).render('cross-sell-offer', 'email', variables))).toBe(expected);
  });

  it('renders no template whose source differs from the one precompiled', () => {
    const changed = join(work, 'changed');
    cpSync(defaultTemplatesDir, changed, { recursive: true });
    writeFileSync(join(changed, 'win-back-sms.sms.hbs'), `${readFileSync(join(changed, 'win-back-sms.sms.hbs'), 'utf8')}!`);
    const variables = templateVariables(contact({ locale: 'en' }), { variables: messages['win-back-sms']!.variables }, unsubscribe, now, task);
    expect(() => new Bundled(changed, brand).render('win-back-sms', 'sms', variables)).toThrow(/not precompiled into the bundle/);
  });
});
