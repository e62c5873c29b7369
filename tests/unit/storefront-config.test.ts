/** The storefront settings: what each mode needs, named when missing, and the local host's check at start. */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, readConfig, storefrontEnv } from '../../functions/config.ts';
import { readLocalHostConfig } from '../../lib/local/config.ts';

describe('storefront settings', () => {
  it('offer no code by default, 10 % for 30 days when a storefront is set', () => {
    expect(readConfig(storefrontEnv, {})).toMatchObject({ COMEBACK_STOREFRONT: 'none', COMEBACK_DISCOUNT_PERCENT: 10, COMEBACK_DISCOUNT_DAYS: 30, COMEBACK_SHOPIFY_API_VERSION: '2026-10' });
    expect(readConfig(storefrontEnv, { COMEBACK_STOREFRONT: 'pool' }).COMEBACK_STOREFRONT).toBe('pool');
  });

  it.each([
    [{ COMEBACK_STOREFRONT: 'shopify', COMEBACK_SHOPIFY_ACCESS_TOKEN: 'shpat_x' }, /COMEBACK_SHOPIFY_STORE_DOMAIN/],
    [{ COMEBACK_STOREFRONT: 'shopify', COMEBACK_SHOPIFY_STORE_DOMAIN: 'shop.myshopify.com' }, /COMEBACK_SHOPIFY_ACCESS_TOKEN or COMEBACK_SHOPIFY_ACCESS_TOKEN_ARN/],
    [{ COMEBACK_STOREFRONT: 'shopify', COMEBACK_SHOPIFY_STORE_DOMAIN: 'shop.example.com', COMEBACK_SHOPIFY_ACCESS_TOKEN: 'x' }, /myshopify\.com/],
    [{ COMEBACK_STOREFRONT: 'woocommerce', COMEBACK_WOOCOMMERCE_URL: 'https://shop.example.com' }, /COMEBACK_WOOCOMMERCE_CREDENTIALS/],
    [{ COMEBACK_STOREFRONT: 'woocommerce', COMEBACK_WOOCOMMERCE_URL: 'https://shop.example.com', COMEBACK_WOOCOMMERCE_CREDENTIALS: 'ck_only' }, /<consumer key>:<consumer secret>/],
    [{ COMEBACK_STOREFRONT: 'magento' }, /COMEBACK_STOREFRONT/],
    [{ COMEBACK_DISCOUNT_PERCENT: '0' }, /COMEBACK_DISCOUNT_PERCENT/],
  ])('refuse %o, naming what is wrong', (env, message) => {
    expect(() => readConfig(storefrontEnv, env)).toThrow(ConfigurationError);
    expect(() => readConfig(storefrontEnv, env)).toThrow(message);
  });

  it('take a Secrets Manager ARN for the credentials on AWS', () => {
    const env = { COMEBACK_STOREFRONT: 'woocommerce', COMEBACK_WOOCOMMERCE_URL: 'https://shop.example.com', COMEBACK_WOOCOMMERCE_CREDENTIALS_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' };
    expect(readConfig(storefrontEnv, env).COMEBACK_WOOCOMMERCE_CREDENTIALS_ARN).toBe(env.COMEBACK_WOOCOMMERCE_CREDENTIALS_ARN);
  });

  it('stop the local host at start when a mode lacks what it needs', () => {
    expect(() => readLocalHostConfig({ COMEBACK_STOREFRONT: 'shopify' })).toThrow(/COMEBACK_SHOPIFY_STORE_DOMAIN/);
    expect(readLocalHostConfig({ COMEBACK_STOREFRONT: 'pool' }).PORT).toBe(3000);
  });
});
