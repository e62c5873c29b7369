/**
 * The store's orders through the WooCommerce REST API: GET /wp-json/wc/v3/orders with
 * `modified_after` (orders created or changed since; `dates_are_gmt`), 100 a page, pages counted by
 * the X-WP-TotalPages header, HTTP Basic with the REST key's consumer key and secret (read access
 * is enough). The order resource is the webhook's, so each is read by wooCommerceWebhookActions.
 *
 * A 429 (a rate-limiting plugin or host) is retried after its Retry-After; a 5xx or no answer after
 * a growing pause; a 401 or 403 (bad key, no read access) stops the sync with WooCommerce's message.
 */
import type { PlatformSettings } from '../core/platforms/lifecycle.ts';
import { wooCommerceWebhookActions } from '../core/platforms/woocommerce.ts';
import { ComebackError } from '../core/errors.ts';
import { PlatformAnswerError, PlatformRequestError, type OrderPage, type OrderSource, type SyncedOrder } from '../core/sync/platform-sync.ts';
import { isSafeNumber, parse } from 'lossless-json';
import { retryAfter } from './shopify-orders.ts';

export interface WooCommerceOrdersOptions {
  /** The store's address. */
  url: string;
  credentials: () => Promise<{ key: string; secret: string }>;
  settings: PlatformSettings;
  /** @default 100, the most WooCommerce gives */
  pageSize?: number;
  /** @default 6 */
  attempts?: number;
  sleep?: (milliseconds: number) => Promise<void>;
}

const pause = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

export class WooCommerceOrders implements OrderSource {
  readonly platform = 'woocommerce' as const;
  private readonly options: WooCommerceOrdersOptions;

  constructor(options: WooCommerceOrdersOptions) {
    this.options = options;
  }

  async *orders(since: Date, from?: string): AsyncGenerator<OrderPage> {
    const { key, secret } = await this.options.credentials();
    const authorization = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
    // WooCommerce takes ISO 8601 without a zone; dates_are_gmt says it is UTC.
    const after = since.toISOString().slice(0, 19);
    const first = from !== undefined && /^\d{1,6}$/.test(from) ? Number(from) : 1;
    for (let page = Math.max(first, 1); ; page += 1) {
      const url = new URL('wp-json/wc/v3/orders', this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`);
      url.search = new URLSearchParams({ modified_after: after, dates_are_gmt: 'true', per_page: String(this.options.pageSize ?? 100), page: String(page), orderby: 'id', order: 'asc' }).toString();
      const { orders, totalPages } = await this.page(url, authorization);
      const last = orders.length === 0 || page >= totalPages;
      yield { orders: orders.map((order) => this.read(order)), ...(last ? {} : { next: String(page + 1) }) };
      if (last) return;
    }
  }

  private read(order: unknown): SyncedOrder {
    const id = typeof order === 'object' && order !== null ? (order as { id?: unknown }).id : undefined;
    const orderId = typeof id === 'string' || typeof id === 'number' ? String(id) : '(no id)';
    try {
      return { orderId, actions: wooCommerceWebhookActions(order, this.options.settings) };
    } catch (error) {
      if (error instanceof ComebackError) return { orderId, error: error.message };
      throw error;
    }
  }

  private async page(url: URL, authorization: string): Promise<{ orders: unknown[]; totalPages: number }> {
    const attempts = this.options.attempts ?? 6;
    const sleep = this.options.sleep ?? pause;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response | undefined;
      try {
        response = await fetch(url, { headers: { authorization, accept: 'application/json' } });
      } catch {
        response = undefined;
      }
      if (response?.ok) {
        let body: unknown;
        try {
          // Ids beyond 2^53 stay exact digits, as at the webhook's edge.
          body = parse(await response.text(), null, (text) => (isSafeNumber(text) ? Number(text) : text));
        } catch (error) {
          throw new PlatformAnswerError('WooCommerce answered GET /wp-json/wc/v3/orders with something other than JSON', { cause: error });
        }
        if (!Array.isArray(body)) throw new PlatformAnswerError('WooCommerce answered GET /wp-json/wc/v3/orders without a list of orders');
        const totalPages = Number(response.headers.get('x-wp-totalpages') ?? '1');
        return { orders: body, totalPages: Number.isFinite(totalPages) ? totalPages : 1 };
      }
      const status = response?.status;
      let wait: number | undefined;
      if (status === 429) wait = retryAfter(response) ?? 2000;
      else if (status === undefined || status >= 500) wait = 1000 * 2 ** (attempt - 1);
      if (wait === undefined) {
        const body = await response!.text();
        let message = body.slice(0, 300);
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          // not JSON: the text as it came
        }
        throw new PlatformRequestError(`WooCommerce refused GET /wp-json/wc/v3/orders (HTTP ${status}): ${message}`);
      }
      await response?.body?.cancel();
      if (attempt >= attempts) throw new PlatformRequestError(`WooCommerce kept refusing GET /wp-json/wc/v3/orders (HTTP ${status ?? 'no answer'}) after ${attempts} attempts`);
      await sleep(wait);
    }
  }
}
