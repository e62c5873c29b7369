/**
 * The Comeback stacks, as `bin/cdk.ts` deploys them and the infrastructure tests check them:
 * the stateful data stack first, then the stateless API stack that takes its table.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { ComebackApiStack, type ComebackApiStackProps } from './comeback-api-stack.ts';
import { ComebackConsoleStack } from './comeback-console.ts';
import { ComebackDataStack } from './comeback-data.ts';

/**
 * The store's settings, passed to the API stack as they are: their meaning and defaults are
 * documented once, on ComebackApiStackProps.
 */
type StoreSettings = Pick<ComebackApiStackProps, 'journeys' | 'shopName' | 'delivery' | 'recomputeSettings' | 'alarmEmail' | 'platformSettings' | 'syncDays' | 'taskLists'>;

export interface ComebackStacksOptions extends StoreSettings {
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
}

export interface ComebackStacks {
  readonly data: ComebackDataStack;
  readonly api: ComebackApiStack;
  /** The console: its files on S3 behind CloudFront, which also fronts the API at /v1/*. */
  readonly console: ComebackConsoleStack;
}

export function createComebackStacks(app: App, options: ComebackStacksOptions): ComebackStacks {
  const { env, tracing, stackPrefix, ...settings } = options;
  const prefix = stackPrefix ?? 'Comeback';
  const common = { ...(env ? { env } : {}), tags: { application: 'comeback' } };
  const data = new ComebackDataStack(app, `${prefix}Data`, {
    ...common,
    description: 'Comeback data: the customers, orders and refunds table (retained on deletion).',
  });
  const api = new ComebackApiStack(app, `${prefix}Api`, {
    ...common,
    description: 'Comeback API: webhook, customer and admin functions, the HTTP API and its secrets, journeys, delivery, nightly recompute, loyalty and co-purchase schedules, dashboard and alarms.',
    table: data.table,
    tracing: tracing ?? false,
    ...settings,
  });
  const consoleStack = new ComebackConsoleStack(app, `${prefix}Console`, {
    ...common,
    description: 'Comeback console: the web console on S3 behind CloudFront (origin access control), with the HTTP API at /v1/* on the same origin.',
    httpApi: api.api.httpApi,
    login: api.login,
  });
  return { data, api, console: consoleStack };
}
