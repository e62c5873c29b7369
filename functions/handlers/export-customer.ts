/** GET /v1/customers/{id}/export: everything stored about a customer, as JSON, by kind (admin). */
import middy from '@middy/core';
import { DynamoCustomerData } from '../adapters/customer-data.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { exportCustomer } from '../core/privacy/customer-data.ts';
import { json, pathParameter, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const data = new DynamoCustomerData(documentClient, tableName);

export async function exportCustomerData(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  return json(200, await exportCustomer({ data }, pathParameter(event, 'id')));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(exportCustomerData);
