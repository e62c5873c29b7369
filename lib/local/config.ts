/**
 * Configuration of the local host and the CLI. Unlike deployed code, these have development
 * defaults, printed at start, so `npm start` works on a fresh machine with no setup.
 */
import * as z from 'zod';
import { readConfig, splitSecrets, storefrontEnv, taskListsEnv } from '../../functions/config.ts';

export const devDefaults = {
  PORT: 3000,
  COMEBACK_DATA_DIR: '.comeback/data',
  COMEBACK_WEBHOOK_SECRET: 'whsec_dev_comeback',
  COMEBACK_SHOPIFY_SECRET: 'shpss_dev_comeback',
  COMEBACK_WOOCOMMERCE_SECRET: 'wc_dev_comeback',
  COMEBACK_ADMIN_TOKEN: 'dev-admin-token',
  COMEBACK_UNSUBSCRIBE_SECRET: 'unsub_dev_comeback',
  COMEBACK_FEEDBACK_SECRET: 'feedback_dev_comeback',
  COMEBACK_HOLDOUT_SHARE: '0',
  COMEBACK_SHOP_URL: 'https://shop.example.com',
  COMEBACK_SUPPORT_CONTACT: 'support@shop.example.com',
};

const secret = (fallback: string) => z.string().trim().min(1).default(fallback);

export const localHostEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(devDefaults.PORT),
  COMEBACK_DATA_DIR: z.string().trim().min(1).default(devDefaults.COMEBACK_DATA_DIR),
  COMEBACK_WEBHOOK_SECRET: secret(devDefaults.COMEBACK_WEBHOOK_SECRET).refine((value) => splitSecrets(value).length > 0, 'at least one secret'),
  COMEBACK_SHOPIFY_SECRET: secret(devDefaults.COMEBACK_SHOPIFY_SECRET),
  COMEBACK_WOOCOMMERCE_SECRET: secret(devDefaults.COMEBACK_WOOCOMMERCE_SECRET),
  COMEBACK_ADMIN_TOKEN: secret(devDefaults.COMEBACK_ADMIN_TOKEN),
  COMEBACK_UNSUBSCRIBE_SECRET: secret(devDefaults.COMEBACK_UNSUBSCRIBE_SECRET),
  COMEBACK_FEEDBACK_SECRET: secret(devDefaults.COMEBACK_FEEDBACK_SECRET),
  /** Share of journey entrants held out of messages (0..0.5), to measure uplift against. */
  COMEBACK_HOLDOUT_SHARE: z.string().regex(/^(0(\.\d+)?|0?\.\d+)$/, 'a share between 0 and 0.5, like 0.1').refine((value) => Number(value) <= 0.5, 'at most 0.5').default(devDefaults.COMEBACK_HOLDOUT_SHARE),
  COMEBACK_SHOP_URL: z.url().default(devDefaults.COMEBACK_SHOP_URL),
  COMEBACK_SUPPORT_CONTACT: secret(devDefaults.COMEBACK_SUPPORT_CONTACT),
  COMEBACK_DEMO: z.enum(['on', 'off']).default('on'),
  /** Where the virtual clock of a new data directory starts (ISO 8601); the real time when absent. */
  COMEBACK_CLOCK_START: z.iso.datetime({ offset: true }).transform((value) => new Date(value)).optional(),
  /**
   * Admins log in with a Cognito user pool (or a stand-in for one) instead of the admin token, as on
   * AWS: its issuer URL, the console's app client, and the login domain the console sends people to.
   * All three or none.
   */
  COMEBACK_COGNITO_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  COMEBACK_COGNITO_CLIENT_ID: z.string().trim().min(1).optional(),
  COMEBACK_COGNITO_DOMAIN: z.url({ protocol: /^https?$/ }).optional(),
}).refine((env) => new Set([env.COMEBACK_COGNITO_ISSUER, env.COMEBACK_COGNITO_CLIENT_ID, env.COMEBACK_COGNITO_DOMAIN].map((value) => value === undefined)).size === 1, {
  message: 'set all of COMEBACK_COGNITO_ISSUER, COMEBACK_COGNITO_CLIENT_ID and COMEBACK_COGNITO_DOMAIN, or none',
  path: ['COMEBACK_COGNITO_ISSUER'],
});

export type LocalHostConfig = z.output<typeof localHostEnv>;

export const cliEnv = z.object({
  COMEBACK_URL: z.url().default(`http://127.0.0.1:${devDefaults.PORT}`),
  COMEBACK_WEBHOOK_SECRET: secret(devDefaults.COMEBACK_WEBHOOK_SECRET),
  COMEBACK_ADMIN_TOKEN: secret(devDefaults.COMEBACK_ADMIN_TOKEN),
  /** Set by npm: the directory `npm run` was typed in (npm runs the script in the package root). */
  INIT_CWD: z.string().min(1).optional(),
  /** Set by npm: the script it runs; INIT_CWD is only the user's directory when it is ours. */
  npm_lifecycle_event: z.string().optional(),
});

export type CliConfig = z.output<typeof cliEnv>;

/**
 * The directory relative paths on the command line are read from: where the user typed
 * `npm run comeback -- ...`, not the package root npm moved to; the current one otherwise.
 */
export function userDirectory(env: CliConfig, cwd: string = process.cwd()): string {
  return env.npm_lifecycle_event === 'comeback' && env.INIT_CWD ? env.INIT_CWD : cwd;
}

export function readLocalHostConfig(env: NodeJS.ProcessEnv = process.env): LocalHostConfig {
  // The storefront settings (COMEBACK_STOREFRONT and the rest) reach the handlers as they are; a
  // wrong one stops the host at start, named, rather than the first message that offers a code.
  readConfig(storefrontEnv, env);
  // So are the task lists (COMEBACK_TASK_LISTS).
  readConfig(taskListsEnv, env);
  return readConfig(localHostEnv, env);
}
