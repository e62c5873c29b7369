/** DELETE /v1/segments/{name}: removes a custom segment, for admins; its memberships go at the next recompute. */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { isBuiltInSegment } from '../core/analytics/segments.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const store = new DynamoAnalyticsStore(documentClient, tableName);

export async function deleteSegment(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const name = pathParameter(event, 'name');
  if (isBuiltInSegment(name)) throw new ConflictError(`${name} is a built-in segment and cannot be deleted`);
  if (!(await store.deleteDefinition(name))) throw new NotFoundError(`segment ${name} is not defined`);
  return { statusCode: 204 };
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(deleteSegment);
