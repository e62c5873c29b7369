/**
 * The retention journeys on AWS: one Step Functions state machine per journey, deployed from its
 * file in workflows/ as it is (the local host runs the same files), the journey step function its
 * Task states invoke, and the daily sweep that starts win-back and hands out due check-ins.
 *
 * Dependencies run one way, so the stack has no cycle: the route functions, the sweep and the
 * nightly recompute (segment entries start win-back) get the state machine ARNs; the state machines
 * get the step function's ARN; the step function gets the public URL and never a state machine ARN
 * (a step does not start journeys).
 *
 * Executions carry only the entry's identity (journey, entry id, customer id, dates), but a guest
 * order's customer id is its email address, so the state machines log errors only and never the
 * execution data. Step Functions keeps the full history of each execution for 90 days.
 */
import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { keys } from '../../functions/adapters/table-design.ts';
import { stateMachineJourneys, type StateMachineJourney } from '../../functions/core/journeys.ts';
import type { ComebackTable } from './comeback-data.ts';
import type { ComebackDelivery } from './comeback-delivery.ts';
import { ComebackFunction, projectRoot } from './comeback-function.ts';
import type { ComebackSecret } from './comeback-secret.ts';

/** What `journeySettings()` reads (functions/adapters/journey-ports.ts); the store sets these at deployment. */
export interface ComebackJourneySettings {
  /** The store's web shop, linked from messages (COMEBACK_SHOP_URL). */
  readonly shopUrl: string;
  /** How customers reach the store (an address, a phone number or a page), quoted in messages (COMEBACK_SUPPORT_CONTACT). */
  readonly supportContact: string;
  /**
   * The share of journey entries held out as the control group that uplift is measured against,
   * 0 to 0.5 (COMEBACK_HOLDOUT_SHARE).
   * @default 0.1
   */
  readonly holdoutShare?: number;
}

export interface ComebackJourneysProps {
  readonly table: ComebackTable;
  readonly delivery: ComebackDelivery;
  /** Signs the feedback links that journey messages carry. */
  readonly feedbackSecret: ComebackSecret;
  readonly settings: ComebackJourneySettings;
  /**
   * Active X-Ray tracing of the functions and the state machines.
   * @default false
   */
  readonly tracing?: boolean;
  /** Retention of the function and state machine logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** The substitution the journey files use for the step function (`"FunctionName": "${JourneyStepFunctionArn}"`). */
export const JOURNEY_STEP_SUBSTITUTION = 'JourneyStepFunctionArn';

/** The state machine definition of a journey, relative to the project root. */
export function journeyDefinitionFile(journey: StateMachineJourney): string {
  return `workflows/${journey}.asl.json`;
}

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __: string, letter: string) => letter.toUpperCase());

export class ComebackJourneys extends Construct {
  public readonly settings: ComebackJourneySettings;
  /** Runs one step of a journey; invoked by the state machines only. */
  public readonly step: ComebackFunction;
  /** Starts win-back, hands out due check-ins: two branches of the nightly state machine (comeback-nightly.ts). */
  public readonly sweep: ComebackFunction;
  /** Marks the entry of an execution that failed, timed out or was aborted as failed, with why. */
  public readonly executionEnded: ComebackFunction;
  /** The journeys' executions that end other than by success, sent to `executionEnded`. */
  public readonly executionEndedRule: events.Rule;
  private readonly machines = new Map<StateMachineJourney, sfn.StateMachine>();
  private readonly machineNames = new Map<StateMachineJourney, string>();

  constructor(scope: Construct, id: string, props: ComebackJourneysProps) {
    super(scope, id);
    this.settings = props.settings;
    const tracing = props.tracing ?? false;
    const common = { tracing, ...(props.logRetention ? { logRetention: props.logRetention } : {}) };

    this.step = new ComebackFunction(this, 'Step', {
      entry: 'functions/handlers/journey-step.ts',
      description: 'Comeback journey step (invoked by the journey state machines)',
      timeout: Duration.seconds(30),
      templates: true,
      // The post-purchase steps offer the rules file's complements and upsells.
      catalog: true,
      ...common,
    });
    // A nightly recompute may start thousands of executions at once; capped, their steps wait
    // (the definitions retry Lambda.TooManyRequestsException with backoff) instead of taking the
    // account's concurrency from the webhooks.
    this.step.limitConcurrency(50, 'journey executions started in bulk by the nightly recompute or the sweep');
    this.step.bindTable(props.table, 'readWrite');
    this.step.bindLoyalty();
    this.step.bindJourneySettings(props.settings);
    this.step.bindDelivery(props.delivery);
    this.step.bindSecret(props.feedbackSecret);
    // The step sends the messages that offer discount codes, and creates them in the store.
    props.delivery.storefront.bind(this.step);

    const stackName = Stack.of(this).stackName;
    for (const journey of stateMachineJourneys) {
      // Named after the stack, so the executions' ARNs are known when permissions are written.
      const name = `${stackName}-${journey}`;
      if (Token.isUnresolved(stackName) || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
        throw new Error(`the state machine name "${name}" is not a valid name (at most 80 letters, digits, - and _): use a shorter stack name`);
      }
      const logGroup = new logs.LogGroup(this, `${pascal(journey)}Logs`, { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
      const machine = new sfn.StateMachine(this, `${pascal(journey)}StateMachine`, {
        stateMachineName: name,
        stateMachineType: sfn.StateMachineType.STANDARD,
        comment: `Comeback ${journey} journey`,
        definitionBody: sfn.DefinitionBody.fromFile(join(projectRoot, journeyDefinitionFile(journey))),
        definitionSubstitutions: { [JOURNEY_STEP_SUBSTITUTION]: this.step.function.functionArn },
        logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
        tracingEnabled: tracing,
      });
      // Its Task states invoke the step function by its unqualified ARN, and nothing else.
      machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.step.function.functionArn] }));

