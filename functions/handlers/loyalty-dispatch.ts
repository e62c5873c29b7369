/**
 * The loyalty dispatch, run by a schedule every hour: the scheduled messages due by now (tier
 * congratulations and nudges, replenishment reminders, cross-sell offers) through the delivery step.
 * A message the delivery step defers for quiet hours is due again at 09:00 in the customer's zone, and
 * any interval up to 12 hours lands one run in every zone's 09:00-21:00 window; hourly sends closest
 * to the due time. Each run reads two days of the due index (today and yesterday); the nightly
 * loyalty-sweep.ts looks back a week.
 */
import { DISPATCH_LOOKBACK_DAYS, loyaltySweepPorts } from '../adapters/loyalty-ports.ts';
import { dispatchDueMessages, type DispatchSummary } from '../core/loyalty/outreach.ts';
import { logger } from './http.ts';

const ports = loyaltySweepPorts({ lookbackDays: DISPATCH_LOOKBACK_DAYS });

export async function loyaltyDispatch(): Promise<Omit<DispatchSummary, 'errors'> & { errors: number }> {
  const { errors, ...result } = await dispatchDueMessages(ports);
  for (const error of errors) logger.warn('scheduled message not sent; it will be tried again', error);
  if (result.customers > 0) logger.info('loyalty dispatch done', { ...result, errors: errors.length });
  return { ...result, errors: errors.length };
}

export const handler = loyaltyDispatch;
