/** The platform webhooks' ports and settings, built once per process from the environment. */
import { platformEnv, readConfig } from '../config.ts';
import { reactToPurchase } from '../core/journey-engine.ts';
import { onPurchaseRecorded, onRefundRecorded } from '../core/loyalty/use-cases.ts';
import type { OrderLifecyclePorts } from '../core/order-lifecycle.ts';
import type { PlatformSettings } from '../core/platforms/lifecycle.ts';
import { now } from './clock.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { journeyPorts } from './journey-ports.ts';
import { loyaltyPorts } from './loyalty-ports.ts';
import { DynamoPurchaseLedger } from './purchase-ledger.ts';

export function platformSettings(): PlatformSettings {
  const config = readConfig(platformEnv);
  return {
    ...(config.COMEBACK_DEFAULT_COUNTRY ? { defaultCountry: config.COMEBACK_DEFAULT_COUNTRY } : {}),
    shopifyCountedStatuses: config.COMEBACK_SHOPIFY_COUNTED_STATUSES,
    wooCommerceMarketingConsent: config.COMEBACK_WOOCOMMERCE_MARKETING_CONSENT,
  };
}

export function orderLifecyclePorts(): OrderLifecyclePorts {
  const journeys = journeyPorts();
  const loyalty = loyaltyPorts();
  return {
    ledger: new DynamoPurchaseLedger(documentClient, tableName),
    onPurchase: async (purchase) => {
      await reactToPurchase(journeys, purchase);
      await onPurchaseRecorded(loyalty, purchase);
    },
    onRefund: async (refund) => {
      await onRefundRecorded(loyalty, refund);
    },
    now,
  };
}
