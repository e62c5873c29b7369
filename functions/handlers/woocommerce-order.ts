/**
 * POST /v1/webhooks/woocommerce/orders: WooCommerce's order webhooks (order.created, order.updated),
 * signed with X-WC-Webhook-Signature. Only processing and completed orders count; an update to
 * cancelled or refunded reverses the order, and refunds listed on an order are given back.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoIdentityDirectory } from '../adapters/identity-directory.ts';
import { orderLifecyclePorts, platformSettings } from '../adapters/order-lifecycle-ports.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { withCanonicalCustomers } from '../core/identity.ts';
import { applyOrderActions } from '../core/order-lifecycle.ts';
import { isWooCommercePing, wooCommerceWebhookActions } from '../core/platforms/woocommerce.ts';
import { verifyPlatformSignature } from '../core/signature.ts';
import { header, json, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { platformAnswer } from './platform-answer.ts';

const wooCommerceSecret = secretReference(readConfig(secretEnv('COMEBACK_WOOCOMMERCE_SECRET')), 'COMEBACK_WOOCOMMERCE_SECRET');
const settings = platformSettings();
const ports = orderLifecyclePorts();
const identities = new DynamoIdentityDirectory(documentClient, tableName);

export async function recordWooCommerceOrder(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  // WooCommerce checks a new webhook with an unsigned form-encoded ping and wants a 200 back.
  if (isWooCommercePing(raw)) return json(200, { status: 'pong' });
  verifyPlatformSignature(header(event, 'x-wc-webhook-signature'), 'X-WC-Webhook-Signature', raw, await resolveSecret(wooCommerceSecret));
  // The status, not X-WC-Webhook-Topic, decides: every order topic carries the whole order as it is now.
  // A guest and a registered customer with the same email are one customer (core/identity.ts).
  const actions = await withCanonicalCustomers(identities, wooCommerceWebhookActions(jsonBody(event, raw), settings));
  const deliveryId = header(event, 'x-wc-webhook-delivery-id');
  return platformAnswer(await applyOrderActions(ports, actions, { source: 'woocommerce', ...(deliveryId ? { deliveryId } : {}) }));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordWooCommerceOrder);
