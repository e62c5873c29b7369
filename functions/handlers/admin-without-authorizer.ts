/**
 * The admin check of a route the storefront signs as well (the loyalty account, joining): on AWS it
 * has no JWT authorizer, so signed calls reach it, and an admin's access token is verified here as
 * the authorizer verifies it (functions/adapters/access-tokens.ts), against COMEBACK_COGNITO_ISSUER
 * and COMEBACK_COGNITO_CLIENT_ID. Apart from ./admin.ts so that the routes behind the authorizer
 * do not carry the token verification (jose, 20 KiB of each of their bundles) they never run.
 */
import { AccessTokenVerifier, bearerToken } from '../adapters/access-tokens.ts';
import { adminLogin, requireAdminCaller } from './admin.ts';
import { header, type HttpEvent } from './http.ts';

const verifier =
  adminLogin.COMEBACK_COGNITO_ISSUER !== undefined && adminLogin.COMEBACK_COGNITO_CLIENT_ID !== undefined
    ? new AccessTokenVerifier({ issuer: adminLogin.COMEBACK_COGNITO_ISSUER, clientId: adminLogin.COMEBACK_COGNITO_CLIENT_ID })
    : undefined;

/** requireAdminCaller, with the caller's own access token verified when no authorizer passed claims. */
export function requireAdminCallerWithoutAuthorizer(event: HttpEvent): Promise<void> {
  return requireAdminCaller(event, verifier ? (request) => verifier.verify(bearerToken(header(request, 'authorization'))) : undefined);
}
