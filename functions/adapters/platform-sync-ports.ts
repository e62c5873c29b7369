/**
 * The sync's order sources, with the credentials the discount codes use (functions/config.ts
 * storefrontEnv: COMEBACK_SHOPIFY_* and COMEBACK_WOOCOMMERCE_*, the value locally, a Secrets
 * Manager ARN on AWS), and its ports: the webhooks' (order-lifecycle-ports.ts).
 */
import { readConfig, secretReference, storefrontEnv, type StorefrontConfig } from '../config.ts';
import type { PlatformSettings } from '../core/platforms/lifecycle.ts';
import { PlatformNotConfiguredError, type OrderSource, type SyncPlatform, type SyncPorts } from '../core/sync/platform-sync.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { DynamoJourneyStore } from './journey-store.ts';
import { orderLifecyclePorts } from './order-lifecycle-ports.ts';
import { resolveSecret } from './secrets.ts';
import { ShopifyOrders } from './shopify-orders.ts';
import { WooCommerceOrders } from './woocommerce-orders.ts';

export function syncPorts(): SyncPorts {
  return { lifecycle: orderLifecyclePorts(), checkIns: new DynamoJourneyStore(documentClient, tableName) };
}

/** The platform's orders, or PlatformNotConfiguredError naming what is missing. */
export function orderSourceFor(platform: SyncPlatform, settings: PlatformSettings, config: StorefrontConfig = readConfig(storefrontEnv)): OrderSource {
  const secret = async (name: 'COMEBACK_SHOPIFY_ACCESS_TOKEN' | 'COMEBACK_WOOCOMMERCE_CREDENTIALS'): Promise<string> => {
    const [value] = await resolveSecret(secretReference({ [name]: config[name], [`${name}_ARN`]: config[`${name}_ARN`] }, name));
    if (!value) throw new PlatformNotConfiguredError(`${name} holds no value`);
    return value;
  };
  const missing = (names: string[]) =>
    new PlatformNotConfiguredError(`this Comeback is not connected to a ${platform === 'shopify' ? 'Shopify' : 'WooCommerce'} store: set ${names.join(' and ')}`);
  if (platform === 'shopify') {
    const storeDomain = config.COMEBACK_SHOPIFY_STORE_DOMAIN;
    const hasToken = config.COMEBACK_SHOPIFY_ACCESS_TOKEN !== undefined || config.COMEBACK_SHOPIFY_ACCESS_TOKEN_ARN !== undefined;
    if (!storeDomain || !hasToken) throw missing(['COMEBACK_SHOPIFY_STORE_DOMAIN', 'COMEBACK_SHOPIFY_ACCESS_TOKEN'].filter((name, index) => (index === 0 ? !storeDomain : !hasToken)));
    return new ShopifyOrders({
      storeDomain,
      apiVersion: config.COMEBACK_SHOPIFY_API_VERSION,
      accessToken: () => secret('COMEBACK_SHOPIFY_ACCESS_TOKEN'),
      ...(config.COMEBACK_SHOPIFY_API_ORIGIN ? { apiOrigin: config.COMEBACK_SHOPIFY_API_ORIGIN } : {}),
      settings,
    });
  }
  const url = config.COMEBACK_WOOCOMMERCE_URL;
  const hasCredentials = config.COMEBACK_WOOCOMMERCE_CREDENTIALS !== undefined || config.COMEBACK_WOOCOMMERCE_CREDENTIALS_ARN !== undefined;
  if (!url || !hasCredentials) throw missing(['COMEBACK_WOOCOMMERCE_URL', 'COMEBACK_WOOCOMMERCE_CREDENTIALS'].filter((name, index) => (index === 0 ? !url : !hasCredentials)));
  return new WooCommerceOrders({
    url,
    async credentials() {
      const value = await secret('COMEBACK_WOOCOMMERCE_CREDENTIALS');
      const separator = value.indexOf(':');
      if (separator < 1) throw new PlatformNotConfiguredError('COMEBACK_WOOCOMMERCE_CREDENTIALS must be <consumer key>:<consumer secret>');
      return { key: value.slice(0, separator), secret: value.slice(separator + 1) };
    },
    settings,
  });
}
