/** Completing manager tasks and counting the churn reasons managers hear. */
import { describe, expect, it } from 'vitest';
import { completeManagerTask, countChurnReasons, parseTaskCompletion, taskView, type TaskStore } from '../../../functions/core/delivery/tasks.ts';
import type { ManagerTask } from '../../../functions/core/delivery/types.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../functions/core/errors.ts';

function task(overrides: Partial<ManagerTask> = {}): ManagerTask {
  return {
    taskId: 'entry-1.call',
    messageId: 'entry-1.call',
    customerId: 'cust-1',
    journey: 'win-back',
    reason: 'no purchase for 120 days',
    dueAt: '2026-05-09T09:00:00.000Z',
    status: 'open',
    createdAt: '2026-05-08T12:00:00.000Z',
    subject: 'Win-back call: Ada',
    text: 'Please call Ada.',
    historyAtAGlance: { orderCount: 3, lastOrderAt: '2026-01-01T10:00:00.000Z', netRevenueMinor: 15_990, currency: 'USD' },
    ...overrides,
  };
}

function memoryStore(initial: ManagerTask[]): TaskStore & { tasks: Map<string, ManagerTask> } {
  const tasks = new Map(initial.map((item) => [item.taskId, item]));
  return {
    tasks,
    async get(taskId) {
      return tasks.get(taskId);
    },
    async complete(current, completion, completedAt) {
      const stored = tasks.get(current.taskId);
      if (!stored || stored.status !== 'open') return undefined;
      const done: ManagerTask = { ...stored, ...completion, status: 'done', completedAt };
      tasks.set(current.taskId, done);
      return done;
    },
  };
}

const now = new Date('2026-05-09T10:00:00.000Z');

describe('countChurnReasons', () => {
  it('counts the reasons of completed tasks, every reason present', () => {
    const counts = countChurnReasons([
      task({ status: 'done', churnReason: 'price' }),
      task({ status: 'done', churnReason: 'price' }),
      task({ status: 'done', churnReason: 'delivery' }),
      task({ status: 'done' }),
      task({ status: 'open', churnReason: 'quality' }),
    ]);

    expect(counts).toEqual({ price: 2, quality: 0, delivery: 1, service: 0, competitor: 0, 'no-need': 0, other: 0 });
  });

  it('is all zeros for no tasks', () => {
    expect(Object.values(countChurnReasons([]))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('parseTaskCompletion', () => {
  it('needs the churn reason for a win-back call only', () => {
    expect(() => parseTaskCompletion({ outcome: 'reached' }, { journey: 'win-back' })).toThrow(InvalidInputError);
    expect(parseTaskCompletion({ outcome: 'reached' }, { journey: 'check-in' })).toEqual({ outcome: 'reached' });
  });

  it('refuses unknown reasons, unknown fields and an empty outcome', () => {
    for (const body of [{ outcome: 'x', churnReason: 'weather' }, { outcome: 'x', churnReason: 'price', mood: 'happy' }, { outcome: ' ', churnReason: 'price' }, 'reached']) {
      expect(() => parseTaskCompletion(body, { journey: 'win-back' })).toThrow(InvalidInputError);
    }
  });
});

describe('completeManagerTask', () => {
  const body = { outcome: 'reached, will order again next month', churnReason: 'price', note: 'found it cheaper elsewhere' };

  it('marks the task done with the outcome', async () => {
    const store = memoryStore([task()]);

    const done = await completeManagerTask(store, 'entry-1.call', body, now);

    expect(done).toMatchObject({ status: 'done', ...body, completedAt: '2026-05-09T10:00:00.000Z' });
  });

  it('answers the same for the same body again, and a conflict for a different one', async () => {
    const store = memoryStore([task()]);
    const first = await completeManagerTask(store, 'entry-1.call', body, now);

    await expect(completeManagerTask(store, 'entry-1.call', body, new Date('2026-05-10T00:00:00.000Z'))).resolves.toEqual(first);
    await expect(completeManagerTask(store, 'entry-1.call', { ...body, churnReason: 'quality' }, now)).rejects.toThrow(ConflictError);
  });

  it('does not know an unknown task', async () => {
    await expect(completeManagerTask(memoryStore([]), 'nope', body, now)).rejects.toThrow(NotFoundError);
  });

  it('shows the task with `id` in the API', () => {
    const view = taskView(task());
    expect(view.id).toBe('entry-1.call');
    expect('taskId' in view).toBe(false);
  });
});
