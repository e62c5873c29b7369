/**
 * Opt-outs: a customer withdrawing marketing consent on a channel after checkout, and how. They are
 * kept apart from the profile (in the PREFERENCES item) so a later purchase cannot undo them; the
 * delivery guardrails suppress marketing on an opted-out channel (transactional messages go on),
 * and the customer API shows that channel's consent as false.
 *
 * Inbound SMS: a message that is only an opt-out keyword (STOP and the like, in the languages the
 * stores sell in) withdraws SMS consent for every customer with that phone number.
 */
import * as z from '../zod.ts';
import type { Consent } from '../purchase.ts';
import type { ContactChannel } from './types.ts';

/**
 * How consent was withdrawn: the button on the unsubscribe page (or any post of the link's token),
 * the mailbox provider's one-click unsubscribe (RFC 8058), an SMS keyword such as STOP, or SES
 * reporting a permanent bounce or a complaint about an email (delivery-events.ts).
 */
export const optOutVias = ['unsubscribe-link', 'one-click', 'sms-stop', 'bounce', 'complaint'] as const;
export type OptOutVia = (typeof optOutVias)[number];

export interface OptOut {
  at: string;
  /** Absent on opt-outs recorded before the way was kept. */
  via?: OptOutVia;
}

export type OptOuts = Partial<Record<ContactChannel, OptOut>>;

/** Whether recording found the channel open (recorded) or already withdrawn (the first opt-out stays). */
export type OptOutStatus = 'recorded' | 'already';

/** Consent as delivery applies it: given at checkout and not withdrawn since. */
export function consentAfterOptOuts(consent: Consent, optOuts: OptOuts): Consent {
  const withdrawn = Object.fromEntries(Object.keys(optOuts).map((channel) => [channel, false]));
  return { ...consent, ...withdrawn };
}

/**
 * A profile as the customer API shows it: consent per channel after opt-outs, and when and how each
 * withdrawn channel was withdrawn (`optOuts`, empty when none was).
 */
export function withOptOuts<P extends { consent: Consent }>(profile: P, optOuts: OptOuts): P & { optOuts: OptOuts } {
  return { ...profile, consent: consentAfterOptOuts(profile.consent, optOuts), optOuts };
}

/**
 * Opt-out keywords. The carriers' and AWS End User Messaging's English set (STOP, STOPALL,
 * UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE; ARRET for French Canada), and the usual words
 * in Ukrainian, Russian, German, French and Spanish.
 */
const OPT_OUT_KEYWORDS: readonly string[] = [
  'STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE', 'ARRET',
  'СТОП', 'ВІДПИСАТИСЯ', 'ВІДПИСАТИСЬ', 'ВІДПИСКА', 'СКАСУВАТИ',
  'ОТПИСАТЬСЯ', 'ОТПИСКА', 'ОТМЕНА', 'ХВАТИТ',
  'STOPP', 'ABMELDEN', 'ABBESTELLEN', 'ENDE',
  'DESABONNER', 'DESINSCRIRE',
  'ALTO', 'PARAR', 'BAJA', 'CANCELAR',
];

/**
 * One spelling for comparing: compatibility forms folded, accents dropped, capitals, and no
 * spaces, hyphens or punctuation (`Stop.`, `stop all`, `opt-out`, `  СТОП!` all match).
 */
function keywordForm(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}

const keywordForms = new Set(OPT_OUT_KEYWORDS.map(keywordForm));

/** Longer messages are conversation, not a keyword (and are not worth normalizing). */
const MAX_KEYWORD_MESSAGE_LENGTH = 40;

/** Whether an inbound SMS is an opt-out: the whole message is one of the keywords. */
export function isSmsOptOut(text: string): boolean {
  if (text.length > MAX_KEYWORD_MESSAGE_LENGTH) return false;
  return keywordForms.has(keywordForm(text));
}

/** An SMS a customer sent to the store's number. */
export interface InboundSms {
  /** The customer's number, E.164. */
  from: string;
  text: string;
}

export const inboundSmsSchema = z.object({
  from: z.e164(),
  text: z.string().check(z.maxLength(1600)),
});

export interface InboundSmsPorts {
  now(): Date;
  /** Every customer whose profile has this number (several customers may share one). */
  customersWithPhone(phone: string): Promise<string[]>;
  recordOptOut(customerId: string, channel: ContactChannel, via: OptOutVia, at: string): Promise<OptOutStatus>;
}

export type InboundSmsOutcome =
  | { kind: 'not-an-opt-out' }
  | { kind: 'unknown-number' }
  | { kind: 'opted-out'; customers: { customerId: string; status: OptOutStatus }[] };

/** Withdraws SMS consent of everyone with the sender's number when the message is an opt-out keyword. */
export async function receiveInboundSms(ports: InboundSmsPorts, sms: InboundSms): Promise<InboundSmsOutcome> {
  if (!isSmsOptOut(sms.text)) return { kind: 'not-an-opt-out' };
  const customerIds = await ports.customersWithPhone(sms.from);
  if (customerIds.length === 0) return { kind: 'unknown-number' };
  const at = ports.now().toISOString();
  const customers = [];
  for (const customerId of customerIds) {
    customers.push({ customerId, status: await ports.recordOptOut(customerId, 'sms', 'sms-stop', at) });
  }
  return { kind: 'opted-out', customers };
}
