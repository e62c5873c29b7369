/**
 * Messages in the customer's language: the texts chosen by the profile's locale with its fallback,
 * money in the order's currency as the customer's locale writes it, dates in their time zone, the
 * order called by the shop's order name, and the HTML part beside the text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateVariables } from '../../../functions/core/delivery/deliver.ts';
import { formatMoney, messageLocale } from '../../../functions/core/delivery/i18n.ts';
import { previewText, textToHtml } from '../../../functions/core/delivery/render-html.ts';
import { TemplateLibrary, defaultTemplatesDir } from '../../../functions/core/delivery/templates.ts';
import type { Brand } from '../../../functions/core/delivery/types.ts';
import { compileLayout } from '../../../workflows/templates/build-layout.ts';
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
    ['uk-UA', 'UAH', 'Дякуємо за замовлення #1006', ['Вітаємо, Ada!', 'Замовлення #1006 від 1 квітня 2026 р.:', '- Dog food 5 kg × 2: 617,25 ₴ за шт.', 'Разом: 1 234,50 ₴', 'команда Pet Corner']],
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
