/**
 * The Comeback stacks, as `bin/cdk.ts` deploys them and the infrastructure tests check them:
 * the stateful data stack first, then the stateless API stack that takes its table.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { ComebackApiStack } from './comeback-api-stack.ts';
import { ComebackDataStack } from './comeback-data.ts';

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
}

export interface ComebackStacks {
  readonly data: ComebackDataStack;
  readonly api: ComebackApiStack;
}

export function createComebackStacks(app: App, options: ComebackStacksOptions = {}): ComebackStacks {
  const prefix = options.stackPrefix ?? 'Comeback';
  const common = { ...(options.env ? { env: options.env } : {}), tags: { application: 'comeback' } };
  const data = new ComebackDataStack(app, `${prefix}Data`, {
    ...common,
    description: 'Comeback data: the customers, orders and refunds table (retained on deletion).',
  });
  const api = new ComebackApiStack(app, `${prefix}Api`, {
    ...common,
    description: 'Comeback API: webhook and customer functions, the HTTP API and its secrets.',
    table: data.table,
    tracing: options.tracing ?? false,
  });
  return { data, api };
}
