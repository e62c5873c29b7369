/**
 * Wall-clock arithmetic in a customer's IANA time zone with nothing but Intl: the platform's ICU
 * data knows every zone and its DST rules, so no hand-written tables.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone if the platform knows it, else UTC (unknown or garbled zones must not stop delivery). */
export function knownTimeZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  try {
    formatterFor(zone);
    return zone;
  } catch {
    return 'UTC';
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What a clock on the wall in `zone` shows at `instant`. */
export function wallTime(instant: Date, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

/** The zone's offset from UTC at `instant`, in milliseconds (Kyiv in summer: +3 h). */
export function zoneOffsetMs(instant: Date, zone: string): number {
  const wall = wallTime(instant, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `zone` shows the given local time. Day overflow is
 * allowed (day 32 is the 1st of the next month). A local time skipped by a DST change resolves to
 * the moment just after the gap; a repeated one to its first occurrence.
 */
export function instantAt(zone: string, year: number, month: number, day: number, hour: number, minute = 0): Date {
  const local = Date.UTC(year, month - 1, day, hour, minute);
  const first = local - zoneOffsetMs(new Date(local), zone);
  const offset = zoneOffsetMs(new Date(first), zone);
  const second = local - offset;
  if (second === first) return new Date(first);
  // The offset changes between the guess and the answer: take the one that reads back as asked,
  // or, inside a DST gap, the later one (the first moment the wall clock has passed the time).
  const readsBack = (candidate: number) => {
    const wall = wallTime(new Date(candidate), zone);
    return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) === local;
  };
  if (readsBack(Math.min(first, second))) return new Date(Math.min(first, second));
  if (readsBack(Math.max(first, second))) return new Date(Math.max(first, second));
  return new Date(Math.max(first, second));
}

export interface QuietHours {
  /** Local hour quiet time starts (inclusive), e.g. 21. */
  startHour: number;
  /** Local hour quiet time ends (exclusive), e.g. 9. */
  endHour: number;
}

/** Whether `instant` falls in the quiet hours of `zone`; the period may wrap midnight (21-9). */
export function isQuietTime(instant: Date, zone: string, quiet: QuietHours): boolean {
  const { hour } = wallTime(instant, zone);
  if (quiet.startHour === quiet.endHour) return false;
  return quiet.startHour < quiet.endHour
    ? hour >= quiet.startHour && hour < quiet.endHour
    : hour >= quiet.startHour || hour < quiet.endHour;
}

/**
 * The end of the quiet period `instant` is in: the next time the wall clock in `zone` shows
 * endHour:00. Returns `instant` itself when it is not quiet time.
 */
export function quietHoursEnd(instant: Date, zone: string, quiet: QuietHours): Date {
  if (!isQuietTime(instant, zone, quiet)) return instant;
  const wall = wallTime(instant, zone);
  const endsToday = wall.hour < quiet.endHour;
  return instantAt(zone, wall.year, wall.month, wall.day + (endsToday ? 0 : 1), quiet.endHour);
}

/**
 * The next start of quiet hours at or after `instant` (an instant outside them): the next time the
 * wall clock in `zone` shows startHour:00. Undefined when there are no quiet hours.
 */
export function quietHoursStart(instant: Date, zone: string, quiet: QuietHours): Date | undefined {
  if (quiet.startHour === quiet.endHour) return undefined;
  const wall = wallTime(instant, zone);
  return instantAt(zone, wall.year, wall.month, wall.day + (wall.hour >= quiet.startHour ? 1 : 0), quiet.startHour);
}
