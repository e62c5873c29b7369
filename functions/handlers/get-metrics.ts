/** GET /v1/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD: the daily metrics snapshots in a range (at most 366 days), for admins. */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference, taskListsEnv } from '../config.ts';
import { parseMetricsRange } from '../core/analytics/segment-views.ts';
import { taskOutcomes } from '../core/analytics/metrics.ts';
import type { ManagerTask } from '../core/delivery/types.ts';
import { DynamoTasks } from '../adapters/message-log.ts';
import { json, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const store = new DynamoAnalyticsStore(documentClient, tableName);
const tasks = new DynamoTasks(documentClient, tableName);
const lists = readConfig(taskListsEnv).COMEBACK_TASK_LISTS;

export async function getMetrics(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  const { from, to } = parseMetricsRange(event.queryStringParameters ?? {});
  const done: ManagerTask[] = [];
  let cursor: string | undefined;
  do {
    const page = await tasks.list('done', { limit: 500, ...(cursor ? { cursor } : {}) });
    done.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return json(200, { from, to, days: await store.readSnapshots(from, to), tasks: taskOutcomes(done, from, to, lists.churnReasons) });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(getMetrics);
