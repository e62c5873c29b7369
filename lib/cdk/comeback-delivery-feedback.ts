/**
 * Delivery feedback on AWS: what SES and SNS report after they accepted a message reaches one
 * function (functions/handlers/delivery-events.ts), which sets the message's delivery status in the
 * log and withdraws email marketing after a permanent bounce or a complaint.
 *
 * - Email: the configuration set every email goes through publishes its events to EventBridge's
 *   default bus, and a rule for that configuration set invokes the function. EventBridge rather
 *   than an SNS topic: the event arrives as SES's JSON without a second envelope, there is no
 *   topic and key policy to keep SES publishing into, and the rule's target retries for a day and
 *   then keeps what it could not deliver in a dead-letter queue. The same configuration set also
 *   publishes its sends, bounces and complaints as CloudWatch metrics (dimension
 *   `ConfigurationSet`), which the monitoring's alarms read as rates.
 * - SMS: SNS writes each SMS's delivery status to CloudWatch Logs, in the log groups
 *   `sns/<region>/<account>/DirectPublishToPhoneNumber` (and `/Failure`), once the account's SMS
 *   preferences name a role allowed to (DeliveryStatusIAMRole). The stack creates both log groups
 *   and that role, and subscribes the function to the groups; setting the account's SMS preference
 *   is one command (the stack outputs it), since CloudFormation has no resource for it.
 *
 * The function may read message guards, provider receipts and customer partitions, and update
 * items of customer partitions (the log entry, the PREFERENCES item), nothing else.
 */
