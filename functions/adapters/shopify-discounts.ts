/**
 * Discount codes in a Shopify store: one `discountCodeBasicCreate` through the Admin GraphQL API
 * (@shopify/admin-api-client). The code is for one customer when Comeback knows her Shopify id (a
 * decimal id, as the order webhooks give it), for any buyer otherwise (a guest's id is her email);
 * either way it works once (usageLimit 1, appliesOncePerCustomer) until endsAt.
 *
 * Customers are chosen with `context`, which replaces the deprecated `customerSelection` from API
 * version 2025-10 on. The app needs the `write_discounts` scope.
 */
import { createAdminApiClient, type AdminApiClient } from '@shopify/admin-api-client';
import type { ReferralDiscountRequest, Storefront, StorefrontDiscountRequest } from '../core/discounts/discounts.ts';
import { DiscountCodeTakenError, StorefrontRefusedError, StorefrontThrottledError, StorefrontUnavailableError } from '../core/discounts/errors.ts';

export const discountCodeBasicCreate = `mutation discountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

export interface ShopifyDiscountsOptions {
  /** The shop's myshopify.com domain. */
  storeDomain: string;
  apiVersion: string;
  /** The Admin API access token (resolved when first needed, so a rotated secret is picked up). */
  accessToken: () => Promise<string>;
  /** Another origin for the API (`http://127.0.0.1:8081`): a local stand-in for the store. */
  apiOrigin?: string;
}

interface CreateAnswer {
  discountCodeBasicCreate?: {
    codeDiscountNode: { id: string } | null;
    userErrors: { field: string[] | null; code: string | null; message: string }[];
  } | null;
}

export class ShopifyDiscounts implements Storefront {
  private readonly options: ShopifyDiscountsOptions;
  private client: { token: string; client: AdminApiClient } | undefined;

  constructor(options: ShopifyDiscountsOptions) {
    this.options = options;
  }

  async createCode(request: StorefrontDiscountRequest): Promise<void> {
    await this.create(request.code, shopifyDiscountInput(request));
  }

  async createReferralCode(request: ReferralDiscountRequest): Promise<void> {
    await this.create(request.code, shopifyReferralInput(request));
  }

  private async create(code: string, basicCodeDiscount: Record<string, unknown>): Promise<void> {
    const client = await this.clientFor(await this.options.accessToken());
    const { data, errors } = await client.request<CreateAnswer>(discountCodeBasicCreate, { variables: { basicCodeDiscount } });
    if (errors) {
      const status = errors.networkStatusCode;
      const throttled = status === 429 || (errors.graphQLErrors ?? []).some((error) => error.extensions?.code === 'THROTTLED');
      if (throttled) throw new StorefrontThrottledError(`Shopify throttled discountCodeBasicCreate: ${errors.message ?? ''}`);
      if (status === undefined || status >= 500) throw new StorefrontUnavailableError(`Shopify did not answer discountCodeBasicCreate: ${errors.message ?? 'no answer'}`);
      const details = (errors.graphQLErrors ?? []).map((error) => error.message).join('; ');
      throw new StorefrontRefusedError(`Shopify refused discountCodeBasicCreate (${status}): ${details || errors.message || ''}`, status);
    }
    const answer = data?.discountCodeBasicCreate;
    const userErrors = answer?.userErrors ?? [];
    if (userErrors.some((error) => error.code === 'TAKEN' && (error.field ?? []).includes('code'))) throw new DiscountCodeTakenError(code);
    if (userErrors.length > 0 || !answer?.codeDiscountNode) {
      throw new StorefrontRefusedError(`Shopify refused the discount code: ${userErrors.map((error) => `${(error.field ?? []).join('.')} ${error.code ?? ''}: ${error.message}`).join('; ') || 'no discount created'}`);
    }
  }

  private async clientFor(token: string): Promise<AdminApiClient> {
    if (this.client?.token !== token) {
      const origin = this.options.apiOrigin;
      this.client = {
        token,
        client: createAdminApiClient({
          storeDomain: this.options.storeDomain,
          apiVersion: this.options.apiVersion,
          accessToken: token,
          // The client always speaks https to the store's domain; a local stand-in answers elsewhere.
          ...(origin ? { customFetchApi: (url: string, init?: RequestInit) => fetch(new URL(new URL(url).pathname, origin), init) } : {}),
        }),
      };
    }
    return this.client.client;
  }
}

/** The mutation's variables for a request (exported for the fake store's tests). */
export function shopifyDiscountInput(request: StorefrontDiscountRequest): Record<string, unknown> {
  const { customerId } = request.customer;
  return {
    title: request.title,
    code: request.code,
    startsAt: request.startsAt,
    endsAt: request.expiresAt,
    context: /^\d+$/.test(customerId) ? { customers: { add: [`gid://shopify/Customer/${customerId}`] } } : { all: 'ALL' },
    customerGets: { value: { percentage: request.percent / 100 }, items: { all: true } },
    appliesOncePerCustomer: true,
    usageLimit: 1,
  };
}

/** A referral code: any buyer, once each, no total limit and no end. */
export function shopifyReferralInput(request: ReferralDiscountRequest): Record<string, unknown> {
  return {
    title: request.title,
    code: request.code,
    startsAt: request.startsAt,
    context: { all: 'ALL' },
    customerGets: { value: { percentage: request.percent / 100 }, items: { all: true } },
    appliesOncePerCustomer: true,
  };
}
