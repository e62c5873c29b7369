/**
 * The monthly AWS bill of a store, by service, from the usage per customer-year the benchmark
 * measured (`npm run bench -- transitions` writes lib/cost/measured-usage.json) and list prices.
 *
 * Scaling: what follows orders (journeys, their messages, the webhook, the steps' reads and writes,
 * storage) scales with orders per customer-year against the orders the benchmark simulated; what the
 * scheduled jobs do follows the number of customers. SMS: the benchmark's customers all gave a phone
 * number and SMS consent; `smsShare` of those messages go as SMS and the rest fall back to email.
 * Free tiers are left out: the figures are what the usage costs at list price.
 */
import * as z from './zod.ts';
import { InvalidInputError } from './errors.ts';

/**
 * List prices, us-east-1, as recorded on the date below from the pages named. They were written
 * down without network access, so check the pages before relying on them; every price can be
 * overridden (the CLI's --prices file).
 */
export const listPrices = {
  recordedOn: '2026-11-30',
  region: 'us-east-1',
  /** https://aws.amazon.com/step-functions/pricing/ (Standard workflows) */
  stepFunctionsPerTransition: 0.025 / 1000,
  /** https://aws.amazon.com/lambda/pricing/ (Arm, the architecture the functions deploy on) */
  lambdaPerGbSecond: 0.0000133334,
  /** https://aws.amazon.com/lambda/pricing/ */
  lambdaPerRequest: 0.2 / 1_000_000,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ */
  dynamodbPerReadRequestUnit: 0.125 / 1_000_000,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ */
  dynamodbPerWriteRequestUnit: 0.625 / 1_000_000,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (Standard table class), per GB-month */
  dynamodbPerGbMonth: 0.25,
  /** https://aws.amazon.com/ses/pricing/ */
  sesPerEmail: 0.1 / 1000,
  /** https://aws.amazon.com/sns/sms-pricing/ (United States, per message; carrier fees vary by route) */
  smsPerMessage: 0.00645,
  /** https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs, first 300 million requests a month) */
  httpApiPerRequest: 1 / 1_000_000,
};

export type Prices = typeof listPrices;

const functionUsageSchema = z.object({
  invocations: z.number().check(z.nonnegative()),
  gbSeconds: z.number().check(z.nonnegative()),
  readRequestUnits: z.number().check(z.nonnegative()),
  writeRequestUnits: z.number().check(z.nonnegative()),
  memoryMb: z.number().check(z.positive()),
  /** true: the function runs per order or journey step; false: a scheduled job whose work grows with the customers. */
  followsOrders: z.boolean(),
  /** A scheduled job: what each of its runs costs the store whatever its customers (the figures above are then what they add). */
  perRun: z.optional(z.object({ runsPerMonth: z.number().check(z.nonnegative()), gbSeconds: z.number().check(z.nonnegative()), readRequestUnits: z.number().check(z.nonnegative()), writeRequestUnits: z.number().check(z.nonnegative()) })),
});

export type FunctionUsage = z.infer<typeof functionUsageSchema>;

export const measuredUsageSchema = z.object({
  measuredAt: z.string().check(z.minLength(1)),
  method: z.string().check(z.minLength(1)),
  customers: z.number().check(z.int(), z.positive()),
  years: z.number().check(z.positive()),
  ordersPerCustomerYear: z.number().check(z.positive()),
  /** What the store's own items (rules, nightly figures, counts) add to the table in a year, whatever its customers. */
  storeStorageBytesPerYear: z.number().check(z.nonnegative()),
  perCustomerYear: z.object({
    stateTransitions: z.number().check(z.nonnegative()),
    stateTransitionsByJourney: z.record(z.string(), z.number().check(z.nonnegative())),
    functions: z.record(z.string(), functionUsageSchema),
    storageBytes: z.number().check(z.nonnegative()),
    messages: z.object({ email: z.number().check(z.nonnegative()), sms: z.number().check(z.nonnegative()), task: z.number().check(z.nonnegative()) }),
  }),
});

export type MeasuredUsage = z.infer<typeof measuredUsageSchema>;

/** The API routes: what API Gateway bills as requests (the other functions run from schedules, state machines and the table's stream). */
const notApiFunctions = new Set(['journey-step', 'purchase-reactions', 'journey-sweep', 'loyalty-sweep', 'loyalty-dispatch', 'nightly-recompute', 'catalog-copurchase', 'unattributed']);

export interface CostQuestion {
  customers: number;
  /** Orders per customer-year; the measured figure when absent. */
  ordersPerYear?: number;
  /** Share of the measured SMS that go as SMS (the customers with a phone and SMS consent); the rest go by email. */
  smsShare: number;
}

export interface CostLine {
  service: string;
  usage: string;
  usd: number;
}

export interface CostEstimate {
  lines: CostLine[];
  totalUsd: number;
}

const GB = 1024 ** 3;
const MONTHS_PER_YEAR = 12;

