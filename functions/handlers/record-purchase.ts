/** POST /v1/purchases: the generic, Stripe-style signed purchase webhook. */
import middy from '@middy/core';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { parsePurchase } from '../core/purchase.ts';
import { verifyComebackSignature } from '../core/signature.ts';
import { accepted, header, jsonBody, nowSeconds, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ledger = new DynamoPurchaseLedger(documentClient, tableName);

export async function recordPurchase(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  verifyComebackSignature(header(event, 'comeback-signature'), raw, await resolveSecret(webhookSecret), nowSeconds());
  const purchase = parsePurchase(jsonBody(event, raw));
  // One transaction, then the answer: journeys and points react to it from the table's stream.
  const status = await ledger.recordPurchase(purchase, { source: 'comeback' });
  return accepted({ orderId: purchase.orderId, customerId: purchase.customer.id, status });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordPurchase);
