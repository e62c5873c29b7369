/**
 * Builds the console: one esbuild bundle of the Preact app (esbuild already bundles every Lambda
 * function here, so the console adds no build tool) and its stylesheet, behind an index.html that
 * names them by content hash. Built in memory in about a second, so the local host builds it at
 * the console's first request and the CDK app at every synth: nothing built is kept in git, nothing
 * is loaded from elsewhere at run time.
 */
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleFile {
  /** Relative to the console's root, without a leading slash: `index.html`, `assets/console-AB12.js`. */
  path: string;
  contentType: string;
  body: Uint8Array;
}

const consoleRoot = dirname(fileURLToPath(import.meta.url));

export type { CognitoLogin, ConsoleConfig } from './src/config.ts';

/**
 * Scripts, styles and API calls from the console's own origin only, and, with a Cognito login, the
 * token exchange with the login domain's origin (both hosts send it with index.html).
 */
export function contentSecurityPolicy(loginOrigin?: string): string {
  const connect = loginOrigin === undefined ? '' : ` connect-src 'self' ${loginOrigin};`;
  return `default-src 'self';${connect} img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
}

/** The policy of a console that logs in with the admin token. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

function contentType(path: string): string {
  return contentTypes[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
}

/** The built console: index.html and its hashed assets. */
export function buildConsole(): ConsoleFile[] {
  const outdir = join(consoleRoot, 'assets');
  const result = buildSync({
    entryPoints: [join(consoleRoot, 'src/main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: 'console-[hash]',
    outdir,
    write: false,
    logLevel: 'silent',
  });
  const assets = result.outputFiles.map((file) => {
    const path = relative(consoleRoot, file.path).split('\\').join('/');
    return { path, contentType: contentType(path), body: file.contents };
  });
  const script = assets.find((file) => file.path.endsWith('.js'));
  const style = assets.find((file) => file.path.endsWith('.css'));
  if (!script || !style) throw new Error('the console build produced no script or no stylesheet');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comeback console</title>
<link rel="stylesheet" href="./${style.path}">
<script type="module" src="./${script.path}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
  return [{ path: 'index.html', contentType: contentType('index.html'), body: new TextEncoder().encode(html) }, ...assets];
}

/** Writes the built console into `dir` (for the CDK app's deployment to S3). */
export function writeConsole(dir: string, files: readonly ConsoleFile[] = buildConsole()): string {
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
  return dir;
}
