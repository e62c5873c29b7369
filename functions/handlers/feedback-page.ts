/**
 * GET /v1/feedback?token=[&score=]: the page the feedback link of a message opens. It asks the
 * 0-10 question as a form that posts to POST /v1/feedback, with the current answer (or the number
 * a link picked with `?score=`) chosen. Opening it records nothing: mail scanners follow links.
 * A link that is not ours gets a readable page with status 400.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoFeedbackStore } from '../adapters/feedback-store.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { shopIdentity } from '../adapters/shop-settings.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { scoreFromText, verifyFeedbackToken } from '../core/analytics/feedback.ts';
import { errorDocument, verifiedLink } from '../core/pages/errors.ts';
import { feedbackQuestion } from '../core/pages/feedback.ts';
import { renderPage } from '../core/pages/html.ts';
import { pageLocale } from '../core/pages/texts.ts';
import { errorPages, header, htmlPage, type HttpEvent, type HttpResult } from './http.ts';

const feedbackSecret = secretReference(readConfig(secretEnv('COMEBACK_FEEDBACK_SECRET')), 'COMEBACK_FEEDBACK_SECRET');
const store = new DynamoFeedbackStore(documentClient, tableName);
const contacts = new DynamoContacts(documentClient, tableName);
const shop = shopIdentity();

export async function feedbackPage(event: HttpEvent): Promise<HttpResult> {
  const token = event.queryStringParameters?.['token'] ?? '';
  const secrets = await resolveSecret(feedbackSecret);
  const { customerId, entryId } = verifiedLink('feedback', () => verifyFeedbackToken(token, secrets));
  const [current, contact] = await Promise.all([store.current(customerId, entryId), contacts.load(customerId)]);
  const where = pageLocale(contact?.profile.locale, header(event, 'accept-language'));
  const selected = scoreFromText(event.queryStringParameters?.['score']) ?? current?.score;
  return htmlPage(
    200,
    renderPage(
      shop,
      feedbackQuestion(shop, {
        token,
        ...(selected !== undefined ? { selected } : {}),
        ...(current?.comment ? { comment: current.comment } : {}),
        ...(current ? { previous: { score: current.score } } : {}),
      }, where),
      where,
    ),
  );
}

export const handler = middy<HttpEvent, HttpResult>().use(errorPages(errorDocument(shop))).handler(feedbackPage);
