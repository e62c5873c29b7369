/**
 * The journeys as the product runs them: the real state machine definitions through the ASL
 * interpreter, the real handlers on DynamoDB Local, and the virtual clock. Each scenario asserts
 * the path taken (states entered) and what reached the outbox.
 */
import { describe, expect, it } from 'vitest';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { handler as unsubscribe } from '../../functions/handlers/unsubscribe.ts';
import { handler as journeyCustomers } from '../../functions/handlers/journey-customers.ts';
import { handler as removeJourneyCustomer } from '../../functions/handlers/remove-journey-customer.ts';
import { defaultDeliveryPolicy, wakeOffsetMs } from '../../functions/core/delivery/guardrails.ts';
import { signUnsubscribeToken } from '../../functions/core/delivery/unsubscribe.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime, TEST_ADMIN_TOKEN, TEST_UNSUBSCRIBE_SECRET } from '../support/environment.ts';
import { httpEvent, lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const clock = journeyRuntime.clock;
const DAY = 86_400_000;

interface Buyer {
  id: string;
  phone?: string | null;
  consent?: { email?: boolean; sms?: boolean };
  timezone?: string;
}

async function buy(buyer: Buyer, at: Date = clock.now(), total = '54.97') {
  const payload = {
    orderId: uniqueId('order'),
    placedAt: at.toISOString(),
    currency: 'USD',
    total,
    customer: {
      id: buyer.id,
      email: 'ada@example.com',
      ...(buyer.phone === null ? {} : { phone: buyer.phone ?? '+15555550123' }),
      name: 'Ada',
      timezone: buyer.timezone ?? 'Europe/Kyiv',
      consent: buyer.consent ?? { email: true, sms: true },
    },
    items: [{ sku: 'DOG-FOOD', name: 'Dog food', category: 'pet-food', quantity: 1, unitPrice: total }],
  };
  const result = await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext);
  expect(result.statusCode).toBe(202);
  await clock.advance({ minutes: 1 });
  return payload.orderId;
}

const advanceDays = (days: number) => clock.advance({ days });

async function messages(customerId: string) {
  return (await outbox(customerId)).filter((item) => item.status !== 'deferred').map((item) => `${item.journey}/${item.step}/${item.channel}/${item.status}`);
}


function kyiv(at: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
}

function executionsOf(prefix: string) {
  return journeyRuntime.stepFunctions.list().filter((execution) => execution.name.startsWith(prefix));
}

/** A customer whose only order was 60 days ago enters win-back at the next nightly sweep. */
async function inactiveCustomer(buyer: Buyer) {
  await buy(buyer);
  await advanceDays(61);
  const winBack = executionsOf('win-back-').find((execution) => JSON.parse(execution.input).entry.customerId === buyer.id);
  expect(winBack, 'win-back started by the sweep').toBeDefined();
  return winBack!;
}

