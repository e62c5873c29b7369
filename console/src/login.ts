/**
 * Login through a Cognito user pool's managed login pages (the deployed console): the authorization
 * code flow with PKCE (RFC 7636, S256 through crypto.subtle). The verifier and state wait in
 * sessionStorage while the person is on the login pages; the code that comes back is exchanged at
 * the domain's /oauth2/token, and the access token is what the API is called with.
 */
import type { CognitoLogin } from './config.ts';

const PENDING_KEY = 'comeback.console.login';
const ID_TOKEN_KEY = 'comeback.console.idToken';

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The console's address, where Cognito sends people back. */
export function redirectUri(login: CognitoLogin): string {
  return login.redirectUri ?? `${location.origin}${location.pathname}`;
}

/** Sends the person to the managed login pages. */
export async function startLogin(login: CognitoLogin): Promise<void> {
  const verifier = randomText();
  const state = randomText();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: login.clientId,
    redirect_uri: redirectUri(login),
    scope: 'openid email',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${login.domain.replace(/\/$/, '')}/oauth2/authorize?${query}`);
}

/**
 * When the page is Cognito sending the person back (`?code=&state=`), exchanges the code and gives
 * the access token; undefined when it is not. The code and state leave the address either way.
 */
export async function finishLogin(login: CognitoLogin): Promise<string | undefined> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const error = query.get('error');
  if (!code && !error) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING_KEY);
  if (error) throw new Error(`the login was not completed: ${query.get('error_description') ?? error}`);
  if (!pending || pending.state !== query.get('state')) throw new Error('the login answer does not belong to this tab; log in again');
  const answer = await fetch(`${login.domain.replace(/\/$/, '')}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: login.clientId, code: code!, redirect_uri: redirectUri(login), code_verifier: pending.verifier }),
  });
  if (!answer.ok) throw new Error(`the login could not be completed (${answer.status})`);
  const tokens = (await answer.json()) as { access_token: string; id_token?: string };
  if (tokens.id_token) sessionStorage.setItem(ID_TOKEN_KEY, tokens.id_token);
  return tokens.access_token;
}

/** Forgets the tokens and signs out of the managed login pages, which send the person back. */
export function logout(login: CognitoLogin): void {
  sessionStorage.removeItem(ID_TOKEN_KEY);
  location.assign(`${login.domain.replace(/\/$/, '')}/logout?${new URLSearchParams({ client_id: login.clientId, logout_uri: redirectUri(login) })}`);
}

/** The groups an access token names (`cognito:groups`); read only to choose the pages shown, the API decides. */
export function groupsOf(token: string): string[] {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const groups = payload['cognito:groups'];
    return Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [];
  } catch {
    return [];
  }
}
