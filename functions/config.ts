/**
 * Configuration comes from the environment, read once per module through a zod schema. A missing or
 * malformed variable stops start-up with a message that names it. No other module reads process.env.
 * Each schema is built in a function called at once and annotated `@__PURE__`, so
 * that a Lambda bundle whose handler never reads it leaves it out (esbuild keeps a module-level call
 * in every bundle that imports the module; 3-6 KB of each bundle).
 */
import * as z from './core/zod.ts';
import { taskListsFromJson } from './core/delivery/task-lists.ts';
import { defaultBrand, type Brand } from './core/delivery/types.ts';
import { shopNameFromUrl } from './core/pages/html.ts';
import { hasNumberingPlan } from './core/phone-numbers.ts';
import { defaultCountedShopifyStatuses, shopifyFinancialStatuses, wooCommerceConsentSettings } from './core/platforms/lifecycle.ts';

export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';
}

export function readConfig<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

const nonEmpty = /* @__PURE__ */ (() => z.string().check(z.trim(), z.minLength(1)))();

/** Where the table is; DYNAMODB_ENDPOINT is set only by the local host and tests (DynamoDB Local). */
export const tableEnv = /* @__PURE__ */ (() => z.object({
  TABLE_NAME: nonEmpty,
  DYNAMODB_ENDPOINT: z.optional(z.url()),
}))();

/**
 * How long the events of a customer's history are kept: every message log entry and manager task
 * expires (DynamoDB TTL) this many days after it happened or fell due. Orders, profiles, points and
 * feedback are kept. Two years by default: the longest window any report or guardrail reads is one.
 */
export const retentionEnv = /* @__PURE__ */ (() => z.object({
  COMEBACK_EVENT_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(30), z.lte(3650)), 730),
}))();

/**
 * A secret is given either as its value (local host: comma-separated for rotation) or as the ARN of
 * a Secrets Manager secret (AWS), never both.
 */
export function secretEnv(name: string) {
  const arn = `${name}_ARN`;
  const shape: Record<string, z.ZodMiniOptional<z.ZodMiniString>> = { [name]: z.optional(nonEmpty), [arn]: z.optional(nonEmpty) };
  return z.object(shape).check(z.refine((env) => (env[name] === undefined) !== (env[arn] === undefined), {
    message: `set exactly one of ${name} or ${arn}`,
    path: [name],
  }));
}

/** How a handler finds one secret: its value(s) or the Secrets Manager ARN holding them. */
export type SecretReference = { values: string[] } | { arn: string };

export function secretReference(env: Record<string, string | undefined>, name: string): SecretReference {
  const arn = env[`${name}_ARN`];
  if (arn) return { arn };
  return { values: splitSecrets(env[name] ?? '') };
}

export function splitSecrets(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
}

const colour = /* @__PURE__ */ (() => z.string().check(z.trim(), z.regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb')))();

/**
 * How the shop looks in its emails; every setting is optional. The shop's name defaults to the host
 * of COMEBACK_SHOP_URL (as on the customer pages), the sender name to the shop's name.
 */
export const brandEnv = /* @__PURE__ */ (() => z.object({
  COMEBACK_SHOP_URL: z.optional(z.url({ protocol: /^https?$/ })),
  COMEBACK_SHOP_NAME: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  /** An https address of the logo shown above every email (at most 200 x 80 px shown). */
  COMEBACK_LOGO_URL: z.optional(z.url({ protocol: /^https$/ })),
  /** Accent colour of the emails. */
  COMEBACK_BRAND_COLOR: z._default(colour, '#1f6f5c'),
  /** The colour around the message. */
  COMEBACK_BACKGROUND_COLOR: z._default(colour, '#f4f4f4'),
  /** The shop's postal address in every email's footer; `\n` (typed as two characters) breaks lines. */
  COMEBACK_POSTAL_ADDRESS: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(300))),
  /** The name the emails come from ("Name" <COMEBACK_EMAIL_FROM>). */
  COMEBACK_SENDER_NAME: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  /** The most parts an SMS may take (GSM-7: 153 characters a part, Cyrillic: 67); longer ones are refused. */
  COMEBACK_SMS_MAX_SEGMENTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10)), 2),
}))();

export type BrandConfig = z.output<typeof brandEnv>;

