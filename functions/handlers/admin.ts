/**
 * The admin check every admin route makes first, by how admins log in (COMEBACK_ADMIN_LOGIN,
 * functions/config.ts). With the admin token, the bearer token must be it. With Cognito, the
 * caller's claims come from API Gateway's JWT authorizer (requestContext.authorizer.jwt.claims) or,
 * on a route without the authorizer, from the bearer token verified by ./admin-without-authorizer.ts;
 * then the caller's groups must be allowed on the route (functions/core/admin-access.ts): 401
 * without claims, 403 for a group that may not call it.
 */
import { resolveSecret } from '../adapters/secrets.ts';
import { adminLoginEnv, readConfig, secretEnv, secretReference } from '../config.ts';
import { groupsOfClaim, mayCall } from '../core/admin-access.ts';
import { ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { requireAdmin, type HttpEvent } from './http.ts';

/** How admins log in, read once for this module and ./admin-without-authorizer.ts. */
export const adminLogin = readConfig(adminLoginEnv);
const adminToken = adminLogin.COMEBACK_ADMIN_LOGIN === 'token' ? secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN') : undefined;

/** The claims API Gateway's JWT authorizer verified, if it ran. */
function authorizerClaims(event: HttpEvent): Record<string, unknown> | undefined {
  const context = event.requestContext as HttpEvent['requestContext'] & { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  return context.authorizer?.jwt?.claims;
}

/** The claims of the request's own access token, verified as the authorizer would, on a route without one. */
export type VerifiedClaims = (event: HttpEvent) => Promise<Record<string, unknown>>;

/**
 * Throws UnauthorizedError (401) or ForbiddenError (403) unless the caller may call this admin route.
 * Without `verifiedClaims` (every route behind the authorizer: lib/routes.ts adminOnly), a request
 * the authorizer did not pass claims with is refused, and no token is verified here.
 */
export async function requireAdminCaller(event: HttpEvent, verifiedClaims?: VerifiedClaims): Promise<void> {
  if (adminToken) {
    requireAdmin(event, await resolveSecret(adminToken));
    return;
  }
  const claims = authorizerClaims(event) ?? (verifiedClaims ? await verifiedClaims(event) : undefined);
  if (!claims) throw new UnauthorizedError('this route needs a Cognito access token: Authorization: Bearer <access token>');
  const groups = groupsOfClaim(claims['cognito:groups']);
  if (!mayCall(event.routeKey, groups)) {
    throw new ForbiddenError(`${event.routeKey} is not open to ${groups.length > 0 ? `the groups ${groups.join(', ')}` : 'a user in no group'}`);
  }
}
