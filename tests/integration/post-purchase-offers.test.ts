/**
 * What the post-purchase journey offers, as the product runs it: purchases on the webhook, the
 * post-purchase state machine through the ASL interpreter, the journey step on DynamoDB Local with
 * the shipped rules file (workflows/catalog.json), the nightly co-purchase count, and the message
 * log read as the local outbox. The 7-day email offers the rules' complements and then what other
 * customers bought with the product; the 30-day email the upsell rules (the 90-day one takes the
 * same path: tests/unit/journeys.test.ts); a step with nothing relevant sends nothing and is logged
 * as skipped.
 */
import { describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { parsePurchase } from '../../functions/core/purchase.ts';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime } from '../support/environment.ts';
import { lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const clock = journeyRuntime.clock;
const ledger = new DynamoPurchaseLedger(documentClient, tableName);

interface Line {
  sku: string;
  price: string;
  category?: string;
}

function order(customerId: string, lines: Line[]) {
  const total = lines.reduce((sum, line) => sum + Math.round(Number(line.price) * 100), 0);
  return {
    orderId: uniqueId('order'),
    placedAt: clock.now().toISOString(),
    currency: 'USD',
    total: (total / 100).toFixed(2),
    customer: { id: customerId, email: `${customerId}@example.com`, name: 'Ada', timezone: 'UTC', consent: { email: true } },
    items: lines.map((line) => ({ sku: line.sku, quantity: 1, unitPrice: line.price, ...(line.category ? { category: line.category } : {}) })),
  };
}

/** A purchase on the storefront's webhook: it starts the customer's post-purchase journey. */
async function buy(customerId: string, lines: Line[]) {
  const result = await recordPurchase(signedEvent('/v1/purchases', order(customerId, lines)), lambdaContext);
  expect(result.statusCode).toBe(202);
  await clock.advance({ minutes: 1 });
}

/** Another customer's order, in the ledger only: data for the nightly co-purchase count. */
async function record(customerId: string, lines: Line[]) {
  await ledger.recordPurchase(parsePurchase(order(customerId, lines)), { source: 'comeback' });
}

async function step(customerId: string, name: string) {
  return (await outbox(customerId)).filter((item) => item.journey === 'post-purchase' && item.step === name && item.status !== 'deferred');
}

const camera = { sku: 'CAMERA-X100', price: '649.00', category: 'cameras' };
const url = (sku: string) => `https://shop.example.com/products/${sku}`;

describe('the post-purchase offers', () => {
  it('a camera buyer gets the rules’ complements after 7 days and their upsell after 30, never the camera', async () => {
    const customerId = uniqueId('camera-buyer');
    await buy(customerId, [camera]);

    await clock.advance({ days: 8 });
    const [week] = await step(customerId, 'feedback');
    expect(week).toMatchObject({ status: 'sent', subject: 'How are you getting on with your order?' });
    expect(week!.text).toContain(
      `Goes well with your order: Camera bag and Memory card 128 GB.\n- Camera bag, $45.00: ${url('CAMERA-BAG')}\n- Memory card 128 GB, $29.00: ${url('SD-CARD-128')}\n`,
    );
    expect(week!.text).not.toContain(url('CAMERA-X100'));
    expect(week!.text).not.toContain('Lens cleaning kit');

    await clock.advance({ days: 23 });
    const [month] = await step(customerId, 'content');
    expect(month).toMatchObject({ status: 'sent', subject: 'Ready for the next step?' });
    expect(month!.text).toContain(`we think you’ll like Camera care plan, 3 years:\n- Camera care plan, 3 years, $79.00: ${url('CAMERA-CARE-PLAN')}\n`);
    expect(month!.text).not.toContain(url('CAMERA-BAG'));
  });

  it('adds what other customers bought with the product once the nightly count has enough of it, leaving out what she bought', async () => {
    // Prepare: three customers bought the camera with a lens cleaning kit, which no rule offers.
    for (let index = 0; index < 3; index += 1) await record(uniqueId('co-buyer'), [camera, { sku: 'LENS-CLEANING-KIT', price: '15.00', category: 'camera-care' }]);
    await journeyRuntime.runJob('catalog-copurchase');
    const customerId = uniqueId('camera-and-card');

    // Act: she buys the camera with a memory card.
    await buy(customerId, [camera, { sku: 'SD-CARD-128', price: '29.00', category: 'memory-cards' }]);
    await clock.advance({ days: 8 });

    // Assess: the rule's bag first, then the learned kit; not the card she has.
    const [week] = await step(customerId, 'feedback');
    expect(week?.status).toBe('sent');
    expect(week!.text).toContain(`Goes well with your order: Camera bag and Lens cleaning kit.\n- Camera bag, $45.00: ${url('CAMERA-BAG')}\n- Lens cleaning kit, $15.00: ${url('LENS-CLEANING-KIT')}\n`);
    expect(week!.text).not.toContain(url('SD-CARD-128'));
  });

  it('a customer with nothing relevant is only asked the feedback question after 7 days, and gets no 30-day message: it is logged as skipped with its reason', async () => {
    const customerId = uniqueId('tea-buyer');
    await buy(customerId, [{ sku: uniqueId('TEA'), price: '8.00' }]);

    await clock.advance({ days: 31 });

    const [week] = await step(customerId, 'feedback');
    expect(week?.status).toBe('sent');
    expect(week!.text).toContain('how likely are you to recommend us to a friend?');
    expect(week!.text).not.toContain('Goes well with your order');
    const content = await step(customerId, 'content');
    expect(content.map((item) => [item.status, item.reason])).toEqual([['skipped', 'no relevant offer']]);
    expect(content[0]!.text).toBeUndefined();
    // The order thank-you offers nothing and still goes.
    expect((await step(customerId, 'thank-you')).map((item) => item.status)).toEqual(['sent']);
  });
});
