/**
 * Marketing consent given outside a checkout: a store whose platform records none (WooCommerce)
 * posts what its own form collected (a newsletter box, the account page) to
 * PUT /v1/customers/{id}/consent. Per channel, the statement made last wins, whether it came with
 * an order or here; an opt-out made through a message's link still wins over both (delivery's rule).
 */
import * as z from './zod.ts';
import { InvalidInputError } from './errors.ts';
import { stateConsent, type CustomerProfile } from './profile.ts';
import { invalid, type Consent } from './purchase.ts';

export const consentStatementInputSchema = z.strictObject({
  email: z.optional(z.boolean()).check(z.describe('email marketing consent given (true) or withdrawn (false)')),
  sms: z.optional(z.boolean()).check(z.describe('SMS marketing consent given (true) or withdrawn (false)')),
  /** Where it was given, kept as the proof of consent: "newsletter-footer", "account-page". */
  source: z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.describe('where the customer gave it, kept as the proof of consent')),
  givenAt: z.optional(z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with an offset' })).check(z.describe('when the customer gave it; now when absent')),
});

export interface ConsentStatement {
  consent: Consent;
  /** UTC ISO 8601, comparable with the profile's consentAsOf. */
  at: string;
  source: string;
}

export function parseConsentStatement(input: unknown, now: Date): ConsentStatement {
  const parsed = consentStatementInputSchema.safeParse(input);
  if (!parsed.success) throw invalid('the consent statement does not match the schema', parsed.error);
  const { email, sms, source, givenAt } = parsed.data;
  if (email === undefined && sms === undefined) {
    throw new InvalidInputError('the consent statement names no channel', [{ path: 'email', message: 'email or sms is required' }]);
  }
  const at = givenAt === undefined ? now : new Date(givenAt);
  // A statement dated in the future would outrank every later checkout: it is taken as made now.
  const when = at.getTime() > now.getTime() ? now : at;
  return {
    consent: { ...(email !== undefined ? { email } : {}), ...(sms !== undefined ? { sms } : {}) },
    at: when.toISOString(),
    source,
  };
}

/** The profile after the statement; the channels it decides remember its source. */
export function applyConsentStatement(profile: CustomerProfile, statement: ConsentStatement): CustomerProfile {
  const next = stateConsent(profile, statement.consent, statement.at);
  const source = { ...profile.consentSource };
  for (const channel of ['email', 'sms'] as const) {
    if (statement.consent[channel] !== undefined && next.consentAsOf[channel] === statement.at) source[channel] = statement.source;
  }
  return { ...next, consentSource: source };
}
