/**
 * The daily journey sweep: win-back for customers who stopped buying, and due manager check-ins.
 * The nightly state machine (workflows/nightly.asl.json) runs the two halves as parallel branches,
 * `{ "part": "win-back" }` and `{ "part": "check-ins" }`; without a part (the local host's job, an
 * on-demand run) both run, one after the other. Each half is idempotent: a win-back entry is one per
 * inactivity episode, a check-in is completed once handed out.
 */
import * as z from '../core/zod.ts';
import { withDeclaredCycles } from '../adapters/journey-ports.ts';
import { journeyRunPorts } from '../adapters/journey-sending-ports.ts';
import { InvalidInputError } from '../core/errors.ts';
import { sweepCheckIns, sweepJourneys, sweepWinBack } from '../core/journey-engine.ts';
import { logger } from './http.ts';

const ports = withDeclaredCycles(journeyRunPorts());

const requestSchema = z.looseObject({ part: z.optional(z.enum(['win-back', 'check-ins'])) });

export async function journeySweep(event?: unknown): Promise<{ winBackStarted?: number; checkInTasks?: number }> {
  const request = requestSchema.safeParse(event ?? {});
  if (!request.success) throw new InvalidInputError('the sweep request is invalid', request.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  const part = request.data.part;
  const result = part === 'win-back' ? await sweepWinBack(ports) : part === 'check-ins' ? await sweepCheckIns(ports) : await sweepJourneys(ports);
  logger.info('journey sweep done', { part: part ?? 'all', ...result });
  return result;
}

export const handler = journeySweep;
