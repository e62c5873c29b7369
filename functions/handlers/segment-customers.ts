/**
 * GET /v1/segments/{name}/customers?limit=&cursor=: one page of a segment's members, by customer id,
 * for admins. Members are those of the last recompute.
 */
import middy from '@middy/core';
import * as z from '../core/zod.ts';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { isBuiltInSegment } from '../core/analytics/segments.ts';
import { NotFoundError } from '../core/errors.ts';
import { invalid } from '../core/purchase.ts';
import { json, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const store = new DynamoAnalyticsStore(documentClient, tableName);

const pageQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export async function segmentCustomers(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const name = pathParameter(event, 'name');
  const parsed = pageQuery.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw invalid('the query is invalid', parsed.error);
  if (!isBuiltInSegment(name) && !(await store.getDefinition(name))) throw new NotFoundError(`segment ${name} is not defined`);
  const page = await store.segmentMembers(name, parsed.data.limit, parsed.data.cursor);
  return json(200, { segment: name, ...page });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(segmentCustomers);
