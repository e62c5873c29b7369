/** GET /v1/privacy-requests: the latest data requests and shop redactions for the store to act on (admin). */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoPrivacyRequests } from '../adapters/privacy-requests.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { json, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const requests = new DynamoPrivacyRequests(documentClient, tableName);

export async function listPrivacyRequests(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  return json(200, { items: await requests.latest(100) });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listPrivacyRequests);
