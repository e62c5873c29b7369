/**
 * The nightly recompute: segments, predictions, the daily metrics snapshot and its CloudWatch
 * metrics (functions/core/analytics/recompute.ts). Two ways in:
 *
 * - the nightly state machine (workflows/nightly.asl.json, started daily at 02:00 UTC) calls it
 *   with `{ "step": "plan" }`, then `{ "step": "range", "day", "range" }` once per key range (one
 *   Distributed Map child each), then `{ "step": "merge", "day" }`; the night's basis and each
 *   range's result are kept in the table, so a failed night run again skips the ranges done
 *   (core/analytics/nightly-run.ts);
 * - on demand (`{ "refitModels": true }` refits the models now), or a scheduled event: the whole
 *   night in this one function, the same plan, ranges and merge in memory.
 */
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from '../core/zod.ts';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { now } from '../adapters/clock.ts';
import { publishEmf } from '../adapters/cloudwatch-metrics.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { readConfig } from '../config.ts';
import { InvalidInputError } from '../core/errors.ts';
import { journeyPorts, withDeclaredCycles } from '../adapters/journey-ports.ts';
import { recompute, type RecomputePorts, type RecomputeSummary, type SegmentEvents } from '../core/analytics/recompute.ts';
import { mergeNight, planNightRun, runNightRange, type NightPlan } from '../core/analytics/nightly-run.ts';
import { DynamoNightCheckpoint } from '../adapters/night-checkpoint.ts';
import { startWinBackOnSegmentEntry, startWinBackWhenDue } from '../core/journey-engine.ts';
import { recomputeSettingsFromJson } from '../core/analytics/settings.ts';
import { logger } from './http.ts';

export type { SegmentEnteredEvent, SegmentEvents } from '../core/analytics/recompute.ts';

/**
 * SCALING, from tests/bench/segments.ts (three runs on a shared 2-core machine; ranges are across
 * runs). In-process, with an in-memory store: 11-14 µs of CPU per customer for segments and metrics,
 * 17-23 µs with predictions, 26-49 µs on a first night (two passes and the fit). Peak memory does not
 * grow with customers: 444-510 MB RSS at 100,000, 519-547 MB at 1,000,000, and 1,000,000 also
 * completes with V8's old space capped at 64 MB. On DynamoDB Local, 100,000 customers: the night
 * after the first takes 0.7-1.6 ms per customer, and a bare parallel scan of the same items takes as
 * long: reading is the whole cost. The first night takes 2.6-4.3 ms per customer (every membership
 * is a conditional put).
 *
 * The line (for this one function; the state machine cuts the night into key ranges instead): 900 s with half kept as margin, at the measured 1.6 ms per customer, is 280,000
 * customers (first night: 100,000); CPU alone would allow 20 million. DynamoDB Local scans far
 * slower than DynamoDB, so these are floors: watch RecomputeDuration and move to the Distributed
 * Map once it passes 450 s. A first night cut short by the timeout is not lost: memberships already
 * written are kept (no second event), and the next night carries on.
 */

const recomputeEnv = z.object({
  /** Overrides of the recompute rules as one JSON document (see core/analytics/settings.ts); absent: every default. */
  COMEBACK_RECOMPUTE_SETTINGS: z.pipe(z.optional(z.string()), z.transform((json, context) => {
      try {
        return recomputeSettingsFromJson(json);
      } catch (error) {
        const issues = error instanceof InvalidInputError ? error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ') : '';
        context.issues.push({ code: 'custom', input: json, message: `${(error as Error).message}${issues ? ` (${issues})` : ''}` });
        return z.NEVER;
      }
    })),
  /** "true" stops the CloudWatch metric lines (as for Powertools Metrics). */
  POWERTOOLS_METRICS_DISABLED: z.optional(z.enum(['true', 'false'])),
});

const config = readConfig(recomputeEnv);
const store = new DynamoAnalyticsStore(documentClient, tableName);
const checkpoint = new DynamoNightCheckpoint(documentClient, tableName);
const publish = config.POWERTOOLS_METRICS_DISABLED === 'true' ? undefined : publishEmf();

