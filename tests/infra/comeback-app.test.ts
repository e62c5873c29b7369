/**
 * The deployed infrastructure, checked offline. The app is built and synthesized in-process once,
 * with the context of cdk.json and the real esbuild bundles, then its templates are asserted and
 * cdk-nag's AwsSolutions pack is run over it.
 *
 * cdk-nag 3 is a policy validation plugin: its findings are not construct annotations but
 * violations in the validation report, so they are read from the pack itself (validateScope),
 * and a synth with the pack registered fails on any finding that is not acknowledged.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GSI1, GSI2, GSI3, GSI4, TTL_ATTRIBUTE, tableDefinition } from '../../functions/adapters/table-design.ts';
import { stateMachineJourneys } from '../../functions/core/journeys.ts';
import { feedbackUrl } from '../../functions/core/analytics/feedback.ts';
import { PRECOMPILED_TEMPLATES_FILE } from '../../functions/core/delivery/template-compiling.ts';
import { PHONE_METADATA_FILE } from '../../functions/core/bundled-phone-metadata.ts';
import { unsubscribeUrl } from '../../functions/core/delivery/unsubscribe.ts';
import { DELIVERY_SECRETS } from '../../lib/cdk/comeback-api-stack.ts';
import { createComebackStacks, type ComebackStacks, type ComebackStacksOptions } from '../../lib/cdk/comeback-app.ts';
import { TABLE_READ_ACTIONS, TABLE_SCAN_ACTION, TABLE_WRITE_ACTIONS } from '../../lib/cdk/comeback-data.ts';
import {
  CATALOG_FILE,
  CATALOG_SOURCE,
  TEMPLATES_DIR,
  TEMPLATES_SOURCE,
  projectRoot,
  stateMachineArnVariable,
  ComebackFunction,
} from '../../lib/cdk/comeback-function.ts';
import { BUNDLE_FILE, buildFunctionBundles, DEPLOYED_BUNDLE, MODULE_URL_BANNER, NEVER_LOADED_MODULES, RUNTIME_SDK_MODULES } from '../../lib/cdk/function-bundle.ts';
import { wildcardResourceFinding } from '../../lib/cdk/acknowledgements.ts';
import { IMPORT_DEFINITION_FILE, IMPORT_FUNCTION_SUBSTITUTION } from '../../lib/cdk/comeback-imports.ts';
import { JOURNEY_STEP_SUBSTITUTION, journeyDefinitionFile } from '../../lib/cdk/comeback-journeys.ts';
import { alarmIdOf, DEFAULT_SES_QUOTA, DURATION_ALARM_SHARE, HEADLINE_METRICS, METRICS_SERVICE } from '../../lib/cdk/comeback-monitoring.ts';
import { adminOnly, apiRoutes, type ApiRoute, type SecretName } from '../../lib/routes.ts';
import { coldStartEnvironment, importBundle, linkRuntimeSdk } from '../support/deployed-functions.ts';

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const cdkContext = (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
/** The secrets a route's function gets on AWS: admins log in with Cognito there (tests/infra/console-login.test.ts), not the admin token. */
const deployedSecrets = (route: ApiRoute): SecretName[] => route.secrets.filter((name) => name !== 'COMEBACK_ADMIN_TOKEN');
const secretNames: SecretName[] = [...new Set([...apiRoutes.flatMap(deployedSecrets), ...DELIVERY_SECRETS])];
const journeyRoutes = apiRoutes.filter((route) => route.capabilities?.includes('journeys'));
const otherRoutes = apiRoutes.filter((route) => !route.capabilities?.includes('journeys'));
const loyaltyRoutes = apiRoutes.filter((route) => route.capabilities?.includes('loyalty'));
/** The functions that are not API routes: journey step and sweep, nightly recompute, loyalty dispatch and sweep, co-purchase count, inbound SMS. */
const BACKGROUND_FUNCTIONS = ['JourneyStep', 'JourneySweep', 'JourneyExecutionEnded', 'NightlyRecompute', 'LoyaltyDispatch', 'LoyaltySweep', 'CoPurchase', 'SmsInbound', 'DeliveryFeedback', 'ImportSteps', 'PurchaseReactions'] as const;
/** The background functions that start journeys (besides the journey routes). */
const BACKGROUND_STARTERS = ['JourneySweep', 'NightlyRecompute', 'PurchaseReactions'];
/** The functions that send messages: templates, delivery, the unsubscribe secret. */
const SENDERS = ['JourneyStep', 'JourneySweep', 'LoyaltyDispatch', 'LoyaltySweep'];
/** The functions with the store's rules file: the loyalty routes, the loyalty dispatch and sweep, what decides or sends journeys' steps by it, and the purchase reactions. */
const CATALOG_FUNCTIONS = [...loyaltyRoutes.map((route) => route.id), 'LoyaltyDispatch', 'LoyaltySweep', 'JourneyStep', 'JourneySweep', 'NightlyRecompute', 'PurchaseReactions'];
/** The whole-table batch jobs, the only functions that may Scan. */
const SCANNERS = ['NightlyRecompute', 'CoPurchase'];
/** What a function invoked asynchronously may do with its failed-invocation queue. */
const FAILED_INVOCATION_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
/** What reading the table's stream takes; only the purchase reactions function has it. */
const STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
const STATE_MACHINE_VARIABLES = ['POST_PURCHASE_STATE_MACHINE_ARN', 'WIN_BACK_STATE_MACHINE_ARN', 'LOYALTY_INVITE_STATE_MACHINE_ARN'];

/** What a store sets at deployment (bin/cdk.ts reads it from the CDK context). */
const storeSettings = {
  journeys: { shopUrl: 'https://shop.example.com', supportContact: 'help@example.com' },
  delivery: { emailFrom: 'Example Shop <hello@example.com>', managerEmail: 'manager@example.com', brand: { logoUrl: 'https://shop.example.com/logo.png', postalAddress: '1 Main St' } },
  alarmEmail: 'ops@example.com',
} satisfies Omit<ComebackStacksOptions, 'tracing'>;

/** Fails with the list of missing handler modules rather than an esbuild error. */
function assertHandlersExist(): void {
  const missing = apiRoutes.map((route) => route.handler).filter((handler) => !existsSync(join(projectRoot, handler)));
  if (missing.length > 0) throw new Error(`handler modules listed in lib/routes.ts are missing: ${missing.join(', ')}`);
}

interface Built {
  app: App;
  stacks: ComebackStacks;
  assembly: CloudAssembly;
  outdir: string;
}

