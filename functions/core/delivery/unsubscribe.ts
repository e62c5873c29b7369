/**
 * One-click unsubscribe links (RFC 8058). The token names the customer and the channel and carries
 * an HMAC-SHA256 over both, so it needs no storage and cannot be forged or moved to another
 * customer: base64url("<channel>.<customerId>" + 32-byte MAC). Verification is constant-time and
 * accepts any of the current secrets, so the secret can be rotated without breaking sent links.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';
import type { ContactChannel } from './types.ts';

const MAC_BYTES = 32;
const contactChannels: readonly ContactChannel[] = ['email', 'sms'];

function mac(secret: string, channel: ContactChannel, customerId: string): Buffer {
  return createHmac('sha256', secret).update(`comeback-unsubscribe\n${channel}\n${customerId}`).digest();
}

export function signUnsubscribeToken(secret: string, customerId: string, channel: ContactChannel): string {
  const subject = Buffer.from(`${channel}.${customerId}`, 'utf8');
  return Buffer.concat([subject, mac(secret, channel, customerId)]).toString('base64url');
}

/** The customer and channel a token stands for; throws InvalidInputError (400 at the edge) when it is not ours. */
export function verifyUnsubscribeToken(token: string | undefined, secrets: readonly string[]): { customerId: string; channel: ContactChannel } {
  if (!token || !/^[A-Za-z0-9_-]{1,1024}$/.test(token)) throw new InvalidInputError('the unsubscribe token is missing or malformed');
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length <= MAC_BYTES) throw new InvalidInputError('the unsubscribe token is malformed');
  const subject = bytes.subarray(0, bytes.length - MAC_BYTES).toString('utf8');
  const given = bytes.subarray(bytes.length - MAC_BYTES);
  const dot = subject.indexOf('.');
  const channel = contactChannels.find((candidate) => candidate === subject.slice(0, dot));
  const customerId = subject.slice(dot + 1);
  if (dot < 0 || !channel || customerId.length === 0) throw new InvalidInputError('the unsubscribe token is malformed');
  // Every secret is checked, matched or not, so timing does not tell which one matched.
  const matches = secrets.map((secret) => timingSafeEqual(mac(secret, channel, customerId), given));
  if (!matches.includes(true)) throw new InvalidInputError('the unsubscribe token is not valid');
  return { customerId, channel };
}

/** The link for the email text and the List-Unsubscribe header. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/unsubscribe?token=${token}`;
}

/** RFC 2369 and RFC 8058 headers for one-click unsubscribe. */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
