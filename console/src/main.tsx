/**
 * The console: the owner's overview of what came back, and the manager's calls, on the same HTTP
 * API as every other client. Hash routes (`#/tasks`), so static hosting needs no rewrites.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthorized, session } from './api.ts';
import { CustomersPage } from './pages/customers.tsx';
import { JourneysPage } from './pages/journeys.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SegmentsPage } from './pages/segments.tsx';
import { TasksPage } from './pages/tasks.tsx';
import './styles.css';

const pages = [
  { path: 'overview', title: 'Overview' },
  { path: 'tasks', title: 'Tasks' },
  { path: 'customers', title: 'Customers' },
  { path: 'journeys', title: 'Journeys' },
  { path: 'segments', title: 'Segments' },
] as const;

function currentRoute(): string[] {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return parts.length > 0 ? parts : ['overview'];
}

function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function Login(props: { onLogin: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      await api('GET', '/v1/segments', undefined, token.trim());
      session.save(token.trim());
      props.onLogin();
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? 'That token is not valid.' : `The API did not answer: ${(failure as Error).message}`);
    }
  };
  return (
    <main id="main" class="login">
      <h1>Comeback console</h1>
      <form onSubmit={submit}>
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        <button type="submit">Log in</button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function App() {
  const [loggedIn, setLoggedIn] = useState(() => session.token() !== null);
  const route = useRoute();
  useEffect(() => onUnauthorized(() => (session.clear(), setLoggedIn(false))), []);
  useEffect(() => {
    const page = pages.find((candidate) => candidate.path === route[0]);
    document.title = `${page?.title ?? 'Comeback'} · Comeback console`;
  }, [route]);
  if (!loggedIn) return <Login onLogin={() => setLoggedIn(true)} />;
  const [name, ...rest] = route;
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <strong class="brand">Comeback</strong>
        <nav aria-label="Console">
          <ul>
            {pages.map((page) => (
              <li key={page.path}>
                <a href={`#/${page.path}`} aria-current={page.path === name ? 'page' : undefined}>
                  {page.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="link" onClick={() => (session.clear(), setLoggedIn(false))}>
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {name === 'tasks' ? (
          <TasksPage />
        ) : name === 'customers' ? (
          <CustomersPage customerId={rest[0]} />
        ) : name === 'journeys' ? (
          <JourneysPage />
        ) : name === 'segments' ? (
          <SegmentsPage />
        ) : (
          <OverviewPage />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
