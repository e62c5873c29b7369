/**
 * Per journey, what became of each step's messages over a range of days: how many were sent,
 * deferred (to a later hour, then logged again when sent), suppressed, failed or skipped, from the
 * counts the message log adds as it writes. Beside them GET /v1/metrics has each journey's entered
 * and converted (the daily snapshots), so the console draws the whole funnel. Pure.
 */
export const funnelStatuses = ['sent', 'deferred', 'suppressed', 'failed', 'skipped'] as const;
export type FunnelStatus = (typeof funnelStatuses)[number];
export type StepCounts = Record<FunnelStatus, number>;

/** One stored count: a journey step's log entries with one status on one day. */
export interface FunnelCount {
  journey: string;
  day: string;
  step: string;
  status: string;
  count: number;
}

/** The counts of the days from..to (both inclusive), per journey and step, every status present. */
export function summarizeFunnels(counts: readonly FunnelCount[], from: string, to: string): Record<string, Record<string, StepCounts>> {
  const funnels: Record<string, Record<string, StepCounts>> = {};
  for (const row of counts) {
    if (row.day < from || row.day > to || !(funnelStatuses as readonly string[]).includes(row.status)) continue;
    const steps = (funnels[row.journey] ??= {});
    const step = (steps[row.step] ??= { sent: 0, deferred: 0, suppressed: 0, failed: 0, skipped: 0 });
    step[row.status as FunnelStatus] += row.count;
  }
  return funnels;
}
