/**
 * Inbound SMS from AWS End User Messaging two-way SMS, through its SNS topic: a message that is an
 * opt-out keyword (STOP, СТОП, ...) withdraws SMS marketing consent of every customer with the
 * sender's number, at once. Anything else is left alone.
 *
 * Each SNS message is End User Messaging's JSON payload (`originationNumber`, `messageBody`, ...).
 * One that cannot be read is logged and skipped (a retry would not make it readable); a failed
 * write throws, so Lambda retries the delivery, and recording an opt-out twice changes nothing.
 * Logs name the message, never the phone number or the text.
 */
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import * as z from '../core/zod.ts';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoContacts } from '../adapters/message-log.ts';
import { DynamoPhoneDirectory } from '../adapters/phone-directory.ts';
import { inboundSmsSchema, receiveInboundSms, type InboundSmsOutcome, type InboundSmsPorts } from '../core/delivery/opt-outs.ts';
import { logger } from './http.ts';

const contacts = new DynamoContacts(documentClient, tableName);
const directory = new DynamoPhoneDirectory(documentClient, tableName);
const ports: InboundSmsPorts = {
  now,
  customersWithPhone: (phone) => directory.customersWithPhone(phone),
  recordOptOut: (customerId, channel, via, at) => contacts.recordOptOut(customerId, channel, via, at),
};

/** The payload End User Messaging publishes for each inbound message (fields Comeback does not use are allowed). */
const endUserMessagingPayload = z.looseObject({
  originationNumber: z.string(),
  messageBody: z.string(),
  inboundMessageId: z.optional(z.string()),
});

export type InboundNotificationOutcome = InboundSmsOutcome | { kind: 'unreadable'; reason: string };

/** One SNS message from End User Messaging, as text. */
export async function receiveSmsNotification(message: string): Promise<InboundNotificationOutcome> {
  let payload: unknown;
  try {
    payload = JSON.parse(message);
  } catch {
    return { kind: 'unreadable', reason: 'the message is not JSON' };
  }
  const parsed = endUserMessagingPayload.safeParse(payload);
  if (!parsed.success) return { kind: 'unreadable', reason: 'the message is not an End User Messaging inbound SMS' };
  const sms = inboundSmsSchema.safeParse({ from: parsed.data.originationNumber, text: parsed.data.messageBody });
  if (!sms.success) return { kind: 'unreadable', reason: 'the sender is not an E.164 number, or the text is too long' };
  return receiveInboundSms(ports, sms.data);
}

export async function smsInbound(event: SNSEvent): Promise<void> {
  for (const record of event.Records) {
    const outcome = await receiveSmsNotification(record.Sns.Message);
    logger.info('inbound SMS', {
      snsMessageId: record.Sns.MessageId,
      outcome: outcome.kind,
      ...(outcome.kind === 'unreadable' ? { reason: outcome.reason } : {}),
      ...(outcome.kind === 'opted-out' ? { customers: outcome.customers.length } : {}),
    });
  }
}

export const handler = middy<SNSEvent, void>().handler(smsInbound);
