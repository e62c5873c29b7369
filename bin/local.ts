/**
 * `npm start`: the whole system on this machine, no AWS. Starts DynamoDB Local (data kept under
 * COMEBACK_DATA_DIR), serves the HTTP API with the deployed handlers, and shows a signed sample
 * purchase going through.
 */
import { ConfigurationError } from '../functions/config.ts';
import { readLocalHostConfig, devDefaults, type LocalHostConfig } from '../lib/local/config.ts';
import { JavaMissingError } from '../lib/local/dynamodb-local.ts';
import { startLocalHost } from '../lib/local/host.ts';
import { postSignedPurchase, fetchCustomer } from '../lib/local/client.ts';
import { samplePurchase } from '../lib/local/sample.ts';
import { CONSOLE_PATH, consolePages } from '../lib/local/console.ts';

async function main(): Promise<void> {
  const config = readLocalHostConfig();
  const host = await startLocalHost({
    port: config.PORT,
    dataDir: config.COMEBACK_DATA_DIR,
    secrets: {
      COMEBACK_WEBHOOK_SECRET: config.COMEBACK_WEBHOOK_SECRET,
      COMEBACK_SHOPIFY_SECRET: config.COMEBACK_SHOPIFY_SECRET,
      COMEBACK_WOOCOMMERCE_SECRET: config.COMEBACK_WOOCOMMERCE_SECRET,
      COMEBACK_ADMIN_TOKEN: config.COMEBACK_ADMIN_TOKEN,
      COMEBACK_UNSUBSCRIBE_SECRET: config.COMEBACK_UNSUBSCRIBE_SECRET,
      COMEBACK_FEEDBACK_SECRET: config.COMEBACK_FEEDBACK_SECRET,
    },
    settings: {
      COMEBACK_HOLDOUT_SHARE: config.COMEBACK_HOLDOUT_SHARE,
      COMEBACK_SHOP_URL: config.COMEBACK_SHOP_URL,
      COMEBACK_SUPPORT_CONTACT: config.COMEBACK_SUPPORT_CONTACT,
    },
    ...(config.COMEBACK_CLOCK_START ? { clockStart: config.COMEBACK_CLOCK_START } : {}),
    log: (line) => console.log(`  ${line}`),
    ...(config.COMEBACK_COGNITO_ISSUER && config.COMEBACK_COGNITO_CLIENT_ID ? { adminLogin: { issuer: config.COMEBACK_COGNITO_ISSUER, clientId: config.COMEBACK_COGNITO_CLIENT_ID } } : {}),
    // The console is built in memory, at its first request (about a second).
    pages: consolePages(
      undefined,
      config.COMEBACK_COGNITO_DOMAIN && config.COMEBACK_COGNITO_CLIENT_ID ? { login: { kind: 'cognito', domain: config.COMEBACK_COGNITO_DOMAIN, clientId: config.COMEBACK_COGNITO_CLIENT_ID } } : undefined,
    ),
  });
  printBanner(host.url, config, { now: host.journeys.clock.now(), resumed: host.resumedExecutions });
  if (config.COMEBACK_DEMO === 'on') await showItWorking(host.url, config);
  console.log(`listening on ${host.url} (Ctrl+C to stop)`);
  const stop = () => {
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function printBanner(url: string, config: LocalHostConfig, clock: { now: Date; resumed: number }): void {
  const shown = (name: keyof typeof devDefaults) => `${name}=${String(config[name])}${config[name] === devDefaults[name] ? '  (dev default)' : ''}`;
  console.log(`
Comeback is running locally at ${url}
  data:        ${config.COMEBACK_DATA_DIR} (DynamoDB Local, the virtual clock and waiting journeys; delete it to start over)
  clock:       ${clock.now.toISOString()} (virtual: moves only when you advance or set it)
  journeys:    ${clock.resumed} waiting execution${clock.resumed === 1 ? '' : 's'} resumed
  API:         ${url}/openapi.json
  console:     ${url}${CONSOLE_PATH}  (log in ${config.COMEBACK_COGNITO_DOMAIN ? `through ${config.COMEBACK_COGNITO_DOMAIN}` : 'with COMEBACK_ADMIN_TOKEN below'})
  ${shown('COMEBACK_WEBHOOK_SECRET')}
  ${shown('COMEBACK_SHOPIFY_SECRET')}
  ${shown('COMEBACK_WOOCOMMERCE_SECRET')}
  ${shown('COMEBACK_ADMIN_TOKEN')}
  ${shown('COMEBACK_UNSUBSCRIBE_SECRET')}
  ${shown('COMEBACK_FEEDBACK_SECRET')}
  ${shown('COMEBACK_HOLDOUT_SHARE')}

Try it from another terminal:
  npm run comeback -- sample-purchase --customer cust-1001     # post a signed sample purchase
  npm run comeback -- customer cust-1001                       # see the customer's profile
  curl -H "Authorization: Bearer ${config.COMEBACK_ADMIN_TOKEN}" ${url}/v1/customers/cust-1001
`);
}

/** Posts one fixed sample order (idempotent: a restart answers "duplicate") and shows the profile. */
async function showItWorking(url: string, config: LocalHostConfig): Promise<void> {
  const secret = config.COMEBACK_WEBHOOK_SECRET.split(',')[0]?.trim() ?? '';
  const purchase = samplePurchase({ orderId: 'demo-order-1', customerId: 'demo-customer', placedAt: new Date('2026-01-15T10:30:00+02:00') });
  const answer = await postSignedPurchase(url, secret, purchase);
  console.log(`demo: POST /v1/purchases (signed) -> ${answer.status} ${JSON.stringify(answer.body)}`);
  const customer = await fetchCustomer(url, config.COMEBACK_ADMIN_TOKEN, 'demo-customer');
  const profile = (customer.body as { profile?: Record<string, unknown> }).profile ?? {};
  console.log(
    `demo: GET /v1/customers/demo-customer -> ${customer.status} orderCount=${String(profile['orderCount'])} netRevenueMinor=${String(profile['netRevenueMinor'])} ${String(profile['currency'])}\n`,
  );
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigurationError || error instanceof JavaMissingError;
  console.error(`comeback: ${known ? (error as Error).message : `could not start: ${(error as Error).message}`}`);
  process.exit(1);
});
