/** GET /v1/customers/{id}/export: everything stored about a customer, as JSON, by kind (admin). */
import middy from '@middy/core';
import { DynamoCustomerData } from '../adapters/customer-data.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { exportCustomer } from '../core/privacy/customer-data.ts';
import { json, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const data = new DynamoCustomerData(documentClient, tableName);

export async function exportCustomerData(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  return json(200, await exportCustomer({ data }, pathParameter(event, 'id')));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(exportCustomerData);
