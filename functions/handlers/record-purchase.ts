/** POST /v1/purchases: the generic, Stripe-style signed purchase webhook. */
import middy from '@middy/core';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { journeyPorts } from '../adapters/journey-ports.ts';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { reactToPurchase } from '../core/journey-engine.ts';
import { onPurchaseRecorded } from '../core/loyalty/use-cases.ts';
import { parsePurchase } from '../core/purchase.ts';
import { verifyComebackSignature } from '../core/signature.ts';
import { accepted, header, jsonBody, nowSeconds, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const journeys = journeyPorts();
const loyalty = loyaltyPorts();

export async function recordPurchase(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  verifyComebackSignature(header(event, 'comeback-signature'), raw, await resolveSecret(webhookSecret), nowSeconds());
  const purchase = parsePurchase(jsonBody(event, raw));
  const status = await ledger.recordPurchase(purchase, { source: 'comeback' });
  // Also on a duplicate: a delivery retried after a failure here must still reach journeys and points.
  await reactToPurchase(journeys, purchase);
  await onPurchaseRecorded(loyalty, purchase);
  return accepted({ orderId: purchase.orderId, customerId: purchase.customer.id, status });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordPurchase);
