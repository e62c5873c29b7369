/** Completing manager tasks and counting the churn reasons managers hear. */
import { describe, expect, it } from 'vitest';
import { completeManagerTask, countChurnReasons, parseTaskCompletion, taskView, type TaskStore } from '../../../functions/core/delivery/tasks.ts';
import type { ManagerTask } from '../../../functions/core/delivery/types.ts';
import { taskListsFromJson } from '../../../functions/core/delivery/task-lists.ts';
import { readConfig, taskListsEnv } from '../../../functions/config.ts';
import { readLocalHostConfig } from '../../../lib/local/config.ts';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError } from '../../../functions/core/errors.ts';

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

  it("counts the store's own reasons, and a reason since taken off its list", () => {
    const counts = countChurnReasons([task({ status: 'done', churnReason: 'moved away' }), task({ status: 'done', churnReason: 'price' })], ['moved away', 'too expensive']);

    expect(counts).toEqual({ 'moved away': 1, 'too expensive': 0, price: 1 });
  });
});

describe('parseTaskCompletion', () => {
  it('needs the churn reason for a win-back call only', () => {
    expect(() => parseTaskCompletion({ outcome: 'No answer' }, { journey: 'win-back' })).toThrow(InvalidInputError);
    expect(parseTaskCompletion({ outcome: 'No answer' }, { journey: 'check-in' })).toEqual({ outcome: 'No answer' });
  });

  it('refuses unknown fields, an empty outcome and a body that is no object', () => {
    for (const body of [{ outcome: 'No answer', churnReason: 'price', mood: 'happy' }, { outcome: ' ', churnReason: 'price' }, 'No answer']) {
      expect(() => parseTaskCompletion(body, { journey: 'win-back' })).toThrow(InvalidInputError);
    }
  });

  it("refuses an outcome or a churn reason off the store's lists, naming the allowed ones", () => {
    const lists = taskListsFromJson('{"outcomes":["Reached","Voicemail"],"churnReasons":["moved away"]}');

    expect(parseTaskCompletion({ outcome: 'Voicemail', churnReason: 'moved away' }, { journey: 'win-back' }, lists)).toEqual({ outcome: 'Voicemail', churnReason: 'moved away' });
    expect(() => parseTaskCompletion({ outcome: 'No answer', churnReason: 'moved away' }, { journey: 'win-back' }, lists)).toThrow(
      new UnprocessableError('the outcome "No answer" is not one of the store\'s outcomes: Reached, Voicemail'),
    );
    expect(() => parseTaskCompletion({ outcome: 'Reached', churnReason: 'price' }, { journey: 'win-back' }, lists)).toThrow(
      new UnprocessableError('the churn reason "price" is not one of the store\'s churn reasons: moved away'),
    );
  });
});

describe('taskListsFromJson', () => {
  it('keeps the default of a list the store leaves out', () => {
    expect(taskListsFromJson(undefined).churnReasons).toContain('price');
    expect(taskListsFromJson('{"churnReasons":["moved away"]}')).toEqual({ outcomes: taskListsFromJson('').outcomes, churnReasons: ['moved away'] });
  });

  it('refuses an empty list, a repeated choice, an unknown key and JSON that is not', () => {
    for (const json of ['{"outcomes":[]}', '{"churnReasons":["price","price"]}', '{"reasons":["price"]}', '{"outcomes":[" "]}', '{outcomes']) {
      expect(() => taskListsFromJson(json), json).toThrow(InvalidInputError);
    }
  });
});

describe('completeManagerTask', () => {
  const body = { outcome: 'Reached: will order again', churnReason: 'price', note: 'found it cheaper elsewhere' };

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

describe('COMEBACK_TASK_LISTS', () => {
  it('gives the handlers the lists, and stops the local host at start when they are wrong, naming the variable', () => {
    expect(readConfig(taskListsEnv, { COMEBACK_TASK_LISTS: '{"outcomes":["Reached","No answer"]}' }).COMEBACK_TASK_LISTS).toEqual({
      outcomes: ['Reached', 'No answer'],
      churnReasons: taskListsFromJson(undefined).churnReasons,
    });
    expect(() => readLocalHostConfig({ COMEBACK_TASK_LISTS: '{"outcomes":[]}' })).toThrow(/COMEBACK_TASK_LISTS: the task lists are invalid: outcomes: at least one choice/);
    expect(readLocalHostConfig({}).PORT).toBe(3000);
  });
});
