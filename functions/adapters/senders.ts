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
import { z } from 'zod';
import { readConfig } from '../config.ts';
import { PermanentSendError, TransientSendError, type PermanentSendOutcome } from '../core/delivery/errors.ts';
import type { EmailMessage, Senders, SmsMessage, TaskNotice } from '../core/delivery/types.ts';
import { now } from './clock.ts';

const nonEmpty = z.string().trim().min(1);

export const deliveryEnv = z.discriminatedUnion('COMEBACK_DELIVERY', [
  z.object({
    COMEBACK_DELIVERY: z.literal('aws'),
    COMEBACK_EMAIL_FROM: nonEmpty,
    COMEBACK_MANAGER_TOPIC_ARN: nonEmpty,
    /** SES configuration set that publishes bounces and complaints; optional. */
    COMEBACK_SES_CONFIGURATION_SET: nonEmpty.optional(),
  }),
  z.object({
    COMEBACK_DELIVERY: z.literal('outbox'),
    /** `off` keeps the outbox to the message log (tests); `on` also prints each message. */
    COMEBACK_OUTBOX_PRINT: z.enum(['on', 'off']).default('on'),
  }),
]);

export type DeliveryConfig = z.output<typeof deliveryEnv>;

/** Created once per process; the SDK retries throttling with backoff before an error surfaces. */
export const sesClient = new SESv2Client({});
export const snsClient = new SNSClient({});

export interface AwsSenderOptions {
  ses: SESv2Client;
  sns: SNSClient;
  emailFrom: string;
  managerTopicArn: string;
  configurationSet?: string;
  /** Shown as the sender when emailFrom is a bare address. */
  senderName?: string;
}

export function awsSenders(options: AwsSenderOptions): Senders {
  return {
    async email(message: EmailMessage) {
      try {
        await options.ses.send(
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
          }),
        );
      } catch (error) {
        throw classifySendError('SES', error);
      }
    },
    async sms(message: SmsMessage) {
      try {
        await options.sns.send(
          new PublishCommand({
            PhoneNumber: message.to,
            Message: message.text,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: message.marketing === false ? 'Transactional' : 'Promotional' },
            },
          }),
        );
      } catch (error) {
        throw classifySendError('SNS', error);
      }
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

/** Prints every message as one block and sends nothing. */
export function outboxSenders(write: (block: string) => void = (block) => process.stdout.write(block)): Senders {
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
    },
    async sms(message) {
      print('sms', [`To: ${message.to}`], message.text);
    },
    async task(notice) {
      print('task', [`Task: ${notice.taskId}`, `Subject: ${notice.subject}`], notice.text);
    },
  };
}

/** The senders COMEBACK_DELIVERY asks for, on the module's clients. */
export function configuredSenders(config: DeliveryConfig = readConfig(deliveryEnv), senderName?: string): Senders {
  if (config.COMEBACK_DELIVERY === 'outbox') return config.COMEBACK_OUTBOX_PRINT === 'on' ? outboxSenders() : outboxSenders(() => undefined);
  return awsSenders({
    ses: sesClient,
    sns: snsClient,
    emailFrom: config.COMEBACK_EMAIL_FROM,
    managerTopicArn: config.COMEBACK_MANAGER_TOPIC_ARN,
    ...(senderName ? { senderName } : {}),
    ...(config.COMEBACK_SES_CONFIGURATION_SET ? { configurationSet: config.COMEBACK_SES_CONFIGURATION_SET } : {}),
  });
}
