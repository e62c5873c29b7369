/**
 * What follows a purchase, refund or cancellation, off the request path: the table's stream, through
 * a Lambda event source mapping that passes only new order and refund items, to the purchase
 * reactions function (functions/handlers/purchase-reactions.ts): journeys, points, follow-ups.
 *
 * A record whose reaction fails is reported back (partial batch failures), the batch is halved to
 * find it (bisect on error), delivered again a bounded number of times and for a bounded time, and
 * then sent to an encrypted SQS queue for a person to look at: one failing customer never holds
 * the stream back for long.
 *
 * Least privilege: the function reads and writes the table's data, starts and stops journey
 * executions, reads the rules file it carries; it reads the stream (and only this table's) and sends
 * to its own failure queue. The webhooks keep none of this: they write once and answer.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REACTING_ITEM_TYPES } from '../../functions/core/purchase-reactions.ts';
import type { ComebackTable } from './comeback-data.ts';
import { ComebackFunction } from './comeback-function.ts';
import type { ComebackJourneys } from './comeback-journeys.ts';

export interface ComebackPurchaseReactionsProps {
  readonly table: ComebackTable;
  readonly journeys: ComebackJourneys;
  /**
   * Deliveries of a failing record after the first, before it goes to the failure queue.
   * @default 5
   */
  readonly retryAttempts?: number;
  /**
   * How old a record may get before it goes to the failure queue instead.
   * @default Duration.hours(6)
   */
  readonly maxRecordAge?: Duration;
  /** @default false */
  readonly tracing?: boolean;
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackPurchaseReactions extends Construct {
  public readonly function: ComebackFunction;
  public readonly mapping: lambda.EventSourceMapping;
  /** Records given up on, with the stream position to read them at. */
  public readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ComebackPurchaseReactionsProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? 5;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 10) throw new Error(`the reactions' retry attempts must be a whole number from 0 to 10, not ${retryAttempts}`);
    const streamArn = props.table.table.tableStreamArn;
    if (!streamArn) throw new Error('the table has no stream for the purchase reactions to read');

    this.function = new ComebackFunction(this, 'Function', {
      entry: 'functions/handlers/purchase-reactions.ts',
      description: 'Comeback purchase reactions: journeys and points of recorded orders and refunds, from the table stream',
      catalog: true,
      timeout: Duration.minutes(1),
      tracing: props.tracing ?? false,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.function.bindTable(props.table, 'readWrite');
    this.function.bindJourneys(props.journeys);
    this.function.bindLoyalty();

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is itself the on-failure destination of the purchase reactions' stream mapping; it holds where the failed records sit in the stream, for a person to look at, and is not redriven.",
    });

    // The stream of this table only: the mapping reads it with the function's role.
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], resources: [streamArn] }),
    );
    this.mapping = new lambda.EventSourceMapping(this, 'StreamMapping', {
      target: this.function.function,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      retryAttempts,
      maxRecordAge: props.maxRecordAge ?? Duration.hours(6),
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.failureQueue),
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { type: { S: lambda.FilterRule.or(...REACTING_ITEM_TYPES) } } },
        }),
      ],
    });
  }
}
