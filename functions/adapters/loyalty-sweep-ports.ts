/**
 * The loyalty ports of the sweep and the dispatch, which send: the loyalty ports (./loyalty-ports.ts)
 * with the delivery step's configuration and the shop's address.
 */
import * as z from '../core/zod.ts';
import { readConfig } from '../config.ts';
import { deliverMessage } from '../core/delivery/deliver.ts';
import type { LoyaltySweepPorts } from '../core/loyalty/ports.ts';
import { deliveryPorts } from './delivery-ports.ts';
import { loyaltyPorts } from './loyalty-ports.ts';

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

export function loyaltySweepPorts(options: { lookbackDays?: number } = {}): LoyaltySweepPorts {
  const delivery = deliveryPorts();
  const config = readConfig(sweepEnv);
  return {
    ...loyaltyPorts(),
    deliverer: { deliver: (customerId, intent) => deliverMessage(delivery, customerId, intent) },
    settings: { shopUrl: config.COMEBACK_SHOP_URL, lookbackDays: options.lookbackDays ?? LOYALTY_LOOKBACK_DAYS },
  };
}
