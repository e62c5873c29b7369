/** How the console writes numbers, money and dates (en-US, UTC: the API's days are UTC days). */
export const fractionDigits = (currency: string): number => new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

export function money(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(minor / 10 ** digits);
}

/** Every currency of a per-currency amount, largest first; a dash when there is none. */
export function moneyByCurrency(amounts: Record<string, number>): string {
  const entries = Object.entries(amounts).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? '—' : entries.map(([currency, minor]) => money(minor, currency)).join(' + ');
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`;
}

export function decimal(value: number | null, digits = 2): string {
  return value === null ? '—' : value.toFixed(digits);
}

export function day(iso: string): string {
  return iso.slice(0, 10);
}

export function dateTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** YYYY-MM-DD `days` after (or before) a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
