/** The platform webhooks' ports and settings, built once per process from the environment. */
import { platformEnv, readConfig } from '../config.ts';
import type { OrderLifecyclePorts } from '../core/order-lifecycle.ts';
import type { PlatformSettings } from '../core/platforms/lifecycle.ts';
import { now } from './clock.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { DynamoPurchaseLedger } from './purchase-ledger.ts';

export function platformSettings(): PlatformSettings {
  const config = readConfig(platformEnv);
  return {
    ...(config.COMEBACK_DEFAULT_COUNTRY ? { defaultCountry: config.COMEBACK_DEFAULT_COUNTRY } : {}),
    shopifyCountedStatuses: config.COMEBACK_SHOPIFY_COUNTED_STATUSES,
    wooCommerceMarketingConsent: config.COMEBACK_WOOCOMMERCE_MARKETING_CONSENT,
  };
}

/** The ledger alone: what follows a recorded order or refund reacts from the table's stream. */
export function orderLifecyclePorts(): OrderLifecyclePorts {
  return { ledger: new DynamoPurchaseLedger(documentClient, tableName), now };
}
