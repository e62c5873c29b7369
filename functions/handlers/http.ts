/**
 * The HTTP edge shared by every API handler: raw body, size and media-type checks, lossless JSON,
 * and the mapping of domain errors to RFC 9457 problem+json. Errors under 500 are shown to the
 * caller; anything else becomes a generic 500 and is logged without the request body.
 */
import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isSafeNumber, parse } from 'lossless-json';
import {
  type ComebackError,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  SignatureError,
  UnauthorizedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  type FieldIssue,
} from '../core/errors.ts';
import { CONTENT_SECURITY_POLICY } from '../core/pages/html.ts';
import { pathIdentifierSchema } from '../core/identifier.ts';
import { tokenMatches } from '../core/signature.ts';

export const MAX_BODY_BYTES = 256 * 1024;

export const logger = new Logger({ serviceName: 'comeback' });

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function header(event: HttpEvent, name: string): string | undefined {
  // HTTP API (payload 2.0) lower-cases header names; the local host does the same.
  return event.headers?.[name.toLowerCase()];
}

/** The body exactly as sent (signatures are computed over these bytes), at most 256 KiB. */
export function rawBody(event: HttpEvent): string {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`the body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES} bytes (256 KiB)`);
  }
  return bytes.toString('utf8');
}

/**
 * Parses a JSON body without losing digits: numbers that survive a round trip through a double
 * become numbers, any other (64-bit ids, long decimals) stays as its exact text.
 */
export function jsonBody(event: HttpEvent, raw: string): unknown {
  const type = header(event, 'content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaTypeError(`the body must be application/json, not ${type ? `"${type}"` : 'untyped'}`);
  }
  return parseLosslessJson(raw);
}

export function parseLosslessJson(raw: string): unknown {
  try {
    return parse(raw, null, (text) => (isSafeNumber(text) ? Number(text) : text));
  } catch (error) {
    throw new InvalidInputError(`the body is not valid JSON: ${(error as Error).message}`, [], { cause: error });
  }
}

export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

interface ProblemMapping {
  status: number;
  title: string;
}

const problemTypes: [abstract new (...args: never[]) => ComebackError, ProblemMapping][] = [
  [InvalidInputError, { status: 400, title: 'Invalid request' }],
  [SignatureError, { status: 401, title: 'Invalid signature' }],
  [UnauthorizedError, { status: 401, title: 'Unauthorized' }],
  [ForbiddenError, { status: 403, title: 'Forbidden' }],
  [NotFoundError, { status: 404, title: 'Not found' }],
  [ConflictError, { status: 409, title: 'Conflict' }],
  [PayloadTooLargeError, { status: 413, title: 'Payload too large' }],
  [UnsupportedMediaTypeError, { status: 415, title: 'Unsupported media type' }],
  [UnprocessableError, { status: 422, title: 'Unprocessable request' }],
];

/** The members a problem has by RFC 9457 and by this edge (`errors`), whether or not this one carries them. */
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors']);

export function problem(
  status: number,
  title: string,
  detail: string,
  extra: { errors?: FieldIssue[]; instance?: string; members?: Readonly<Record<string, string | number>> } = {},
): HttpResult {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  const { members = {}, ...standard } = extra;
  // No extension member takes the place of a member RFC 9457 (or this edge) defines.
  const extensions = Object.entries(members).filter(([name]) => !PROBLEM_MEMBERS.has(name));
  return { statusCode: status, headers, body: JSON.stringify({ type: 'about:blank', title, status, detail, ...standard, ...Object.fromEntries(extensions) }) };
}

export function problemFor(error: unknown, instance?: string): HttpResult {
  for (const [errorClass, mapping] of problemTypes) {
    if (error instanceof errorClass) {
      const issues = error instanceof InvalidInputError && error.issues.length > 0 ? { errors: error.issues } : {};
      const members = Object.keys(error.problemMembers).length > 0 ? { members: error.problemMembers } : {};
      return problem(mapping.status, mapping.title, error.message, { ...issues, ...members, ...(instance ? { instance } : {}) });
    }
  }
  logger.error('unhandled error', { errorName: (error as Error)?.name, errorMessage: (error as Error)?.message, stack: (error as Error)?.stack });
  return problem(500, 'Internal error', 'the request could not be processed; it is safe to retry');
}

/** middy middleware: every thrown error becomes problem+json. */
export function problemDetails(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      request.response = problemFor(request.error, request.event.rawPath);
    },
  };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Admin routes: `Authorization: Bearer <admin token>`, compared in constant time. */
export function requireAdmin(event: HttpEvent, tokens: readonly string[]): void {
  const given = /^Bearer\s+(.+)$/i.exec(header(event, 'authorization') ?? '')?.[1]?.trim();
  if (!tokens.some((token) => tokenMatches(given, token))) {
    throw new UnauthorizedError('this route needs the admin token: Authorization: Bearer <COMEBACK_ADMIN_TOKEN>');
  }
}

/** A path parameter: an identifier, or the request names nothing Comeback could hold (DynamoDB would refuse it as a key). */
export function pathParameter(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new InvalidInputError(`the path parameter ${name} is missing`);
  const parsed = pathIdentifierSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(`the path parameter ${name} is not an identifier`, parsed.error.issues.map((issue) => ({ path: name, message: issue.message })));
  return parsed.data;
}

/** The answer every purchase webhook gives once the order is safely recorded (or already was). */
export function accepted(body: { orderId: string; customerId: string; status: 'recorded' | 'duplicate' }): HttpResult {
  return json(202, body);
}

/** Whether the caller is a browser navigating (it asks for HTML), as a form post from a page is. */
export function wantsHtml(event: HttpEvent): boolean {
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(header(event, 'accept') ?? '');
}

/**
 * A page for a person: HTML under a policy that allows nothing but its own stylesheet and forms
 * posting back to its origin; never cached, never framed, and never sending a Referer (the links
 * that open pages carry signed tokens).
 */
export function htmlPage(statusCode: number, document: string): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    },
    body: document,
  };
}

/**
 * middy middleware for routes people open in a browser: every thrown error becomes a page with the
 * status problem+json would have had (problemFor decides it, and logs what is not shown). With
 * `when`, only requests it accepts get a page; the others get problem+json.
 */
export function errorPages(
  render: (status: number, detail: string, error: unknown, acceptLanguage: string | undefined) => string,
  options: { when?: (event: HttpEvent) => boolean } = {},
): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const problem = problemFor(request.error, request.event.rawPath);
      if (options.when && !options.when(request.event)) {
        request.response = problem;
        return;
      }
      const status = problem.statusCode ?? 500;
      const { detail } = JSON.parse(String(problem.body)) as { detail: string };
      request.response = htmlPage(status, render(status, detail, request.error, header(request.event, 'accept-language')));
    },
  };
}
