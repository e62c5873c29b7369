/**
 * GET /v1/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD: the daily metrics snapshots in a range (at most 366
 * days), for admins, with the managers' completed calls and each journey step's messages by status.
 */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { readConfig, taskListsEnv } from '../config.ts';
import { parseMetricsRange } from '../core/analytics/segment-views.ts';
import { taskOutcomes } from '../core/analytics/metrics.ts';
import type { ManagerTask } from '../core/delivery/types.ts';
import { DynamoTasks } from '../adapters/message-log.ts';
import { DynamoFunnelStore } from '../adapters/funnel-store.ts';
import { summarizeFunnels } from '../core/analytics/funnels.ts';
import type { JourneyName } from '../core/delivery/types.ts';
import { json, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const store = new DynamoAnalyticsStore(documentClient, tableName);
const tasks = new DynamoTasks(documentClient, tableName);
const lists = readConfig(taskListsEnv).COMEBACK_TASK_LISTS;
const funnelStore = new DynamoFunnelStore(documentClient, tableName);
/** Every journey that logs messages (a record, so a new journey cannot be left out). */
const journeyNames = Object.keys({ 'post-purchase': true, 'win-back': true, 'check-in': true, 'loyalty-invite': true, loyalty: true, replenishment: true, 'cross-sell': true } satisfies Record<JourneyName, true>);

export async function getMetrics(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const { from, to } = parseMetricsRange(event.queryStringParameters ?? {});
  const done: ManagerTask[] = [];
  let cursor: string | undefined;
  do {
    const page = await tasks.list('done', { limit: 500, ...(cursor ? { cursor } : {}) });
    done.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const [days, counts] = await Promise.all([store.readSnapshots(from, to), funnelStore.counts(journeyNames, from, to)]);
  return json(200, { from, to, days, tasks: taskOutcomes(done, from, to, lists.churnReasons), funnels: summarizeFunnels(counts, from, to) });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(getMetrics);
