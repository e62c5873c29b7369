/**
 * The nightly work on AWS: the state machine of workflows/nightly.asl.json (the file the local host
 * runs), started daily at 02:00 UTC by an EventBridge rule. Its branches call the journey sweep (in
 * two halves), the loyalty sweep, the co-purchase count and the recompute; the recompute's key
 * ranges run as a Distributed Map, each range one child execution (STANDARD), 16 at a time.
 *
 * Scheduled runs are not retried blindly: Step Functions invokes the functions synchronously (no
 * Lambda asynchronous retries), the definition retries only Lambda's transient errors, and a failed
 * night run again goes on from the checkpoint the recompute keeps in the table. The rule retries
 * only starting the execution. Failed executions alarm (ComebackMonitoring watches every state
 * machine of the stack).
 */
import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type ComebackFunction, projectRoot } from './comeback-function.ts';
import { clockText, NIGHTLY } from '../schedules.ts';

/** The state machine definition, relative to the project root. */
export const NIGHTLY_DEFINITION_FILE = 'workflows/nightly.asl.json';

export interface ComebackNightlyProps {
  /** Plans the night, recomputes one key range, merges the ranges (functions/handlers/nightly-recompute.ts). */
  readonly recompute: ComebackFunction;
  /** The journey sweep, called once per half (win-back, check-ins). */
  readonly journeySweep: ComebackFunction;
  readonly loyaltySweep: ComebackFunction;
  readonly coPurchase: ComebackFunction;
  /** @default false */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackNightly extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ComebackNightlyProps) {
    super(scope, id);
    const tracing = props.tracing ?? false;
    const stack = Stack.of(this);
    // Named after the stack, so the Distributed Map's own permissions name it without a cycle.
    const name = `${stack.stackName}-nightly`;
    if (Token.isUnresolved(stack.stackName) || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw new Error(`the state machine name "${name}" is not a valid name (at most 80 letters, digits, - and _): use a shorter stack name`);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    const functions = { NightlyRecomputeFunctionArn: props.recompute, JourneySweepFunctionArn: props.journeySweep, LoyaltySweepFunctionArn: props.loyaltySweep, CoPurchaseFunctionArn: props.coPurchase };
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Comeback nightly work: sweeps, co-purchase count, recompute in key ranges',
      definitionBody: sfn.DefinitionBody.fromFile(join(projectRoot, NIGHTLY_DEFINITION_FILE)),
      definitionSubstitutions: Object.fromEntries(Object.entries(functions).map(([placeholder, fn]) => [placeholder, fn.function.functionArn])),
      // A night is a few hundred events (a handful per key range) and its data is counts: all of it is logged.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: tracing,
    });
    // Its Task states invoke these functions by their unqualified ARNs, and nothing else.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: Object.values(functions).map((fn) => fn.function.functionArn) }));
    // The Distributed Map starts its children as executions of this state machine, and watches and stops them.
    const machineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machineArn] }));
    const childArns = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [childArns] }));

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Starts the Comeback nightly work daily at ${clockText(NIGHTLY)} UTC.`,
      schedule: events.Schedule.cron({ minute: String(NIGHTLY.minuteUtc), hour: String(NIGHTLY.hourUtc) }),
    });
    // Retries starting the execution only; a night not started within the hour is left to the next.
    this.rule.addTarget(new targets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromObject({}), retryAttempts: 2, maxEventAge: Duration.hours(1) }));

    if (!tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason: 'X-Ray tracing is opt-in for the whole deployment (context comeback:tracing, like the functions); the execution history shows every step of a night.',
      });
    }
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Logging to CloudWatch Logs from Step Functions needs the log delivery actions (logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery, ' +
        'logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups), which have no ' +
        'resource-level permissions' +
        (tracing ? '; X-Ray tracing needs xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules and xray:GetSamplingTargets, likewise only on "*".' : '.'),
    });
    Validations.of(this.stateMachine.role.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}/*]`,
      reason: "The Distributed Map's child executions are named by the service when the map runs: the role describes and stops only this state machine's executions.",
    });
  }
}
