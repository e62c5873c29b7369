/** GET /v1/segments: every segment, built-in and saved, with its size at the last recompute, for admins. */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { segmentsView } from '../core/analytics/segment-views.ts';
import { json, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const store = new DynamoAnalyticsStore(documentClient, tableName);

export async function listSegments(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  const [state, definitions] = await Promise.all([store.readState(), store.listDefinitions()]);
  return json(200, segmentsView(state, definitions));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listSegments);
