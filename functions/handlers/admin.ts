/**
 * The admin check every admin route makes first, by how admins log in (COMEBACK_ADMIN_LOGIN,
 * functions/config.ts). With the admin token, the bearer token must be it. With Cognito, the
 * caller's claims come from API Gateway's JWT authorizer (requestContext.authorizer.jwt.claims) or,
 * on a route without the authorizer, from the bearer token verified here; then the caller's groups
 * must be allowed on the route (functions/core/admin-access.ts): 401 without claims, 403 for a
 * group that may not call it.
 */
import { AccessTokenVerifier, bearerToken } from '../adapters/access-tokens.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { adminLoginEnv, readConfig, secretEnv, secretReference } from '../config.ts';
import { groupsOfClaim, mayCall } from '../core/admin-access.ts';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { header, requireAdmin, type HttpEvent } from './http.ts';

const login = readConfig(adminLoginEnv);
const adminToken = login.COMEBACK_ADMIN_LOGIN === 'token' ? secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN') : undefined;
const verifier =
  login.COMEBACK_COGNITO_ISSUER !== undefined && login.COMEBACK_COGNITO_CLIENT_ID !== undefined
    ? new AccessTokenVerifier({ issuer: login.COMEBACK_COGNITO_ISSUER, clientId: login.COMEBACK_COGNITO_CLIENT_ID })
    : undefined;

/** The claims API Gateway's JWT authorizer verified, if it ran. */
function authorizerClaims(event: HttpEvent): Record<string, unknown> | undefined {
  const context = event.requestContext as HttpEvent['requestContext'] & { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  return context.authorizer?.jwt?.claims;
}

/** Throws UnauthorizedError (401) or ForbiddenError (403) unless the caller may call this admin route. */
export async function requireAdminCaller(event: HttpEvent): Promise<void> {
  if (adminToken) {
    requireAdmin(event, await resolveSecret(adminToken));
    return;
  }
  const claims = authorizerClaims(event) ?? (verifier ? await verifier.verify(bearerToken(header(event, 'authorization'))) : undefined);
  if (!claims) throw new UnauthorizedError('this route needs a Cognito access token: Authorization: Bearer <access token>');
  const groups = groupsOfClaim(claims['cognito:groups']);
  if (!mayCall(event.routeKey, groups)) {
    throw new ForbiddenError(`${event.routeKey} is not open to ${groups.length > 0 ? `the groups ${groups.join(', ')}` : 'a user in no group'}`);
  }
}
