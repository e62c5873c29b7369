/**
 * POST /v1/join?token=: the join page's button. Joins the loyalty program for the customer the signed
 * token names (`token` in the query, as the page's form posts it, or a `token` field of a form
 * body), at once, and answers with a welcome page; joining again only says since when. The answer is
 * a page whatever the request, errors included. A GET that reaches this function is answered by the
 * join page and joins nobody: mail scanners follow links.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { shopIdentity } from '../adapters/shop-settings.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { verifyJoinToken } from '../core/loyalty/join-link.ts';
import { joinLoyalty } from '../core/loyalty/use-cases.ts';
import { errorDocument, verifiedLink } from '../core/pages/errors.ts';
import { renderPage } from '../core/pages/html.ts';
import { joinedPage } from '../core/pages/loyalty-join.ts';
import { pageLocale } from '../core/pages/texts.ts';
import { errorPages, header, htmlPage, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { loyaltyJoinPage } from './loyalty-join-page.ts';

const joinSecret = secretReference(readConfig(secretEnv('COMEBACK_FEEDBACK_SECRET')), 'COMEBACK_FEEDBACK_SECRET');
const ports = loyaltyPorts();
const contacts = new DynamoContacts(documentClient, tableName);
const shop = shopIdentity();

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

export async function loyaltyJoinLink(event: HttpEvent): Promise<HttpResult> {
  if (event.requestContext.http.method.toUpperCase() === 'GET') return loyaltyJoinPage(event);
  const token = tokenOf(event);
  const secrets = await resolveSecret(joinSecret);
  const { customerId } = verifiedLink('join', () => verifyJoinToken(token, secrets));
  const before = await ports.store.getAccount(customerId);
  const account = await joinLoyalty(ports, customerId, 'invitation-link');
  const where = pageLocale((await contacts.load(customerId))?.profile.locale, header(event, 'accept-language'));
  const when = before?.joinedAt ? 'before' : 'now';
  return htmlPage(200, renderPage(shop, joinedPage(shop, { joinedAt: account.joinedAt, points: account.balance }, where, when), where));
}

function tokenOf(event: HttpEvent): string {
  const fromQuery = event.queryStringParameters?.['token'];
  if (fromQuery) return fromQuery;
  if (!FORM.test(header(event, 'content-type') ?? '')) return '';
  return new URLSearchParams(rawBody(event)).get('token') ?? '';
}

export const handler = middy<HttpEvent, HttpResult>().use(errorPages(errorDocument(shop))).handler(loyaltyJoinLink);
