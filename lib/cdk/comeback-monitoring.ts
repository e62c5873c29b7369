/**
 * What the store looks at, and what wakes someone up.
 *
 * The dashboard leads with the nightly business figures that the recompute publishes in the
 * embedded metric format (namespace Comeback, dimension Service=comeback; see
 * functions/adapters/cloudwatch-metrics.ts), then the health of the API, the journeys and the
 * scheduled functions.
 *
 * The alarms cover what no caller would notice: a journey execution that failed, an API answering
 * 5xx (storefronts retry webhooks for a while, then give up), background functions that fail,
 * segment events that could not be delivered, and an SES sender reputation heading towards the
 * thresholds at which AWS reviews the account (bounces 5%, complaints 0.1%). Every alarm notifies
 * an encrypted SNS topic; `alarmEmail` subscribes an address to it.
 *
 * Every function of the stack is watched the same way besides: its errors, its duration near its
 * timeout, the events left in its failed-invocation queue, and throttles (the account's, which
 * starve the webhooks, apart from those of the functions whose concurrency is capped on purpose).
 * So is every state machine's failed executions and the SES sending volume against the quota.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/adapters/cloudwatch-metrics.ts';
import { stateMachineJourneys } from '../../functions/core/journeys.ts';
import type { ComebackAnalytics } from './comeback-analytics.ts';
import type { ComebackDeliveryFeedback } from './comeback-delivery-feedback.ts';
import { ComebackFunction } from './comeback-function.ts';
import type { ComebackHttpApi } from './comeback-http-api.ts';
import type { ComebackJourneys } from './comeback-journeys.ts';
import type { ComebackLoyalty } from './comeback-loyalty.ts';
import type { ComebackPurchaseReactions } from './comeback-purchase-reactions.ts';

/** The Service dimension of every Comeback metric (SERVICE in functions/adapters/cloudwatch-metrics.ts). */
export const METRICS_SERVICE = 'comeback';

/** The figures at the top of the dashboard, as the recompute names them. */
export const HEADLINE_METRICS = {
  customers: ['Customers', 'ActiveCustomers', 'NewCustomers', 'ReturningCustomers'],
  rates: ['RetentionRate', 'ChurnRate', 'RepeatPurchaseRate', 'NpsScore', 'PurchaseFrequency'],
  recompute: ['RecomputeDuration', 'FailedSegmentEvents', 'PredictionsAvailable'],
  /** Per dimension value (Journey or Segment), found with a search expression. */
  byJourney: ['JourneyUplift', 'JourneyConversionRate', 'JourneyHoldoutConversionRate'],
  bySegment: ['SegmentSize'],
} as const;

export interface ComebackMonitoringProps {
  readonly api: ComebackHttpApi;
  readonly journeys: ComebackJourneys;
  readonly analytics: ComebackAnalytics;
  readonly loyalty: ComebackLoyalty;
  /**
   * Delivery feedback: its function and dead-letter queue, and the configuration set's own bounce
   * and complaint rates.
   * @default - only the account's SES reputation is watched
   */
  readonly deliveryFeedback?: ComebackDeliveryFeedback;
  /**
   * The purchase reactions: the stream records given up on, and how far behind the stream they run.
   * @default - not watched
   */
  readonly purchaseReactions?: ComebackPurchaseReactions;
  /**
   * An address subscribed to the alarm notifications (SNS mails a confirmation link first).
   * @default - no subscription: subscribe to the alarm topic in the console
   */
  readonly alarmEmail?: string;
  /**
   * The SES sending quota of the account in the region (the SES console's "Daily sending quota" and
   * "Maximum send rate"): an alarm fires at 80% of either.
   * @default - SES's usual first production quota, 50,000 a day and 14 a second
   */
  readonly sesQuota?: { readonly perDay: number; readonly perSecond: number };
}

