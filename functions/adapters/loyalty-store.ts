/**
 * Loyalty accounts, their ledger and the scheduled messages on DynamoDB. Every change to points is one
 * transaction: the operation's guard (unique: a retried operation finds it and gets its first result
 * back), the account under an optimistic version (concurrent operations on one account are serialised,
 * so redemptions never overdraw), the ledger entry, the order's earning, and what the change schedules.
 * A lost race is retried with backoff, reading the account again.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, paginateQuery, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pRetry from 'p-retry';
import { ConflictError } from '../core/errors.ts';
import type { RecordedOrder } from '../core/ledger.ts';
import { membershipOf, type LedgerEntry, type LoyaltyAccount, type LoyaltyDecision, type LoyaltyState, type StoredLoyaltyAccount } from '../core/loyalty/account.ts';
import type { CustomerHistory, LoyaltyOp, LoyaltyOutcome, LoyaltyStore, OutreachStore } from '../core/loyalty/ports.ts';
import type { ScheduledMessage } from '../core/loyalty/scheduled.ts';
import type { CustomerProfile } from '../core/profile.ts';
import { loyaltyAccountEntity, ledgerEntryEntity, orderEarningEntity, orderEntity, profileEntity, scheduledMessageEntity } from './entities.ts';
import { readLoyaltyAccount } from './loyalty-accounts.ts';
import { loyaltyKeys } from './loyalty-keys.ts';
import { GSI1, keys } from './table-design.ts';
import { batchGetItems, itemsOfIndexPartition } from './queries.ts';

type StoredAccount = StoredLoyaltyAccount & { version: number };

/** Another write to the same account won the race: read again and retry. */
class WriteConflict extends Error {
  override readonly name: string = 'WriteConflict';
}

export class DynamoLoyaltyStore implements LoyaltyStore, OutreachStore, CustomerHistory {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly retries: number;

  constructor(client: DynamoDBDocumentClient, table: string, options: { retries?: number } = {}) {
    this.client = client;
    this.table = table;
    // Generous: twenty redemptions on one account at once need up to twenty rounds.
    this.retries = options.retries ?? 40;
  }

