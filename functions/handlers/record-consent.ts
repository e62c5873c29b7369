/**
 * PUT /v1/customers/{id}/consent: marketing consent the customer gave (or withdrew) on the store's
 * own site, `{ email?, sms?, source, givenAt? }`, signed by the storefront like its webhooks
 * (Comeback-Signature over the raw body, COMEBACK_WEBHOOK_SECRET). WooCommerce records no consent,
 * so this is how a WooCommerce store's newsletter box reaches Comeback. 404 for a customer without
 * an order yet: post it after the order.
 */
import middy from '@middy/core';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { parseConsentStatement } from '../core/consent.ts';
import { NotFoundError } from '../core/errors.ts';
import { header, json, jsonBody, nowSeconds, pathParameter, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { verifyComebackSignature } from '../core/signature.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ledger = new DynamoPurchaseLedger(documentClient, tableName);

export async function recordConsent(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  verifyComebackSignature(header(event, 'comeback-signature'), raw, await resolveSecret(webhookSecret), nowSeconds());
  const customerId = pathParameter(event, 'id');
  const statement = parseConsentStatement(jsonBody(event, raw), now());
  const profile = await ledger.recordConsent(customerId, statement);
  if (!profile) throw new NotFoundError(`customer ${customerId} has no order yet; post their consent after their first order`);
  return json(200, { customerId, consent: profile.consent, consentAsOf: profile.consentAsOf, consentSource: profile.consentSource ?? {} });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordConsent);
