/**
 * The lists a manager chooses from when completing a call: how the call went (outcomes) and why a
 * lost customer stopped buying (churn reasons). Each store sets its own (COMEBACK_TASK_LISTS, one
 * JSON document; CDK context `comeback:taskLists`); either list left out keeps its default.
 */
import * as z from '../zod.ts';
import { InvalidInputError } from '../errors.ts';
import { invalid } from '../purchase.ts';

export const defaultTaskLists = {
  outcomes: ['Reached: will order again', 'Reached: not interested', 'Reached: call back later', 'No answer', 'Wrong number'],
  churnReasons: ['price', 'quality', 'delivery', 'service', 'competitor', 'no-need', 'other'],
} as const;

/** One choice: shown as it is written and counted under it in GET /v1/metrics. */
const choice = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));

const list = z.array(choice).check(z.minLength(1, 'at least one choice'), z.maxLength(50, 'at most 50 choices'), z.refine((values) => new Set(values).size === values.length, 'each choice once'));

export const taskListsSchema = z.strictObject({
  outcomes: z._default(list, [...defaultTaskLists.outcomes]),
  churnReasons: z._default(list, [...defaultTaskLists.churnReasons]),
});

export interface TaskLists {
  readonly outcomes: readonly string[];
  readonly churnReasons: readonly string[];
}

/** The store's lists from their JSON document; no document gives the defaults. */
export function taskListsFromJson(json: string | undefined): TaskLists {
  if (json === undefined || json.trim() === '') return defaultTaskLists;
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw new InvalidInputError(`the task lists are not valid JSON: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = taskListsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'document'}: ${issue.message}`);
    throw invalid(`the task lists are invalid: ${issues.join('; ')}`, parsed.error);
  }
  return parsed.data;
}
