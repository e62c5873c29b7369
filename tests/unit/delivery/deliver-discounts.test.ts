/**
 * A message that offers a discount: the delivery step issues the code only once it has decided to
 * send, renders it with its expiry, and without a storefront sends the message with no code.
 */
import { describe, expect, it } from 'vitest';
import { deliverMessage } from '../../../functions/core/delivery/deliver.ts';
import type { DiscountIssueRequest, DiscountIssuer } from '../../../functions/core/discounts/discounts.ts';
import { StorefrontThrottledError } from '../../../functions/core/discounts/errors.ts';
import { contact, intent, memoryDeliveryPorts } from './fixtures.ts';

const DAY = 86_400_000;
const shop = { shopUrl: 'https://shop.example' };

/** An issuer that hands out CODE-1, CODE-2, ... one per offer, and remembers every call. */
function recordingIssuer(failures: Error[] = []) {
  const calls: DiscountIssueRequest[] = [];
  const codes = new Map<string, string>();
  const issuer: DiscountIssuer = {
    async issue(request) {
      calls.push(request);
      const failure = failures.shift();
      if (failure) throw failure;
      if (!codes.has(request.offerId)) codes.set(request.offerId, `CODE-${codes.size + 1}`);
      return { code: codes.get(request.offerId)!, expiresAt: new Date(request.now.getTime() + 30 * DAY).toISOString() };
    },
  };
  return { issuer, calls };
}

describe('a message that offers a discount', () => {
  it('gets its code when it is sent, for the customer, and shows it with its expiry', async () => {
    const world = memoryDeliveryPorts({ 'cust-1': contact() });
    const { issuer, calls } = recordingIssuer();
    world.ports.discounts = issuer;

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ variables: shop, discount: { offerId: 'entry-1' } }));

    expect(outcome.status).toBe('sent');
    expect(calls).toEqual([{ offerId: 'entry-1', customer: { customerId: 'cust-1', email: 'ada@example.com' }, now: new Date('2026-05-08T12:00:00.000Z') }]);
    expect(world.sent.email[0]?.text).toContain('CODE-1');
    expect(world.sent.email[0]?.text).toContain('7 June 2026');
    expect(world.sent.email[0]?.html).toContain('CODE-1');
    expect(world.log.at(-1)).toMatchObject({ status: 'sent', discountCode: 'CODE-1' });
  });

  it('creates no code for a message that is suppressed or capped; the capped one gets it when it goes out', async () => {
    const world = memoryDeliveryPorts({ 'cust-1': contact(), 'cust-2': contact({ customerId: 'cust-2' }, { email: { optedOutAt: '2026-05-01T08:00:00.000Z' } }) });
    const { issuer, calls } = recordingIssuer();
    world.ports.discounts = issuer;
    await deliverMessage(world.ports, 'cust-2', intent({ variables: shop, discount: { offerId: 'entry-2' } }));
    await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'a', variables: shop }));
    world.advance(DAY);
    await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'b', variables: shop }));
    world.advance(DAY);

    const capped = await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'c', variables: shop, discount: { offerId: 'entry-1' } }));
    expect(capped.status).toBe('capped');
    expect(calls).toEqual([]);

    world.advance(5 * DAY);
    expect((await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'c', variables: shop, discount: { offerId: 'entry-1' } }))).status).toBe('sent');
    expect(calls.map((call) => call.offerId)).toEqual(['entry-1']);
    expect(world.sent.email.at(-1)?.text).toContain('CODE-1');
  });

  it('offers no code without a storefront: neither variable reaches the template', async () => {
    const world = memoryDeliveryPorts({ 'cust-1': contact() });

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ variables: shop, discount: { offerId: 'entry-1' } }));

    expect(outcome.status).toBe('sent');
    expect(world.sent.email[0]?.text).not.toMatch(/code/i);
    expect(world.log.at(-1)).not.toHaveProperty('discountCode');
  });

  it('logs a storefront that throttles as failed and rethrows for the retry, which sends with the code', async () => {
    const world = memoryDeliveryPorts({ 'cust-1': contact() });
    const { issuer } = recordingIssuer([new StorefrontThrottledError('Shopify throttled discountCodeBasicCreate')]);
    world.ports.discounts = issuer;
    const message = intent({ variables: shop, discount: { offerId: 'entry-1' } });

    await expect(deliverMessage(world.ports, 'cust-1', message)).rejects.toBeInstanceOf(StorefrontThrottledError);
    expect(world.sent.email).toEqual([]);
    expect(world.log.at(-1)).toMatchObject({ status: 'failed', reason: expect.stringContaining('StorefrontThrottledError') });

    await expect(deliverMessage(world.ports, 'cust-1', message)).resolves.toEqual({ status: 'sent' });
    expect(world.sent.email[0]?.text).toContain('CODE-1');
  });
});
