/**
 * The HTTP API: one route, one handler file. The CDK API and the local host both read this table,
 * so what runs locally is exactly what is deployed.
 */
export type SecretName =
  | 'COMEBACK_WEBHOOK_SECRET'
  | 'COMEBACK_SHOPIFY_SECRET'
  | 'COMEBACK_WOOCOMMERCE_SECRET'
  | 'COMEBACK_ADMIN_TOKEN'
  | 'COMEBACK_UNSUBSCRIBE_SECRET'
  | 'COMEBACK_FEEDBACK_SECRET';

/**
 * What a handler uses beyond the table and its secrets, so hosts give it the environment and
 * permissions together: `journeys` starts and stops journey executions (Step Functions) and reads
 * the journey settings; `loyalty` credits and spends points under the store's rules file
 * (COMEBACK_CATALOG_FILE, shipped with the function); `shop` shows pages to customers, with the
 * shop's name and address (COMEBACK_SHOP_URL, and COMEBACK_SHOP_NAME when the store sets one);
 * `imports` hands out upload URLs to the imports bucket (COMEBACK_IMPORT_BUCKET; AWS only: a host
 * without the bucket takes import files in the request body); `storefront` creates codes in the
 * store's platform with its credentials (COMEBACK_STOREFRONT and the rest, lib/cdk/comeback-storefront.ts);
 * `platforms` reads the platforms' orders with the store's settings (COMEBACK_DEFAULT_COUNTRY,
 * COMEBACK_SHOPIFY_COUNTED_STATUSES, COMEBACK_WOOCOMMERCE_MARKETING_CONSENT: functions/config.ts platformEnv);
 * `taskLists` reads the outcomes and churn reasons the store lets managers choose (COMEBACK_TASK_LISTS).
 */
export type Capability = 'journeys' | 'loyalty' | 'shop' | 'imports' | 'storefront' | 'platforms' | 'taskLists';

export interface ApiRoute {
  /** Names the Lambda function; unique. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template, `{name}` for a path parameter. */
  readonly path: string;
  /** The handler module, relative to the project root; it exports `handler`. */
  readonly handler: string;
  readonly secrets: readonly SecretName[];
  readonly table: 'read' | 'readWrite';
  readonly capabilities?: readonly Capability[];
  /**
   * The function's timeout in seconds, for a route that works through a batch; API Gateway answers
   * a request within 30 s whatever the function's timeout.
   * @default 10
   */
  readonly timeoutSeconds?: number;
}

/**
 * Whether a route is for admins only (it takes the admin token and no other credential). On AWS
 * these routes sit behind the Cognito JWT authorizer; a route the storefront signs as well (the
 * loyalty account, joining) has no authorizer, so signed calls still reach it, and its handler
 * verifies an admin's access token itself.
 */
export function adminOnly(route: ApiRoute): boolean {
  return route.secrets.length === 1 && route.secrets[0] === 'COMEBACK_ADMIN_TOKEN';
}

