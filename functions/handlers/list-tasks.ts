/**
 * GET /v1/tasks?status=open|done: manager tasks by status, earliest due first, for admins, with the
 * store's lists of outcomes and churn reasons a task is completed with.
 */
import middy from '@middy/core';
import * as z from '../core/zod.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoTasks } from '../adapters/message-log.ts';
import { readConfig, taskListsEnv } from '../config.ts';
import { taskStatuses, taskView } from '../core/delivery/tasks.ts';
import { invalid } from '../core/purchase.ts';
import { json, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const tasks = new DynamoTasks(documentClient, tableName);
const lists = readConfig(taskListsEnv).COMEBACK_TASK_LISTS;

const listQuery = z.object({
  status: z._default(z.enum(taskStatuses), 'open'),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export async function listTasks(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const parsed = listQuery.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw invalid('the query is invalid', parsed.error);
  const { status, limit, cursor } = parsed.data;
  const page = await tasks.list(status, { limit, ...(cursor ? { cursor } : {}) });
  return json(200, { items: page.items.map(taskView), ...(page.cursor ? { cursor: page.cursor } : {}), choices: lists });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listTasks);
