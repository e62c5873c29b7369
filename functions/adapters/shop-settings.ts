/**
 * The shop as customer-facing pages show it: its name and address. COMEBACK_SHOP_URL is the same
 * setting messages link to; COMEBACK_SHOP_NAME is optional, because the shop's host name
 * (`shop.example.com`) is a fair name for a store that has not set one.
 */
import * as z from '../core/zod.ts';
import { readConfig } from '../config.ts';
import { shopNameFromUrl, type ShopIdentity } from '../core/pages/html.ts';

export const shopEnv = z.object({
  COMEBACK_SHOP_URL: z.url({ protocol: /^https?$/ }),
  COMEBACK_SHOP_NAME: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
});

export function shopIdentity(): ShopIdentity {
  const config = readConfig(shopEnv);
  return { name: config.COMEBACK_SHOP_NAME ?? shopNameFromUrl(config.COMEBACK_SHOP_URL), url: config.COMEBACK_SHOP_URL };
}
