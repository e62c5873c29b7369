/**
 * What the tests of the public routes share: API Gateway events as a browser, a mailbox provider
 * or anyone else sends them, the handlers as deployed, reading pages as a browser does, and what a
 * customer's partition holds.
 */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, SNSEvent } from 'aws-lambda';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { handler as createImport } from '../../functions/handlers/create-import.ts';
import { handler as feedbackPage } from '../../functions/handlers/feedback-page.ts';
import { handler as getImport } from '../../functions/handlers/get-import.ts';
import { handler as getCustomer } from '../../functions/handlers/get-customer.ts';
import { handler as joinLoyalty } from '../../functions/handlers/loyalty-join.ts';
import { handler as loyaltyJoinLink } from '../../functions/handlers/loyalty-join-link.ts';
import { handler as loyaltyJoinPage } from '../../functions/handlers/loyalty-join-page.ts';
import { handler as recordFeedback } from '../../functions/handlers/record-feedback.ts';
import { handler as recordConsent } from '../../functions/handlers/record-consent.ts';
import { handler as shopifyOrder } from '../../functions/handlers/shopify-order.ts';
import { handler as shopifyPrivacy } from '../../functions/handlers/shopify-privacy.ts';
import { handler as exportCustomer } from '../../functions/handlers/export-customer.ts';
import { handler as eraseCustomer } from '../../functions/handlers/erase-customer.ts';
import { handler as wooCommerceOrder } from '../../functions/handlers/woocommerce-order.ts';
import { handler as smsInbound } from '../../functions/handlers/sms-inbound.ts';
import { handler as unsubscribePage } from '../../functions/handlers/unsubscribe-page.ts';
import { handler as unsubscribe } from '../../functions/handlers/unsubscribe.ts';
import { adminEvent, httpEvent, lambdaContext, uniqueId } from '../support/events.ts';

/** Where the test environment serves the API (COMEBACK_PUBLIC_URL of tests/support/environment.ts). */
export const PUBLIC_URL = 'https://comeback.test';
/** What a browser sends when it navigates or posts a form. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
export const FORM = 'application/x-www-form-urlencoded';

type Handler = (event: APIGatewayProxyEventV2, context: typeof lambdaContext) => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>;

export const routes = {
  'GET /v1/unsubscribe': unsubscribePage as unknown as Handler,
  'POST /v1/unsubscribe': unsubscribe as unknown as Handler,
  'GET /v1/feedback': feedbackPage as unknown as Handler,
  'POST /v1/feedback': recordFeedback as unknown as Handler,
  'GET /v1/join': loyaltyJoinPage as unknown as Handler,
  'POST /v1/join': loyaltyJoinLink as unknown as Handler,
  'POST /v1/loyalty/{customerId}/join': joinLoyalty as unknown as Handler,
  'PUT /v1/customers/{id}/consent': recordConsent as unknown as Handler,
  'POST /v1/webhooks/shopify/orders': shopifyOrder as unknown as Handler,
  'POST /v1/webhooks/woocommerce/orders': wooCommerceOrder as unknown as Handler,
  'POST /v1/webhooks/shopify/privacy': shopifyPrivacy as unknown as Handler,
  // Admin routes: a stranger reaches them too, and must get 401.
  'POST /v1/imports': createImport as unknown as Handler,
  'GET /v1/imports/{id}': getImport as unknown as Handler,
  'GET /v1/customers/{id}/export': exportCustomer as unknown as Handler,
  'DELETE /v1/customers/{id}': eraseCustomer as unknown as Handler,
};
export type RouteKey = keyof typeof routes;

export interface Answer {
  status: number;
  type: string;
  headers: Record<string, string>;
  body: string;
}

export interface Request {
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
  base64?: boolean;
  pathParameters?: Record<string, string>;
}

export function eventFor(route: RouteKey, request: Request = {}): APIGatewayProxyEventV2 {
  const [method, template] = route.split(' ') as [string, string];
  // The path as requested: the parameters in their places, encoded as a browser sends them.
  const path = template.replace(/\{(\w+)\}/g, (whole, name: string) => (request.pathParameters?.[name] !== undefined ? encodeURIComponent(request.pathParameters[name]) : whole));
  const body = request.body === undefined ? undefined : request.base64 ? Buffer.from(request.body, 'utf8').toString('base64') : request.body;
  const event = httpEvent({ method, path, headers: request.headers ?? {}, ...(body !== undefined ? { body } : {}), ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}) });
  return {
    ...event,
    isBase64Encoded: request.base64 ?? false,
    ...(request.query ? { queryStringParameters: request.query, rawQueryString: new URLSearchParams(request.query).toString() } : {}),
  };
}

export async function call(route: RouteKey, request: Request = {}): Promise<Answer> {
  const result = await routes[route](eventFor(route, request), lambdaContext);
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { status: result.statusCode ?? 200, type: headers['content-type'] ?? '', headers, body: result.body ?? '' };
}

/** A page link as the message carries it, opened in a browser. */
export function open(route: 'GET /v1/unsubscribe' | 'GET /v1/feedback' | 'GET /v1/join', link: string): Promise<Answer> {
  const query = Object.fromEntries(new URL(link).searchParams);
  return call(route, { query, headers: { accept: BROWSER_ACCEPT } });
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const unescape = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => entities[name] ?? '');

