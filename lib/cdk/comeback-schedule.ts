/**
 * Runs of a Comeback function at fixed UTC times, by an EventBridge rule: once a day at an hour and
 * minute (`ComebackDailySchedule`), or every hour at a minute (`ComebackHourlySchedule`).
 *
 * An EventBridge rule rather than EventBridge Scheduler: the times are fixed in UTC (rules evaluate
 * cron in UTC; Scheduler's time zones are not needed), and a rule invokes the function through the
 * function's resource policy, scoped to the rule's ARN, so no extra IAM role exists for it. The
 * invocation is asynchronous, and a failed run is not retried: the scheduled jobs are long, and a
 * blind retry would start over what the next run resumes from the job's checkpoint. The event of a
 * failed run (and one EventBridge could not deliver) goes to the function's failed-invocation
 * queue, which alarms.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { ComebackFunction } from './comeback-function.ts';

export interface ComebackDailyScheduleProps {
  /** The function to run; it receives the scheduled event. */
  readonly target: ComebackFunction;
  /** Hour of the day, UTC (0-23). */
  readonly hour: number;
  /** @default 0 */
  readonly minute?: number;
  readonly description: string;
}

export interface ComebackHourlyScheduleProps {
  /** The function to run; it receives the scheduled event. */
  readonly target: ComebackFunction;
  /** Minute of every hour (0-59). */
  readonly minute: number;
  readonly description: string;
}

function checkMinute(minute: number): void {
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw new Error(`the minute must be 0-59, not ${minute}`);
}

/** The rule's target: the function, with EventBridge's retries for failing to invoke it, and none of a run that failed. */
function invoke(target: ComebackFunction, maxEventAge: Duration): targets.LambdaFunction {
  const failed = target.invokedAsynchronously({
    retryAttempts: 0,
    maxEventAge,
    reason: 'a scheduled run is not retried: the next scheduled run resumes the work',
  });
  // EventBridge's own retries cover failing to invoke (the run never started).
  return new targets.LambdaFunction(target.function, { retryAttempts: 2, maxEventAge, deadLetterQueue: failed });
}

export class ComebackDailySchedule extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ComebackDailyScheduleProps) {
    super(scope, id);
    const minute = props.minute ?? 0;
    if (!Number.isInteger(props.hour) || props.hour < 0 || props.hour > 23) throw new Error(`the hour must be 0-23, not ${props.hour}`);
    checkMinute(minute);
    this.rule = new events.Rule(this, 'Rule', {
      description: props.description,
      schedule: events.Schedule.cron({ minute: String(minute), hour: String(props.hour) }),
    });
    this.rule.addTarget(invoke(props.target, Duration.hours(1)));
  }
}

export class ComebackHourlySchedule extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ComebackHourlyScheduleProps) {
    super(scope, id);
    checkMinute(props.minute);
    this.rule = new events.Rule(this, 'Rule', {
      description: props.description,
      schedule: events.Schedule.cron({ minute: String(props.minute), hour: '*' }),
    });
    // A run that could not be invoked within half an hour is left to the next one, so runs never pile up.
    this.rule.addTarget(invoke(props.target, Duration.minutes(30)));
  }
}
