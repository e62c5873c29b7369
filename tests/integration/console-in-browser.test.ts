/**
 * The console in a real browser (Chromium, tests/support/browser.ts) against the local host started
 * as `npm start` starts it, with a small store seeded through the signed webhook and the virtual
 * clock: the owner logs in with the admin token and reads the overview (its figures are those of
 * GET /v1/metrics), finds a customer by email and opens their timeline (orders, messages with their
 * previews), completes a manager's call with an outcome and a churn reason from the store's own
 * lists and sees it in the report, takes a customer out of a journey, saves a segment, sees
 * its members after the nightly recompute and exports them as CSV. axe-core finds no serious or
 * critical accessibility violation on any page; each page is photographed into
 * .comeback/screenshots (git-ignored).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../console/build.ts';
import { devDefaults } from '../../lib/local/config.ts';
import { getJson, postJson, postSignedPurchase } from '../../lib/local/client.ts';
import { samplePurchase } from '../../lib/local/sample.ts';
import { launchBrowser } from '../support/browser.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';

const clockStart = '2026-03-02T15:00:00.000Z';
const day = 86_400_000;
const token = devDefaults.COMEBACK_ADMIN_TOKEN;
const screenshots = join(import.meta.dirname, '../../.comeback/screenshots');
/** The store's own lists a manager completes a call from (COMEBACK_TASK_LISTS). */
const taskLists = { outcomes: ['Will order again', 'Not interested', 'Call back later', 'No answer'], churnReasons: ['price', 'moved away', 'found another shop', 'other'] };

let host: HostProcess;
let browser: Browser;
let page: Page;
let dataDir: string;

function withoutSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(COMEBACK_|AWS_|POWERTOOLS_)/.test(name)));
}

async function admin<T>(path: string): Promise<T> {
  const answer = await getJson(host.url, path, token);
  expect(answer.status, path).toBe(200);
  return answer.body as T;
}

async function advance(days: number): Promise<void> {
  expect((await postJson(host.url, '/_local/clock/advance', { days }, token)).status).toBe(200);
}

/**
 * Five customers about 61 days before the clock's start, two of whom came back two days before it:
 * the other three enter win-back at the first night's sweep (60 days without a purchase), and two
 * weeks later each has a manager's call.
 */
async function seedStore(): Promise<void> {
  const customers = ['ada', 'bob', 'cleo', 'dan', 'eve'];
  for (const [index, id] of customers.entries()) {
    const purchase = samplePurchase({ orderId: `${id}-1`, customerId: id, placedAt: new Date(Date.parse(clockStart) - (61 - index / 4) * day) });
    purchase.customer.email = `${id}@example.com`;
    purchase.customer.name = id[0]!.toUpperCase() + id.slice(1);
    expect((await postSignedPurchase(host.url, devDefaults.COMEBACK_WEBHOOK_SECRET, purchase)).status).toBe(202);
  }
  for (const id of ['ada', 'bob']) {
    const purchase = samplePurchase({ orderId: `${id}-2`, customerId: id, placedAt: new Date(Date.parse(clockStart) - 2 * day) });
    purchase.customer.email = `${id}@example.com`;
    expect((await postSignedPurchase(host.url, devDefaults.COMEBACK_WEBHOOK_SECRET, purchase)).status).toBe(202);
  }
  await advance(16);
}

