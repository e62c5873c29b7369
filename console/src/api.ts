/**
 * The HTTP API, as the console calls it: the same routes as every other client, with the admin
 * token, or with a Cognito login its access token, as a bearer token. The token lives in
 * sessionStorage (gone with the tab). The API is on the console's own origin unless config.json
 * beside index.html names another.
 */
import type { ConsoleConfig } from './config.ts';

const TOKEN_KEY = 'comeback.console.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

let loaded: Promise<ConsoleConfig> | undefined;

/** config.json beside index.html, read once; none means the API on this origin and the admin token. */
export function consoleConfig(): Promise<ConsoleConfig> {
  loaded ??= fetch('./config.json')
    .then(async (answer) => (answer.ok ? ((await answer.json()) as ConsoleConfig) : {}))
    .catch(() => ({}));
  return loaded;
}

async function base(): Promise<string> {
  return ((await consoleConfig()).apiUrl ?? '').replace(/\/$/, '');
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Listeners told when the API refuses the token (the console shows the login again). */
const unauthorized = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorized.add(listener);
  return () => unauthorized.delete(listener);
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, token = session.token()): Promise<T> {
  const answer = await fetch(`${await base()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!answer.ok) {
    const problem = (parsed ?? {}) as { title?: string; detail?: string };
    if (answer.status === 401) unauthorized.forEach((listener) => listener());
    throw new ApiError(answer.status, problem.title ?? answer.statusText, problem.detail ?? '');
  }
  return parsed as T;
}

// The shapes the console reads (see GET /openapi.json for the full documents).

export interface GroupResult {
  entered: number;
  converted: number;
  conversionRate: number | null;
  revenueMinor: Record<string, number>;
}

export interface MetricsDay {
  day: string;
  computedAt: string;
  period: { days: number; from: string; to: string };
  customers: number;
  newCustomers: number;
  activeCustomers: number;
  returningCustomers: number;
  returningRevenueMinor: Record<string, number>;
  retentionRate: number | null;
  churnRate: number | null;
  churn: { atRisk: number; churned: number };
  repeatPurchaseRate: number | null;
  repeatCustomers: number;
  purchaseFrequency: number | null;
  averageOrderValueMinor: Record<string, number>;
  historicClvMinor: Record<string, number>;
  nps: { score: number | null; answers: number; promoters: number; passives: number; detractors: number; windowDays: number };
  cohorts: { month: string; customers: number; returned: number[] }[];
  journeys: Record<string, { treated: GroupResult; holdout: GroupResult; uplift: { difference: number; low: number; high: number; confidence: number } | null }>;
  segments: Record<string, number>;
}

/** A journey step's messages of a range by what became of them. */
export type StepCounts = Record<'sent' | 'deferred' | 'suppressed' | 'failed' | 'skipped', number>;

export interface Metrics {
  from: string;
  to: string;
  days: MetricsDay[];
  /** Per journey and step. */
  funnels?: Record<string, Record<string, StepCounts>>;
}

export interface SegmentSummary {
  name: string;
  kind: 'recency' | 'value' | 'trend' | 'risk' | 'custom';
  size: number | null;
  description?: string;
  filter?: unknown;
}

export interface Segments {
  computedAt: string | null;
  segments: SegmentSummary[];
}

export interface Task {
  id: string;
  customerId: string;
  journey: string;
  reason: string;
  subject: string;
  text: string;
  dueAt: string;
  createdAt: string;
  status: 'open' | 'done';
  historyAtAGlance: { orderCount: number; lastOrderAt: string; netRevenueMinor: number; currency: string };
  outcome?: string;
  churnReason?: string;
  note?: string;
  completedAt?: string;
}

/** The store's lists a task is completed from (COMEBACK_TASK_LISTS), sent with every page of GET /v1/tasks. */
export interface TaskChoices {
  outcomes: string[];
  churnReasons: string[];
}

export interface TaskPage {
  items: Task[];
  cursor?: string;
  choices: TaskChoices;
}

export interface Order {
  orderId: string;
  placedAt: string;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  channel?: string;
  items: { sku: string; name?: string; quantity: number; unitPriceMinor: number; category?: string }[];
}

export interface Customer {
  profile: {
    customerId: string;
    name?: string;
    email?: string;
    phone?: string;
    orderCount: number;
    netRevenueMinor: number;
    currency: string;
    firstOrderAt: string;
    lastOrderAt: string;
    consent: { email?: boolean; sms?: boolean };
    optOuts: Partial<Record<'email' | 'sms', { at: string; via: string }>>;
  };
  orders: Order[];
  predictions: { available: false; reason: string } | { available?: undefined; pAlive: number; expectedPurchases90d: number; expectedNextOrderAt: string | null; predictedClv: number | null; currency: string };
  feedback: { score: number; comment?: string; at: string }[];
}

/** One entry of a customer's message log (GET /v1/customers/{id}/messages). */
export interface MessageEntry {
  messageId: string;
  at: string;
  journey: string;
  step: string;
  channel: 'email' | 'sms' | 'task';
  status: 'sent' | 'deferred' | 'suppressed' | 'failed' | 'skipped';
  subject?: string;
  text?: string;
  html?: string;
  reason?: string;
  deliveryStatus?: string;
  deliveryStatusAt?: string;
}

export interface MessagePage {
  items: MessageEntry[];
  cursor?: string;
}

/** A customer as GET /v1/customers?id=|email=|phone= finds them. */
export interface CustomerMatch {
  customerId: string;
  name?: string;
  email?: string;
  phone?: string;
  orderCount: number;
  lastOrderAt: string;
}

export interface Loyalty {
  currency: string;
  balance: number;
  tier: { name: string; benefits: string[]; since?: string };
  next?: { name: string; remaining: number; percent: number; basis: string };
  entries: { entryId: string; at: string; kind: string; points: number; reason: string }[];
}

export interface JourneyMembers {
  journey: string;
  status: string;
  items: { customerId: string; entryId: string; enteredAt: string; step: string | null; stepAt: string | null; holdout: boolean }[];
}
