/** POST /v1/webhooks/woocommerce/orders: WooCommerce's order webhook, signed with X-WC-Webhook-Signature. */
import middy from '@middy/core';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { journeyPorts } from '../adapters/journey-ports.ts';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { reactToPurchase } from '../core/journey-engine.ts';
import { onPurchaseRecorded } from '../core/loyalty/use-cases.ts';
import { isWooCommercePing, wooCommerceOrderToPurchase } from '../core/platforms/woocommerce.ts';
import { parsePurchase } from '../core/purchase.ts';
import { verifyPlatformSignature } from '../core/signature.ts';
import { accepted, header, json, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const wooCommerceSecret = secretReference(readConfig(secretEnv('COMEBACK_WOOCOMMERCE_SECRET')), 'COMEBACK_WOOCOMMERCE_SECRET');
const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const journeys = journeyPorts();
const loyalty = loyaltyPorts();

export async function recordWooCommerceOrder(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  // WooCommerce checks a new webhook with an unsigned form-encoded ping and wants a 200 back.
  if (isWooCommercePing(raw)) return json(200, { status: 'pong' });
  verifyPlatformSignature(header(event, 'x-wc-webhook-signature'), 'X-WC-Webhook-Signature', raw, await resolveSecret(wooCommerceSecret));
  const purchase = parsePurchase(wooCommerceOrderToPurchase(jsonBody(event, raw)));
  const deliveryId = header(event, 'x-wc-webhook-delivery-id');
  const status = await ledger.recordPurchase(purchase, { source: 'woocommerce', ...(deliveryId ? { deliveryId } : {}) });
  // Also on a duplicate: a delivery retried after a failure here must still reach journeys and points.
  await reactToPurchase(journeys, purchase);
  await onPurchaseRecorded(loyalty, purchase);
  return accepted({ orderId: purchase.orderId, customerId: purchase.customer.id, status });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordWooCommerceOrder);
