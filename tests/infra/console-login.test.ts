/**
 * Console login on AWS, synthesized with the whole app but without function bundles: the Cognito
 * user pool and its groups, the console's app client, the JWT authorizer on exactly the admin-only
 * routes, the admin functions' environment (Cognito login, no admin token anywhere), the outputs,
 * and the console stack's side: the client's OAuth turned on with the console's URL, config.json,
 * the security policy that lets the console exchange the code. cdk-nag's AwsSolutions pack finds
 * nothing unacknowledged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createComebackStacks, type ComebackStacks } from '../../lib/cdk/comeback-app.ts';
import { projectRoot } from '../../lib/cdk/comeback-function.ts';
import { adminOnly, apiRoutes } from '../../lib/routes.ts';

type Resource = { Type: string; Properties?: Record<string, unknown> };

const cdkContext = (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

let stacks: ComebackStacks;
let api: Template;
let consoleTemplate: Template;

function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return element.stack.getLogicalId(element);
}

beforeAll(() => {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  stacks = createComebackStacks(app, {
    journeys: { shopUrl: 'https://shop.example.com', supportContact: 'help@example.com' },
    delivery: { emailFrom: 'Example Shop <hello@example.com>' },
  });
  api = Template.fromStack(stacks.api);
  consoleTemplate = Template.fromStack(stacks.console);
});

describe('console login on AWS', () => {
  it('keeps owners and managers in a retained user pool with no self sign-up, a strong password and MFA required', () => {
    api.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }) },
        UsernameAttributes: ['email'],
      }),
    });
    const pool = { Ref: logicalId(stacks.api.login.userPool) };
    for (const group of ['owners', 'managers']) api.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group, UserPoolId: pool });
    api.resourceCountIs('AWS::Cognito::UserPoolGroup', 2);
  });

  it('gives the console an app client without a secret, and a managed login domain', () => {
    api.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false, ClientName: 'comeback-console', SupportedIdentityProviders: ['COGNITO'] });
    api.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    api.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
  });

  it('puts the JWT authorizer (issuer: the pool, audience: the console client) on every admin-only route and on no other', () => {
    const clientId = { Ref: logicalId(stacks.api.login.node.findChild('ConsoleClient')) };
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [clientId], Issuer: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
    });
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const [authorizerId] = Object.keys(api.findResources('AWS::ApiGatewayV2::Authorizer'));
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>);
    expect(routes).toHaveLength(apiRoutes.length);
    const byKey = new Map(routes.map((route) => [route.Properties?.RouteKey as string, route.Properties ?? {}]));
    for (const route of apiRoutes) {
      const properties = byKey.get(`${route.method} ${route.path}`)!;
      if (adminOnly(route)) expect(properties, route.id).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      else expect(properties.AuthorizationType ?? 'NONE', route.id).toBe('NONE');
    }
    expect(apiRoutes.filter(adminOnly).length).toBeGreaterThan(15);
    // The storefront signs these as well, so they take no authorizer; their handlers verify an admin's token.
    expect(apiRoutes.filter((route) => route.secrets.includes('COMEBACK_ADMIN_TOKEN') && !adminOnly(route)).map((route) => route.id).sort()).toEqual(['GetLoyaltyAccount', 'JoinLoyalty']);
  });

  it('tells every admin function to check a Cognito login, and gives no function an admin token', () => {
    const functions = api.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const clientId = logicalId(stacks.api.login.node.findChild('ConsoleClient'));
    const poolId = logicalId(stacks.api.login.userPool);
    for (const route of apiRoutes) {
      const fn = stacks.api.functions.get(route.id)!;
      const environment = (functions[logicalId(fn.function)]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(environment['COMEBACK_ADMIN_TOKEN_ARN'], route.id).toBeUndefined();
      if (route.secrets.includes('COMEBACK_ADMIN_TOKEN')) {
        expect(environment, route.id).toMatchObject({ COMEBACK_ADMIN_LOGIN: 'cognito', COMEBACK_COGNITO_CLIENT_ID: { Ref: clientId } });
        expect(JSON.stringify(environment['COMEBACK_COGNITO_ISSUER']), route.id).toContain(`"https://cognito-idp.",{"Ref":"AWS::Region"},".",{"Ref":"AWS::URLSuffix"},"/",{"Ref":"${poolId}"}`);
      } else {
        expect(environment['COMEBACK_ADMIN_LOGIN'], route.id).toBeUndefined();
      }
    }
    expect(stacks.api.secrets.has('COMEBACK_ADMIN_TOKEN')).toBe(false);
    expect(JSON.stringify(api.toJSON())).not.toContain('COMEBACK_ADMIN_TOKEN');
  });

  it('outputs the user pool, the app client and the login domain', () => {
    const outputs = Object.entries(api.toJSON().Outputs as Record<string, { Value: unknown }>);
    for (const name of ['UserPoolId', 'UserPoolClientId', 'LoginDomain']) expect(outputs.some(([id]) => id.startsWith('Login') && id.includes(name)), name).toBe(true);
  });

  it("turns the client's code flow on with the console's URL, writes config.json, and lets the console call the login domain", () => {
    consoleTemplate.hasResourceProperties('Custom::AWS', {
      Create: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('"action":"UpdateUserPoolClient"')])]) }),
    });
    const call = JSON.stringify(Object.values(consoleTemplate.findResources('Custom::AWS'))[0]);
    for (const setting of ['"AllowedOAuthFlows":["code"]', '"AllowedOAuthFlowsUserPoolClient":true', '"CallbackURLs":["https://', '"LogoutURLs":["https://', '"ExplicitAuthFlows":["ALLOW_REFRESH_TOKEN_AUTH"]', '"AccessTokenValidity":60']) {
      expect(call).toContain(setting.replace(/"/g, '\\"'));
    }
    consoleTemplate.hasResourceProperties('Custom::CDKBucketDeployment', { DistributionPaths: ['/index.html', '/config.json'] });
    const headers = JSON.stringify(consoleTemplate.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(headers).toMatch(/connect-src 'self' https:\/\/.*amazoncognito\.com/);
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(stacks.api.node.scope!)
      .violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? '?'}`));
    expect(findings).toEqual([]);
  });
});
