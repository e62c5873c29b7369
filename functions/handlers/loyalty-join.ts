/**
 * POST /v1/loyalty/{customerId}/join: the storefront joins the customer to the loyalty program (her
 * "join" button on the shop's own pages), with no body. Authenticated as GET /v1/loyalty/{customerId}
 * is: the storefront signs `POST <path as requested>` with Comeback-Signature (COMEBACK_WEBHOOK_SECRET,
 * five minutes, one customer), or an admin sends the admin token. 200 with the account as
 * GET /v1/loyalty/{customerId} shows it; joining again changes nothing and answers the same.
 */
import middy from '@middy/core';
import { loyaltyViewPorts } from '../adapters/loyalty-view-ports.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { requestSigningPayload } from '../core/loyalty/auth.ts';
import { joinLoyalty, loyaltyView } from '../core/loyalty/use-cases.ts';
import { verifyComebackSignature } from '../core/signature.ts';
import { header, json, nowSeconds, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCallerWithoutAuthorizer } from './admin-without-authorizer.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ports = loyaltyViewPorts();

export async function joinLoyaltyProgram(event: HttpEvent): Promise<HttpResult> {
  if (header(event, 'authorization') !== undefined) {
    await requireAdminCallerWithoutAuthorizer(event);
  } else {
    // Bodiless: the signature covers the method and the path, so it opens one customer's membership only.
    verifyComebackSignature(header(event, 'comeback-signature'), requestSigningPayload('POST', event.rawPath), await resolveSecret(webhookSecret), nowSeconds());
  }
  const customerId = pathParameter(event, 'customerId');
  await joinLoyalty(ports, customerId, 'storefront');
  return json(200, await loyaltyView(ports, customerId));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(joinLoyaltyProgram);
