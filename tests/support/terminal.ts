/**
 * The CLI as a store types it in a new terminal: `npm run --silent comeback -- …` in a directory of
 * hers, with none of the variables the test run or an enclosing npm script set.
 */
import { spawn } from 'node:child_process';
import { expect } from 'vitest';

/** A new terminal's environment: none of the variables the test run or an enclosing npm script set. */
export function terminalEnvironment(): NodeJS.ProcessEnv {
  const inherited = /^(COMEBACK_|AWS_|POWERTOOLS_|npm_|VITEST|TABLE_NAME$|DYNAMODB_ENDPOINT$|INIT_CWD$|NODE_ENV$|TEST$)/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !inherited.test(name)));
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run --silent comeback -- <args>` from `cwd`, in a new terminal's environment with `env` on top. */
export async function runComeback(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn('npm', ['run', '--silent', 'comeback', '--', ...args], { cwd, env: { ...terminalEnvironment(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((exited) => child.once('close', exited));
  return { code, stdout, stderr };
}

/** The one JSON line a command printed on stdout, read; a test fails when there is not exactly one. */
export function jsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((line) => line !== '');
  expect(lines, stdout).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}
