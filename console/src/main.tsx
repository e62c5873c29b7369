/**
 * The console: the owner's overview of what came back, and the manager's calls, on the same HTTP
 * API as every other client. Hash routes (`#/tasks`), so static hosting needs no rewrites.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { mayCall } from '../../functions/core/admin-access.ts';
import { api, ApiError, consoleConfig, onUnauthorized, session } from './api.ts';
import type { CognitoLogin } from './config.ts';
import { finishLogin, groupsOf, logout, startLogin } from './login.ts';
import { CustomersPage } from './pages/customers.tsx';
import { JourneysPage } from './pages/journeys.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SegmentsPage } from './pages/segments.tsx';
import { TasksPage } from './pages/tasks.tsx';
import './styles.css';

/** The pages, each with the routes it calls: with a Cognito login, a page is shown to the groups that may call them all. */
const pages = [
  { path: 'overview', title: 'Overview', routes: ['GET /v1/segments', 'GET /v1/metrics'] },
  { path: 'tasks', title: 'Tasks', routes: ['GET /v1/tasks', 'POST /v1/tasks/{id}/complete'] },
  {
    path: 'customers',
    title: 'Customers',
    routes: ['GET /v1/customers', 'GET /v1/customers/{id}', 'GET /v1/customers/{id}/messages', 'GET /v1/loyalty/{customerId}', 'GET /v1/tasks'],
  },
  { path: 'journeys', title: 'Journeys', routes: ['GET /v1/segments', 'GET /v1/metrics', 'GET /v1/journeys/{name}/customers', 'DELETE /v1/journeys/{name}/customers/{id}'] },
  { path: 'segments', title: 'Segments', routes: ['GET /v1/segments', 'PUT /v1/segments/{name}', 'DELETE /v1/segments/{name}', 'GET /v1/segments/{name}/customers'] },
] as const;

type Page = (typeof pages)[number];

/** The pages someone sees: all of them with the admin token, those their groups allow with Cognito. */
function visiblePages(login: CognitoLogin | undefined, token: string | null): Page[] {
  if (!login) return [...pages];
  const groups = groupsOf(token ?? '');
  return pages.filter((page) => page.routes.every((route) => mayCall(route, groups)));
}

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

/** The deployed console's login: the managed login pages of the user pool. */
function CognitoLoginPage(props: { login: CognitoLogin; error: string }) {
  return (
    <main id="main" class="login">
      <h1>Comeback console</h1>
      <button type="button" onClick={() => void startLogin(props.login)}>
        Log in
      </button>
      {props.error && (
        <p role="alert" class="error">
          {props.error}
        </p>
      )}
    </main>
  );
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
  // Undefined until config.json is read; then the Cognito login, or null for the admin token.
  const [login, setLogin] = useState<CognitoLogin | null | undefined>(undefined);
  const [loginError, setLoginError] = useState('');
  const route = useRoute();
  useEffect(() => onUnauthorized(() => (session.clear(), setLoggedIn(false))), []);
  useEffect(() => {
    void consoleConfig().then(async (config) => {
      if (config.login) {
        try {
          const token = await finishLogin(config.login);
          if (token) {
            session.save(token);
            setLoggedIn(true);
          }
        } catch (failure) {
          setLoginError((failure as Error).message);
        }
      }
      setLogin(config.login ?? null);
    });
  }, []);
  const shown = visiblePages(login ?? undefined, loggedIn ? session.token() : null);
  const current = shown.find((candidate) => candidate.path === route[0]) ?? shown[0];
  useEffect(() => {
    document.title = `${current?.title ?? 'Comeback'} · Comeback console`;
  }, [current]);
  if (login === undefined) return null;
  if (!loggedIn) return login ? <CognitoLoginPage login={login} error={loginError} /> : <Login onLogin={() => setLoggedIn(true)} />;
  const name = current?.path;
  const rest = route.slice(1);
  const logOut = () => {
    session.clear();
    if (login) logout(login);
    else setLoggedIn(false);
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <strong class="brand">Comeback</strong>
        <nav aria-label="Console">
          <ul>
            {shown.map((page) => (
              <li key={page.path}>
                <a href={`#/${page.path}`} aria-current={page.path === name ? 'page' : undefined}>
                  {page.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="link" onClick={logOut}>
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
        ) : name === 'overview' ? (
          <OverviewPage />
        ) : (
          <p>Your login opens no page of the console; ask an owner to add you to a group.</p>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
