/**
 * The Lambda invocations the local host makes (API routes, journey steps, scheduled jobs), told to
 * whoever listens: the cost benchmark measures invocations and their durations per customer-year
 * from them. Nothing listens in `npm start` or the tests, and then this costs one empty loop.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type InvocationListener = (functionName: string, milliseconds: number) => void;

const listeners = new Set<InvocationListener>();
const running = new AsyncLocalStorage<string>();

/** The function whose invocation the caller runs in, when there is one: what its DynamoDB requests are counted against. */
export function currentFunction(): string | undefined {
  return running.getStore();
}

/** Listens to every invocation from now on; returns the function that stops listening. */
export function onInvocation(listener: InvocationListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Runs one invocation of `functionName` and tells the listeners how long it took, failed or not. */
export async function invoke<T>(functionName: string, run: () => Promise<T>): Promise<T> {
  if (listeners.size === 0) return run();
  const started = performance.now();
  try {
    return await running.run(functionName, run);
  } finally {
    const milliseconds = performance.now() - started;
    for (const listener of listeners) listener(functionName, milliseconds);
  }
}
