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
 * the journey settings.
 */
export type Capability = 'journeys';

export interface ApiRoute {
  /** Names the Lambda function; unique. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway path template, `{name}` for a path parameter. */
  readonly path: string;
  /** The handler module, relative to the project root; it exports `handler`. */
  readonly handler: string;
  readonly secrets: readonly SecretName[];
  readonly table: 'read' | 'readWrite';
  readonly capabilities?: readonly Capability[];
}

export const apiRoutes: readonly ApiRoute[] = [
  {
    id: 'RecordPurchase',
    method: 'POST',
    path: '/v1/purchases',
    handler: 'functions/handlers/record-purchase.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET'],
    table: 'readWrite',
    capabilities: ['journeys'],
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
    capabilities: ['journeys'],
  },
  {
    id: 'WooCommerceOrder',
    method: 'POST',
    path: '/v1/webhooks/woocommerce/orders',
    handler: 'functions/handlers/woocommerce-order.ts',
    secrets: ['COMEBACK_WOOCOMMERCE_SECRET'],
    table: 'readWrite',
    capabilities: ['journeys'],
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
  },
  {
    id: 'CompleteTask',
    method: 'POST',
    path: '/v1/tasks/{id}/complete',
    handler: 'functions/handlers/complete-task.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'readWrite',
  },
  {
    id: 'Unsubscribe',
    method: 'POST',
    path: '/v1/unsubscribe',
    handler: 'functions/handlers/unsubscribe.ts',
    secrets: ['COMEBACK_UNSUBSCRIBE_SECRET'],
    table: 'readWrite',
  },
];
