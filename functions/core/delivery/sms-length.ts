/**
 * How long an SMS is, as the network counts it. A text written only in the GSM 03.38 alphabet
 * (GSM-7) takes 160 characters in one message, 153 per part once split (the rest carries the
 * concatenation header); the characters of the extension table (€ [ ] { } \ ~ ^ |) take two.
 * Anything else, Cyrillic for one, makes the whole text UCS-2: 70 characters in one message, 67
 * per part, counted in UTF-16 code units (an emoji takes two).
 *
 * Policy: a text over the configured number of parts is refused, with the reason in the message
 * log, rather than cut: a shortened text would lose the link or the code at its end.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** Units as the network counts them: GSM-7 septets, or UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
}

/** Up to two parts unless the store configures otherwise. */
export const defaultSmsMaxSegments = 2;

const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = '^{}\\[~]|€\f';
const basic = new Set(gsmBasic);
const extension = new Set(gsmExtension);

export function smsLength(text: string): SmsLength {
  let septets = 0;
  for (const character of text) {
    if (basic.has(character)) septets += 1;
    else if (extension.has(character)) septets += 2;
    else return sized('UCS-2', text.length, 70, 67);
  }
  return sized('GSM-7', septets, 160, 153);
}

function sized(encoding: SmsEncoding, units: number, single: number, perPart: number): SmsLength {
  return { encoding, units, segments: units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / perPart) };
}
