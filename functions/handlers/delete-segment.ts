/** DELETE /v1/segments/{name}: removes a custom segment, for admins; its memberships go at the next recompute. */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { isBuiltInSegment } from '../core/analytics/segments.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { pathParameter, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const store = new DynamoAnalyticsStore(documentClient, tableName);

export async function deleteSegment(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  const name = pathParameter(event, 'name');
  if (isBuiltInSegment(name)) throw new ConflictError(`${name} is a built-in segment and cannot be deleted`);
  if (!(await store.deleteDefinition(name))) throw new NotFoundError(`segment ${name} is not defined`);
  return { statusCode: 204 };
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(deleteSegment);
