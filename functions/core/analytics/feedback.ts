/**
 * Feedback (NPS) links. The email carries a token naming the customer and the journey entry that
 * asked: `<base64url JSON {customerId, entryId}>.<base64url HMAC-SHA256(secret, "feedback." + first part)>`.
 * Whoever holds the link may answer for that entry, and nobody can forge a link for another
 * customer. Tokens do not expire: an email may be opened weeks later. Several secrets may verify at
 * once (rotation); the first one signs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { UnauthorizedError } from '../errors.ts';
import { identifierSchema, invalid } from '../purchase.ts';

const MAX_TOKEN_LENGTH = 2048;

export interface FeedbackSubject {
  customerId: string;
  entryId: string;
}

const subjectSchema = z.strictObject({ customerId: identifierSchema, entryId: identifierSchema });

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`feedback.${payload}`).digest();
}

export function feedbackToken(customerId: string, entryId: string, secret: string): string {
  const payload = Buffer.from(JSON.stringify({ customerId, entryId }), 'utf8').toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

/** The link of the feedback page: `baseUrl` with the token as its `token` query parameter. */
export function feedbackUrl(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The customer and entry a token names, once its signature matches one of the secrets. */
export function verifyFeedbackToken(token: string, secrets: readonly string[]): FeedbackSubject {
  const refused = new UnauthorizedError('the feedback link is not valid');
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

export const feedbackInputSchema = z.strictObject({
  token: z.string().min(1).max(MAX_TOKEN_LENGTH),
  score: z.number().int().min(0).max(10),
  comment: z.string().trim().max(2000).optional(),
});

export type FeedbackInput = z.output<typeof feedbackInputSchema>;

export function parseFeedback(body: unknown): FeedbackInput {
  const parsed = feedbackInputSchema.safeParse(body);
  if (!parsed.success) throw invalid('the feedback does not match the schema', parsed.error);
  // An empty comment is no comment.
  const { comment, ...rest } = parsed.data;
  return comment ? { ...rest, comment } : rest;
}

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export function npsCategory(score: number): NpsCategory {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}
