/**
 * Money as integer minor units of its currency. Amounts arrive as decimal text (or JSON numbers,
 * which the edge keeps as their source text), and are converted with integer arithmetic only.
 */
import { InvalidInputError } from './errors.ts';

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));
const exponentCache = new Map<string, number>();

export function isKnownCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

/** ISO 4217 exponent: 2 for USD, 0 for JPY, 3 for KWD. Taken from the platform's ICU data. */
export function currencyExponent(currency: string): number {
  let exponent = exponentCache.get(currency);
  if (exponent === undefined) {
    if (!isKnownCurrency(currency)) throw new InvalidInputError(`unknown currency ${currency}`);
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponentCache.set(currency, exponent);
  }
  return exponent;
}

const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal amount into minor units. Digits beyond the currency's exponent are
 * accepted only when they are zeros ("10.50" USD, "10.500" USD), never rounded away.
 */
export function toMinorUnits(amount: string | number, currency: string): number {
  const text = typeof amount === 'number' ? numberText(amount) : amount.trim();
  const match = decimalPattern.exec(text);
  if (!match) throw new InvalidInputError(`"${text}" is not a non-negative decimal amount`);
  const exponent = currencyExponent(currency);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const kept = fraction.slice(0, exponent);
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new InvalidInputError(`"${text}" has more decimals than ${currency} allows (${exponent})`);
  }
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(kept.padEnd(exponent, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidInputError(`"${text}" is too large`);
  return Number(minor);
}

/** A JSON number that the edge parsed as a safe number: its shortest round-trip text. */
function numberText(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  const text = String(value);
  // String() switches to exponent notation for very small or large values; those are not money.
  return text.includes('e') ? `invalid:${text}` : text;
}

/** Minor units back to decimal text in the currency's exponent ("1999" USD -> "19.99"). */
export function formatMinorUnits(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
