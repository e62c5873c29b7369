/**
 * GET /v1/loyalty/{customerId}: the customer's tier, balance, progress to the next tier and benefits,
 * for the storefront to show. Signed by the storefront like its webhooks (Comeback-Signature over
 * `GET <path>`, COMEBACK_WEBHOOK_SECRET), not with the admin token: the storefront already holds the
 * webhook secret, and a signature opens one customer's account for five minutes, where the admin token
 * would open every admin route (profiles, tasks, journeys) to whoever runs the storefront.
 */
import middy from '@middy/core';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { requestSigningPayload } from '../core/loyalty/auth.ts';
import { loyaltyView } from '../core/loyalty/use-cases.ts';
import { verifyComebackSignature } from '../core/signature.ts';
import { header, json, nowSeconds, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ports = loyaltyPorts();

export async function getLoyaltyAccount(event: HttpEvent): Promise<HttpResult> {
  // The signature's freshness is the storefront's wall clock, as for the purchase webhook.
  verifyComebackSignature(header(event, 'comeback-signature'), requestSigningPayload('GET', event.rawPath), await resolveSecret(webhookSecret), nowSeconds());
  return json(200, await loyaltyView(ports, pathParameter(event, 'customerId')));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(getLoyaltyAccount);
