/** The identity rules of core/identity.ts on an in-memory directory: every order of arrival. */
import { describe, expect, it } from 'vitest';
import { canonicalCustomerId, type IdentityDirectory } from '../../functions/core/identity.ts';

function memoryDirectory(customers: string[] = []): IdentityDirectory & { known: Set<string> } {
  const emails = new Map<string, string>();
  const aliases = new Map<string, string>();
  const known = new Set(customers);
  return {
    known,
    aliasOf: async (id) => aliases.get(id),
    claimEmail: async (email, id) => {
      if (!emails.has(email)) emails.set(email, id);
      return emails.get(email)!;
    },
    isCustomer: async (id) => known.has(id),
    addAlias: async (alias, id) => {
      if (!aliases.has(alias)) aliases.set(alias, id);
      return aliases.get(alias)!;
    },
  };
}

/** Resolves the orders in turn, each then recorded (a customer) under the id it resolved to. */
async function resolveAll(directory: ReturnType<typeof memoryDirectory>, orders: { id: string; email?: string }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const order of orders) {
    const id = await canonicalCustomerId(directory, order);
    directory.known.add(id);
    ids.push(id);
  }
  return ids;
}

describe('canonicalCustomerId', () => {
  const guest = { id: 'ada@example.com', email: 'Ada@Example.com' };
  const registered = { id: '7001', email: 'ada@example.com' };

  it.each([
    ['guest first', [guest, registered, { id: '7001', email: 'new@example.com' }], ['ada@example.com', 'ada@example.com', 'ada@example.com']],
    ['registered first', [registered, guest, registered], ['7001', '7001', '7001']],
    ['two registered accounts, one email', [registered, { id: '7002', email: 'ada@example.com' }, guest], ['7001', '7002', '7001']],
    ['no email', [{ id: '7003' }, { id: '7003' }], ['7003', '7003']],
  ])('%s', async (_name, orders, expected) => {
    expect(await resolveAll(memoryDirectory(), orders)).toEqual(expected);
  });

  it('a registered id that already is a customer keeps its history when a guest owns its email', async () => {
    const directory = memoryDirectory(['7001']);
    expect(await resolveAll(directory, [guest, registered])).toEqual(['ada@example.com', '7001']);
  });
});
