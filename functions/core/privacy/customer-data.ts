/**
 * A customer's data rights: the export of everything stored about them and its erasure.
 *
 * The rules, in order:
 * 1. The export is every item the table holds about the customer (their partition, and the items
 *    elsewhere keyed by their orders, messages, journey entries, referral code, identities and
 *    tasks), grouped by kind, without the table's keys. No item at all is a 404.
 * 2. Erasure first stops the customer's running journey executions (so no step writes after it),
 *    then deletes the items found elsewhere, then the customer's partition, the profile last: a
 *    crash half way leaves the profile (and so the way to the rest), and repeating the erasure
 *    finishes it. Erasing a customer with nothing stored is done already (idempotent).
 * 3. Only anonymous aggregates stay: the nightly metrics and model fits hold counts and parameters,
 *    never a customer id. Platform deliveries (order ids only) and import bookkeeping expire by TTL.
 * 4. A purchase for the same id afterwards starts a new customer: nothing of the old one is left to
 *    join it to (the order guards are erased too, so even a replayed old order is new).
 */
import type { JourneyEntry } from '../journeys.ts';
import { NotFoundError } from '../errors.ts';

/** Everything stored about one customer, by kind (profile, order, message, journeyEntry...). */
export type CustomerExport = { customerId: string } & Record<string, unknown>;

export interface CustomerDataStore {
  /** Every stored item about the customer, without keys, by kind; undefined when there is none. */
  collect(customerId: string): Promise<Record<string, Record<string, unknown>[]> | undefined>;
  /** The customer's journey entries that have state machine executions, which may still run. */
  journeyEntries(customerId: string): Promise<JourneyEntry[]>;
  /** Deletes every item about the customer (see rule 2); the number deleted. */
  erase(customerId: string): Promise<number>;
}

export interface ExecutionStopper {
  stop(entry: JourneyEntry, cause: string): Promise<void>;
}

export interface PrivacyPorts {
  data: CustomerDataStore;
  executions: ExecutionStopper;
}

export async function exportCustomer(ports: Pick<PrivacyPorts, 'data'>, customerId: string): Promise<CustomerExport> {
  const kinds = await ports.data.collect(customerId);
  if (!kinds) throw new NotFoundError(`customer ${customerId} is unknown`);
  return { customerId, ...kinds };
}

export async function eraseCustomer(ports: PrivacyPorts, customerId: string, cause = 'the customer was erased'): Promise<{ customerId: string; stopped: number; deleted: number }> {
  let stopped = 0;
  for (const entry of await ports.data.journeyEntries(customerId)) {
    await ports.executions.stop(entry, cause);
    stopped += 1;
  }
  const deleted = await ports.data.erase(customerId);
  return { customerId, stopped, deleted };
}
