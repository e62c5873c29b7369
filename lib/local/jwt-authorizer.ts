/**
 * The local host's stand-in for API Gateway's JWT authorizer, for a host that logs admins in with a
 * Cognito user pool (or a stand-in for one): on the routes the CDK app puts behind the authorizer
 * (lib/routes.ts adminOnly), the bearer token must be an access token of the pool's issuer for the
 * console's client, verified as API Gateway verifies it (functions/adapters/access-tokens.ts);
 * otherwise the request is answered as API Gateway answers it, 401 {"message":"Unauthorized"}, and
 * no function runs. A valid token's claims reach the function in requestContext.authorizer.jwt, each
 * as a string the way API Gateway passes them (an array as `[a b]`).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AccessTokenVerifier, bearerToken, type AccessTokenSettings } from '../../functions/adapters/access-tokens.ts';
import { UnauthorizedError } from '../../functions/core/errors.ts';
import { adminOnly, type ApiRoute } from '../routes.ts';

/** A claim as API Gateway passes it to the function. */
function claimValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(String).join(' ')}]`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Authorizes the request for `route`: undefined to go on (claims added), or the answer that ends it. */
export type LocalAuthorizer = (route: ApiRoute, event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2 | undefined>;

export function jwtAuthorizer(settings: AccessTokenSettings): LocalAuthorizer {
  const verifier = new AccessTokenVerifier(settings);
  return async (route, event) => {
    if (!adminOnly(route)) return undefined;
    try {
      const claims = await verifier.verify(bearerToken(event.headers['authorization']));
      const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ') : null;
      Object.assign(event.requestContext, { authorizer: { jwt: { claims: Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, claimValue(value)])), scopes } } });
      return undefined;
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      return { statusCode: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, body: JSON.stringify({ message: 'Unauthorized' }) };
    }
  };
}
