/**
 * One customer per person, whether they bought as a guest or signed in.
 *
 * The platforms name a guest by their lower-cased email and a registered customer by the platform's
 * id (platforms/shopify.ts, woocommerce.ts), so the same person could become two customers. Every
 * platform order's customer goes through `canonicalCustomerId` first:
 *
 * 1. An id mapped to another (an alias) is that other customer.
 * 2. The order's email is claimed in an email directory for the order's customer id, unless already
 *    claimed: one conditional write, so the first claim wins whichever comes first, even concurrently.
 * 3. A guest (its id is its email) is the email's owner: the registered customer who claimed it
 *    first, or the guest itself.
 * 4. A registered customer whose email a guest owns joins the guest's customer (an alias, so their
 *    later orders, with that email or another, land there too), unless that id already is a customer
 *    with its own history. Two registered accounts with one email stay two customers: the platform
 *    keeps them apart by id.
 *
 * So the orders, the loyalty account and the journeys all follow one id: one history, one points
 * balance, one journey entry per episode. The directory is written before the order; a crash in
 * between leaves a claim that a retry finds again. Customers recorded before the directory existed
 * are not merged after the fact.
 */
import type { OrderAction } from './platforms/lifecycle.ts';

export interface IdentityDirectory {
  /** The customer an id was merged into, when it was. */
  aliasOf(customerId: string): Promise<string | undefined>;
  /** Claims the email for the customer unless someone owns it; the owner after the call. */
  claimEmail(email: string, customerId: string): Promise<string>;
  isCustomer(customerId: string): Promise<boolean>;
  /** Maps the id to the customer; the customer it maps to after the call (the first mapping wins). */
  addAlias(alias: string, customerId: string): Promise<string>;
}

/** Emails compare without case and surrounding blanks, as guest ids are made. */
export function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function canonicalCustomerId(directory: IdentityDirectory, customer: { id: string; email?: string | undefined }): Promise<string> {
  const alias = await directory.aliasOf(customer.id);
  if (alias !== undefined) return alias;
  if (customer.email === undefined) return customer.id;
  const email = normalizedEmail(customer.email);
  const owner = await directory.claimEmail(email, customer.id);
  if (customer.id === guestId(email)) return owner;
  if (owner !== guestId(email) || (await directory.isCustomer(customer.id))) return customer.id;
  return directory.addAlias(customer.id, owner);
}

/** A guest's customer id, as the platforms make it from the email. */
function guestId(email: string): string {
  return email.slice(0, 256);
}

/** The platform's actions with every recorded order's customer as canonicalCustomerId says. */
export async function withCanonicalCustomers(directory: IdentityDirectory, actions: readonly OrderAction[]): Promise<OrderAction[]> {
  const resolved: OrderAction[] = [];
  for (const action of actions) {
    if (action.kind !== 'record') {
      resolved.push(action);
      continue;
    }
    const { customer } = action.purchase;
    const id = await canonicalCustomerId(directory, { id: String(customer.id), email: customer.email });
    resolved.push(id === String(customer.id) ? action : { ...action, purchase: { ...action.purchase, customer: { ...customer, id } } });
  }
  return resolved;
}