/** Serious and critical accessibility violations on the page as it is now. */
async function accessibilityViolations(): Promise<string[]> {
  if (!(await page.evaluate('"axe" in window'))) await page.evaluate(axe.source);
  const results = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as axe.AxeResults;
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

async function photograph(name: string): Promise<void> {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

const text = (selector: string) => page.locator(selector).first().textContent();
/** The host and the browser share two busy cores with the rest of the run: waits are generous. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'comeback-console-'));
  mkdirSync(screenshots, { recursive: true });
  [host, browser] = await Promise.all([
    startHostProcess({ COMEBACK_DATA_DIR: dataDir, COMEBACK_CLOCK_START: clockStart, COMEBACK_DEMO: 'off', COMEBACK_TASK_LISTS: JSON.stringify(taskLists) }, withoutSettings(process.env)),
    launchBrowser(),
  ]);
  await seedStore();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  // The browser's clock is the host's virtual clock, as it is for a store running on real time.
  const { now } = await admin<{ now: string }>('/_local/clock');
  await page.clock.setFixedTime(new Date(now));
}, 300_000);

afterAll(async () => {
  await Promise.all([browser?.close(), host?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the console', () => {
  it('is built in well under the 250 KB gzipped budget, with nothing loaded from elsewhere', () => {
    const files = buildConsole();
    const gzipped = files.reduce((total, file) => total + gzipSync(file.body).length, 0);
    console.log(`console: ${files.length} files, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThan(250 * 1024);
    const html = new TextDecoder().decode(files.find((file) => file.path === 'index.html')!.body);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('logs in with the admin token and shows the overview with the figures of /v1/metrics, at desktop and phone width', async () => {
    await page.goto(`${host.url}/console`);
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await eventually(() => text('[role="alert"]')).toBe('That token is not valid.');
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-metric="customers"]').waitFor();

    // The figures shown are those of the range's last day.
    const from = await page.locator('input[name="from"]').inputValue();
    const to = await page.locator('input[name="to"]').inputValue();
    const metrics = await admin<{ days: { day: string; customers: number; repeatPurchaseRate: number | null; retentionRate: number | null; purchaseFrequency: number | null; churnRate: number | null; returningCustomers: number; returningRevenueMinor: Record<string, number>; historicClvMinor: Record<string, number> }[] }>(
      `/v1/metrics?from=${from}&to=${to}`,
    );
    const last = metrics.days.at(-1)!;
    expect(last.day).toBe(to);
    const shownAs = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`);
    expect(await text('[data-metric="customers"]')).toBe(String(last.customers));
    expect(await text('[data-metric="repeatPurchaseRate"]')).toBe(shownAs(last.repeatPurchaseRate));
    expect(await text('[data-metric="retentionRate"]')).toBe(shownAs(last.retentionRate));
    expect(await text('[data-metric="churnRate"]')).toBe(shownAs(last.churnRate));
    expect(await text('[data-metric="purchaseFrequency"]')).toBe(last.purchaseFrequency?.toFixed(2));
    expect(await text('[data-metric="historicClvMinor"]')).toBe(`$${(last.historicClvMinor['USD']! / 100).toFixed(2)}`);
    expect(await text('[data-metric="returningCustomers"]')).toBe(String(last.returningCustomers));
    expect(last.customers).toBe(5);
    // Returned customers' revenue over the range, drawn: the chart names the last day's figure.
    expect(last.returningRevenueMinor['USD']).toBeGreaterThan(0);
    expect(await page.getByRole('img', { name: /^Revenue from returning customers\./ }).getAttribute('aria-label')).toContain(`USD: ${last.returningRevenueMinor['USD']! / 100} on ${to}`);
    expect(last.repeatPurchaseRate).toBeCloseTo(2 / 5);
    // The cohort heatmap has labelled axes.
    expect(await page.locator('table.heatmap th').first().textContent()).toBe('First order month');
    expect(await page.locator('table.heatmap thead th').nth(2).textContent()).toBe('Month 1');
    expect(await accessibilityViolations()).toEqual([]);
    await photograph('overview');

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await photograph('overview-phone');
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  it("finds a customer by email and opens their timeline: orders, every message with its preview and status, points and tier", async () => {
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Customer id, email or phone').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(() => page.getByRole('heading', { name: 'No customer found for “nobody@example.com”' }).count()).toBe(1);
    // The only customer who ordered with the email: straight to their timeline.
    await page.getByLabel('Customer id, email or phone').fill('ADA@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('ol.timeline').waitFor();
    expect(page.url()).toMatch(/#\/customers\/ada$/);
    const timeline = await page.locator('ol.timeline').textContent();
    expect(timeline).toContain('Order ada-2: $54.97');
    expect(timeline).toContain('Order ada-1: $54.97');
    expect(timeline).toMatch(/points: 3% of order ada-2/);
    const loyalty = await admin<{ tier: { name: string }; balance: number }>('/v1/loyalty/ada');
    expect(await text('[data-field="loyalty"]')).toContain(`${loyalty.tier.name}, ${loyalty.balance} points`);
    expect(await text('[data-field="orderCount"]')).toBe('2');
    // Every message of the log, with its status; the newest email's HTML previewed in a sandboxed frame.
    const log = await admin<{ items: { messageId: string; channel: string; status: string; subject?: string; html?: string }[] }>('/v1/customers/ada/messages?limit=100');
    const email = log.items.find((item) => item.channel === 'email' && item.status === 'sent' && item.html)!;
    expect(email).toBeDefined();
    expect(await page.locator('ol.timeline > li.message').count()).toBe(log.items.length);
    const entry = page.locator('ol.timeline > li.message', { hasText: `${email.subject!} — sent` }).first();
    await entry.getByText('Preview').click();
    const frame = entry.locator('iframe');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toBe(email.html);
    await eventually(async () => ((await entry.frameLocator('iframe').locator('body').textContent()) ?? '').trim().length).toBeGreaterThan(0);
    expect(await accessibilityViolations()).toEqual([]);
    await photograph('customer');
  });

  it("completes a win-back call with an outcome and a churn reason from the store's lists, and shows it in the report", async () => {
    const open = await admin<{ items: { id: string; customerId: string; journey: string; subject: string; dueAt: string }[] }>('/v1/tasks?status=open');
    const { now } = await admin<{ now: string }>('/_local/clock');
    const today = now.slice(0, 10);
    const dueToday = open.items.filter((item) => item.dueAt.slice(0, 10) === today);
    const overdue = open.items.filter((item) => item.dueAt < now && item.dueAt.slice(0, 10) !== today);
    const task = open.items.find((item) => item.journey === 'win-back')!;
    expect(task).toBeDefined();
    await page.getByRole('link', { name: 'Tasks' }).click();
    const card = page.locator('article', { has: page.getByRole('heading', { name: task.subject }) });
    await card.waitFor();
    await eventually(() => page.locator('ul.tasks > li').count()).toBe(open.items.length);
    await page.getByRole('button', { name: 'Due today' }).click();
    await eventually(() => page.locator('ul.tasks > li').count()).toBe(dueToday.length);
    await page.getByRole('button', { name: 'Overdue' }).click();
    await eventually(() => page.locator('ul.tasks > li').count()).toBe(overdue.length);
    // The call falls due a day after it is made, two weeks into win-back: today, or already overdue.
    expect([...dueToday, ...overdue].map((item) => item.id)).toContain(task.id);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await card.waitFor();
    expect(await accessibilityViolations()).toEqual([]);
    await photograph('tasks');

    // The form offers the store's lists, and nothing else.
    const offered = (label: string) => card.getByLabel(label).locator('option').allTextContents();
    expect(await offered('Outcome')).toEqual(['Choose…', ...taskLists.outcomes]);
    expect(await offered('Why they stopped buying')).toEqual(['Choose…', ...taskLists.churnReasons]);
    await card.getByLabel('Outcome').selectOption('Not interested');
    await card.getByLabel('Why they stopped buying').selectOption('moved away');
    await card.getByRole('button', { name: 'Complete task' }).click();
    await eventually(() => card.count()).toBe(0);
    const done = await admin<{ items: { id: string; outcome?: string; churnReason?: string }[] }>('/v1/tasks?status=done');
    expect(done.items.find((item) => item.id === task.id)).toMatchObject({ outcome: 'Not interested', churnReason: 'moved away' });
    const metrics = await admin<{ tasks: { churnReasons: Record<string, number>; outcomes: Record<string, Record<string, number>> } }>(`/v1/metrics?from=${today}&to=${today}`);
    expect(metrics.tasks.churnReasons).toEqual({ price: 0, 'moved away': 1, 'found another shop': 0, other: 0 });
    expect(metrics.tasks.outcomes['win-back']).toEqual({ 'Not interested': 1 });

    await page.getByRole('button', { name: 'Done' }).click();
    const report = page.locator('section.report');
    await report.waitFor();
    await eventually(() => report.getByRole('row', { name: 'moved away 1' }).count()).toBe(1);
    expect(await report.getByRole('row', { name: 'Not interested 1' }).count()).toBe(1);
    expect(await report.getByRole('row', { name: 'found another shop 0' }).count()).toBe(1);
  });

  it("draws each journey's funnel by step and takes a customer out of it", async () => {
    const before = await admin<{ items: { customerId: string }[] }>('/v1/journeys/post-purchase/customers');
    const customerId = before.items[0]!.customerId;
    await page.getByRole('link', { name: 'Journeys' }).click();
    await page.getByRole('button', { name: `Take out ${customerId} from post-purchase` }).click();
    await page.getByRole('button', { name: `Confirm: take ${customerId} out` }).click();
    await eventually(() => page.getByText(`${customerId} was taken out of post-purchase.`).count()).toBe(1);
    const after = await admin<{ items: { customerId: string }[] }>('/v1/journeys/post-purchase/customers');
    expect(after.items.map((item) => item.customerId)).not.toContain(customerId);
    const customers = (page: { items: { customerId: string }[] }) => new Set(page.items.map((item) => item.customerId)).size;
    expect(customers(after)).toBe(customers(before) - 1);
    // The funnel of the last 30 days: each step's messages by status, as GET /v1/metrics counts them.
    const { computedAt } = await admin<{ computedAt: string }>('/v1/segments');
    const to = computedAt.slice(0, 10);
    const from = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * day).toISOString().slice(0, 10);
    const { funnels } = await admin<{ funnels: Record<string, Record<string, { sent: number }>> }>(`/v1/metrics?from=${from}&to=${to}`);
    const thankYou = funnels['post-purchase']!['thank-you']!;
    expect(thankYou.sent).toBeGreaterThan(0);
    const funnel = page.locator('[data-funnel="post-purchase"]');
    await eventually(() => funnel.locator('[data-bar="thank-you: sent"] .bar-value').textContent()).toBe(String(thankYou.sent));
    expect(await accessibilityViolations()).toEqual([]);
    await photograph('journeys');
  });

  it('saves a segment, shows its members after the nightly recompute and exports them as CSV', async () => {
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByLabel('Name (lower-case letters, digits, hyphens)').fill('came-back');
    await page.getByLabel('At least this many orders').fill('2');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await eventually(() => page.getByRole('status').textContent()).toContain('Saved came-back');

    // The next night counts its members.
    await advance(1);
    await page.reload();
    await page.getByRole('button', { name: 'Members of came-back' }).click();
    await page.locator('[data-count="came-back"]').waitFor();
    const members = await admin<{ items: { customerId: string; since: string }[] }>('/v1/segments/came-back/customers');
    expect(members.items.map((item) => item.customerId).sort()).toEqual(['ada', 'bob']);
    expect(await text('[data-count="came-back"]')).toBe('2');
    expect(await accessibilityViolations()).toEqual([]);
    await photograph('segments');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('came-back.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')).toEqual(['customerId,since', ...members.items.map((item) => `${item.customerId},${item.since}`), '']);
  });
});