/** SES's usual first production quota, outside the sandbox. */
export const DEFAULT_SES_QUOTA = { perDay: 50_000, perSecond: 14 } as const;
/** Share of a function's timeout at which its duration alarms. */
export const DURATION_ALARM_SHARE = 0.8;
/** Functions per alarm of the per-function figures (metric math takes at most 10 metrics). */
export const ALARM_GROUP_SIZE = 10;

/** An alarm id from a construct path below the stack: `Journeys/Step` gives `JourneysStep`. */
export function alarmIdOf(scope: ComebackFunction): string {
  return scope.node.path.split('/').slice(1).join('').replace(/[^A-Za-z0-9]/g, '');
}

const DAY = Duration.days(1);

/** A nightly figure: one datapoint a day, so a day's maximum is the figure itself. */
function comebackMetric(metricName: string, dimensions: Record<string, string> = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { Service: METRICS_SERVICE, ...dimensions },
    period: DAY,
    statistic: cloudwatch.Stats.MAXIMUM,
  });
}

/** Every series of a per-journey or per-segment figure, whatever the journeys and segments are. */
function comebackSearch(metricName: string, dimension: 'Journey' | 'Segment'): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},Service,${dimension}} Service="${METRICS_SERVICE}" MetricName="${metricName}"', 'Maximum', 86400)`,
    usingMetrics: {},
    label: '',
    period: DAY,
  });
}

