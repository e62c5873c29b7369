/**
 * The store's orders through the Shopify Admin GraphQL API (@shopify/admin-api-client): the
 * `orders` query filtered by `updated_at:>=<since>`, page after page by cursor, each order mapped
 * by functions/core/platforms/shopify-graphql.ts. Needs the `read_orders` scope (and
 * `read_all_orders` for orders older than 60 days).
 *
 * Rate limits, as Shopify documents them: a `THROTTLED` GraphQL error is retried once the bucket
 * (extensions.cost.throttleStatus) has restored what the query asks for; an HTTP 429 after its
 * Retry-After; a 5xx or no answer after a growing pause. Anything else (401 bad token, 403 missing
 * scope) stops the sync with Shopify's reason.
 */
import { createAdminApiClient, type AdminApiClient } from '@shopify/admin-api-client';
import type { PlatformSettings } from '../core/platforms/lifecycle.ts';
import { shopifyOrdersQuery, shopifySyncedOrderActions, numericId } from '../core/platforms/shopify-graphql.ts';
import { ComebackError } from '../core/errors.ts';
import { PlatformAnswerError, PlatformRequestError, type OrderPage, type OrderSource, type SyncedOrder } from '../core/sync/platform-sync.ts';

export interface ShopifyOrdersOptions {
  storeDomain: string;
  apiVersion: string;
  accessToken: () => Promise<string>;
  /** Another origin for the API: a local stand-in for the store. */
  apiOrigin?: string;
  settings: PlatformSettings;
  /** Orders per page. @default 10 */
  pageSize?: number;
  /** Attempts per page before giving up. @default 6 */
  attempts?: number;
  sleep?: (milliseconds: number) => Promise<void>;
}

interface OrdersAnswer {
  orders?: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: unknown[] } | null;
}

interface ThrottleStatus {
  maximumAvailable?: number;
  currentlyAvailable?: number;
  restoreRate?: number;
}

const pause = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

export class ShopifyOrders implements OrderSource {
  readonly platform = 'shopify' as const;
  private readonly options: ShopifyOrdersOptions;

  constructor(options: ShopifyOrdersOptions) {
    this.options = options;
  }

  async *orders(since: Date, from?: string): AsyncGenerator<OrderPage> {
    const client = this.client(await this.options.accessToken());
    const query = `updated_at:>='${since.toISOString()}'`;
    let after: string | null = from ?? null;
    for (;;) {
      const page = await this.page(client, { first: this.options.pageSize ?? 10, after, query });
      const next = page.pageInfo.hasNextPage && page.pageInfo.endCursor ? page.pageInfo.endCursor : undefined;
      yield { orders: page.nodes.map((node) => this.read(node)), ...(next ? { next } : {}) };
      if (next === undefined) return;
      after = next;
    }
  }

  private read(node: unknown): SyncedOrder {
    const orderId = typeof node === 'object' && node !== null && typeof (node as { id?: unknown }).id === 'string' ? numericId((node as { id: string }).id) : '(no id)';
    try {
      return { orderId, actions: shopifySyncedOrderActions(node, this.options.settings) };
    } catch (error) {
      if (error instanceof ComebackError) return { orderId, error: error.message };
      throw error;
    }
  }

  private async page(client: AdminApiClient, variables: { first: number; after: string | null; query: string }): Promise<NonNullable<OrdersAnswer['orders']>> {
    const attempts = this.options.attempts ?? 6;
    const sleep = this.options.sleep ?? pause;
    for (let attempt = 1; ; attempt += 1) {
      const { data, errors, extensions } = await client.request<OrdersAnswer>(shopifyOrdersQuery, { variables });
      if (!errors && data?.orders) return data.orders;
      const status = errors?.networkStatusCode;
      const throttled = (errors?.graphQLErrors ?? []).some((error) => error.extensions?.code === 'THROTTLED');
      let wait: number | undefined;
      if (throttled) wait = bucketWait(extensions?.cost as { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } | undefined);
      else if (status === 429) wait = retryAfter(errors?.response) ?? 2000;
      else if (status === undefined || status >= 500) wait = 1000 * 2 ** (attempt - 1);
      if (wait === undefined) {
        const details = (errors?.graphQLErrors ?? []).map((error) => error.message).join('; ') || errors?.message || 'no orders in the answer';
        if (!errors) throw new PlatformAnswerError(`Shopify answered the orders query without orders: ${details}`);
        throw new PlatformRequestError(`Shopify refused the orders query${status ? ` (HTTP ${status})` : ''}: ${details}`);
      }
      if (attempt >= attempts) throw new PlatformRequestError(`Shopify kept refusing the orders query (${throttled ? 'THROTTLED' : `HTTP ${status ?? 'no answer'}`}) after ${attempts} attempts`);
      await sleep(wait);
    }
  }

  private client(token: string): AdminApiClient {
    const origin = this.options.apiOrigin;
    return createAdminApiClient({
      storeDomain: this.options.storeDomain,
      apiVersion: this.options.apiVersion,
      accessToken: token,
      // The client always speaks https to the store's domain; a local stand-in answers elsewhere.
      ...(origin ? { customFetchApi: (url: string, init?: RequestInit) => fetch(new URL(new URL(url).pathname, origin), init) } : {}),
    });
  }
}

/** How long until the bucket holds what the query asks for (Shopify's calculated query cost). */
export function bucketWait(cost: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } | undefined): number {
  const requested = cost?.requestedQueryCost ?? 0;
  const available = cost?.throttleStatus?.currentlyAvailable ?? 0;
  const rate = cost?.throttleStatus?.restoreRate ?? 50;
  return Math.max(250, Math.ceil(((requested - available) / Math.max(rate, 1)) * 1000));
}

/** Retry-After in seconds (or an HTTP date), as milliseconds. */
export function retryAfter(response: Response | undefined): number | undefined {
  const value = response?.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
