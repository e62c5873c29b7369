/**
 * The discount issuer of the configured storefront (functions/config.ts storefrontEnv): Shopify,
 * WooCommerce, the uploaded code pool, or none (messages then carry no code).
 */
import { readConfig, secretReference, storefrontEnv, type StorefrontConfig } from '../config.ts';
import { poolIssuer, storefrontIssuer, storefrontReferralCodes, type DiscountIssuer, type ReferralCodes, type Storefront } from '../core/discounts/discounts.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { DynamoDiscounts } from './discount-store.ts';
import { resolveSecret } from './secrets.ts';
import { ShopifyDiscounts } from './shopify-discounts.ts';
import { WooCommerceDiscounts } from './woocommerce-discounts.ts';

export function configuredDiscounts(config: StorefrontConfig = readConfig(storefrontEnv)): DiscountIssuer | undefined {
  const ledger = new DynamoDiscounts(documentClient, tableName);
  const storefront = storefrontOf(config);
  if (config.COMEBACK_STOREFRONT === 'pool') return poolIssuer(ledger);
  if (!storefront) return undefined;
  return storefrontIssuer(storefront, ledger, { percent: config.COMEBACK_DISCOUNT_PERCENT, validDays: config.COMEBACK_DISCOUNT_DAYS });
}

/** Referral codes in the store: Shopify and WooCommerce only (the pool holds single-use codes, none of them a customer's). */
export function configuredReferrals(config: StorefrontConfig = readConfig(storefrontEnv)): ReferralCodes | undefined {
  const storefront = storefrontOf(config);
  return storefront ? storefrontReferralCodes(storefront, new DynamoDiscounts(documentClient, tableName), config.COMEBACK_REFERRAL_PERCENT) : undefined;
}

function storefrontOf(config: StorefrontConfig): Storefront | undefined {
  const secret = async (name: 'COMEBACK_SHOPIFY_ACCESS_TOKEN' | 'COMEBACK_WOOCOMMERCE_CREDENTIALS'): Promise<string> => {
    const [value] = await resolveSecret(secretReference({ [name]: config[name], [`${name}_ARN`]: config[`${name}_ARN`] }, name));
    if (!value) throw new Error(`${name} holds no value`);
    return value;
  };
  switch (config.COMEBACK_STOREFRONT) {
    case 'shopify':
      return new ShopifyDiscounts({
        storeDomain: config.COMEBACK_SHOPIFY_STORE_DOMAIN ?? '',
        apiVersion: config.COMEBACK_SHOPIFY_API_VERSION,
        accessToken: () => secret('COMEBACK_SHOPIFY_ACCESS_TOKEN'),
        ...(config.COMEBACK_SHOPIFY_API_ORIGIN ? { apiOrigin: config.COMEBACK_SHOPIFY_API_ORIGIN } : {}),
      });
    case 'woocommerce':
      return new WooCommerceDiscounts({
        url: config.COMEBACK_WOOCOMMERCE_URL ?? '',
        async credentials() {
          const value = await secret('COMEBACK_WOOCOMMERCE_CREDENTIALS');
          const separator = value.indexOf(':');
          if (separator < 1) throw new Error('COMEBACK_WOOCOMMERCE_CREDENTIALS must be <consumer key>:<consumer secret>');
          return { key: value.slice(0, separator), secret: value.slice(separator + 1) };
        },
      });
    default:
      return undefined;
  }
}
