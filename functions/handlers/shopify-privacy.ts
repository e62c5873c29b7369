/**
 * POST /v1/webhooks/shopify/privacy: Shopify's mandatory privacy webhooks customers/data_request,
 * customers/redact and shop/redact (X-Shopify-Topic), signed with X-Shopify-Hmac-Sha256 like the
 * order webhook; a wrong signature is a 401. What each does: core/privacy/shopify-privacy.ts.
 */
import middy from '@middy/core';
import { now } from '../adapters/clock.ts';
import { DynamoCustomerData } from '../adapters/customer-data.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoIdentityDirectory } from '../adapters/identity-directory.ts';
import { DynamoPrivacyRequests } from '../adapters/privacy-requests.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { journeyLauncher } from '../adapters/step-functions.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { handleShopifyPrivacy, parsePrivacyTopic } from '../core/privacy/shopify-privacy.ts';
import { verifyPlatformSignature } from '../core/signature.ts';
import { header, json, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const shopifySecret = secretReference(readConfig(secretEnv('COMEBACK_SHOPIFY_SECRET')), 'COMEBACK_SHOPIFY_SECRET');
const ports = {
  data: new DynamoCustomerData(documentClient, tableName),
  executions: journeyLauncher(),
  identities: new DynamoIdentityDirectory(documentClient, tableName),
  requests: new DynamoPrivacyRequests(documentClient, tableName),
  now,
};

export async function shopifyPrivacy(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  verifyPlatformSignature(header(event, 'x-shopify-hmac-sha256'), 'X-Shopify-Hmac-Sha256', raw, await resolveSecret(shopifySecret));
  const topic = parsePrivacyTopic(header(event, 'x-shopify-topic'));
  const webhookId = header(event, 'x-shopify-webhook-id');
  return json(200, await handleShopifyPrivacy(ports, topic, jsonBody(event, raw), webhookId));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(shopifyPrivacy);