/** Builds the app as bin/cdk.ts does and synthesizes it (the AwsSolutions pack is run by the tests). */
function build(options: { tracing: boolean; bundle: boolean }): Built {
  assertHandlersExist();
  const outdir = mkdtempSync(join(tmpdir(), 'comeback-infra-'));
  const context = options.bundle ? cdkContext : { ...cdkContext, 'aws:cdk:bundling-stacks': [] };
  try {
    const app = new App({ outdir, context });
    const stacks = createComebackStacks(app, { tracing: options.tracing, ...storeSettings });
    const assembly = app.synth();
    return { app, stacks, assembly, outdir };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}

/** The synth of bin/cdk.ts: the pack registered as a validation plugin, which fails on any finding. */
function synthWithChecks(built: Built): void {
  Validations.of(built.app).addPlugins(new AwsSolutionsChecks(built.app));
  built.app.synth({ force: true });
}

function templateOf(built: Built, stack: Stack): Template {
  return Template.fromJSON(built.assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>);
}

/** The logical id of a CfnOutput (or any other CloudFormation element) that is a child of `scope`. */
function outputId(scope: IConstruct, id: string): string {
  const element = scope.node.findChild(id) as CfnElement;
  return element.stack.getLogicalId(element);
}

function logicalId(construct: IConstruct): string {
  const element = construct.node.defaultChild as CfnElement;
  return element.stack.getLogicalId(element);
}

function nagFindings(scope: IConstruct): string[] {
  return new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath ?? '?'}: ${violation.description}`),
    );
}

function acknowledgements(scope: IConstruct): { id: string; path: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          path: construct.node.path,
          reason,
        })),
      ),
  );
}

function policyStatementsOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter((policy) =>
    (policy.Properties?.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })),
  );
  return policies.flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat());

/** Every function of the API stack by name: the route ids, then the background functions. */
function functionsOf(stacks: ComebackStacks): Map<string, ComebackFunction> {
  const api = stacks.api;
  return new Map([
    ...api.functions,
    ['JourneyStep', api.journeys.step],
    ['JourneySweep', api.journeys.sweep],
    ['JourneyExecutionEnded', api.journeys.executionEnded],
    ['NightlyRecompute', api.analytics.recompute],
    ['LoyaltyDispatch', api.loyalty.dispatch],
    ['LoyaltySweep', api.loyalty.sweep],
    ['CoPurchase', api.loyalty.coPurchase],
    ['SmsInbound', api.smsInbound.receiver],
    ['DeliveryFeedback', api.deliveryFeedback.receiver],
    ['ImportSteps', api.imports.importFunction],
    ['PurchaseReactions', api.purchaseReactions.function],
  ]);
}

function environmentOf(template: Template, fn: ComebackFunction): Record<string, unknown> {
  const properties = (template.toJSON().Resources as Record<string, Resource>)[logicalId(fn.function)]?.Properties ?? {};
  return (properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The unpacked bundle of a function in the synthesized assembly. */
function assetDirOf(built: Built, template: Template, fn: ComebackFunction): string {
  const properties = (template.toJSON().Resources as Record<string, Resource>)[logicalId(fn.function)]?.Properties ?? {};
  const key = (properties.Code as { S3Key: string }).S3Key;
  return join(built.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
}

/**
 * Loads a bundle in a fresh Node.js process with nothing but its deployed environment (and what
 * Lambda sets), and beside it only what the Lambda runtime provides (the AWS SDK v3, linked into
 * the assembly's node_modules), as a cold start does: handlers read their configuration and build
 * their ports when they load, so a missing variable, file or module fails here. Nothing is called,
 * so nothing leaves the machine.
 */
async function coldStart(assetDir: string, deployed: Record<string, unknown>): Promise<void> {
  await importBundle(assetDir, coldStartEnvironment(deployed, assetDir));
}

function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __: string, letter: string) => letter.toUpperCase());

/** Every acknowledged cdk-nag finding, by rule and construct path. */
/** The console stack's: its log bucket, the distribution, and the CDK's bucket deployment function (tests/infra/console.test.ts). */
function consoleAcknowledgements(stacks: ComebackStacks): string[] {
  const stack = stacks.console;
  const provider = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))!;
  const policy = provider.node.findChild('ServiceRole').node.findChild('DefaultPolicy');
  const assets = `arn:${stack.partition}:s3:::cdk-hnb659fds-assets-${stack.account}-${stack.region}/*`;
  return [
    `AwsSolutions-S1 ${stack.site.logBucket.node.path}`,
    ...['CFR1', 'CFR2', 'CFR4'].map((rule) => `AwsSolutions-${rule} ${stack.site.distribution.node.path}`),
    `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] ${provider.node.path}`,
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => `AwsSolutions-IAM5[Action::${action}] ${provider.node.path}`),
    `AwsSolutions-L1 ${provider.node.path}`,
    ...[assets, stack.site.bucket.arnForObjects('*')].map((resource) => `${wildcardResourceFinding(policy, resource)} ${policy.node.path}`),
    `AwsSolutions-IAM5[Resource::*] ${policy.node.path}`,
    // The CDK's function that turns the console client's OAuth on (tests/infra/console-login.test.ts).
    ...['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'AwsSolutions-L1'].map((id) => `${id} ${stack.node.path}/AWS679f53fac002430cb0da5b7982bd2287`),
  ];
}

function expectedAcknowledgements(options: { tracing: boolean; stacks: ComebackStacks }): string[] {
  const journeyFunctions = [...journeyRoutes.map((route) => `ComebackApi/${route.id}`), 'ComebackApi/Journeys/Sweep', 'ComebackApi/Analytics/NightlyRecompute', 'ComebackApi/PurchaseReactions/Function'];
  const background = [
    'Journeys/Step',
    'Journeys/Sweep',
    'Journeys/ExecutionEnded',
    'Analytics/NightlyRecompute',
    'Loyalty/Dispatch',
    'Loyalty/Sweep',
    'Loyalty/CoPurchase',
    'SmsInbound/Receiver',
    'DeliveryFeedback/Receiver',
    'Imports/Function',
    'PurchaseReactions/Function',
  ];
  const senders = ['Journeys/Step', 'Journeys/Sweep', 'Loyalty/Dispatch', 'Loyalty/Sweep'];
  const functionPaths = [...apiRoutes.map((route) => `ComebackApi/${route.id}`), ...background.map((path) => `ComebackApi/${path}`)];
  const machines = [...stateMachineJourneys.map((journey) => `ComebackApi/Journeys/${pascal(journey)}StateMachine`), 'ComebackApi/Imports/StateMachine'];
  // The nightly state machine logs everything (no SF1); the rest as the others, and its Distributed Map's children.
  const nightly = 'ComebackApi/Nightly/StateMachine';
  const imports = options.stacks.api.imports;
  const uploads = imports.bucket.arnForObjects('imports/*');
  const importPolicy = imports.node.findChild('StateMachinePolicy');
  const uploadPolicy = options.stacks.api.functions.get('CreateImport')!.node.findChild('ImportUploadsPolicy');
  return [
    'AwsSolutions-S1 ComebackApi/Imports/Uploads',
    `${wildcardResourceFinding(importPolicy, uploads)} ComebackApi/Imports/StateMachinePolicy`,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:ComebackApi-import/*] ComebackApi/Imports/StateMachinePolicy',
    `${wildcardResourceFinding(uploadPolicy, uploads)} ComebackApi/CreateImport/ImportUploadsPolicy`,
    ...apiRoutes.filter((route) => !adminOnly(route)).map((route) => `AwsSolutions-APIG4 ComebackApi/Api/${route.id}`),
    'AwsSolutions-COG8 ComebackApi/Login/UserPool',
    ...secretNames.map((name) => `AwsSolutions-SMG4 ComebackApi/${name}/Secret`),
    ...machines.map((path) => `AwsSolutions-SF1 ${path}`),
    ...(options.tracing ? [] : [...machines, nightly].map((path) => `AwsSolutions-SF2 ${path}`)),
    ...[...machines, nightly].map((path) => `AwsSolutions-IAM5[Resource::*] ${path}/Role`),
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:ComebackApi-nightly/*] ${nightly}/Role/DefaultPolicy`,
    ...senders.map((path) => `AwsSolutions-IAM5[Resource::*] ComebackApi/${path}/DeliveryPolicy`),
    ...journeyFunctions.flatMap((path) =>
      stateMachineJourneys.map(
        (journey) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:ComebackApi-${journey}:*] ${path}/JourneysPolicy`,
      ),
    ),
    ...(options.tracing ? functionPaths.map((path) => `AwsSolutions-IAM5[Resource::*] ${path}/Role`) : []),
    'AwsSolutions-SQS3 ComebackApi/DeliveryFeedback/DeadLetterQueue',
    ...options.stacks.api.node
      .findAll()
      .filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction && construct.failedInvocationQueue !== undefined)
      .map((fn) => `AwsSolutions-SQS3 ${fn.node.path}/FailedInvocations`),
    'AwsSolutions-SQS3 ComebackApi/PurchaseReactions/FailureQueue',
    ...consoleAcknowledgements(options.stacks),
    ...options.stacks.api.deliveryFeedback.smsStatusLogGroups.map(
      (group) => `AwsSolutions-IAM5[Resource::<${logicalId(group)}.Arn>] ComebackApi/DeliveryFeedback/SmsStatusPolicy`,
    ),
  ];
}

describe('the Comeback app, as deployed', () => {
  let built: Built;
  let data: Template;
  let api: Template;

  // Bundling every function with esbuild takes minutes on a busy two-core machine.
  beforeAll(() => {
    built = build({ tracing: false, bundle: true });
    data = templateOf(built, built.stacks.data);
    api = templateOf(built, built.stacks.api);
  }, 600_000);

  afterAll(() => {
    if (built) rmSync(built.outdir, { recursive: true, force: true });
  });

  describe('the data stack', () => {
    const definition = tableDefinition('unused');

    it('declares the table of the table design: keys, on demand, point-in-time recovery, TTL', () => {
      data.resourceCountIs('AWS::DynamoDB::Table', 1);
      data.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: definition.KeySchema?.map((key) => ({ AttributeName: key.AttributeName, KeyType: key.KeyType })),
        AttributeDefinitions: Match.arrayEquals(
          (definition.AttributeDefinitions ?? []).map((attribute) => ({ AttributeName: attribute.AttributeName, AttributeType: attribute.AttributeType })),
        ),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        DeletionProtectionEnabled: true,
        StreamSpecification: { StreamViewType: definition.StreamSpecification?.StreamViewType },
      });
      expect(definition.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    });

    it('declares exactly the global secondary indexes of the table design', () => {
      const [table] = Object.values(data.findResources('AWS::DynamoDB::Table') as Record<string, Resource>);
      const indexes = table?.Properties?.GlobalSecondaryIndexes as { IndexName: string }[];
      expect(indexes.map((index) => index.IndexName).sort()).toEqual([GSI1, GSI2, GSI3, GSI4].sort());
      expect(indexes).toEqual(
        (definition.GlobalSecondaryIndexes ?? []).map((index) => ({
          IndexName: index.IndexName,
          KeySchema: index.KeySchema?.map((key) => ({ AttributeName: key.AttributeName, KeyType: key.KeyType })),
          Projection: { ProjectionType: index.Projection?.ProjectionType, ...(index.Projection?.NonKeyAttributes ? { NonKeyAttributes: index.Projection.NonKeyAttributes } : {}) },
        })),
      );
    });

    it('keeps the table when it leaves the stack, and outputs its name', () => {
      data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      data.hasOutput('TableName', { Value: { Ref: logicalId(built.stacks.data.table.table) } });
    });
  });

  describe('the API stack', () => {
    it('has exactly the routes of lib/routes.ts, each integrated with its own function', () => {
      api.resourceCountIs('AWS::ApiGatewayV2::Route', apiRoutes.length);
      const routes = api.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>;
      const integrations = api.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Resource>;
      expect(Object.values(routes).map((route) => route.Properties?.RouteKey).sort()).toEqual(apiRoutes.map((route) => `${route.method} ${route.path}`).sort());

      for (const route of apiRoutes) {
        const [declared] = Object.values(routes).filter((candidate) => candidate.Properties?.RouteKey === `${route.method} ${route.path}`);
        const target = JSON.stringify(declared?.Properties?.Target);
        const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`));
        expect(integrationId, `the integration of ${route.id}`).toBeDefined();
        const integration = integrations[integrationId!]?.Properties;
        expect(integration?.IntegrationType).toBe('AWS_PROXY');
        expect(integration?.PayloadFormatVersion).toBe('2.0');
        expect(integration?.IntegrationUri).toEqual({ 'Fn::GetAtt': [logicalId(built.stacks.api.functions.get(route.id)!.function), 'Arn'] });
      }
    });

    it('runs each function on Node.js 24, arm64, with TABLE_NAME and only the secret ARNs of its route', () => {
      api.resourceCountIs('AWS::Lambda::Function', apiRoutes.length + BACKGROUND_FUNCTIONS.length);
      const functions = api.findResources('AWS::Lambda::Function') as Record<string, Resource>;
      for (const [name, fn] of functionsOf(built.stacks)) {
        const properties = functions[logicalId(fn.function)]?.Properties ?? {};
        expect(properties.Runtime, name).toBe('nodejs24.x');
        expect(properties.Architectures).toEqual(['arm64']);
        expect(properties.Handler).toBe('index.handler');
        expect(properties.TracingConfig).toBeUndefined();
        const environment = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(environment.TABLE_NAME, `TABLE_NAME of ${name}`).toBeDefined();
        // Local-only settings and secret values never reach AWS.
        expect(environment.DYNAMODB_ENDPOINT).toBeUndefined();
        expect(environment.SFN_ENDPOINT).toBeUndefined();
        for (const secret of secretNames) expect(environment[secret]).toBeUndefined();
      }
      for (const route of apiRoutes) {
        const environment = environmentOf(api, built.stacks.api.functions.get(route.id)!);
        const stateMachines = route.capabilities?.includes('journeys') ? STATE_MACHINE_VARIABLES : [];
        expect(Object.keys(environment).filter((name) => name.endsWith('_ARN')).sort(), route.id).toEqual(
          [...deployedSecrets(route).map((name) => `${name}_ARN`), ...stateMachines].sort(),
        );
        for (const name of deployedSecrets(route)) expect(environment[`${name}_ARN`]).toEqual({ Ref: logicalId(built.stacks.api.secrets.get(name)!.secret) });
        // A route's own timeout, or the default; under API Gateway's 30 s either way.
        const timeout = functions[logicalId(built.stacks.api.functions.get(route.id)!.function)]?.Properties?.Timeout;
        expect(timeout, route.id).toBe(route.timeoutSeconds ?? 10);
        expect(timeout as number).toBeLessThan(30);
      }
      expect(apiRoutes.find((route) => route.id === 'CreateImport')?.timeoutSeconds).toBe(29);
    });

    it('bundles each handler as a minified CommonJS module, the AWS SDK left to the runtime, its source map beside it and not loaded at start', () => {
      const functions = api.findResources('AWS::Lambda::Function') as Record<string, Resource>;
      for (const [id, properties] of Object.entries(functions).map(([id, fn]) => [id, fn.Properties ?? {}] as const)) {
        const key = (properties.Code as { S3Key: string }).S3Key;
        const assetDir = join(built.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
        expect(BUNDLE_FILE).toBe('index.cjs');
        const bundle = readFileSync(join(assetDir, BUNDLE_FILE), 'utf8');
        expect(bundle.startsWith(MODULE_URL_BANNER), id).toBe(true);
        expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.cjs\.map\s*$/);
        expect(existsSync(join(assetDir, 'index.cjs.map'))).toBe(true);
        // The bundled packages' license notices ship beside the bundle, named by a comment in it.
        expect(existsSync(join(assetDir, 'index.cjs.LEGAL.txt')), id).toBe(bundle.includes('/*! For license information please see index.cjs.LEGAL.txt */'));
        // CommonJS throughout: no import statement, no import.meta left.
        expect(bundle, id).not.toMatch(/\bimport\s*[{*\w][^;]*?\bfrom\s*"|\bimport\.meta\b/);
        // Every function reads the table: the DynamoDB client is required from the runtime, not bundled.
        expect(bundle, id).toMatch(/require\("@aws-sdk\/(client-dynamodb|lib-dynamodb)"\)/);
        // Nothing else is required from outside the bundle but Node.js's own modules.
        const required = [...bundle.matchAll(/\brequire\("([@\w][\w@/.:-]*)"\)/g)].map((match) => match[1]!);
        expect(required.filter((name) => !/^(@aws-sdk|@smithy)\//.test(name) && !builtinModules.includes(name.replace(/^node:/, ''))), id).toEqual([]);
        expect((properties.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS ?? '', id).not.toContain('--enable-source-maps');
      }
      expect(RUNTIME_SDK_MODULES).toEqual(['@aws-sdk/*', '@smithy/*']);
    });

    it('builds every bundle in one esbuild run, the same output as a run of its entry alone', () => {
      const fn = built.stacks.api.journeys.step;
      const alone = buildFunctionBundles(projectRoot, [fn.entry], DEPLOYED_BUNDLE).bundles.get(fn.entry)!;
      const assetDir = assetDirOf(built, api, fn);
      for (const [name, contents] of alone.files) expect(readFileSync(join(assetDir, name)).equals(Buffer.from(contents)), name).toBe(true);
    });

    it('starts every function from its bundle with the environment it is deployed with, and only the runtime\'s SDK beside it', async () => {
      linkRuntimeSdk(projectRoot, built.assembly.directory);
      const functions = built.app.node
        .findAll()
        .filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction)
        .map((fn) => [fn.node.path, fn] as const);
      expect(functions.length).toBeGreaterThanOrEqual(functionsOf(built.stacks).size);
      const failures: string[] = [];
      // Two at a time: each start is a Node.js process of its own.
      const queue = [...functions];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [name, fn] = next;
          try {
            await coldStart(assetDirOf(built, api, fn), environmentOf(api, fn));
          } catch (error) {
            failures.push(`${name}: ${(error as Error).message}`);
          }
        }
      };
      await Promise.all([worker(), worker()]);
      expect(failures).toEqual([]);
    }, 180_000);

    it('bundles none of what no handler uses: zod\'s classic API and other locales, source-map, Handlebars\'s compiler, MJML, the phone metadata where no phone number is read, the storefront clients where no code is offered; every bundle under 250 KB', () => {
      const entries = [...new Set(built.app.node.findAll().filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction).map((fn) => fn.entry))];
      const { metafile } = buildFunctionBundles(projectRoot, entries, DEPLOYED_BUNDLE);
      const carried = Object.entries(metafile.outputs)
        .filter(([path]) => path.endsWith(BUNDLE_FILE))
        .map(([path, output]) => [path, Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([input]) => input)] as const);
      expect(carried.length).toBe(entries.length);
      for (const [path, inputs] of carried) {
        // `import { z } from 'zod'` (a namespace object esbuild keeps whole) would bring every locale.
        expect(inputs.filter((input) => /zod\/v4\/locales\/(?!en\.js|index\.js)/.test(input)), path).toEqual([]);
        // The handlers' schemas are zod/mini (functions/core/zod.ts): zod's classic API comes into no bundle.
        expect(inputs.filter((input) => input.includes('node_modules/zod/v4/classic/')), path).toEqual([]);
        expect(inputs.filter((input) => /node_modules\/(source-map|@asteasolutions\/zod-to-openapi)\//.test(input)), path).toEqual([]);
        // Templates are precompiled beside the bundle: Handlebars's runtime only, never its compiler, never MJML.
        expect(inputs.filter((input) => /node_modules\/(handlebars\/dist\/cjs\/handlebars\/compiler|mjml[^/]*)\//.test(input)), path).toEqual([]);
        // The phone metadata is a file beside the bundle (read at the first number), never inside it.
        expect(inputs.filter((input) => input.includes('libphonenumber-js/metadata')), path).toEqual([]);
        // The sketches' protobuf definitions are never loaded, and @stdlib's define-property is the built-in's.
        expect(inputs.filter((input) => /sketches-js\/.*\/proto\/|@stdlib\/utils-define-property\/lib\/(polyfill|index)\.js/.test(input)), path).toEqual([]);
      }
      // Every bundle, the nightly recompute's included, is under 250 KB minified.
      const sizes = Object.entries(metafile.outputs).filter(([path]) => path.endsWith(BUNDLE_FILE));
      expect(sizes.filter(([, output]) => output.bytes >= 250_000).map(([path, output]) => `${path}: ${output.bytes} bytes`)).toEqual([]);
      // What the bundles leave out by a path pattern (`*/proto/compiled`) is the sketches library's alone.
      for (const [input, { imports }] of Object.entries(metafile.inputs)) {
        for (const imported of imports.filter((candidate) => candidate.external && !isBuiltin(candidate.path) && !/^(@aws-sdk|@smithy)\//.test(candidate.path))) {
          expect(`${input} -> ${imported.path}`).toMatch(/^node_modules\/@datadog\/sketches-js\/.* -> (\.\.?\/proto\/compiled|protobufjs\/minimal)$/);
        }
      }
      const inputsOf = (fn: ComebackFunction) => {
        const name = relative(projectRoot, fn.entry).replace(/\.ts$/, '').replace(/[^A-Za-z0-9_-]+/g, '_');
        const inputs = carried.find(([path]) => path.endsWith(`${name}/${BUNDLE_FILE}`))?.[1];
        expect(inputs, fn.entry).toBeDefined();
        return inputs!;
      };
      const { journeys, loyalty, analytics } = built.stacks.api;
      expect(inputsOf(journeys.step).filter((input) => input.includes('libphonenumber-js'))).toEqual([]);
      // Admin access tokens are verified in the handler only where API Gateway's JWT authorizer does
      // not verify them first: the admin routes the storefront signs as well.
      for (const route of apiRoutes.filter((candidate) => candidate.secrets.includes('COMEBACK_ADMIN_TOKEN'))) {
        const verifies = inputsOf(built.stacks.api.functions.get(route.id)!).some((input) => input.includes('node_modules/jose/'));
        expect(verifies, route.id).toBe(!adminOnly(route));
      }
      // The phone metadata's file is beside every function that reads phone numbers (it carries
      // libphonenumber-js's code), and only there.
      const readingPhones = [...functionsOf(built.stacks)].filter(([name, fn]) => {
        const reads = inputsOf(fn).some((input) => input.includes('node_modules/libphonenumber-js/'));
        expect(existsSync(join(assetDirOf(built, api, fn), PHONE_METADATA_FILE)), name).toBe(reads);
        return reads;
      });
      expect(readingPhones.map(([name]) => name)).toEqual(expect.arrayContaining(['ShopifyOrder', 'WooCommerceOrder', 'CreateImport', 'SyncPlatform', 'ImportSteps']));
      // Only journey steps offer discount codes: the sweeps, which send check-in tasks and loyalty
      // messages, carry no storefront client (the step does: it issues the codes as it sends).
      const storefrontClients = (inputs: readonly string[]) => inputs.filter((input) => /functions\/adapters\/(shopify|woocommerce)-discounts\.ts|node_modules\/@shopify\//.test(input));
      expect(storefrontClients(inputsOf(journeys.step))).not.toEqual([]);
      for (const fn of [journeys.sweep, loyalty.sweep, loyalty.dispatch]) expect(storefrontClients(inputsOf(fn)), fn.entry).toEqual([]);
      // The journeys ask the loyalty program only whether a customer is a member: the functions that
      // do not earn, redeem or schedule carry none of the loyalty store's writes.
      for (const fn of [journeys.step, journeys.sweep, analytics.recompute]) expect(inputsOf(fn).filter((input) => input.endsWith('adapters/loyalty-store.ts')), fn.entry).toEqual([]);
    }, 120_000); // one esbuild run over every entry: 25 s on a busy two-core machine

    it('leaves only the protobuf runtime and the sketches\' protobuf definitions out of the bundles, and no function code serializes sketches', () => {
      expect(NEVER_LOADED_MODULES).toEqual(['protobufjs/minimal', '*/proto/compiled']);
      const sources = readdirSync(join(projectRoot, 'functions'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
      for (const name of sources) expect(readFileSync(join(projectRoot, 'functions', name), 'utf8'), name).not.toMatch(/toProto|fromProto|protobufjs/);
    });

    it('gives each function its own log group with a retention, written through its own role', () => {
      for (const fn of functionsOf(built.stacks).values()) {
        const logGroupId = logicalId(fn.logGroup);
        api.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [logicalId(fn.role), 'Arn'] }, LoggingConfig: { LogGroup: { Ref: logGroupId } } });
        expect((api.toJSON().Resources as Record<string, Resource>)[logGroupId]?.Properties?.RetentionInDays).toBe(30);
        const statements = policyStatementsOf(api, logicalId(fn.role));
        expect(statements).toContainEqual(
          expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }),
        );
      }
      // No managed policy (AWSLambdaBasicExecutionRole would allow writing to every log group).
      for (const role of Object.values(api.findResources('AWS::IAM::Role') as Record<string, Resource>)) {
        expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('grants table access per route: read-only routes get no write action, and nothing beyond data actions', () => {
      const tableId = logicalId(built.stacks.data.table.table);
      for (const route of apiRoutes) {
        const fn = built.stacks.api.functions.get(route.id)!;
        const statements = policyStatementsOf(api, logicalId(fn.role));
        const tableActions = actionsOf(statements).filter((action) => action.startsWith('dynamodb:'));
        const expected = route.table === 'readWrite' ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : [...TABLE_READ_ACTIONS];
        expect(tableActions.sort(), `table actions of ${route.id}`).toEqual(expected.sort());
        if (route.table === 'read') {
          for (const action of tableActions) expect(action).not.toMatch(/^dynamodb:(Put|Update|Delete|BatchWrite|PartiQL(Insert|Update|Delete)|\*)/);
        }
        const tableStatement = statements.find((statement) => actionsOf([statement]).some((action) => action.startsWith('dynamodb:')));
        const resources = JSON.stringify(tableStatement?.Resource);
        expect(resources).toContain(tableId);
        for (const index of [GSI1, GSI2]) expect(resources).toContain(`/index/${index}`);
        expect(resources).not.toContain('*');
      }
      expect(actionsOf(Object.values(api.findResources('AWS::IAM::Policy') as Record<string, Resource>).flatMap((policy) =>
        (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement,
      )).filter((action) => action.includes('*'))).toEqual([]);
    });

    it('gives the background functions read and write, and only the nightly recompute and the co-purchase count Scan, on the base table and the recompute on its sparse index', () => {
      const tableId = logicalId(built.stacks.data.table.table);
      const readWrite = [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
      const expected: Record<(typeof BACKGROUND_FUNCTIONS)[number], string[]> = {
        JourneyStep: readWrite,
        JourneySweep: readWrite,
        // One conditional update of a journey entry; see the execution status test.
        JourneyExecutionEnded: ['dynamodb:UpdateItem'],
        NightlyRecompute: [...readWrite, TABLE_SCAN_ACTION],
        LoyaltyDispatch: readWrite,
        LoyaltySweep: readWrite,
        CoPurchase: [...readWrite, TABLE_SCAN_ACTION],
        // Finds customers by phone, records opt-outs; see the inbound SMS test below.
        SmsInbound: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        // Reads a message's guard, receipt and log entry, updates the entry and the opt-out; see the delivery feedback test.
        DeliveryFeedback: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        // Records orders and import records; see the imports test.
        ImportSteps: readWrite,
        // The table's data, and its stream (see the purchase reactions test).
        PurchaseReactions: [...readWrite, ...STREAM_READ_ACTIONS],
      };
      const functions = functionsOf(built.stacks);
      for (const name of BACKGROUND_FUNCTIONS) {
        const statements = policyStatementsOf(api, logicalId(functions.get(name)!.role));
        expect(actionsOf(statements).filter((action) => action.startsWith('dynamodb:')).sort(), name).toEqual([...expected[name]].sort());
      }
      for (const [name, fn] of functions) {
        const scans = policyStatementsOf(api, logicalId(fn.role)).filter((statement) => actionsOf([statement]).includes(TABLE_SCAN_ACTION));
        if (!SCANNERS.includes(name)) expect(scans, name).toEqual([]);
        else {
          expect(scans, name).toHaveLength(1);
          expect(actionsOf(scans)).toEqual([TABLE_SCAN_ACTION]);
          expect(JSON.stringify(scans[0]!.Resource)).toContain(tableId);
          const scannedIndexes = [...JSON.stringify(scans[0]!.Resource).matchAll(/\/index\/(\w+)/g)].map((match) => match[1]);
          expect(scannedIndexes, name).toEqual(name === 'NightlyRecompute' ? [GSI3] : name === 'CoPurchase' ? [GSI4] : []);
        }
      }
    });

    it('generates one secret per secret name, readable only by the functions whose route lists it', () => {
      api.resourceCountIs('AWS::SecretsManager::Secret', secretNames.length);
      for (const name of secretNames) {
        const secret = built.stacks.api.secrets.get(name)!;
        const secretId = logicalId(secret.secret);
        const properties = (api.toJSON().Resources as Record<string, Resource>)[secretId]?.Properties ?? {};
        expect(properties.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
        expect(properties.SecretString).toBeUndefined();

        const readers = [...functionsOf(built.stacks)]
          .filter(([, fn]) =>
            policyStatementsOf(api, logicalId(fn.role)).some(
              (statement) => actionsOf([statement]).includes('secretsmanager:GetSecretValue') && JSON.stringify(statement.Resource).includes(`"${secretId}"`),
            ),
          )
          .map(([id]) => id);
        // Every sender signs unsubscribe links; the journey step and sweep also sign feedback links.
        const signers = name === 'COMEBACK_UNSUBSCRIBE_SECRET' ? SENDERS : name === 'COMEBACK_FEEDBACK_SECRET' ? ['JourneyStep', 'JourneySweep'] : [];
        expect(readers.sort(), `readers of ${name}`).toEqual([...apiRoutes.filter((route) => route.secrets.includes(name)).map((route) => route.id), ...signers].sort());
      }
    });

    it('logs every request of the $default stage and throttles every route by default', () => {
      api.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      const accessLogs = logicalId(built.stacks.api.api.accessLogGroup);
      api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [accessLogs, 'Arn'] }, Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
        DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      });
      expect((api.toJSON().Resources as Record<string, Resource>)[accessLogs]?.Properties?.RetentionInDays).toBe(30);
    });

    it('outputs the API URL, the secret ARNs, the topics, the DKIM records and the dashboard, never a secret value', () => {
      api.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
      const { delivery, monitoring } = built.stacks.api;
      api.hasOutput(outputId(delivery, 'ManagerTopicArn'), { Value: { Ref: logicalId(delivery.managerTopic) } });
      api.hasOutput(outputId(monitoring, 'AlarmTopicArn'), { Value: { Ref: logicalId(monitoring.alarmTopic) } });
      api.hasOutput(outputId(monitoring, 'DashboardUrl'), { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
      for (const index of [1, 2, 3]) api.hasOutput(outputId(delivery, `DkimRecord${index}`), { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
      for (const name of secretNames) {
        api.hasOutput(`${name.replace(/_/g, '')}ARN`, { Value: { Ref: logicalId(built.stacks.api.secrets.get(name)!.secret) } });
      }
      const outputs = JSON.stringify(api.toJSON().Outputs);
      expect(outputs).not.toMatch(/SecretString|secretsmanager:|resolve:secretsmanager/);
    });
  });

  describe('the journeys', () => {
    const machineIds = () => stateMachineJourneys.map((journey) => logicalId(built.stacks.api.journeys.stateMachine(journey)));

    it('deploys one STANDARD state machine per journey, logging errors only and no execution data to its own log group', () => {
      // One per journey, the import state machine (see the imports test) and the nightly work's.
      api.resourceCountIs('AWS::StepFunctions::StateMachine', stateMachineJourneys.length + 2);
      const resources = api.toJSON().Resources as Record<string, Resource>;
      for (const journey of stateMachineJourneys) {
        const machine = resources[logicalId(built.stacks.api.journeys.stateMachine(journey))]?.Properties ?? {};
        expect(machine.StateMachineType, journey).toBe('STANDARD');
        expect(machine.StateMachineName).toBe(`ComebackApi-${journey}`);
        expect(machine.TracingConfiguration).toEqual({ Enabled: false });
        const logging = machine.LoggingConfiguration as { Level: string; IncludeExecutionData: boolean; Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[] };
        expect(logging.Level).toBe('ERROR');
        expect(logging.IncludeExecutionData).toBe(false);
        expect(logging.Destinations).toHaveLength(1);
        const [logGroupId] = logging.Destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'];
        expect(resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
        expect(resources[logGroupId]?.Properties?.RetentionInDays).toBe(30);
      }
    });

    it('sends the journeys’ executions that fail, time out or are aborted to the function that marks their entries failed', () => {
      const rules = Object.values(resourcesOfType(api, 'AWS::Events::Rule')).filter((rule) => JSON.stringify(rule.Properties?.EventPattern ?? {}).includes('Execution Status Change'));
      expect(rules).toHaveLength(1);
      const pattern = rules[0]!.Properties?.EventPattern as { source: string[]; 'detail-type': string[]; detail: { status: string[]; stateMachineArn: unknown[] } };
      expect(pattern.source).toEqual(['aws.states']);
      expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
      expect(pattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
      expect(pattern.detail.stateMachineArn).toEqual(machineIds().map((id) => ({ Ref: id })));
      const targets = rules[0]!.Properties?.Targets as { Arn: unknown; RetryPolicy: { MaximumRetryAttempts: number } }[];
      expect(targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [logicalId(built.stacks.api.journeys.executionEnded.function), 'Arn'] }, RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 8 }) })]);
      // It only marks entries: one update under a customer's partition; no delivery, no secrets, no state machines.
      const [update] = policyStatementsOf(api, logicalId(built.stacks.api.journeys.executionEnded.role)).filter((statement) => actionsOf([statement]).includes('dynamodb:UpdateItem'));
      expect((update as { Condition?: unknown } | undefined)?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*'] } });
      const environment = environmentOf(api, built.stacks.api.journeys.executionEnded);
      expect(Object.keys(environment).sort()).toEqual(expect.not.arrayContaining(['COMEBACK_DELIVERY', ...STATE_MACHINE_VARIABLES]));
    });

    it('deploys each definition exactly as its file in workflows/, with the journey step function substituted', () => {
      const resources = api.toJSON().Resources as Record<string, Resource>;
      const stepArn = { 'Fn::GetAtt': [logicalId(built.stacks.api.journeys.step.function), 'Arn'] };
      for (const journey of stateMachineJourneys) {
        const file = readFileSync(join(projectRoot, journeyDefinitionFile(journey)), 'utf8');
        const machine = resources[logicalId(built.stacks.api.journeys.stateMachine(journey))]?.Properties ?? {};
        expect(machine.DefinitionString).toBeUndefined();
        expect(machine.DefinitionSubstitutions).toEqual({ [JOURNEY_STEP_SUBSTITUTION]: stepArn });
        // The deployed definition is the asset the template points at, byte for byte the file.
        const location = machine.DefinitionS3Location as { Key: string };
        expect(readFileSync(join(built.assembly.directory, `asset.${location.Key}`), 'utf8'), journey).toBe(file);
        // Every placeholder of the file is substituted, and every Task invokes the step function.
        expect([...new Set(file.match(/\$\{[^}]*\}/g))]).toEqual([`\${${JOURNEY_STEP_SUBSTITUTION}}`]);
        const deployed = JSON.parse(file.replaceAll(`\${${JOURNEY_STEP_SUBSTITUTION}}`, 'STEP_FUNCTION_ARN')) as { States: Record<string, { Type: string; Resource?: string; Parameters?: { FunctionName?: string } }> };
        const tasks = Object.values(deployed.States).filter((state) => state.Type === 'Task');
        expect(tasks.length).toBeGreaterThan(0);
        for (const task of tasks) {
          expect(task.Resource).toBe('arn:aws:states:::lambda:invoke');
          expect(task.Parameters?.FunctionName).toBe('STEP_FUNCTION_ARN');
        }
      }
    });

    it('lets each state machine invoke the journey step function (its unqualified ARN) and nothing else', () => {
      const stepArn = { 'Fn::GetAtt': [logicalId(built.stacks.api.journeys.step.function), 'Arn'] };
      for (const journey of stateMachineJourneys) {
        const role = built.stacks.api.journeys.stateMachine(journey).role.node.defaultChild as CfnElement;
        const statements = policyStatementsOf(api, role.stack.getLogicalId(role));
        const invoke = statements.filter((statement) => actionsOf([statement]).some((action) => action.startsWith('lambda:')));
        expect(invoke, journey).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: stepArn }]);
        // The rest is log delivery, which has no resource-level permissions.
        const others = statements.filter((statement) => !invoke.includes(statement));
        expect(others.every((statement) => statement.Resource === '*' && actionsOf([statement]).every((action) => action.startsWith('logs:')))).toBe(true);
      }
    });

    it('gives the journey step function the table, delivery, journey settings and feedback secret, and no state machine ARN', () => {
      const { journeys, delivery, secrets } = built.stacks.api;
      const environment = environmentOf(api, journeys.step);
      expect(Object.keys(environment).filter((name) => name.includes('STATE_MACHINE'))).toEqual([]);
      for (const id of machineIds()) expect(JSON.stringify(environment)).not.toContain(id);
      expect(environment).toMatchObject({
        COMEBACK_DELIVERY: 'aws',
        COMEBACK_EMAIL_FROM: 'Example Shop <hello@example.com>',
        COMEBACK_MANAGER_TOPIC_ARN: { Ref: logicalId(delivery.managerTopic) },
        COMEBACK_SES_CONFIGURATION_SET: { Ref: logicalId(delivery.configurationSet) },
        COMEBACK_TEMPLATES_DIR: TEMPLATES_DIR,
        COMEBACK_LOGO_URL: 'https://shop.example.com/logo.png',
        COMEBACK_POSTAL_ADDRESS: '1 Main St',
        COMEBACK_HOLDOUT_SHARE: '0.1',
        COMEBACK_SHOP_URL: 'https://shop.example.com',
        COMEBACK_SUPPORT_CONTACT: 'help@example.com',
        COMEBACK_UNSUBSCRIBE_SECRET_ARN: { Ref: logicalId(secrets.get('COMEBACK_UNSUBSCRIBE_SECRET')!.secret) },
        COMEBACK_FEEDBACK_SECRET_ARN: { Ref: logicalId(secrets.get('COMEBACK_FEEDBACK_SECRET')!.secret) },
      });
      // Links point at the HTTP API.
      const publicUrl = JSON.stringify(environment.COMEBACK_PUBLIC_URL);
      expect(publicUrl).toContain(logicalId(built.stacks.api.api.httpApi));
      expect(publicUrl).toContain('execute-api');
      expect(policyStatementsOf(api, logicalId(journeys.step.role)).flatMap((statement) => actionsOf([statement])).filter((action) => action.startsWith('states:'))).toEqual([]);
    });

    it('bundles the message templates, and their precompiled forms, beside the handlers that send messages, and only there', () => {
      // Every file under workflows/templates: the .hbs templates, the email layout and messages/ (the texts per language).
      const filesUnder = (directory: string) => readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => relative(directory, join(entry.parentPath, entry.name))).sort();
      const sources = filesUnder(join(projectRoot, TEMPLATES_SOURCE));
      expect(sources.filter((name) => name.endsWith('.hbs')).length).toBeGreaterThan(0);
      expect(sources.length).toBeGreaterThan(0);
      for (const [name, fn] of functionsOf(built.stacks)) {
        const templates = join(assetDirOf(built, api, fn), 'templates');
        const environment = environmentOf(api, fn);
        if (!SENDERS.includes(name)) {
          // Route functions, the recompute and the co-purchase count send nothing and carry no templates.
          expect(existsSync(templates), name).toBe(false);
          expect(existsSync(join(assetDirOf(built, api, fn), PRECOMPILED_TEMPLATES_FILE)), name).toBe(false);
          expect(environment.COMEBACK_TEMPLATES_DIR, name).toBeUndefined();
          expect(environment.COMEBACK_DELIVERY, name).toBeUndefined();
          continue;
        }
        expect(environment.COMEBACK_TEMPLATES_DIR, name).toBe(TEMPLATES_DIR);
        expect(filesUnder(templates), name).toEqual(sources);
        expect(existsSync(join(assetDirOf(built, api, fn), PRECOMPILED_TEMPLATES_FILE)), name).toBe(true);
        for (const file of sources) expect(readFileSync(join(templates, file), 'utf8')).toBe(readFileSync(join(projectRoot, TEMPLATES_SOURCE, file), 'utf8'));
      }
    });

    it('runs the journey sweep in the nightly state machine, started daily at 02:00 UTC, with the journeys capability, delivery and the feedback secret', () => {
      const { journeys, nightly } = built.stacks.api;
      const sweepArn = { 'Fn::GetAtt': [logicalId(journeys.sweep.function), 'Arn'] };
      const resources = api.toJSON().Resources as Record<string, Resource>;
      const rule = resources[logicalId(nightly.rule)]?.Properties ?? {};
      expect(rule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
      expect(rule.State).toBe('ENABLED');
      expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: logicalId(nightly.stateMachine) }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })]);
      expect((resources[logicalId(nightly.stateMachine)]?.Properties?.DefinitionSubstitutions as Record<string, unknown>).JourneySweepFunctionArn).toEqual(sweepArn);
      const environment = environmentOf(api, journeys.sweep);
      for (const journey of stateMachineJourneys) {
        expect(environment[stateMachineArnVariable(journey)]).toEqual({ Ref: logicalId(journeys.stateMachine(journey)) });
      }
      expect(Object.keys(environment)).toEqual(
        expect.arrayContaining(['COMEBACK_DELIVERY', 'COMEBACK_PUBLIC_URL', 'COMEBACK_TEMPLATES_DIR', 'COMEBACK_FEEDBACK_SECRET_ARN', 'COMEBACK_UNSUBSCRIBE_SECRET_ARN', 'COMEBACK_SHOP_URL']),
      );
    });

    it('names the state machine variables as functions/adapters/step-functions.ts reads them', () => {
      const adapter = readFileSync(join(projectRoot, 'functions/adapters/step-functions.ts'), 'utf8');
      expect(stateMachineJourneys.map(stateMachineArnVariable)).toEqual(STATE_MACHINE_VARIABLES);
      for (const variable of STATE_MACHINE_VARIABLES) expect(adapter).toContain(`${variable}:`);
    });
  });

  describe('IAM for the journeys', () => {
    const statesStatements = (fn: ComebackFunction) =>
      policyStatementsOf(api, logicalId(fn.role)).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('states:')));

    it('grants StartExecution on exactly the three state machines and StopExecution on their executions, to the journey routes, the journey sweep and the nightly recompute only', () => {
      const machines = stateMachineJourneys.map((journey) => ({ Ref: logicalId(built.stacks.api.journeys.stateMachine(journey)) }));
      const executions = stateMachineJourneys.map((journey) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:execution:ComebackApi-${journey}:*`]],
      }));
      const starters = [...functionsOf(built.stacks)].filter(([, fn]) => statesStatements(fn).length > 0).map(([name]) => name);
      expect(starters.sort()).toEqual([...journeyRoutes.map((route) => route.id), ...BACKGROUND_STARTERS].sort());
      for (const name of starters) {
        const statements = statesStatements(functionsOf(built.stacks).get(name)!);
        expect(statements, name).toHaveLength(2);
        const start = statements.find((statement) => statement.Action === 'states:StartExecution');
        const stop = statements.find((statement) => statement.Action === 'states:StopExecution');
        expect(start?.Resource).toEqual(expect.arrayContaining(machines));
        expect(start?.Resource).toHaveLength(3);
        expect(stop?.Resource).toEqual(expect.arrayContaining(executions));
        expect(stop?.Resource).toHaveLength(3);
      }
      // Nobody else may start an execution (of a journey: the import state machine is started by its upload rule and its own map; see the imports test).
      const allStatements = Object.values(resourcesOfType(api, 'AWS::IAM::Policy')).flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
      const importMachine = [
        { Ref: logicalId(built.stacks.api.imports.stateMachine) },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':stateMachine:ComebackApi-import']] },
        // The nightly state machine is started by its rule and starts its own Distributed Map children (see tests/infra/nightly.test.ts).
        { Ref: logicalId(built.stacks.api.nightly.stateMachine) },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':stateMachine:ComebackApi-nightly']] },
      ].map((resource) => JSON.stringify(resource));
      const journeyStarts = allStatements.filter((candidate) => actionsOf([candidate]).includes('states:StartExecution') && !importMachine.includes(JSON.stringify(candidate.Resource)));
      for (const statement of journeyStarts) {
        expect(statement.Resource).toEqual(expect.arrayContaining(machines));
        expect(statement.Resource).toHaveLength(3);
      }
    });

    it('gives route functions without the journeys capability no Step Functions action and no state machine ARN', () => {
      for (const route of otherRoutes) {
        const fn = built.stacks.api.functions.get(route.id)!;
        expect(statesStatements(fn), route.id).toEqual([]);
        expect(Object.keys(environmentOf(api, fn)).filter((name) => name.includes('STATE_MACHINE'))).toEqual([]);
      }
    });

    it('gives every function that starts journeys the state machine ARNs and the journey settings it reads at start', () => {
      const functions = functionsOf(built.stacks);
      for (const name of [...journeyRoutes.map((route) => route.id), ...BACKGROUND_STARTERS]) {
        const environment = environmentOf(api, functions.get(name)!);
        expect(environment, name).toMatchObject({
          COMEBACK_HOLDOUT_SHARE: '0.1',
          COMEBACK_SHOP_URL: 'https://shop.example.com',
          COMEBACK_SUPPORT_CONTACT: 'help@example.com',
        });
        for (const journey of stateMachineJourneys) {
          expect(environment[stateMachineArnVariable(journey)], `${name} ${journey}`).toEqual({ Ref: logicalId(built.stacks.api.journeys.stateMachine(journey)) });
        }
      }
      // Nothing else has a state machine ARN.
      for (const [name, fn] of functions) {
        if (journeyRoutes.some((route) => route.id === name) || BACKGROUND_STARTERS.includes(name) || name === 'JourneyStep') continue;
        expect(Object.keys(environmentOf(api, fn)).filter((variable) => variable.includes('STATE_MACHINE') || variable === 'COMEBACK_HOLDOUT_SHARE'), name).toEqual([]);
      }
    });

    it('keeps GetCustomer read-only: its log group and the table read actions, nothing more (its callers come through the Cognito authorizer)', () => {
      const fn = built.stacks.api.functions.get('GetCustomer')!;
      expect(actionsOf(policyStatementsOf(api, logicalId(fn.role))).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', ...TABLE_READ_ACTIONS].sort());
    });
  });

  describe('the purchase reactions', () => {
    const webhooks = ['RecordPurchase', 'RecordRefund', 'ShopifyOrder', 'WooCommerceOrder', 'SyncPlatform'];

    it('read new order and refund items from the table stream: partial batch failures, bisect, bounded retries and age, then an SQS queue', () => {
      const reactions = built.stacks.api.purchaseReactions;
      api.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      const [mapping] = Object.values(resourcesOfType(api, 'AWS::Lambda::EventSourceMapping'));
      const properties = mapping!.Properties!;
      expect(properties).toMatchObject({
        FunctionName: { Ref: logicalId(reactions.function.function) },
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(reactions.failureQueue), 'Arn'] } } },
      });
      expect(JSON.stringify(properties['EventSourceArn'])).toMatch(/StreamArn/);
      const filters = (properties['FilterCriteria'] as { Filters: { Pattern: string }[] }).Filters.map((filter) => JSON.parse(filter.Pattern) as unknown);
      expect(filters).toEqual([{ eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['order', 'refund'] } } } }]);
    });

    it('alarm when a record is given up on and when the reactions fall 10 minutes behind the stream', () => {
      const { monitoring, purchaseReactions } = built.stacks.api;
      const resources = resourcesOfType(api, 'AWS::CloudWatch::Alarm');
      const propertiesOf = (id: string) => resources[logicalId(monitoring.alarms.get(id)!)]!.Properties!;
      expect(propertiesOf('PurchaseReactionsGivenUp')).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(purchaseReactions.failureQueue), 'QueueName'] } }],
        Threshold: 1,
      });
      expect(propertiesOf('PurchaseReactionsLate')).toMatchObject({
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(purchaseReactions.function.function) } }],
        Threshold: 600_000,
      });
    });

    it('keep the failed records in an encrypted queue that refuses plain HTTP', () => {
      const queueId = logicalId(built.stacks.api.purchaseReactions.failureQueue);
      expect(resourcesOfType(api, 'AWS::SQS::Queue')[queueId]?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      const [policy] = Object.values(resourcesOfType(api, 'AWS::SQS::QueuePolicy')).filter((candidate) => JSON.stringify(candidate.Properties?.Queues).includes(queueId));
      expect(JSON.stringify(policy?.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    });

    it('give the function the table, the journeys, the rules file, the stream of this table and its queue; the webhooks keep only their write', () => {
      const functions = functionsOf(built.stacks);
      const reactions = functions.get('PurchaseReactions')!;
      const statements = policyStatementsOf(api, logicalId(reactions.role));
      const stream = statements.filter((statement) => actionsOf([statement]).some((action) => STREAM_READ_ACTIONS.includes(action)));
      expect(actionsOf(stream).sort()).toEqual([...STREAM_READ_ACTIONS].sort());
      expect(stream.map((statement) => JSON.stringify(statement.Resource)).join()).toMatch(/StreamArn/);
      expect(actionsOf(statements).filter((action) => action.startsWith('sqs:'))).toContain('sqs:SendMessage');
      expect(actionsOf(statements)).toEqual(expect.arrayContaining(['states:StartExecution', 'states:StopExecution']));
      const environment = environmentOf(api, reactions);
      for (const variable of [...STATE_MACHINE_VARIABLES, 'COMEBACK_CATALOG_FILE', 'COMEBACK_HOLDOUT_SHARE', 'TABLE_NAME']) expect(environment[variable], variable).toBeDefined();
      for (const name of [...webhooks, 'NightlySync']) {
        const fn = name === 'NightlySync' ? built.stacks.api.sync?.function : functions.get(name);
        if (!fn) continue;
        const actions = actionsOf(policyStatementsOf(api, logicalId(fn.role)));
        expect(actions.filter((action) => action.startsWith('states:') || STREAM_READ_ACTIONS.includes(action)), name).toEqual([]);
        const variables = environmentOf(api, fn);
        expect(Object.keys(variables).filter((variable) => STATE_MACHINE_VARIABLES.includes(variable) || variable === 'COMEBACK_CATALOG_FILE'), name).toEqual([]);
      }
      // No other function reads the stream.
      for (const [name, fn] of functions) {
        if (name === 'PurchaseReactions') continue;
        expect(actionsOf(policyStatementsOf(api, logicalId(fn.role))).filter((action) => STREAM_READ_ACTIONS.includes(action)), name).toEqual([]);
      }
    });
  });

  describe('imports uploaded to S3', () => {
    const imports = () => built.stacks.api.imports;
    const bucketId = () => logicalId(imports().bucket);
    const uploadsArn = () => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/imports/*']] });

    it('keeps uploads in a private bucket, encrypted, SSL only, sending its events to EventBridge, expiring them after 7 days', () => {
      api.resourceCountIs('AWS::S3::Bucket', 1);
      api.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 7, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })] },
      });
      api.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId() },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('deploys workflows/import.asl.json as it is: a Distributed Map reading the CSV from S3 with its header, in batches, each to the import function', () => {
      const resources = api.toJSON().Resources as Record<string, Resource>;
      const machine = resources[logicalId(imports().stateMachine)]?.Properties ?? {};
      const file = readFileSync(join(projectRoot, IMPORT_DEFINITION_FILE), 'utf8');
      expect(machine.StateMachineName).toBe('ComebackApi-import');
      expect(machine.StateMachineType).toBe('STANDARD');
      expect(machine.DefinitionSubstitutions).toEqual({ [IMPORT_FUNCTION_SUBSTITUTION]: { 'Fn::GetAtt': [logicalId(imports().importFunction.function), 'Arn'] } });
      const location = machine.DefinitionS3Location as { Key: string };
      expect(readFileSync(join(built.assembly.directory, `asset.${location.Key}`), 'utf8')).toBe(file);
      expect((machine.LoggingConfiguration as { Level: string; IncludeExecutionData: boolean })).toMatchObject({ Level: 'ERROR', IncludeExecutionData: false });
      const definition = JSON.parse(file) as { States: Record<string, Record<string, unknown>> };
      expect(definition.States['ImportRows']).toMatchObject({
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' } },
        ItemSelector: { 'index.$': '$$.Map.Item.Index', 'row.$': '$$.Map.Item.Value' },
        ItemBatcher: { MaxItemsPerBatch: 500, MaxInputBytesPerBatch: 196608 },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
        ToleratedFailurePercentage: 0,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }],
        Next: 'Finish',
      });
      const tasks = [...Object.values(definition.States), ...Object.values((definition.States['ImportRows']!['ItemProcessor'] as { States: Record<string, Record<string, unknown>> }).States)].filter(
        (state) => state['Type'] === 'Task',
      );
      expect(tasks).toHaveLength(4);
      for (const task of tasks) expect(task['Parameters']).toMatchObject({ FunctionName: `\${${IMPORT_FUNCTION_SUBSTITUTION}}` });
    });

    it('starts the state machine on every object created under imports/ in the bucket, retried for a day', () => {
      const rules = Object.values(resourcesOfType(api, 'AWS::Events::Rule')).filter((rule) => JSON.stringify(rule.Properties?.EventPattern ?? {}).includes('aws.s3'));
      expect(rules).toHaveLength(1);
      expect(rules[0]!.Properties?.EventPattern).toEqual({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: bucketId() }] }, object: { key: [{ prefix: 'imports/' }] } },
      });
      const [target] = rules[0]!.Properties?.Targets as { Arn: unknown; RoleArn: { 'Fn::GetAtt': [string, string] }; RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number } }[];
      expect(target?.Arn).toEqual({ Ref: logicalId(imports().stateMachine) });
      expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 });
      expect(policyStatementsOf(api, target!.RoleArn['Fn::GetAtt'][0])).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: logicalId(imports().stateMachine) } }]);
    });

    it('lets the state machine invoke the import function, read the uploads and run its own map, nothing else', () => {
      const role = imports().stateMachine.role.node.defaultChild as CfnElement;
      const statements = policyStatementsOf(api, role.stack.getLogicalId(role));
      const machineArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, resource]] });
      const granted = statements.filter((statement) => !actionsOf([statement]).every((action) => action.startsWith('logs:')));
      expect(granted).toEqual([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [logicalId(imports().importFunction.function), 'Arn'] } },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: uploadsArn() },
        { Effect: 'Allow', Action: 'states:StartExecution', Resource: machineArn(':stateMachine:ComebackApi-import') },
        { Effect: 'Allow', Action: ['states:DescribeExecution', 'states:StopExecution'], Resource: machineArn(':execution:ComebackApi-import/*') },
      ]);
      // The rest is log delivery, which has no resource-level permissions.
      for (const statement of statements.filter((candidate) => !granted.includes(candidate))) expect(statement.Resource).toBe('*');
    });

    it('lets only the import route put uploads (under imports/), with the bucket name; the import function gets the table and no S3 action', () => {
      const functions = functionsOf(built.stacks);
      for (const [name, fn] of functions) {
        const s3 = policyStatementsOf(api, logicalId(fn.role)).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('s3:')));
        const environment = environmentOf(api, fn);
        if (name === 'CreateImport') {
          expect(s3).toEqual([{ Effect: 'Allow', Action: 's3:PutObject', Resource: uploadsArn() }]);
          expect(environment['COMEBACK_IMPORT_BUCKET']).toEqual({ Ref: bucketId() });
        } else {
          expect(s3, name).toEqual([]);
          expect(environment['COMEBACK_IMPORT_BUCKET'], name).toBeUndefined();
        }
      }
      expect(apiRoutes.find((route) => route.id === 'GetImport')).toMatchObject({ method: 'GET', path: '/v1/imports/{id}', secrets: ['COMEBACK_ADMIN_TOKEN'], table: 'read' });
    });
  });

  describe('delivery', () => {
    it('creates the SES identity of the sender domain and a configuration set with reputation metrics', () => {
      api.resourceCountIs('AWS::SES::EmailIdentity', 1);
      api.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
      api.resourceCountIs('AWS::SES::ConfigurationSet', 1);
      api.hasResourceProperties('AWS::SES::ConfigurationSet', {
        ReputationOptions: { ReputationMetricsEnabled: true },
        SuppressionOptions: { SuppressedReasons: Match.arrayWith(['BOUNCE', 'COMPLAINT']) },
      });
    });

    it('encrypts the manager topic with a rotated key, refuses publishing without TLS, and subscribes the manager', () => {
      const { managerTopic, topicKey } = built.stacks.api.delivery;
      const keyId = logicalId(topicKey);
      api.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, DisplayName: 'Comeback tasks' });
      expect((api.toJSON().Resources as Record<string, Resource>)[keyId]?.Properties?.EnableKeyRotation).toBe(true);
      api.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: logicalId(managerTopic) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      api.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: logicalId(managerTopic) }, Protocol: 'email', Endpoint: 'manager@example.com' });
    });

    it('lets senders email only from the identity through the configuration set, publish tasks to the topic, and send SMS', () => {
      const { delivery } = built.stacks.api;
      const identity = delivery.emailIdentity as unknown as IConstruct;
      const functions = functionsOf(built.stacks);
      for (const name of SENDERS) {
        const fn = functions.get(name)!;
        const statements = policyStatementsOf(api, logicalId(fn.role));
        const ses = statements.filter((statement) => actionsOf([statement]).some((action) => action.startsWith('ses:')));
        expect(ses, name).toHaveLength(1);
        expect(ses[0]!.Action).toBe('ses:SendEmail');
        const sesResources = JSON.stringify(ses[0]!.Resource);
        expect(sesResources).toContain(`:identity/",{"Ref":"${logicalId(identity)}"}`);
        expect(sesResources).toContain(':identity/hello@example.com');
        expect(sesResources).toContain(`:configuration-set/",{"Ref":"${logicalId(delivery.configurationSet)}"}`);
        expect(ses[0]!.Resource).toHaveLength(3);

        const publish = statements.filter((statement) => actionsOf([statement]).includes('sns:Publish'));
        expect(publish).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: logicalId(delivery.managerTopic) } }),
            expect.objectContaining({ Action: 'sns:Publish', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } } }),
          ]),
        );
        expect(publish).toHaveLength(2);
        expect(statements).toContainEqual(
          expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [logicalId(delivery.topicKey), 'Arn'] } }),
        );
      }
      // Nothing else sends.
      const senders = [...functionsOf(built.stacks)]
        .filter(([, fn]) => actionsOf(policyStatementsOf(api, logicalId(fn.role))).some((action) => action.startsWith('ses:') || action.startsWith('sns:')))
        .map(([name]) => name);
      expect(senders.sort()).toEqual([...SENDERS].sort());
    });
  });

  describe('delivery feedback', () => {
    const feedback = () => built.stacks.api.deliveryFeedback;
    const configurationSet = () => ({ Ref: logicalId(built.stacks.api.delivery.configurationSet) });

    it('publishes the configuration set\'s bounces, complaints, deliveries, rejects and delays to EventBridge, and its sends, bounces and complaints as metrics', () => {
      api.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: configurationSet(),
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: ['bounce', 'complaint', 'delivery', 'reject', 'deliveryDelay'],
          EventBridgeDestination: { EventBusArn: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':event-bus/default']) ]) }) },
        },
      });
      api.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: configurationSet(),
        EventDestination: {
          MatchingEventTypes: ['send', 'bounce', 'complaint'],
          CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'ConfigurationSet', DimensionValueSource: 'messageTag', DefaultDimensionValue: configurationSet() }] },
        },
      });
      // No opens and clicks unless the store turns tracking on.
      expect(JSON.stringify(resourcesOfType(api, 'AWS::SES::ConfigurationSetEventDestination'))).not.toMatch(/"open"|"click"/);
    });

    it('hands the configuration set\'s events to the feedback function, retried for a day, then kept in an encrypted dead-letter queue', () => {
      const fnArn = { 'Fn::GetAtt': [logicalId(feedback().receiver.function), 'Arn'] };
      const queueId = logicalId(feedback().deadLetterQueue);
      api.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.ses'], detail: { mail: { tags: { 'ses:configuration-set': [configurationSet()] } } } },
        Targets: [Match.objectLike({ Arn: fnArn, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }, RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } })],
      });
      api.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: fnArn });
      api.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
      api.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('subscribes the feedback function to the SNS SMS delivery status log groups, and creates the role SNS writes them with', () => {
      const fnArn = { 'Fn::GetAtt': [logicalId(feedback().receiver.function), 'Arn'] };
      const groups = feedback().smsStatusLogGroups.map((group) => logicalId(group));
      expect(groups).toHaveLength(2);
      const resources = api.toJSON().Resources as Record<string, Resource>;
      const names = groups.map((id) => JSON.stringify(resources[id]?.Properties?.LogGroupName));
      expect(names[0]).toMatch(/"sns\/",\{"Ref":"AWS::Region"\},"\/",\{"Ref":"AWS::AccountId"\},"\/DirectPublishToPhoneNumber"/);
      expect(names[1]).toMatch(/\/DirectPublishToPhoneNumber\/Failure"/);
      for (const id of groups) {
        expect(resources[id]?.Properties?.RetentionInDays).toBe(30);
        api.hasResourceProperties('AWS::Logs::SubscriptionFilter', { LogGroupName: { Ref: id }, DestinationArn: fnArn, FilterPattern: '' });
      }
      api.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'logs.amazonaws.com', FunctionName: fnArn });

      const roleId = logicalId(feedback().smsStatusRole);
      expect(resources[roleId]?.Properties?.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'sns.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
      });
      const statements = policyStatementsOf(api, roleId);
      expect(statements[0]?.Resource).toHaveLength(2);
      expect(statements).toEqual([
        expect.objectContaining({
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
          Resource: expect.arrayContaining(groups.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))),
        }),
      ]);
      const command = JSON.stringify(api.toJSON().Outputs[outputId(feedback(), 'EnableSmsDeliveryStatus')]?.Value);
      expect(command).toContain('aws sns set-sms-attributes --attributes DeliveryStatusIAMRole=');
      expect(command).toContain(roleId);
    });

    it('lets the feedback function read guards, receipts and customer partitions and update customer partitions, nothing else', () => {
      const fn = feedback().receiver;
      const statements = policyStatementsOf(api, logicalId(fn.role)).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('dynamodb:')));
      expect(statements.map(({ Action, Condition }) => ({ Action, Condition }))).toEqual([
        { Action: 'dynamodb:GetItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['MESSAGE#*', 'RECEIPT#*', 'CUSTOMER#*'] } } },
        { Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*'] } } },
      ]);
      for (const statement of statements) expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
      expect(Object.keys(environmentOf(api, fn)).sort()).toEqual(['TABLE_NAME']);
    });

    it('alarms on the configuration set\'s bounce and complaint rates below SES\'s thresholds, once there are 100 sends', () => {
      // The SES rates among the metric math alarms (the functions' grouped alarms are the monitoring test's).
      const alarms = Object.values(resourcesOfType(api, 'AWS::CloudWatch::Alarm')).filter((alarm) =>
        (alarm.Properties?.Metrics as { Expression?: string }[] | undefined)?.some((metric) => metric.Expression?.startsWith('IF(sends >= 100')),
      );
      const byExpression = (events: string) =>
        alarms.find((alarm) => (alarm.Properties?.Metrics as { Expression?: string }[]).some((metric) => metric.Expression === `IF(sends >= 100, ${events} / sends, 0)`));
      expect(alarms).toHaveLength(2);
      expect(byExpression('bounces')?.Properties?.Threshold).toBe(0.04);
      expect(byExpression('complaints')?.Properties?.Threshold).toBe(0.0008);
      for (const alarm of alarms) {
        const metrics = (alarm.Properties?.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown }; Period: number; Stat: string } }[])
          .flatMap((metric) => (metric.MetricStat ? [metric.MetricStat] : []));
        expect(metrics.map((stat) => stat.Metric.MetricName).sort()).toEqual([alarm === byExpression('bounces') ? 'Bounce' : 'Complaint', 'Send']);
        for (const stat of metrics) {
          expect(stat).toMatchObject({ Period: 21600, Stat: 'Sum', Metric: { Namespace: 'AWS/SES', Dimensions: [{ Name: 'ConfigurationSet', Value: configurationSet() }] } });
        }
        expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: logicalId(built.stacks.api.monitoring.alarmTopic) }]);
      }
    });
  });

  describe('the links in messages', () => {
    /** The paths of the links messages carry, as the link builders make them. */
    const linkPaths = [
      new URL(unsubscribeUrl('https://api.example.com', 'token')).pathname,
      new URL(feedbackUrl('https://api.example.com/v1/feedback', 'token')).pathname,
    ];

    it('routes every link a message carries: GET opens its page (read-only), POST acts on it, each with its own function', () => {
      const routeKeys = Object.values(resourcesOfType(api, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties?.RouteKey);
      for (const path of linkPaths) {
        expect(routeKeys).toContain(`GET ${path}`);
        expect(routeKeys).toContain(`POST ${path}`);
      }
      const pages = apiRoutes.filter((route) => route.method === 'GET' && linkPaths.includes(route.path));
      expect(pages.map((route) => route.id).sort()).toEqual(['FeedbackPage', 'UnsubscribePage']);
      for (const page of pages) {
        const fn = built.stacks.api.functions.get(page.id)!;
        const tableActions = actionsOf(policyStatementsOf(api, logicalId(fn.role))).filter((action) => action.startsWith('dynamodb:'));
        expect(tableActions.sort(), page.id).toEqual([...TABLE_READ_ACTIONS].sort());
      }
    });

    it("gives the functions that show pages the shop's address, and the shop's name only when the store set one", () => {
      for (const route of apiRoutes) {
        const environment = environmentOf(api, built.stacks.api.functions.get(route.id)!);
        const shows = route.capabilities?.includes('shop') ?? false;
        if (shows) expect(environment.COMEBACK_SHOP_URL, route.id).toBe('https://shop.example.com');
        if (!shows && !route.capabilities?.includes('journeys')) expect(environment.COMEBACK_SHOP_URL, route.id).toBeUndefined();
        expect(environment.COMEBACK_SHOP_NAME, route.id).toBeUndefined();
      }
      expect(apiRoutes.filter((route) => route.capabilities?.includes('shop')).map((route) => route.id).sort()).toEqual(['FeedbackPage', 'LoyaltyJoinLink', 'LoyaltyJoinPage', 'RecordFeedback', 'Unsubscribe', 'UnsubscribePage']);
    });
  });

  describe('inbound SMS', () => {
    const inbound = () => built.stacks.api.smsInbound;

    it('arrive on a topic encrypted with its own rotated key, refusing plain HTTP, that only End User Messaging of this account may publish to', () => {
      const topicId = logicalId(inbound().topic);
      const keyId = logicalId(inbound().topicKey);
      const fromThisAccount = {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
      };
      expect((api.toJSON().Resources as Record<string, Resource>)[topicId]?.Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      api.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: fromThisAccount }),
          ]),
        },
      });
      api.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: topicId }, Condition: fromThisAccount }),
          ]),
        },
      });
      api.hasOutput(outputId(inbound(), 'SmsInboundTopicArn'), { Value: { Ref: topicId } });
    });

    it('reach their function, which may only query the phone number index and update items of customer partitions', () => {
      const fn = inbound().receiver;
      const topicId = logicalId(inbound().topic);
      api.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: topicId }, Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [logicalId(fn.function), 'Arn'] } });
      api.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: { Ref: topicId } });

      const statements = policyStatementsOf(api, logicalId(fn.role)).filter((statement) => actionsOf([statement]).some((action) => action.startsWith('dynamodb:')));
      expect(statements).toHaveLength(2);
      const query = statements.find((statement) => statement.Action === 'dynamodb:Query');
      const update = statements.find((statement) => statement.Action === 'dynamodb:UpdateItem');
      expect(JSON.stringify(query?.Resource)).toContain(`/index/${GSI2}`);
      expect(JSON.stringify(update?.Resource)).not.toContain('/index/');
      expect(update?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTOMER#*'] } });
      expect(Object.keys(environmentOf(api, fn)).sort()).toEqual(['TABLE_NAME']);
    });
  });

  describe('the loyalty program and the product rules', () => {
    const rule = (schedule: { rule: IConstruct }) => (api.toJSON().Resources as Record<string, Resource>)[logicalId(schedule.rule)]?.Properties ?? {};
    const arnOf = (fn: ComebackFunction) => ({ 'Fn::GetAtt': [logicalId(fn.function), 'Arn'] });

    it('runs the loyalty dispatch every hour at minute 15, and the loyalty sweep and the co-purchase count in the nightly state machine', () => {
      const { loyalty, nightly } = built.stacks.api;
      const schedules = [{ fn: loyalty.dispatch, schedule: loyalty.dispatchSchedule, cron: 'cron(15 * * * ? *)', maxEventAge: 1800 }];
      const substitutions = (api.toJSON().Resources as Record<string, Resource>)[logicalId(nightly.stateMachine)]?.Properties?.DefinitionSubstitutions as Record<string, unknown>;
      expect(substitutions.LoyaltySweepFunctionArn).toEqual(arnOf(loyalty.sweep));
      expect(substitutions.CoPurchaseFunctionArn).toEqual(arnOf(loyalty.coPurchase));
      for (const { fn, schedule, cron, maxEventAge } of schedules) {
        const properties = rule(schedule);
        expect(properties.ScheduleExpression, fn.node.path).toBe(cron);
        expect(properties.State).toBe('ENABLED');
        expect(properties.Targets).toEqual([expect.objectContaining({ Arn: arnOf(fn), RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: maxEventAge } })]);
        api.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          FunctionName: arnOf(fn),
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': [logicalId(schedule.rule), 'Arn'] },
        });
      }
      // Each function is the target of its own rule only.
      const targets = Object.values(resourcesOfType(api, 'AWS::Events::Rule')).flatMap((candidate) => candidate.Properties?.Targets as { Arn: unknown }[]);
      for (const { fn } of schedules) expect(targets.filter((target) => JSON.stringify(target.Arn) === JSON.stringify(arnOf(fn))), fn.node.path).toHaveLength(1);
      const resources = api.toJSON().Resources as Record<string, Resource>;
      expect(resources[logicalId(loyalty.dispatch.function)]?.Properties).toMatchObject({ Timeout: 600, MemorySize: 512 });
      expect(resources[logicalId(loyalty.sweep.function)]?.Properties).toMatchObject({ Timeout: 900, MemorySize: 512 });
      expect(resources[logicalId(loyalty.coPurchase.function)]?.Properties).toMatchObject({ Timeout: 900, MemorySize: 1024 });
    });

    it('gives the loyalty dispatch and sweep the table, the rules file, delivery and the shop URL, and nothing of the journeys', () => {
      const { loyalty, delivery, secrets } = built.stacks.api;
      for (const fn of [loyalty.dispatch, loyalty.sweep]) {
        const environment = environmentOf(api, fn);
        expect(Object.keys(environment).sort(), fn.node.path).toEqual(
          [
            'TABLE_NAME',
            'COMEBACK_CATALOG_FILE',
            'COMEBACK_DELIVERY',
            'COMEBACK_EMAIL_FROM',
            'COMEBACK_MANAGER_TOPIC_ARN',
            'COMEBACK_SES_CONFIGURATION_SET',
            'COMEBACK_PUBLIC_URL',
            'COMEBACK_TEMPLATES_DIR',
            'COMEBACK_LOGO_URL',
            'COMEBACK_POSTAL_ADDRESS',
            'COMEBACK_UNSUBSCRIBE_SECRET_ARN',
            'COMEBACK_SHOP_URL',
          ].sort(),
        );
        expect(environment).toMatchObject({
          COMEBACK_CATALOG_FILE: CATALOG_FILE,
          COMEBACK_DELIVERY: 'aws',
          COMEBACK_EMAIL_FROM: 'Example Shop <hello@example.com>',
          COMEBACK_MANAGER_TOPIC_ARN: { Ref: logicalId(delivery.managerTopic) },
          COMEBACK_SES_CONFIGURATION_SET: { Ref: logicalId(delivery.configurationSet) },
          COMEBACK_TEMPLATES_DIR: TEMPLATES_DIR,
          COMEBACK_UNSUBSCRIBE_SECRET_ARN: { Ref: logicalId(secrets.get('COMEBACK_UNSUBSCRIBE_SECRET')!.secret) },
          COMEBACK_SHOP_URL: 'https://shop.example.com',
        });
        expect(JSON.stringify(environment.COMEBACK_PUBLIC_URL)).toContain(logicalId(built.stacks.api.api.httpApi));
        expect([...new Set(actionsOf(policyStatementsOf(api, logicalId(fn.role))))].sort(), fn.node.path).toEqual(
          [
            // Only the dispatch is invoked asynchronously (by its rule); the nightly state machine invokes the sweep.
            ...(fn === loyalty.dispatch ? FAILED_INVOCATION_ACTIONS : []),
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            ...TABLE_READ_ACTIONS,
            ...TABLE_WRITE_ACTIONS,
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'ses:SendEmail',
            'sns:Publish',
            'kms:Decrypt',
            'kms:GenerateDataKey',
          ].sort(),
        );
      }
    });

    it('gives the co-purchase count the table with Scan, and nothing else', () => {
      const { loyalty } = built.stacks.api;
      expect(Object.keys(environmentOf(api, loyalty.coPurchase)).sort()).toEqual(['TABLE_NAME']);
      expect([...new Set(actionsOf(policyStatementsOf(api, logicalId(loyalty.coPurchase.role))))].sort()).toEqual(
        ['logs:CreateLogStream', 'logs:PutLogEvents', ...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS, TABLE_SCAN_ACTION].sort(),
      );
    });

    it('bundles the rules file with the loyalty functions and the journeys that read declared cycles or offers, and with no other', () => {
      const source = readFileSync(join(projectRoot, CATALOG_SOURCE), 'utf8');
      expect(loyaltyRoutes.length).toBeGreaterThan(0);
      for (const [name, fn] of functionsOf(built.stacks)) {
        const bundled = join(assetDirOf(built, api, fn), 'catalog.json');
        const environment = environmentOf(api, fn);
        if (CATALOG_FUNCTIONS.includes(name)) {
          expect(fn.catalog, name).toBe(true);
          expect(environment.COMEBACK_CATALOG_FILE, name).toBe(CATALOG_FILE);
          expect(readFileSync(bundled, 'utf8'), name).toBe(source);
        } else {
          expect(fn.catalog, name).toBe(false);
          expect(environment.COMEBACK_CATALOG_FILE, name).toBeUndefined();
          expect(existsSync(bundled), name).toBe(false);
        }
      }
      expect(CATALOG_FILE).toBe('/var/task/catalog.json');
    });
  });

  describe('the nightly recompute and monitoring', () => {
    it('runs the nightly recompute in the nightly state machine with 15 minutes per step and the metric settings of its handler', () => {
      const { analytics, nightly } = built.stacks.api;
      const fnArn = { 'Fn::GetAtt': [logicalId(analytics.recompute.function), 'Arn'] };
      const resources = api.toJSON().Resources as Record<string, Resource>;
      expect((resources[logicalId(nightly.stateMachine)]?.Properties?.DefinitionSubstitutions as Record<string, unknown>).NightlyRecomputeFunctionArn).toEqual(fnArn);
      // Its failed executions alarm, as every state machine's of the stack.
      expect(Object.keys(resourcesOfType(api, 'AWS::CloudWatch::Alarm')).some((id) => id.includes('NightlyStateMachineExecutionsFailed'))).toBe(true);
      const properties = resources[logicalId(analytics.recompute.function)]?.Properties ?? {};
      expect(properties.Timeout).toBe(900);
      const environment = environmentOf(api, analytics.recompute);
      expect(environment.POWERTOOLS_METRICS_DISABLED).toBeUndefined();
      expect(environment.COMEBACK_RECOMPUTE_SETTINGS).toBeUndefined();
    });

    it('gives the nightly recompute the journeys capability and the rules file, as segment entries start win-back, and nothing that sends', () => {
      const { analytics, journeys } = built.stacks.api;
      const environment = environmentOf(api, analytics.recompute);
      expect(Object.keys(environment).sort()).toEqual(
        ['TABLE_NAME', ...STATE_MACHINE_VARIABLES, 'COMEBACK_HOLDOUT_SHARE', 'COMEBACK_SHOP_URL', 'COMEBACK_SUPPORT_CONTACT', 'COMEBACK_CATALOG_FILE'].sort(),
      );
      expect(environment).toMatchObject({ COMEBACK_HOLDOUT_SHARE: '0.1', COMEBACK_SHOP_URL: 'https://shop.example.com', COMEBACK_SUPPORT_CONTACT: 'help@example.com' });
      for (const journey of stateMachineJourneys) {
        expect(environment[stateMachineArnVariable(journey)]).toEqual({ Ref: logicalId(journeys.stateMachine(journey)) });
      }
      const statements = policyStatementsOf(api, logicalId(analytics.recompute.role));
      expect([...new Set(actionsOf(statements))].sort()).toEqual(
        ['logs:CreateLogStream', 'logs:PutLogEvents', ...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS, TABLE_SCAN_ACTION, 'states:StartExecution', 'states:StopExecution'].sort(),
      );
      const start = statements.filter((statement) => actionsOf([statement]).includes('states:StartExecution'));
      expect(start).toEqual([expect.objectContaining({ Action: 'states:StartExecution' })]);
      expect(start[0]!.Resource).toEqual(expect.arrayContaining(stateMachineJourneys.map((journey) => ({ Ref: logicalId(journeys.stateMachine(journey)) }))));
      expect(start[0]!.Resource).toHaveLength(stateMachineJourneys.length);
      // The function is created after its permissions, so no cold start runs without them.
      const resources = api.toJSON().Resources as Record<string, Resource>;
      const policy = analytics.recompute.node.findChild('JourneysPolicy') as IConstruct;
      expect(resources[logicalId(analytics.recompute.function)]?.DependsOn).toEqual(expect.arrayContaining([logicalId(policy)]));
    });

    it('shows the headline metrics of functions/adapters/cloudwatch-metrics.ts on the dashboard', () => {
      const source = readFileSync(join(projectRoot, 'functions/adapters/cloudwatch-metrics.ts'), 'utf8');
      expect(source).toContain(`const SERVICE = '${METRICS_SERVICE}';`);
      api.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const [dashboard] = Object.values(resourcesOfType(api, 'AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
      for (const name of Object.values(HEADLINE_METRICS).flat()) {
        expect(source, `${name} is published by the recompute`).toContain(`['${name}',`);
        expect(body, `${name} is on the dashboard`).toContain(name);
      }
      expect(body).toContain('Comeback');
    });

    it('alarms on failed journeys, API 5xx, background function errors, segment events and SES reputation', () => {
      const { journeys, analytics, loyalty, monitoring } = built.stacks.api;
      const alarms = resourcesOfType(api, 'AWS::CloudWatch::Alarm');
      const summary = Object.values(alarms).map((alarm) => {
        const p = alarm.Properties ?? {};
        return { metric: `${String(p.Namespace)}/${String(p.MetricName)}`, threshold: p.Threshold, dimensions: JSON.stringify(p.Dimensions ?? []), period: p.Period, statistic: p.Statistic };
      });
      const expected = [
        { metric: 'AWS/ApiGateway/5xx', threshold: 5, on: logicalId(built.stacks.api.api.httpApi) },
        ...stateMachineJourneys.map((journey) => ({ metric: 'AWS/States/ExecutionsFailed', threshold: 1, on: logicalId(journeys.stateMachine(journey)) })),
        { metric: 'AWS/Lambda/Errors', threshold: 5, on: logicalId(journeys.step.function) },
        { metric: 'AWS/Lambda/Errors', threshold: 1, on: logicalId(journeys.sweep.function) },
        { metric: 'AWS/Lambda/Errors', threshold: 1, on: logicalId(analytics.recompute.function) },
        { metric: 'AWS/Lambda/Errors', threshold: 1, on: logicalId(loyalty.dispatch.function) },
        { metric: 'AWS/Lambda/Errors', threshold: 1, on: logicalId(loyalty.sweep.function) },
        { metric: 'AWS/Lambda/Errors', threshold: 1, on: logicalId(loyalty.coPurchase.function) },
        { metric: 'Comeback/FailedSegmentEvents', threshold: 1, on: METRICS_SERVICE },
        { metric: 'AWS/SES/Reputation.BounceRate', threshold: 0.04, on: '[]' },
        { metric: 'AWS/SES/Reputation.ComplaintRate', threshold: 0.0008, on: '[]' },
        { metric: 'AWS/Lambda/Errors', threshold: 5, on: logicalId(built.stacks.api.deliveryFeedback.receiver.function) },
        { metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible', threshold: 1, on: logicalId(built.stacks.api.deliveryFeedback.deadLetterQueue) },
      ];
      // Besides: the configuration set's bounce and complaint rates (see the delivery feedback tests)
      // and the alarms every function, state machine and queue gets (the next test); all of them the monitoring's.
      expect(summary).toHaveLength(monitoring.alarms.size);
      for (const alarm of expected) {
        expect(summary.filter((candidate) => candidate.metric === alarm.metric && candidate.threshold === alarm.threshold && candidate.dimensions.includes(alarm.on)), `${alarm.metric} on ${alarm.on}`).toHaveLength(1);
      }
      const topic = { Ref: logicalId(monitoring.alarmTopic) };
      for (const alarm of Object.values(alarms)) {
        expect(alarm.Properties).toMatchObject({
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [topic],
          OKActions: [topic],
        });
        expect(String(alarm.Properties?.AlarmDescription).length).toBeGreaterThan(40);
      }
    });

    it('alarms on every function\'s errors, duration above 80% of its timeout and failed invocations, every state machine\'s failures, throttles and the SES quota', () => {
      const { monitoring } = built.stacks.api;
      const functions = built.app.node.findAll().filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction);
      const resources = api.toJSON().Resources as Record<string, Resource>;
      const alarmOf = (id: string) => {
        const alarm = monitoring.alarms.get(id);
        expect(alarm, id).toBeDefined();
        return resources[logicalId(alarm!)]!.Properties!;
      };
      const onFunction = (fn: ComebackFunction) => [{ Name: 'FunctionName', Value: { Ref: logicalId(fn.function) } }];
      type MathAlarm = { Metrics: { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: unknown } } }[]; Threshold: number };
      const grouped = (prefix: string) =>
        [...monitoring.alarms.keys()].filter((id) => new RegExp(`^${prefix}\\d+$`).test(id)).map((id) => alarmOf(id) as unknown as MathAlarm);
      /** Each metric of the grouped alarms, with the term of the expression it appears in. */
      const members = (alarms: MathAlarm[], metricName: string) =>
        alarms.flatMap((alarm) => {
          const expression = alarm.Metrics.find((metric) => metric.Expression)!.Expression!;
          return alarm.Metrics.filter((metric) => metric.MetricStat?.Metric.MetricName === metricName).map((metric) => ({
            dimensions: JSON.stringify(metric.MetricStat!.Metric.Dimensions),
            term: new RegExp(`FILL\\(${metric.Id}, 0\\)( / \\d+)?`).exec(expression)?.[0],
          }));
        });
      const durations = members(grouped('FunctionsNearTimeout'), 'Duration');
      const errors = members(grouped('FunctionErrors'), 'Errors');
      for (const alarm of grouped('FunctionsNearTimeout')) expect(alarm.Threshold).toBe(DURATION_ALARM_SHARE);
      for (const alarm of [...grouped('FunctionErrors'), ...grouped('FailedInvocations')]) expect(alarm.Threshold).toBe(1);
      for (const fn of functions) {
        const timeoutSeconds = resources[logicalId(fn.function)]!.Properties!.Timeout as number;
        const dimensions = JSON.stringify(onFunction(fn));
        // Its longest run over its own timeout, in exactly one alarm.
        expect(durations.filter((member) => member.dimensions === dimensions).map((member) => member.term?.replace(/^FILL\(\w+, 0\)/, '')), fn.node.path).toEqual([` / ${timeoutSeconds * 1000}`]);
        // Errors: an alarm of its own (the previous test) or one of the grouped ones, never none and never both.
        const own = Object.values(resourcesOfType(api, 'AWS::CloudWatch::Alarm')).filter(
          (alarm) => alarm.Properties?.MetricName === 'Errors' && JSON.stringify(alarm.Properties.Dimensions) === dimensions,
        );
        expect(own.length + errors.filter((member) => member.dimensions === dimensions && member.term).length, fn.node.path).toBe(1);
      }
      const queues = functions.flatMap((fn) => (fn.failedInvocationQueue ? [fn.failedInvocationQueue] : []));
      const queued = members(grouped('FailedInvocations'), 'ApproximateNumberOfMessagesVisible');
      expect(queued.map((member) => member.dimensions).sort()).toEqual(queues.map((queue) => JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }])).sort());
      expect(queued.every((member) => member.term)).toBe(true);
      // The import state machine's failures, beside the journeys' of the previous test.
      expect(alarmOf('ImportsStateMachineExecutionsFailed')).toMatchObject({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Threshold: 1 });
      // Throttling that lasts half an hour on a capped function; any throttle of another.
      const capped = functions.filter((fn) => fn.concurrencyReason !== undefined);
      for (const fn of capped) {
        expect(alarmOf(`${alarmIdOf(fn)}Throttled`)).toMatchObject({ MetricName: 'Throttles', Threshold: 1, EvaluationPeriods: 6, DatapointsToAlarm: 6, Dimensions: onFunction(fn) });
      }
      const account = alarmOf('AccountThrottles') as unknown as MathAlarm;
      expect(account.Threshold).toBe(1);
      expect(account.Metrics.find((metric) => metric.Id === 'account')?.MetricStat?.Metric).toEqual({ Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
      expect(account.Metrics.find((metric) => metric.Expression)?.Expression).toBe(['FILL(account, 0)', ...capped.map((_, index) => `FILL(capped${index}, 0)`)].join(' - '));
      // The SES sending quota: 80% of a day's and of a minute at the maximum rate.
      expect(alarmOf('SesDailySends')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Send', Statistic: 'Sum', Period: 86400, Threshold: DEFAULT_SES_QUOTA.perDay * 0.8 });
      expect(alarmOf('SesSendRate')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Send', Statistic: 'Sum', Period: 60, Threshold: Math.floor(DEFAULT_SES_QUOTA.perSecond * 60 * 0.8) });
    });

    it('encrypts the alarm topic with its own rotated key, usable by CloudWatch, and subscribes the alarm address', () => {
      const { monitoring, delivery } = built.stacks.api;
      const keyId = logicalId(monitoring.alarmKey);
      expect(keyId).not.toBe(logicalId(delivery.topicKey));
      api.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      api.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
      });
      api.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: { Ref: logicalId(monitoring.alarmTopic) }, Protocol: 'email', Endpoint: 'ops@example.com' });
    });
  });

  describe('asynchronous invocations and concurrency', () => {
    /** The functions a service invokes asynchronously: EventBridge rules, SNS topics, log subscriptions. */
    const asynchronous = () => {
      const permissions = Object.values(resourcesOfType(api, 'AWS::Lambda::Permission')).filter((permission) =>
        ['events.amazonaws.com', 'sns.amazonaws.com'].includes(String(permission.Properties?.Principal)) || /^logs\./.test(JSON.stringify(permission.Properties?.Principal)),
      );
      return built.app.node
        .findAll()
        .filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction)
        .filter((fn) => permissions.some((permission) => JSON.stringify(permission.Properties?.FunctionName).includes(`"${logicalId(fn.function)}"`)));
    };
    const scheduled = () => {
      const rules = Object.values(resourcesOfType(api, 'AWS::Events::Rule')).filter((rule) => rule.Properties?.ScheduleExpression !== undefined);
      return { rules, functions: asynchronous().filter((fn) => rules.some((rule) => JSON.stringify(rule.Properties?.Targets).includes(`"${logicalId(fn.function)}"`))) };
    };

    it('sends every asynchronously invoked function\'s failed events to an encrypted queue of its own, refusing plain HTTP', () => {
      const functions = asynchronous();
      expect(functions.map((fn) => fn.node.path)).toEqual(expect.arrayContaining(['ComebackApi/Loyalty/Dispatch', 'ComebackApi/Journeys/ExecutionEnded', 'ComebackApi/SmsInbound/Receiver', 'ComebackApi/DeliveryFeedback/Receiver']));
      const configs = Object.values(resourcesOfType(api, 'AWS::Lambda::EventInvokeConfig'));
      const queues = resourcesOfType(api, 'AWS::SQS::Queue');
      for (const fn of functions) {
        const queue = fn.failedInvocationQueue;
        expect(queue, fn.node.path).toBeDefined();
        expect(fn.asynchronousInvocation?.reason.length, fn.node.path).toBeGreaterThan(20);
        const [config] = configs.filter((candidate) => JSON.stringify(candidate.Properties?.FunctionName) === JSON.stringify({ Ref: logicalId(fn.function) }));
        expect(config?.Properties, fn.node.path).toMatchObject({ Qualifier: '$LATEST', DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(queue!), 'Arn'] } } } });
        expect(queues[logicalId(queue!)]?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
        const policies = Object.values(resourcesOfType(api, 'AWS::SQS::QueuePolicy')).filter((policy) => JSON.stringify(policy.Properties?.Queues).includes(`"${logicalId(queue!)}"`));
        expect(JSON.stringify(policies.map((policy) => policy.Properties?.PolicyDocument)), fn.node.path).toContain('"aws:SecureTransport":"false"');
        expect(actionsOf(policyStatementsOf(api, logicalId(fn.role))), fn.node.path).toContain('sqs:SendMessage');
      }
      // Functions invoked only synchronously (API routes, state machine tasks) have none.
      expect(configs).toHaveLength(functions.length);
    });

    it('never retries a scheduled run blindly: no Lambda retry, a bounded age, and the undeliverable event in the same queue', () => {
      const { rules, functions } = scheduled();
      // The nightly work's functions are invoked by its state machine, synchronously: no rule invokes them.
      const { analytics, journeys, loyalty } = built.stacks.api;
      expect(functions.map((fn) => fn.node.path)).toEqual(expect.arrayContaining([loyalty.dispatch.node.path]));
      for (const fn of [analytics.recompute, journeys.sweep, loyalty.sweep, loyalty.coPurchase]) expect(functions, fn.node.path).not.toContain(fn);
      const configs = Object.values(resourcesOfType(api, 'AWS::Lambda::EventInvokeConfig'));
      for (const fn of functions) {
        const [config] = configs.filter((candidate) => JSON.stringify(candidate.Properties?.FunctionName) === JSON.stringify({ Ref: logicalId(fn.function) }));
        expect(config?.Properties?.MaximumRetryAttempts, fn.node.path).toBe(0);
        expect(config?.Properties?.MaximumEventAgeInSeconds as number).toBeLessThanOrEqual(3600);
        const targets = rules.flatMap((rule) => rule.Properties?.Targets as { Arn: unknown; DeadLetterConfig?: unknown }[]).filter((target) => JSON.stringify(target.Arn).includes(`"${logicalId(fn.function)}"`));
        for (const target of targets) expect(target.DeadLetterConfig, fn.node.path).toEqual({ Arn: { 'Fn::GetAtt': [logicalId(fn.failedInvocationQueue!), 'Arn'] } });
      }
    });

    it('caps the concurrency of the functions whose bursts could starve the webhooks, each with its reason, leaving the account most of its concurrency', () => {
      const functions = built.app.node.findAll().filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction);
      const resources = api.toJSON().Resources as Record<string, Resource>;
      const limits = Object.fromEntries(
        functions
          .map((fn) => [fn.node.path, resources[logicalId(fn.function)]?.Properties?.ReservedConcurrentExecutions] as const)
          .filter(([, limit]) => limit !== undefined),
      );
      expect(limits).toEqual({ 'ComebackApi/Journeys/Step': 50, 'ComebackApi/DeliveryFeedback/Receiver': 10 });
      for (const fn of functions) expect(fn.concurrencyReason !== undefined, fn.node.path).toBe(limits[fn.node.path] !== undefined);
      // The webhooks are never capped: they take what the account has left.
      for (const id of ['RecordPurchase', 'ShopifyOrder', 'WooCommerceOrder']) expect(resources[logicalId(built.stacks.api.functions.get(id)!.function)]?.Properties?.ReservedConcurrentExecutions, id).toBeUndefined();
      // The journey definitions wait and retry a throttled step instead of failing the execution.
      for (const journey of stateMachineJourneys) expect(readFileSync(join(projectRoot, journeyDefinitionFile(journey)), 'utf8'), journey).toContain('Lambda.TooManyRequestsException');
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    it('reports no error and no warning that is not acknowledged', () => {
      expect(nagFindings(built.app)).toEqual([]);
    });

    it('lets the synth pass with the pack registered as bin/cdk.ts registers it', () => {
      expect(() => synthWithChecks(built)).not.toThrow();
    });

    it('has only the acknowledgements below, each with its reason', () => {
      const acknowledged = acknowledgements(built.app);
      expect(acknowledged.map(({ id, path }) => `${id} ${path}`).sort()).toEqual(expectedAcknowledgements({ tracing: false, stacks: built.stacks }).sort());
      for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(60);
    });

    it('gives the reasons that the rules call for', () => {
      const reasons = (prefix: string) => acknowledgements(built.app).filter(({ id }) => id.startsWith(prefix)).map(({ reason }) => reason);
      for (const reason of reasons('AwsSolutions-SF1')) expect(reason).toMatch(/ERROR.*execution data/);
      for (const reason of reasons('AwsSolutions-SF2')) expect(reason).toMatch(/comeback:tracing/);
      const journeyExecutions = acknowledgements(built.app).filter(({ id, path }) => id.startsWith('AwsSolutions-IAM5[Resource::arn') && id.includes(':execution:') && !path.includes('/Imports/') && !path.includes('/Nightly/'));
      for (const { reason } of journeyExecutions) expect(reason).toMatch(/StopExecution.*entry ids/);
      const logStreams = acknowledgements(built.app).filter(({ path }) => path.endsWith('DeliveryFeedback/SmsStatusPolicy'));
      expect(logStreams).toHaveLength(2);
      for (const { reason } of logStreams) expect(reason).toMatch(/log stream.*these two log groups only/);
      const wildcards = acknowledgements(built.app).filter(({ id }) => id === 'AwsSolutions-IAM5[Resource::*]');
      const wildcardReason = (path: string) => (path.endsWith('DeliveryPolicy') ? /SMS.*phone number.*aws:RequestedRegion/ : path.includes('ComebackConsole/') ? /CloudFront invalidations.*CDK deployment function/ : /log delivery/);
      for (const { path, reason } of wildcards) expect(reason, path).toMatch(wildcardReason(path));
      const unsubscribe = acknowledgements(built.app).find(({ id, path }) => id === 'AwsSolutions-APIG4' && path.endsWith('/Unsubscribe'));
      expect(unsubscribe?.reason).toMatch(/signed unsubscribe token/);
    });

    it('leaves no error annotation, and no AwsSolutions warning, on either stack', () => {
      for (const stack of [built.stacks.data, built.stacks.api]) {
        const annotations = Annotations.fromStack(stack);
        expect(annotations.findError('*', Match.anyValue())).toEqual([]);
        expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      }
    });
  });
});

