/**
 * The Comeback stacks, as `bin/cdk.ts` deploys them and the infrastructure tests check them:
 * the stateful data stack first, then the stateless API stack that takes its table.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { ComebackApiStack, type ComebackApiDeliveryProps } from './comeback-api-stack.ts';
import { ComebackConsoleStack } from './comeback-console.ts';
import { ComebackDataStack } from './comeback-data.ts';
import type { ComebackPlatformSettings } from './comeback-function.ts';
import type { ComebackJourneySettings } from './comeback-journeys.ts';

export interface ComebackStacksOptions {
  /** @default - environment-agnostic stacks */
  readonly env?: Environment;
  /**
   * Active X-Ray tracing on every function.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Prefix of the stack names, to deploy several copies in one account (for example `ComebackStaging`).
   * @default 'Comeback'
   */
  readonly stackPrefix?: string;
  /** The journey settings: shop URL and support contact (required), holdout share. */
  readonly journeys: ComebackJourneySettings;
  /** The shop's name on the pages customers open from messages. @default - the host name of the shop URL */
  readonly shopName?: string;
  /** The email sender (required), its SES identity, the manager's address, the public URL. */
  readonly delivery: ComebackApiDeliveryProps;
  /** Overrides of the recompute rules as JSON. @default - every default */
  readonly recomputeSettings?: string;
  /** Who is told about alarms. @default - nobody until someone subscribes to the alarm topic */
  readonly alarmEmail?: string;
  /** How platform orders are read (default country, counted Shopify statuses, WooCommerce consent). @default - the functions' defaults */
  readonly platformSettings?: ComebackPlatformSettings;
  /** Days back the nightly sync with a Shopify or WooCommerce storefront reads. @default 3 */
  readonly syncDays?: number;
  /** The outcomes and churn reasons managers complete tasks with, JSON. @default - the default lists */
  readonly taskLists?: string;
}

export interface ComebackStacks {
  readonly data: ComebackDataStack;
  readonly api: ComebackApiStack;
  /** The console: its files on S3 behind CloudFront, which also fronts the API at /v1/*. */
  readonly console: ComebackConsoleStack;
}

export function createComebackStacks(app: App, options: ComebackStacksOptions): ComebackStacks {
  const prefix = options.stackPrefix ?? 'Comeback';
  const common = { ...(options.env ? { env: options.env } : {}), tags: { application: 'comeback' } };
  const data = new ComebackDataStack(app, `${prefix}Data`, {
    ...common,
    description: 'Comeback data: the customers, orders and refunds table (retained on deletion).',
  });
  const api = new ComebackApiStack(app, `${prefix}Api`, {
    ...common,
    description: 'Comeback API: webhook, customer and admin functions, the HTTP API and its secrets, journeys, delivery, nightly recompute, loyalty and co-purchase schedules, dashboard and alarms.',
    table: data.table,
    tracing: options.tracing ?? false,
    journeys: options.journeys,
    ...(options.shopName !== undefined ? { shopName: options.shopName } : {}),
    delivery: options.delivery,
    ...(options.recomputeSettings !== undefined ? { recomputeSettings: options.recomputeSettings } : {}),
    ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
    ...(options.platformSettings ? { platformSettings: options.platformSettings } : {}),
    ...(options.syncDays !== undefined ? { syncDays: options.syncDays } : {}),
    ...(options.taskLists !== undefined ? { taskLists: options.taskLists } : {}),
  });
  const consoleStack = new ComebackConsoleStack(app, `${prefix}Console`, {
    ...common,
    description: 'Comeback console: the web console on S3 behind CloudFront (origin access control), with the HTTP API at /v1/* on the same origin.',
    httpApi: api.api.httpApi,
    login: api.login,
  });
  return { data, api, console: consoleStack };
}