/** The page's form as a browser submits it: its action resolved against the page's address, and the fields. */
export function submitForm(route: 'POST /v1/unsubscribe' | 'POST /v1/feedback' | 'POST /v1/join', pageUrl: string, page: string, fields: Record<string, string> = {}): Promise<Answer> {
  const action = /<form method="post" action="([^"]*)">/.exec(page)?.[1];
  if (action === undefined) throw new Error('the page has no form posting back');
  const target = new URL(unescape(action), pageUrl);
  if (target.origin + target.pathname !== new URL(pageUrl).origin + new URL(pageUrl).pathname) throw new Error(`the form posts elsewhere: ${target.href}`);
  return call(route, {
    query: Object.fromEntries(target.searchParams),
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': FORM, accept: BROWSER_ACCEPT },
  });
}

/** GET /v1/customers/{id} with the admin token. */
export async function customerView(customerId: string): Promise<{ status: number; body: { profile: Record<string, unknown> } }> {
  const result = await getCustomer(adminEvent(`/v1/customers/${customerId}`, { id: customerId }), lambdaContext);
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? '{}') as { profile: Record<string, unknown> } };
}

/** Every item of a customer's partition, by sort key. */
export async function partitionOf(customerId: string): Promise<Record<string, Record<string, unknown>>> {
  const items: Record<string, Record<string, unknown>> = {};
  const pages = paginateQuery(
    { client: documentClient },
    { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId) }, ConsistentRead: true },
  );
  for await (const page of pages) for (const item of page.Items ?? []) items[String(item['sk'])] = item;
  return items;
}

const ledger = new DynamoPurchaseLedger(documentClient, tableName);

/** A customer with one recorded order, email and phone, consenting to both channels. */
export async function customerWithOrder(options: { phone?: string; customerId?: string } = {}): Promise<string> {
  const customerId = options.customerId ?? uniqueId('cust');
  await ledger.recordPurchase(
    {
      orderId: uniqueId('order'),
      placedAt: '2026-05-01T08:00:00.000Z',
      currency: 'USD',
      totalMinor: 5497,
      customer: { id: customerId, email: 'ada@example.com', phone: options.phone ?? '+15555550123', name: 'Ada', timezone: 'UTC', consent: { email: true, sms: true } },
      items: [{ sku: 'DOG-FOOD', name: 'Dog food', category: 'pet-food', quantity: 1, unitPriceMinor: 5497 }],
    },
    { source: 'comeback' },
  );
  return customerId;
}

/** End User Messaging's SNS notification of inbound SMS, as the topic delivers it to Lambda. */
export function snsEvent(messages: readonly string[]): SNSEvent {
  return {
    Records: messages.map((message, index) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:sms-inbound:1',
      Sns: {
        Type: 'Notification',
        MessageId: `message-${index}`,
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:sms-inbound',
        Subject: null as unknown as string,
        Message: message,
        Timestamp: '2026-06-01T09:00:00.000Z',
        SignatureVersion: '1',
        Signature: 'test',
        SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/cert.pem',
        UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/unsubscribe',
        MessageAttributes: {},
      },
    })),
  };
}

export function inboundSms(from: string, text: string): string {
  return JSON.stringify({
    originationNumber: from,
    destinationNumber: '+12125550101',
    messageKeyword: 'KEYWORD_123456789012',
    messageBody: text,
    inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
    previousPublishedMessageId: 'wJalrXUtnFEMI',
  });
}

export async function receiveSms(messages: readonly string[]): Promise<void> {
  await (smsInbound as unknown as (event: SNSEvent, context: typeof lambdaContext) => Promise<void>)(snsEvent(messages), lambdaContext);
}