describe('the Comeback app with X-Ray tracing', () => {
  let built: Built;

  beforeAll(() => {
    // The bundles are checked above; here only the templates matter.
    built = build({ tracing: true, bundle: false });
  });

  afterAll(() => {
    if (built) rmSync(built.outdir, { recursive: true, force: true });
  });

  it('traces every function and state machine actively, and only the X-Ray wildcards are acknowledged on top', () => {
    const api = templateOf(built, built.stacks.api);
    const functions = Object.values(api.findResources('AWS::Lambda::Function') as Record<string, Resource>);
    expect(functions).toHaveLength(apiRoutes.length + BACKGROUND_FUNCTIONS.length);
    for (const fn of functions) expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    for (const machine of Object.values(api.findResources('AWS::StepFunctions::StateMachine') as Record<string, Resource>)) {
      expect(machine.Properties?.TracingConfiguration).toEqual({ Enabled: true });
    }
    expect(nagFindings(built.app)).toEqual([]);
    expect(() => synthWithChecks(built)).not.toThrow();
    const acknowledged = acknowledgements(built.app);
    expect(acknowledged.map(({ id, path }) => `${id} ${path}`).sort()).toEqual(expectedAcknowledgements({ tracing: true, stacks: built.stacks }).sort());
    const functionRoles = [...functionsOf(built.stacks).values()].map((fn) => fn.role.node.path);
    const xray = acknowledged.filter(({ path }) => functionRoles.includes(path));
    expect(xray).toHaveLength(functionRoles.length);
    for (const { reason } of xray) expect(reason).toMatch(/X-Ray/);
    for (const { reason } of acknowledged.filter(({ path }) => path.endsWith('StateMachine/Role'))) expect(reason).toMatch(/X-Ray/);
  });
});

