/**
 * GET /v1/customers/{id}/messages?limit=&cursor=: every entry of the customer's message log, newest
 * first, with the rendered subject, text and HTML and the delivery status, for admins.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoMessageHistory } from '../adapters/message-history.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { customerMessages, parseMessageHistoryQuery } from '../core/delivery/message-history.ts';
import { json, pathParameter, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const history = new DynamoMessageHistory(documentClient, tableName);

export async function listCustomerMessages(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  const customerId = pathParameter(event, 'id');
  const query = parseMessageHistoryQuery(event.queryStringParameters ?? {});
  return json(200, await customerMessages(history, customerId, query));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listCustomerMessages);
