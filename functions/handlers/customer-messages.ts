/**
 * GET /v1/customers/{id}/messages?limit=&cursor=: every entry of the customer's message log, newest
 * first, with the rendered subject, text and HTML and the delivery status, for admins.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoMessageHistory } from '../adapters/message-history.ts';
import { customerMessages, parseMessageHistoryQuery } from '../core/delivery/message-history.ts';
import { json, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const history = new DynamoMessageHistory(documentClient, tableName);

export async function listCustomerMessages(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const customerId = pathParameter(event, 'id');
  const query = parseMessageHistoryQuery(event.queryStringParameters ?? {});
  return json(200, await customerMessages(history, customerId, query));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listCustomerMessages);
