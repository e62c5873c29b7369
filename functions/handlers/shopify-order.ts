/** POST /v1/webhooks/shopify/orders: Shopify's own order webhook, signed with X-Shopify-Hmac-Sha256. */
import middy from '@middy/core';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { journeyPorts } from '../adapters/journey-ports.ts';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { reactToPurchase } from '../core/journey-engine.ts';
import { onPurchaseRecorded } from '../core/loyalty/use-cases.ts';
import { shopifyOrderToPurchase } from '../core/platforms/shopify.ts';
import { parsePurchase } from '../core/purchase.ts';
import { verifyPlatformSignature } from '../core/signature.ts';
import { accepted, header, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const shopifySecret = secretReference(readConfig(secretEnv('COMEBACK_SHOPIFY_SECRET')), 'COMEBACK_SHOPIFY_SECRET');
const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const journeys = journeyPorts();
const loyalty = loyaltyPorts();

export async function recordShopifyOrder(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  verifyPlatformSignature(header(event, 'x-shopify-hmac-sha256'), 'X-Shopify-Hmac-Sha256', raw, await resolveSecret(shopifySecret));
  const purchase = parsePurchase(shopifyOrderToPurchase(jsonBody(event, raw)));
  const deliveryId = header(event, 'x-shopify-webhook-id');
  const status = await ledger.recordPurchase(purchase, { source: 'shopify', ...(deliveryId ? { deliveryId } : {}) });
  // Also on a duplicate: a delivery retried after a failure here must still reach journeys and points.
  await reactToPurchase(journeys, purchase);
  await onPurchaseRecorded(loyalty, purchase);
  return accepted({ orderId: purchase.orderId, customerId: purchase.customer.id, status });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordShopifyOrder);
