/**
 * A small stand-in for a Cognito user pool's login endpoints, answering as Cognito's documentation
 * describes them, for tests that log in the way the console does on AWS:
 * - GET /oauth2/authorize (response_type=code, client_id, redirect_uri, state, code_challenge with
 *   code_challenge_method=S256): a sign-in form; its POST redirects to redirect_uri with `code` and
 *   `state` for a known user and password;
 * - POST /oauth2/token (application/x-www-form-urlencoded, grant_type=authorization_code, client_id,
 *   code, redirect_uri, code_verifier): `{ access_token, id_token, token_type: 'Bearer', expires_in }`
 *   once the verifier's SHA-256 matches the challenge, with CORS for the console's origin;
 * - GET /logout (client_id, logout_uri): redirects to logout_uri;
 * - GET /<pool id>/.well-known/jwks.json: the public key the tokens are signed with, under the issuer
 *   `<url>/<pool id>`, as https://cognito-idp.<region>.amazonaws.com/<pool id> is on AWS.
 * Access tokens carry Cognito's claims: sub, cognito:groups, iss, client_id, token_use=access, scope,
 * auth_time, iat, exp, jti, username.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface FakeUser {
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
}

export interface FakeCognito {
  /** The login domain: https://<prefix>.auth.<region>.amazoncognito.com on AWS. */
  url: string;
  /** The issuer of the tokens: https://cognito-idp.<region>.amazonaws.com/<pool id> on AWS. */
  issuer: string;
  clientId: string;
  /** An access token for `username`, as the token endpoint would issue it; `expiresIn` in seconds (negative: already expired). */
  accessToken(username: string, options?: { expiresIn?: number; clientId?: string }): Promise<string>;
  /** How many times the published keys were asked for. */
  keyRequests(): number;
  stop(): Promise<void>;
}

interface PendingCode {
  username: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
}

const POOL_ID = 'local_fakepool';

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export async function startFakeCognito(options: { clientId: string; redirectUris: readonly string[]; users: readonly FakeUser[] }): Promise<FakeCognito> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, PendingCode>();
  const state: { url: string; issuer: string } = { url: '', issuer: '' };
  let keyRequests = 0;

  const sign = (claims: Record<string, unknown>, key: CryptoKey, expiresIn: number) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(state.issuer).setIssuedAt(now).setExpirationTime(now + expiresIn).setJti(randomUUID()).sign(key);
  };
  const accessToken = async (username: string, tokenOptions: { expiresIn?: number; clientId?: string } = {}) => {
    const user = options.users.find((candidate) => candidate.username === username);
    if (!user) throw new Error(`no user ${username}`);
    return sign(
      {
        sub: `sub-${username}`,
        'cognito:groups': user.groups,
        client_id: tokenOptions.clientId ?? options.clientId,
        token_use: 'access',
        scope: 'openid email',
        auth_time: Math.floor(Date.now() / 1000),
        username,
      },
      privateKey,
      tokenOptions.expiresIn ?? 3600,
    );
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', state.url);
      if (request.method === 'GET' && url.pathname === `/${POOL_ID}/.well-known/jwks.json`) {
        keyRequests += 1;
        return send(response, 200, JSON.stringify({ keys: [jwk] }));
      }
      if (request.method === 'GET' && url.pathname === '/oauth2/authorize') {
        const query = url.searchParams;
        if (query.get('response_type') !== 'code' || query.get('client_id') !== options.clientId || !options.redirectUris.includes(query.get('redirect_uri') ?? '')) {
          return send(response, 400, JSON.stringify({ error: 'invalid_request' }));
        }
        if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) return send(response, 400, JSON.stringify({ error: 'invalid_request', error_description: 'PKCE with S256 is required' }));
        const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge'].map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? '')}">`).join('');
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          `<!doctype html><html lang="en"><title>Sign in</title><form method="post" action="/login">${hidden}<label for="username">Email</label><input id="username" name="username"><label for="password">Password</label><input id="password" name="password" type="password"><button type="submit">Sign in</button></form></html>`,
        );
        return;
      }
      if (request.method === 'POST' && url.pathname === '/login') {
        const form = await formOf(request);
        const user = options.users.find((candidate) => candidate.username === form.get('username') && candidate.password === form.get('password'));
        if (!user) return send(response, 401, JSON.stringify({ error: 'Incorrect username or password.' }));
        const code = randomUUID();
        codes.set(code, { username: user.username, clientId: form.get('client_id') ?? '', redirectUri: form.get('redirect_uri') ?? '', challenge: form.get('code_challenge') ?? '' });
        const back = new URL(form.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        if (form.get('state')) back.searchParams.set('state', form.get('state')!);
        response.writeHead(302, { location: back.href });
        response.end();
        return;
      }
      if (request.method === 'POST' && url.pathname === '/oauth2/token') {
        const cors = { 'access-control-allow-origin': request.headers.origin ?? '*' };
        const form = await formOf(request);
        const pending = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (form.get('grant_type') !== 'authorization_code' || !pending || pending.clientId !== form.get('client_id') || pending.redirectUri !== form.get('redirect_uri') || pending.challenge !== challenge) {
          return send(response, 400, JSON.stringify({ error: 'invalid_grant' }), cors);
        }
        const idToken = await sign({ sub: `sub-${pending.username}`, aud: options.clientId, token_use: 'id', email: pending.username, 'cognito:groups': options.users.find((user) => user.username === pending.username)?.groups ?? [] }, privateKey, 3600);
        return send(response, 200, JSON.stringify({ access_token: await accessToken(pending.username), id_token: idToken, token_type: 'Bearer', expires_in: 3600 }), cors);
      }
      if (request.method === 'GET' && url.pathname === '/logout') {
        const target = url.searchParams.get('logout_uri') ?? '';
        if (url.searchParams.get('client_id') !== options.clientId || !options.redirectUris.includes(target)) return send(response, 400, JSON.stringify({ error: 'invalid_request' }));
        response.writeHead(302, { location: target });
        response.end();
        return;
      }
      send(response, 404, JSON.stringify({ error: 'not_found' }));
    })().catch((error: unknown) => send(response, 500, JSON.stringify({ error: (error as Error).message })));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.issuer = `${state.url}/${POOL_ID}`;
  return {
    url: state.url,
    issuer: state.issuer,
    clientId: options.clientId,
    accessToken,
    keyRequests: () => keyRequests,
    stop: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}
