/** The console's customer search: reading the query, and who it finds through the ports. */
import { describe, expect, it } from 'vitest';
import { parseCustomerSearch, SEARCH_LIMIT, searchCustomers, type CustomerMatch, type CustomerSearchPorts } from '../../functions/core/customer-search.ts';
import { InvalidInputError } from '../../functions/core/errors.ts';

describe('parseCustomerSearch', () => {
  it('reads an id as it is, an email in lower case and a phone into E.164', () => {
    expect(parseCustomerSearch({ id: ' 1001 ' })).toEqual({ kind: 'id', value: '1001' });
    expect(parseCustomerSearch({ email: ' Ada@Example.COM ' })).toEqual({ kind: 'email', value: 'ada@example.com' });
    expect(parseCustomerSearch({ phone: '+1 (613) 555-0123' })).toEqual({ kind: 'phone', value: '+16135550123' });
    // A national number needs the store's default country, as on the platforms' orders.
    expect(parseCustomerSearch({ phone: '067 123 4567' }, 'UA')).toEqual({ kind: 'phone', value: '+380671234567' });
  });

  it('refuses no field, two fields, an unknown field, a national number without a country and a non-email', () => {
    for (const query of [{}, { id: 'a', email: 'a@b.c' }, { name: 'Ada' }, { phone: '067 123 4567' }, { phone: 'call me' }, { email: 'ada' }, { id: '' }]) {
      expect(() => parseCustomerSearch(query), JSON.stringify(query)).toThrow(InvalidInputError);
    }
  });
});

describe('searchCustomers', () => {
  const profiles: Record<string, CustomerMatch> = Object.fromEntries(
    ['ada', 'bob', 'merged-into'].map((customerId) => [customerId, { customerId, orderCount: 1, lastOrderAt: '2026-03-01T00:00:00.000Z' }]),
  );
  const ports = (overrides: Partial<CustomerSearchPorts> = {}): CustomerSearchPorts => ({
    customersWithEmail: async () => [],
    customersWithPhone: async () => [],
    aliasOf: async (customerId) => (customerId === 'old-id' ? 'merged-into' : undefined),
    matches: async (ids) => ids.flatMap((id) => (profiles[id] ? [profiles[id]] : [])),
    ...overrides,
  });

  it('finds a customer by id, a merged id as the customer it was merged into, and no one for an unknown id', async () => {
    expect(await searchCustomers(ports(), { kind: 'id', value: 'ada' })).toEqual([profiles['ada']]);
    expect(await searchCustomers(ports(), { kind: 'id', value: 'old-id' })).toEqual([profiles['merged-into']]);
    expect(await searchCustomers(ports(), { kind: 'id', value: 'nobody' })).toEqual([]);
  });

  it('lists every customer of a shared email or phone once, by id, at most the limit', async () => {
    const shared = ports({ customersWithEmail: async () => ['bob', 'ada', 'bob'], customersWithPhone: async () => Array.from({ length: 50 }, (_, index) => `c${index}`) });
    expect((await searchCustomers(shared, { kind: 'email', value: 'family@example.com' })).map((match) => match.customerId)).toEqual(['ada', 'bob']);
    let asked: readonly string[] = [];
    await searchCustomers({ ...shared, matches: async (ids) => ((asked = ids), []) }, { kind: 'phone', value: '+16135550123' });
    expect(asked).toHaveLength(SEARCH_LIMIT);
  });
});
