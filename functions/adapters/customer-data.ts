/**
 * Everything the table holds about one customer, for the export and the erasure
 * (core/privacy/customer-data.ts). The customer's partition CUSTOMER#<id> holds most of it
 * (profile, preferences, orders, messages, journey entries, check-ins, loyalty account, ledger,
 * earnings, reviews and scheduled messages, feedback, segment memberships, predictions, identity
 * pointers); the rest is found from it:
 *
 * | found from                | item                                                   |
 * |---------------------------|--------------------------------------------------------|
 * | each order                | ORDER#<orderId>: its guard and refunds                 |
 * | each message              | MESSAGE#<messageId>: its send guard                    |
 * | each journey entry        | DISCOUNT#<entryId>: the code it issued, and a pool code |
 * | the loyalty account       | REFERRAL#<code>                                        |
 * | each identity pointer     | EMAIL#<email>, ALIAS#<id> (identity-directory.ts)      |
 * | the tasks index (gsi1)    | TASK#<taskId> of the customer, open or done            |
 *
 * Index entries (phone, segment members, last order day, due check-ins, reviews) live on these
 * items and go with them. Provider receipts (RECEIPT#..., the provider's message id next to ours)
 * cannot be found from the customer and expire by TTL with the send guards; platform deliveries hold
 * order ids only and expire in 30 days.
 */
import { GetCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerDataStore } from '../core/privacy/customer-data.ts';
import type { JourneyEntry } from '../core/journeys.ts';
import { journeyEntryEntity } from './entities.ts';
import { identityKeys } from './identity-directory.ts';
import { batchWriteItems } from './queries.ts';
import { loyaltyKeys } from './loyalty-keys.ts';
import { GSI1, KEY_ATTRIBUTES, keys, TTL_ATTRIBUTE } from './table-design.ts';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

const keyFields: readonly string[] = [...KEY_ATTRIBUTES, 'type', 'version', TTL_ATTRIBUTE];

export class DynamoCustomerData implements CustomerDataStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async collect(customerId: string): Promise<Record<string, Item[]> | undefined> {
    const own = await this.partition(customerId);
    if (own.length === 0) return undefined;
    const kinds: Record<string, Item[]> = {};
    for (const item of [...own, ...(await this.linked(customerId, own))]) {
      const kind = typeof item['type'] === 'string' ? item['type'] : 'other';
      (kinds[kind] ??= []).push(withoutKeys(item));
    }
    return kinds;
  }

  async journeyEntries(customerId: string): Promise<JourneyEntry[]> {
    const entries = await this.partition(customerId, keys.journeyEntryPrefix);
    return entries
      // Any status: an entry superseded by a later order may still have its execution running.
      .filter((item) => item['type'] === 'journeyEntry')
      .map((item) => {
        const { journey, entryId, enteredAt, orderId } = journeyEntryEntity.parse(item);
        return { journey, entryId, customerId, enteredAt, ...(orderId !== undefined ? { orderId } : {}) };
      });
  }

  async erase(customerId: string): Promise<number> {
    const own = await this.partition(customerId);
    const elsewhere = await this.linked(customerId, own);
    // What is found from the partition goes first, the profile last: a repeat finds what is left.
    const isProfile = (item: Item) => item['sk'] === keys.profile(customerId).sk;
    await this.deleteAll(elsewhere);
    await this.deleteAll(own.filter((item) => !isProfile(item)));
    await this.deleteAll(own.filter(isProfile));
    return elsewhere.length + own.length;
  }

  /** The customer's partition, or the part of it under a sort key prefix. */
  private async partition(customerId: string, prefix?: string): Promise<Item[]> {
    return this.query({
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ...(prefix ? { ':prefix': prefix } : {}) },
      ConsistentRead: true,
    });
  }

  private async linked(customerId: string, own: readonly Item[]): Promise<Item[]> {
    const found: Item[] = [];
    const ifOwned = async (key: Key) => {
      const item = await this.get(key);
      if (item && item['customerId'] === customerId) found.push(item);
      return item;
    };
    for (const item of own) {
      switch (item['type']) {
        case 'order':
          found.push(...(await this.query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.orderGuard(String(item['orderId'])).pk }, ConsistentRead: true })));
          break;
        case 'message':
          await ifOwned(keys.messageGuard(String(item['messageId'])));
          break;
        case 'journeyEntry': {
          const discount = await ifOwned(keys.discount(String(item['entryId'])));
          if (discount?.['state'] === 'pool' && typeof discount['code'] === 'string') await ifOwned(keys.discountPoolCode(discount['code']));
          break;
        }
        case 'loyaltyAccount':
          if (typeof item['referralCode'] === 'string') await ifOwned(loyaltyKeys.referral(item['referralCode']));
          break;
        case 'identity':
          if (typeof item['email'] === 'string') await ifOwned(identityKeys.email(item['email']));
          if (typeof item['alias'] === 'string') await ifOwned(identityKeys.alias(item['alias']));
          break;
        default:
          break;
      }
    }
    for (const status of ['open', 'done']) {
      found.push(
        ...(await this.query({
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :status',
          FilterExpression: 'customerId = :customer',
          ExpressionAttributeValues: { ':status': keys.tasksByStatus(status, '', '').gsi1pk, ':customer': customerId },
        })),
      );
    }
    return unique(found);
  }

  private async query(input: { KeyConditionExpression: string; ExpressionAttributeValues: Item; IndexName?: string; FilterExpression?: string; ConsistentRead?: boolean }): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of paginateQuery({ client: this.client }, { TableName: this.table, ...input })) items.push(...(page.Items ?? []));
    return items;
  }

  private async get(key: Key): Promise<Item | undefined> {
    return (await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  private async deleteAll(items: readonly Item[]): Promise<void> {
    await batchWriteItems(this.client, this.table, items.map((item) => ({ DeleteRequest: { Key: { pk: item['pk'], sk: item['sk'] } } })));
  }
}

function withoutKeys(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([field]) => !keyFields.includes(field)));
}

function unique(items: readonly Item[]): Item[] {
  const seen = new Map<string, Item>();
  for (const item of items) seen.set(`${String(item['pk'])}\u0000${String(item['sk'])}`, item);
  return [...seen.values()];
}
