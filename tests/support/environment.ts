/**
 * The environment every test file starts with: what the local host gives the handlers, pointed at
 * the run's DynamoDB Local and at this file's own journey runtime (virtual clock, the state
 * machines run by the ASL interpreter). Handlers read it once, when first imported.
 */
import { afterAll, inject } from 'vitest';
import { localCredentials, localRegion } from '../../lib/local/dynamodb-local.ts';
import { startJourneyRuntime } from '../../lib/local/journey-runtime.ts';

export const TEST_WEBHOOK_SECRETS = ['whsec_test_current', 'whsec_test_previous'];
export const TEST_SHOPIFY_SECRET = 'shpss_test';
export const TEST_WOOCOMMERCE_SECRET = 'wc_test';
export const TEST_ADMIN_TOKEN = 'admin_test_token';
export const TEST_UNSUBSCRIBE_SECRET = 'unsub_test';
export const TEST_FEEDBACK_SECRET = 'feedback_test';

/** Test files share one table; each file has its own clock and state machines. */
/** Only the journey sweep runs by itself; tests of other jobs run them with runJob(). */
export const journeyRuntime = await startJourneyRuntime({ start: new Date('2026-06-01T12:00:00Z'), schedule: ['journey-sweep'] });

Object.assign(process.env, {
  TABLE_NAME: 'comeback-test',
  DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
  AWS_REGION: localRegion,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  COMEBACK_WEBHOOK_SECRET: TEST_WEBHOOK_SECRETS.join(','),
  COMEBACK_SHOPIFY_SECRET: TEST_SHOPIFY_SECRET,
  COMEBACK_WOOCOMMERCE_SECRET: TEST_WOOCOMMERCE_SECRET,
  COMEBACK_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  COMEBACK_UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
  COMEBACK_FEEDBACK_SECRET: TEST_FEEDBACK_SECRET,
  COMEBACK_DELIVERY: 'outbox',
  COMEBACK_OUTBOX_PRINT: 'off',
  COMEBACK_PUBLIC_URL: 'https://comeback.test',
  COMEBACK_HOLDOUT_SHARE: '0',
  COMEBACK_SHOP_URL: 'https://shop.test',
  COMEBACK_SUPPORT_CONTACT: 'support@shop.test',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  ...journeyRuntime.environment,
});
// The scheduled jobs start once the handlers' environment is in place.
await journeyRuntime.resume();

afterAll(async () => {
  await journeyRuntime.stop();
});
