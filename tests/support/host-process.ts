/**
 * The local host as a new user starts it: `node bin/local.ts` (what `npm start` runs) as a child
 * process on a free port, ready once it prints "listening on". Tests and benchmarks that restart it
 * use this, since a restart is a new process (handlers keep their clients for the process's life).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../lib/local/dynamodb-local.ts';

export interface HostProcess {
  url: string;
  /** Everything the host printed so far, stdout and stderr. */
  output: () => string;
  /** Real seconds from spawning to "listening on". */
  startSeconds: number;
  /** SIGTERM, as Ctrl+C; resolves when the process has exited. */
  stop: () => Promise<void>;
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts the host with `env` on top of `base` (this process's environment unless given), the
 * handlers' own variables cleared so the host sets them as `npm start` does.
 */
export async function startHostProcess(env: Record<string, string>, base: NodeJS.ProcessEnv = process.env): Promise<HostProcess> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['bin/local.ts'], {
    cwd: projectRoot,
    env: { ...base, DYNAMODB_ENDPOINT: '', TABLE_NAME: '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((ready, failed) => {
    const timer = setInterval(() => {
      if (output.includes('listening on')) {
        clearInterval(timer);
        ready();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      failed(new Error(`the local host exited with ${code}: ${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    startSeconds: (performance.now() - started) / 1000,
    stop: () =>
      new Promise<void>((stopped) => {
        child.removeAllListeners('exit');
        if (child.exitCode !== null) return stopped();
        child.once('exit', () => stopped());
        child.kill('SIGTERM');
      }),
  };
}