  async execute<R>(op: LoyaltyOp, decide: (state: LoyaltyState) => LoyaltyDecision<R>): Promise<LoyaltyOutcome<R>> {
    return pRetry(
      async (): Promise<LoyaltyOutcome<R>> => {
        // The operation's guard, the account and the order's earning, in one read.
        const guardKey = loyaltyKeys.guard(op.customerId, op.opId);
        const accountKey = loyaltyKeys.account(op.customerId);
        const earningKey = op.orderId !== undefined ? loyaltyKeys.earning(op.customerId, op.orderId) : undefined;
        const read = await batchGetItems(this.client, this.table, [guardKey, accountKey, ...(earningKey ? [earningKey] : [])], { consistent: true });
        const itemAt = (key: { pk: string; sk: string } | undefined) => (key ? read.find((item) => item['pk'] === key.pk && item['sk'] === key.sk) : undefined);
        const [guard, account, earning] = [itemAt(guardKey), itemAt(accountKey), itemAt(earningKey)];
        if (guard) return duplicate<R>(op, guard);
        const current: StoredAccount | undefined = account ? { ...loyaltyAccountEntity.parse(account), version: Number(account['version']) } : undefined;
        const state: LoyaltyState = {
          ...(current ? { account: membershipOf(withoutVersion(current)) } : {}),
          ...(earning ? { earning: orderEarningEntity.parse(earning) } : {}),
        };
        const decision = decide(state);
        if (decision.kind === 'refuse') throw decision.error;
        if (decision.kind === 'skip') return { status: 'skipped', result: decision.result };
        const { change } = decision;
        const at = change.account.updatedAt;
        const version = (current?.version ?? 0) + 1;
        const items = [
          {
            Put: {
              TableName: this.table,
              Item: { ...loyaltyKeys.guard(op.customerId, op.opId), type: 'loyaltyGuard', opId: op.opId, customerId: op.customerId, fingerprint: op.fingerprint, at, resultJson: JSON.stringify(decision.result) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: { ...loyaltyKeys.account(op.customerId), type: 'loyaltyAccount', ...change.account, version },
              ConditionExpression: current ? 'version = :version' : 'attribute_not_exists(pk)',
              ...(current ? { ExpressionAttributeValues: { ':version': current.version } } : {}),
            },
          },
          ...(change.entry ? [{ Put: { TableName: this.table, Item: { ...loyaltyKeys.entry(op.customerId, change.entry.at, change.entry.entryId), type: 'loyaltyEntry', ...change.entry } } }] : []),
          ...(change.earning ? [{ Put: { TableName: this.table, Item: { ...loyaltyKeys.earning(op.customerId, change.earning.orderId), type: 'loyaltyEarning', ...change.earning } } }] : []),
          ...change.reviews.map((day) => ({
            Put: { TableName: this.table, Item: { ...loyaltyKeys.review(op.customerId, day), ...loyaltyKeys.reviewsDue(day, op.customerId), type: 'loyaltyReview', customerId: op.customerId, day } },
          })),
          ...change.messages.map((message) => ({ Put: { TableName: this.table, Item: this.scheduledItem(message) } })),
        ];
        try {
          await this.client.send(new TransactWriteCommand({ TransactItems: items }));
          return { status: 'applied', result: decision.result };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          // The guard appeared (a concurrent retry of this very operation) or the account moved on:
          // either way, the next round reads again and decides on what it finds.
          throw new WriteConflict(`operation ${op.opId} lost a race on customer ${op.customerId}`, { cause: error });
        }
      },
      {
        retries: this.retries,
        // Short, jittered waits: contenders for one account spread out and each round is one read
        // and one transaction, so waiting long only adds latency.
        minTimeout: 3,
        maxTimeout: 80,
        factor: 1.5,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof WriteConflict,
      },
    );
  }

  getAccount(customerId: string): Promise<LoyaltyAccount | undefined> {
    return readLoyaltyAccount(this.client, this.table, customerId);
  }

  async recentEntries(customerId: string, limit: number): Promise<LedgerEntry[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': loyaltyKeys.entryPrefix },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => ledgerEntryEntity.parse(item));
  }

  async claimReferralCode(code: string, customerId: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...loyaltyKeys.referral(code), type: 'referralCode', code, customerId },
          ConditionExpression: 'attribute_not_exists(pk) OR customerId = :customerId',
          ExpressionAttributeValues: { ':customerId': customerId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async findReferrer(code: string): Promise<string | undefined> {
    const item = await this.get(loyaltyKeys.referral(code));
    return typeof item?.['customerId'] === 'string' ? item['customerId'] : undefined;
  }

  async *dueReviews(day: string): AsyncIterable<string> {
    for await (const item of this.queryIndex(loyaltyKeys.reviewsDue(day, '').gsi1pk)) {
      if (typeof item['customerId'] === 'string') yield item['customerId'];
    }
  }

  async completeReview(customerId: string, day: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: loyaltyKeys.review(customerId, day) }));
  }

  async schedule(items: readonly ScheduledMessage[]): Promise<void> {
    await Promise.all(
      items.map(async (message) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.table,
              Item: this.scheduledItem(message),
              // Only a newer order replaces an item: a retried purchase never resets a sent reminder.
              ConditionExpression: message.placedAt !== undefined ? 'attribute_not_exists(pk) OR placedAt < :placedAt' : 'attribute_not_exists(pk)',
              ...(message.placedAt !== undefined ? { ExpressionAttributeValues: { ':placedAt': message.placedAt } } : {}),
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  async listScheduled(customerId: string): Promise<ScheduledMessage[]> {
    const found: ScheduledMessage[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': loyaltyKeys.scheduledPrefix },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) found.push(scheduledMessageEntity.parse(item));
    return found;
  }

  async update(item: ScheduledMessage, changes: Partial<ScheduledMessage>): Promise<boolean> {
    const fields: Record<string, unknown> = { ...changes };
    const status = changes.status ?? item.status;
    const remove: string[] = [];
    if (status !== 'scheduled') remove.push('gsi1pk', 'gsi1sk');
    else if (changes.dueAt !== undefined) Object.assign(fields, loyaltyKeys.scheduledDue(changes.dueAt, item.customerId, item.kind, item.key));
    const names = Object.keys(fields);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: loyaltyKeys.scheduled(item.customerId, item.kind, item.key),
          UpdateExpression: `SET ${names.map((_, index) => `#f${index} = :v${index}`).join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: '#status = :scheduled AND messageId = :messageId',
          ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((name, index) => [`#f${index}`, name])) },
          ExpressionAttributeValues: {
            ':scheduled': 'scheduled',
            ':messageId': item.messageId,
            ...Object.fromEntries(names.map((name, index) => [`:v${index}`, fields[name]])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async *dueCustomers(day: string, until: string): AsyncIterable<string> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :until',
        ExpressionAttributeValues: { ':pk': loyaltyKeys.scheduledDue(day, '', '', '').gsi1pk, ':until': `${until}#\uffff` },
        ProjectionExpression: 'customerId',
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) if (typeof item['customerId'] === 'string') yield item['customerId'];
  }

  async getProfile(customerId: string): Promise<CustomerProfile | undefined> {
    const item = await this.get(keys.profile(customerId));
    return item ? profileEntity.parse(item) : undefined;
  }

  async recentOrders(customerId: string, limit: number): Promise<RecordedOrder[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': keys.orderPrefix },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => orderEntity.parse(item));
  }

  private scheduledItem(message: ScheduledMessage): Record<string, unknown> {
    return {
      ...loyaltyKeys.scheduled(message.customerId, message.kind, message.key),
      ...(message.status === 'scheduled' ? loyaltyKeys.scheduledDue(message.dueAt, message.customerId, message.kind, message.key) : {}),
      type: 'scheduledMessage',
      ...message,
    };
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return Item;
  }

  private async *queryIndex(partition: string): AsyncIterable<Record<string, unknown>> {
    for await (const item of itemsOfIndexPartition(this.client, this.table, partition)) yield item;
  }
}

function duplicate<R>(op: LoyaltyOp, guard: Record<string, unknown>): LoyaltyOutcome<R> {
  if (guard['fingerprint'] !== op.fingerprint) {
    throw new ConflictError(`${op.opId.split(':')[0]} ${op.opId.slice(op.opId.indexOf(':') + 1)} was already applied with different content`);
  }
  return { status: 'duplicate', result: JSON.parse(String(guard['resultJson'])) as R };
}

function withoutVersion(account: StoredAccount): StoredLoyaltyAccount {
  const { version: _version, ...rest } = account;
  return rest;
}
