/**
 * Inbound SMS opt-outs on AWS: the SNS topic that AWS End User Messaging two-way SMS publishes the
 * store's incoming text messages to, and the function subscribed to it
 * (functions/handlers/sms-inbound.ts), which withdraws SMS consent when a customer replies STOP.
 *
 * The phone number itself is bought and registered by the store (it takes carrier registration),
 * so the stack does not create it: set the number's two-way SMS destination to the topic this
 * construct outputs. Only End User Messaging of this account may publish to the topic, which is
 * encrypted with its own rotated key and refuses publishing without TLS.
 *
 * The function may read the phone number index and update items of customer partitions, nothing
 * else: it finds customers by number and writes their PREFERENCES item.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { GSI2, keys } from '../../functions/adapters/table-design.ts';
import type { ComebackTable } from './comeback-data.ts';
import { ComebackFunction } from './comeback-function.ts';

export interface ComebackSmsInboundProps {
  readonly table: ComebackTable;
  /**
   * Active X-Ray tracing of the function.
   * @default false
   */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackSmsInbound extends Construct {
  /** End User Messaging publishes inbound SMS here: the two-way destination of the store's number. */
  public readonly topic: sns.Topic;
  public readonly topicKey: kms.Key;
  public readonly receiver: ComebackFunction;

  constructor(scope: Construct, id: string, props: ComebackSmsInboundProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!props.table.indexNames.includes(GSI2)) throw new Error(`the table has no ${GSI2} index, which finds customers by phone number`);

    // Only End User Messaging, acting for this account, may use the key and publish (no confused deputy).
    const endUserMessaging = new iam.ServicePrincipal('sms-voice.amazonaws.com');
    const fromThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sms-voice', resource: '*' }) },
    };

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the inbound SMS that AWS End User Messaging publishes to Comeback (SNS).',
      enableKeyRotation: true,
      // Only messages in flight are encrypted with it; nothing stored needs it after the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [endUserMessaging], actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: ['*'], conditions: fromThisAccount }),
    );

    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Comeback inbound SMS', masterKey: this.topicKey, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [endUserMessaging], actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions: fromThisAccount }),
    );

    this.receiver = new ComebackFunction(this, 'Receiver', {
      entry: 'functions/handlers/sms-inbound.ts',
      description: 'Comeback inbound SMS: STOP and the like withdraw SMS marketing consent',
      timeout: Duration.seconds(30),
      tracing: props.tracing ?? false,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.bindOptOutWrites(props.table);
    // SNS invokes asynchronously; withdrawing consent is idempotent, so Lambda retries it twice.
    this.receiver.invokedAsynchronously({ retryAttempts: 2, maxEventAge: Duration.hours(6), reason: 'withdrawing SMS consent is idempotent: Lambda retried it twice' });
    this.topic.addSubscription(new subscriptions.LambdaSubscription(this.receiver.function));

    new CfnOutput(this, 'SmsInboundTopicArn', {
      value: this.topic.topicArn,
      description: 'Set as the two-way SMS destination (Amazon SNS) of your AWS End User Messaging phone number: replies such as STOP then withdraw SMS consent.',
    });
  }

  /** TABLE_NAME, with Query on the phone number index and UpdateItem on customer partitions only. */
  private bindOptOutWrites(table: ComebackTable): void {
    const customerPartitions = `${keys.customerPartition('')}*`;
    const policy = new iam.Policy(this, 'TablePolicy', {
      roles: [this.receiver.role],
      statements: [
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${GSI2}`] }),
        new iam.PolicyStatement({
          actions: ['dynamodb:UpdateItem'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [customerPartitions] } },
        }),
      ],
    });
    this.receiver.function.addEnvironment('TABLE_NAME', table.tableName);
    this.receiver.function.node.addDependency(policy);
  }
}