describe('win-back', () => {
  it('escalates email -> SMS -> manager call task, a week apart', async () => {
    const buyer = { id: uniqueId('wb-full') };
    const winBack = await inactiveCustomer(buyer);
    expect((await messages(buyer.id)).filter((line) => line.startsWith('win-back'))).toEqual(['win-back/miss-you-email/email/sent']);

    await advanceDays(7);
    expect((await messages(buyer.id)).filter((line) => line.startsWith('win-back'))).toEqual(['win-back/miss-you-email/email/sent', 'win-back/reminder-sms/sms/sent']);

    await advanceDays(7);
    expect((await messages(buyer.id)).filter((line) => line.startsWith('win-back'))).toEqual([
      'win-back/miss-you-email/email/sent',
      'win-back/reminder-sms/sms/sent',
      'win-back/manager-call/task/sent',
    ]);
    expect(winBack.status).toBe('SUCCEEDED');
    // The sweep falls at 02:00 UTC, 05:00 in Kyiv: the email waits out the quiet hours once, so every
    // later step runs one state later and the call task in the state that runs what was held back.
    // The SMS, due at 05:00 in Kyiv too, is timed to 09:00 there at once: no second deferral.
    expect(winBack.statesEntered.filter((state) => !state.startsWith('After'))).toEqual([
      'MissYouEmail',
      'WaitForReminderSms',
      'ReminderSms',
      'WaitForManagerCallTask',
      'ManagerCallTask',
      'WaitForNextStep',
      'NextStep',
      'Done',
    ]);
    const sms = (await outbox(buyer.id)).find((item) => item.step === 'reminder-sms' && item.status === 'sent');
    const email = (await outbox(buyer.id)).find((item) => item.step === 'miss-you-email' && item.status === 'sent');
    // No storefront is configured here: the messages offer no code rather than one no store knows
    // (tests/integration/journey-discounts.test.ts has one).
    expect(email?.text).toBeDefined();
    expect(sms?.text).toBeDefined();
    for (const text of [email?.text, sms?.text]) expect(text).not.toMatch(/\b(CB|COMEBACK)-[0-9A-Z]+/);
  });

  it.each([
    ['after the email', 1, ['win-back/miss-you-email/email/sent']],
    ['after the SMS', 8, ['win-back/miss-you-email/email/sent', 'win-back/reminder-sms/sms/sent']],
  ])('exits as converted when the customer buys %s', async (_label, daysIn, expected) => {
    const buyer = { id: uniqueId('wb-exit') };
    const winBack = await inactiveCustomer(buyer);
    await advanceDays(daysIn - 1);

    await buy(buyer);
    await advanceDays(30);

    expect((await messages(buyer.id)).filter((line) => line.startsWith('win-back'))).toEqual(expected);
    expect(winBack.status).toBe('ABORTED');
  });

  it('never sends marketing to a customer who unsubscribed, and still creates the manager task', async () => {
    const buyer = { id: uniqueId('wb-optout') };
    await buy(buyer);
    for (const channel of ['email', 'sms'] as const) {
      const token = signUnsubscribeToken(TEST_UNSUBSCRIBE_SECRET, buyer.id, channel);
      const result = await unsubscribe(httpEvent({ path: '/v1/unsubscribe', body: JSON.stringify({ token }), headers: { 'content-type': 'application/json' } }), lambdaContext);
      expect(result.statusCode).toBe(200);
    }
    await advanceDays(75);

    expect((await messages(buyer.id)).filter((line) => line.startsWith('win-back'))).toEqual([
      'win-back/miss-you-email/email/suppressed',
      'win-back/reminder-sms/sms/suppressed',
      'win-back/manager-call/task/sent',
    ]);
  });

  it('skips the SMS for a customer without a phone, and the call task says to write to the email instead', async () => {
    const buyer = { id: uniqueId('wb-nophone'), phone: null };
    await inactiveCustomer(buyer);
    await advanceDays(14);
    expect((await messages(buyer.id)).filter((line) => line.startsWith('win-back'))).toEqual([
      'win-back/miss-you-email/email/sent',
      'win-back/reminder-sms/sms/skipped',
      'win-back/manager-call/task/sent',
    ]);
    const call = (await outbox(buyer.id)).find((item) => item.step === 'manager-call' && item.status === 'sent');
    expect(call?.text).toContain('There is no phone number on file: please write to ada@example.com instead');
  });

  it('names the phone number in the call task', async () => {
    const buyer = { id: uniqueId('wb-phone'), phone: '+15555550188' };
    await inactiveCustomer(buyer);
    await advanceDays(14);
    const call = (await outbox(buyer.id)).find((item) => item.step === 'manager-call' && item.status === 'sent');
    expect(call?.text).toContain('Please call Ada on +15555550188 and ask, kindly, why they stopped buying from us.');
  });

  it("defers a message due in quiet hours to 09:00 in the customer time zone, plus the customer's minutes of the hour", async () => {
    const buyer = { id: uniqueId('wb-kyiv'), timezone: 'Europe/Kyiv' };
    await inactiveCustomer(buyer);
    const email = (await outbox(buyer.id)).filter((item) => item.step === 'miss-you-email');
    // The sweep runs at 02:00 UTC, 05:00 or 04:00 in Kyiv: the email waits until 09:00 there, and
    // wakes within the hour after it at the customer's own offset, so a zone's morning is not one burst.
    const minutes = wakeOffsetMs(buyer.id, defaultDeliveryPolicy.wakeSpreadMs) / 60_000;
    expect(email.map((item) => item.status)).toEqual(['deferred', 'sent']);
    expect(email[0]!.at.slice(11)).toBe('02:00:00.000Z');
    expect(kyiv(email[1]!.at)).toBe(`${kyiv(email[0]!.at).slice(0, 10)} 09:${String(minutes).padStart(2, '0')}`);
  });

  it('sends at once outside quiet hours in the customer time zone', async () => {
    const buyer = { id: uniqueId('wb-quiet'), timezone: 'America/Los_Angeles' };
    await inactiveCustomer(buyer);
    const email = (await outbox(buyer.id)).filter((item) => item.step === 'miss-you-email');
    // The sweep runs at 02:00 UTC, 19:00 in Los Angeles: outside quiet hours, so sent at once.
    expect(email.map((item) => item.status)).toEqual(['sent']);
    const hour = Number(new Intl.DateTimeFormat('en', { timeZone: 'America/Los_Angeles', hour: 'numeric', hourCycle: 'h23' }).format(new Date(email[0]!.at)));
    expect(hour >= 9 && hour < 21).toBe(true);
  });

  it('starts once per inactivity episode, however often the sweep runs', async () => {
    const buyer = { id: uniqueId('wb-once') };
    await inactiveCustomer(buyer);
    await journeyRuntime.runJob('journey-sweep');
    await journeyRuntime.runJob('journey-sweep');
    expect(executionsOf('win-back-').filter((execution) => JSON.parse(execution.input).entry.customerId === buyer.id)).toHaveLength(1);
  });
});

