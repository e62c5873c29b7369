/**
 * One Secrets Manager secret per secret name of the route table. The value is generated at
 * deployment and never appears in the template or the outputs: the store reads it in the console
 * (or with the CLI) and pastes it into its storefront. A secret may hold several comma-separated
 * values, all valid at once, which is how the store rotates it without downtime.
 */
import { Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecretName } from '../routes.ts';

/** What each secret is for: its description, and how a route that lists it authenticates callers. */
export const secretPurposes: Record<SecretName, { readonly description: string; readonly authenticates: string }> = {
  COMEBACK_WEBHOOK_SECRET: {
    description: 'Signs the Comeback purchase and refund webhooks (Comeback-Signature: t=<unix seconds>,v1=<HMAC-SHA256>).',
    authenticates: 'the handler verifies the Comeback-Signature HMAC-SHA256 over the raw body and a timestamp (replay window of five minutes)',
  },
  COMEBACK_SHOPIFY_SECRET: {
    description: 'The Shopify webhook signing secret (X-Shopify-Hmac-Sha256).',
    authenticates: 'the handler verifies the X-Shopify-Hmac-Sha256 signature of the raw body',
  },
  COMEBACK_WOOCOMMERCE_SECRET: {
    description: 'The WooCommerce webhook secret (X-WC-Webhook-Signature).',
    authenticates: 'the handler verifies the X-WC-Webhook-Signature HMAC-SHA256 of the raw body',
  },
  COMEBACK_ADMIN_TOKEN: {
    description: 'The bearer token of the admin API (Authorization: Bearer <token>).',
    authenticates: 'the handler compares the Authorization bearer token with the admin token in constant time',
  },
  COMEBACK_UNSUBSCRIBE_SECRET: {
    description: 'Signs the one-click unsubscribe links in messages (RFC 8058).',
    authenticates: 'the handler verifies the HMAC-SHA256 signed unsubscribe token in the link; it can only ever opt its own customer out',
  },
  COMEBACK_FEEDBACK_SECRET: {
    description: 'Signs the feedback (NPS) links in messages.',
    authenticates: 'the handler verifies the HMAC-SHA256 signed feedback token; it can only answer for the customer and journey entry it names',
  },
};

export interface ComebackSecretProps {
  readonly name: SecretName;
  /**
   * Length of the generated value (letters and digits only, so it never contains the comma that
   * separates rotated values).
   * @default 64
   */
  readonly length?: number;
}

export class ComebackSecret extends Construct {
  public readonly name: SecretName;
  public readonly secret: secretsmanager.Secret;
  /** The variable that gives handlers the secret's ARN (see functions/config.ts). */
  public readonly environmentVariable: `${SecretName}_ARN`;

  constructor(scope: Construct, id: string, props: ComebackSecretProps) {
    super(scope, id);
    this.name = props.name;
    this.environmentVariable = `${props.name}_ARN`;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: secretPurposes[props.name].description,
      generateSecretString: { passwordLength: props.length ?? 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is shared with the storefront (or the webhook sender), which must be updated in step with it. ' +
        'The store rotates it itself: it appends a new comma-separated value, updates the sender, then removes the old value; ' +
        'handlers accept every listed value, so no rotation Lambda is used.',
    });
  }

  public get secretArn(): string {
    return this.secret.secretArn;
  }

  /** GetSecretValue and DescribeSecret on this secret only. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
