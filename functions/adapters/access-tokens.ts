/**
 * Cognito access tokens, verified as API Gateway's JWT authorizer verifies them: the signature
 * against the issuer's published keys (`<issuer>/.well-known/jwks.json`, fetched once and cached by
 * jose), the issuer, the audience (`aud`, or `client_id`, which is what Cognito's access tokens
 * carry) and the expiry and not-before times. Used by the routes the storefront also signs (they
 * have no authorizer) and by the local host, which stands in for the authorizer.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthorizedError } from '../core/errors.ts';

export interface AccessTokenSettings {
  /** The user pool's issuer URL: https://cognito-idp.<region>.amazonaws.com/<pool id>. */
  readonly issuer: string;
  /** The app client the token must have been issued to. */
  readonly clientId: string;
}

export class AccessTokenVerifier {
  /**
   * Built at the first token, then kept with its cache: building it reads `navigator`, which loads
   * Node.js's fetch (undici), 22 ms of a cold start in a profile of the loyalty account's function,
   * whose calls the storefront signs without a token.
   */
  private keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly settings: AccessTokenSettings;

  constructor(settings: AccessTokenSettings) {
    this.settings = settings;
  }

  /** The token's claims when it is valid; UnauthorizedError with the reason otherwise. */
  async verify(token: string | undefined): Promise<JWTPayload> {
    if (!token) throw new UnauthorizedError('this route needs a Cognito access token: Authorization: Bearer <access token>');
    this.keys ??= createRemoteJWKSet(new URL(`${this.settings.issuer.replace(/\/$/, '')}/.well-known/jwks.json`));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, { issuer: this.settings.issuer }));
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new UnauthorizedError(`the access token is not valid: ${error.code}`, { cause: error });
      throw error;
    }
    const audiences = [payload.aud ?? [], payload['client_id'] ?? []].flat();
    if (!audiences.includes(this.settings.clientId)) throw new UnauthorizedError('the access token was issued to another app client');
    return payload;
  }
}

/** The bearer token of an Authorization header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}
