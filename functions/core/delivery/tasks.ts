/**
 * Manager tasks after they are created: how the API shows them, how a manager completes one (with
 * an outcome and a churn reason from the store's lists), and the churn reasons counted from
 * completed win-back calls. Pure, apart from the store port.
 */
import * as z from '../zod.ts';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError } from '../errors.ts';
import { invalid } from '../purchase.ts';
import { defaultTaskLists, type TaskLists } from './task-lists.ts';
import type { ManagerTask, TaskStatus } from './types.ts';

export const taskStatuses = ['open', 'done'] as const satisfies readonly TaskStatus[];

export const taskCompletionSchema = z.strictObject({
  outcome: z.string().check(z.trim(), z.minLength(1), z.maxLength(1000)),
  churnReason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  note: z.optional(z.string().check(z.trim(), z.maxLength(4000))),
});

export type TaskCompletion = z.output<typeof taskCompletionSchema>;

/**
 * The body of POST /v1/tasks/{id}/complete, checked against the task and the store's lists: a
 * malformed body is invalid (400); an outcome or churn reason not in the lists is unprocessable
 * (422, naming the allowed ones); a win-back call needs its churn reason.
 */
export function parseTaskCompletion(body: unknown, task: Pick<ManagerTask, 'journey'>, lists: TaskLists = defaultTaskLists): TaskCompletion {
  const parsed = taskCompletionSchema.safeParse(body);
  if (!parsed.success) throw invalid('the task completion is invalid', parsed.error);
  if (!lists.outcomes.includes(parsed.data.outcome)) {
    throw new UnprocessableError(`the outcome "${parsed.data.outcome}" is not one of the store's outcomes: ${lists.outcomes.join(', ')}`);
  }
  if (parsed.data.churnReason !== undefined && !lists.churnReasons.includes(parsed.data.churnReason)) {
    throw new UnprocessableError(`the churn reason "${parsed.data.churnReason}" is not one of the store's churn reasons: ${lists.churnReasons.join(', ')}`);
  }
  if (task.journey === 'win-back' && parsed.data.churnReason === undefined) {
    throw new InvalidInputError('a win-back call needs the reason the customer gave', [
      { path: 'churnReason', message: `required for win-back calls: one of ${lists.churnReasons.join(', ')}` },
    ]);
  }
  return { outcome: parsed.data.outcome, ...(parsed.data.churnReason ? { churnReason: parsed.data.churnReason } : {}), ...(parsed.data.note ? { note: parsed.data.note } : {}) };
}

/** Whether a completed task was completed with exactly this completion (a repeated request). */
export function sameCompletion(task: ManagerTask, completion: TaskCompletion): boolean {
  return task.outcome === completion.outcome && task.churnReason === completion.churnReason && task.note === completion.note;
}

export interface TaskStore {
  get(taskId: string): Promise<ManagerTask | undefined>;
  /** Marks an open task done; returns the task as it is now, or undefined if it is not open anymore. */
  complete(task: ManagerTask, completion: TaskCompletion, completedAt: string): Promise<ManagerTask | undefined>;
}

/**
 * Completes a task once. The same completion again answers the completed task (a retried
 * request); a different one is a conflict.
 */
export async function completeManagerTask(store: TaskStore, taskId: string, body: unknown, now: Date, lists: TaskLists = defaultTaskLists): Promise<ManagerTask> {
  const task = await store.get(taskId);
  if (!task) throw new NotFoundError(`task ${taskId} does not exist`);
  const completion = parseTaskCompletion(body, task, lists);
  if (task.status === 'open') {
    const completed = await store.complete(task, completion, now.toISOString());
    if (completed) return completed;
  }
  // Done already, or completed by someone else between the read and the write.
  const current = task.status === 'done' ? task : await store.get(taskId);
  if (current && sameCompletion(current, completion)) return current;
  throw new ConflictError(`task ${taskId} was already completed with a different outcome`);
}

/** What the API shows: `id` rather than the stored `taskId`. */
export function taskView(task: ManagerTask): Omit<ManagerTask, 'taskId'> & { id: string } {
  const { taskId, ...rest } = task;
  return { id: taskId, ...rest };
}

/**
 * How often each churn reason was given in completed tasks: every reason of the store's list
 * present (zero when never given), and a reason since taken off the list still counted.
 */
export function countChurnReasons(tasks: readonly Pick<ManagerTask, 'status' | 'churnReason'>[], reasons: readonly string[] = defaultTaskLists.churnReasons): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(reasons.map((reason) => [reason, 0]));
  for (const task of tasks) {
    if (task.status === 'done' && task.churnReason) counts[task.churnReason] = (counts[task.churnReason] ?? 0) + 1;
  }
  return counts;
}