describe('the store settings', () => {
  /** Builds the stacks without bundling or synthesizing; enough to see what the settings become. */
  const construct = (overrides: Partial<ComebackStacksOptions> = {}) =>
    createComebackStacks(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } }), {
      ...storeSettings,
      ...overrides,
      journeys: { ...storeSettings.journeys, ...overrides.journeys },
      delivery: { ...storeSettings.delivery, ...overrides.delivery },
    });

  it('refuses settings the deployment could not work with', () => {
    expect(() => construct({ journeys: { ...storeSettings.journeys, holdoutShare: 0.6 } })).toThrow(/holdout share must be between 0 and 0.5/);
    expect(() => construct({ journeys: { ...storeSettings.journeys, shopUrl: 'shop.example.com' } })).toThrow(/shop URL/);
    expect(() => construct({ journeys: { ...storeSettings.journeys, supportContact: '  ' } })).toThrow(/support contact/);
    expect(() => construct({ delivery: { emailFrom: 'Example Shop' } })).toThrow(/email sender must be an address/);
    expect(() => construct({ delivery: { emailFrom: 'hello@example.com', emailIdentity: 'example.org' } })).toThrow(/does not cover the sender/);
    expect(() => construct({ delivery: { emailFrom: 'hello@example.com', publicUrl: 'http://api.example.com' } })).toThrow(/public URL must be an https URL/);
    expect(() => construct({ recomputeSettings: '{not json' })).toThrow(/not valid JSON/);
  });

  it('refers to an existing SES identity by name, and takes the public URL, holdout share and recompute rules as given', () => {
    const stacks = construct({
      journeys: { ...storeSettings.journeys, holdoutShare: 0.2 },
      delivery: {
        emailFrom: 'hello@shop.example.com',
        emailIdentity: 'hello@shop.example.com',
        createEmailIdentity: false,
        publicUrl: 'https://api.shop.example.com',
        managerEmail: undefined,
      },
      recomputeSettings: '{}',
      alarmEmail: '',
    });
    const api = Template.fromStack(stacks.api);
    api.resourceCountIs('AWS::SES::EmailIdentity', 0);
    // No manager address: no email subscription (the inbound SMS function's subscription stays).
    expect(Object.values(resourcesOfType(api, 'AWS::SNS::Subscription')).filter((subscription) => subscription.Properties?.Protocol === 'email')).toEqual([]);
    expect(Object.keys(api.toJSON().Outputs as Record<string, unknown>).filter((id) => id.includes('Dkim'))).toEqual([]);
    const step = environmentOf(api, stacks.api.journeys.step);
    expect(step).toMatchObject({ COMEBACK_PUBLIC_URL: 'https://api.shop.example.com', COMEBACK_HOLDOUT_SHARE: '0.2', COMEBACK_EMAIL_FROM: 'hello@shop.example.com' });
    expect(environmentOf(api, stacks.api.analytics.recompute).COMEBACK_RECOMPUTE_SETTINGS).toBe('{}');
    const ses = policyStatementsOf(api, logicalId(stacks.api.journeys.step.role)).find((statement) => statement.Action === 'ses:SendEmail');
    expect(ses?.Resource).toHaveLength(2);
    expect(JSON.stringify(ses?.Resource)).toContain(':identity/hello@shop.example.com');
  });

  it('reads the store\'s platform every night with a Shopify storefront, and gives the platform order settings to the functions that map orders', () => {
    const platformSettings = { defaultCountry: 'UA', shopifyCountedStatuses: ['paid'], wooCommerceMarketingConsent: 'email' };
    const stacks = construct({
      delivery: { ...storeSettings.delivery, storefront: { kind: 'shopify', shopifyStoreDomain: 'paws.myshopify.com' } },
      platformSettings,
      syncDays: 5,
    });
    const api = Template.fromStack(stacks.api);
    const sync = stacks.api.sync!;
    expect(sync).toBeDefined();
    const platformEnvironment = { COMEBACK_DEFAULT_COUNTRY: 'UA', COMEBACK_SHOPIFY_COUNTED_STATUSES: 'paid', COMEBACK_WOOCOMMERCE_MARKETING_CONSENT: 'email' };
    for (const id of ['ShopifyOrder', 'WooCommerceOrder', 'SyncPlatform']) expect(environmentOf(api, stacks.api.functions.get(id)!), id).toMatchObject(platformEnvironment);
    expect(environmentOf(api, stacks.api.functions.get('GetCustomer')!).COMEBACK_DEFAULT_COUNTRY).toBeUndefined();
    expect(environmentOf(api, sync.function)).toMatchObject({ ...platformEnvironment, COMEBACK_SYNC_DAYS: '5', COMEBACK_STOREFRONT: 'shopify', COMEBACK_SHOPIFY_STORE_DOMAIN: 'paws.myshopify.com' });
    api.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 1 * * ? *)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(sync.function.function), 'Arn'] } })] });
    // Least privilege: the storefront's secret, and no Scan.
    const statements = JSON.stringify(policyStatementsOf(api, logicalId(sync.function.role)));
    expect(statements).toContain('secretsmanager:GetSecretValue');
    expect(statements).not.toContain('dynamodb:Scan');
    expect(nagFindings(stacks.api)).toEqual([]);

    expect(() => construct({ platformSettings: { defaultCountry: 'Ukraine' } })).toThrow(/default country/);
    expect(() => construct({ platformSettings: { shopifyCountedStatuses: ['settled'] } })).toThrow(/counted statuses/);
    expect(() => construct({ delivery: { ...storeSettings.delivery, storefront: { kind: 'woocommerce', wooCommerceUrl: 'https://shop.example.com' } }, syncDays: 90 })).toThrow(/sync days/);
  }, 300_000);

  it("names the shop on the customers' pages as the store sets it", () => {
    const stacks = construct({ shopName: '  Paws & Co ' });
    const api = Template.fromStack(stacks.api);
    for (const id of ['UnsubscribePage', 'Unsubscribe', 'FeedbackPage', 'RecordFeedback']) {
      expect(environmentOf(api, stacks.api.functions.get(id)!), id).toMatchObject({ COMEBACK_SHOP_NAME: 'Paws & Co', COMEBACK_SHOP_URL: 'https://shop.example.com' });
    }
    expect(environmentOf(api, stacks.api.functions.get('GetCustomer')!).COMEBACK_SHOP_NAME).toBeUndefined();
    expect(() => construct({ shopName: '   ' })).toThrow(/shop name must be 1 to 100 characters/);
  });

  it('stops bin/cdk.ts with the names of the settings it needs', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'comeback-cli-'));
    try {
      const run = spawnSync(process.execPath, [join(projectRoot, 'bin/cdk.ts')], {
        cwd: projectRoot,
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ 'comeback:shopUrl': 'https://shop.example.com' }), CDK_OUTDIR: outdir },
        encoding: 'utf8',
      });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('Missing: comeback:supportContact, comeback:emailFrom');
      expect(readdirSync(outdir)).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
