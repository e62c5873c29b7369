/**
 * GET /v1/unsubscribe?token=: the page the unsubscribe link in a message opens. It names the shop
 * and what the customer is leaving, and its one button posts the form to POST /v1/unsubscribe.
 * Opening it changes nothing (mail scanners and link previews follow links); a customer who has
 * already left is told so. The page speaks the customer's language (pages/texts.ts). A link that is not ours gets a readable page with status 400.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { shopIdentity } from '../adapters/shop-settings.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { verifyUnsubscribeToken } from '../core/delivery/unsubscribe.ts';
import { errorDocument, verifiedLink } from '../core/pages/errors.ts';
import { renderPage } from '../core/pages/html.ts';
import { pageLocale } from '../core/pages/texts.ts';
import { unsubscribeConfirmation } from '../core/pages/unsubscribe.ts';
import { errorPages, header, htmlPage, type HttpEvent, type HttpResult } from './http.ts';

const unsubscribeSecret = secretReference(readConfig(secretEnv('COMEBACK_UNSUBSCRIBE_SECRET')), 'COMEBACK_UNSUBSCRIBE_SECRET');
const contacts = new DynamoContacts(documentClient, tableName);
const shop = shopIdentity();

export async function unsubscribePage(event: HttpEvent): Promise<HttpResult> {
  const token = event.queryStringParameters?.['token'] ?? '';
  const secrets = await resolveSecret(unsubscribeSecret);
  const { customerId, channel } = verifiedLink('unsubscribe', () => verifyUnsubscribeToken(token, secrets));
  const [contact, optOuts] = await Promise.all([contacts.load(customerId), contacts.optOuts(customerId)]);
  const where = pageLocale(contact?.profile.locale, header(event, 'accept-language'));
  return htmlPage(200, renderPage(shop, unsubscribeConfirmation(shop, channel, token, where, optOuts[channel]?.at), where));
}

export const handler = middy<HttpEvent, HttpResult>().use(errorPages(errorDocument(shop))).handler(unsubscribePage);
