/**
 * GET /v1/customers?id=|email=|phone=: the customers a search finds (by id, an email they ordered
 * with, or a phone number read as the webhooks read one), for admins; the console's search box.
 */
import middy from '@middy/core';
import { DynamoCustomerDirectory } from '../adapters/customer-directory.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { platformEnv, readConfig } from '../config.ts';
import { parseCustomerSearch, searchCustomers } from '../core/customer-search.ts';
import { json, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const defaultCountry = readConfig(platformEnv).COMEBACK_DEFAULT_COUNTRY;
const directory = new DynamoCustomerDirectory(documentClient, tableName);

export async function searchCustomersRoute(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const search = parseCustomerSearch(event.queryStringParameters ?? {}, defaultCountry);
  return json(200, { items: await searchCustomers(directory, search) });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(searchCustomersRoute);
