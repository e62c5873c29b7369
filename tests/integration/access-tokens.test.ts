/**
 * Cognito access tokens verified as API Gateway's JWT authorizer verifies them
 * (functions/adapters/access-tokens.ts), against the keys a user pool publishes (here the fake of
 * tests/support/fake-cognito.ts): signature, issuer, app client, expiry.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenVerifier, bearerToken } from '../../functions/adapters/access-tokens.ts';
import { UnauthorizedError } from '../../functions/core/errors.ts';
import { startFakeCognito, type FakeCognito } from '../support/fake-cognito.ts';

let cognito: FakeCognito;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  cognito = await startFakeCognito({ clientId: 'console-client', redirectUris: [], users: [{ username: 'mia@shop.test', password: 'x', groups: ['managers'] }] });
  verifier = new AccessTokenVerifier({ issuer: cognito.issuer, clientId: cognito.clientId });
});

afterAll(() => cognito.stop());

describe('Cognito access tokens', () => {
  it('gives the claims of a valid token, groups included', async () => {
    const claims = await verifier.verify(await cognito.accessToken('mia@shop.test'));
    expect(claims).toMatchObject({ iss: cognito.issuer, client_id: 'console-client', token_use: 'access', 'cognito:groups': ['managers'], username: 'mia@shop.test' });
  });

  it.each([
    ['no token', async () => undefined, /needs a Cognito access token/],
    ['an expired token', async () => cognito.accessToken('mia@shop.test', { expiresIn: -60 }), /ERR_JWT_EXPIRED/],
    ['a token of another app client', async () => cognito.accessToken('mia@shop.test', { clientId: 'another-client' }), /another app client/],
    ['a token that is not a JWT', async () => 'not-a-token', /not valid/],
  ])('refuses %s', async (_name, token, message) => {
    await expect(verifier.verify(await token())).rejects.toThrow(UnauthorizedError);
    await expect(verifier.verify(await token())).rejects.toThrow(message);
  });

  it('refuses a token signed with another key under the same key id and issuer', async () => {
    const genuine = await cognito.accessToken('mia@shop.test');
    const header = JSON.parse(Buffer.from(genuine.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ client_id: 'console-client', 'cognito:groups': ['owners'] }).setProtectedHeader({ alg: 'RS256', kid: header.kid }).setIssuer(cognito.issuer).setExpirationTime('1h').sign(privateKey);
    await expect(verifier.verify(forged)).rejects.toThrow(/ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it('asks for the published keys at the first token, not before, and keeps them for the next', async () => {
    const before = cognito.keyRequests();
    const fresh = new AccessTokenVerifier({ issuer: cognito.issuer, clientId: cognito.clientId });
    expect(cognito.keyRequests()).toBe(before);
    await fresh.verify(await cognito.accessToken('mia@shop.test'));
    await fresh.verify(await cognito.accessToken('mia@shop.test'));
    expect(cognito.keyRequests()).toBe(before + 1);
  });

  it('reads the bearer token of an Authorization header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
