/**
 * Opt-outs in the core: which inbound SMS are opt-out keywords, what an inbound STOP does through
 * fake ports, and consent as the customer API shows it next to what delivery decides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideDelivery } from '../../../functions/core/delivery/guardrails.ts';
import {
  consentAfterOptOuts,
  isSmsOptOut,
  receiveInboundSms,
  withOptOuts,
  type InboundSmsPorts,
  type OptOutVia,
} from '../../../functions/core/delivery/opt-outs.ts';
import type { ContactChannel } from '../../../functions/core/delivery/types.ts';
import { contact, intent } from './fixtures.ts';

describe('SMS opt-out keywords', () => {
  it.each([
    'STOP', 'stop', ' Stop. ', 'STOP!', 'Stop all', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'opt-out', 'Opt out', 'REVOKE', 'arrêt',
    'СТОП', 'стоп', 'Стоп!', 'ВІДПИСАТИСЯ', 'відписатись', 'Відписка', 'ОТПИСАТЬСЯ', 'отписка', 'Stopp', 'abmelden', 'BAJA', 'ＳＴＯＰ',
  ])('%j withdraws SMS consent', (text) => {
    expect(isSmsOptOut(text)).toBe(true);
  });

  it.each(['', 'HELP', 'START', 'YES', 'stopped', 'Please stop', 'stop sending me offers', 'where is my order?', 'STOP '.repeat(20), 'ST OP NOW'])(
    '%j is not an opt-out',
    (text) => {
      expect(isSmsOptOut(text)).toBe(false);
    },
  );

  it('answers for any text without throwing, and never for a long message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const answer = isSmsOptOut(text);
        expect(typeof answer).toBe('boolean');
        if (text.length > 40) expect(answer).toBe(false);
      }),
    );
  });
});

/** Ports over an in-memory directory and preferences, as the adapters behave. */
function memoryPorts(phones: Record<string, string[]>) {
  const optOuts = new Map<string, { at: string; via: OptOutVia }>();
  const lookups: string[] = [];
  const ports: InboundSmsPorts = {
    now: () => new Date('2026-06-01T09:00:00.000Z'),
    customersWithPhone: async (phone) => {
      lookups.push(phone);
      return phones[phone] ?? [];
    },
    recordOptOut: async (customerId: string, channel: ContactChannel, via: OptOutVia, at: string) => {
      const key = `${customerId}/${channel}`;
      if (optOuts.has(key)) return 'already';
      optOuts.set(key, { at, via });
      return 'recorded';
    },
  };
  return { ports, optOuts, lookups };
}

describe('an inbound SMS', () => {
  it('that says STOP withdraws SMS consent of every customer with the number, once', async () => {
    const { ports, optOuts } = memoryPorts({ '+15555550123': ['ada', 'ada@example.com'] });

    const first = await receiveInboundSms(ports, { from: '+15555550123', text: 'Stop' });
    const again = await receiveInboundSms(ports, { from: '+15555550123', text: 'STOP' });

    expect(first).toEqual({ kind: 'opted-out', customers: [{ customerId: 'ada', status: 'recorded' }, { customerId: 'ada@example.com', status: 'recorded' }] });
    expect(again).toEqual({ kind: 'opted-out', customers: [{ customerId: 'ada', status: 'already' }, { customerId: 'ada@example.com', status: 'already' }] });
    expect(Object.fromEntries(optOuts)).toEqual({
      'ada/sms': { at: '2026-06-01T09:00:00.000Z', via: 'sms-stop' },
      'ada@example.com/sms': { at: '2026-06-01T09:00:00.000Z', via: 'sms-stop' },
    });
  });

  it('from a number no customer has changes nothing', async () => {
    const { ports, optOuts } = memoryPorts({});
    expect(await receiveInboundSms(ports, { from: '+15555550199', text: 'STOP' })).toEqual({ kind: 'unknown-number' });
    expect(optOuts.size).toBe(0);
  });

  it('that is conversation is left alone, without even looking the number up', async () => {
    const { ports, optOuts, lookups } = memoryPorts({ '+15555550123': ['ada'] });
    expect(await receiveInboundSms(ports, { from: '+15555550123', text: 'When does my order arrive?' })).toEqual({ kind: 'not-an-opt-out' });
    expect(lookups).toEqual([]);
    expect(optOuts.size).toBe(0);
  });
});

describe('consent after opt-outs', () => {
  it('is false on a withdrawn channel and unchanged on the others', () => {
    expect(consentAfterOptOuts({ email: true, sms: true }, { email: { at: '2026-06-01T09:00:00.000Z', via: 'one-click' } })).toEqual({ email: false, sms: true });
    expect(consentAfterOptOuts({}, { sms: { at: '2026-06-01T09:00:00.000Z' } })).toEqual({ sms: false });
    expect(consentAfterOptOuts({ email: true }, {})).toEqual({ email: true });
  });

  it('shows on the profile with when and how, keeping every other field', () => {
    const optOuts = { email: { at: '2026-06-01T09:00:00.000Z', via: 'unsubscribe-link' as const } };
    expect(withOptOuts({ customerId: 'ada', consent: { email: true, sms: true } }, optOuts)).toEqual({
      customerId: 'ada',
      consent: { email: false, sms: true },
      optOuts,
    });
    expect(withOptOuts({ consent: { email: true } }, {})).toEqual({ consent: { email: true }, optOuts: {} });
  });

  it('agrees with delivery: marketing stops on the withdrawn channel, transactional messages go on', () => {
    const noon = new Date('2026-06-02T12:00:00.000Z');
    const customer = contact({ consent: { email: true, sms: true } }, { email: { optedOutAt: '2026-06-01T09:00:00.000Z' } });
    const shown = consentAfterOptOuts(customer.profile.consent, { email: { at: '2026-06-01T09:00:00.000Z' } });

    expect(shown.email).toBe(false);
    expect(decideDelivery(intent({ marketing: true }), customer, [], noon).kind).toBe('suppress');
    expect(decideDelivery(intent({ marketing: false, template: 'post-purchase-thank-you', journey: 'post-purchase' }), customer, [], noon)).toEqual({ kind: 'send' });
    expect(shown.sms).toBe(true);
    expect(decideDelivery(intent({ channel: 'sms', template: 'win-back-sms' }), customer, [], noon)).toEqual({ kind: 'send' });
  });
});
