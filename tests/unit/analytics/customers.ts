/** Small hand-made customers for the analytics tests: profiles folded from orders, as the ledger builds them. */
import { applyOrder, applyRefund, type CustomerProfile } from '../../../functions/core/profile.ts';
import type { Purchase } from '../../../functions/core/purchase.ts';
import { customerFacts, dayOf, type CustomerFacts } from '../../../functions/core/analytics/facts.ts';
import { factWindows } from '../../../functions/core/analytics/recompute.ts';
import { recomputeSettings, type RecomputeSettings } from '../../../functions/core/analytics/settings.ts';

export const defaults: RecomputeSettings = recomputeSettings({});

export interface OrderSpec {
  /** YYYY-MM-DD (noon UTC) or a full ISO date-time. */
  at: string;
  totalMinor?: number;
  currency?: string;
  category?: string;
  sku?: string;
}

export function profileOf(customerId: string, orders: OrderSpec[], extra: Partial<Purchase['customer']> = {}): CustomerProfile {
  let profile: CustomerProfile | undefined;
  orders.forEach((spec, index) => {
    const placedAt = spec.at.length === 10 ? `${spec.at}T12:00:00.000Z` : spec.at;
    const totalMinor = spec.totalMinor ?? 1000;
    profile = applyOrder(profile, {
      orderId: `${customerId}-${index}`,
      placedAt,
      currency: spec.currency ?? 'USD',
      totalMinor,
      customer: { id: customerId, ...extra },
      items: [{ sku: spec.sku ?? 'SKU', ...(spec.category ? { category: spec.category } : {}), quantity: 1, unitPriceMinor: totalMinor }],
    });
  });
  if (!profile) throw new Error('a customer needs an order');
  return profile;
}

export function refunded(profile: CustomerProfile, currency: string, amountMinor: number): CustomerProfile {
  return applyRefund(profile, currency, amountMinor);
}

export function factsOf(profile: CustomerProfile, today: string, settings: RecomputeSettings = defaults): CustomerFacts {
  return customerFacts(profile, dayOf(today), factWindows(settings));
}

/** The ISO day `days` days before `day`. */
export function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
