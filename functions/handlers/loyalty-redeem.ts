/**
 * POST /v1/loyalty/{customerId}/redeem: the storefront redeems points for a discount on an order,
 * `{ redemptionId, points, orderTotal, currency, orderId? }`, signed like a purchase (Comeback-Signature,
 * COMEBACK_WEBHOOK_SECRET). 200 with the confirmation as the body and its own Comeback-Signature header
 * (signed with the first COMEBACK_WEBHOOK_SECRET value, t = the redemption time) for the checkout to
 * verify; the same redemptionId again gets the same body and header (Comeback-Redemption: duplicate).
 * A refusal is a 422 problem with a `code`: insufficient-points, over-cap, wrong-currency, and the
 * figures (`balance`, `maxPoints`) to offer what is possible instead.
 */
import middy from '@middy/core';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { signConfirmation } from '../core/loyalty/auth.ts';
import { parseRedemption, redeemPoints } from '../core/loyalty/use-cases.ts';
import { verifyComebackSignature } from '../core/signature.ts';
import { header, jsonBody, nowSeconds, pathParameter, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const webhookSecret = secretReference(readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET')), 'COMEBACK_WEBHOOK_SECRET');
const ports = loyaltyPorts();

export async function redeemLoyaltyPoints(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  const secrets = await resolveSecret(webhookSecret);
  verifyComebackSignature(header(event, 'comeback-signature'), raw, secrets, nowSeconds());
  const request = parseRedemption(jsonBody(event, raw), pathParameter(event, 'customerId'));
  // A refusal (RedemptionRefused) is a 422 problem from the shared edge, with its code and figures.
  const { status, confirmation, body } = await redeemPoints(ports, request);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/json',
      'comeback-signature': signConfirmation(secrets[0] ?? '', body, confirmation.redeemedAt),
      'comeback-redemption': status,
    },
    body,
  };
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(redeemLoyaltyPoints);
