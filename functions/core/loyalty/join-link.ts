/**
 * The join link of the loyalty invitation. The email carries a token naming the customer:
 * `<base64url JSON {customerId}>.<base64url HMAC-SHA256(secret, "loyalty-join." + first part)>`,
 * signed with the feedback links' secret under its own prefix, so neither kind of link passes for
 * the other. Whoever holds the link may join the program for that customer (what the invitation is
 * for), and nobody can forge one for another. Tokens do not expire: an invitation may be opened
 * weeks later. Several secrets may verify at once (rotation); the first one signs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { UnauthorizedError } from '../errors.ts';
import { identifierSchema } from '../purchase.ts';

const MAX_TOKEN_LENGTH = 2048;

const subjectSchema = z.strictObject({ customerId: identifierSchema });

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`loyalty-join.${payload}`).digest();
}

export function joinToken(customerId: string, secret: string): string {
  const payload = Buffer.from(JSON.stringify({ customerId }), 'utf8').toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

/** The link of the join page: `baseUrl` with the token as its `token` query parameter. */
export function joinUrl(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The customer a token names, once its signature matches one of the secrets. */
export function verifyJoinToken(token: string, secrets: readonly string[]): { customerId: string } {
  const refused = new UnauthorizedError('the join link is not valid');
  if (token.length > MAX_TOKEN_LENGTH) throw refused;
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) throw refused;
  const given = Buffer.from(signature, 'base64url');
  const matched = secrets.some((secret) => {
    const expected = sign(secret, payload);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!matched) throw refused;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw refused;
  }
  const subject = subjectSchema.safeParse(decoded);
  if (!subject.success) throw refused;
  return subject.data;
}
