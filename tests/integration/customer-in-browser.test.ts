/**
 * A Ukrainian customer, as she meets Comeback, in a real browser (Chromium, tests/support/browser.ts)
 * against the local host started as `npm start` starts it: she pays in hryvnias; the thank-you and,
 * a week later, the feedback email reach her in Ukrainian, HTML and text, with ₴ amounts; from the
 * feedback email's HTML she answers the 0-10 question on its page, and from its footer she
 * unsubscribes; the customer API then shows both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devDefaults } from '../../lib/local/config.ts';
import { fetchCustomer, getJson, postJson, postSignedPurchase } from '../../lib/local/client.ts';
import { launchBrowser } from '../support/browser.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';

/** 10:00 in Kyiv: no message waits for quiet hours. */
const clockStart = '2026-06-01T07:00:00.000Z';
const customerId = 'olena-kyiv';

interface OutboxItem {
  step: string;
  status: string;
  subject?: string;
  text?: string;
  html?: string;
}

let host: HostProcess;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'comeback-browser-'));
  [host, browser] = await Promise.all([
    // As a new user starts it: the development secrets, none of the test run's settings.
    startHostProcess({ COMEBACK_DATA_DIR: dataDir, COMEBACK_CLOCK_START: clockStart, COMEBACK_SHOP_NAME: 'Зоокуток' }, withoutSettings(process.env)),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([browser?.close(), host?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

function withoutSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(COMEBACK_|AWS_|POWERTOOLS_)/.test(name)));
}

async function emails(): Promise<OutboxItem[]> {
  const answer = await getJson(host.url, `/_local/outbox?customerId=${customerId}`);
  return (answer.body as { items: OutboxItem[] }).items.filter((item) => item.status === 'sent');
}

/** The email as her mail program shows it: its HTML part, opened as a page. */
async function openEmail(page: Page, email: OutboxItem): Promise<void> {
  await page.setContent(email.html ?? '', { waitUntil: 'load' });
}

describe('a customer in Kyiv, paying in hryvnias', () => {
  it('reads her emails in Ukrainian, answers the feedback question and unsubscribes in the browser, and her profile shows both', async () => {
    // Prepare: her order, as the storefront posts it.
    const purchase = {
      orderId: 'ZK-1006',
      placedAt: clockStart,
      currency: 'UAH',
      total: '2469.00',
      customer: { id: customerId, email: 'olena@example.com', name: 'Олена', locale: 'uk-UA', timezone: 'Europe/Kyiv', consent: { email: true, sms: false } },
      items: [{ sku: 'DOG-FOOD-5', name: 'Корм для собак 5 кг', category: 'pet-food', quantity: 2, unitPrice: '1234.50' }],
    };
    expect(await postSignedPurchase(host.url, devDefaults.COMEBACK_WEBHOOK_SECRET, purchase)).toMatchObject({ status: 202 });

    // The thank-you, right away.
    const [thankYou] = await emails();
    expect(thankYou?.subject).toBe('Дякуємо за замовлення ZK-1006');
    const plain = (text = '') => text.replace(/[\u00a0\u202f]/g, ' ');
    expect(plain(thankYou?.text)).toContain('Разом: 2 469,00 ₴');
    expect(plain(thankYou?.html)).toContain('Разом: 2 469,00 ₴');
    expect(thankYou?.html).toContain('<html lang="uk"');

    // A week later, the feedback email.
    expect((await postJson(host.url, '/_local/clock/set', { now: '2026-06-08T08:00:00.000Z' }, devDefaults.COMEBACK_ADMIN_TOKEN)).status).toBe(200);
    const feedbackEmail = (await emails()).find((item) => item.step === 'feedback');
    expect(feedbackEmail?.subject).toBe('Як вам ваше замовлення?');
    expect(feedbackEmail?.text).toContain('Сподіваємося, замовлення ZK-1006 вас тішить.');

    // Act: she opens the link in the email and answers 9, with a comment.
    const page = await browser.newPage({ locale: 'uk-UA' });
    await openEmail(page, feedbackEmail!);
    await page.locator('a[href*="/v1/feedback?token="]').first().click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toBe('Наскільки ймовірно, що ви нас порекомендуєте?');
    expect(await page.locator('html').getAttribute('lang')).toBe('uk');
    await page.locator('label', { has: page.locator('input[value="9"]') }).click();
    await page.getByLabel('Хочете щось нам сказати? (необов’язково)').fill('Швидка доставка, дякую!');
    await page.getByRole('button', { name: 'Надіслати' }).click();
    await expect.poll(() => page.locator('main').textContent(), { timeout: 20_000 }).toContain('Ваша оцінка: 9 з 10.');

    // Act: from the same email's footer, she unsubscribes: the page asks, the button confirms.
    await openEmail(page, feedbackEmail!);
    await page.locator('a[href*="/v1/unsubscribe?token="]').last().click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toBe('Відписатися від рекламних листів');
    await page.getByRole('button', { name: 'Відписатися' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toBe('Ви відписалися');
    expect(await page.locator('main').textContent()).toContain('Ви більше не отримуватимете рекламних листів від Зоокуток.');
    await page.close();

    // Assess: the profile shows the answer and the withdrawn consent, with when and how.
    const customer = await fetchCustomer(host.url, devDefaults.COMEBACK_ADMIN_TOKEN, customerId);
    expect(customer.status).toBe(200);
    expect(customer.body).toMatchObject({
      profile: { consent: { email: false }, optOuts: { email: { at: '2026-06-08T08:00:00.000Z', via: 'unsubscribe-link' } } },
      feedback: [{ score: 9, comment: 'Швидка доставка, дякую!', at: '2026-06-08T08:00:00.000Z' }],
    });
  }, 120_000);
});
