/**
 * `preview <message> --customer <id> [--locale uk]` against a stand-in for the admin API: the
 * rendered HTML and text land in files whose paths are printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreviewError, runPreview } from '../../../lib/cli/preview.ts';
import { profile } from './fixtures.ts';

const adminToken = 'preview-admin-token';
const out = mkdtempSync(join(tmpdir(), 'comeback-preview-'));
const order = {
  orderId: '5821034561',
  placedAt: '2026-04-01T10:00:00.000Z',
  currency: 'UAH',
  totalMinor: 123_450,
  customer: { id: 'cust-1' },
  items: [{ sku: 'DOG-FOOD', name: 'Корм для собак', category: 'pet-food', quantity: 2, unitPriceMinor: 61_725 }],
};
const customer = { profile: profile({ locale: 'uk-UA', timezone: 'Europe/Kyiv', currency: 'UAH', revenueByCurrency: { UAH: 123_450 } }), orders: [order] };
let server: Server;
let url = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
    const found = request.url === '/v1/customers/cust-1' && request.headers.authorization === `Bearer ${adminToken}`;
    response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(found ? customer : { title: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(out, { recursive: true, force: true });
});

const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const now = new Date('2026-05-08T12:00:00.000Z');
const env = { COMEBACK_SHOP_URL: 'https://zoo.example.ua', COMEBACK_SHOP_NAME: 'Зоокуток', COMEBACK_POSTAL_ADDRESS: 'Хрещатик, 1, Київ' };

describe('preview', () => {
  it('writes the thank-you in the customer language as HTML and text and prints both paths', async () => {
    const printed: string[] = [];

    const files = await runPreview(['post-purchase-thank-you', '--customer', 'cust-1', '--out', out], { url, adminToken, env, now }, (text) => printed.push(text));

    expect(seen).toContain(`GET /v1/customers/cust-1 Bearer ${adminToken}`);
    expect(files).toEqual({ html: join(out, 'post-purchase-thank-you.cust-1.html'), text: join(out, 'post-purchase-thank-you.cust-1.txt') });
    expect(printed.join('')).toBe(`${files.html}\n${files.text}\n`);
    const text = plain(readFileSync(files.text, 'utf8'));
    expect(text).toMatch(/^Subject: Дякуємо за замовлення 5821034561\n\nВітаємо, Ada!/);
    expect(text).toContain('Разом: 1 234,50 ₴');
    expect(text).toContain('Команда Зоокуток');
    const html = plain(readFileSync(files.html ?? '', 'utf8'));
    expect(html).toContain('<li>Корм для собак × 2: 617,25 ₴ за шт.</li>');
    expect(html).toContain('Хрещатик, 1, Київ');
  });

  it('renders another language with --locale', async () => {
    const files = await runPreview(['post-purchase-thank-you', '--customer', 'cust-1', '--locale', 'de', '--out', out], { url, adminToken, env, now }, () => undefined);

    expect(plain(readFileSync(files.text, 'utf8'))).toContain('Gesamt: 1.234,50 UAH');
  });

  it('writes an SMS as text only', async () => {
    const files = await runPreview(['win-back-sms', '--customer', 'cust-1', '--out', out], { url, adminToken, env, now }, () => undefined);

    expect(files.html).toBeUndefined();
    expect(readFileSync(files.text, 'utf8')).toBe('Сумуємо за вами! Ваш код EXAMPLE-CODE чекає: https://zoo.example.ua Відповідь STOP — відписатися.\n');
  });

  it('says what is wrong: no such message, no such customer, no customer given', async () => {
    const run = (args: string[]) => runPreview(args, { url, adminToken, env, now }, () => undefined);
    await expect(run(['no-such-message', '--customer', 'cust-1'])).rejects.toThrow(/there is no message "no-such-message"/);
    await expect(run(['post-purchase-thank-you', '--customer', 'cust-404', '--out', out])).rejects.toThrow('GET /v1/customers/cust-404 answered 404');
    await expect(run(['post-purchase-thank-you'])).rejects.toThrow(PreviewError);
  });
});