import { Aws, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { keys } from '../../functions/adapters/table-design.ts';
import { acknowledgeWildcardResources } from './acknowledgements.ts';
import type { ComebackTable } from './comeback-data.ts';
import type { ComebackDelivery } from './comeback-delivery.ts';
import { ComebackFunction } from './comeback-function.ts';

export interface ComebackDeliveryFeedbackProps {
  readonly table: ComebackTable;
  readonly delivery: ComebackDelivery;
  /**
   * Publish opens and clicks (SES then adds a tracking pixel and rewrites links): only where the
   * store has decided to track them, and says so to its customers.
   * @default false
   */
  readonly engagementTracking?: boolean;
  /**
   * Create the SNS SMS delivery status log groups. Set false when SMS delivery status logging was
   * already on in the account and region (the groups then exist, and the stack only subscribes).
   * @default true
   */
  readonly createSmsStatusLogGroups?: boolean;
  /**
   * Active X-Ray tracing of the function.
   * @default false
   */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** The tag SES puts on every email with the name of its configuration set (an auto-tag), which the rule matches. */
export const CONFIGURATION_SET_TAG = 'ses:configuration-set';
/**
 * The dimension SES publishes the configuration set's metrics under. SES v2 allows no colon in a
 * dimension name, so it is not the auto-tag: no email carries a tag of this name, and every metric
 * gets the default value, the configuration set's name (only this set's events reach the destination).
 */
export const CONFIGURATION_SET_DIMENSION = 'ConfigurationSet';

export class ComebackDeliveryFeedback extends Construct {
  public readonly receiver: ComebackFunction;
  /** SES events EventBridge could not hand to the function after a day of retries. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rule: events.Rule;
  /** The log groups SNS writes SMS delivery status to: successes, then failures. */
  public readonly smsStatusLogGroups: readonly logs.ILogGroup[];
  /** The role SNS writes SMS delivery status with (the account's DeliveryStatusIAMRole). */
  public readonly smsStatusRole: iam.Role;
  public readonly configurationSetName: string;

  constructor(scope: Construct, id: string, props: ComebackDeliveryFeedbackProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { configurationSet } = props.delivery;
    this.configurationSetName = configurationSet.configurationSetName;

    this.receiver = new ComebackFunction(this, 'Receiver', {
      entry: 'functions/handlers/delivery-events.ts',
      description: 'Comeback delivery feedback: SES events and SNS SMS delivery status set each message\'s delivery status',
      timeout: Duration.seconds(30),
      tracing: props.tracing ?? false,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.bindFeedbackWrites(props.table);
    // EventBridge and the log subscriptions invoke asynchronously; a status update is idempotent,
    // so Lambda retries it twice. A large send's events come in a burst: capped, they wait in
    // Lambda's queue instead of taking the account's concurrency from the webhooks.
    this.receiver.invokedAsynchronously({ retryAttempts: 2, maxEventAge: Duration.hours(6), reason: 'a delivery status update is idempotent: Lambda retried it twice' });
    this.receiver.limitConcurrency(10, 'SES and SMS delivery events arrive in bursts after a large send');

    const published = [
      ses.EmailSendingEvent.BOUNCE,
      ses.EmailSendingEvent.COMPLAINT,
      ses.EmailSendingEvent.DELIVERY,
      ses.EmailSendingEvent.REJECT,
      ses.EmailSendingEvent.DELIVERY_DELAY,
      ...(props.engagementTracking ? [ses.EmailSendingEvent.OPEN, ses.EmailSendingEvent.CLICK] : []),
    ];
    // SES publishes configuration-set events only to the account's default bus.
    configurationSet.addEventDestination('EventBridge', {
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: published,
    });
    configurationSet.addEventDestination('Metrics', {
      destination: ses.EventDestination.cloudWatchDimensions([
        { name: CONFIGURATION_SET_DIMENSION, source: ses.CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: this.configurationSetName },
      ]),
      events: [ses.EmailSendingEvent.SEND, ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the SES event rule\'s target; what lands here is read by a person (the alarm says so), not redriven again.',
    });
    this.rule = new events.Rule(this, 'SesEvents', {
      description: 'SES events of the Comeback configuration set, to the delivery feedback function.',
      eventPattern: { source: ['aws.ses'], detail: { mail: { tags: { [CONFIGURATION_SET_TAG]: [this.configurationSetName] } } } },
      targets: [new targets.LambdaFunction(this.receiver.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    const groupName = (suffix: string) => `sns/${Aws.REGION}/${Aws.ACCOUNT_ID}/DirectPublishToPhoneNumber${suffix}`;
    const create = props.createSmsStatusLogGroups ?? true;
    this.smsStatusLogGroups = ['', '/Failure'].map((suffix, index) => {
      const name = groupName(suffix);
      const groupId = index === 0 ? 'SmsStatusLogGroup' : 'SmsFailureLogGroup';
      return create ? new logs.LogGroup(this, groupId, { logGroupName: name, retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH }) : logs.LogGroup.fromLogGroupName(this, groupId, name);
    });
    this.smsStatusLogGroups.forEach((group, index) => {
      new logs.SubscriptionFilter(this, index === 0 ? 'SmsStatusSubscription' : 'SmsFailureSubscription', {
        logGroup: group,
        destination: new destinations.LambdaDestination(this.receiver.function),
        filterPattern: logs.FilterPattern.allEvents(),
      });
    });

    this.smsStatusRole = new iam.Role(this, 'SmsStatusRole', {
      description: 'SNS writes the SMS delivery status of this account to CloudWatch Logs with it (DeliveryStatusIAMRole).',
      assumedBy: new iam.ServicePrincipal('sns.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    // A log group's ARN ends in `:*`, which covers its streams.
    const streams = this.smsStatusLogGroups.map((group) => group.logGroupArn);
    const policy = new iam.Policy(this, 'SmsStatusPolicy', {
      roles: [this.smsStatusRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
          resources: streams,
        }),
      ],
    });
    acknowledgeWildcardResources(policy, streams, 'SNS writes each SMS delivery status to a log stream it names itself, inside these two log groups only.');

    new CfnOutput(this, 'EnableSmsDeliveryStatus', {
      value: `aws sns set-sms-attributes --attributes DeliveryStatusIAMRole=${this.smsStatusRole.roleArn},DeliveryStatusSuccessSamplingRate=100`,
      description: 'Run once per account and region: SNS then logs every SMS delivery status, and Comeback reads it.',
    });
  }

  /** TABLE_NAME; GetItem on message guards, receipts and customer partitions; UpdateItem on customer partitions. */
  private bindFeedbackWrites(table: ComebackTable): void {
    const partitions = (...prefixes: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((prefix) => `${prefix}*`) } });
    const guards = keys.messageGuard('').pk;
    const receipts = keys.providerReceipt('', '').pk.slice(0, -1);
    const customers = keys.customerPartition('');
    const policy = new iam.Policy(this, 'TablePolicy', {
      roles: [this.receiver.role],
      statements: [
        new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [table.tableArn], conditions: partitions(guards, receipts, customers) }),
        new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn], conditions: partitions(customers) }),
      ],
    });
    this.receiver.function.addEnvironment('TABLE_NAME', table.tableName);
    this.receiver.function.node.addDependency(policy);
  }

  /** A metric SES publishes for the configuration set (Send, Bounce, Complaint), summed. */
  public metricConfigurationSet(metricName: 'Send' | 'Bounce' | 'Complaint', period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName,
      dimensionsMap: { [CONFIGURATION_SET_DIMENSION]: this.configurationSetName },
      period,
      statistic: cloudwatch.Stats.SUM,
    });
  }
}
