/**
 * The environment every test file starts with: what the local host gives the handlers, pointed at
 * the run's DynamoDB Local and at this file's own journey runtime (virtual clock, the state
 * machines run by the ASL interpreter). Handlers read it once, when first imported.
 *
 * Each file has a table of its own: the file's journey runtime reads that table's stream and runs
 * the purchase reactions of what the file recorded (with the file's clock and state machines), never
 * another file's. The runtime does not poll: a test that records a purchase and reads what follows
 * awaits `journeyRuntime.settled()` (or moves the clock, which settles first), so no test depends on
 * how soon a poll comes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { ensureTable, localCredentials, localRegion } from '../../lib/local/dynamodb-local.ts';
import { startJourneyRuntime } from '../../lib/local/journey-runtime.ts';

export const TEST_WEBHOOK_SECRETS = ['whsec_test_current', 'whsec_test_previous'];
export const TEST_SHOPIFY_SECRET = 'shpss_test';
export const TEST_WOOCOMMERCE_SECRET = 'wc_test';
export const TEST_ADMIN_TOKEN = 'admin_test_token';
export const TEST_UNSUBSCRIBE_SECRET = 'unsub_test';
export const TEST_FEEDBACK_SECRET = 'feedback_test';

/** Only the journey sweep runs by itself; tests of other jobs run them with runJob(). */
export const journeyRuntime = await startJourneyRuntime({ start: new Date('2026-06-01T12:00:00Z'), schedule: ['journey-sweep'] });

const table = `comeback-test-${randomUUID().slice(0, 8)}`;
await ensureTable(inject('dynamodbEndpoint'), table);

Object.assign(process.env, {
  TABLE_NAME: table,
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
// The scheduled jobs and the stream's reactions start once the handlers' environment is in place.
journeyRuntime.followTableStream({ endpoint: inject('dynamodbEndpoint'), tableName: table, poll: false });
await journeyRuntime.resume();

afterAll(async () => {
  await journeyRuntime.stop();
});
