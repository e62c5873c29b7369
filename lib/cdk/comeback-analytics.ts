/**
 * The nightly recompute (functions/handlers/nightly-recompute.ts): segments, predictions, the
 * daily metrics snapshot, and the CloudWatch metrics it writes to its log in the embedded metric
 * format (namespace Comeback, see functions/adapters/cloudwatch-metrics.ts; Lambda turns those
 * log lines into metrics, so the function needs no cloudwatch:PutMetricData).
 *
 * A customer who enters the sleeping or churn-risk segment starts win-back, so the recompute has
 * the journeys capability (the state machine ARNs and the journey settings, StartExecution) like
 * the journey routes; the handler builds those ports when it loads, so without them it would fail
 * at cold start.
 *
 * The nightly state machine (comeback-nightly.ts) runs it, one key range per Distributed Map child; it reads its sparse index (gsi3:
 * profiles, memberships, predictions, journey entries, feedback; no orders or message logs) with a
 * parallel Scan, which only the batch jobs may do (this one and the co-purchase count).
 * Invoked on its own (on demand), it runs the whole night at once: see SCALING in the handler.
 */
import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GSI3 } from '../../functions/adapters/table-design.ts';
import { recomputeSettingsFromJson } from '../../functions/core/analytics/settings.ts';
import type { ComebackTable } from './comeback-data.ts';
import { ComebackFunction } from './comeback-function.ts';
import type { ComebackJourneys } from './comeback-journeys.ts';

export interface ComebackAnalyticsProps {
  readonly table: ComebackTable;
  /** The journeys that segment entries start (win-back). */
  readonly journeys: ComebackJourneys;
  /**
   * Overrides of the recompute rules, as one JSON document (COMEBACK_RECOMPUTE_SETTINGS, see
   * functions/core/analytics/settings.ts); checked at synth, so a bad document fails the deployment.
   * @default - every default
   */
  readonly recomputeSettings?: string;
  /**
   * Active X-Ray tracing.
   * @default false
   */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackAnalytics extends Construct {
  public readonly recompute: ComebackFunction;

  constructor(scope: Construct, id: string, props: ComebackAnalyticsProps) {
    super(scope, id);
    this.recompute = new ComebackFunction(this, 'NightlyRecompute', {
      entry: 'functions/handlers/nightly-recompute.ts',
      description: 'Comeback nightly recompute: segments, predictions, metrics',
      // The scan and the model fit are CPU-bound: 1769 MB is one full vCPU, the rest is headroom for the accumulators.
      memorySize: 2048,
      timeout: Duration.minutes(15),
      // Segment entries start win-back, never before the longest cycle the rules file declares.
      catalog: true,
      tracing: props.tracing ?? false,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    // Its sparse index every night; the base table once, to index items written before the index existed.
    this.recompute.bindTable(props.table, 'readWrite', { scan: true, scanIndexes: [GSI3] });
    this.recompute.bindJourneys(props.journeys);
    if (props.recomputeSettings !== undefined && props.recomputeSettings.trim() !== '') {
      recomputeSettingsFromJson(props.recomputeSettings);
      this.recompute.function.addEnvironment('COMEBACK_RECOMPUTE_SETTINGS', props.recomputeSettings);
    }
  }
}
