/**
 * The HTTP API: one route, one handler file. The CDK API and the local host both read this table,
 * so what runs locally is exactly what is deployed.
 */
export type SecretName = 'COMEBACK_WEBHOOK_SECRET' | 'COMEBACK_SHOPIFY_SECRET' | 'COMEBACK_WOOCOMMERCE_SECRET' | 'COMEBACK_ADMIN_TOKEN';

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
}

export const apiRoutes: readonly ApiRoute[] = [
  {
    id: 'RecordPurchase',
    method: 'POST',
    path: '/v1/purchases',
    handler: 'functions/handlers/record-purchase.ts',
    secrets: ['COMEBACK_WEBHOOK_SECRET'],
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
  },
  {
    id: 'WooCommerceOrder',
    method: 'POST',
    path: '/v1/webhooks/woocommerce/orders',
    handler: 'functions/handlers/woocommerce-order.ts',
    secrets: ['COMEBACK_WOOCOMMERCE_SECRET'],
    table: 'readWrite',
  },
  {
    id: 'GetCustomer',
    method: 'GET',
    path: '/v1/customers/{id}',
    handler: 'functions/handlers/get-customer.ts',
    secrets: ['COMEBACK_ADMIN_TOKEN'],
    table: 'read',
  },
];
