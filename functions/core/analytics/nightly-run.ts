/**
 * The nightly recompute as the steps of the nightly state machine (workflows/nightly.asl.json),
 * with a checkpoint so a failed night resumes where it stopped:
 *
 * 1. plan: fixes the night's basis (recompute.ts planNight) and keeps it under the night's day, or
 *    finds the one kept by an earlier attempt the same day; answers the key ranges not done yet
 *    (none once the day is computed, so a second run the same day changes nothing);
 * 2. range (one Map child per key range): recomputes the range by the kept basis and keeps its
 *    result, which marks it done; a range already done is not run again;
 * 3. merge: reads every range's result and ends the night (recompute.ts finishNight).
 *
 * The checkpoint expires by itself (the adapter gives it a TTL): a night not finished the same day
 * starts over the next day from a new plan, with nothing left behind.
 */
import { dayOfDate, isoDay } from './facts.ts';
import { finishNight, planNight, recomputeRange, type NightBasis, type RangeResult, type RecomputePorts, type RecomputeSummary } from './recompute.ts';
import type { RecomputeSettings } from './settings.ts';

/** Where a night keeps its basis and its ranges' results until it ends. */
export interface NightCheckpoint {
  /** The night's basis and the ranges already done; undefined before the night is planned. */
  readNight(day: string): Promise<{ basis: NightBasis; done: number[] } | undefined>;
  /** Keeps the basis unless the night already has one; the basis kept either way. */
  startNight(basis: NightBasis): Promise<NightBasis>;
  /** Keeps a range's result; the range counts as done once this resolved. */
  saveRange(day: string, result: RangeResult): Promise<void>;
  readRanges(day: string): Promise<RangeResult[]>;
}

export interface NightPlan {
  day: string;
  /** The day is computed already: nothing is left to do. */
  computed: boolean;
  /** Key ranges of the night in all. */
  total: number;
  /** The key ranges still to run, ascending. */
  ranges: number[];
}

export class NightNotPlannedError extends Error {
  override readonly name: string = 'NightNotPlannedError';
  constructor(day: string) {
    super(`the night ${day} has no plan: run the plan step first`);
  }
}

/** How many key ranges a night of `customers` (yesterday's count) is cut into. */
export function rangesFor(customers: number | undefined, scan: RecomputeSettings['scan']): number {
  const needed = Math.ceil((customers ?? 0) / scan.rangeCustomers);
  return Math.min(scan.maxRanges, Math.max(scan.minRanges, needed));
}

export async function planNightRun(ports: RecomputePorts, checkpoint: NightCheckpoint, settings: RecomputeSettings, options: { refitModels?: boolean } = {}): Promise<NightPlan> {
  const day = isoDay(dayOfDate(ports.now()));
  const state = await ports.store.readState();
  if (state?.day === day) return { day, computed: true, total: 0, ranges: [] };
  const kept = await checkpoint.readNight(day);
  if (kept) {
    const done = new Set(kept.done);
    return { day, computed: false, total: kept.basis.ranges, ranges: allRanges(kept.basis.ranges).filter((range) => !done.has(range)) };
  }
  const basis = await checkpoint.startNight(await planNight(ports, settings, { ...options, ranges: rangesFor(state?.customers, settings.scan) }));
  return { day, computed: false, total: basis.ranges, ranges: allRanges(basis.ranges) };
}

export async function runNightRange(
  ports: RecomputePorts,
  checkpoint: NightCheckpoint,
  settings: RecomputeSettings,
  day: string,
  range: number,
): Promise<{ range: number; ran: boolean; customers: number }> {
  const night = await checkpoint.readNight(day);
  if (!night) throw new NightNotPlannedError(day);
  if (!Number.isInteger(range) || range < 0 || range >= night.basis.ranges) throw new RangeError(`the night ${day} has key ranges 0..${night.basis.ranges - 1}, not ${range}`);
  if (night.done.includes(range)) return { range, ran: false, customers: 0 };
  const result = await recomputeRange(ports, settings, night.basis, range);
  await checkpoint.saveRange(day, result);
  return { range, ran: true, customers: result.counts.customers };
}

export async function mergeNight(ports: RecomputePorts, checkpoint: NightCheckpoint, settings: RecomputeSettings, day: string): Promise<RecomputeSummary> {
  const night = await checkpoint.readNight(day);
  if (!night) throw new NightNotPlannedError(day);
  return finishNight(ports, settings, night.basis, await checkpoint.readRanges(day));
}

const allRanges = (total: number) => Array.from({ length: total }, (_, range) => range);
