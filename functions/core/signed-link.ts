/**
 * Links a customer clicks that name who they are for: `<base64url JSON subject>.<base64url
 * HMAC-SHA256(secret, "<purpose>." + first part)>`. The purpose is signed with the subject, so a link
 * made for one purpose never passes for another under the same secret. Tokens do not expire (an
 * email may be opened weeks later). Several secrets may verify at once (rotation); the first signs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as z from './zod.ts';
import { UnauthorizedError } from './errors.ts';

export const MAX_TOKEN_LENGTH = 2048;

function sign(purpose: string, secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}.${payload}`).digest();
}

export function signedToken(purpose: string, subject: object, secret: string): string {
  const payload = Buffer.from(JSON.stringify(subject), 'utf8').toString('base64url');
  return `${payload}.${sign(purpose, secret, payload).toString('base64url')}`;
}

/** `baseUrl` with the token as its `token` query parameter. */
export function linkWithToken(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The subject a token names, once its signature matches one of the secrets; else `refusal`. */
export function verifySignedToken<Subject>(
  purpose: string,
  token: string,
  secrets: readonly string[],
  subjectSchema: z.ZodMiniType<Subject>,
  refusal: string,
): Subject {
  const refused = new UnauthorizedError(refusal);
  if (token.length > MAX_TOKEN_LENGTH) throw refused;
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) throw refused;
  const given = Buffer.from(signature, 'base64url');
  const matched = secrets.some((secret) => {
    const expected = sign(purpose, secret, payload);
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
