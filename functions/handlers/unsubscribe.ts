/**
 * POST /v1/unsubscribe: withdraws marketing consent on the channel the signed token names, at once,
 * in the customer's PREFERENCES item (the first opt-out, its time and how it was made, is kept).
 *
 * - RFC 8058 one-click: the mailbox provider posts `List-Unsubscribe=One-Click` (form-urlencoded
 *   or multipart) to the List-Unsubscribe URL, with the token in its query; recorded as `one-click`.
 * - The button of the unsubscribe page: a browser form post to the same URL; answered with a page.
 * - A `token` field of a JSON or form body (a store's own preference page).
 *
 * A browser (it asks for text/html) gets pages, errors included; any other caller gets JSON and
 * problem+json. A GET that reaches this function is answered by the page and never unsubscribes:
 * mail scanners follow links.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { shopIdentity } from '../adapters/shop-settings.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import type { OptOutVia } from '../core/delivery/opt-outs.ts';
import { verifyUnsubscribeToken } from '../core/delivery/unsubscribe.ts';
import { UnsupportedMediaTypeError } from '../core/errors.ts';
import { errorDocument, verifiedLink } from '../core/pages/errors.ts';
import { renderPage } from '../core/pages/html.ts';
import { pageLocale } from '../core/pages/texts.ts';
import { unsubscribedPage } from '../core/pages/unsubscribe.ts';
import { errorPages, header, htmlPage, json, jsonBody, rawBody, wantsHtml, type HttpEvent, type HttpResult } from './http.ts';
import { unsubscribePage } from './unsubscribe-page.ts';

const unsubscribeSecret = secretReference(readConfig(secretEnv('COMEBACK_UNSUBSCRIBE_SECRET')), 'COMEBACK_UNSUBSCRIBE_SECRET');
const contacts = new DynamoContacts(documentClient, tableName);
const shop = shopIdentity();

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const MULTIPART = /^multipart\/form-data\s*(;|$)/i;
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

export async function unsubscribe(event: HttpEvent): Promise<HttpResult> {
  if (event.requestContext.http.method.toUpperCase() === 'GET') return unsubscribePage(event);
  const raw = rawBody(event);
  const token = tokenOf(event, raw);
  const secrets = await resolveSecret(unsubscribeSecret);
  const browser = wantsHtml(event);
  const { customerId, channel } = browser ? verifiedLink('unsubscribe', () => verifyUnsubscribeToken(token, secrets)) : verifyUnsubscribeToken(token, secrets);
  await contacts.recordOptOut(customerId, channel, viaOf(event, raw));
  if (browser) {
    const where = pageLocale((await contacts.load(customerId))?.profile.locale, header(event, 'accept-language'));
    return htmlPage(200, renderPage(shop, unsubscribedPage(shop, channel, where), where));
  }
  return json(200, { customerId, channel, status: 'unsubscribed' });
}

function tokenOf(event: HttpEvent, raw: string): string | undefined {
  const fromQuery = event.queryStringParameters?.['token'];
  if (fromQuery) return fromQuery;
  if (raw.trim().length === 0) return undefined;
  const type = header(event, 'content-type') ?? '';
  if (FORM.test(type)) return new URLSearchParams(raw).get('token') ?? undefined;
  if (JSON_TYPE.test(type)) {
    const body = jsonBody(event, raw);
    const token = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)['token'] : undefined;
    return typeof token === 'string' ? token : undefined;
  }
  throw new UnsupportedMediaTypeError(`the body must be application/x-www-form-urlencoded or application/json, not ${type ? `"${type}"` : 'untyped'}`);
}

/** RFC 8058: a one-click post carries exactly `List-Unsubscribe=One-Click`, form-urlencoded or multipart. */
function viaOf(event: HttpEvent, raw: string): OptOutVia {
  const type = header(event, 'content-type') ?? '';
  const oneClick =
    (FORM.test(type) && new URLSearchParams(raw).get('List-Unsubscribe') === 'One-Click') ||
    (MULTIPART.test(type) && /name="?List-Unsubscribe"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n\s*One-Click\s*(\r?\n|$)/i.test(raw));
  return oneClick ? 'one-click' : 'unsubscribe-link';
}

export const handler = middy<HttpEvent, HttpResult>().use(errorPages(errorDocument(shop), { when: wantsHtml })).handler(unsubscribe);
