/**
 * The local host as a new user starts it: `node bin/local.ts` (what `npm start` runs) as a child
 * process, ready once it prints "listening on" and its URL. Tests and benchmarks that restart it
 * use this, since a restart is a new process (handlers keep their clients for the process's life).
 * The host takes a port the system gives it (PORT=0): a free port chosen here and handed to it was
 * once taken meanwhile by another process of the run (EADDRINUSE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['bin/local.ts'], {
    cwd: projectRoot,
    env: { ...base, DYNAMODB_ENDPOINT: '', TABLE_NAME: '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let url = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((ready, failed) => {
    const timer = setInterval(() => {
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening) {
        url = listening[1]!;
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
    url,
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
