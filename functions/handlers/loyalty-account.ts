/**
 * GET /v1/loyalty/{customerId}: the customer's tier, balance, progress to the next tier and benefits
 * (as data: discountPercent, freeShipping, prioritySupport), for the storefront to apply and show.
 * The storefront signs it like its webhooks (Comeback-Signature over `GET <path>`,
 * COMEBACK_WEBHOOK_SECRET): it already holds the webhook secret, and a signature opens one
 * customer's account for five minutes, where the admin token would open every admin route to
 * whoever runs the storefront. An admin (a manager's console, a script) reads it with the admin
 * token instead: a request with an Authorization header is judged by the token alone.
 */
import middy from '@middy/core';
import { loyaltyViewPorts } from '../adapters/loyalty-view-ports.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { requestSigningPayload } from '../core/loyalty/auth.ts';
import { loyaltyView } from '../core/loyalty/use-cases.ts';
import { verifyComebackSignature } from '../core/signature.ts';
import { header, json, nowSeconds, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCallerWithoutAuthorizer } from './admin-without-authorizer.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ports = loyaltyViewPorts();

export async function getLoyaltyAccount(event: HttpEvent): Promise<HttpResult> {
  if (header(event, 'authorization') !== undefined) {
    await requireAdminCallerWithoutAuthorizer(event);
  } else {
    // The signature's freshness is the storefront's wall clock, as for the purchase webhook.
    verifyComebackSignature(header(event, 'comeback-signature'), requestSigningPayload('GET', event.rawPath), await resolveSecret(webhookSecret), nowSeconds());
  }
  return json(200, await loyaltyView(ports, pathParameter(event, 'customerId')));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(getLoyaltyAccount);
