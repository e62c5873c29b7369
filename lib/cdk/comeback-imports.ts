/**
 * Imports of past orders uploaded to S3 (POST /v1/imports?upload=s3): the private bucket the
 * presigned URLs upload to, the EventBridge rule that starts the import state machine when a file
 * arrives, the state machine (workflows/import.asl.json as it is: a Distributed Map reads the CSV
 * from the bucket in batches), and the function its steps invoke.
 *
 * Least privilege: the route function may only put objects under `imports/` (it signs the upload
 * URLs with its own role); the state machine may only read those objects, invoke the import
 * function and run its own map; the import function gets the table and nothing of the bucket.
 * Uploads expire from the bucket after `uploadRetention`.
 */
import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './acknowledgements.ts';
import type { ComebackTable } from './comeback-data.ts';
import { ComebackFunction, projectRoot } from './comeback-function.ts';

/** The state machine definition, relative to the project root. */
export const IMPORT_DEFINITION_FILE = 'workflows/import.asl.json';
/** The substitution the definition uses for the import function (`"FunctionName": "${ImportFunctionArn}"`). */
export const IMPORT_FUNCTION_SUBSTITUTION = 'ImportFunctionArn';
/** Where uploads go in the bucket (functions/core/imports/import-job.ts, uploadKey). */
export const IMPORT_UPLOAD_PREFIX = 'imports/';

export interface ComebackImportsProps {
  readonly table: ComebackTable;
  /**
   * How long an uploaded file stays in the bucket; the import has read it long before.
   * @default Duration.days(7)
   */
  readonly uploadRetention?: Duration;
  /** @default false */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackImports extends Construct {
  /** Private, encrypted, SSL only; uploads expire. */
  public readonly bucket: s3.Bucket;
  /** Runs the steps of the import state machine. */
  public readonly importFunction: ComebackFunction;
  public readonly stateMachine: sfn.StateMachine;
  /** Starts the state machine when a file arrives under imports/. */
  public readonly uploadRule: events.Rule;

  constructor(scope: Construct, id: string, props: ComebackImportsProps) {
    super(scope, id);
    const tracing = props.tracing ?? false;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.bucket = new s3.Bucket(this, 'Uploads', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'ExpireUploads', expiration: props.uploadRetention ?? Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    // Events to EventBridge, set on the bucket itself: `eventBridgeEnabled` would add a custom
    // resource (a Lambda function with s3:PutBucketNotification on every bucket) to set it.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Uploads are written only through presigned URLs that the admin-token route hands out, read once by the import state machine and ' +
        'expire within days; the route and the state machine log every import, so server access logs would add a second bucket for nothing.',
    });

    this.importFunction = new ComebackFunction(this, 'Function', {
      entry: 'functions/handlers/import-batch.ts',
      description: 'Comeback import steps (invoked by the import state machine)',
      timeout: Duration.minutes(2),
      memorySize: 1024,
      tracing,
      logRetention: retention,
    });
    this.importFunction.bindTable(props.table, 'readWrite');

    const name = `${Stack.of(this).stackName}-import`;
    if (Token.isUnresolved(Stack.of(this).stackName) || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw new Error(`the state machine name "${name}" is not a valid name (at most 80 letters, digits, - and _): use a shorter stack name`);
    }
    const logGroup = new logs.LogGroup(this, 'Logs', { retention });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Comeback import of past orders uploaded to S3',
      definitionBody: sfn.DefinitionBody.fromFile(join(projectRoot, IMPORT_DEFINITION_FILE)),
      definitionSubstitutions: { [IMPORT_FUNCTION_SUBSTITUTION]: this.importFunction.function.functionArn },
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: tracing,
    });

    // What the state machine may do, and nothing else: invoke its function, read the uploads, run
    // the Distributed Map's child executions (started on itself, described and stopped by it).
    const machineArn = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const childExecutions = Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName: `${name}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const uploads = this.bucket.arnForObjects(`${IMPORT_UPLOAD_PREFIX}*`);
    const policy = new iam.Policy(this, 'StateMachinePolicy', {
      roles: [this.stateMachine.role],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.importFunction.function.functionArn] }),
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [uploads] }),
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machineArn] }),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [childExecutions] }),
      ],
    });
    // The state machine resource (not its role, which the policy refers to) waits for the policy.
    this.stateMachine.node.defaultChild!.node.addDependency(policy);
    acknowledgeWildcardResources(policy, [uploads], 'The state machine reads the uploaded files, whose keys (imports/<import id>.csv) are made when an import is created.');
    acknowledgeWildcardResources(policy, [childExecutions], "The Distributed Map's child executions are named by Step Functions at run time, under the state machine's name.");

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Logs errors only (level ERROR, without execution data): the rows of the file pass through the execution, and they name customers ' +
        '(emails, phones). The execution history in Step Functions keeps every event for 90 days.',
    });
    if (!tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason: 'X-Ray tracing is opt-in for the whole deployment (context comeback:tracing, like the functions and the journeys).',
      });
    }
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Logging to CloudWatch Logs from Step Functions needs the log delivery actions, which have no resource-level permissions' +
        (tracing ? '; X-Ray tracing needs xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules and xray:GetSamplingTargets, likewise only on "*".' : '.'),
    });

    this.uploadRule = new events.Rule(this, 'UploadRule', {
      description: 'A file uploaded for a Comeback import starts the import state machine.',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.bucket.bucketName] }, object: { key: [{ prefix: IMPORT_UPLOAD_PREFIX }] } },
      },
    });
    // The state machine's Begin ignores a second event for the same import, so EventBridge may retry.
    this.uploadRule.addTarget(new targets.SfnStateMachine(this.stateMachine, { retryAttempts: 8, maxEventAge: Duration.hours(24) }));
  }

  /**
   * The `imports` capability of a route: sets COMEBACK_IMPORT_BUCKET and lets the function put
   * objects under imports/ (the presigned URLs it signs act with its role), and nothing else.
   */
  public bindUploads(fn: ComebackFunction): void {
    const uploads = this.bucket.arnForObjects(`${IMPORT_UPLOAD_PREFIX}*`);
    const policy = new iam.Policy(fn, 'ImportUploadsPolicy', {
      roles: [fn.role],
      statements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [uploads] })],
    });
    acknowledgeWildcardResources(policy, [uploads], 'The route signs upload URLs for keys it makes per import (imports/<import id>.csv).');
    fn.function.node.addDependency(policy);
    fn.function.addEnvironment('COMEBACK_IMPORT_BUCKET', this.bucket.bucketName);
  }
}
