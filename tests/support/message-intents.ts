/**
 * The messages the delivery tests hand to delivery, built as the journeys build them, for a store
 * whose storefront is at `shopUrl`. A message id is the customer's plus the journey's step, and a
 * `suffix` when one test sends the same step twice.
 */
import type { MessageIntent } from '../../functions/core/delivery/types.ts';

export function messageIntents(shopUrl: string) {
  const shop = new URL(shopUrl).host;
  const id = (customerId: string, step: string, suffix?: string | number) => `${customerId}.${step}${suffix === undefined ? '' : `.${suffix}`}`;
  return {
    thankYou: (customerId: string, options: { suffix?: string | number; placedAt?: string } = {}): MessageIntent => ({
      messageId: id(customerId, 'post-purchase.thank-you', options.suffix),
      journey: 'post-purchase',
      step: 'thank-you',
      channel: 'email',
      template: 'post-purchase-thank-you',
      marketing: false,
      priority: 2,
      variables: {
        order: { orderId: 'ORD-1', placedAt: options.placedAt ?? '2026-06-01T08:00:00.000Z', currency: 'USD', totalMinor: 5497, items: [{ sku: 'DOG-FOOD', quantity: 1, unitPriceMinor: 5497 }] },
        supportContact: `help@${shop}`,
      },
    }),
    winBackEmail: (customerId: string): MessageIntent => ({
      messageId: id(customerId, 'win-back.email'),
      journey: 'win-back',
      step: 'email',
      channel: 'email',
      template: 'win-back-email',
      marketing: true,
      priority: 1,
      variables: { discountCode: 'COMEBACK-7QX2A1B3', shopUrl },
    }),
    winBackSms: (customerId: string): MessageIntent => ({
      messageId: id(customerId, 'win-back.sms'),
      journey: 'win-back',
      step: 'sms',
      channel: 'sms',
      template: 'win-back-sms',
      marketing: true,
      priority: 1,
      variables: { discountCode: 'COMEBACK-7QX2A1B3', shopUrl },
    }),
    offer: (customerId: string): MessageIntent => ({
      messageId: id(customerId, 'post-purchase.offer'),
      journey: 'post-purchase',
      step: 'offer',
      channel: 'email',
      template: 'post-purchase-offer',
      marketing: true,
      priority: 2,
      variables: { discountCode: 'COMEBACK-9F00D1E2', shopUrl, offers: [{ sku: 'PET-BOWL', name: 'Stainless steel food bowl', priceMinor: 1200, url: `${shopUrl}/p/PET-BOWL` }], currency: 'USD' },
    }),
    loyaltyInvite: (customerId: string, suffix?: string | number): MessageIntent => ({
      messageId: id(customerId, 'loyalty.invite', suffix),
      journey: 'loyalty-invite',
      step: 'invite',
      channel: 'email',
      template: 'loyalty-invite',
      marketing: true,
      priority: 3,
      variables: { shopUrl, joinUrl: 'https://comeback.test/v1/join?token=t' },
    }),
  };
}
