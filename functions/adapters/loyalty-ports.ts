/**
 * The loyalty and product-rule use cases wired to their adapters, built once per process. Purchase,
 * refund, feedback and the loyalty routes need only the table and the rules file; the sweep also sends
 * (the delivery step's configuration) and links to the shop: its ports are in
 * ./loyalty-sweep-ports.ts, so that the others do not carry the delivery code in their bundles. The
 * storefront's referral codes, read only by the loyalty view, are in ./loyalty-view-ports.ts.
 */
import type { CoPurchasePorts } from '../core/catalog/use-cases.ts';
import type { LoyaltyPorts } from '../core/loyalty/ports.ts';
import { configuredCatalog } from './catalog-file.ts';
import { DynamoCoPurchaseStore } from './catalog-store.ts';
import { now } from './clock.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { DynamoLoyaltyStore } from './loyalty-store.ts';

let ports: LoyaltyPorts | undefined;

export function loyaltyPorts(): LoyaltyPorts {
  if (!ports) {
    const store = new DynamoLoyaltyStore(documentClient, tableName);
    ports = { store, outreach: store, customers: store, catalog: configuredCatalog(), now };
  }
  return ports;
}

export function coPurchasePorts(): CoPurchasePorts {
  return { copurchases: new DynamoCoPurchaseStore(documentClient, tableName), now };
}
