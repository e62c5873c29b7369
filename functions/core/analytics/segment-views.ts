/** What the admin API shows of segments and metrics, and the checks of its query parameters. */
import * as z from '../zod.ts';
import { InvalidInputError } from '../errors.ts';
import { invalid } from '../purchase.ts';
import { dayOf } from './facts.ts';
import type { RecomputeState } from './recompute.ts';
import { describeBasis, type RecencyBands } from './bands.ts';
import { describeRfmBasis } from './rfm-cells.ts';
import type { RfmTiers } from './rfm.ts';
import { builtInSegments, segmentKind, type ValueThresholds, type SegmentDefinition, type SegmentFilter, type SegmentKind } from './segments.ts';

export interface SegmentView {
  name: string;
  kind: SegmentKind;
  /** Members at the last recompute; null before the segment was first computed. */
  size: number | null;
  description?: string;
  filter?: SegmentFilter;
  createdAt?: string;
  updatedAt?: string;
}

/** One set of recency bands with how it was set ("derived from 5,210 repeat-purchase gaps"...). */
export interface RecencyBandsView {
  newDays: number;
  activeDays: number;
  sleepingDays: number;
  lapsingDays: number;
  basis: RecencyBands['basis'];
  description: string;
}

/** Customers per RFM tier (score 3..15) of the last recompute, with the quintile cut points as basis. */
export interface RfmTiersView extends RfmTiers {
  description: string;
}

const bandsView = (bands: RecencyBands): RecencyBandsView => ({ ...bands, description: describeBasis(bands) });

export function segmentsView(
  state: RecomputeState | undefined,
  definitions: readonly SegmentDefinition[],
): {
  computedAt: string | null;
  valueThresholds: ValueThresholds | null;
  recencyBands: { overall: RecencyBandsView; byCategory: Record<string, RecencyBandsView> } | null;
  rfmTiers: RfmTiersView | null;
  segments: SegmentView[];
} {
  const size = (name: string): number | null => state?.segments[name] ?? null;
  const bands = state?.bands;
  return {
    computedAt: state?.computedAt ?? null,
    valueThresholds: state?.thresholds ?? null,
    recencyBands: bands
      ? { overall: bandsView(bands.overall), byCategory: Object.fromEntries(Object.entries(bands.byCategory).map(([name, set]) => [name, bandsView(set)])) }
      : null,
    rfmTiers: state?.rfmTiers ? { ...state.rfmTiers, description: describeRfmBasis(state.rfmTiers.cuts) } : null,
    segments: [
      ...builtInSegments.map((name) => ({ name, kind: segmentKind(name), size: size(name) })),
      ...[...definitions]
        .sort((u, v) => u.name.localeCompare(v.name))
        .map((definition) => ({ ...definition, kind: 'custom' as const, size: size(definition.name) })),
    ],
  };
}

export const MAX_METRICS_DAYS = 366;

const calendarDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a YYYY-MM-DD date'), z.refine((date) => {
      const parsed = new Date(`${date}T00:00:00Z`);
      return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
    }, { message: 'not a calendar date' }));

const rangeSchema = z.object({ from: calendarDate, to: calendarDate });

/** `from` and `to` (both included), from <= to, at most MAX_METRICS_DAYS days. */
export function parseMetricsRange(query: Record<string, string | undefined>): { from: string; to: string } {
  const parsed = rangeSchema.safeParse(query);
  if (!parsed.success) throw invalid('the query needs from and to as YYYY-MM-DD dates', parsed.error);
  const { from, to } = parsed.data;
  const days = dayOf(to) - dayOf(from) + 1;
  if (days < 1) throw new InvalidInputError('from must not be after to', [{ path: 'from', message: 'after to' }]);
  if (days > MAX_METRICS_DAYS) throw new InvalidInputError(`at most ${MAX_METRICS_DAYS} days at a time`, [{ path: 'to', message: `${days} days asked` }]);
  return { from, to };
}