export class ComebackMonitoring extends Construct {
  public readonly alarmTopic: sns.Topic;
  public readonly alarmKey: kms.Key;
  public readonly dashboard: cloudwatch.Dashboard;
  /** By id, for tests and for stores that add their own actions. */
  public readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: ComebackMonitoringProps) {
    super(scope, id);
    this.alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Comeback alarm notifications (SNS).',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes alarm notifications itself, so it must be able to use the topic's key.
    this.alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Comeback alarms', masterKey: this.alarmKey, enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const alarms = new Map<string, cloudwatch.Alarm>();
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      created.addOkAction(new actions.SnsAction(this.alarmTopic));
      alarms.set(alarmId, created);
      return created;
    };

    const { journeys, analytics, loyalty } = props;
    const httpApi = props.api.httpApi;
    alarm(
      'ApiServerErrors',
      httpApi.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      5,
      'The Comeback API answered 5 or more requests with 5xx in 5 minutes: webhooks are failing (storefronts retry, then drop them). See the access logs and the function logs.',
    );
    for (const journey of stateMachineJourneys) {
      const pascal = journey.replace(/(^|-)([a-z])/g, (_, __: string, letter: string) => letter.toUpperCase());
      alarm(
        `${pascal}ExecutionsFailed`,
        journeys.stateMachine(journey).metricFailed({ period: Duration.minutes(15), statistic: cloudwatch.Stats.SUM }),
        1,
        `A ${journey} journey execution failed after its retries (the entry is marked failed): see the execution in Step Functions and the journey step logs.`,
      );
    }
    alarm(
      'JourneyStepErrors',
      journeys.step.function.metricErrors({ period: Duration.minutes(15), statistic: cloudwatch.Stats.SUM }),
      5,
      'The journey step function failed 5 or more times in 15 minutes (the state machines retry it, so single errors are expected): see its logs.',
    );
    alarm(
      'JourneySweepErrors',
      journeys.sweep.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      1,
      'The daily journey sweep failed: win-back was not started and due check-ins were not handed out today. See its logs; running it again is safe.',
    );
    alarm(
      'NightlyRecomputeErrors',
      analytics.recompute.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      1,
      'The nightly recompute failed: segments, predictions and metrics are from the night before. See its logs; running it again is safe.',
    );
    alarm(
      'LoyaltyDispatchErrors',
      loyalty.dispatch.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      1,
      'The hourly loyalty dispatch failed: due tier, replenishment and cross-sell messages were not sent this hour. See its logs; ' +
        'the next runs pick them up again (it looks back to yesterday, the nightly loyalty sweep a week).',
    );
    alarm(
      'LoyaltySweepErrors',
      loyalty.sweep.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      1,
      'The daily loyalty sweep failed: tier reviews were not done and due messages were not sent tonight. See its logs; running it again is safe.',
    );
    alarm(
      'CoPurchaseErrors',
      loyalty.coPurchase.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      1,
      'The nightly co-purchase count failed: personal offers use the counts of an earlier night (they expire after three days). See its logs; running it again is safe.',
    );
    alarm(
      'FailedSegmentEvents',
      comebackMetric('FailedSegmentEvents').with({ statistic: cloudwatch.Stats.SUM }),
      1,
      'The nightly recompute could not hand some segment entries on (FailedSegmentEvents): see the recompute logs.',
    );
    alarm(
      'SesBounceRate',
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM }),
      0.04,
      'The SES bounce rate of the account reached 4%; at 5% AWS reviews the account and may pause sending. Check the contact data the store sends.',
    );
    alarm(
      'SesComplaintRate',
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Reputation.ComplaintRate', period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM }),
      0.0008,
      'The SES complaint rate of the account reached 0.08%; at 0.1% AWS reviews the account. Check the consent and frequency caps of the journeys.',
    );
    if (props.deliveryFeedback) this.watchDeliveryFeedback(props.deliveryFeedback, alarm);
    if (props.purchaseReactions) {
      // A failed reaction is reported back to the mapping, not raised: the function's errors never show it.
      alarm(
        'PurchaseReactionsGivenUp',
        props.purchaseReactions.failureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        1,
        'A purchase, refund or cancellation record of the table stream failed its reactions after every retry (journeys or points did not follow it). ' +
          'The queue holds where it sits in the stream; see the purchase reactions logs for the error, fix it, then run the reaction again.',
      );
      alarm(
        'PurchaseReactionsLate',
        props.purchaseReactions.function.function.metric('IteratorAge', { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
        Duration.minutes(10).toMilliseconds(),
        'The purchase reactions run 10 minutes or more behind the table stream: thank-yous, conversions and points are late. See the function\'s errors, throttles and duration.',
      );
    }
    const watched = new Set<lambda.IFunction>([
      journeys.step.function,
      journeys.sweep.function,
      analytics.recompute.function,
      loyalty.dispatch.function,
      loyalty.sweep.function,
      loyalty.coPurchase.function,
      ...(props.deliveryFeedback ? [props.deliveryFeedback.receiver.function] : []),
    ]);
    this.watchFunctions(watched, alarms, alarm);
    this.watchStateMachines(new Set(stateMachineJourneys.map((journey) => journeys.stateMachine(journey))), alarm);
    this.watchSesSending(props.sesQuota ?? DEFAULT_SES_QUOTA, alarm);
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(90) });
    const headline = (names: readonly string[]) => names.map((name) => comebackMetric(name).with({ label: name }));
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: '# Comeback\nCustomer figures are computed nightly by the recompute (one point a day); the lower rows show the health of the API, the journeys and the scheduled functions.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.SingleValueWidget({ title: 'Customers', metrics: headline(HEADLINE_METRICS.customers), width: 12, height: 4, period: DAY }),
      new cloudwatch.SingleValueWidget({ title: 'Retention', metrics: headline(HEADLINE_METRICS.rates), width: 12, height: 4, period: DAY }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Customers', left: headline(HEADLINE_METRICS.customers), width: 8, period: DAY }),
      new cloudwatch.GraphWidget({
        title: 'Retention, churn and repeat purchase (%)',
        left: headline(['RetentionRate', 'ChurnRate', 'RepeatPurchaseRate']),
        leftYAxis: { min: 0, max: 100, showUnits: false },
        width: 8,
        period: DAY,
      }),
      new cloudwatch.GraphWidget({ title: 'Segment sizes', left: HEADLINE_METRICS.bySegment.map((name) => comebackSearch(name, 'Segment')), width: 8, period: DAY }),
    );
    const journeyTitles: Record<(typeof HEADLINE_METRICS.byJourney)[number], string> = {
      JourneyUplift: 'Journey uplift over the holdout (percentage points)',
      JourneyConversionRate: 'Journey conversion (%)',
      JourneyHoldoutConversionRate: 'Holdout conversion (%)',
    };
    this.dashboard.addWidgets(
      ...HEADLINE_METRICS.byJourney.map(
        (name) => new cloudwatch.GraphWidget({ title: journeyTitles[name], left: [comebackSearch(name, 'Journey')], width: 8, period: DAY }),
      ),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [httpApi.metricCount({ statistic: cloudwatch.Stats.SUM }), httpApi.metricClientError({ statistic: cloudwatch.Stats.SUM }), httpApi.metricServerError({ statistic: cloudwatch.Stats.SUM })],
        right: [httpApi.metricLatency({ statistic: cloudwatch.Stats.p(99) })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Journey executions',
        left: stateMachineJourneys.flatMap((journey) => [
          journeys.stateMachine(journey).metricStarted({ statistic: cloudwatch.Stats.SUM, label: `${journey} started` }),
          journeys.stateMachine(journey).metricFailed({ statistic: cloudwatch.Stats.SUM, label: `${journey} failed` }),
        ]),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Background function errors',
        left: [
          journeys.step.function.metricErrors({ label: 'journey step' }),
          journeys.sweep.function.metricErrors({ label: 'journey sweep' }),
          analytics.recompute.function.metricErrors({ label: 'nightly recompute' }),
          loyalty.dispatch.function.metricErrors({ label: 'loyalty dispatch' }),
          loyalty.sweep.function.metricErrors({ label: 'loyalty sweep' }),
          loyalty.coPurchase.function.metricErrors({ label: 'co-purchase count' }),
        ],
        right: [comebackMetric('RecomputeDuration').with({ label: 'RecomputeDuration' })],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.SingleValueWidget({ title: 'Last recompute', metrics: headline(HEADLINE_METRICS.recompute), width: 8, height: 4, period: DAY }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms.values()], width: 16, height: 4 }),
    );

    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Comeback alarms are published here: subscribe whoever looks after the deployment.' });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`,
      description: 'The Comeback dashboard in the CloudWatch console.',
    });
  }

  /**
   * Every Comeback function of the stack: errors (unless an alarm of its own above covers them),
   * duration near the timeout, failed asynchronous invocations, and throttles.
   */
  private watchFunctions(
    errorsWatched: ReadonlySet<lambda.IFunction>,
    alarms: Map<string, cloudwatch.Alarm>,
    alarm: (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => cloudwatch.Alarm,
  ): void {
    const functions = Stack.of(this)
      .node.findAll()
      .filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction);
    // One alarm per ten functions (metric math takes ten metrics at most): an alarm per function
    // would take the stack past CloudFormation's 500 resources. Each alarm's description names them.
    const groups = <T,>(items: readonly T[]) => Array.from({ length: Math.ceil(items.length / ALARM_GROUP_SIZE) }, (_, index) => items.slice(index * ALARM_GROUP_SIZE, (index + 1) * ALARM_GROUP_SIZE));
    const nameOf = (fn: ComebackFunction) => fn.node.path.split('/').slice(1).join('/');
    const period = Duration.minutes(15);
    groups(functions.filter((fn) => !errorsWatched.has(fn.function))).forEach((group, index) => {
      alarm(
        `FunctionErrors${index + 1}`,
        new cloudwatch.MathExpression({
          expression: group.map((_, member) => `FILL(e${member}, 0)`).join(' + '),
          usingMetrics: Object.fromEntries(group.map((fn, member) => [`e${member}`, fn.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM })])),
          period,
          label: 'Errors',
        }),
        1,
        `One of these functions failed (an uncaught error or a timeout, not an answer it gave) in the last 15 minutes: ${group.map(nameOf).join(', ')}. See which in the Lambda console, then its logs.`,
      );
    });
    groups(functions).forEach((group, index) => {
      alarm(
        `FunctionsNearTimeout${index + 1}`,
        new cloudwatch.MathExpression({
          // Each function's longest run as a share of its own timeout.
          expression: `MAX([${group.map((fn, member) => `FILL(d${member}, 0) / ${(fn.function.timeout ?? Duration.seconds(3)).toMilliseconds()}`).join(', ')}])`,
          usingMetrics: Object.fromEntries(group.map((fn, member) => [`d${member}`, fn.function.metricDuration({ period, statistic: cloudwatch.Stats.MAXIMUM })])),
          period,
          label: 'Longest run / timeout',
        }),
        DURATION_ALARM_SHARE,
        `A run of one of these functions took ${DURATION_ALARM_SHARE * 100}% or more of its timeout, so it will soon time out as the data grows: ${group.map(nameOf).join(', ')}. ` +
          'See which in the Lambda console (Duration), what it spent the time on in its logs, then raise its timeout or memory, or split the work.',
      );
    });
    groups(functions.filter((fn) => fn.failedInvocationQueue !== undefined)).forEach((group, index) => {
      alarm(
        `FailedInvocations${index + 1}`,
        new cloudwatch.MathExpression({
          expression: group.map((_, member) => `FILL(q${member}, 0)`).join(' + '),
          usingMetrics: Object.fromEntries(
            group.map((fn, member) => [`q${member}`, fn.failedInvocationQueue!.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM })]),
          ),
          period: Duration.minutes(5),
          label: 'Failed invocations kept',
        }),
        1,
        `An asynchronous invocation of one of these functions failed for good, after its retries if it has any: ${group.map(nameOf).join(', ')}. ` +
          'The event and its error are in the function\'s FailedInvocations queue: read them, fix the cause, then run the function again by hand if its next run does not catch up.',
      );
    });
    // Throttles of the functions capped on purpose are expected in a burst (their callers retry);
    // only throttling that lasts is worth a look. Any other throttle means the account ran out.
    const capped = functions.filter((fn) => fn.concurrencyReason !== undefined);
    for (const fn of capped) {
      const created = new cloudwatch.Alarm(this, `${alarmIdOf(fn)}Throttled`, {
        metric: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 6,
        datapointsToAlarm: 6,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${fn.node.path.split('/').slice(1).join('/')} has been throttled at its concurrency limit for 30 minutes (${fn.concurrencyReason}). Its work is late; if this is its normal load, raise the limit.`,
      });
      created.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      created.addOkAction(new actions.SnsAction(this.alarmTopic));
      alarms.set(`${alarmIdOf(fn)}Throttled`, created);
    }
    const throttlePeriod = Duration.minutes(5);
    const accountThrottles = new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', period: throttlePeriod, statistic: cloudwatch.Stats.SUM });
    const cappedMetrics = Object.fromEntries(capped.map((fn, index) => [`capped${index}`, fn.function.metricThrottles({ period: throttlePeriod, statistic: cloudwatch.Stats.SUM })]));
    alarm(
      'AccountThrottles',
      new cloudwatch.MathExpression({
        expression: ['FILL(account, 0)', ...Object.keys(cappedMetrics).map((key) => `FILL(${key}, 0)`)].join(' - '),
        usingMetrics: { account: accountThrottles, ...cappedMetrics },
        period: throttlePeriod,
        label: 'Throttles of uncapped functions',
      }),
      1,
      'Lambda throttled functions whose concurrency is not capped: the account ran out of concurrency, so webhooks and API routes may be refused. ' +
        'See which function ran most (ConcurrentExecutions per function) and ask AWS for a higher concurrency quota, or cap that function.',
    );
  }

  /** Failed executions of every state machine of the stack besides the journeys (which have their own above). */
  private watchStateMachines(
    watched: ReadonlySet<sfn.IStateMachine>,
    alarm: (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => cloudwatch.Alarm,
  ): void {
    const machines = Stack.of(this)
      .node.findAll()
      .filter((construct): construct is sfn.StateMachine => construct instanceof sfn.StateMachine && !watched.has(construct));
    for (const machine of machines) {
      const path = machine.node.path.split('/').slice(1);
      alarm(
        `${path.join('').replace(/[^A-Za-z0-9]/g, '')}ExecutionsFailed`,
        machine.metricFailed({ period: Duration.minutes(15), statistic: cloudwatch.Stats.SUM }),
        1,
        `An execution of ${path.join('/')} failed, timed out or was aborted: see the execution in Step Functions.`,
      );
    }
  }

  /** The account's SES sends against its quota: a day's sends, and a minute's against the rate. */
  private watchSesSending(
    quota: { readonly perDay: number; readonly perSecond: number },
    alarm: (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => cloudwatch.Alarm,
  ): void {
    if (!(quota.perDay > 0 && quota.perSecond > 0)) throw new Error(`the SES quota must be above 0 a day and a second, not ${quota.perDay} and ${quota.perSecond}`);
    const sends = (period: Duration) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: 'Send', period, statistic: cloudwatch.Stats.SUM });
    alarm(
      'SesDailySends',
      sends(Duration.days(1)),
      Math.floor(quota.perDay * 0.8),
      `The account sent 80% of its SES quota of ${quota.perDay} emails a day: past the quota SES refuses sends until the day rolls over. Ask AWS for a higher quota, or set sesQuota to the account's.`,
    );
    alarm(
      'SesSendRate',
      sends(Duration.minutes(1)),
      Math.floor(quota.perSecond * 60 * 0.8),
      `The account sent at 80% of its SES maximum rate of ${quota.perSecond} emails a second for a minute: past it SES throttles sends (the journeys retry them). Ask AWS for a higher rate if this lasts.`,
    );
  }

  /**
   * The configuration set's rates over six hours, below SES's thresholds like the account's, where
   * there is volume enough to mean something (100 sends; below that one bounce is 1% or more), and
   * the feedback path itself: its function failing, or SES events left in its dead-letter queue.
   */
  private watchDeliveryFeedback(
    feedback: ComebackDeliveryFeedback,
    alarm: (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => cloudwatch.Alarm,
  ): void {
    const period = Duration.hours(6);
    const rate = (events: 'bounces' | 'complaints', label: string) =>
      new cloudwatch.MathExpression({
        expression: `IF(sends >= 100, ${events} / sends, 0)`,
        usingMetrics: { sends: feedback.metricConfigurationSet('Send', period), [events]: feedback.metricConfigurationSet(events === 'bounces' ? 'Bounce' : 'Complaint', period) },
        period,
        label,
      });
    alarm(
      'SesConfigurationSetBounceRate',
      rate('bounces', 'Bounce rate of Comeback\'s emails'),
      0.04,
      'Comeback\'s own emails bounced at 4% or more over 6 hours (SES reviews the account at 5%). The addresses that bounced for good are already withdrawn from marketing; check where the store gets its addresses.',
    );
    alarm(
      'SesConfigurationSetComplaintRate',
      rate('complaints', 'Complaint rate of Comeback\'s emails'),
      0.0008,
      'Comeback\'s own emails drew complaints at 0.08% or more over 6 hours (SES reviews the account at 0.1%). Complaining customers are already withdrawn from marketing; check the journeys\' consent and frequency.',
    );
    alarm(
      'DeliveryFeedbackErrors',
      feedback.receiver.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      5,
      'The delivery feedback function failed 5 or more times in an hour (EventBridge and CloudWatch Logs retry it): delivery statuses and bounce opt-outs are late. See its logs.',
    );
    alarm(
      'DeliveryFeedbackDeadLetters',
      feedback.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(15), statistic: cloudwatch.Stats.MAXIMUM }),
      1,
      'SES events could not be handed to the delivery feedback function for a day: their bounces and complaints are not applied. Read them from the dead-letter queue and fix the function.',
    );
  }
}
