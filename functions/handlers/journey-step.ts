/**
 * One step of a journey, invoked by its state machine (lambda:invoke). The answer tells the state
 * machine what to do next: continue to the next step at `at`, retry this step at `at`, or end.
 */
import * as z from '../core/zod.ts';
import { configuredDiscounts } from '../adapters/discounts.ts';
import { journeyStepPorts } from '../adapters/journey-sending-ports.ts';
import { runJourneyStep } from '../core/journey-engine.ts';
import { journeyEntrySchema, type StepOutcome } from '../core/journeys.ts';
import { invalid } from '../core/purchase.ts';

// The steps' messages offer discount codes: the storefront's, issued as they are sent.
const ports = journeyStepPorts(configuredDiscounts);

const stepRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('step'), step: z.string().check(z.minLength(1)), entry: journeyEntrySchema }),
  z.object({ action: z.literal('fail'), entry: journeyEntrySchema, error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })) }),
]);

export async function journeyStep(event: unknown): Promise<StepOutcome> {
  const request = stepRequestSchema.safeParse(event);
  if (!request.success) throw invalid('the journey step input is invalid', request.error);
  const { entry } = request.data;
  const clean = { ...entry, ...(entry.orderId ? { orderId: entry.orderId } : {}) };
  return runJourneyStep(ports, request.data.action === 'step' ? { action: 'step', step: request.data.step, entry: clean } : { action: 'fail', entry: clean, ...(request.data.error ? { error: request.data.error } : {}) });
}

export const handler = journeyStep;
