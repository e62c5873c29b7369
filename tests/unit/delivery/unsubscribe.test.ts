/** Signed unsubscribe tokens: round trip, rotation, and every way a token can be wrong. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { signUnsubscribeToken, unsubscribeHeaders, unsubscribeUrl, verifyUnsubscribeToken } from '../../../functions/core/delivery/unsubscribe.ts';

const secret = 'unsub_current';

describe('unsubscribe tokens', () => {
  it('name the customer and the channel they were signed for', () => {
    const token = signUnsubscribeToken(secret, 'cust.42:a/b', 'sms');

    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyUnsubscribeToken(token, [secret])).toEqual({ customerId: 'cust.42:a/b', channel: 'sms' });
  });

  it('stay valid while their secret is one of the current ones (rotation)', () => {
    const token = signUnsubscribeToken('unsub_previous', 'cust-1', 'email');

    expect(verifyUnsubscribeToken(token, [secret, 'unsub_previous'])).toEqual({ customerId: 'cust-1', channel: 'email' });
    expect(() => verifyUnsubscribeToken(token, [secret])).toThrow('the unsubscribe token is not valid');
  });

  it('cannot be moved to another customer or channel', () => {
    const bytes = Buffer.from(signUnsubscribeToken(secret, 'cust-1', 'email'), 'base64url');
    const mac = bytes.subarray(bytes.length - 32);
    const forged = (subject: string) => Buffer.concat([Buffer.from(subject), mac]).toString('base64url');

    expect(() => verifyUnsubscribeToken(forged('email.cust-2'), [secret])).toThrow(InvalidInputError);
    expect(() => verifyUnsubscribeToken(forged('sms.cust-1'), [secret])).toThrow(InvalidInputError);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['too short', Buffer.alloc(20).toString('base64url')],
    ['no channel', Buffer.concat([Buffer.from('cust-1'), Buffer.alloc(32)]).toString('base64url')],
    ['unknown channel', Buffer.concat([Buffer.from('fax.cust-1'), Buffer.alloc(32)]).toString('base64url')],
    ['no customer', Buffer.concat([Buffer.from('email.'), Buffer.alloc(32)]).toString('base64url')],
    ['tampered signature', `${signUnsubscribeToken(secret, 'cust-1', 'email').slice(0, -2)}AA`],
  ])('are refused when %s', (_case, token) => {
    expect(() => verifyUnsubscribeToken(token, [secret])).toThrow(InvalidInputError);
  });

  it('make the one-click link and the RFC 8058 headers', () => {
    const url = unsubscribeUrl('https://api.example.com/', 'TOKEN');

    expect(url).toBe('https://api.example.com/v1/unsubscribe?token=TOKEN');
    expect(unsubscribeHeaders(url)).toEqual({
      'List-Unsubscribe': '<https://api.example.com/v1/unsubscribe?token=TOKEN>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});