const journeys = withDeclaredCycles(journeyPorts());

/**
 * Win-back starts when the customer's own timing comes due (win-back.ts), or on entering sleeping
 * or churn-risk once due; once per inactivity episode either way.
 */
let segmentEvents: SegmentEvents = {
  entered: (event) => startWinBackOnSegmentEntry(journeys, event),
  seen: (event) => startWinBackWhenDue(journeys, event),
};

/** Replaces what segment entries do (tests listen to them). */
export function useSegmentEvents(events: SegmentEvents): void {
  segmentEvents = events;
}

/** An on-demand run may ask for a refit; the scheduled event carries nothing the job needs but its source. */
const requestSchema = z.looseObject({ refitModels: z.optional(z.boolean()), source: z.optional(z.string()) });

/** The steps of the nightly state machine. */
const stepSchema = z.discriminatedUnion('step', [
  z.strictObject({ step: z.literal('plan') }),
  z.strictObject({ step: z.literal('range'), day: z.iso.date(), range: z.number().check(z.int(), z.gte(0)) }),
  z.strictObject({ step: z.literal('merge'), day: z.iso.date() }),
]);

export type NightStep = z.infer<typeof stepSchema>;

export type RecomputeRequest = { refitModels?: boolean } | ScheduledEvent | NightStep;

function ports(): RecomputePorts {
  return { store, events: segmentEvents, now, ...(publish ? { publish } : {}), log: (message, details) => logger.info(message, details ?? {}) };
}

/** One step of the nightly state machine (see the top of this file). */
export async function nightStep(event: NightStep): Promise<NightPlan | { range: number; ran: boolean; customers: number } | RecomputeSummary> {
  const settings = config.COMEBACK_RECOMPUTE_SETTINGS;
  switch (event.step) {
    case 'plan': {
      const plan = await planNightRun(ports(), checkpoint, settings);
      logger.info('night planned', { ...plan, ranges: plan.ranges.length });
      return plan;
    }
    case 'range': {
      const done = await runNightRange(ports(), checkpoint, settings, event.day, event.range);
      logger.info(done.ran ? 'key range recomputed' : 'key range already done tonight', { day: event.day, ...done });
      return done;
    }
    case 'merge': {
      const { segments, ...figures } = await mergeNight(ports(), checkpoint, settings, event.day);
      logger.info('recompute finished', { ...figures, segmentCount: Object.keys(segments).length });
      return { segments, ...figures };
    }
  }
}

/** A scheduled run whose day was already computed: the day stays as it was computed. */
export interface DayAlreadyComputed {
  day: string;
  alreadyComputed: true;
}

export async function nightlyRecompute(event: RecomputeRequest): Promise<RecomputeSummary | DayAlreadyComputed | NightPlan | { range: number; ran: boolean; customers: number }> {
  if (event && 'step' in event) {
    const step = stepSchema.safeParse(event);
    if (!step.success) throw new InvalidInputError('the nightly step is invalid', step.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
    return nightStep(step.data);
  }
  const request = requestSchema.safeParse(event ?? {});
  const refitModels = request.success && request.data.refitModels === true;
  if (request.success && request.data.source === 'aws.events') {
    // A day's snapshot and memberships are computed once, as of that day: a redelivered schedule,
    // or a local host catching up with its clock after a restart, must not rewrite them later.
    const day = now().toISOString().slice(0, 10);
    if ((await store.readState())?.day === day) {
      logger.info('recompute skipped: the day is already computed', { day });
      return { day, alreadyComputed: true };
    }
  }
  const summary = await recompute(ports(), config.COMEBACK_RECOMPUTE_SETTINGS, { refitModels });
  const { segments, ...figures } = summary;
  logger.info('recompute finished', { ...figures, segmentCount: Object.keys(segments).length });
  return summary;
}

export const handler = middy<RecomputeRequest, Awaited<ReturnType<typeof nightlyRecompute>>>().handler(nightlyRecompute);
