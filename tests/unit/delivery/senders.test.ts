/**
 * The AWS senders against mocked SES v2 and SNS, fault injection included: which provider errors
 * are a message refused for good (the journey goes on) and which may pass (the step is retried).
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../../functions/config.ts';
import { awsSenders, classifySendError, deliveryEnv, fromAddress, outboxSenders, snsSubject } from '../../../functions/adapters/senders.ts';
import { PermanentSendError, TransientSendError } from '../../../functions/core/delivery/errors.ts';
import { unsubscribeHeaders } from '../../../functions/core/delivery/unsubscribe.ts';

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);

const senders = awsSenders({
  ses: new SESv2Client({ region: 'eu-west-1' }),
  sns: new SNSClient({ region: 'eu-west-1' }),
  emailFrom: 'Comeback Shop <hello@shop.example>',
  managerTopicArn: 'arn:aws:sns:eu-west-1:123456789012:comeback-manager-tasks',
  configurationSet: 'comeback',
});

const link = 'https://api.example.com/v1/unsubscribe?token=abc';
const email = { to: 'ada@example.com', subject: 'We miss you!', text: `Hi Ada\n\nUnsubscribe: ${link}`, headers: unsubscribeHeaders(link) };

afterEach(() => {
  ses.reset();
  sns.reset();
});

describe('email through SES v2', () => {
  it('sends the HTML and the text part together, from the sender name', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    const named = awsSenders({
      ses: new SESv2Client({ region: 'eu-west-1' }),
      sns: new SNSClient({ region: 'eu-west-1' }),
      emailFrom: 'hello@shop.example',
      managerTopicArn: 'arn:aws:sns:eu-west-1:123456789012:comeback-manager-tasks',
      senderName: 'Зоомагазин',
    });
    const html = `<!doctype html><html><body><p>Hi Ada</p><a href="${link}">Unsubscribe</a></body></html>`;

    await named.email({ ...email, html });

    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Content?.Simple?.Body).toEqual({ Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } });
    expect(input?.FromEmailAddress).toBe(`=?UTF-8?B?${Buffer.from('Зоомагазин').toString('base64')}?= <hello@shop.example>`);
  });

  it('writes the sender name in front of a bare address only', () => {
    expect(fromAddress('hello@shop.example', 'Pet "Corner" Shop')).toBe('"Pet \\"Corner\\" Shop" <hello@shop.example>');
    expect(fromAddress('Shop <hello@shop.example>', 'Other')).toBe('Shop <hello@shop.example>');
    expect(fromAddress('hello@shop.example')).toBe('hello@shop.example');
  });

  it('carries List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058)', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    await senders.email(email);

    const [call] = ses.commandCalls(SendEmailCommand);
    expect(call?.args[0].input).toEqual({
      FromEmailAddress: 'Comeback Shop <hello@shop.example>',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'We miss you!', Charset: 'UTF-8' },
          Body: { Text: { Data: email.text, Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: `<${link}>` },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
      ConfigurationSetName: 'comeback',
    });
  });

  it('surfaces SES throttling as a transient error, to be retried', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }));

    await expect(senders.email(email)).rejects.toThrow(TransientSendError);
    await expect(senders.email(email)).rejects.toMatchObject({ code: 'TooManyRequestsException', message: 'SES TooManyRequestsException: Maximum sending rate exceeded.' });
  });

  it('surfaces a rejected message as a permanent error, which no retry can send', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));

    await expect(senders.email(email)).rejects.toThrow(PermanentSendError);
    await expect(senders.email(email)).rejects.toMatchObject({ code: 'MessageRejected', outcome: 'failed', message: 'SES MessageRejected: Email address is not verified.' });
  });
});

describe('SMS and tasks through SNS', () => {
  it('publishes an SMS to the customer phone, promotional for marketing', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });

    await senders.sms({ to: '+380501234567', text: 'We miss you!', marketing: true });
    await senders.sms({ to: '+380501234567', text: 'Your order is on its way', marketing: false });

    const inputs = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(inputs[0]).toEqual({
      PhoneNumber: '+380501234567',
      Message: 'We miss you!',
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' } },
    });
    expect(inputs[1]?.MessageAttributes?.['AWS.SNS.SMS.SMSType']?.StringValue).toBe('Transactional');
  });

  it('publishes a task to the manager topic with an SNS-safe subject', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-2' });

    await senders.task({ taskId: 'entry-1.call', subject: 'Win-back call: Олена Ковальчук', text: 'Please call.' });

    const [call] = sns.commandCalls(PublishCommand);
    expect(call?.args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:comeback-manager-tasks',
      Subject: 'Win-back call:',
      MessageAttributes: { taskId: { DataType: 'String', StringValue: 'entry-1.call' } },
    });
    expect(call?.args[0].input.Message).toContain('POST /v1/tasks/entry-1.call/complete');
  });

  it('surfaces SNS throttling as a transient error and an invalid number as a permanent one', async () => {
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' })).rejectsOnce(Object.assign(new Error('Invalid parameter: PhoneNumber'), { name: 'InvalidParameterException' }));

    await expect(senders.sms({ to: '+380501234567', text: 'Hi' })).rejects.toMatchObject({ name: 'TransientSendError', code: 'ThrottledException' });
    await expect(senders.sms({ to: '+1555', text: 'Hi' })).rejects.toMatchObject({ name: 'PermanentSendError', code: 'InvalidParameterException', outcome: 'failed' });
  });

  it('keeps SNS subjects to one printable ASCII line under 100 characters', () => {
    expect(snsSubject('Café call\nnow')).toBe('Cafe call now');
    expect(snsSubject('«Олена»')).toBe('Task');
    expect(snsSubject('x'.repeat(150))).toHaveLength(99);
  });
});

describe('classifying provider errors', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

  it.each([
    // service, error name, what the message log calls it
    ['SES', 'MessageRejected', 'failed'],
    ['SES', 'MailFromDomainNotVerifiedException', 'failed'],
    ['SES', 'AccountSuspendedException', 'failed'],
    ['SES', 'SendingPausedException', 'failed'],
    ['SES', 'BadRequestException', 'failed'],
    ['SES', 'NotFoundException', 'failed'],
    ['SNS', 'InvalidParameterException', 'failed'],
    ['SNS', 'InvalidParameterValueException', 'failed'],
    ['SNS', 'ValidationException', 'failed'],
    ['SNS', 'EndpointDisabledException', 'failed'],
    ['SNS', 'NotFoundException', 'failed'],
    ['SNS', 'OptedOutException', 'suppressed'],
  ] as const)('%s %s is refused for good: %s', (service, name, outcome) => {
    const error = classifySendError(service, named(name, { $fault: 'client', $metadata: { httpStatusCode: 400 } }));

    expect(error).toBeInstanceOf(PermanentSendError);
    expect(error).toMatchObject({ code: name, outcome, message: `${service} ${name}: ${name} happened` });
  });

  it.each([
    // service, what went wrong, the error
    ['SES', 'throttling', named('TooManyRequestsException', { $fault: 'client', $metadata: { httpStatusCode: 429 } })],
    ['SES', 'a sending quota', named('LimitExceededException', { $fault: 'client', $metadata: { httpStatusCode: 400 } })],
    ['SES', 'a 5xx', named('InternalServiceErrorException', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['SES', 'a 5xx, whatever its name', named('MessageRejected', { $fault: 'server', $metadata: { httpStatusCode: 503 } })],
    ['SNS', 'throttling', named('ThrottledException', { $fault: 'client', $metadata: { httpStatusCode: 400 } })],
    ['SNS', 'a 5xx', named('InternalErrorException', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['SNS', 'the network', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['SNS', 'a timeout', named('TimeoutError')],
    ['SES', 'an error no one has classified', named('SomethingNewException')],
    ['SES', 'something thrown that is not an Error', 'not even an Error'],
  ] as const)('%s: %s may pass, and is retried', (service, _what, cause) => {
    const error = classifySendError(service, cause);

    expect(error).toBeInstanceOf(TransientSendError);
    expect(error.cause).toBe(cause);
  });

  it('leaves an error that is already classified as it is', () => {
    const permanent = new PermanentSendError('SNS OptedOutException: opted out', { code: 'OptedOutException', outcome: 'suppressed' });

    expect(classifySendError('SNS', permanent)).toBe(permanent);
  });
});

describe('the outbox', () => {
  it('prints each message as one block and sends nothing', async () => {
    const blocks: string[] = [];
    const outbox = outboxSenders((block) => blocks.push(block));

    await outbox.email(email);
    await outbox.sms({ to: '+380501234567', text: 'We miss you!' });
    await outbox.task({ taskId: 'entry-1.call', subject: 'Win-back call: Ada', text: 'Please call.' });

    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toMatch(/^-{72}\nOUTBOX \d{4}-\d\d-\d\dT[\d:.]+Z {2}email\nTo: ada@example.com\nSubject: We miss you!\nList-Unsubscribe: <https:/);
    expect(blocks[1]).toContain('sms\nTo: +380501234567\n\nWe miss you!\n');
    expect(blocks[2]).toContain('Task: entry-1.call\nSubject: Win-back call: Ada\n\nPlease call.\n');
    expect(ses.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('COMEBACK_DELIVERY', () => {
  it('is required and names what aws delivery needs', () => {
    expect(() => readConfig(deliveryEnv, {})).toThrow(/COMEBACK_DELIVERY/);
    expect(() => readConfig(deliveryEnv, { COMEBACK_DELIVERY: 'carrier-pigeon' })).toThrow(/COMEBACK_DELIVERY/);
    expect(() => readConfig(deliveryEnv, { COMEBACK_DELIVERY: 'aws' })).toThrow(/COMEBACK_EMAIL_FROM.*COMEBACK_MANAGER_TOPIC_ARN/);
    expect(readConfig(deliveryEnv, { COMEBACK_DELIVERY: 'outbox' })).toEqual({ COMEBACK_DELIVERY: 'outbox', COMEBACK_OUTBOX_PRINT: 'on' });
  });
});
