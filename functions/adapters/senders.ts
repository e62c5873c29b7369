/**
 * How messages leave Comeback. COMEBACK_DELIVERY chooses:
 * - 'aws': email through SES v2 (with the List-Unsubscribe headers), SMS through SNS to the
 *   customer's phone, manager tasks as SNS notifications to COMEBACK_MANAGER_TOPIC_ARN;
 * - 'outbox': nothing leaves the machine; each message is printed as one readable block on stdout
 *   (the local host). The outbox listing itself comes from the message log.
 * A provider's error is classified here, where the SDK's error names are known: a
 * PermanentSendError for a message that no retry can deliver (the delivery step logs it and the
 * journey goes on), a TransientSendError for everything else (logged, then retried by the caller).
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import * as z from '../core/zod.ts';
import { readConfig } from '../config.ts';
import { PermanentSendError, TransientSendError, type PermanentSendOutcome } from '../core/delivery/errors.ts';
import { CUSTOMER_TAG, encodeTagValue, MESSAGE_TAG, type Provider, type SentMessage } from '../core/delivery/delivery-events.ts';
import type { EmailMessage, Senders, SmsMessage, TaskNotice } from '../core/delivery/types.ts';
import { now } from './clock.ts';

const nonEmpty = z.string().check(z.trim(), z.minLength(1));

export const deliveryEnv = z.discriminatedUnion('COMEBACK_DELIVERY', [
  z.object({
    COMEBACK_DELIVERY: z.literal('aws'),
    COMEBACK_EMAIL_FROM: nonEmpty,
    COMEBACK_MANAGER_TOPIC_ARN: nonEmpty,
    /** SES configuration set that publishes bounces and complaints; optional. */
    COMEBACK_SES_CONFIGURATION_SET: z.optional(nonEmpty),
  }),
  z.object({
    COMEBACK_DELIVERY: z.literal('outbox'),
    /** `off` keeps the outbox to the message log (tests); `on` also prints each message. */
    COMEBACK_OUTBOX_PRINT: z._default(z.enum(['on', 'off']), 'on'),
  }),
]);

export type DeliveryConfig = z.output<typeof deliveryEnv>;

/** Created once per process; the SDK retries throttling with backoff before an error surfaces. */
export const sesClient = new SESv2Client({});
export const snsClient = new SNSClient({});

/**
 * Where the id a provider accepted a message under is kept, so its delivery status events find the
 * message (functions/core/delivery/delivery-events.ts); DynamoMessageLog in the deployed senders.
 */
export interface SendReceipts {
  recordReceipt(provider: Provider, providerMessageId: string, message: SentMessage, at: string): Promise<void>;
}

/**
 * Keeps the receipt of an accepted message. The message is already sent: a failed write only
 * costs its delivery feedback, and throwing would make the caller send it again, so it is
 * reported to `onError` (a warning) and the send stands.
 */
async function keepReceipt(
  receipts: SendReceipts | undefined,
  provider: Provider,
  providerMessageId: string | undefined,
  message: { messageId?: string; customerId?: string },
): Promise<void> {
  if (!receipts || !providerMessageId || !message.messageId || !message.customerId) return;
  try {
    await receipts.recordReceipt(provider, providerMessageId, { messageId: message.messageId, customerId: message.customerId }, now().toISOString());
  } catch (error) {
    process.emitWarning(`the ${provider} receipt of message ${message.messageId} was not kept: ${error instanceof Error ? error.message : String(error)}`, 'DeliveryFeedbackWarning');
  }
}

/** The SES message tags that name the log entry of an email (values SES accepts; an id too long for a tag is left out). */
export function emailTags(message: Pick<EmailMessage, 'messageId' | 'customerId'>): { Name: string; Value: string }[] {
  const tags: { Name: string; Value: string }[] = [];
  for (const [Name, raw] of [
    [MESSAGE_TAG, message.messageId],
    [CUSTOMER_TAG, message.customerId],
  ] as const) {
    const Value = raw === undefined ? undefined : encodeTagValue(raw);
    if (Value) tags.push({ Name, Value });
  }
  return tags;
}

