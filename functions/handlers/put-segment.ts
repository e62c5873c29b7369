/**
 * PUT /v1/segments/{name}: saves a custom segment (a filter over the profile and its history), for
 * admins. 201 when created, 200 when replaced. Members are computed by the next recompute.
 */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { isBuiltInSegment, parseSegmentDefinition } from '../core/analytics/segments.ts';
import { ConflictError } from '../core/errors.ts';
import { json, jsonBody, pathParameter, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const store = new DynamoAnalyticsStore(documentClient, tableName);

export async function putSegment(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const name = pathParameter(event, 'name');
  if (isBuiltInSegment(name)) throw new ConflictError(`${name} is a built-in segment; its rules are set by COMEBACK_RECOMPUTE_SETTINGS`);
  const input = parseSegmentDefinition(name, jsonBody(event, rawBody(event)));
  const { definition, created } = await store.putDefinition(name, input, now().toISOString());
  return json(created ? 201 : 200, { ...definition, kind: 'custom' });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(putSegment);
