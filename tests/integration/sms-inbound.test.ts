/**
 * Inbound SMS opt-outs on DynamoDB Local: End User Messaging's SNS notifications through the
 * deployed handler, and the local host's simulation of one (lib/local/sms-inbound.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { useClock } from '../../functions/adapters/clock.ts';
import { smsInboundRoute } from '../../lib/local/sms-inbound.ts';
import { customerView, customerWithOrder, inboundSms, partitionOf, receiveSms } from './public-routes.ts';

const clock = new Date('2026-06-01T12:00:00.000Z');
useClock({ now: () => clock });
afterAll(() => useClock({ now: () => new Date() }));

let numbers = 0;
/** A number no other test uses, so customers found by it are this test's own. */
const freshNumber = () => `+1999${process.pid % 1000}${String(++numbers).padStart(4, '0')}`;

describe('an inbound SMS through End User Messaging', () => {
  it('that says STOP withdraws SMS consent of every customer with the number; email goes on', async () => {
    const phone = freshNumber();
    const ada = await customerWithOrder({ phone });
    const guest = await customerWithOrder({ phone });
    const other = await customerWithOrder({ phone: freshNumber() });

    await receiveSms([inboundSms(phone, 'Stop')]);

    for (const id of [ada, guest]) {
      const { body } = await customerView(id);
      expect(body.profile['consent']).toEqual({ email: true, sms: false });
      expect(body.profile['optOuts']).toEqual({ sms: { at: '2026-06-01T12:00:00.000Z', via: 'sms-stop' } });
    }
    expect((await customerView(other)).body.profile['optOuts']).toEqual({});
  });

  it('in Ukrainian or Russian works the same', async () => {
    const [uk, ru] = [freshNumber(), freshNumber()];
    const [olena, ivan] = [await customerWithOrder({ phone: uk }), await customerWithOrder({ phone: ru })];

    await receiveSms([inboundSms(uk, 'СТОП'), inboundSms(ru, 'отписаться')]);

    expect((await customerView(olena)).body.profile['consent']).toEqual({ email: true, sms: false });
    expect((await customerView(ivan)).body.profile['consent']).toEqual({ email: true, sms: false });
  });

  it('leaves conversation, unknown numbers and unreadable notifications alone, and goes on with the rest of the batch', async () => {
    const phone = freshNumber();
    const customerId = await customerWithOrder({ phone });
    const before = await partitionOf(customerId);

    await receiveSms([
      inboundSms(phone, 'Where is my order?'),
      inboundSms(freshNumber(), 'STOP'),
      'not json',
      JSON.stringify({ originationNumber: 'somebody', messageBody: 'STOP' }),
      JSON.stringify({ hello: 'world' }),
    ]);

    expect(await partitionOf(customerId)).toEqual(before);
    await receiveSms(['{', inboundSms(phone, 'STOP')]);
    expect((await customerView(customerId)).body.profile['optOuts']).toMatchObject({ sms: { via: 'sms-stop' } });
  });
});

describe('POST /_local/sms/inbound', () => {
  const post = (body: string) => smsInboundRoute.handle({ url: new URL('http://127.0.0.1/_local/sms/inbound'), body: Buffer.from(body), parameters: {} });

  it('plays a customer replying STOP, through the same code as on AWS', async () => {
    const phone = freshNumber();
    const customerId = await customerWithOrder({ phone });

    const answer = await post(JSON.stringify({ from: phone, text: 'STOP' }));
    const again = await post(JSON.stringify({ from: phone, text: 'stop' }));

    expect(answer).toEqual({ status: 200, body: { from: phone, text: 'STOP', outcome: { kind: 'opted-out', customers: [{ customerId, status: 'recorded' }] } } });
    expect(again.body).toMatchObject({ outcome: { kind: 'opted-out', customers: [{ customerId, status: 'already' }] } });
    expect((await customerView(customerId)).body.profile['consent']).toEqual({ email: true, sms: false });
  });

  it('refuses a body that is not a text from an E.164 number', async () => {
    for (const body of ['nope', '{}', JSON.stringify({ from: '555-0123', text: 'STOP' }), JSON.stringify({ from: '+15555550123', text: 'STOP', extra: 1 })]) {
      expect((await post(body)).status).toBe(400);
    }
  });
});
