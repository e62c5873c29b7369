/** POST /v1/purchases/{orderId}/refund: a signed refund against a recorded order. */
import middy from '@middy/core';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { NotFoundError } from '../core/errors.ts';
import { fingerprint, parseRefund } from '../core/purchase.ts';
import { verifyComebackSignature } from '../core/signature.ts';
import { header, json, jsonBody, nowSeconds, pathParameter, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ledger = new DynamoPurchaseLedger(documentClient, tableName);

export async function recordRefund(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  verifyComebackSignature(header(event, 'comeback-signature'), raw, await resolveSecret(webhookSecret), nowSeconds());
  const body = jsonBody(event, raw);
  const orderId = pathParameter(event, 'orderId');
  const order = await ledger.findOrder(orderId);
  if (!order) throw new NotFoundError(`order ${orderId} has not been recorded`);
  const refund = parseRefund(body, order.currency);
  const content = { amountMinor: refund.amountMinor, reason: refund.reason ?? null };
  // Without a refundId, the same refund body counts once: a storefront retry must not refund twice.
  const refundId = refund.refundId ?? `auto-${fingerprint(content).slice(0, 32)}`;
  const status = await ledger.recordRefund(order, {
    refundId,
    amountMinor: refund.amountMinor,
    ...(refund.reason ? { reason: refund.reason } : {}),
    fingerprint: fingerprint(content),
  });
  // The points the refund takes back follow from the table's stream.
  return json(202, { orderId, customerId: order.customerId, refundId, status });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordRefund);
