/**
 * GET /v1/join?token=: the page the join link of the loyalty invitation opens. It offers to join the
 * program (naming the points already waiting), and its one button posts the form to POST /v1/join.
 * Opening it changes nothing: mail scanners and link previews follow links. A customer who has
 * joined is told since when. The page speaks the customer's language; a link that is not ours gets
 * a readable page with status 400.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoLoyaltyStore } from '../adapters/loyalty-store.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { shopIdentity } from '../adapters/shop-settings.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { isMember } from '../core/loyalty/account.ts';
import { verifyJoinToken } from '../core/loyalty/join-link.ts';
import { errorDocument, verifiedLink } from '../core/pages/errors.ts';
import { renderPage } from '../core/pages/html.ts';
import { joinInvitation } from '../core/pages/loyalty-join.ts';
import { pageLocale } from '../core/pages/texts.ts';
import { errorPages, header, htmlPage, type HttpEvent, type HttpResult } from './http.ts';

const joinSecret = secretReference(readConfig(secretEnv('COMEBACK_FEEDBACK_SECRET')), 'COMEBACK_FEEDBACK_SECRET');
const accounts = new DynamoLoyaltyStore(documentClient, tableName);
const contacts = new DynamoContacts(documentClient, tableName);
const shop = shopIdentity();

export async function loyaltyJoinPage(event: HttpEvent): Promise<HttpResult> {
  const token = event.queryStringParameters?.['token'] ?? '';
  const secrets = await resolveSecret(joinSecret);
  const { customerId } = verifiedLink('join', () => verifyJoinToken(token, secrets));
  const [account, contact] = await Promise.all([accounts.getAccount(customerId), contacts.load(customerId)]);
  const where = pageLocale(contact?.profile.locale, header(event, 'accept-language'));
  const state = { joinedAt: isMember(account) ? account.joinedAt : null, points: Math.max(0, account?.balance ?? 0) };
  return htmlPage(200, renderPage(shop, joinInvitation(shop, token, state, where), where));
}

export const handler = middy<HttpEvent, HttpResult>().use(errorPages(errorDocument(shop))).handler(loyaltyJoinPage);