export const apiRoutes: readonly ApiRoute[] = [
  {
    id: 'RecordPurchase',
    method: 'POST',
    path: '/v1/purchases',
    handler: 'functions/handlers/record-purchase.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET'],
    // One write and the answer: journeys and points react from the table's stream (purchase reactions).
    table: 'readWrite',
  },
  {
    id: 'RecordRefund',
    method: 'POST',
    path: '/v1/purchases/{orderId}/refund',
    handler: 'functions/handlers/record-refund.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET'],
    table: 'readWrite',
  },
  {
    id: 'ShopifyOrder',
    method: 'POST',
    path: '/v1/webhooks/shopify/orders',
    handler: 'functions/handlers/shopify-order.ts',
    secrets: ['COMEBACK_SHOPIFY_SECRET'],
    table: 'readWrite',
    capabilities: ['platforms'],
  },
  {
    id: 'WooCommerceOrder',
    method: 'POST',
    path: '/v1/webhooks/woocommerce/orders',
    handler: 'functions/handlers/woocommerce-order.ts',
    secrets: ['COMEBACK_WOOCOMMERCE_SECRET'],
    table: 'readWrite',
    capabilities: ['platforms'],
  },
  {
    // The console's search box: by id, an email the customer ordered with, or a phone number.
    id: 'SearchCustomers',
    method: 'GET',
    path: '/v1/customers',
    handler: 'functions/handlers/search-customers.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
    // The store's default country reads a national phone number.
    capabilities: ['platforms'],
  },
  {
    id: 'GetCustomer',
    method: 'GET',
    path: '/v1/customers/{id}',
    handler: 'functions/handlers/get-customer.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
  {
    // The customer's message log for the console's timeline, newest first.
    id: 'ListCustomerMessages',
    method: 'GET',
    path: '/v1/customers/{id}/messages',
    handler: 'functions/handlers/customer-messages.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
  {
    // Everything stored about the customer, by kind (their data rights).
    id: 'ExportCustomer',
    method: 'GET',
    path: '/v1/customers/{id}/export',
    handler: 'functions/handlers/export-customer.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
  {
    // Erases the customer and stops their journey executions; repeating it finishes a broken one.
    id: 'EraseCustomer',
    method: 'DELETE',
    path: '/v1/customers/{id}',
    handler: 'functions/handlers/erase-customer.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
    capabilities: ['journeys'],
    timeoutSeconds: 29,
  },
  {
    // Shopify's mandatory privacy (compliance) webhooks, one URL for the three topics.
    id: 'ShopifyPrivacy',
    method: 'POST',
    path: '/v1/webhooks/shopify/privacy',
    handler: 'functions/handlers/shopify-privacy.ts',
    secrets: ['COMEBACK_SHOPIFY_SECRET'],
    table: 'readWrite',
    capabilities: ['journeys'],
    timeoutSeconds: 29,
  },
  {
    // What Shopify's data requests and shop redactions left for the store to act on.
    id: 'ListPrivacyRequests',
    method: 'GET',
    path: '/v1/privacy-requests',
    handler: 'functions/handlers/list-privacy-requests.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
  {
    // Consent given on the store's own site (WooCommerce records none), signed by the storefront.
    id: 'RecordConsent',
    method: 'PUT',
    path: '/v1/customers/{id}/consent',
    handler: 'functions/handlers/record-consent.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET'],
    table: 'readWrite',
  },
  {
    id: 'ListJourneyCustomers',
    method: 'GET',
    path: '/v1/journeys/{name}/customers',
    handler: 'functions/handlers/journey-customers.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
    capabilities: ['journeys'],
  },
  {
    id: 'RemoveJourneyCustomer',
    method: 'DELETE',
    path: '/v1/journeys/{name}/customers/{id}',
    handler: 'functions/handlers/remove-journey-customer.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
    capabilities: ['journeys'],
  },
  {
    id: 'ListTasks',
    method: 'GET',
    path: '/v1/tasks',
    handler: 'functions/handlers/list-tasks.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
    capabilities: ['taskLists'],
  },
  {
    id: 'CompleteTask',
    method: 'POST',
    path: '/v1/tasks/{id}/complete',
    handler: 'functions/handlers/complete-task.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
    capabilities: ['taskLists'],
  },
  {
    // The unsubscribe link of every message opens this page; it changes nothing.
    id: 'UnsubscribePage',
    method: 'GET',
    path: '/v1/unsubscribe',
    handler: 'functions/handlers/unsubscribe-page.ts',
    secrets: ['COMEBACK_UNSUBSCRIBE_SECRET'],
    table: 'read',
    capabilities: ['shop'],
  },
  {
    // The page's button and RFC 8058 one-click posts.
    id: 'Unsubscribe',
    method: 'POST',
    path: '/v1/unsubscribe',
    handler: 'functions/handlers/unsubscribe.ts',
    secrets: ['COMEBACK_UNSUBSCRIBE_SECRET'],
    table: 'readWrite',
    capabilities: ['shop'],
  },
  {
    id: 'GetLoyaltyAccount',
    method: 'GET',
    path: '/v1/loyalty/{customerId}',
    handler: 'functions/handlers/loyalty-account.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET', 'COMEBACK_ADMIN_TOKEN'],
    // Writes only the record of a referral code created in the store when it is first shown.
    table: 'readWrite',
    capabilities: ['loyalty', 'storefront'],
  },
  {
    id: 'RedeemLoyaltyPoints',
    method: 'POST',
    path: '/v1/loyalty/{customerId}/redeem',
    handler: 'functions/handlers/loyalty-redeem.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET'],
    table: 'readWrite',
    capabilities: ['loyalty'],
  },
  {
    // The storefront's "join" button: signed like GET /v1/loyalty/{customerId}, or the admin token.
    id: 'JoinLoyalty',
    method: 'POST',
    path: '/v1/loyalty/{customerId}/join',
    handler: 'functions/handlers/loyalty-join.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET', 'COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
    capabilities: ['loyalty', 'storefront'],
  },
  {
    // The join link of the loyalty invitation opens this page; it changes nothing.
    id: 'LoyaltyJoinPage',
    method: 'GET',
    path: '/v1/join',
    handler: 'functions/handlers/loyalty-join-page.ts',
    secrets: ['COMEBACK_FEEDBACK_SECRET'],
    table: 'read',
    capabilities: ['shop'],
  },
  {
    // The join page's button.
    id: 'LoyaltyJoinLink',
    method: 'POST',
    path: '/v1/join',
    handler: 'functions/handlers/loyalty-join-link.ts',
    secrets: ['COMEBACK_FEEDBACK_SECRET'],
    table: 'readWrite',
    capabilities: ['loyalty', 'shop'],
  },
  {
    id: 'ListSegments',
    method: 'GET',
    path: '/v1/segments',
    handler: 'functions/handlers/list-segments.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
  {
    id: 'PutSegment',
    method: 'PUT',
    path: '/v1/segments/{name}',
    handler: 'functions/handlers/put-segment.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
  },
  {
    id: 'DeleteSegment',
    method: 'DELETE',
    path: '/v1/segments/{name}',
    handler: 'functions/handlers/delete-segment.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
  },
  {
    id: 'UploadDiscountCodes',
    method: 'POST',
    path: '/v1/discount-codes/pool',
    handler: 'functions/handlers/upload-discount-codes.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
    // Up to 1,000 codes, each written on its own condition.
    timeoutSeconds: 29,
  },
  {
    // Orders read from the store's platform since a date, recorded as their webhooks would be.
    id: 'SyncPlatform',
    method: 'POST',
    path: '/v1/sync/{platform}',
    handler: 'functions/handlers/sync-platform.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
    capabilities: ['platforms', 'storefront'],
    // Answers after 20 s of work with a cursor to go on from.
    timeoutSeconds: 29,
  },
  {
    id: 'ListSegmentCustomers',
    method: 'GET',
    path: '/v1/segments/{name}/customers',
    handler: 'functions/handlers/segment-customers.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
  {
    id: 'GetMetrics',
    method: 'GET',
    path: '/v1/metrics',
    handler: 'functions/handlers/get-metrics.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
    capabilities: ['taskLists'],
  },
  {
    // Past orders from a CSV upload: recorded like webhooks, but starting no journey and sending nothing.
    id: 'CreateImport',
    method: 'POST',
    path: '/v1/imports',
    handler: 'functions/handlers/create-import.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
    // With upload=s3, a presigned URL for the whole file, processed by the import state machine.
    capabilities: ['imports'],
    // An upload of up to 1,000 orders is written before the answer.
    timeoutSeconds: 29,
  },
  {
    // An import uploaded to S3: its status, counts and first rejections.
    id: 'GetImport',
    method: 'GET',
    path: '/v1/imports/{id}',
    handler: 'functions/handlers/get-import.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
  {
    // The feedback link of the feedback email opens the 0-10 question; it records nothing.
    id: 'FeedbackPage',
    method: 'GET',
    path: '/v1/feedback',
    handler: 'functions/handlers/feedback-page.ts',
    secrets: ['COMEBACK_FEEDBACK_SECRET'],
    table: 'read',
    capabilities: ['shop'],
  },
  {
    // The question page's form, and JSON answers.
    id: 'RecordFeedback',
    method: 'POST',
    path: '/v1/feedback',
    handler: 'functions/handlers/record-feedback.ts',
    secrets: ['COMEBACK_FEEDBACK_SECRET'],
    table: 'readWrite',
    capabilities: ['loyalty', 'shop'],
  },
];
