/**
 * POST /v1/webhooks/shopify/orders: Shopify's own webhooks, signed with X-Shopify-Hmac-Sha256, for
 * the topics orders/create, orders/paid, orders/updated, orders/cancelled and refunds/create (named
 * by X-Shopify-Topic). Only placed and paid orders count; cancellations and refunds reverse them.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoIdentityDirectory } from '../adapters/identity-directory.ts';
import { orderLifecyclePorts, platformSettings } from '../adapters/order-lifecycle-ports.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { withCanonicalCustomers } from '../core/identity.ts';
import { applyOrderActions } from '../core/order-lifecycle.ts';
import { shopifyWebhookActions } from '../core/platforms/shopify.ts';
import { verifyPlatformSignature } from '../core/signature.ts';
import { header, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { platformAnswer } from './platform-answer.ts';

const shopifySecret = secretReference(readConfig(secretEnv('COMEBACK_SHOPIFY_SECRET')), 'COMEBACK_SHOPIFY_SECRET');
const settings = platformSettings();
const ports = orderLifecyclePorts();
const identities = new DynamoIdentityDirectory(documentClient, tableName);

export async function recordShopifyOrder(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  verifyPlatformSignature(header(event, 'x-shopify-hmac-sha256'), 'X-Shopify-Hmac-Sha256', raw, await resolveSecret(shopifySecret));
  // A guest and a registered customer with the same email are one customer (core/identity.ts).
  const actions = await withCanonicalCustomers(identities, shopifyWebhookActions(header(event, 'x-shopify-topic'), jsonBody(event, raw), settings));
  const deliveryId = header(event, 'x-shopify-webhook-id');
  return platformAnswer(await applyOrderActions(ports, actions, { source: 'shopify', ...(deliveryId ? { deliveryId } : {}) }));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordShopifyOrder);
