/**
 * The console on AWS, synthesized on its own (no function bundles): the built files in a private
 * bucket, served by CloudFront through origin access control, `/v1/*` sent to the HTTP API
 * uncached, the console's security headers, and cdk-nag's AwsSolutions pack clean with every
 * acknowledgement giving its reason.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../console/build.ts';
import { ComebackConsole } from '../../lib/cdk/comeback-console.ts';

let outdir: string;
let app: App;
let stack: Stack;
let site: ComebackConsole;
let template: Template;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'comeback-console-cdk-'));
  app = new App({ outdir });
  stack = new Stack(app, 'ConsoleTest');
  const httpApi = new apigwv2.HttpApi(stack, 'Api');
  // A stand-in for the Comeback API, whose own stage has its access logs (comeback-app.test.ts).
  Validations.of(httpApi).acknowledge({ id: 'AwsSolutions-APIG1', reason: 'A stand-in API for this test; the deployed API stage writes access logs, checked with the whole app.' });
  site = new ComebackConsole(stack, 'Console', { httpApi });
  template = Template.fromStack(stack);
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the console on AWS', () => {
  it('keeps the files in a private, encrypted bucket that only the distribution reads, through origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'console-bucket/' }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' }, Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } } }),
        ]),
      },
    });
  });

  it('serves index.html at the root with the console security headers, and sends /v1/* to the API uncached', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/v1/*',
            AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
            CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          }),
        ],
        Logging: Match.objectLike({ Prefix: 'distribution/' }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({ ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true } }),
      }),
    });
  });

  it('deploys the built console (index.html and its hashed assets) and invalidates index.html', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', { DistributionPaths: ['/index.html'] });
    const assetDirs = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    const consoleAsset = assetDirs.map((name) => join(outdir, name)).find((dir) => readdirSync(dir).includes('index.html'));
    expect(consoleAsset).toBeDefined();
    expect(readdirSync(join(consoleAsset!, 'assets')).some((name) => /^console-[A-Z0-9]+\.js$/.test(name))).toBe(true);
    expect(site.url).toContain('https://');
  });

  it('passes the AwsSolutions checks, each acknowledgement with its reason', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? '?'}`));
    expect(findings).toEqual([]);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).not.toThrow();
  });
});
