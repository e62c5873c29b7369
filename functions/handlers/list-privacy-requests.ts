/** GET /v1/privacy-requests: the latest data requests and shop redactions for the store to act on (admin). */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoPrivacyRequests } from '../adapters/privacy-requests.ts';
import { json, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const requests = new DynamoPrivacyRequests(documentClient, tableName);

export async function listPrivacyRequests(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  return json(200, { items: await requests.latest(100) });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listPrivacyRequests);
