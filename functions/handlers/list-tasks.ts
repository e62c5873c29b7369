/**
 * GET /v1/tasks?status=open|done: manager tasks by status, earliest due first, for admins, with the
 * store's lists of outcomes and churn reasons a task is completed with.
 */
import middy from '@middy/core';
import * as z from 'zod';
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
  status: z.enum(taskStatuses).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(2048).optional(),
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
