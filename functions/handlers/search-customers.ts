/**
 * GET /v1/customers?id=|email=|phone=: the customers a search finds (by id, an email they ordered
 * with, or a phone number read as the webhooks read one), for admins; the console's search box.
 */
import middy from '@middy/core';
import { DynamoCustomerDirectory } from '../adapters/customer-directory.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { platformEnv, readConfig, secretEnv, secretReference } from '../config.ts';
import { parseCustomerSearch, searchCustomers } from '../core/customer-search.ts';
import { json, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const defaultCountry = readConfig(platformEnv).COMEBACK_DEFAULT_COUNTRY;
const directory = new DynamoCustomerDirectory(documentClient, tableName);

export async function searchCustomersRoute(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  const search = parseCustomerSearch(event.queryStringParameters ?? {}, defaultCountry);
  return json(200, { items: await searchCustomers(directory, search) });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(searchCustomersRoute);
