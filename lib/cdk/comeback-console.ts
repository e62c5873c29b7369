/**
 * The console on AWS: its built files (console/build.ts, built at synth) in a private S3 bucket,
 * served by CloudFront through origin access control. The same distribution sends `/v1/*` to the
 * HTTP API, so the console calls the API on its own origin (no CORS, one content security policy),
 * exactly as it does on the local host. With a Cognito login (lib/cdk/comeback-login.ts), the bucket
 * also holds config.json, which sends people to the managed login pages, and the console's security
 * policy lets it exchange the login code at the login domain.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledgements.ts';
import type { ComebackLogin } from './comeback-login.ts';
import { contentSecurityPolicy, writeConsole, type ConsoleConfig, type ConsoleFile } from '../../console/build.ts';

export interface ComebackConsoleProps {
  /** The HTTP API the console calls, behind the same distribution at `/v1/*`. */
  readonly httpApi: apigwv2.IHttpApi;
  /** The built console. @default - built now, from console/ */
  readonly files?: readonly ConsoleFile[];
  /** How owners and managers log in. @default - with the admin token */
  readonly login?: ComebackLogin;
}

/** The console in a stack of its own, after the API stack whose HTTP API it fronts. */
export class ComebackConsoleStack extends Stack {
  public readonly site: ComebackConsole;

  constructor(scope: Construct, id: string, props: StackProps & ComebackConsoleProps) {
    super(scope, id, props);
    this.site = new ComebackConsole(this, 'Console', props);
  }
}

export class ComebackConsole extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /** The console's address (https://<distribution>.cloudfront.net/). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ComebackConsoleProps) {
    super(scope, id);
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'This bucket holds the access logs of the console bucket and the distribution; logging it would log itself.' });
    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.login?.loginUrl), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    // https://<api id>.execute-api.<region>.amazonaws.com: the host name is its third part.
    const apiDomain = Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint));
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Comeback console',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'distribution/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new origins.HttpOrigin(apiDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: "A store's owners and managers may be anywhere; the admin routes behind it take a bearer token.",
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'Static files and an API whose admin routes check a bearer token; a WAF web ACL is a cost the store can add for its own domain.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The console is served on its *.cloudfront.net address, whose default certificate fixes the edge security policy; a custom domain and certificate would allow TLSv1.2_2021.',
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
    const built = writeConsole(mkdtempSync(join(tmpdir(), 'comeback-console-')), props.files);
    const config: ConsoleConfig | undefined = props.login ? { login: { kind: 'cognito', domain: props.login.loginUrl, clientId: props.login.clientId, redirectUri: this.url } } : undefined;
    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(built), ...(config ? [s3deploy.Source.jsonData('config.json', config)] : [])],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: config ? ['/index.html', '/config.json'] : ['/index.html'],
      memoryLimit: 256,
    });
    this.acknowledgeDeploymentFunction();
    if (props.login) {
      props.login.enableConsoleLogin(this, this.url);
      this.acknowledgeLoginClientFunction();
    }
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.url,
      description: props.login ? "The console (log in through the user pool's managed login pages)." : 'The console (log in with the admin token).',
    });
  }

  /** The CDK's function behind the call that turns the console's client's OAuth on (one per stack). */
  private acknowledgeLoginClientFunction(): void {
    const provider = Stack.of(this).node.children.find((child) => child.node.id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'));
    if (!provider) throw new Error('the custom resource function was not found in its stack');
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "The CDK's custom resource function writes its logs through the AWSLambdaBasicExecutionRole managed policy, which the CDK sets.",
    });
    Validations.of(provider).acknowledge({ id: 'AwsSolutions-L1', reason: "The CDK's custom resource function runs on the Lambda runtime that this CDK version pins for it." });
  }

  /**
   * The CDK's own deployment function (one per stack, beside this construct): what it is granted is
   * set by the CDK, each finding acknowledged by name so that a new one is still reported.
   */
  private acknowledgeDeploymentFunction(): void {
    const stack = Stack.of(this);
    const provider = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!provider) throw new Error('the bucket deployment function was not found in its stack');
    const policy = provider.node.findChild('ServiceRole').node.findChild('DefaultPolicy');
    const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const copying = "The CDK's deployment function copies the console's files from the CDK asset bucket into the console bucket, replacing the previous ones, and invalidates index.html";
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "The CDK's deployment function writes its logs through the AWSLambdaBasicExecutionRole managed policy, which the CDK sets.",
    });
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      Validations.of(provider).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: `${copying}: the CDK grants these S3 action groups on those two buckets only.` });
    }
    acknowledgeWildcardResources(policy, [`arn:${stack.partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*`, this.bucket.arnForObjects('*')], `${copying}: every object of the asset bucket and of the console bucket.`);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CloudFront invalidations are not resource-scoped for the CDK deployment function: cloudfront:CreateInvalidation and GetInvalidation on "*", set by the CDK.',
    });
    Validations.of(provider).acknowledge({ id: 'AwsSolutions-L1', reason: "The CDK's deployment function runs on the Lambda runtime that this CDK version pins for it." });
  }
}
