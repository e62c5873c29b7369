/**
 * Manager tasks after they are created: how the API shows them, how a manager completes one, and
 * the churn reasons counted from completed win-back calls. Pure, apart from the store port.
 */
import { z } from 'zod';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { invalid } from '../purchase.ts';
import { churnReasons, type ChurnReason, type ManagerTask, type TaskStatus } from './types.ts';

export const taskStatuses = ['open', 'done'] as const satisfies readonly TaskStatus[];

export const taskCompletionSchema = z.strictObject({
  outcome: z.string().trim().min(1).max(1000),
  churnReason: z.enum(churnReasons).optional(),
  note: z.string().trim().max(4000).optional(),
});

export type TaskCompletion = z.output<typeof taskCompletionSchema>;

/** The body of POST /v1/tasks/{id}/complete, checked against the task: a win-back call needs its churn reason. */
export function parseTaskCompletion(body: unknown, task: Pick<ManagerTask, 'journey'>): TaskCompletion {
  const parsed = taskCompletionSchema.safeParse(body);
  if (!parsed.success) throw invalid('the task completion is invalid', parsed.error);
  if (task.journey === 'win-back' && parsed.data.churnReason === undefined) {
    throw new InvalidInputError('a win-back call needs the reason the customer gave', [
      { path: 'churnReason', message: `required for win-back calls: one of ${churnReasons.join(', ')}` },
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
export async function completeManagerTask(store: TaskStore, taskId: string, body: unknown, now: Date): Promise<ManagerTask> {
  const task = await store.get(taskId);
  if (!task) throw new NotFoundError(`task ${taskId} does not exist`);
  const completion = parseTaskCompletion(body, task);
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

/** How often each churn reason was given in completed tasks (every reason present, zero when never given). */
export function countChurnReasons(tasks: readonly Pick<ManagerTask, 'status' | 'churnReason'>[]): Record<ChurnReason, number> {
  const counts = Object.fromEntries(churnReasons.map((reason) => [reason, 0])) as Record<ChurnReason, number>;
  for (const task of tasks) {
    if (task.status === 'done' && task.churnReason) counts[task.churnReason] += 1;
  }
  return counts;
}
