/**
 * POST /v1/unsubscribe: one-click unsubscribe (RFC 8058). The signed token comes in the query
 * string (`?token=`, as in the List-Unsubscribe header, with the form body
 * `List-Unsubscribe=One-Click`) or as a `token` field of a JSON or form body. The opt-out is
 * recorded at once in the customer's PREFERENCES item.
 *
 * GET on the same URL (someone clicking the link in the email text) answers a page with a button
 * that posts; it changes nothing, because mail scanners follow links.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { verifyUnsubscribeToken } from '../core/delivery/unsubscribe.ts';
import type { ContactChannel } from '../core/delivery/types.ts';
import { UnsupportedMediaTypeError } from '../core/errors.ts';
import { header, json, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';

const unsubscribeSecret = secretReference(readConfig(secretEnv('COMEBACK_UNSUBSCRIBE_SECRET')), 'COMEBACK_UNSUBSCRIBE_SECRET');
const contacts = new DynamoContacts(documentClient, tableName);

export async function unsubscribe(event: HttpEvent): Promise<HttpResult> {
  const token = tokenOf(event);
  const { customerId, channel } = verifyUnsubscribeToken(token, await resolveSecret(unsubscribeSecret));
  if (event.requestContext.http.method.toUpperCase() === 'GET') return confirmationPage(token ?? '', channel);
  await contacts.recordOptOut(customerId, channel);
  if (/text\/html/i.test(header(event, 'accept') ?? '')) return page(200, 'You are unsubscribed', `<p>You will get no more marketing ${channelWords(channel)} from us.</p>`);
  return json(200, { customerId, channel, status: 'unsubscribed' });
}

function tokenOf(event: HttpEvent): string | undefined {
  const fromQuery = event.queryStringParameters?.['token'];
  if (fromQuery) return fromQuery;
  const raw = rawBody(event);
  if (raw.trim().length === 0) return undefined;
  const type = header(event, 'content-type') ?? '';
  if (/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) return new URLSearchParams(raw).get('token') ?? undefined;
  if (/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    const body = jsonBody(event, raw);
    const token = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['token'] : undefined;
    return typeof token === 'string' ? token : undefined;
  }
  throw new UnsupportedMediaTypeError(`the body must be application/x-www-form-urlencoded or application/json, not ${type ? `"${type}"` : 'untyped'}`);
}

function channelWords(channel: ContactChannel): string {
  return channel === 'email' ? 'emails' : 'text messages';
}

function confirmationPage(token: string, channel: ContactChannel): HttpResult {
  return page(
    200,
    'Unsubscribe',
    `<p>Don't want our marketing ${channelWords(channel)} any more?</p>
<form method="post" action="?token=${encodeURIComponent(token)}"><button type="submit">Unsubscribe</button></form>`,
  );
}

function page(statusCode: number, title: string, body: string): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`,
  };
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(unsubscribe);
