/**
 * What the senders leave for delivery feedback (mocked SES v2 and SNS): the configuration set and
 * the tags that name the log entry on every email, and the provider's id of each accepted message
 * kept as a receipt, without ever failing a send that the provider accepted.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { awsSenders, outboxSenders, type SendReceipts } from '../../../functions/adapters/senders.ts';
import { CUSTOMER_TAG, decodeTagValue, MESSAGE_TAG } from '../../../functions/core/delivery/delivery-events.ts';

const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
afterEach(() => {
  ses.reset();
  sns.reset();
});

function sendersWith(receipts: SendReceipts) {
  return awsSenders({
    ses: new SESv2Client({ region: 'eu-west-1' }),
    sns: new SNSClient({ region: 'eu-west-1' }),
    emailFrom: 'hello@shop.example',
    managerTopicArn: 'arn:aws:sns:eu-west-1:123456789012:comeback-manager-tasks',
    configurationSet: 'comeback-events',
    receipts,
  });
}

const recorder = () => {
  const kept: unknown[][] = [];
  return { kept, receipts: { recordReceipt: async (...args: unknown[]) => void kept.push(args) } as SendReceipts };
};

describe('an email', () => {
  it('goes through the configuration set with tags naming its message and customer, and its SES id is kept', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0102018f-ses-1' });
    const { kept, receipts } = recorder();

    await sendersWith(receipts).email({ to: 'ada@example.com', subject: 'Hi', text: 'Hi', headers: {}, messageId: 'entry-1.thank-you', customerId: 'ada@example.com' });

    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.ConfigurationSetName).toBe('comeback-events');
    const tags = Object.fromEntries((input.EmailTags ?? []).map((tag) => [tag.Name, tag.Value]));
    expect(Object.keys(tags).sort()).toEqual([CUSTOMER_TAG, MESSAGE_TAG]);
    for (const value of Object.values(tags)) expect(value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(decodeTagValue(tags[MESSAGE_TAG]!)).toBe('entry-1.thank-you');
    expect(decodeTagValue(tags[CUSTOMER_TAG]!)).toBe('ada@example.com');
    expect(kept).toEqual([['ses', '0102018f-ses-1', { messageId: 'entry-1.thank-you', customerId: 'ada@example.com' }, expect.any(String)]]);
  });

  it('that SES refuses keeps no receipt', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const { kept, receipts } = recorder();
    await expect(sendersWith(receipts).email({ to: 'ada@example.com', subject: 'Hi', text: 'Hi', headers: {}, messageId: 'm', customerId: 'c' })).rejects.toThrow(/MessageRejected/);
    expect(kept).toEqual([]);
  });
});

describe('an SMS', () => {
  it('keeps the SNS MessageId its delivery status will name', async () => {
    sns.on(PublishCommand).resolves({ MessageId: '34d9b400-c6dd-5444-820d-fbeb0f1f54cf' });
    const { kept, receipts } = recorder();
    await sendersWith(receipts).sms({ to: '+15555550123', text: 'Hi', marketing: true, messageId: 'entry-2.sms', customerId: 'cust-2' });
    expect(kept).toEqual([['sns', '34d9b400-c6dd-5444-820d-fbeb0f1f54cf', { messageId: 'entry-2.sms', customerId: 'cust-2' }, expect.any(String)]]);
  });

  it('accepted by SNS stays sent when its receipt cannot be kept (sending again would send twice)', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-9' });
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const failing: SendReceipts = { recordReceipt: async () => Promise.reject(new Error('throttled')) };
    await expect(sendersWith(failing).sms({ to: '+15555550123', text: 'Hi', messageId: 'entry-3.sms', customerId: 'cust-3' })).resolves.toBeUndefined();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(warning).toHaveBeenCalledWith(expect.stringContaining('entry-3.sms'), 'DeliveryFeedbackWarning');
    warning.mockRestore();
  });
});

it('the outbox accepts each message under its own messageId', async () => {
  const { kept, receipts } = recorder();
  const outbox = outboxSenders(() => undefined, receipts);
  await outbox.email({ to: 'ada@example.com', subject: 'Hi', text: 'Hi', headers: {}, messageId: 'entry-4.email', customerId: 'cust-4' });
  await outbox.sms({ to: '+15555550123', text: 'Hi', messageId: 'entry-4.sms', customerId: 'cust-4' });
  expect(kept.map((args) => args.slice(0, 3))).toEqual([
    ['ses', 'entry-4.email', { messageId: 'entry-4.email', customerId: 'cust-4' }],
    ['sns', 'entry-4.sms', { messageId: 'entry-4.sms', customerId: 'cust-4' }],
  ]);
});
