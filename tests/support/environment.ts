/**
 * The environment every test file starts with: what the local host gives the handlers, pointed at
 * the run's DynamoDB Local. Handlers read it once, when first imported.
 */
import { inject } from 'vitest';
import { localCredentials, localRegion } from '../../lib/local/dynamodb-local.ts';

export const TEST_WEBHOOK_SECRETS = ['whsec_test_current', 'whsec_test_previous'];
export const TEST_SHOPIFY_SECRET = 'shpss_test';
export const TEST_WOOCOMMERCE_SECRET = 'wc_test';
export const TEST_ADMIN_TOKEN = 'admin_test_token';

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
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