      Validations.of(machine).acknowledge({
        id: 'AwsSolutions-SF1',
        reason:
          'Logs errors only (level ERROR, without execution data): a journey waits for weeks between steps, so ALL would log every ' +
          'state transition of every customer, and the execution input names the customer (an email address for guest orders). ' +
          'The execution history in Step Functions keeps every event for 90 days.',
      });
      if (!tracing) {
        Validations.of(machine).acknowledge({
          id: 'AwsSolutions-SF2',
          reason:
            'X-Ray tracing is opt-in for the whole deployment (context comeback:tracing, like the functions): a journey spends ' +
            'weeks in Wait states, so a trace shows little the execution history does not.',
        });
      }
      Validations.of(machine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Logging to CloudWatch Logs from Step Functions needs the log delivery actions (logs:CreateLogDelivery, logs:GetLogDelivery, ' +
          'logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies, ' +
          'logs:DescribeLogGroups), which have no resource-level permissions' +
          (tracing ? '; X-Ray tracing needs xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules and xray:GetSamplingTargets, likewise only on "*".' : '.'),
      });
      this.machines.set(journey, machine);
      this.machineNames.set(journey, name);
    }

    this.sweep = new ComebackFunction(this, 'Sweep', {
      entry: 'functions/handlers/journey-sweep.ts',
      description: 'Comeback daily journey sweep: win-back and due check-ins',
      timeout: Duration.minutes(10),
      templates: true,
      // Win-back is never due before the longest cycle the rules file declares for what was bought.
      catalog: true,
      ...common,
    });
    this.sweep.bindTable(props.table, 'readWrite');
    this.sweep.bindJourneys(this);
    this.sweep.bindDelivery(props.delivery);
    this.sweep.bindSecret(props.feedbackSecret);

    this.executionEnded = new ComebackFunction(this, 'ExecutionEnded', {
      entry: 'functions/handlers/journey-execution-ended.ts',
      description: 'Comeback: a journey execution that failed, timed out or was aborted marks its entry failed',
      timeout: Duration.seconds(30),
      ...common,
    });
    // One conditional update of the journey entry, under the customer's partition.
    props.table.grantUpdates(this.executionEnded.function, keys.customerPartition(''));
    this.executionEnded.function.addEnvironment('TABLE_NAME', props.table.tableName);
    // The service reports every execution that ends; only this stack's journeys that did not succeed matter.
    this.executionEndedRule = new events.Rule(this, 'ExecutionEndedRule', {
      description: 'Journey executions of Comeback that failed, timed out or were aborted.',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [...this.machines.values()].map((machine) => machine.stateMachineArn) },
      },
    });
    // Marking an entry is idempotent, so EventBridge may retry for as long as a day, and Lambda twice.
    const failed = this.executionEnded.invokedAsynchronously({ retryAttempts: 2, maxEventAge: Duration.hours(6), reason: 'marking an entry failed is idempotent: Lambda retried it twice' });
    this.executionEndedRule.addTarget(new targets.LambdaFunction(this.executionEnded.function, { retryAttempts: 8, maxEventAge: Duration.hours(24), deadLetterQueue: failed }));
  }

  /** The state machine of a journey. */
  public stateMachine(journey: StateMachineJourney): sfn.StateMachine {
    const machine = this.machines.get(journey);
    if (!machine) throw new Error(`no state machine for the journey ${journey}`);
    return machine;
  }

  /** The ARN pattern of every execution of a journey's state machine (`...:execution:<name>:*`). */
  public executionArnPattern(journey: StateMachineJourney): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.machineNames.get(journey)}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
