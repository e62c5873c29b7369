/**
 * The daily journey sweep, run by an EventBridge schedule (the local host runs it on its virtual
 * clock): win-back for customers who stopped buying, and due manager check-ins.
 */
import { journeyRunPorts, withDeclaredCycles } from '../adapters/journey-ports.ts';
import { sweepJourneys } from '../core/journey-engine.ts';
import { logger } from './http.ts';

const ports = withDeclaredCycles(journeyRunPorts());

export async function journeySweep(): Promise<{ winBackStarted: number; checkInTasks: number }> {
  const result = await sweepJourneys(ports);
  logger.info('journey sweep done', result);
  return result;
}

export const handler = journeySweep;
