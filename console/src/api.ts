/**
 * The HTTP API, as the console calls it: the same routes as every other client, with the admin
 * token, or with a Cognito login its access token, as a bearer token. The token lives in
 * sessionStorage (gone with the tab). The API is on the console's own origin unless config.json
 * beside index.html names another.
 */
import type { ConsoleConfig } from './config.ts';

export type * from './api-types.ts';

const TOKEN_KEY = 'comeback.console.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

let loaded: Promise<ConsoleConfig> | undefined;

/** config.json beside index.html, read once; none means the API on this origin and the admin token. */
export function consoleConfig(): Promise<ConsoleConfig> {
  loaded ??= fetch('./config.json')
    .then(async (answer) => (answer.ok ? ((await answer.json()) as ConsoleConfig) : {}))
    .catch(() => ({}));
  return loaded;
}

async function base(): Promise<string> {
  return ((await consoleConfig()).apiUrl ?? '').replace(/\/$/, '');
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Listeners told when the API refuses the token (the console shows the login again). */
const unauthorized = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorized.add(listener);
  return () => unauthorized.delete(listener);
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, token = session.token()): Promise<T> {
  const answer = await fetch(`${await base()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!answer.ok) {
    const problem = (parsed ?? {}) as { title?: string; detail?: string };
    if (answer.status === 401) unauthorized.forEach((listener) => listener());
    throw new ApiError(answer.status, problem.title ?? answer.statusText, problem.detail ?? '');
  }
  return parsed as T;
}