export interface AwsSenderOptions {
  ses: SESv2Client;
  sns: SNSClient;
  emailFrom: string;
  managerTopicArn: string;
  configurationSet?: string;
  /** Shown as the sender when emailFrom is a bare address. */
  senderName?: string;
  /** Keeps the provider's id of each accepted email and SMS, for its delivery status events. */
  receipts?: SendReceipts;
}

export function awsSenders(options: AwsSenderOptions): Senders {
  return {
    async email(message: EmailMessage) {
      let accepted: string | undefined;
      try {
        const tags = emailTags(message);
        ({ MessageId: accepted } = await options.ses.send(
          new SendEmailCommand({
            FromEmailAddress: fromAddress(options.emailFrom, options.senderName),
            Destination: { ToAddresses: [message.to] },
            Content: {
              Simple: {
                Subject: { Data: message.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: message.text, Charset: 'UTF-8' },
                  ...(message.html !== undefined ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}),
                },
                Headers: Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value })),
              },
            },
            ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
            // The configuration set's events carry the tags back: they name the message's log entry.
            ...(tags.length > 0 ? { EmailTags: tags } : {}),
          }),
        ));
      } catch (error) {
        throw classifySendError('SES', error);
      }
      await keepReceipt(options.receipts, 'ses', accepted, message);
    },
    async sms(message: SmsMessage) {
      let accepted: string | undefined;
      try {
        ({ MessageId: accepted } = await options.sns.send(
          new PublishCommand({
            PhoneNumber: message.to,
            Message: message.text,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: message.marketing === false ? 'Transactional' : 'Promotional' },
            },
          }),
        ));
      } catch (error) {
        throw classifySendError('SNS', error);
      }
      // SNS's SMS delivery status log names the message only by this id.
      await keepReceipt(options.receipts, 'sns', accepted, message);
    },
    async task(notice: TaskNotice) {
      try {
        await options.sns.send(
          new PublishCommand({
            TopicArn: options.managerTopicArn,
            Subject: snsSubject(notice.subject),
            Message: `${notice.subject}\n\n${notice.text}\n\nTask ${notice.taskId}: complete it with POST /v1/tasks/${encodeURIComponent(notice.taskId)}/complete`,
            MessageAttributes: { taskId: { DataType: 'String', StringValue: notice.taskId } },
          }),
        );
      } catch (error) {
        throw classifySendError('SNS', error);
      }
    },
  };
}

/**
 * The From of an email: a bare address gets the sender's name in front of it (RFC 5322 quoted, or
 * RFC 2047 encoded when it is not plain ASCII, as SES asks); an address already written with a
 * name is kept as it is.
 */
export function fromAddress(emailFrom: string, senderName?: string): string {
  if (!senderName || emailFrom.includes('<')) return emailFrom;
  const name = /^[\x20-\x7e]*$/.test(senderName)
    ? `"${senderName.replace(/[\\"]/g, (character) => `\\${character}`)}"`
    : `=?UTF-8?B?${Buffer.from(senderName, 'utf8').toString('base64')}?=`;
  return `${name} <${emailFrom}>`;
}

/**
 * Errors no retry can fix, by the name the SDK gives them (the service's error code), and what the
 * message log calls the outcome. SES v2 SendEmail: the message or its sender identity is refused,
 * or the account may not send. SNS Publish: the phone number (or topic) is invalid or disabled, or
 * the number opted out of SMS with the carrier (it replied STOP), which is a suppression.
 */
const permanentErrors: Record<'SES' | 'SNS', Record<string, PermanentSendOutcome>> = {
  SES: {
    MessageRejected: 'failed',
    MailFromDomainNotVerifiedException: 'failed',
    AccountSuspendedException: 'failed',
    SendingPausedException: 'failed',
    BadRequestException: 'failed',
    NotFoundException: 'failed',
  },
  SNS: {
    InvalidParameterException: 'failed',
    InvalidParameterValueException: 'failed',
    ValidationException: 'failed',
    EndpointDisabledException: 'failed',
    NotFoundException: 'failed',
    OptedOutException: 'suppressed',
  },
};