/** The brand settings as the email layout needs them. */
export function brandOf(config: BrandConfig): Brand {
  const url = config.COMEBACK_SHOP_URL;
  return {
    shopName: config.COMEBACK_SHOP_NAME ?? (url ? shopNameFromUrl(url) : defaultBrand.shopName),
    ...(url ? { shopUrl: url } : {}),
    ...(config.COMEBACK_LOGO_URL ? { logoUrl: config.COMEBACK_LOGO_URL } : {}),
    color: config.COMEBACK_BRAND_COLOR,
    background: config.COMEBACK_BACKGROUND_COLOR,
    ...(config.COMEBACK_POSTAL_ADDRESS ? { postalAddress: config.COMEBACK_POSTAL_ADDRESS.replace(/\\n/g, '\n') } : {}),
  };
}

/** The storefronts Comeback can create discount codes in; `pool` hands out codes the store uploaded, `none` offers no code. */
export const storefronts = ['shopify', 'woocommerce', 'pool', 'none'] as const;

/**
 * Where the discount codes in messages come from (functions/adapters/discounts.ts). Credentials are
 * secrets: the value locally, the ARN of a Secrets Manager secret on AWS. The WooCommerce credentials
 * are one value, `<consumer key>:<consumer secret>`.
 */
export const storefrontEnv = /* @__PURE__ */ (() => z.object({
    COMEBACK_STOREFRONT: z._default(z.enum(storefronts), 'none'),
    /** Percent off the order a message's code gives. */
    COMEBACK_DISCOUNT_PERCENT: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 10),
    /** Days a code is valid from the moment the message carrying it is sent. */
    COMEBACK_DISCOUNT_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(365)), 30),
    /** Percent off a referred friend's order that the referral code gives in the store. */
    COMEBACK_REFERRAL_PERCENT: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 10),
    COMEBACK_SHOPIFY_STORE_DOMAIN: z.optional(z.string().check(z.trim(), z.regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'a myshopify.com domain'))),
    COMEBACK_SHOPIFY_API_VERSION: z._default(z.string().check(z.trim(), z.regex(/^(\d{4}-(01|04|07|10)|unstable)$/, 'a Shopify API version such as 2026-10')), '2026-10'),
    /** Another origin for the Shopify Admin API: a local stand-in for the store (tests, the local host). */
    COMEBACK_SHOPIFY_API_ORIGIN: z.optional(z.url({ protocol: /^https?$/ })),
    COMEBACK_SHOPIFY_ACCESS_TOKEN: z.optional(nonEmpty),
    COMEBACK_SHOPIFY_ACCESS_TOKEN_ARN: z.optional(nonEmpty),
    COMEBACK_WOOCOMMERCE_URL: z.optional(z.url({ protocol: /^https?$/ })),
    COMEBACK_WOOCOMMERCE_CREDENTIALS: z.optional(z.string().check(z.trim(), z.regex(/^[^:,\s]+:[^:,\s]+$/, '<consumer key>:<consumer secret>'))),
    COMEBACK_WOOCOMMERCE_CREDENTIALS_ARN: z.optional(nonEmpty),
  }).check(z.superRefine((env, context) => {
    const needs = (name: keyof typeof env, alternative?: keyof typeof env) => {
      if (env[name] === undefined && (alternative === undefined || env[alternative] === undefined)) {
        context.addIssue({ code: 'custom', path: [name], message: `COMEBACK_STOREFRONT=${env.COMEBACK_STOREFRONT} needs ${name}${alternative ? ` or ${alternative}` : ''}` });
      }
    };
    if (env.COMEBACK_STOREFRONT === 'shopify') {
      needs('COMEBACK_SHOPIFY_STORE_DOMAIN');
      needs('COMEBACK_SHOPIFY_ACCESS_TOKEN', 'COMEBACK_SHOPIFY_ACCESS_TOKEN_ARN');
    }
    if (env.COMEBACK_STOREFRONT === 'woocommerce') {
      needs('COMEBACK_WOOCOMMERCE_URL');
      needs('COMEBACK_WOOCOMMERCE_CREDENTIALS', 'COMEBACK_WOOCOMMERCE_CREDENTIALS_ARN');
    }
  })))();

export type StorefrontConfig = z.output<typeof storefrontEnv>;

/**
 * How the platforms' order webhooks are read (functions/core/platforms). Every setting is optional
 * and documented in the README. Built in a pure-annotated function so that a bundle whose handler
 * never reads it leaves it out, and with it libphonenumber-js (42 KiB, its metadata a file beside
 * the bundles that read phone numbers: functions/core/phone-numbers.ts): a module-level
 * `z.object(...)` call is kept by esbuild in every bundle that imports this module.
 */
