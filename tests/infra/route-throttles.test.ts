/**
 * Per-route throttles on the HTTP API: the storefront's webhooks, the admin routes and the pages
 * customers open each have their own, so a burst of one does not starve the others.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { ComebackHttpApi, routeKind, routeThrottles } from '../../lib/cdk/comeback-http-api.ts';
import { apiRoutes } from '../../lib/routes.ts';

const route = (id: string) => apiRoutes.find((candidate) => candidate.id === id)!;

describe('route throttles', () => {
  it('knows every route’s kind from the credential it checks', () => {
    expect(routeKind(route('RecordPurchase'))).toBe('webhook');
    expect(routeKind(route('RecordRefund'))).toBe('webhook');
    expect(routeKind(route('GetCustomer'))).toBe('admin');
    expect(routeKind(route('Unsubscribe'))).toBe('public');
    // Signed by the storefront, but a read: not a webhook's burst.
    expect(routeKind(route('GetLoyaltyAccount'))).toBe('admin');
    expect(new Set(apiRoutes.map(routeKind))).toEqual(new Set(['webhook', 'admin', 'public']));
  });

  // The first synthesis of a file loads aws-cdk-lib's modules: slow on a busy machine, so in a hook.
  let stage: { Properties: { RouteSettings: Record<string, unknown>; DefaultRouteSettings: unknown } } | undefined;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Test');
    const api = new ComebackHttpApi(stack, 'Api');
    const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');
    const handler = new lambda.Function(stack, 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code });
    for (const id of ['RecordPurchase', 'GetCustomer', 'Unsubscribe']) api.addRoute(route(id), handler);
    [stage] = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Stage')) as NonNullable<typeof stage>[];
  });

  it('sets each route’s throttle on the stage, by its route key', () => {
    expect(stage!.Properties.RouteSettings).toEqual({
      'POST /v1/purchases': { ThrottlingRateLimit: routeThrottles.webhook.rateLimit, ThrottlingBurstLimit: routeThrottles.webhook.burstLimit },
      [`GET ${route('GetCustomer').path}`]: { ThrottlingRateLimit: routeThrottles.admin.rateLimit, ThrottlingBurstLimit: routeThrottles.admin.burstLimit },
      [`${route('Unsubscribe').method} ${route('Unsubscribe').path}`]: { ThrottlingRateLimit: routeThrottles.public.rateLimit, ThrottlingBurstLimit: routeThrottles.public.burstLimit },
    });
    expect(stage!.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
  });
});
