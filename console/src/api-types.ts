/**
 * The shapes the console reads from the API (GET /openapi.json has the full documents). Plain types,
 * with nothing of the browser, so that tests/unit/console-api-types.test.ts can check at type-check
 * time that what the handlers answer still has them.
 */
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
  outcomes: readonly string[];
  churnReasons: readonly string[];
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
    /** `via` is absent on opt-outs recorded before the way was kept. */
    optOuts: Partial<Record<'email' | 'sms', { at: string; via?: string }>>;
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
  status: 'sent' | 'deferred' | 'capped' | 'suppressed' | 'failed' | 'skipped';
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
  tier: { name: string; benefits: string[]; since: string | null };
  /** None at the top tier. */
  next: { name: string; remaining: number; percent: number; basis: string } | null;
  entries: { entryId: string; at: string; kind: string; points: number; reason: string }[];
}

export interface JourneyMembers {
  journey: string;
  status: string;
  items: { customerId: string; entryId: string; enteredAt: string; step: string | null; stepAt: string | null; holdout: boolean }[];
}
