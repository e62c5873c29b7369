/**
 * The HTTP API (API Gateway v2): one `$default` stage, deployed automatically, with access logs
 * in JSON to its own log group and a default throttle for every route. Routes are added one by
 * one from the route table, each with its Lambda integration (payload format 2.0) and the
 * throttle of its kind: the storefront's webhooks apart from the admin routes and the pages
 * customers open, so a burst of one never uses up what the others need.
 */
import { Validations } from 'aws-cdk-lib';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiRoute } from '../routes.ts';

export interface ComebackHttpApiProps {
  /** @default 'comeback' */
  readonly apiName?: string;
  /**
   * The default throttle of every route (requests per second, and burst).
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: apigwv2.ThrottleSettings;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * The throttle of each kind of route, over the default.
   * @default routeThrottles
   */
  readonly routeThrottles?: Readonly<Record<RouteKind, apigwv2.ThrottleSettings>>;
}

/** Who calls a route: the storefront (webhooks), an admin, or anyone (customers' links, pages). */
export type RouteKind = 'webhook' | 'admin' | 'public';

/**
 * Webhooks get the most room (a sale or an import on the store's side sends bursts, and a refused
 * webhook is retried by the platform later), admin routes a little (people and scripts), pages
 * what a mail campaign's clicks need.
 */
export const routeThrottles: Readonly<Record<RouteKind, apigwv2.ThrottleSettings>> = {
  webhook: { rateLimit: 200, burstLimit: 400 },
  admin: { rateLimit: 20, burstLimit: 40 },
  public: { rateLimit: 50, burstLimit: 100 },
};

/** A route's kind, from the credential its handler checks (lib/routes.ts names it). */
export function routeKind(route: ApiRoute): RouteKind {
  const signedByStorefront = route.secrets.some((secret) => secret === 'COMEBACK_WEBHOOK_SECRET' || secret === 'COMEBACK_SHOPIFY_SECRET' || secret === 'COMEBACK_WOOCOMMERCE_SECRET');
  if (route.method === 'POST' && signedByStorefront) return 'webhook';
  if (route.secrets.includes('COMEBACK_ADMIN_TOKEN')) return 'admin';
  return 'public';
}

/** HTTP API access log fields, one JSON object per request. No headers, no body. */
const accessLogFields: Record<string, string> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integration.error',
  errorMessage: '$context.error.message',
};

export class ComebackHttpApi extends Construct {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;
  private readonly routeThrottles: Readonly<Record<RouteKind, apigwv2.ThrottleSettings>>;

  constructor(scope: Construct, id: string, props: ComebackHttpApiProps = {}) {
    super(scope, id);
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: props.apiName ?? 'comeback',
      description: 'Comeback: purchase webhooks and the customer API.',
      createDefaultStage: false,
    });
    this.routeThrottles = props.routeThrottles ?? routeThrottles;
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });
  }

  /** The base URL of the API, ending in a slash. */
  public get url(): string {
    return this.stage.url;
  }

  /**
   * Adds one route of the route table, behind `authorizer` when one is given (the admin routes on
   * AWS), and otherwise without an API Gateway authorizer. When the handler authenticates callers
   * itself, `authenticatedBy` says how, and is recorded as the reason for acknowledging the
   * AwsSolutions-APIG4 check on that route; without it the check reports the route.
   */
  public addRoute(route: ApiRoute, handler: lambda.IFunction, authenticatedBy?: string, authorizer?: apigwv2.IHttpRouteAuthorizer): apigwv2.HttpRoute {
    const httpRoute = new apigwv2.HttpRoute(this, route.id, {
      httpApi: this.httpApi,
      routeKey: apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]),
      integration: new HttpLambdaIntegration(`${route.id}Integration`, handler),
      ...(authorizer ? { authorizer } : {}),
    });
    // The L2 stage has no per-route settings; the CloudFormation stage has (RouteSettings by route key).
    const throttle = this.routeThrottles[routeKind(route)];
    (this.stage.node.defaultChild as CfnStage).addPropertyOverride(`RouteSettings.${route.method} ${route.path}`, {
      ThrottlingRateLimit: throttle.rateLimit,
      ThrottlingBurstLimit: throttle.burstLimit,
    });
    if (!authorizer && authenticatedBy && authenticatedBy.trim().length > 0) {
      Validations.of(httpRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${route.method} ${route.path} authenticates in its handler, not with an API Gateway authorizer: ${authenticatedBy}; any other request is answered 401.`,
      });
    }
    return httpRoute;
  }
}
