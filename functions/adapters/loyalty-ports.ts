/**
 * The loyalty and product-rule use cases wired to their adapters, built once per process. Purchase,
 * refund, feedback and the loyalty routes need only the table and the rules file; the sweep also sends
 * (the delivery step's configuration) and links to the shop.
 */
import * as z from 'zod';
import { readConfig } from '../config.ts';
import { deliverMessage } from '../core/delivery/deliver.ts';
import type { CoPurchasePorts } from '../core/catalog/use-cases.ts';
import type { LoyaltyPorts, LoyaltySweepPorts } from '../core/loyalty/ports.ts';
import { configuredCatalog } from './catalog-file.ts';
import { DynamoCoPurchaseStore } from './catalog-store.ts';
import { now } from './clock.ts';
import { deliveryPorts } from './delivery-ports.ts';
import { configuredReferrals } from './discounts.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { DynamoLoyaltyStore } from './loyalty-store.ts';

const sweepEnv = z.object({
  /** The shop's address, in messages. */
  COMEBACK_SHOP_URL: z.url(),
});

/**
 * How many past days a run looks back for due items, so missed runs lose nothing: the nightly sweep
 * looks back a week; the frequent dispatch only at today and yesterday (two queries a run).
 */
export const LOYALTY_LOOKBACK_DAYS = 7;
export const DISPATCH_LOOKBACK_DAYS = 1;

let ports: LoyaltyPorts | undefined;

export function loyaltyPorts(): LoyaltyPorts {
  if (!ports) {
    const store = new DynamoLoyaltyStore(documentClient, tableName);
    const referrals = configuredReferrals();
    ports = { store, outreach: store, customers: store, catalog: configuredCatalog(), now, ...(referrals ? { referrals } : {}) };
  }
  return ports;
}

export function loyaltySweepPorts(options: { lookbackDays?: number } = {}): LoyaltySweepPorts {
  const delivery = deliveryPorts();
  const config = readConfig(sweepEnv);
  return {
    ...loyaltyPorts(),
    deliverer: { deliver: (customerId, intent) => deliverMessage(delivery, customerId, intent) },
    settings: { shopUrl: config.COMEBACK_SHOP_URL, lookbackDays: options.lookbackDays ?? LOYALTY_LOOKBACK_DAYS },
  };
}

export function coPurchasePorts(): CoPurchasePorts {
  return { copurchases: new DynamoCoPurchaseStore(documentClient, tableName), now };
}
