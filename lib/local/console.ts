/**
 * The console on the local host: built at its first request (console/build.ts, in memory) and served at
 * `/console/`, on the same origin as the API it calls, so no CORS and no second server.
 */
import { buildConsole, contentSecurityPolicy, type ConsoleConfig, type ConsoleFile } from '../../console/build.ts';
import type { StaticAnswer } from './host.ts';

export const CONSOLE_PATH = '/console/';


/**
 * Answers the console's paths from the files `build` gives, and config.json from `config` when the
 * console logs in with Cognito; anything else is left to the host's 404. The console is built at its
 * first request, not at the host's start: a host nobody opens the console on never spends the second
 * of CPU the build takes.
 */
export function consolePages(build: () => readonly ConsoleFile[] = buildConsole, config?: ConsoleConfig): (pathname: string) => StaticAnswer | undefined {
  let byPath: Map<string, ConsoleFile> | undefined;
  const served = () => {
    if (!byPath) {
      const files = build();
      byPath = new Map((config ? [...files, { path: 'config.json', contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify(config)) }] : files).map((file) => [file.path, file]));
    }
    return byPath;
  };
  const policy = contentSecurityPolicy(config?.login ? new URL(config.login.domain).origin : undefined);
  return (pathname) => {
    if (pathname === CONSOLE_PATH.slice(0, -1)) return { status: 308, headers: { location: CONSOLE_PATH }, body: '' };
    if (!pathname.startsWith(CONSOLE_PATH)) return undefined;
    const file = served().get(pathname.slice(CONSOLE_PATH.length) || 'index.html');
    if (!file) return undefined;
    const immutable = file.path.startsWith('assets/');
    const headers: Record<string, string> = {
      'content-type': file.contentType,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (file.path === 'index.html') headers['content-security-policy'] = policy;
    return { status: 200, headers, body: file.body };
  };
}