export const platformEnv = /* @__PURE__ */ (() => z.object({
  /**
   * ISO 3166-1 alpha-2 country a phone number written without its country code is read in, when the
   * order's billing and shipping addresses name no country. Without it such a number is dropped.
   */
  COMEBACK_DEFAULT_COUNTRY: z.optional(
    z.pipe(z.string().check(z.trim()), z.transform((value) => value.toUpperCase())).check(z.refine((value) => hasNumberingPlan(value), 'an ISO 3166-1 alpha-2 country code with a telephone numbering plan, like US or UA')),
  ),
  /** Shopify financial statuses of orders that count as purchases, comma-separated. */
  COMEBACK_SHOPIFY_COUNTED_STATUSES: z.pipe(z.pipe(z._default(z.string(), defaultCountedShopifyStatuses.join(',')), z.transform((value) => value.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part.length > 0))), z.array(z.enum(shopifyFinancialStatuses)).check(z.minLength(1, 'at least one financial status'))),
  /**
   * What a WooCommerce checkout means for marketing consent, which WooCommerce does not record:
   * `none` (the default: no marketing without consent given through the consent route), `email`,
   * or `email+sms` (the store's checkout itself asks for it, so every order states it).
   */
  COMEBACK_WOOCOMMERCE_MARKETING_CONSENT: z._default(z.enum(wooCommerceConsentSettings), 'none'),
}))();

export type PlatformConfig = z.output<typeof platformEnv>;

/**
 * The nightly reconciliation (functions/handlers/nightly-sync.ts): how many days back it asks the
 * store's platform (COMEBACK_STOREFRONT shopify or woocommerce) for orders created or changed.
 */
export const syncEnv = /* @__PURE__ */ (() => z.object({
  COMEBACK_SYNC_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(60)), 3),
}))();

/**
 * Imports uploaded to S3 (functions/adapters/import-uploads.ts). Set on AWS only, on the import
 * route's function; a host without it (the local host) takes import files in the request body.
 * S3_ENDPOINT points the S3 client elsewhere (tests).
 */
export const importUploadEnv = /* @__PURE__ */ (() => z.object({
  COMEBACK_IMPORT_BUCKET: z.optional(nonEmpty),
  S3_ENDPOINT: z.optional(z.url()),
}))();

export type ImportUploadConfig = z.output<typeof importUploadEnv>;

/**
 * The outcomes and churn reasons a manager chooses from (functions/core/delivery/task-lists.ts), one
 * JSON document such as {"outcomes":["Reached","No answer"],"churnReasons":["price","other"]}; the
 * defaults without it. Read by the task routes and GET /v1/metrics.
 */
export const taskListsEnv = /* @__PURE__ */ (() => z.object({
  COMEBACK_TASK_LISTS: z.pipe(z.optional(z.string()), z.transform((value, context) => {
      try {
        return taskListsFromJson(value);
      } catch (error) {
        context.issues.push({ code: 'custom', input: value, message: (error as Error).message });
        return z.NEVER;
      }
    })),
}))();

/**
 * How admins log in. `token` (the local host's default): the admin token, COMEBACK_ADMIN_TOKEN or
 * its ARN. `cognito` (set by the CDK app on every admin function): a Cognito access token, which
 * API Gateway's JWT authorizer has verified and whose claims it passes in the event; a route the
 * storefront signs too has no authorizer, and verifies the token itself against
 * COMEBACK_COGNITO_ISSUER (the user pool's issuer URL) and COMEBACK_COGNITO_CLIENT_ID (the console's
 * app client).
 */
export const adminLoginEnv = /* @__PURE__ */ (() => z.object({
    COMEBACK_ADMIN_LOGIN: z._default(z.enum(['token', 'cognito']), 'token'),
    COMEBACK_COGNITO_ISSUER: z.optional(z.url({ protocol: /^https?$/ })),
    COMEBACK_COGNITO_CLIENT_ID: z.optional(nonEmpty),
  }).check(z.refine((env) => (env.COMEBACK_COGNITO_ISSUER === undefined) === (env.COMEBACK_COGNITO_CLIENT_ID === undefined), {
    message: 'set both COMEBACK_COGNITO_ISSUER and COMEBACK_COGNITO_CLIENT_ID, or neither',
    path: ['COMEBACK_COGNITO_ISSUER'],
  })))();

export type AdminLoginConfig = z.output<typeof adminLoginEnv>;
