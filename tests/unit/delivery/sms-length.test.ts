/** SMS length as the network counts it, and the maximum number of parts delivery allows. */
import { describe, expect, it } from 'vitest';
import { deliverMessage } from '../../../functions/core/delivery/deliver.ts';
import { smsLength } from '../../../functions/core/delivery/sms-length.ts';
import { contact, intent, memoryDeliveryPorts } from './fixtures.ts';

describe('smsLength', () => {
  it.each([
    ['', 'GSM-7', 0, 0],
    ['a'.repeat(160), 'GSM-7', 160, 1],
    ['a'.repeat(161), 'GSM-7', 161, 2],
    ['a'.repeat(306), 'GSM-7', 306, 2],
    ['a'.repeat(307), 'GSM-7', 307, 3],
    // € and [ ] take two septets each (the extension table).
    ['Price: 10€ [sale]', 'GSM-7', 20, 1],
    ['a'.repeat(158) + '€', 'GSM-7', 160, 1],
    ['a'.repeat(159) + '€', 'GSM-7', 161, 2],
    ['Ä ö ñ ü à é @ £ $ ¥', 'GSM-7', 19, 1],
    ['ж'.repeat(70), 'UCS-2', 70, 1],
    ['ж'.repeat(71), 'UCS-2', 71, 2],
    ['ж'.repeat(134), 'UCS-2', 134, 2],
    ['ж'.repeat(135), 'UCS-2', 135, 3],
    // One Cyrillic letter makes the whole text UCS-2.
    ['a'.repeat(69) + 'я', 'UCS-2', 70, 1],
    // An emoji is two UTF-16 units; ç (lower case) is not in GSM-7.
    ['Hi 👋', 'UCS-2', 5, 1],
    ['français', 'UCS-2', 8, 1],
  ])('%j: %s, %i units, %i parts', (text, encoding, units, segments) => {
    expect(smsLength(text)).toEqual({ encoding, units, segments });
  });
});

describe('the SMS maximum at delivery', () => {
  const variables = { discountCode: 'COMEBACK-7QX2A1B3', shopUrl: 'https://shop.example' };

  it('sends a Ukrainian SMS of two UCS-2 parts under the default maximum', async () => {
    const world = memoryDeliveryPorts({ 'cust-1': contact({ locale: 'uk-UA' }) });

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'wb.sms', channel: 'sms', template: 'win-back-sms', variables }));

    expect(outcome).toEqual({ status: 'sent' });
    const text = world.sent.sms[0]?.text ?? '';
    expect(text).toBe('Сумуємо за вами! Ваш код COMEBACK-7QX2A1B3 чекає: https://shop.example Відповідь STOP — відписатися.');
    expect(smsLength(text)).toEqual({ encoding: 'UCS-2', units: text.length, segments: 2 });
  });

  it('refuses a text over the configured maximum, with the reason in the log, and sends nothing', async () => {
    const world = memoryDeliveryPorts({ 'cust-1': contact({ locale: 'uk-UA' }) });
    world.ports.smsMaxSegments = 1;

    const outcome = await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'wb.sms', channel: 'sms', template: 'win-back-sms', variables }));

    expect(outcome).toEqual({ status: 'failed', reason: expect.stringMatching(/^the SMS takes 2 parts \(\d+ UCS-2 units\), over the maximum of 1$/) });
    expect(world.sent.sms).toEqual([]);
    expect(world.log).toEqual([expect.objectContaining({ status: 'failed', channel: 'sms', reason: outcome.reason })]);
  });

  it('sends the English text in one GSM-7 message', async () => {
    const world = memoryDeliveryPorts({ 'cust-1': contact() });
    world.ports.smsMaxSegments = 1;

    await deliverMessage(world.ports, 'cust-1', intent({ messageId: 'wb.sms', channel: 'sms', template: 'win-back-sms', variables }));

    expect(smsLength(world.sent.sms[0]?.text ?? '')).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});
