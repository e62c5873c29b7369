/**
 * The nightly loyalty sweep (a schedule runs it once a day; the local host on its virtual clock): tier
 * reviews for customers whose orders left the 12-month window (a drop is silent, a nudge may follow),
 * then every scheduled message due by now, looking back a week so a missed night loses nothing.
 * Between nights, loyalty-dispatch.ts sends what falls due.
 */
import { loyaltySweepPorts } from '../adapters/loyalty-sweep-ports.ts';
import { sweepLoyalty, type LoyaltySweepSummary } from '../core/loyalty/use-cases.ts';
import { logger } from './http.ts';

const ports = loyaltySweepPorts();

export async function loyaltySweep(): Promise<Omit<LoyaltySweepSummary, 'errors'> & { errors: number }> {
  const { errors, ...result } = await sweepLoyalty(ports);
  for (const error of errors) logger.warn('scheduled message not sent; it will be tried again', error);
  logger.info('loyalty sweep done', { ...result, errors: errors.length });
  return { ...result, errors: errors.length };
}

export const handler = loyaltySweep;
