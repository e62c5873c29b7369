/**
 * The links of a message, followed as a customer does, on DynamoDB Local with the handlers as
 * deployed: the unsubscribe link's page, its button, RFC 8058 one-click; the feedback link's
 * question, its form, a changed answer; and what the customer API shows afterwards.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { useClock } from '../../functions/adapters/clock.ts';
import { deliveryPorts } from '../../functions/adapters/delivery-ports.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { journeyStepPorts } from '../../functions/adapters/journey-sending-ports.ts';
import { DynamoMessageLog } from '../../functions/adapters/message-log.ts';
import { feedbackToken } from '../../functions/core/analytics/feedback.ts';
import { joinToken } from '../../functions/core/loyalty/join-link.ts';
import { onPurchaseRecorded } from '../../functions/core/loyalty/use-cases.ts';
import { parsePurchase } from '../../functions/core/purchase.ts';
import { loyaltyPorts } from '../../functions/adapters/loyalty-ports.ts';
import { deliverMessage } from '../../functions/core/delivery/deliver.ts';
import { signUnsubscribeToken } from '../../functions/core/delivery/unsubscribe.ts';
import { CONTENT_SECURITY_POLICY, escapeHtml } from '../../functions/core/pages/html.ts';
import { customerSchema } from '../../lib/openapi.ts';
import { TEST_FEEDBACK_SECRET, TEST_UNSUBSCRIBE_SECRET } from '../support/environment.ts';
import { uniqueId } from '../support/events.ts';
import { BROWSER_ACCEPT, call, customerView, customerWithOrder, eventFor, FORM, open, partitionOf, PUBLIC_URL, routes, submitForm } from './public-routes.ts';
import { lambdaContext } from '../support/events.ts';
import { messageIntents } from '../support/message-intents.ts';

let clock = new Date('2026-06-01T12:00:00.000Z');
useClock({ now: () => clock });
beforeEach(() => {
  clock = new Date('2026-06-01T12:00:00.000Z');
});
afterAll(() => useClock({ now: () => new Date() }));

const delivery = deliveryPorts();
const log = new DynamoMessageLog(documentClient, tableName);
const { winBackEmail, thankYou: thankYouOn } = messageIntents('https://shop.test');
const thankYou = (customerId: string) => thankYouOn(customerId, { placedAt: '2026-05-01T08:00:00.000Z' });

const hostile = `</textarea><script>alert("x")</script> & 'quotes'`;

function expectPage(answer: { status: number; type: string; headers: Record<string, string>; body: string }, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.type).toBe('text/html; charset=utf-8');
  expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(answer.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
  expect(answer.body.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
}

/** The unsubscribe link of the last email sent to a customer, as the inbox shows it. */
async function unsubscribeLinkOfLastEmail(customerId: string): Promise<string> {
  const entries = await log.recent(customerId, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
  const text = entries.filter((entry) => entry.status === 'sent').at(-1)?.text ?? '';
  const link = new RegExp(`${PUBLIC_URL}/v1/unsubscribe\\?token=[\\w-]+`).exec(text)?.[0];
  if (!link) throw new Error(`no unsubscribe link in ${text}`);
  return link;
}

describe('the unsubscribe link', () => {
  it('opens a page naming the shop and what stops; its button unsubscribes; marketing stops, receipts go on', async () => {
    // Prepare: a customer who got a marketing email.
    const customerId = await customerWithOrder();
    expect(await deliverMessage(delivery, customerId, winBackEmail(customerId))).toMatchObject({ status: 'sent' });
    const link = await unsubscribeLinkOfLastEmail(customerId);

    // Act: open the link, then press the button.
    const page = await open('GET /v1/unsubscribe', link);
    const before = await partitionOf(customerId);
    clock = new Date('2026-06-02T08:30:00.000Z');
    const done = await submitForm('POST /v1/unsubscribe', link, page.body);

    // Assess
    expectPage(page, 200);
    expect(page.body).toContain('<h1>Unsubscribe from marketing emails</h1>');
    expect(page.body).toContain('Stop getting marketing emails from shop.test');
    expect(before[`PREFERENCES`]).toBeUndefined();
    expectPage(done, 200);
    expect(done.body).toContain('<h1>You are unsubscribed</h1>');

    const { status, body } = await customerView(customerId);
    expect(status).toBe(200);
    expect(customerSchema.safeParse(body).success).toBe(true);
    expect(body.profile['consent']).toEqual({ email: false, sms: true });
    expect(body.profile['optOuts']).toEqual({ email: { at: '2026-06-02T08:30:00.000Z', via: 'unsubscribe-link' } });

    clock = new Date('2026-06-09T12:00:00.000Z');
    expect(await deliverMessage(delivery, customerId, { ...winBackEmail(customerId), messageId: `${customerId}.win-back.again` })).toMatchObject({ status: 'suppressed' });
    expect(await deliverMessage(delivery, customerId, thankYou(customerId))).toMatchObject({ status: 'sent' });

    // Opening the link again says so, and offers no button.
    const again = await open('GET /v1/unsubscribe', link);
    expectPage(again, 200);
    expect(again.body).toContain('You unsubscribed from marketing emails from shop.test on 2 June 2026.');
    expect(again.body).not.toContain('<form');
  });

  it('keeps working as RFC 8058 one-click, form-urlencoded or multipart, and keeps the first opt-out', async () => {
    const first = await customerWithOrder();
    const second = await customerWithOrder();
    const tokenOf = (id: string) => signUnsubscribeToken(TEST_UNSUBSCRIBE_SECRET, id, 'email');

    const urlencoded = await call('POST /v1/unsubscribe', { query: { token: tokenOf(first) }, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': FORM } });
    const boundary = '----mailbox';
    const multipart = await call('POST /v1/unsubscribe', {
      query: { token: tokenOf(second) },
      body: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      base64: true,
    });
    clock = new Date('2026-06-05T12:00:00.000Z');
    const repeated = await call('POST /v1/unsubscribe', { query: { token: tokenOf(first) }, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': FORM } });

    for (const answer of [urlencoded, multipart, repeated]) {
      expect(answer).toMatchObject({ status: 200, type: 'application/json' });
    }
    expect(JSON.parse(urlencoded.body)).toEqual({ customerId: first, channel: 'email', status: 'unsubscribed' });
    for (const id of [first, second]) {
      expect((await customerView(id)).body.profile['optOuts']).toEqual({ email: { at: '2026-06-01T12:00:00.000Z', via: 'one-click' } });
    }
  });

  it('answers a link that is not ours with a readable page and status 400, and records nothing', async () => {
    const customerId = await customerWithOrder();
    const forged = signUnsubscribeToken('not-our-secret', customerId, 'email');
    const real = signUnsubscribeToken(TEST_UNSUBSCRIBE_SECRET, customerId, 'email');
    const cut = real.slice(0, 20);

    const answers = [
      await open('GET /v1/unsubscribe', `${PUBLIC_URL}/v1/unsubscribe?token=${forged}`),
      await open('GET /v1/unsubscribe', `${PUBLIC_URL}/v1/unsubscribe?token=${cut}`),
      await open('GET /v1/unsubscribe', `${PUBLIC_URL}/v1/unsubscribe`),
      await call('POST /v1/unsubscribe', { query: { token: forged }, headers: { 'content-type': FORM, accept: BROWSER_ACCEPT } }),
    ];

    for (const answer of answers) {
      expectPage(answer, 400);
      expect(answer.body).toContain('<h1>This link does not work</h1>');
      expect(answer.body).not.toContain('"detail"');
    }
    expect((await partitionOf(customerId))['PREFERENCES']).toBeUndefined();
    // A mailbox provider (no text/html) still gets problem+json.
    expect(await call('POST /v1/unsubscribe', { query: { token: forged }, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': FORM } })).toMatchObject({
      status: 400,
      type: 'application/problem+json',
    });
  });
});

describe('the feedback link', () => {
  it('asks the 0-10 question; the form records the answer and a comment; a second answer replaces the first', async () => {
    // Prepare: the link as the post-purchase journey puts it in the feedback email.
    const customerId = await customerWithOrder();
    const entryId = uniqueId('post-purchase');
    const link = await journeyStepPorts(() => undefined).links.feedback(customerId, entryId);
    expect(link.startsWith(`${PUBLIC_URL}/v1/feedback?token=`)).toBe(true);

    // Act: open, answer 7 with a comment, open again, change to 9.
    const page = await open('GET /v1/feedback', link);
    const nothingYet = await partitionOf(customerId);
    clock = new Date('2026-06-01T12:05:00.000Z');
    const thanks = await submitForm('POST /v1/feedback', link, page.body, { score: '7', comment: hostile });
    const reopened = await open('GET /v1/feedback', link);
    clock = new Date('2026-06-03T18:00:00.000Z');
    const changed = await submitForm('POST /v1/feedback', link, reopened.body, { score: '9', comment: '' });

    // Assess
    expectPage(page, 200);
    expect(page.body.match(/type="radio" name="score"/g)).toHaveLength(11);
    expect(page.body).toContain('How likely are you to recommend shop.test to a friend or colleague?');
    expect(Object.keys(nothingYet).filter((sk) => sk.startsWith('FEEDBACK'))).toEqual([]);

    expectPage(thanks, 200);
    expect(thanks.body).toContain('You answered 7 out of 10.');
    expect(thanks.body).toContain(escapeHtml(hostile));
    expect(thanks.body).not.toContain('<script>');

    expectPage(reopened, 200);
    expect(reopened.body).toContain('value="7" required checked>');
    expect(reopened.body).toContain('You answered 7 before.');
    expect(reopened.body).toContain(`rows="4">${escapeHtml(hostile)}</textarea>`);

    expectPage(changed, 200);
    expect(changed.body).toContain('Your answer is changed to 9 out of 10.');
    const feedback = Object.values(await partitionOf(customerId)).filter((item) => String(item['sk']).startsWith('FEEDBACK'));
    expect(feedback.map((item) => [item['sk'], item['score'], item['comment']])).toEqual([
      [`FEEDBACK#2026-06-03T18:00:00.000Z#${entryId}`, 9, undefined],
      [`FEEDBACK_ENTRY#${entryId}`, 9, undefined],
    ]);
  });

  it('shows the number a link picked, and asks again, keeping the comment, when none is picked', async () => {
    const customerId = uniqueId('cust');
    const token = feedbackToken(customerId, 'entry-1', TEST_FEEDBACK_SECRET);
    const link = `${PUBLIC_URL}/v1/feedback?token=${token}&score=10`;

    const page = await open('GET /v1/feedback', link);
    const refused = await call('POST /v1/feedback', { query: { token }, body: 'comment=Great+food', headers: { 'content-type': FORM, accept: BROWSER_ACCEPT } });
    const tooLong = await call('POST /v1/feedback', { query: { token }, body: `score=3&comment=${'x'.repeat(2001)}`, headers: { 'content-type': FORM } });

    expect(page.body).toContain('value="10" required checked>');
    expectPage(refused, 400);
    expect(refused.body).toContain('<p class="error" role="alert">Pick a number from 0 to 10.</p>');
    expect(refused.body).toContain('rows="4">Great food</textarea>');
    expectPage(tooLong, 400);
    expect(tooLong.body).toContain('The comment is too long.');
    expect(tooLong.body).toContain('value="3" required checked>');
    expect(await partitionOf(customerId)).toEqual({});
  });

  it('answers a link that is not ours with a readable page and status 400, JSON callers as before', async () => {
    const customerId = uniqueId('cust');
    const forged = feedbackToken(customerId, 'entry-1', 'not-our-secret');

    const page = await open('GET /v1/feedback', `${PUBLIC_URL}/v1/feedback?token=${forged}`);
    const form = await call('POST /v1/feedback', { query: { token: forged }, body: 'score=10', headers: { 'content-type': FORM, accept: BROWSER_ACCEPT } });
    const json = await call('POST /v1/feedback', { body: JSON.stringify({ token: forged, score: 10 }), headers: { 'content-type': 'application/json' } });

    for (const answer of [page, form]) {
      expectPage(answer, 400);
      expect(answer.body).toContain('<h1>This link does not work</h1>');
    }
    expect(json).toMatchObject({ status: 401, type: 'application/problem+json' });
    expect(await partitionOf(customerId)).toEqual({});
  });
});

describe('the join link of the loyalty invitation', () => {
  it('offers to join in the customer language; the button joins her at once; opening it again says since when', async () => {
    // Prepare: the link as the invitation carries it, opened in a Ukrainian browser.
    const customerId = await customerWithOrder();
    const link = await journeyStepPorts(() => undefined).links.join(customerId);
    expect(link.startsWith(`${PUBLIC_URL}/v1/join?token=`)).toBe(true);
    const ukrainian = { accept: BROWSER_ACCEPT, 'accept-language': 'uk-UA,uk;q=0.9,en;q=0.5' };
    const query = Object.fromEntries(new URL(link).searchParams);

    // Act
    const page = await call('GET /v1/join', { query, headers: ukrainian });
    const nothingYet = await partitionOf(customerId);
    clock = new Date('2026-06-01T12:07:00.000Z');
    const action = /<form method="post" action="\?token=([^"]*)">/.exec(page.body)?.[1];
    const joined = await call('POST /v1/join', { query: { token: decodeURIComponent(action ?? '') }, body: '', headers: { ...ukrainian, 'content-type': FORM } });
    const reopened = await call('GET /v1/join', { query, headers: ukrainian });
    // A GET that reaches the button's function shows the page and joins nobody twice.
    const getOnPost = await routes['POST /v1/join'](eventFor('GET /v1/join', { query, headers: ukrainian }), lambdaContext);

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="uk"');
    expect(page.body).toContain('<h1>Приєднуйтеся до програми лояльності</h1>');
    expect(page.body).toContain('<button type="submit">Приєднатися</button>');
    expect(nothingYet['LOYALTY']).toBeUndefined();
    expect(joined.status).toBe(200);
    expect(joined.body).toContain('Ласкаво просимо до програми');
    expect((await partitionOf(customerId))['LOYALTY']).toMatchObject({ joinedAt: '2026-06-01T12:07:00.000Z', joinedVia: 'invitation-link' });
    expect(reopened.body).toContain('Ви приєдналися до програми лояльності shop.test');
    expect(reopened.body).not.toContain('<form');
    expect(getOnPost.statusCode).toBe(200);
    expect(getOnPost.body).toContain('Ви приєдналися');
  });

  it('names the points waiting for a customer who has not joined, in English for an English browser', async () => {
    const customerId = uniqueId('cust');
    const token = joinToken(customerId, TEST_FEEDBACK_SECRET);
    // Points only: no profile was recorded for her.
    await onPurchaseRecorded(loyaltyPorts(), parsePurchase({ orderId: uniqueId('order'), placedAt: '2026-05-30T10:00:00.000Z', currency: 'USD', total: '100.00', customer: { id: customerId, email: 'ada@example.com' }, items: [{ sku: 'DOG-FOOD', name: 'Dog food', quantity: 1, unitPrice: '100.00' }] }), undefined);

    const page = await open('GET /v1/join', `${PUBLIC_URL}/v1/join?token=${token}`);

    expectPage(page, 200);
    expect(page.body).toContain('You already have 300 points waiting for you.');
  });

  it('answers a link that is not ours, or a feedback link, with a readable page and status 400, joining nobody', async () => {
    const customerId = await customerWithOrder();
    const forged = joinToken(customerId, 'not-our-secret');
    const feedback = feedbackToken(customerId, 'entry-1', TEST_FEEDBACK_SECRET);

    const page = await open('GET /v1/join', `${PUBLIC_URL}/v1/join?token=${forged}`);
    const form = await call('POST /v1/join', { query: { token: forged }, body: '', headers: { 'content-type': FORM, accept: BROWSER_ACCEPT } });
    const other = await call('POST /v1/join', { query: { token: feedback }, body: '', headers: { 'content-type': FORM } });
    const none = await call('POST /v1/join', { headers: { accept: 'application/json' } });

    for (const answer of [page, form, other, none]) {
      expectPage(answer, 400);
      expect(answer.body).toContain('<h1>This link does not work</h1>');
    }
    expect((await partitionOf(customerId))['LOYALTY']).toBeUndefined();
  });
});
