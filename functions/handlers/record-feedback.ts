/**
 * POST /v1/feedback: an NPS answer (score 0-10, optional comment). No admin token: the signed token
 * names the customer and the journey entry. A second answer for the same entry replaces the first;
 * the same answer twice changes nothing.
 *
 * - JSON `{ token, score, comment? }` answers JSON (and problem+json; a token that is not ours is a 401).
 * - The feedback page's form (`score=&comment=`, form-urlencoded, the token in the query of the
 *   page's address) answers pages: thanks, the form again with what to fix, or the invalid-link
 *   page with status 400.
 */
import middy from '@middy/core';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoFeedbackStore, type FeedbackStatus } from '../adapters/feedback-store.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { shopIdentity } from '../adapters/shop-settings.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { parseFeedback, parseFeedbackForm, scoreFromText, verifyFeedbackToken, type FeedbackInput, type FeedbackSubject } from '../core/analytics/feedback.ts';
import { InvalidInputError } from '../core/errors.ts';
import { onFeedbackAnswered } from '../core/loyalty/use-cases.ts';
import { errorDocument, verifiedLink } from '../core/pages/errors.ts';
import { feedbackQuestion, feedbackThanks } from '../core/pages/feedback.ts';
import { renderPage } from '../core/pages/html.ts';
import { pageLocale } from '../core/pages/texts.ts';
import { errorPages, header, htmlPage, json, jsonBody, rawBody, wantsHtml, type HttpEvent, type HttpResult } from './http.ts';

const feedbackSecret = secretReference(readConfig(secretEnv('COMEBACK_FEEDBACK_SECRET')), 'COMEBACK_FEEDBACK_SECRET');
const store = new DynamoFeedbackStore(documentClient, tableName);
const contacts = new DynamoContacts(documentClient, tableName);
const loyalty = loyaltyPorts();
const shop = shopIdentity();

const isFormPost = (event: HttpEvent) => /^application\/x-www-form-urlencoded\s*(;|$)/i.test(header(event, 'content-type') ?? '');
const wantsPage = (event: HttpEvent) => isFormPost(event) || wantsHtml(event);

export async function recordFeedback(event: HttpEvent): Promise<HttpResult> {
  const raw = rawBody(event);
  if (isFormPost(event)) return answerFromPage(event, raw);
  const input = parseFeedback(jsonBody(event, raw));
  const subject = verifyFeedbackToken(input.token, await resolveSecret(feedbackSecret));
  const status = await answer(subject, input);
  return json(200, { entryId: subject.entryId, score: input.score, status });
}

async function answerFromPage(event: HttpEvent, raw: string): Promise<HttpResult> {
  const form = new URLSearchParams(raw);
  const token = event.queryStringParameters?.['token'] ?? form.get('token') ?? '';
  const secrets = await resolveSecret(feedbackSecret);
  const subject = verifiedLink('feedback', () => verifyFeedbackToken(token, secrets));
  const where = pageLocale((await contacts.load(subject.customerId))?.profile.locale, header(event, 'accept-language'));
  let input: FeedbackInput;
  try {
    input = parseFeedbackForm(token, form);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    // The form again, as it was filled in, saying what to fix.
    const selected = scoreFromText(form.get('score'));
    const comment = form.get('comment') ?? '';
    const fix = selected === undefined ? 'feedbackPickNumber' : 'feedbackCommentTooLong';
    return htmlPage(
      400,
      renderPage(shop, feedbackQuestion(shop, { token, error: fix, ...(selected !== undefined ? { selected } : {}), ...(comment ? { comment } : {}) }, where), where),
    );
  }
  const status = await answer(subject, input);
  return htmlPage(
    200,
    renderPage(shop, feedbackThanks(shop, { token, score: input.score, ...(input.comment ? { comment: input.comment } : {}), replaced: status === 'replaced' }, where), where),
  );
}

async function answer(subject: FeedbackSubject, input: FeedbackInput): Promise<FeedbackStatus> {
  const status = await store.record({
    customerId: subject.customerId,
    entryId: subject.entryId,
    score: input.score,
    ...(input.comment ? { comment: input.comment } : {}),
    at: now().toISOString(),
  });
  // The feedback bonus, once per journey entry however often the answer changes.
  await onFeedbackAnswered(loyalty, { customerId: subject.customerId, feedbackId: subject.entryId });
  return status;
}

export const handler = middy<HttpEvent, HttpResult>().use(errorPages(errorDocument(shop), { when: wantsPage })).handler(recordFeedback);
