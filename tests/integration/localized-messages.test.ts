/**
 * A customer's messages in their language, through the journey as the product runs it: a purchase
 * on the webhook, the post-purchase state machine, the delivery step on DynamoDB Local, and the
 * message log read as the local outbox, HTML beside text.
 */
import { describe, expect, it } from 'vitest';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime } from '../support/environment.ts';
import { lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const clock = journeyRuntime.clock;
/** Formatted numbers use no-break spaces; read them as plain ones. */
const plain = (text: string | undefined) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ');

async function buy(customer: { id: string; locale: string; timezone: string; name: string }, currency: string, total: string, orderName?: string) {
  const payload = {
    orderId: uniqueId('order'),
    ...(orderName ? { orderName } : {}),
    placedAt: clock.now().toISOString(),
    currency,
    total,
    customer: { ...customer, email: `${customer.id}@example.com`, consent: { email: true, sms: false } },
    items: [{ sku: 'DOG-FOOD', name: 'Корм для собак', category: 'pet-food', quantity: 2, unitPrice: (Number(total) / 2).toFixed(2) }],
  };
  const result = await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext);
  expect(result.statusCode).toBe(202);
  await clock.advance({ minutes: 1 });
  return payload.orderId;
}

async function thankYou(customerId: string) {
  const item = (await outbox(customerId)).find((entry) => entry.step === 'thank-you' && entry.status === 'sent');
  expect(item, `the thank-you of ${customerId} in the outbox`).toBeDefined();
  return { subject: item?.subject ?? '', text: plain(item?.text), html: plain(item?.html) };
}

describe('messages in the customer language', () => {
  it('a uk-UA customer paying in UAH gets the thank-you in Ukrainian, HTML and text, with ₴ amounts', async () => {
    const customerId = uniqueId('uk-customer');
    const orderId = await buy({ id: customerId, locale: 'uk-UA', timezone: 'Europe/Kyiv', name: 'Олена' }, 'UAH', '1234.50');

    const message = await thankYou(customerId);

    expect(message.subject).toBe(`Дякуємо за замовлення ${orderId}`);
    expect(message.text).toContain('Вітаємо, Олена!');
    expect(message.text).toContain('- Корм для собак × 2: 617,25 ₴ за шт.');
    expect(message.text).toContain('Разом: 1 234,50 ₴');
    expect(message.html).toMatch(/^<!doctype html>/i);
    expect(message.html).toContain('<html lang="uk"');
    expect(message.html).toContain('<li>Корм для собак × 2: 617,25 ₴ за шт.</li>');
    expect(message.html).toContain('Разом: 1 234,50 ₴');
    expect(message.html).toContain('Відписатися від наших листів');
    expect(message.html).toMatch(/<a href="http[^"]+\/v1\/unsubscribe\?token=[^"]+"/);
    expect(`${message.text}${message.html}`).not.toContain('$');
  });

  it('a de-DE customer paying in EUR gets German with the euro after the amount', async () => {
    const customerId = uniqueId('de-customer');
    await buy({ id: customerId, locale: 'de-DE', timezone: 'Europe/Berlin', name: 'Greta' }, 'EUR', '54.98');

    const message = await thankYou(customerId);

    expect(message.text).toContain('Hallo Greta,');
    expect(message.text).toContain('Gesamt: 54,98 €');
    expect(message.html).toContain('Gesamt: 54,98 €');
  });

  it('calls the order by the shop’s name for it, such as Shopify’s #1006, in the subject and the text', async () => {
    const customerId = uniqueId('named-order');
    await buy({ id: customerId, locale: 'en-GB', timezone: 'Europe/London', name: 'Ada' }, 'GBP', '20.00', '#1006');

    const message = await thankYou(customerId);

    expect(message.subject).toBe('Thank you for your order #1006');
    expect(message.text).toContain('Order #1006, placed');
  });
});