/**
 * A provider's error as the delivery step needs it. A server-side fault (5xx) is transient whatever
 * its name; so are throttling, network errors, timeouts and anything unknown, since retrying a
 * message is safe (it is sent at most once) and an error that persists still ends in the journey's
 * failure record, from where the execution can be redriven.
 */
export function classifySendError(service: 'SES' | 'SNS', error: unknown): PermanentSendError | TransientSendError {
  if (error instanceof PermanentSendError || error instanceof TransientSendError) return error;
  const code = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${service} ${code}: ${detail}`.slice(0, 500);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const serverFault = (error as { $fault?: string } | undefined)?.$fault === 'server' || (status !== undefined && status >= 500);
  const outcome = permanentErrors[service][code];
  if (outcome && !serverFault) return new PermanentSendError(message, { code, outcome, cause: error });
  return new TransientSendError(message, { code, cause: error });
}

/** SNS subjects are printable ASCII, one line, under 100 characters. */
export function snsSubject(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const text = /^[A-Za-z0-9]/.test(ascii) ? ascii : `Task ${ascii}`.trim();
  return text.length > 99 ? `${text.slice(0, 96)}...` : text;
}

/**
 * Prints every message as one block and sends nothing. With `receipts`, each email and SMS is
 * "accepted" under its own messageId, so a simulated provider event (the local host's
 * /_local/ses/events and /_local/sms/status) names a message by the id the outbox shows.
 */
export function outboxSenders(write: (block: string) => void = (block) => process.stdout.write(block), receipts?: SendReceipts): Senders {
  const print = (channel: string, lines: string[], text: string) => {
    const rule = '-'.repeat(72);
    write([`${rule}`, `OUTBOX ${now().toISOString()}  ${channel}`, ...lines, '', text, rule, ''].join('\n'));
  };
  return {
    async email(message) {
      print(
        'email',
        [
          `To: ${message.to}`,
          `Subject: ${message.subject}`,
          ...Object.entries(message.headers).map(([name, value]) => `${name}: ${value}`),
          ...(message.html !== undefined ? [`HTML part: ${message.html.length} characters (GET /_local/outbox shows it)`] : []),
        ],
        message.text,
      );
      await keepReceipt(receipts, 'ses', message.messageId, message);
    },
    async sms(message) {
      print('sms', [`To: ${message.to}`], message.text);
      await keepReceipt(receipts, 'sns', message.messageId, message);
    },
    async task(notice) {
      print('task', [`Task: ${notice.taskId}`, `Subject: ${notice.subject}`], notice.text);
    },
  };
}

/**
 * Receipts in the message log on the table. The table's client is imported on the first receipt:
 * it reads TABLE_NAME, which every sending function has, and modules that only build senders
 * (tests of the senders) need not.
 */
const tableReceipts: SendReceipts = {
  async recordReceipt(provider, providerMessageId, message, at) {
    const [{ documentClient, tableName }, { DynamoMessageLog }] = await Promise.all([import('./dynamodb.ts'), import('./message-log.ts')]);
    await new DynamoMessageLog(documentClient, tableName).recordReceipt(provider, providerMessageId, message, at);
  },
};

/** The senders COMEBACK_DELIVERY asks for, on the module's clients. */
export function configuredSenders(config: DeliveryConfig = readConfig(deliveryEnv), senderName?: string, receipts: SendReceipts = tableReceipts): Senders {
  if (config.COMEBACK_DELIVERY === 'outbox') {
    return config.COMEBACK_OUTBOX_PRINT === 'on' ? outboxSenders(undefined, receipts) : outboxSenders(() => undefined, receipts);
  }
  return awsSenders({
    receipts,
    ses: sesClient,
    sns: snsClient,
    emailFrom: config.COMEBACK_EMAIL_FROM,
    managerTopicArn: config.COMEBACK_MANAGER_TOPIC_ARN,
    ...(senderName ? { senderName } : {}),
    ...(config.COMEBACK_SES_CONFIGURATION_SET ? { configurationSet: config.COMEBACK_SES_CONFIGURATION_SET } : {}),
  });
}
