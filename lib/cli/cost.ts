/**
 * `npm run comeback -- cost --customers N [--orders-per-year X] [--sms-share Y] [--prices file]`:
 * the monthly AWS bill by service, from the usage per customer-year the benchmark measured
 * (lib/cost/measured-usage.json, rewritten by `npm run bench -- transitions`). Needs no host.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { estimateMonthlyCost, formatCostTable, listPrices, measuredUsageSchema, priceOverridesSchema, type Prices } from '../../functions/core/cost.ts';

export const measuredUsageFile = new URL('../cost/measured-usage.json', import.meta.url);

/** The SMS share the README's table assumes: one customer in five gave a phone number and SMS consent. */
export const DEFAULT_SMS_SHARE = 0.2;
/** The typical customer the bill is stated for: 2-3 orders a year (the benchmark simulates 3). */
export const DEFAULT_ORDERS_PER_YEAR = 2.5;

export class CostUsageError extends Error {}

export function runCost(args: string[], stdout: (text: string) => void): void {
  const { values } = parseArgs({
    args,
    options: { customers: { type: 'string' }, 'orders-per-year': { type: 'string' }, 'sms-share': { type: 'string' }, prices: { type: 'string' } },
    strict: true,
  });
  if (values.customers === undefined) throw new CostUsageError('cost needs --customers <whole number>');
  const customers = numberOption('customers', values.customers);
  const smsShare = values['sms-share'] === undefined ? DEFAULT_SMS_SHARE : numberOption('sms-share', values['sms-share']);
  const ordersPerYear = values['orders-per-year'] === undefined ? DEFAULT_ORDERS_PER_YEAR : numberOption('orders-per-year', values['orders-per-year']);
  const usage = measuredUsageSchema.parse(JSON.parse(readFileSync(measuredUsageFile, 'utf8')));
  const prices: Prices = values.prices === undefined ? listPrices : { ...listPrices, ...readPrices(values.prices) };
  const question = { customers, smsShare, ordersPerYear };
  const estimate = estimateMonthlyCost(usage, question, prices);
  stdout(`${formatCostTable(estimate, question, usage, prices)}\n`);
}

function numberOption(name: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new CostUsageError(`--${name} needs a number, not "${value}"`);
  return number;
}

function readPrices(file: string): Partial<Prices> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CostUsageError(`cannot read the prices file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CostUsageError(`the prices file ${file} is not JSON`);
  }
  const parsed = priceOverridesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CostUsageError(`the prices file ${file}: ${issue?.path.join('.') || 'its content'}: ${issue?.message ?? 'invalid'}`);
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined)) as Partial<Prices>;
}

