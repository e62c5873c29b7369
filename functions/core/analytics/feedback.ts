/**
 * Feedback (NPS) links. The email carries a token naming the customer and the journey entry that
 * asked: `<base64url JSON {customerId, entryId}>.<base64url HMAC-SHA256(secret, "feedback." + first part)>`.
 * Whoever holds the link may answer for that entry, and nobody can forge a link for another
 * customer. Tokens do not expire: an email may be opened weeks later. Several secrets may verify at
 * once (rotation); the first one signs.
 */
import * as z from '../zod.ts';
import { identifierSchema, invalid } from '../purchase.ts';
import { MAX_TOKEN_LENGTH, linkWithToken, signedToken, verifySignedToken } from '../signed-link.ts';

const FEEDBACK_PURPOSE = 'feedback';
/** The longest comment an answer may carry. */
export const COMMENT_MAX_LENGTH = 2000;

export interface FeedbackSubject {
  customerId: string;
  entryId: string;
}

const subjectSchema = z.strictObject({ customerId: identifierSchema, entryId: identifierSchema });

export function feedbackToken(customerId: string, entryId: string, secret: string): string {
  return signedToken(FEEDBACK_PURPOSE, { customerId, entryId }, secret);
}

/** The link of the feedback page: `baseUrl` with the token as its `token` query parameter. */
export const feedbackUrl = linkWithToken;

/** The customer and entry a token names, once its signature matches one of the secrets. */
export function verifyFeedbackToken(token: string, secrets: readonly string[]): FeedbackSubject {
  return verifySignedToken(FEEDBACK_PURPOSE, token, secrets, subjectSchema, 'the feedback link is not valid');
}

export const feedbackInputSchema = z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_LENGTH)),
  score: z.number().check(z.int(), z.gte(0), z.lte(10)),
  comment: z.optional(z.string().check(z.trim(), z.maxLength(COMMENT_MAX_LENGTH))),
});

export type FeedbackInput = z.output<typeof feedbackInputSchema>;

export function parseFeedback(body: unknown): FeedbackInput {
  const parsed = feedbackInputSchema.safeParse(body);
  if (!parsed.success) throw invalid('the feedback does not match the schema', parsed.error);
  // An empty comment is no comment.
  const { comment, ...rest } = parsed.data;
  return comment ? { ...rest, comment } : rest;
}

/** A score written as text (a form field, a `?score=` query): a whole number from 0 to 10, or nothing. */
export function scoreFromText(text: string | null | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  return /^(10|[0-9])$/.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * The answer the feedback page's form posts (`score=<0-10>&comment=<text>`), for the token of the
 * page's link; validated like a JSON answer, so the rules cannot differ.
 */
export function parseFeedbackForm(token: string, form: URLSearchParams): FeedbackInput {
  const score = form.get('score');
  const comment = form.get('comment');
  return parseFeedback({ token, score: scoreFromText(score) ?? score ?? undefined, ...(comment !== null ? { comment } : {}) });
}

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export function npsCategory(score: number): NpsCategory {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}
