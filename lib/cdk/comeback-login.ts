/**
 * How owners and managers log in to the console on AWS: a Cognito user pool (no self sign-up, a
 * strong password and an authenticator app required), its groups `owners` and `managers`, the
 * console's app client (no secret; the authorization code flow with PKCE through Cognito's managed
 * login pages on the pool's domain) and the JWT authorizer that guards the admin routes with it.
 * Which group may call which route is decided in the handlers (functions/core/admin-access.ts),
 * from the claims the authorizer passes them.
 *
 * The app client's OAuth settings name the console's address, which exists only once the console's
 * distribution does, and the console stack comes after this one (it fronts this stack's API). So the
 * console stack turns the client's OAuth on with its own URL (`enableConsoleLogin`), with every other
 * setting of the client as declared here: one list of settings, so a change to it updates both.
 */
import { Aws, CfnOutput, CfnResource, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { adminGroups, type AdminGroup } from '../../functions/core/admin-access.ts';
import type { ComebackFunction } from './comeback-function.ts';

export interface ComebackLoginProps {
  /**
   * The prefix of the managed login domain, `<prefix>.auth.<region>.amazoncognito.com`; unique in
   * the region across every AWS account.
   * @default `<stack name, lower case>-<account id>`
   */
  readonly domainPrefix?: string;
}

/** The console's app client as Cognito's UpdateUserPoolClient and CloudFormation both name its settings, without OAuth. */
function clientSettings(userPoolId: string): Record<string, unknown> {
  return {
    UserPoolId: userPoolId,
    ClientName: 'comeback-console',
    // Only the managed login pages sign people in; the console refreshes nothing (a session lasts an hour).
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    SupportedIdentityProviders: ['COGNITO'],
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    RefreshTokenValidity: 1,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
  };
}

/** The OAuth settings of the console's client: the code flow (the console adds PKCE) back to the console. */
function oauthSettings(consoleUrl: string): Record<string, unknown> {
  return {
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    CallbackURLs: [consoleUrl],
    LogoutURLs: [consoleUrl],
  };
}

export class ComebackLogin extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly groups: Readonly<Record<AdminGroup, cognito.UserPoolGroup>>;
  public readonly domain: cognito.UserPoolDomain;
  /** The console's app client id (the audience of the authorizer). */
  public readonly clientId: string;
  /** The issuer of the pool's tokens: https://cognito-idp.<region>.amazonaws.com/<pool id>. */
  public readonly issuer: string;
  /** The managed login pages' base URL: https://<prefix>.auth.<region>.amazoncognito.com. */
  public readonly loginUrl: string;
  /** Verifies the access token on the admin routes: the pool's signature, issuer, client and expiry. */
  public readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: ComebackLoginProps = {}) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${Stack.of(this).stackName}-admins`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Managed login needs the Essentials plan.
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        "The Plus plan's threat protection is priced per active user; a store's handful of owners and managers sign in with a strong password and a required authenticator app, and the store can move the pool to Plus.",
    });
    const groups: Partial<Record<AdminGroup, cognito.UserPoolGroup>> = {};
    for (const group of adminGroups) {
      groups[group] = this.userPool.addGroup(group === 'owners' ? 'Owners' : 'Managers', {
        groupName: group,
        description: group === 'owners' ? 'Every admin route and console page.' : 'The task list and customers: search, profile, messages and points.',
      });
    }
    this.groups = groups as Record<AdminGroup, cognito.UserPoolGroup>;
    const stack = Stack.of(this);
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? Fn.join('-', [stack.stackName.toLowerCase(), Aws.ACCOUNT_ID]) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const client = new CfnResource(this, 'ConsoleClient', {
      type: 'AWS::Cognito::UserPoolClient',
      properties: { ...clientSettings(this.userPool.userPoolId), GenerateSecret: false },
    });
    this.clientId = client.ref;
    // Managed login shows its pages to a client only with a style; Cognito's own one.
    new cognito.CfnManagedLoginBranding(this, 'Branding', { userPoolId: this.userPool.userPoolId, clientId: this.clientId, useCognitoProvidedValues: true });
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    this.loginUrl = this.domain.baseUrl();
    this.authorizer = new HttpJwtAuthorizer('Cognito', this.issuer, { jwtAudience: [this.clientId], authorizerName: 'cognito' });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: "The console's users (aws cognito-idp admin-create-user --user-pool-id ...)." });
    new CfnOutput(this, 'UserPoolClientId', { value: this.clientId, description: "The console's app client." });
    new CfnOutput(this, 'LoginDomain', { value: this.loginUrl, description: 'The managed login pages the console sends people to.' });
  }

  /**
   * Sets what an admin function needs to check callers: Cognito login, and the issuer and client
   * a route without the authorizer verifies access tokens against.
   */
  public bindFunction(fn: ComebackFunction): void {
    fn.function.addEnvironment('COMEBACK_ADMIN_LOGIN', 'cognito');
    fn.function.addEnvironment('COMEBACK_COGNITO_ISSUER', this.issuer);
    fn.function.addEnvironment('COMEBACK_COGNITO_CLIENT_ID', this.clientId);
  }

  /**
   * Turns the console's client's OAuth on, with `consoleUrl` as its callback and sign-out URL, from
   * `scope` (in the console's stack). The call carries every setting of the client, since Cognito
   * replaces the whole client on an update; a changed setting changes the call, so it runs again.
   */
  public enableConsoleLogin(scope: Construct, consoleUrl: string): cr.AwsCustomResource {
    const update: cr.AwsSdkCall = {
      service: 'CognitoIdentityProvider',
      action: 'UpdateUserPoolClient',
      parameters: { ...clientSettings(this.userPool.userPoolId), ClientId: this.clientId, ...oauthSettings(consoleUrl) },
      physicalResourceId: cr.PhysicalResourceId.of(this.clientId),
      outputPaths: ['UserPoolClient.ClientId'],
    };
    return new cr.AwsCustomResource(scope, 'ConsoleLoginClient', {
      onCreate: update,
      onUpdate: update,
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.userPool.userPoolArn] }),
      installLatestAwsSdk: false,
    });
  }
}
