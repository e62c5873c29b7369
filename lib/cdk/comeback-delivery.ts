/**
 * How messages leave Comeback on AWS (functions/adapters/senders.ts): email through SES v2 from the
 * store's verified identity and through a configuration set, SMS through SNS to the customer's
 * phone, and manager tasks as notifications on an SNS topic the store's team subscribes to.
 *
 * The SES identity is created by the stack by default (a domain identity: publish the DKIM records
 * the stack outputs; an address identity: click the link SES mails to it). A store whose identity
 * already exists in the account and region sets `createEmailIdentity: false`, and the stack only
 * refers to it by name. The manager topic is encrypted with a customer managed key (rotated yearly)
 * and refuses publishing without TLS.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ComebackSecret } from './comeback-secret.ts';
import { brandEnvironment, type ComebackBrand } from './comeback-brand.ts';
import { ComebackStorefront, type ComebackStorefrontProps } from './comeback-storefront.ts';

export interface ComebackDeliveryProps {
  /**
   * The sender of every email (COMEBACK_EMAIL_FROM): an address, optionally with a display name
   * (`Example Shop <hello@example.com>`). The SES identity must cover it.
   */
  readonly emailFrom: string;
  /**
   * The SES identity that covers `emailFrom`: a domain (`example.com`, which also covers its
   * subdomains) or the address itself.
   * @default - the domain of `emailFrom`
   */
  readonly emailIdentity?: string;
  /**
   * Create the SES identity in this stack. Set false when it already exists in the account and
   * region (SES refuses a second identity of the same name); the stack then only refers to it.
   * @default true
   */
  readonly createEmailIdentity?: boolean;
  /**
   * An address subscribed to the manager task notifications (SNS mails a confirmation link first).
   * @default - no subscription: subscribe to the topic in the console
   */
  readonly managerEmail?: string;
  /** The public base URL of the API, for links in messages (COMEBACK_PUBLIC_URL). */
  readonly publicUrl: string;
  /** Signs the unsubscribe links in messages. */
  readonly unsubscribeSecret: ComebackSecret;
  /**
   * Where the discount codes in messages come from (see ComebackStorefront).
   * @default - none: messages offer no code
   */
  readonly storefront?: ComebackStorefrontProps;
  /**
   * How the emails look: logo, colours, postal address, sender name (see ComebackBrand).
   * @default - the shop's name on top, the default colours, no postal address
   */
  readonly brand?: ComebackBrand;
}

const ADDRESS = /^[^\s@<>]+@([^\s@<>]+\.[^\s@<>]+)$/;

/** The bare address of `Name <address>` or `address`. */
export function senderAddress(emailFrom: string): string {
  const address = (/<([^<>]+)>\s*$/.exec(emailFrom)?.[1] ?? emailFrom).trim();
  if (!ADDRESS.test(address)) throw new Error(`the email sender must be an address ("Shop <hello@example.com>" or "hello@example.com"), not "${emailFrom}"`);
  return address;
}

export class ComebackDelivery extends Construct {
  public readonly emailFrom: string;
  public readonly emailIdentity: ses.IEmailIdentity;
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly managerTopic: sns.Topic;
  public readonly topicKey: kms.Key;
  public readonly publicUrl: string;
  public readonly unsubscribeSecret: ComebackSecret;
  /** Where discount codes come from; bound to the functions that send messages offering one. */
  public readonly storefront: ComebackStorefront;
  /** The brand settings as every sending function's environment. */
  public readonly brandEnvironment: Readonly<Record<string, string>>;
  /** Why direct SMS needs `sns:Publish` on "*"; recorded with the acknowledgement of each sender's policy. */
  public readonly smsWildcardReason =
    'SMS goes straight to the customer\'s phone (sns:Publish with PhoneNumber). A phone number is not an AWS resource and SNS has no ' +
    'condition key for it, so direct SMS can only be granted on "*"; the statement is limited to the stack\'s region with ' +
    'aws:RequestedRegion. The manager topic is also granted by its ARN, so task notifications do not depend on this statement.';
  private readonly senderIdentityArns: readonly string[];

  constructor(scope: Construct, id: string, props: ComebackDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.emailFrom = props.emailFrom.trim();
    this.publicUrl = props.publicUrl;
    this.unsubscribeSecret = props.unsubscribeSecret;
    this.storefront = new ComebackStorefront(this, 'Storefront', props.storefront);
    this.brandEnvironment = brandEnvironment(props.brand);

    const address = senderAddress(this.emailFrom);
    const domain = ADDRESS.exec(address)![1]!.toLowerCase();
    const identityName = (props.emailIdentity ?? domain).trim().toLowerCase();
    const isAddressIdentity = identityName.includes('@');
    if (isAddressIdentity ? identityName !== address.toLowerCase() : domain !== identityName && !domain.endsWith(`.${identityName}`)) {
      throw new Error(`the SES identity "${identityName}" does not cover the sender ${address}`);
    }

    if (props.createEmailIdentity ?? true) {
      const identity = new ses.EmailIdentity(this, 'EmailIdentity', {
        identity: isAddressIdentity ? ses.Identity.email(identityName) : ses.Identity.domain(identityName),
      });
      this.emailIdentity = identity;
      if (!isAddressIdentity) {
        identity.dkimRecords.forEach((record, index) => {
          new CfnOutput(this, `DkimRecord${index + 1}`, {
            value: `${record.name} CNAME ${record.value}`,
            description: `DNS record ${index + 1} of 3 that verifies ${identityName} for SES (Easy DKIM): publish it in the domain's zone.`,
          });
        });
      }
    } else {
      this.emailIdentity = ses.EmailIdentity.fromEmailIdentityName(this, 'EmailIdentity', identityName);
    }
    // SES authorizes a send against the identity that verifies the sender; when the address is
    // also verified on its own, that is the address identity, so both are granted.
    const addressIdentityArn = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: address.toLowerCase() });
    this.senderIdentityArns = isAddressIdentity ? [this.emailIdentity.emailIdentityArn] : [this.emailIdentity.emailIdentityArn, addressIdentityArn];

    // Reputation metrics per configuration set; bounced and complained addresses are suppressed.
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the Comeback manager task notifications (SNS).',
      enableKeyRotation: true,
      // Only messages in flight are encrypted with it; nothing stored needs it after the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.managerTopic = new sns.Topic(this, 'ManagerTopic', {
      displayName: 'Comeback tasks',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    if (props.managerEmail) this.managerTopic.addSubscription(new subscriptions.EmailSubscription(props.managerEmail));

    new CfnOutput(this, 'ManagerTopicArn', {
      value: this.managerTopic.topicArn,
      description: 'Manager tasks (call this customer, check in) are published here: subscribe the team by email or chat.',
    });
  }

  /** The ARN of the configuration set every email is sent through. */
  public get configurationSetArn(): string {
    return Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName });
  }

  /** What a sender may do: email from the identity through the configuration set, tasks to the topic, SMS. */
  public sendStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [...this.senderIdentityArns, this.configurationSetArn] }),
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.managerTopic.topicArn] }),
      // Publishing to an encrypted topic: the publisher encrypts the message with a data key of the topic's key.
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.topicKey.keyArn] }),
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': Aws.REGION } },
      }),
    ];
  }
}
