/**
 * The deployed infrastructure, checked offline. The app is built and synthesized in-process once,
 * with the context of cdk.json and the real esbuild bundles, then its templates are asserted and
 * cdk-nag's AwsSolutions pack is run over it.
 *
 * cdk-nag 3 is a policy validation plugin: its findings are not construct annotations but
 * violations in the validation report, so they are read from the pack itself (validateScope),
 * and a synth with the pack registered fails on any finding that is not acknowledged.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GSI1, GSI2, TTL_ATTRIBUTE, tableDefinition } from '../../functions/adapters/table-design.ts';
import { createComebackStacks, type ComebackStacks } from '../../lib/cdk/comeback-app.ts';
import { TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../lib/cdk/comeback-data.ts';
import { projectRoot } from '../../lib/cdk/comeback-function.ts';
import { apiRoutes, type SecretName } from '../../lib/routes.ts';

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const cdkContext = (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const secretNames: SecretName[] = [...new Set(apiRoutes.flatMap((route) => route.secrets))];

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
    const stacks = createComebackStacks(app, { tracing: options.tracing });
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

describe('the Comeback app, as deployed', () => {
  let built: Built;
  let data: Template;
  let api: Template;

  beforeAll(() => {
    built = build({ tracing: false, bundle: true });
    data = templateOf(built, built.stacks.data);
    api = templateOf(built, built.stacks.api);
  });

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
      });
    });

    it('declares exactly the global secondary indexes of the table design', () => {
      const [table] = Object.values(data.findResources('AWS::DynamoDB::Table') as Record<string, Resource>);
      const indexes = table?.Properties?.GlobalSecondaryIndexes as { IndexName: string }[];
      expect(indexes.map((index) => index.IndexName).sort()).toEqual([GSI1, GSI2].sort());
      expect(indexes).toEqual(
        (definition.GlobalSecondaryIndexes ?? []).map((index) => ({
          IndexName: index.IndexName,
          KeySchema: index.KeySchema?.map((key) => ({ AttributeName: key.AttributeName, KeyType: key.KeyType })),
          Projection: { ProjectionType: index.Projection?.ProjectionType },
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
      api.resourceCountIs('AWS::Lambda::Function', apiRoutes.length);
      const functions = api.findResources('AWS::Lambda::Function') as Record<string, Resource>;
      for (const route of apiRoutes) {
        const fn = built.stacks.api.functions.get(route.id)!;
        const properties = functions[logicalId(fn.function)]?.Properties ?? {};
        expect(properties.Runtime).toBe('nodejs24.x');
        expect(properties.Architectures).toEqual(['arm64']);
        expect(properties.Handler).toBe('index.handler');
        expect(properties.TracingConfig).toBeUndefined();
        const environment = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(environment.TABLE_NAME, `TABLE_NAME of ${route.id}`).toBeDefined();
        expect(Object.keys(environment).filter((name) => name.endsWith('_ARN')).sort()).toEqual(route.secrets.map((name) => `${name}_ARN`).sort());
        for (const name of route.secrets) expect(environment[`${name}_ARN`]).toEqual({ Ref: logicalId(built.stacks.api.secrets.get(name)!.secret) });
        // Local-only settings and secret values never reach AWS.
        expect(environment.DYNAMODB_ENDPOINT).toBeUndefined();
        for (const name of secretNames) expect(environment[name]).toBeUndefined();
      }
    });

    it('bundles each handler as a minified ES module with a source map', () => {
      const functions = api.findResources('AWS::Lambda::Function') as Record<string, Resource>;
      for (const properties of Object.values(functions).map((fn) => fn.Properties ?? {})) {
        const key = (properties.Code as { S3Key: string }).S3Key;
        const assetDir = join(built.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
        const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
        expect(bundle.startsWith("import { createRequire as comebackCreateRequire } from 'node:module';")).toBe(true);
        expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
        expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
        expect((properties.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      }
    });

    it('gives each function its own log group with a retention, written through its own role', () => {
      for (const route of apiRoutes) {
        const fn = built.stacks.api.functions.get(route.id)!;
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

    it('generates one secret per secret name, readable only by the functions whose route lists it', () => {
      api.resourceCountIs('AWS::SecretsManager::Secret', secretNames.length);
      for (const name of secretNames) {
        const secret = built.stacks.api.secrets.get(name)!;
        const secretId = logicalId(secret.secret);
        const properties = (api.toJSON().Resources as Record<string, Resource>)[secretId]?.Properties ?? {};
        expect(properties.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
        expect(properties.SecretString).toBeUndefined();

        const readers = apiRoutes
          .filter((route) =>
            policyStatementsOf(api, logicalId(built.stacks.api.functions.get(route.id)!.role)).some(
              (statement) => actionsOf([statement]).includes('secretsmanager:GetSecretValue') && JSON.stringify(statement.Resource).includes(`"${secretId}"`),
            ),
          )
          .map((route) => route.id);
        expect(readers.sort(), `readers of ${name}`).toEqual(apiRoutes.filter((route) => route.secrets.includes(name)).map((route) => route.id).sort());
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

    it('outputs the API URL and the secret ARNs, never a secret value', () => {
      api.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
      for (const name of secretNames) {
        api.hasOutput(`${name.replace(/_/g, '')}ARN`, { Value: { Ref: logicalId(built.stacks.api.secrets.get(name)!.secret) } });
      }
      const outputs = JSON.stringify(api.toJSON().Outputs);
      expect(outputs).not.toMatch(/SecretString|secretsmanager:|resolve:secretsmanager/);
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
      expect(acknowledged.map(({ id, path }) => `${id} ${path}`).sort()).toEqual(
        [
          ...apiRoutes.map((route) => `AwsSolutions-APIG4 ComebackApi/Api/${route.id}`),
          ...secretNames.map((name) => `AwsSolutions-SMG4 ComebackApi/${name}/Secret`),
        ].sort(),
      );
      for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(60);
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

  it('traces every function actively, and only the X-Ray wildcard is acknowledged on top', () => {
    const api = templateOf(built, built.stacks.api);
    const functions = Object.values(api.findResources('AWS::Lambda::Function') as Record<string, Resource>);
    expect(functions).toHaveLength(apiRoutes.length);
    for (const fn of functions) expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    expect(nagFindings(built.app)).toEqual([]);
    expect(() => synthWithChecks(built)).not.toThrow();
    const xray = acknowledgements(built.app).filter(({ id }) => id.startsWith('AwsSolutions-IAM5'));
    expect(xray.map(({ id, path }) => `${id} ${path}`).sort()).toEqual(apiRoutes.map((route) => `AwsSolutions-IAM5[Resource::*] ComebackApi/${route.id}/Role`).sort());
    for (const { reason } of xray) expect(reason).toMatch(/X-Ray/);
  });
});
