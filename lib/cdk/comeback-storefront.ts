/**
 * Where the discount codes in messages come from on AWS (functions/config.ts storefrontEnv): the
 * store's Shopify or WooCommerce, the code pool it uploads (POST /v1/discount-codes/pool), or
 * none. For Shopify and WooCommerce the stack creates one Secrets Manager secret for the
 * credentials, with a generated placeholder: the store puts its Admin API access token
 * (`shpat_...`, scope write_discounts), or `<consumer key>:<consumer secret>` of a WooCommerce REST
 * key with write access, into it after deploying. The value never appears in the template.
 *
 * Only the function that sends the messages offering a code (the journey step) and the loyalty
 * account route (which creates a customer's referral code when it first shows it) are bound to it:
 * nothing else may create discounts in the store.
 */
import { CfnOutput, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const storefrontKinds = ['shopify', 'woocommerce', 'pool', 'none'] as const;
export type StorefrontKind = (typeof storefrontKinds)[number];

export interface ComebackStorefrontProps {
  /**
   * Where codes come from.
   * @default 'none' - messages offer no code
   */
  readonly kind?: StorefrontKind;
  /** The shop's myshopify.com domain (kind 'shopify'). */
  readonly shopifyStoreDomain?: string;
  /**
   * The Shopify Admin API version.
   * @default - the version functions/config.ts defaults to
   */
  readonly shopifyApiVersion?: string;
  /** The WooCommerce store's https address (kind 'woocommerce'). */
  readonly wooCommerceUrl?: string;
  /**
   * Percent off the order a code gives, 1 to 100.
   * @default 10
   */
  readonly discountPercent?: number;
  /**
   * Days a code is valid from the send, 1 to 365.
   * @default 30
   */
  readonly discountDays?: number;
}

export class ComebackStorefront extends Construct {
  public readonly kind: StorefrontKind;
  /** The store's credentials (Shopify and WooCommerce only). */
  public readonly credentials: secretsmanager.Secret | undefined;
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: ComebackStorefrontProps = {}) {
    super(scope, id);
    this.kind = props.kind ?? 'none';
    // Read from CDK context as JSON, so checked here rather than trusted to the type.
    if (!storefrontKinds.includes(this.kind)) throw new Error(`the storefront kind must be one of ${storefrontKinds.join(', ')}, not ${String(this.kind)}`);
    const percent = props.discountPercent ?? 10;
    const days = props.discountDays ?? 30;
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) throw new Error(`discountPercent must be a whole number from 1 to 100, not ${percent}`);
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error(`discountDays must be a whole number from 1 to 365, not ${days}`);
    this.environment = { COMEBACK_STOREFRONT: this.kind, COMEBACK_DISCOUNT_PERCENT: String(percent), COMEBACK_DISCOUNT_DAYS: String(days) };

    if (this.kind === 'shopify') {
      const domain = props.shopifyStoreDomain?.trim().toLowerCase();
      if (!domain || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(domain)) throw new Error('a Shopify storefront needs shopifyStoreDomain, the shop\'s myshopify.com domain');
      this.environment.COMEBACK_SHOPIFY_STORE_DOMAIN = domain;
      if (props.shopifyApiVersion) this.environment.COMEBACK_SHOPIFY_API_VERSION = props.shopifyApiVersion;
    }
    if (this.kind === 'woocommerce') {
      const url = props.wooCommerceUrl?.trim();
      if (!url || !/^https:\/\/[^\s/]+/.test(url)) throw new Error('a WooCommerce storefront needs wooCommerceUrl, the store\'s https address');
      this.environment.COMEBACK_WOOCOMMERCE_URL = url;
    }

    if (this.kind === 'shopify' || this.kind === 'woocommerce') {
      const variable = this.kind === 'shopify' ? 'COMEBACK_SHOPIFY_ACCESS_TOKEN' : 'COMEBACK_WOOCOMMERCE_CREDENTIALS';
      this.credentials = new secretsmanager.Secret(this, 'Credentials', {
        description:
          this.kind === 'shopify'
            ? 'The Shopify Admin API access token Comeback creates discount codes with (scope write_discounts). Replace the generated placeholder.'
            : 'The WooCommerce REST API key Comeback creates coupons with, as <consumer key>:<consumer secret>. Replace the generated placeholder.',
        generateSecretString: { passwordLength: 32, excludePunctuation: true, includeSpace: false },
      });
      Validations.of(this.credentials).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The value is a credential the store issues in its own platform (a Shopify access token, a WooCommerce REST key); AWS cannot rotate it. ' +
          'The store rotates it there and puts the new value into this secret; handlers read it with a five-minute cache.',
      });
      this.environment[`${variable}_ARN`] = this.credentials.secretArn;
      new CfnOutput(this, 'CredentialsSecretArn', {
        value: this.credentials.secretArn,
        description: `Put the store's ${this.kind === 'shopify' ? 'Shopify Admin API access token' : 'WooCommerce <consumer key>:<consumer secret>'} into this secret; messages create discount codes with it.`,
      });
    }
  }

  /** The storefront's settings, and read access to its credentials, for a function that sends messages offering a code. */
  public bind(fn: { readonly function: lambda.Function }): void {
    for (const [name, value] of Object.entries(this.environment)) fn.function.addEnvironment(name, value);
    this.credentials?.grantRead(fn.function);
  }
}
