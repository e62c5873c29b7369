/**
 * GET /v1/customers/{id}: a customer's profile, recent orders, predictions, feedback answers and RFM scores, for
 * admins. Consent is shown as delivery applies it: a channel the customer opted out of is false,
 * and `optOuts` says when and how.
 */
import middy from '@middy/core';
import { DynamoAnalyticsStore } from '../adapters/analytics-store.ts';
import { DynamoFeedbackStore } from '../adapters/feedback-store.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { NotFoundError } from '../core/errors.ts';
import { unavailableReason } from '../core/analytics/prediction-availability.ts';
import { withOptOuts } from '../core/delivery/opt-outs.ts';
import { profileView } from '../core/profile.ts';
import { json, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const analytics = new DynamoAnalyticsStore(documentClient, tableName);
const contacts = new DynamoContacts(documentClient, tableName);
const feedback = new DynamoFeedbackStore(documentClient, tableName);

export async function getCustomer(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const customerId = pathParameter(event, 'id');
  const [customer, optOuts, answers, rfm] = await Promise.all([
    ledger.getCustomer(customerId),
    contacts.optOuts(customerId),
    feedback.answers(customerId),
    analytics.rfmOf(customerId),
  ]);
  if (!customer) throw new NotFoundError(`customer ${customerId} is unknown`);
  // Without a predictions item, the models' state says why (one more read, on that path only).
  const predictions = customer.predictions ?? { available: false, reason: unavailableReason(await analytics.readModels()) };
  const feedbackView = answers.map(({ customerId: _customer, ...answer }) => answer);
  return json(200, { profile: withOptOuts(profileView(customer.profile), optOuts), orders: customer.orders, predictions, feedback: feedbackView, rfm: rfm ?? null });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(getCustomer);
