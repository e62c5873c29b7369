/**
 * When the scheduled work runs, in UTC. The CDK app's EventBridge rules (lib/cdk) and the local
 * host's virtual clock (lib/local/journey-runtime.ts) both read it here, as they share the route
 * table (./routes.ts), so the two cannot drift apart.
 */
export interface TimeOfDay {
  readonly hourUtc: number;
  readonly minuteUtc: number;
}

/** The nightly state machine: the journey sweep, the loyalty sweep, the recompute and the co-purchase count. */
export const NIGHTLY: TimeOfDay = { hourUtc: 2, minuteUtc: 0 };

/** The loyalty dispatch runs every hour at this minute: due tier, replenishment and cross-sell messages. */
export const LOYALTY_DISPATCH_MINUTE = 15;

/** The platform sync (a deployment with a storefront): before the nightly work, which then sees the day's orders. */
export const PLATFORM_SYNC: TimeOfDay = { hourUtc: 1, minuteUtc: 30 };

/** `minutes` after `time`, on the clock (past midnight it wraps to the next day's hours). */
export function minutesAfter(time: TimeOfDay, minutes: number): TimeOfDay {
  const total = (((time.hourUtc * 60 + time.minuteUtc + minutes) % 1440) + 1440) % 1440;
  return { hourUtc: Math.floor(total / 60), minuteUtc: total % 60 };
}

/** "02:00": how the rules' descriptions name a time of day. */
export function clockText(time: TimeOfDay): string {
  return `${String(time.hourUtc).padStart(2, '0')}:${String(time.minuteUtc).padStart(2, '0')}`;
}
