/**
 * The time handlers act on. On AWS it is the real clock. The local host, and only the local host,
 * replaces it with its virtual clock so journeys' waits, schedules and messages follow
 * `POST /_local/clock/advance`; deployed code never calls `useClock`.
 */
export interface ClockSource {
  now(): Date;
}

let source: ClockSource = { now: () => new Date() };

export function now(): Date {
  return source.now();
}

export function useClock(clock: ClockSource): void {
  source = clock;
}
