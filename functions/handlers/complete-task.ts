/**
 * POST /v1/tasks/{id}/complete: a manager records how a call went, for admins, with an outcome and
 * a churn reason from the store's lists (COMEBACK_TASK_LISTS). A win-back call needs the churn reason. Completing again with the same body answers the same; with a different
 * body it is a conflict.
 */
import middy from '@middy/core';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoTasks } from '../adapters/message-log.ts';
import { readConfig, taskListsEnv } from '../config.ts';
import { completeManagerTask, taskView } from '../core/delivery/tasks.ts';
import { json, jsonBody, pathParameter, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const tasks = new DynamoTasks(documentClient, tableName);
const lists = readConfig(taskListsEnv).COMEBACK_TASK_LISTS;

export async function completeTask(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const taskId = pathParameter(event, 'id');
  const body = jsonBody(event, rawBody(event));
  const task = await completeManagerTask(tasks, taskId, body, now(), lists);
  return json(200, taskView(task));
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(completeTask);
