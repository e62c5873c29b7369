/** The delivery use case on in-memory ports: what gets sent, what gets logged, and retries. */
import { describe, expect, it } from 'vitest';
import { deliverMessage, taskIdFor } from '../../../functions/core/delivery/deliver.ts';
import { PermanentSendError, TemplateError, TransientSendError, UnknownCustomerError } from '../../../functions/core/delivery/errors.ts';
import { contact, intent, memoryDeliveryPorts } from './fixtures.ts';

const winBackVariables = { discountCode: 'COMEBACK-7QX2A1B3', shopUrl: 'https://shop.example' };
const memoryPorts = memoryDeliveryPorts;

const DAY = 86_400_000;
const feedbackVariables = {
  shopUrl: 'https://shop.example',
  npsUrl: 'https://api.example.com/v1/feedback?token=t',
  order: { orderId: 'o-1', placedAt: '2026-05-01T10:00:00.000Z', currency: 'USD', totalMinor: 5497, items: [] },
  products: [],
  categories: [],
  offers: [{ sku: 'BOWL', name: 'Steel food bowl', priceMinor: 1200, url: 'https://shop.example/p/BOWL' }],
  currency: 'USD',
};

describe('deliverMessage', () => {
  it('sends a marketing email with the unsubscribe headers and logs it', async () => {
    const world = memoryPorts({ 'cust-1': contact() });

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ variables: winBackVariables }));

    expect(outcome).toEqual({ status: 'sent' });
    expect(world.sent.email).toHaveLength(1);
    expect(world.sent.email[0]).toMatchObject({
      to: 'ada@example.com',
      subject: 'We miss you! Here’s a little something to welcome you back',
      headers: {
        'List-Unsubscribe': '<https://api.example.com/v1/unsubscribe?token=email.cust-1>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    expect(world.sent.email[0]?.text).toContain('https://api.example.com/v1/unsubscribe?token=email.cust-1');
    expect(world.log).toEqual([
      expect.objectContaining({ messageId: 'entry-1.email', status: 'sent', at: '2026-05-08T12:00:00.000Z', subject: world.sent.email[0]?.subject, text: world.sent.email[0]?.text }),
    ]);
  });

  it('never sends to an opted-out customer, and logs why', async () => {
    const world = memoryPorts({ 'cust-1': contact({}, { email: { optedOutAt: '2026-05-01T08:00:00.000Z' } }) });

    for (const [journey, template] of [['win-back', 'win-back-email'], ['loyalty-invite', 'loyalty-invite']] as const) {
      const outcome = await deliverMessage(world.ports, 'cust-1', intent({ messageId: `${journey}.email`, journey, template }));
      expect(outcome.status).toBe('suppressed');
    }

    expect(world.sent.email).toEqual([]);
    expect(world.log.map((entry) => entry.status)).toEqual(['suppressed', 'suppressed']);
  });

  it('defers the third marketing message of the week to the next free slot, then sends it there', async () => {
    const world = memoryPorts({ 'cust-1': contact() });
    await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'a', variables: winBackVariables }));
    world.advance(DAY);
    await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'b', variables: winBackVariables }));
    world.advance(DAY);

    const capped = await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'c', variables: winBackVariables }));

    // The slot is when 'a' leaves the window, 15 May 12:00; cust-1 wakes 59 minutes after a slot.
    expect(capped).toMatchObject({ status: 'capped', deferredUntil: '2026-05-15T12:59:00.000Z' });
    expect(world.log.at(-1)).toMatchObject({ messageId: 'c', status: 'capped', deferredUntil: '2026-05-15T12:59:00.000Z' });

    world.advance(5 * DAY);
    await expect(deliverMessage(world.ports, 'cust-1', intent({ messageId: 'c', variables: winBackVariables }))).resolves.toEqual({ status: 'sent' });
    expect(world.sent.email).toHaveLength(3);
  });

  it('never sends the same messageId twice, however often the step is retried', async () => {
    const world = memoryPorts({ 'cust-1': contact() });
    const message = intent({ variables: winBackVariables });

    await deliverMessage(world.ports, 'cust-1', message);
    const again = await deliverMessage(world.ports, 'cust-1', message);
    world.advance(30 * DAY); // long after the log window: the claim still remembers
    const later = await deliverMessage(world.ports, 'cust-1', message);

    expect(again).toEqual({ status: 'sent', reason: 'message entry-1.email was already sent' });
    expect(later.status).toBe('sent');
    expect(world.sent.email).toHaveLength(1);
    expect(world.log.filter((entry) => entry.status === 'sent')).toHaveLength(1);
  });

  it('records a transient send error as failed, rethrows it, and lets the retry send once', async () => {
    const world = memoryPorts({ 'cust-1': contact() });
    world.failures.email = 1;
    const message = intent({ variables: winBackVariables });

    await expect(deliverMessage(world.ports, 'cust-1', message)).rejects.toThrow(TransientSendError);
    expect(world.log).toEqual([expect.objectContaining({ status: 'failed', reason: 'TransientSendError: SES TooManyRequestsException: Maximum sending rate exceeded.' })]);

    world.advance(60_000);
    await expect(deliverMessage(world.ports, 'cust-1', message)).resolves.toEqual({ status: 'sent' });
    expect(world.sent.email).toHaveLength(1);
  });

  const sms = (messageId = 'wb.sms') => intent({ messageId, channel: 'sms', template: 'win-back-sms', variables: winBackVariables });
  const call = intent({ messageId: 'wb.call', channel: 'task', template: 'win-back-call', step: 'call', variables: { discountCode: 'COMEBACK-7QX2' }, task: { reason: 'no answer', dueAt: '2026-05-09T12:00:00.000Z' } });

  it.each([
    [
      'SES rejecting the email',
      intent({ variables: winBackVariables }),
      'email' as const,
      new PermanentSendError('SES MessageRejected: Email address is not verified.', { code: 'MessageRejected', outcome: 'failed' }),
      { status: 'failed', reason: 'SES MessageRejected: Email address is not verified.' },
    ],
    [
      'SNS refusing an invalid phone number',
      sms(),
      'sms' as const,
      new PermanentSendError('SNS InvalidParameterException: Invalid parameter: PhoneNumber', { code: 'InvalidParameterException', outcome: 'failed' }),
      { status: 'failed', reason: 'SNS InvalidParameterException: Invalid parameter: PhoneNumber' },
    ],
    [
      'SNS refusing a number that opted out with the carrier',
      sms(),
      'sms' as const,
      new PermanentSendError('SNS OptedOutException: the phone number opted out', { code: 'OptedOutException', outcome: 'suppressed' }),
      { status: 'suppressed', reason: 'SNS OptedOutException: the phone number opted out' },
    ],
    [
      'SNS refusing the manager notice (the task itself is created)',
      call,
      'task' as const,
      new PermanentSendError('SNS NotFoundException: Topic does not exist', { code: 'NotFoundException', outcome: 'failed' }),
      { status: 'failed', reason: 'SNS NotFoundException: Topic does not exist', taskId: 'wb.call' },
    ],
  ])('returns %s as an outcome, logged with the reason, and never sends it', async (_label, message, channel, refusal, expected) => {
    const world = memoryPorts({ 'cust-1': contact() });
    world.refusals[channel].push(refusal);

    const outcome = await deliverMessage(world.ports, 'cust-1', message);

    expect(outcome).toEqual(expected);
    expect(world.log).toEqual([expect.objectContaining({ messageId: message.messageId, channel, ...expected })]);
    expect(world.sent[channel]).toEqual([]);
  });

  it('gives back the claim of a message refused for good: it is never counted as sent', async () => {
    const world = memoryPorts({ 'cust-1': contact() });
    world.refusals.sms.push(new PermanentSendError('SNS InvalidParameterException: Invalid parameter: PhoneNumber', { code: 'InvalidParameterException', outcome: 'failed' }));

    await deliverMessage(world.ports, 'cust-1', sms());
    // Sent again (a redriven execution): the number was corrected meanwhile, and it goes.
    const again = await deliverMessage(world.ports, 'cust-1', sms());

    expect(again).toEqual({ status: 'sent' });
    expect(world.sent.sms).toHaveLength(1);
    expect(world.log.map((entry) => entry.status)).toEqual(['failed', 'sent']);
  });

  it('fails, and logs it, when the journey step forgot a template variable', async () => {
    const world = memoryPorts({ 'cust-1': contact() });

    await expect(deliverMessage(world.ports, 'cust-1', intent({ variables: { discountCode: 'X' } }))).rejects.toThrow(TemplateError);
    expect(world.sent.email).toEqual([]);
    expect(world.log).toEqual([expect.objectContaining({ status: 'failed', reason: expect.stringContaining('win-back-email.text needs shopUrl') })]);
  });

  it('skips SMS for a customer without a phone, so the journey escalates', async () => {
    const world = memoryPorts({ 'cust-1': contact({ phone: undefined }) });

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ channel: 'sms', template: 'win-back-sms', variables: winBackVariables }));

    expect(outcome).toEqual({ status: 'skipped', reason: 'no phone number for SMS' });
    expect(world.log).toEqual([expect.objectContaining({ status: 'skipped', channel: 'sms' })]);
  });

  it('sends a marketing SMS as promotional to the customer phone', async () => {
    const world = memoryPorts({ 'cust-1': contact() });

    await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'wb.sms', channel: 'sms', template: 'win-back-sms', variables: winBackVariables }));

    expect(world.sent.sms).toEqual([{ to: '+380501234567', text: expect.stringContaining('COMEBACK-7QX2A1B3'), marketing: true, messageId: 'wb.sms', customerId: 'cust-1' }]);
  });

  it('defers for quiet hours in the customer zone', async () => {
    const world = memoryPorts({ 'cust-1': contact({ timezone: 'Europe/Kyiv' }) }, '2026-05-08T19:30:00.000Z');

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ variables: winBackVariables }));

    // 09:00 in Kyiv is 06:00Z; cust-1 wakes 59 minutes after it.
    expect(outcome).toEqual({ status: 'deferred', reason: 'quiet hours 21:00-09:00 in Europe/Kyiv', deferredUntil: '2026-05-09T06:59:00.000Z' });
  });

  it('creates a manager task with the history at a glance, once', async () => {
    const world = memoryPorts({ 'cust-1': contact({ timezone: 'Europe/Kyiv' }) }, '2026-05-08T20:30:00.000Z');
    const call = intent({
      messageId: 'entry-1.call',
      channel: 'task',
      template: 'win-back-call',
      step: 'call',
      variables: { discountCode: 'COMEBACK-7QX2' },
      task: { reason: 'no answer to email and SMS', dueAt: '2026-05-10T09:00:00.000Z' },
    });

    const outcome = await deliverMessage(world.ports, 'cust-1', call);
    await deliverMessage(world.ports, 'cust-1', call);

    expect(outcome).toEqual({ status: 'sent', taskId: 'entry-1.call' });
    expect([...world.tasks.values()]).toEqual([
      expect.objectContaining({
        taskId: 'entry-1.call',
        customerId: 'cust-1',
        journey: 'win-back',
        reason: 'no answer to email and SMS',
        dueAt: '2026-05-10T09:00:00.000Z',
        status: 'open',
        subject: 'Win-back call: Ada',
        historyAtAGlance: { orderCount: 3, lastOrderAt: '2026-04-01T10:00:00.000Z', netRevenueMinor: 15_990, currency: 'USD' },
      }),
    ]);
    expect(world.sent.task).toEqual([expect.objectContaining({ taskId: 'entry-1.call', subject: 'Win-back call: Ada' })]);
    expect(world.log.filter((entry) => entry.status === 'sent')).toEqual([expect.objectContaining({ taskId: 'entry-1.call', channel: 'task' })]);
  });

  it('asks the feedback question at most once per its days, leaving it out of the messages between and logging why', async () => {
    const world = memoryPorts({ 'cust-1': contact() });
    const feedback = (entry: string, days: number) =>
      intent({ messageId: `${entry}.feedback`, journey: 'post-purchase', step: 'feedback', template: 'post-purchase-feedback', priority: 2, oncePer: { variable: 'npsUrl', days }, variables: feedbackVariables });
    const asksQuestion = () => world.sent.email.at(-1)!.text.includes(feedbackVariables.npsUrl);

    expect((await deliverMessage(world.ports, 'cust-1', feedback('pp-1', 90))).status).toBe('sent');
    expect(asksQuestion()).toBe(true);
    // A retry of the same message is not a second question.
    expect(await deliverMessage(world.ports, 'cust-1', feedback('pp-1', 90))).toMatchObject({ status: 'sent' });

    world.set(new Date(Date.parse('2026-05-08T12:00:00.000Z') + 89 * DAY).toISOString());
    expect(await deliverMessage(world.ports, 'cust-1', feedback('pp-2', 90))).toEqual({ status: 'sent' });
    // The offers still go; the question is left out, and the log says why.
    expect(asksQuestion()).toBe(false);
    expect(world.sent.email.at(-1)!.text).toContain('Steel food bowl');
    expect(world.log.at(-1)).toMatchObject({ messageId: 'pp-2.feedback', status: 'sent', leftOut: ['npsUrl'], reason: 'npsUrl left out: already asked on 2026-05-08, at most once per 90 days' });
    // The store's own interval: 89 days have passed since the question (the message between did not ask it).
    expect((await deliverMessage(world.ports, 'cust-1', feedback('pp-3', 60))).status).toBe('sent');
    expect(asksQuestion()).toBe(true);

    // The interval counts from the latest question (day 89), not the first.
    world.set(new Date(Date.parse('2026-05-08T12:00:00.000Z') + 178 * DAY).toISOString());
    await deliverMessage(world.ports, 'cust-1', feedback('pp-4', 90));
    expect(world.log.at(-1)?.reason).toMatch(/^npsUrl left out: already asked on 2026-08-05/);
    world.set(new Date(Date.parse('2026-05-08T12:00:00.000Z') + 180 * DAY).toISOString());
    expect((await deliverMessage(world.ports, 'cust-1', feedback('pp-5', 90))).status).toBe('sent');
    expect(asksQuestion()).toBe(true);
    expect(world.sent.email).toHaveLength(5);
  });

  it('does not count other steps, or questions that were not sent, towards the feedback interval', async () => {
    const world = memoryPorts({ 'cust-1': contact({}, { email: { optedOutAt: '2026-05-01T08:00:00.000Z' } }) });
    const feedback = (entry: string) =>
      intent({ messageId: `${entry}.feedback`, journey: 'post-purchase', step: 'feedback', template: 'post-purchase-feedback', priority: 2, oncePer: { variable: 'npsUrl', days: 90 }, variables: feedbackVariables });
    expect((await deliverMessage(world.ports, 'cust-1', feedback('pp-1'))).reason).toMatch(/opted out|unsubscribed/);
    const optedIn = memoryPorts({ 'cust-1': contact() });
    optedIn.log.push(...world.log, { ...world.log[0]!, messageId: 'pp-0.offer', step: 'offer', status: 'sent' });
    expect((await deliverMessage(optedIn.ports, 'cust-1', feedback('pp-2'))).status).toBe('sent');
    expect(optedIn.sent.email.at(-1)!.text).toContain(feedbackVariables.npsUrl);
  });

  it('sends nothing when the journey has nothing relevant to say, and logs it as skipped with the reason', async () => {
    const world = memoryPorts({ 'cust-1': contact() });

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ skipReason: 'no relevant offer', variables: {} }));

    expect(outcome).toEqual({ status: 'skipped', reason: 'no relevant offer' });
    expect(world.sent.email).toEqual([]);
    expect(world.log).toEqual([expect.objectContaining({ messageId: 'entry-1.email', status: 'skipped', reason: 'no relevant offer', marketing: true })]);
  });

  it('with no relevant offer asks the feedback question alone when it is due, and sends nothing when it is not', async () => {
    const world = memoryPorts({ 'cust-1': contact() });
    const feedback = (entry: string) =>
      intent({
        messageId: `${entry}.feedback`,
        journey: 'post-purchase',
        step: 'feedback',
        template: 'post-purchase-feedback',
        priority: 2,
        oncePer: { variable: 'npsUrl', days: 90 },
        skipReason: 'no relevant offer',
        variables: { ...feedbackVariables, offers: [] },
      });

    expect(await deliverMessage(world.ports, 'cust-1', feedback('pp-1'))).toEqual({ status: 'sent' });
    const question = world.sent.email.at(-1)!.text;
    expect(question).toContain(feedbackVariables.npsUrl);
    expect(question).not.toContain('Goes well with');

    world.set(new Date(Date.parse('2026-05-08T12:00:00.000Z') + 30 * DAY).toISOString());
    expect(await deliverMessage(world.ports, 'cust-1', feedback('pp-2'))).toEqual({
      status: 'skipped',
      reason: 'no relevant offer; npsUrl left out: already asked on 2026-05-08, at most once per 90 days',
    });
    expect(world.sent.email).toHaveLength(1);
  });

  it('throws a named error for an unknown customer', async () => {
    const world = memoryPorts({});

    await expect(deliverMessage(world.ports, 'ghost', intent())).rejects.toThrow(UnknownCustomerError);
    await expect(deliverMessage(world.ports, 'ghost', intent())).rejects.toMatchObject({ name: 'UnknownCustomerError', customerId: 'ghost' });
  });

  it('derives URL-safe task ids from message ids', () => {
    expect(taskIdFor('entry-1.call')).toBe('entry-1.call');
    expect(taskIdFor('entry 1/call#2')).toMatch(/^task-[0-9a-f]{32}$/);
    expect(taskIdFor('entry 1/call#2')).toBe(taskIdFor('entry 1/call#2'));
  });
});