export function estimateMonthlyCost(usage: MeasuredUsage, question: CostQuestion, prices: Prices = listPrices): CostEstimate {
  if (!Number.isInteger(question.customers) || question.customers < 1) throw new InvalidInputError('customers must be a whole number of at least 1');
  const ordersPerYear = question.ordersPerYear ?? usage.ordersPerCustomerYear;
  if (!Number.isFinite(ordersPerYear) || ordersPerYear <= 0) throw new InvalidInputError('orders per year must be a number above 0');
  if (!Number.isFinite(question.smsShare) || question.smsShare < 0 || question.smsShare > 1) throw new InvalidInputError('the SMS share must be between 0 and 1');

  const measured = usage.perCustomerYear;
  const orderScale = ordersPerYear / usage.ordersPerCustomerYear;
  /** Per month for the whole store, from a per-customer-year figure. */
  const monthly = (perCustomerYear: number, followsOrders = true) => (perCustomerYear * question.customers * (followsOrders ? orderScale : 1)) / MONTHS_PER_YEAR;

  const functions = Object.entries(measured.functions);
  const sum = (pick: (fn: FunctionUsage, name: string) => number) => functions.reduce((total, [name, fn]) => total + monthly(pick(fn, name), fn.followsOrders), 0);
  /** What the scheduled jobs' own runs cost a month, whatever the customers. */
  const runs = (pick: (run: NonNullable<FunctionUsage['perRun']>) => number) => functions.reduce((total, [, fn]) => total + (fn.perRun ? fn.perRun.runsPerMonth * pick(fn.perRun) : 0), 0);
  const transitions = monthly(measured.stateTransitions);
  const invocations = sum((fn) => fn.invocations) + runs(() => 1);
  const gbSeconds = sum((fn) => fn.gbSeconds) + runs((run) => run.gbSeconds);
  const reads = sum((fn) => fn.readRequestUnits) + runs((run) => run.readRequestUnits);
  const writes = sum((fn) => fn.writeRequestUnits) + runs((run) => run.writeRequestUnits);
  const apiRequests = sum((fn, name) => (notApiFunctions.has(name) ? 0 : fn.invocations));
  const sms = monthly(measured.messages.sms) * question.smsShare;
  const emails = monthly(measured.messages.email) + monthly(measured.messages.sms) * (1 - question.smsShare);
  // Storage grows: the bill in a month is for what the table holds then, after a year of this.
  const storedGb = (measured.storageBytes * question.customers * orderScale + usage.storeStorageBytesPerYear) / GB;

  const count = (value: number) => Math.round(value).toLocaleString('en-US');
  const lines: CostLine[] = [
    { service: 'Step Functions (Standard)', usage: `${count(transitions)} state transitions`, usd: transitions * prices.stepFunctionsPerTransition },
    { service: 'Lambda', usage: `${count(invocations)} requests, ${count(gbSeconds)} GB-s`, usd: invocations * prices.lambdaPerRequest + gbSeconds * prices.lambdaPerGbSecond },
    { service: 'DynamoDB (on-demand)', usage: `${count(reads)} RRU, ${count(writes)} WRU`, usd: reads * prices.dynamodbPerReadRequestUnit + writes * prices.dynamodbPerWriteRequestUnit },
    { service: 'DynamoDB storage', usage: `${storedGb.toFixed(2)} GB after a year`, usd: storedGb * prices.dynamodbPerGbMonth },
    { service: 'SES (email)', usage: `${count(emails)} emails`, usd: emails * prices.sesPerEmail },
    { service: 'SNS (SMS)', usage: `${count(sms)} SMS`, usd: sms * prices.smsPerMessage },
    { service: 'API Gateway (HTTP API)', usage: `${count(apiRequests)} requests`, usd: apiRequests * prices.httpApiPerRequest },
  ];
  return { lines, totalUsd: lines.reduce((total, line) => total + line.usd, 0) };
}

/** The estimate as the CLI prints it: one line per service, then the total. */
export function formatCostTable(estimate: CostEstimate, question: CostQuestion & { ordersPerYear: number }, usage: MeasuredUsage, prices: Prices = listPrices): string {
  const width = Math.max(...estimate.lines.map((line) => line.service.length), 'Total'.length);
  const usageWidth = Math.max(...estimate.lines.map((line) => line.usage.length));
  const money = (usd: number) => `$${usd.toFixed(2)}`.padStart(10);
  return [
    `Monthly AWS bill at ${question.customers.toLocaleString('en-US')} customers, ${question.ordersPerYear} orders per customer-year, SMS share ${question.smsShare}`,
    `(${prices.region} list prices recorded on ${prices.recordedOn}, no free tier; usage per customer-year measured on ${usage.measuredAt.slice(0, 10)}: ${usage.perCustomerYear.stateTransitions.toFixed(1)} state transitions)`,
    ...estimate.lines.map((line) => `${line.service.padEnd(width)}  ${line.usage.padEnd(usageWidth)}  ${money(line.usd)}`),
    `${'Total'.padEnd(width)}  ${''.padEnd(usageWidth)}  ${money(estimate.totalUsd)}`,
  ].join('\n');
}

/** A prices file: any of the list prices, by the same names. */
export const priceOverridesSchema = z.catchall(z.partial(z.object({
    stepFunctionsPerTransition: z.number().check(z.nonnegative()),
    lambdaPerGbSecond: z.number().check(z.nonnegative()),
    lambdaPerRequest: z.number().check(z.nonnegative()),
    dynamodbPerReadRequestUnit: z.number().check(z.nonnegative()),
    dynamodbPerWriteRequestUnit: z.number().check(z.nonnegative()),
    dynamodbPerGbMonth: z.number().check(z.nonnegative()),
    sesPerEmail: z.number().check(z.nonnegative()),
    smsPerMessage: z.number().check(z.nonnegative()),
    httpApiPerRequest: z.number().check(z.nonnegative()),
    recordedOn: z.string().check(z.minLength(1)),
    region: z.string().check(z.minLength(1)),
  })), z.never());
