/** Loading and error states, the same on every page. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/** Runs `load` when `keys` change; `reload()` runs it again, keeping what is shown until the new answer. */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const shownFor = useRef<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    const forKeys = JSON.stringify(keys);
    if (shownFor.current !== forKeys) setLoaded({ state: 'loading' });
    shownFor.current = forKeys;
    load().then(
      (value) => current && setLoaded({ state: 'ready', value }),
      (error: unknown) => current && setLoaded({ state: 'error', message: (error as Error).message }),
    );
    return () => {
      current = false;
    };
  }, [...keys, round]);
  return [loaded, useCallback(() => setRound((value) => value + 1), [])];
}

export function Status(props: { loaded: Loaded<unknown> }) {
  if (props.loaded.state === 'loading') return <p role="status">Loading…</p>;
  if (props.loaded.state === 'error')
    return (
      <p role="alert" class="error">
        {props.loaded.message}
      </p>
    );
  return null;
}
