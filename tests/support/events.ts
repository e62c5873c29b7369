/** API Gateway HTTP API events for calling handlers directly, as API Gateway would. */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { signComebackPayload, signPlatformPayload } from '../../functions/core/signature.ts';
import { TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRETS } from './environment.ts';

export function httpEvent(options: {
  method?: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  return {
    version: '2.0',
    routeKey: `${method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: { method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${method} ${options.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

/** A generic webhook delivery, signed with the current secret unless told otherwise. */
export function signedEvent(path: string, payload: unknown, options: { secret?: string; at?: number; pathParameters?: Record<string, string> } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const at = options.at ?? Math.floor(Date.now() / 1000);
  return httpEvent({
    path,
    body,
    headers: { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(options.secret ?? TEST_WEBHOOK_SECRETS[0]!, body, at) },
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
  });
}

export function platformEvent(path: string, body: string, signatureHeader: string, secret: string, headers: Record<string, string> = {}) {
  return httpEvent({ path, body, headers: { 'content-type': 'application/json', [signatureHeader]: signPlatformPayload(secret, body), ...headers } });
}

/** An admin call; `token: null` sends no Authorization header. */
export function adminEvent(path: string, pathParameters: Record<string, string>, token: string | null = TEST_ADMIN_TOKEN) {
  return httpEvent({ method: 'GET', path, pathParameters, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}

export const lambdaContext = { awsRequestId: 'test', functionName: 'test' } as Context;

/** A unique prefix per test, so tests sharing one table never see each other's data. */
export function uniqueId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
