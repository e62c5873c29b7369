/**
 * Delivery feedback on AWS, one function for both providers (functions/core/delivery/delivery-events.ts):
 * - SES configuration-set events, through an EventBridge rule (the event's `detail` is SES's event JSON);
 * - SNS SMS delivery status, through a CloudWatch Logs subscription on the log groups SNS writes it to
 *   (`awslogs.data`: gzipped, base64 JSON whose log events are the status JSON).
 *
 * An event that cannot be read is logged and dropped: a retry would not make it readable. A failed
 * write throws, so Lambda retries the invocation (and then hands it to the dead-letter queue); every
 * write is idempotent, so a retried event changes nothing twice. Logs name messages, never addresses.
 */
import { gunzipSync } from 'node:zlib';
import middy from '@middy/core';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent, EventBridgeEvent } from 'aws-lambda';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoContacts, DynamoMessageLog } from '../adapters/message-log.ts';
import {
  applyDeliveryFeedback,
  decideSesEvent,
  decideSmsStatus,
  InvalidDeliveryEventError,
  readSesEvent,
  readSmsStatus,
  type DeliveryFeedbackOutcome,
  type DeliveryFeedbackPorts,
} from '../core/delivery/delivery-events.ts';
import { logger } from './http.ts';

const log = new DynamoMessageLog(documentClient, tableName);
const contacts = new DynamoContacts(documentClient, tableName);
const ports: DeliveryFeedbackPorts = {
  sentMessage: (messageId) => log.sentMessage(messageId),
  acceptedAs: (provider, providerMessageId) => log.acceptedAs(provider, providerMessageId),
  applyDeliveryChange: (message, change) => log.applyDeliveryChange(message, change),
  recordOptOut: (customerId, channel, via, at) => contacts.recordOptOut(customerId, channel, via, at),
};

/** One SES event (its JSON, parsed). Throws InvalidDeliveryEventError, before any write, when it is not one. */
export async function receiveSesEvent(event: unknown): Promise<DeliveryFeedbackOutcome> {
  return applyDeliveryFeedback(ports, decideSesEvent(readSesEvent(event)));
}

/** One SNS SMS delivery status (its JSON, parsed). Throws InvalidDeliveryEventError, before any write, when it is not one. */
export async function receiveSmsStatus(status: unknown): Promise<DeliveryFeedbackOutcome> {
  return applyDeliveryFeedback(ports, decideSmsStatus(readSmsStatus(status)));
}

type SesEventBridgeEvent = EventBridgeEvent<string, unknown>;
export type DeliveryFeedbackEvent = SesEventBridgeEvent | CloudWatchLogsEvent;

function report(source: string, id: string, outcome: DeliveryFeedbackOutcome): void {
  logger.info('delivery feedback', {
    source,
    id,
    outcome: outcome.kind,
    ...(outcome.kind === 'applied' ? { messageId: outcome.messageId, log: outcome.log, ...(outcome.optOut ? { optOut: outcome.optOut } : {}) } : {}),
  });
}

async function unlessUnreadable(source: string, id: string, receive: () => Promise<DeliveryFeedbackOutcome>): Promise<void> {
  try {
    report(source, id, await receive());
  } catch (error) {
    if (!(error instanceof InvalidDeliveryEventError)) throw error;
    logger.warn('unreadable delivery feedback', { source, id, reason: error.message });
  }
}

export async function deliveryEvents(event: DeliveryFeedbackEvent): Promise<void> {
  if ('awslogs' in event) {
    const decoded = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')) as CloudWatchLogsDecodedData;
    // CloudWatch Logs checks the subscription with a CONTROL_MESSAGE first; it carries no status.
    if (decoded.messageType !== 'DATA_MESSAGE') return;
    for (const logEvent of decoded.logEvents) {
      await unlessUnreadable('sns-sms', logEvent.id, async () => {
        let status: unknown;
        try {
          status = JSON.parse(logEvent.message);
        } catch {
          throw new InvalidDeliveryEventError('the log event is not JSON');
        }
        return receiveSmsStatus(status);
      });
    }
    return;
  }
  await unlessUnreadable('ses', event.id, () => receiveSesEvent(event.detail));
}

export const handler = middy<DeliveryFeedbackEvent, void>().handler(deliveryEvents);
