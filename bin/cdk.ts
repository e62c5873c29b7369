/**
 * The CDK app: `npx cdk deploy --all` into the store's own account.
 *
 * The store's settings are CDK context, set in cdk.json ("context") or with `-c key=value`:
 *
 * | context key                    | required | default                  | what it is                                                     |
 * |--------------------------------|----------|--------------------------|----------------------------------------------------------------|
 * | `comeback:shopUrl`             | yes      |                          | the web shop, linked from messages                             |
 * | `comeback:supportContact`      | yes      |                          | how customers reach the store, quoted in messages              |
 * | `comeback:shopName`            | no       | the host of shopUrl      | the shop's name on the pages customers open from messages      |
 * | `comeback:emailFrom`           | yes      |                          | the sender of every email: `Shop <hello@example.com>`          |
 * | `comeback:emailIdentity`       | no       | the domain of emailFrom  | the SES identity that covers the sender (a domain or the address) |
 * | `comeback:createEmailIdentity` | no       | true                     | false when that identity already exists in SES (account, region) |
 * | `comeback:holdoutShare`        | no       | 0.1                      | share of journey entries held out as the control group, 0-0.5  |
 * | `comeback:managerEmail`        | no       | none                     | subscribed to the manager task notifications                   |
 * | `comeback:alarmEmail`          | no       | none                     | subscribed to the alarm notifications                          |
 * | `comeback:publicUrl`           | no       | the HTTP API's URL       | the API's public base URL when served under the store's domain |
 * | `comeback:recomputeSettings`   | no       | every default            | overrides of the recompute rules, one JSON document            |
 * | `comeback:tracing`             | no       | false                    | active X-Ray tracing of the functions and state machines       |
 * | `comeback:stackPrefix`         | no       | `Comeback`               | names the stacks `<prefix>Data` and `<prefix>Api`              |
 * | `comeback:storefront`          | no       | `{"kind":"none"}`        | where discount codes come from, JSON (ComebackStorefrontProps) |
 * | `comeback:brand`               | no       | `{}`                     | how emails look, JSON (ComebackBrand): logoUrl, brandColor, backgroundColor, postalAddress, senderName, smsMaxSegments |
 * | `comeback:defaultCountry`      | no       | none                     | ISO 3166 country national phone numbers on orders are read in  |
 * | `comeback:shopifyCountedStatuses` | no    | `paid,partially_paid,authorized` | Shopify financial statuses that count, comma-separated |
 * | `comeback:wooCommerceMarketingConsent` | no | `none`               | what a WooCommerce checkout states: none, email or email+sms   |
 * | `comeback:syncDays`            | no       | 3                        | days back the nightly sync with a shopify/woocommerce storefront reads |
 * | `comeback:taskLists`           | no       | the default lists        | the outcomes and churn reasons managers choose, JSON: {"outcomes":[...],"churnReasons":[...]} |
 *
 * For example: `npx cdk deploy --all -c comeback:shopUrl=https://shop.example.com
 * -c comeback:supportContact=help@example.com -c "comeback:emailFrom=Example Shop <hello@example.com>"`.
 *
 * cdk-nag's AwsSolutions checks run on every synth; a finding stops it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createComebackStacks } from '../lib/cdk/comeback-app.ts';
import type { ComebackBrand } from '../lib/cdk/comeback-brand.ts';
import type { ComebackStorefrontProps } from '../lib/cdk/comeback-storefront.ts';

const app = new App();

const REQUIRED = ['comeback:shopUrl', 'comeback:supportContact', 'comeback:emailFrom'] as const;

/** A context value as text: `-c` gives strings, cdk.json any JSON value. */
function text(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  const string = typeof value === 'string' ? value : JSON.stringify(value);
  return string.trim().length > 0 ? string.trim() : undefined;
}

function flag(key: string): boolean | undefined {
  const value = text(key);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw new Error(`the context value ${key} must be true or false, not ${value}`);
  return value === 'true';
}

const missing = REQUIRED.filter((key) => text(key) === undefined);
if (missing.length > 0) {
  console.error(
    `Comeback needs the store's settings before it can be synthesized. Missing: ${missing.join(', ')}.\n` +
      'Set them in the "context" of cdk.json or with -c, for example:\n' +
      '  npx cdk deploy --all -c comeback:shopUrl=https://shop.example.com -c comeback:supportContact=help@example.com ' +
      '-c "comeback:emailFrom=Example Shop <hello@example.com>"',
  );
  process.exit(1);
}

const holdoutShare = text('comeback:holdoutShare');
const shopName = text('comeback:shopName');
const stackPrefix = text('comeback:stackPrefix');
const emailIdentity = text('comeback:emailIdentity');
const createEmailIdentity = flag('comeback:createEmailIdentity');
const managerEmail = text('comeback:managerEmail');
const publicUrl = text('comeback:publicUrl');
const recomputeSettings = text('comeback:recomputeSettings');
const alarmEmail = text('comeback:alarmEmail');
const storefront = text('comeback:storefront');
const brand = text('comeback:brand');
const defaultCountry = text('comeback:defaultCountry');
const shopifyCountedStatuses = text('comeback:shopifyCountedStatuses');
const wooCommerceMarketingConsent = text('comeback:wooCommerceMarketingConsent');
const syncDays = text('comeback:syncDays');
const taskLists = text('comeback:taskLists');
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

createComebackStacks(app, {
  tracing: flag('comeback:tracing') ?? false,
  ...(stackPrefix ? { stackPrefix } : {}),
  ...(account && region ? { env: { account, region } } : {}),
  journeys: {
    shopUrl: text('comeback:shopUrl')!,
    supportContact: text('comeback:supportContact')!,
    ...(shopName ? { shopName } : {}),
    ...(holdoutShare !== undefined ? { holdoutShare: Number(holdoutShare) } : {}),
  },
  delivery: {
    emailFrom: text('comeback:emailFrom')!,
    ...(emailIdentity ? { emailIdentity } : {}),
    ...(createEmailIdentity !== undefined ? { createEmailIdentity } : {}),
    ...(managerEmail ? { managerEmail } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    // Checked by ComebackStorefront: the kind, and the domain or address it needs.
    ...(storefront ? { storefront: JSON.parse(storefront) as ComebackStorefrontProps } : {}),
    // Checked by brandEnvironment, with the functions' own schema.
    ...(brand ? { brand: JSON.parse(brand) as ComebackBrand } : {}),
  },
  ...(recomputeSettings ? { recomputeSettings } : {}),
  ...(alarmEmail ? { alarmEmail } : {}),
  // Checked by ComebackFunction.bindPlatformSettings and ComebackSync.
  platformSettings: {
    ...(defaultCountry ? { defaultCountry: defaultCountry.toUpperCase() } : {}),
    ...(shopifyCountedStatuses ? { shopifyCountedStatuses: shopifyCountedStatuses.split(',').map((status) => status.trim().toLowerCase()).filter(Boolean) } : {}),
    ...(wooCommerceMarketingConsent ? { wooCommerceMarketingConsent } : {}),
  },
  ...(syncDays !== undefined ? { syncDays: Number(syncDays) } : {}),
  // Checked by ComebackApiStack with the functions' own schema.
  ...(taskLists ? { taskLists } : {}),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
