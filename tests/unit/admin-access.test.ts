/**
 * Who may call which admin route with a Cognito login (functions/core/admin-access.ts), and the
 * admin check of the handlers in that mode: the claims API Gateway's JWT authorizer passes, 401
 * without them, 403 problem+json for a group the route is not open to.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminGroups, groupsAllowed, groupsOfClaim, managerRouteKeys, mayCall } from '../../functions/core/admin-access.ts';
import { apiRoutes } from '../../lib/routes.ts';

const adminRoutes = apiRoutes.filter((route) => route.secrets.includes('COMEBACK_ADMIN_TOKEN'));
const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe('the admin access rule', () => {
  it('opens every admin route to owners', () => {
    for (const route of adminRoutes) expect(mayCall(routeKey(route), ['owners']), routeKey(route)).toBe(true);
  });

  it('opens to managers exactly the task list, completing a task, customer search, and a customer’s profile, messages and points', () => {
    const forManagers = adminRoutes.filter((route) => mayCall(routeKey(route), ['managers'])).map((route) => route.id);
    expect(forManagers.sort()).toEqual(['CompleteTask', 'GetCustomer', 'GetLoyaltyAccount', 'ListCustomerMessages', 'ListTasks', 'SearchCustomers']);
  });

  it('names only admin routes of the route table', () => {
    const keys = new Set(adminRoutes.map(routeKey));
    for (const key of managerRouteKeys) expect(keys.has(key), key).toBe(true);
  });

  it('refuses a user in no group, or only in a group it does not know', () => {
    expect(mayCall('GET /v1/tasks', [])).toBe(false);
    expect(mayCall('GET /v1/tasks', ['interns'])).toBe(false);
    expect(mayCall('GET /v1/metrics', ['managers'])).toBe(false);
    expect(mayCall('GET /v1/metrics', ['managers', 'owners'])).toBe(true);
    expect(groupsAllowed('GET /v1/tasks')).toEqual(adminGroups);
    expect(groupsAllowed('DELETE /v1/customers/{id}')).toEqual(['owners']);
  });

  it.each([
    [['owners', 'managers'], ['owners', 'managers']],
    ['[owners managers]', ['owners', 'managers']],
    ['[managers]', ['managers']],
    ['owners', ['owners']],
    ['[]', []],
    [undefined, []],
    [42, []],
  ])('reads the groups claim %j as %j', (claim, groups) => {
    expect(groupsOfClaim(claim)).toEqual(groups);
  });
});

function event(method: string, path: string, claims?: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: 'Bearer a-verified-access-token' },
    isBase64Encoded: false,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'test',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: 'test',
      timeEpoch: 0,
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
  };
}

describe('the admin check with Cognito login (COMEBACK_ADMIN_LOGIN=cognito)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  async function cognitoHandlers() {
    vi.resetModules();
    // A deployed admin function's environment: no admin token, the table's name; nothing is called.
    vi.stubEnv('COMEBACK_ADMIN_LOGIN', 'cognito');
    vi.stubEnv('COMEBACK_ADMIN_TOKEN', undefined);
    vi.stubEnv('TABLE_NAME', 'comeback');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const { requireAdminCaller } = await import('../../functions/handlers/admin.ts');
    const { handler: getMetrics } = await import('../../functions/handlers/get-metrics.ts');
    return { requireAdminCaller, getMetrics };
  }

  it('lets a manager through to the task list and an owner through to the metrics, by the authorizer’s claims', async () => {
    const { requireAdminCaller } = await cognitoHandlers();
    await expect(requireAdminCaller(event('GET', '/v1/tasks', { 'cognito:groups': '[managers]', sub: 'm' }) as never)).resolves.toBeUndefined();
    await expect(requireAdminCaller(event('GET', '/v1/metrics', { 'cognito:groups': '[owners]', sub: 'o' }) as never)).resolves.toBeUndefined();
  });

  it('answers a manager on GET /v1/metrics 403 problem+json, and a call without claims 401', async () => {
    const { getMetrics } = await cognitoHandlers();
    const context = { awsRequestId: 'test', functionName: 'test' } as Context;
    const forbidden = await getMetrics(event('GET', '/v1/metrics', { 'cognito:groups': '[managers]', sub: 'm' }) as never, context);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(forbidden.body ?? '')).toMatchObject({ status: 403, title: 'Forbidden', detail: 'GET /v1/metrics is not open to the groups managers' });
    const anonymous = await getMetrics(event('GET', '/v1/metrics') as never, context);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers?.['www-authenticate']).toBe('Bearer');
  });
});

describe('the OpenAPI document', () => {
  it('says the admin bearer token is the admin token locally and a Cognito access token on AWS', async () => {
    const { openApiDocument } = await import('../../lib/openapi.ts');
    const scheme = (openApiDocument() as { components: { securitySchemes: Record<string, { scheme: string; description: string }> } }).components.securitySchemes['adminToken']!;
    expect(scheme.scheme).toBe('bearer');
    expect(scheme.description).toMatch(/COMEBACK_ADMIN_TOKEN.*Cognito access token/);
  });
});
