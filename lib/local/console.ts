/**
 * The console on the local host: built at start (console/build.ts, in memory) and served at
 * `/console/`, on the same origin as the API it calls, so no CORS and no second server.
 */
import { buildConsole, CONTENT_SECURITY_POLICY, type ConsoleFile } from '../../console/build.ts';
import type { StaticAnswer } from './host.ts';

export const CONSOLE_PATH = '/console/';


/** Answers the console's paths from `files`; anything else is left to the host's 404. */
export function consolePages(files: readonly ConsoleFile[] = buildConsole()): (pathname: string) => StaticAnswer | undefined {
  const byPath = new Map(files.map((file) => [file.path, file]));
  return (pathname) => {
    if (pathname === CONSOLE_PATH.slice(0, -1)) return { status: 308, headers: { location: CONSOLE_PATH }, body: '' };
    if (!pathname.startsWith(CONSOLE_PATH)) return undefined;
    const file = byPath.get(pathname.slice(CONSOLE_PATH.length) || 'index.html');
    if (!file) return undefined;
    const immutable = file.path.startsWith('assets/');
    const headers: Record<string, string> = {
      'content-type': file.contentType,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (file.path === 'index.html') headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    return { status: 200, headers, body: file.body };
  };
}
