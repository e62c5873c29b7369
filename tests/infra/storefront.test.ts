/**
 * The storefront construct alone (the app test synthesizes the whole app with no storefront):
 * the credentials secret holds no value in the template, only the bound function gets the settings
 * and may read that one secret, and cdk-nag finds nothing on it but the acknowledged rotation.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ComebackStorefront, type ComebackStorefrontProps } from '../../lib/cdk/comeback-storefront.ts';

function synth(props: ComebackStorefrontProps) {
  const app = new App();
  const stack = new Stack(app, 'Test');
  const storefront = new ComebackStorefront(stack, 'Storefront', props);
  const code = lambda.Code.fromInline('exports.handler = async () => {};');
  const sender = new lambda.Function(stack, 'Sender', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });
  const other = new lambda.Function(stack, 'Other', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });
  storefront.bind({ function: sender });
  return { app, stack, storefront, template: Template.fromStack(stack), sender, other };
}

describe('ComebackStorefront', () => {
  // The first synthesis of a file loads aws-cdk-lib's modules: slow on a busy machine, so in a hook.
  let shopify: ReturnType<typeof synth>;
  beforeAll(() => {
    shopify = synth({ kind: 'shopify', shopifyStoreDomain: 'Example.myshopify.com', discountPercent: 15, discountDays: 21 });
  });

  it('gives the bound sender the Shopify settings and read access to the token secret, and nothing to any other function', () => {
    const { template, stack, storefront, sender, other } = shopify;
    const secretId = stack.getLogicalId(storefront.credentials!.node.defaultChild as never);

    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 32 }), SecretString: Match.absent() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          COMEBACK_STOREFRONT: 'shopify',
          COMEBACK_SHOPIFY_STORE_DOMAIN: 'example.myshopify.com',
          COMEBACK_DISCOUNT_PERCENT: '15',
          COMEBACK_DISCOUNT_DAYS: '21',
          COMEBACK_SHOPIFY_ACCESS_TOKEN_ARN: { Ref: secretId },
        },
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } } }[];
    const roleOf = (fn: lambda.Function) => stack.getLogicalId(fn.role!.node.defaultChild as never);
    expect(policies.map((policy) => policy.Properties.Roles)).toEqual([[{ Ref: roleOf(sender) }]]);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: secretId } }]);
    expect(JSON.stringify(template.toJSON().Resources[stack.getLogicalId(other.node.defaultChild as never)])).not.toContain('COMEBACK_STOREFRONT');
  });

  it('has no secret for the pool or none, and says which settings a platform lacks', () => {
    for (const kind of ['pool', 'none'] as const) {
      const { template } = synth({ kind });
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { COMEBACK_STOREFRONT: kind } } });
    }
    expect(() => synth({ kind: 'shopify' })).toThrow(/shopifyStoreDomain/);
    expect(() => synth({ kind: 'woocommerce', wooCommerceUrl: 'http://shop.example.com' })).toThrow(/https/);
    expect(() => synth({ kind: 'pool', discountPercent: 0 })).toThrow(/discountPercent/);
  });

  it('passes cdk-nag: the only finding on it is the acknowledged rotation of a credential the store issues', () => {
    const { storefront } = synth({ kind: 'woocommerce', wooCommerceUrl: 'https://shop.example.com' });
    const findings = new AwsSolutionsChecks().validateScope(storefront).violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath ?? '?'}`));
    const acknowledged = storefront.node.findAll().flatMap((construct) =>
      construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => `${id} ${construct.node.path}`)),
    );
    expect(findings).toEqual([]);
    expect(acknowledged).toEqual(['Annotation::AwsSolutions-SMG4 Test/Storefront/Credentials']);
  });
});