describe('post-purchase', () => {
  it('thanks at once, asks for feedback with complements after 7 days, offers upsells after 30 and 90', async () => {
    const buyer = { id: uniqueId('pp') };
    await buy(buyer);
    expect(await messages(buyer.id)).toEqual(['post-purchase/thank-you/email/sent']);

    await advanceDays(95);

    expect((await messages(buyer.id)).filter((line) => line.startsWith('post-purchase'))).toEqual([
      'post-purchase/thank-you/email/sent',
      'post-purchase/feedback/email/sent',
      'post-purchase/content/email/sent',
      'post-purchase/offer/email/sent',
    ]);
  });

  it('sends the thank-you without marketing consent, and nothing else', async () => {
    const buyer = { id: uniqueId('pp-noconsent'), consent: { email: false, sms: false } };
    await buy(buyer);
    await advanceDays(40);
    expect((await messages(buyer.id)).filter((line) => line.startsWith('post-purchase'))).toEqual([
      'post-purchase/thank-you/email/sent',
      'post-purchase/feedback/email/suppressed',
      'post-purchase/content/email/suppressed',
    ]);
  });

  it('lets a newer order end the older order journey, counting it as converted', async () => {
    const buyer = { id: uniqueId('pp-newer') };
    await buy(buyer);
    const [first] = executionsOf('post-purchase-').filter((execution) => JSON.parse(execution.input).entry.customerId === buyer.id);
    await advanceDays(3);

    await buy(buyer);

    const executions = executionsOf('post-purchase-').filter((execution) => JSON.parse(execution.input).entry.customerId === buyer.id);
    expect(executions).toHaveLength(2);
    expect(first?.status).toBe('ABORTED');
    expect(executions.filter((execution) => execution.status === 'RUNNING')).toHaveLength(1);
  });

  it('asks a monthly buyer the feedback question at most once per 90 days, still offering what goes with each order, and logs why the question was left out', async () => {
    const buyer = { id: uniqueId('pp-monthly') };
    // Four orders a month apart: four post-purchase journeys, each a week from its feedback email.
    for (let month = 0; month < 4; month += 1) {
      await buy(buyer);
      await advanceDays(31);
    }
    const feedbackEmails = (await outbox(buyer.id)).filter((item) => item.step === 'feedback' && item.status !== 'deferred');
    expect(feedbackEmails.map((item) => item.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    // Dog food has complements in the rules file: every email offers them.
    for (const item of feedbackEmails) expect(item.text).toMatch(/Goes well with your order/);
    const asked = feedbackEmails.map((item) => /how likely are you to recommend us/.test(item.text ?? ''));
    expect(asked).toEqual([true, false, false, true]);
    const questions = feedbackEmails.filter((_, index) => asked[index]);
    expect(Date.parse(questions[1]!.at) - Date.parse(questions[0]!.at)).toBeGreaterThanOrEqual(90 * DAY);
    for (const item of feedbackEmails.filter((_, index) => !asked[index])) {
      expect(item.reason).toMatch(/^npsUrl left out: already asked on \d{4}-\d{2}-\d{2}, at most once per 90 days$/);
    }
    expect((await messages(buyer.id)).filter((line) => line === 'post-purchase/content/email/sent')).toHaveLength(4);
  });

  it("takes the loyalty invitation along with the third order's thank-you, in the customer's morning when the order came at night, with no execution of its own", async () => {
    const buyer = { id: uniqueId('pp-invite'), timezone: 'Asia/Tokyo' };
    // 15:00 UTC is midnight in Tokyo: quiet hours.
    const now = clock.now().getTime();
    await clock.advance({ minutes: Math.ceil((Math.ceil((now - 15 * 3_600_000) / DAY) * DAY + 15 * 3_600_000 - now) / 60_000) });
    await buy(buyer);
    await buy(buyer);
    const third = await buy(buyer);
    await advanceDays(1);

    const invitation = (await outbox(buyer.id)).filter((item) => item.journey === 'loyalty-invite');
    expect(invitation.map((item) => item.status)).toEqual(['deferred', 'sent']);
    const tokyo = (at: string) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
    const minutes = wakeOffsetMs(buyer.id, defaultDeliveryPolicy.wakeSpreadMs) / 60_000;
    expect(tokyo(invitation[1]!.at)).toBe(`09:${String(minutes).padStart(2, '0')}`);
    const ofBuyer = (prefix: string) => executionsOf(prefix).filter((execution) => JSON.parse(execution.input).entry.customerId === buyer.id);
    expect(ofBuyer('loyalty-invite-')).toEqual([]);
    // The third order's journey ran the invitation in its morning, and waits for the feedback step.
    const carrier = ofBuyer('post-purchase-').find((execution) => JSON.parse(execution.input).entry.orderId === third)!;
    expect(carrier.statesEntered).toEqual(['ThankYouEmail', 'WaitForFeedbackEmail', 'FeedbackEmail', 'WaitForContentEmail']);
  });

  it('defers a message over the frequency cap to the next free slot instead of dropping it', async () => {
    const buyer = { id: uniqueId('pp-cap') };
    // Three orders in three days: two thank-yous (transactional, uncapped) and the loyalty
    // invitation on the third; the third order's feedback then competes with the others.
    await buy(buyer);
    await advanceDays(1);
    await buy(buyer);
    await advanceDays(1);
    await buy(buyer);
    await advanceDays(40);
    const log = await outbox(buyer.id);
    const marketing = log.filter((item) => item.status === 'sent' && item.step !== 'thank-you' && item.channel !== 'task');
    // Never more than two marketing messages in any 7 days.
    for (const item of marketing) {
      const within = marketing.filter((other) => Math.abs(Date.parse(other.at) - Date.parse(item.at)) < 7 * DAY);
      expect(within.length).toBeLessThanOrEqual(2);
    }
    expect(log.some((item) => item.journey === 'loyalty-invite' && item.status === 'sent')).toBe(true);
  });
});

describe('admins', () => {
  it('see who is inside a journey and at which step, and can take a customer out', async () => {
    const buyer = { id: uniqueId('admin') };
    await buy(buyer);
    const list = await journeyCustomers(httpEvent({ method: 'GET', path: '/v1/journeys/post-purchase/customers', pathParameters: { name: 'post-purchase' }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }), lambdaContext);
    const listed = JSON.parse(list.body ?? '{}') as { items: { customerId: string; step: string }[] };
    expect(listed.items).toContainEqual(expect.objectContaining({ customerId: buyer.id, step: 'thank-you' }));

    const removed = await removeJourneyCustomer(
      httpEvent({ method: 'DELETE', path: `/v1/journeys/post-purchase/customers/${buyer.id}`, pathParameters: { name: 'post-purchase', id: buyer.id }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }),
      lambdaContext,
    );
    expect(removed.statusCode).toBe(200);
    await advanceDays(10);
    expect(await messages(buyer.id)).toEqual(['post-purchase/thank-you/email/sent']);

    const again = await removeJourneyCustomer(
      httpEvent({ method: 'DELETE', path: `/v1/journeys/post-purchase/customers/${buyer.id}`, pathParameters: { name: 'post-purchase', id: buyer.id }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }),
      lambdaContext,
    );
    expect(again.statusCode).toBe(404);
    const unknown = await journeyCustomers(httpEvent({ method: 'GET', path: '/v1/journeys/nope/customers', pathParameters: { name: 'nope' }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }), lambdaContext);
    expect(unknown.statusCode).toBe(400);
  });
});
