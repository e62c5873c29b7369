/**
 * A Comeback Lambda function, set up once: Node.js 24 on arm64, an ES module bundle built by the
 * local esbuild (minified, with source maps), its own log group with a retention, and a role
 * that may only write to that log group until something is bound to it.
 *
 * `bindTable()` and `bindSecret()` give the environment variable and the permission together,
 * so a function never has one without the other.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ComebackTable, TableAccess } from './comeback-data.ts';
import type { ComebackSecret } from './comeback-secret.ts';

/** The project root: handler paths in lib/routes.ts are relative to it. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Lets bundled CommonJS dependencies call `require` inside the ES module bundle. */
const esmRequireBanner = "import { createRequire as comebackCreateRequire } from 'node:module'; const require = comebackCreateRequire(import.meta.url);";

export interface ComebackFunctionProps {
  /** The handler module, relative to the project root (as in lib/routes.ts); it exports `handler`. */
  readonly entry: string;
  /** @default - no description */
  readonly description?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /**
   * Active X-Ray tracing.
   * @default false
   */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ComebackFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });

    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : undefined,
      ...(props.description ? { description: props.description } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        minify: true,
        // A linked map beside index.mjs; NODE_OPTIONS=--enable-source-maps applies it to stack traces.
        sourceMap: true,
        sourcesContent: false,
        // The SDK is bundled at the version of package-lock.json, not taken from the runtime.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });

    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray has no resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords are only granted on "*".',
      });
    }
  }

  /** Sets TABLE_NAME and grants the data actions of `access` (read, or read and write) on the table. */
  public bindTable(table: ComebackTable, access: TableAccess): void {
    table.grantData(this.function, access);
    this.function.addEnvironment('TABLE_NAME', table.tableName);
  }

  /** Sets `<NAME>_ARN` and grants reading that secret, and no other. */
  public bindSecret(secret: ComebackSecret): void {
    secret.grantRead(this.function);
    this.function.addEnvironment(secret.environmentVariable, secret.secretArn);
  }
}
