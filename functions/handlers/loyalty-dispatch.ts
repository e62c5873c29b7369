/**
 * The loyalty dispatch, run by a schedule every hour: the scheduled messages due by now (tier
 * congratulations and nudges, replenishment reminders, cross-sell offers) through the delivery step.
 * A message the delivery step defers (quiet hours, the frequency cap) is due again at the slot it
 * names, 09:00 in the customer's zone for quiet hours, and nothing but the next run sends it: hourly,
 * that is within the hour after the slot. The nightly sweep alone would not do: 02:30 UTC is in the
 * quiet hours of every customer from Europe to India, and would defer the same message every night.
 * Each run reads the due index for the last two hours (today, and yesterday just after midnight UTC);
 * the nightly loyalty-sweep.ts looks back a week.
 */
import { loyaltySweepPorts } from '../adapters/loyalty-sweep-ports.ts';
import { DISPATCH_LOOKBACK_HOURS, dispatchDueMessages, type DispatchSummary } from '../core/loyalty/outreach.ts';
import { logger } from './http.ts';

const ports = loyaltySweepPorts({ lookbackHours: DISPATCH_LOOKBACK_HOURS });

export async function loyaltyDispatch(): Promise<Omit<DispatchSummary, 'errors'> & { errors: number }> {
  const { errors, ...result } = await dispatchDueMessages(ports);
  for (const error of errors) logger.warn('scheduled message not sent; it will be tried again', error);
  if (result.customers > 0) logger.info('loyalty dispatch done', { ...result, errors: errors.length });
  return { ...result, errors: errors.length };
}

export const handler = loyaltyDispatch;
