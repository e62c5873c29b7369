/**
 * The loyalty ports of the routes that show a customer's loyalty view (GET /v1/loyalty/{customerId},
 * the join): the loyalty ports (./loyalty-ports.ts) with the storefront's referral codes, created
 * in the store before a code is shown (core/loyalty/use-cases.ts). Apart, so that the other loyalty
 * functions do not carry the storefronts' discount clients in their bundles.
 */
import type { LoyaltyPorts } from '../core/loyalty/ports.ts';
import { configuredReferrals } from './discounts.ts';
import { loyaltyPorts } from './loyalty-ports.ts';

let ports: LoyaltyPorts | undefined;

export function loyaltyViewPorts(): LoyaltyPorts {
  if (!ports) {
    const referrals = configuredReferrals();
    ports = { ...loyaltyPorts(), ...(referrals ? { referrals } : {}) };
  }
  return ports;
}
