/**
 * The loyalty ports of the sweep and the dispatch, which send: the loyalty ports (./loyalty-ports.ts)
 * with the delivery step's configuration and the shop's address.
 */
import * as z from '../core/zod.ts';
import { readConfig } from '../config.ts';
import { deliverMessage } from '../core/delivery/deliver.ts';
import { LOYALTY_LOOKBACK_HOURS } from '../core/loyalty/outreach.ts';
import type { LoyaltySweepPorts } from '../core/loyalty/ports.ts';
import { deliveryPorts } from './delivery-ports.ts';
import { loyaltyPorts } from './loyalty-ports.ts';

const sweepEnv = z.object({
  /** The shop's address, in messages. */
  COMEBACK_SHOP_URL: z.url(),
});

export function loyaltySweepPorts(options: { lookbackHours?: number } = {}): LoyaltySweepPorts {
  const delivery = deliveryPorts();
  const config = readConfig(sweepEnv);
  return {
    ...loyaltyPorts(),
    deliverer: { deliver: (customerId, intent) => deliverMessage(delivery, customerId, intent) },
    settings: { shopUrl: config.COMEBACK_SHOP_URL, lookbackHours: options.lookbackHours ?? LOYALTY_LOOKBACK_HOURS },
  };
}
