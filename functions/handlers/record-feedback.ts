/**
 * POST /v1/feedback: an NPS answer `{ token, score (0-10), comment? }` from the page the feedback
 * email links to. No admin token: the signed token names the customer and the journey entry. A
 * second answer for the same entry replaces the first; the same answer twice changes nothing.
 */
import middy from '@middy/core';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoFeedbackStore } from '../adapters/feedback-store.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { parseFeedback, verifyFeedbackToken } from '../core/analytics/feedback.ts';
import { json, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { onFeedbackAnswered } from '../core/loyalty/use-cases.ts';

const feedbackSecret = secretReference(readConfig(secretEnv('COMEBACK_FEEDBACK_SECRET')), 'COMEBACK_FEEDBACK_SECRET');
const store = new DynamoFeedbackStore(documentClient, tableName);
const loyalty = loyaltyPorts();

export async function recordFeedback(event: HttpEvent): Promise<HttpResult> {
  const input = parseFeedback(jsonBody(event, rawBody(event)));
  const { customerId, entryId } = verifyFeedbackToken(input.token, await resolveSecret(feedbackSecret));
  const status = await store.record({
    customerId,
    entryId,
    score: input.score,
    ...(input.comment ? { comment: input.comment } : {}),
    at: now().toISOString(),
  });
  // The feedback bonus, once per journey entry however often the answer changes.
  await onFeedbackAnswered(loyalty, { customerId, feedbackId: entryId });
  return json(200, { entryId, score: input.score, status });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(recordFeedback);
