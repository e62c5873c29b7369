/** A sample purchase in the generic format, as a storefront would post it. */
import { randomUUID } from 'node:crypto';
import type { PurchaseInput } from '../../functions/core/purchase.ts';

export function samplePurchase(options: { orderId?: string; customerId?: string; placedAt?: Date } = {}): PurchaseInput {
  const placedAt = options.placedAt ?? new Date();
  return {
    // Unique even when the local clock stands still between posts.
    orderId: options.orderId ?? `sample-${randomUUID().slice(0, 13)}`,
    placedAt: placedAt.toISOString(),
    currency: 'USD',
    total: '54.97',
    customer: {
      id: options.customerId ?? 'cust-1001',
      email: 'ada@example.com',
      phone: '+15555550123',
      name: 'Ada Lovelace',
      locale: 'en-US',
      timezone: 'America/New_York',
      consent: { email: true, sms: true },
    },
    items: [
      { sku: 'DOG-FOOD-5KG', name: 'Dog food 5 kg', category: 'pet-food', quantity: 1, unitPrice: '39.99' },
      { sku: 'TREATS-200G', name: 'Chew treats 200 g', category: 'pet-treats', quantity: 2, unitPrice: '7.49' },
    ],
    channel: 'web',
  };
}
