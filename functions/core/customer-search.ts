/**
 * Finding customers for the console: by id, by an email they ordered with, or by phone number. A
 * phone is read as the platforms' webhooks read one (E.164; a national number in the store's
 * default country), so "+1 613-555-0123" and "(613) 555-0123" find the same customer. An id merged
 * into another customer finds the one it was merged into. Pure, apart from the ports.
 */
import * as z from './zod.ts';
import { InvalidInputError } from './errors.ts';
import { normalizedEmail } from './identity.ts';
import { acceptedPhone } from './platforms/shopify.ts';
import { invalid } from './purchase.ts';

/** How many customers one search answers at most (a shared family email or phone finds several). */
export const SEARCH_LIMIT = 20;

export const customerSearchQuery = z.strictObject({
    id: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(256))),
    email: z.optional(z.string().check(z.trim(), z.minLength(3), z.maxLength(320), z.includes('@', { message: 'an email address' }))),
    phone: z.optional(z.string().check(z.trim(), z.minLength(3), z.maxLength(40))),
  }).check(z.refine((query) => [query.id, query.email, query.phone].filter((value) => value !== undefined).length === 1, { message: 'give exactly one of id, email or phone', path: [] }));

export type CustomerSearch = { kind: 'id'; value: string } | { kind: 'email'; value: string } | { kind: 'phone'; value: string };

/** The query of GET /v1/customers: exactly one of id, email (any case) or phone (read into E.164). */
export function parseCustomerSearch(query: unknown, defaultCountry?: string): CustomerSearch {
  const parsed = customerSearchQuery.safeParse(query);
  if (!parsed.success) throw invalid('the search is invalid', parsed.error);
  const { id, email, phone } = parsed.data;
  if (id !== undefined) return { kind: 'id', value: id };
  if (email !== undefined) return { kind: 'email', value: normalizedEmail(email) };
  const e164 = acceptedPhone(phone, defaultCountry);
  if (e164 === undefined) {
    throw new InvalidInputError(`"${phone}" is not a phone number${defaultCountry ? '' : ' with its country code (the store sets no default country)'}`, [
      { path: 'phone', message: 'a phone number, like +16135550123' },
    ]);
  }
  return { kind: 'phone', value: e164 };
}

/** A customer as the search lists them. */
export interface CustomerMatch {
  customerId: string;
  name?: string;
  email?: string;
  phone?: string;
  orderCount: number;
  lastOrderAt: string;
}

export interface CustomerSearchPorts {
  /** The customers who ordered with this (lower-case) email. */
  customersWithEmail(email: string): Promise<string[]>;
  /** The customers whose profile has this E.164 number. */
  customersWithPhone(phone: string): Promise<string[]>;
  /** The customer an id was merged into, when it was. */
  aliasOf(customerId: string): Promise<string | undefined>;
  /** The customers among these ids that exist, as the search lists them. */
  matches(customerIds: readonly string[]): Promise<CustomerMatch[]>;
}

/** The customers the search finds, by customer id, at most SEARCH_LIMIT. */
export async function searchCustomers(ports: CustomerSearchPorts, search: CustomerSearch): Promise<CustomerMatch[]> {
  const found =
    search.kind === 'id'
      ? [(await ports.aliasOf(search.value)) ?? search.value]
      : search.kind === 'email'
        ? await ports.customersWithEmail(search.value)
        : await ports.customersWithPhone(search.value);
  const ids = [...new Set(found)].sort().slice(0, SEARCH_LIMIT);
  if (ids.length === 0) return [];
  const matches = await ports.matches(ids);
  return matches.sort((a, b) => a.customerId.localeCompare(b.customerId));
}
