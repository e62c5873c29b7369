/**
 * A journey execution that ended other than by success (EventBridge "Step Functions Execution
 * Status Change": FAILED, TIMED_OUT, ABORTED; the local host sends the same event). Its entry is
 * marked failed with the reason, so the admin view never lists a customer as inside a journey that
 * no longer runs. Executions Comeback stops itself (conversion, removal) ended their entries first,
 * and are left as they are.
 */
import * as z from '../core/zod.ts';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoJourneyStore } from '../adapters/journey-store.ts';
import { recordCarriedInvitationFailure, recordJourneyFailure } from '../core/journey-failures.ts';
import { journeyEntrySchema } from '../core/journeys.ts';
import { logger } from './http.ts';

/** The table and the clock only: this function sends nothing and starts nothing. */
const ports = { store: new DynamoJourneyStore(documentClient, tableName), now };

const statusChangeSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    name: z.string(),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
    input: z.nullish(z.string()),
    error: z.nullish(z.string()),
    cause: z.nullish(z.string()),
  }),
});

const executionInputSchema = z.object({ entry: journeyEntrySchema });

export async function journeyExecutionEnded(event: unknown): Promise<{ entryFailed: boolean }> {
  const change = statusChangeSchema.safeParse(event);
  if (!change.success) {
    logger.warn('not an execution status change of a journey; ignored', { issues: change.error.issues.length });
    return { entryFailed: false };
  }
  const { detail } = change.data;
  let input: unknown;
  try {
    input = JSON.parse(detail.input ?? '');
  } catch {
    input = undefined;
  }
  const parsed = executionInputSchema.safeParse(input);
  if (!parsed.success) {
    logger.warn('the execution carries no journey entry; ignored', { execution: detail.name });
    return { entryFailed: false };
  }
  const { orderId, ...entry } = parsed.data.entry;
  const failure = { Error: detail.error ?? `States.${detail.status}`, Cause: detail.cause ?? `the execution ended as ${detail.status}` };
  const ended = { ...entry, ...(orderId ? { orderId } : {}) };
  const entryFailed = await recordJourneyFailure(ports, ended, failure);
  // Whether or not RecordFailure marked the entry first: a loyalty invitation it carried ends too.
  const invitationFailed = await recordCarriedInvitationFailure(ports, ended, failure);
  // Entry ids and error names only: the cause may quote customer data.
  logger.info('journey execution ended', { execution: detail.name, status: detail.status, error: failure.Error, entryFailed, invitationFailed });
  return { entryFailed };
}

export const handler = journeyExecutionEnded;
