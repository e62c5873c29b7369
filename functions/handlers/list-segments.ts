/** GET /v1/segments: every segment, built-in and saved, with its size at the last recompute, for admins. */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { segmentsView } from '../core/analytics/segment-views.ts';
import { json, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const store = new DynamoAnalyticsStore(documentClient, tableName);

export async function listSegments(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const [state, definitions] = await Promise.all([store.readState(), store.listDefinitions()]);
  return json(200, segmentsView(state, definitions));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listSegments);
