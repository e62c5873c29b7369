/**
 * The console's Cognito login in a real browser (Chromium, tests/support/browser.ts): the local host
 * started as `npm start` starts it, with a stand-in for a user pool's login endpoints
 * (tests/support/fake-cognito.ts) in place of the admin token. The host stands in for API Gateway's
 * JWT authorizer. A manager logs in through the managed login form (authorization code with PKCE),
 * sees only Tasks and Customers, reads the task list and is refused the metrics (403); the loyalty
 * account, which has no authorizer, takes her token and refuses a forged one; an owner sees
 * every page and reads the metrics. The admin token opens no admin route there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devDefaults } from '../../lib/local/config.ts';
import { getJson } from '../../lib/local/client.ts';
import { launchBrowser } from '../support/browser.ts';
import { startFakeCognito, type FakeCognito } from '../support/fake-cognito.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';

const users = [
  { username: 'mia@shop.test', password: 'Manager-pass-1!', groups: ['managers'] },
  { username: 'olga@shop.test', password: 'Owner-pass-1!', groups: ['owners'] },
];
const redirectUris: string[] = [];

let cognito: FakeCognito;
let host: HostProcess;
let browser: Browser;
let page: Page;
let dataDir: string;

function withoutSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(COMEBACK_|AWS_|POWERTOOLS_)/.test(name)));
}

/** What the console's API call answers in the page, with the access token the console keeps. */
function callInPage(path: string): Promise<{ status: number; body: unknown }> {
  return page.evaluate(async (target) => {
    const answer = await fetch(target, { headers: { authorization: `Bearer ${sessionStorage.getItem('comeback.console.token') ?? ''}` } });
    return { status: answer.status, body: (await answer.json()) as unknown };
  }, path);
}

async function logIn(username: string): Promise<void> {
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Email').fill(username);
  await page.getByLabel('Password').fill(users.find((user) => user.username === username)!.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 20_000 });
}

const navigation = () => page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'comeback-cognito-'));
  cognito = await startFakeCognito({ clientId: 'console-client', redirectUris, users });
  [host, browser] = await Promise.all([
    startHostProcess(
      {
        COMEBACK_DATA_DIR: dataDir,
        COMEBACK_DEMO: 'off',
        COMEBACK_CLOCK_START: '2026-03-02T15:00:00.000Z',
        COMEBACK_COGNITO_ISSUER: cognito.issuer,
        COMEBACK_COGNITO_CLIENT_ID: cognito.clientId,
        COMEBACK_COGNITO_DOMAIN: cognito.url,
      },
      withoutSettings(process.env),
    ),
    launchBrowser(),
  ]);
  redirectUris.push(`${host.url}/console/`);
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
}, 300_000);

afterAll(async () => {
  await Promise.all([browser?.close(), host?.stop(), cognito?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the console with a Cognito login', () => {
  it('prints the login domain, and the admin token opens no admin route', async () => {
    expect(host.output()).toContain(`(log in through ${cognito.url})`);
    expect((await getJson(host.url, '/v1/tasks', devDefaults.COMEBACK_ADMIN_TOKEN)).status).toBe(401);
    expect((await getJson(host.url, '/v1/tasks')).body).toEqual({ message: 'Unauthorized' });
  });

  it('logs a manager in through the login pages, shows Tasks and Customers only, and the API refuses her the metrics', async () => {
    await page.goto(`${host.url}/console`);
    await logIn('mia@shop.test');
    expect(await navigation()).toEqual(['Tasks', 'Customers']);
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    expect((await callInPage('/v1/tasks?status=open')).status).toBe(200);
    expect(await callInPage('/v1/metrics?from=2026-03-01&to=2026-03-02')).toMatchObject({ status: 403, body: { title: 'Forbidden', detail: 'GET /v1/metrics is not open to the groups managers' } });
    // The loyalty account has no authorizer (the storefront signs it too): its handler verifies the token itself.
    expect((await callInPage('/v1/loyalty/nobody')).status).toBe(404);
    expect(await page.evaluate(async () => (await fetch('/v1/loyalty/nobody', { headers: { authorization: 'Bearer forged.token.here' } })).status)).toBe(401);
  });

  it('signs out through the login pages, and an owner then sees every page and reads the metrics', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => sessionStorage.getItem('comeback.console.token'))).toBeNull();
    await logIn('olga@shop.test');
    expect(await navigation()).toEqual(['Overview', 'Tasks', 'Customers', 'Journeys', 'Segments']);
    expect((await callInPage('/v1/metrics?from=2026-03-01&to=2026-03-02')).status).toBe(200);
  });
});
