/** Journey entries, check-ins and the profile reads journeys need, on the single table. */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { JourneyName } from '../core/delivery/types.ts';
import type { CheckIn, JourneyStore, SweptThrough } from '../core/journey-engine.ts';
import type { EntryStatus, JourneyEntry, JourneyEntryRecord } from '../core/journeys.ts';
import type { RecordedOrder } from '../core/ledger.ts';
import type { CustomerProfile } from '../core/profile.ts';
import { checkInEntity, journeyEntryEntity, orderEntity, profileEntity, type Entity } from './entities.ts';
import { GSI1, keys } from './table-design.ts';
import { cursorAfter, itemsOfIndexPartition, startKeyOf } from './queries.ts';
import { DynamoTasks } from './message-log.ts';

export class DynamoJourneyStore implements JourneyStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async getProfile(customerId: string): Promise<CustomerProfile | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.profile(customerId), ConsistentRead: true }));
    return Item ? profileEntity.parse(Item) : undefined;
  }

  async listEntries(customerId: string): Promise<JourneyEntryRecord[]> {
    return this.queryPartition(journeyEntryEntity, customerId, keys.journeyEntryPrefix, 100, true);
  }

  async getEntry(entry: Pick<JourneyEntry, 'customerId' | 'journey' | 'entryId'>): Promise<JourneyEntryRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: keys.journeyEntry(entry.customerId, entry.journey, entry.entryId), ConsistentRead: true }),
    );
    return Item ? journeyEntryEntity.parse(Item) : undefined;
  }

  async createEntry(record: JourneyEntryRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.journeyEntry(record.customerId, record.journey, record.entryId),
            ...keys.journeysByStatus(record.journey, record.status, record.customerId),
            ...keys.readNightly(keys.journeyEntry(record.customerId, record.journey, record.entryId)),
            type: 'journeyEntry',
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async updateActiveEntry(entry: JourneyEntry, changes: Partial<JourneyEntryRecord>): Promise<boolean> {
    const fields: Record<string, unknown> = { ...changes };
    if (changes.status) Object.assign(fields, keys.journeysByStatus(entry.journey, changes.status, entry.customerId));
    const names = Object.keys(fields);
    if (names.length === 0) return true;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.journeyEntry(entry.customerId, entry.journey, entry.entryId),
          UpdateExpression: `SET ${names.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((name, index) => [`#f${index}`, name])) },
          ExpressionAttributeValues: { ':active': 'active', ...Object.fromEntries(names.map((name, index) => [`:v${index}`, fields[name]])) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async ordersAfter(customerId: string, since: string, limit: number): Promise<RecordedOrder[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':from': `${keys.orderPrefix}${since}\uffff`, ':to': `${keys.orderPrefix}\uffff` },
        Limit: limit,
      }),
    );
    return Items.map((item) => orderEntity.parse(item));
  }

  async recentOrders(customerId: string, limit: number): Promise<RecordedOrder[]> {
    return this.queryPartition(orderEntity, customerId, keys.orderPrefix, limit, false);
  }

  async scheduleCheckIns(checkIns: CheckIn[]): Promise<void> {
    await Promise.all(
      checkIns.map(async (checkIn) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.table,
              Item: {
                ...keys.checkIn(checkIn.customerId, checkIn.orderId, checkIn.months),
                ...keys.checkInsDue(checkIn.dueAt, checkIn.customerId, checkIn.orderId, checkIn.months),
                type: 'checkIn',
                ...checkIn,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  checkInsDueOn(day: string): AsyncIterable<CheckIn> {
    return this.queryIndex(checkInEntity, keys.checkInsDue(`${day}T00:00:00Z`, '', '', 0).gsi1pk);
  }

  async completeCheckIn(checkIn: CheckIn): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.checkIn(checkIn.customerId, checkIn.orderId, checkIn.months),
        // Leaving the index: a done check-in is never read by a sweep again.
        UpdateExpression: 'SET #status = :done REMOVE gsi1pk, gsi1sk',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done' },
      }),
    );
  }

  async replaceOpenCheckInTask(customerId: string, taskId: string, at: string): Promise<string | undefined> {
    const key = keys.checkInTask(customerId);
    const { Attributes } = await this.client.send(
      new PutCommand({ TableName: this.table, Item: { ...key, type: 'checkInTask', customerId, taskId, at }, ReturnValues: 'ALL_OLD' }),
    );
    const previous = typeof Attributes?.['taskId'] === 'string' ? Attributes['taskId'] : undefined;
    if (!previous || previous === taskId) return undefined;
    const tasks = new DynamoTasks(this.client, this.table);
    const task = await tasks.get(previous);
    if (task?.status !== 'open') return undefined;
    await tasks.complete(task, { outcome: 'replaced', note: `replaced by the newer check-in ${taskId}` }, at);
    return previous;
  }

  customersByLastOrderDay(day: string): AsyncIterable<CustomerProfile> {
    return this.queryIndex(profileEntity, keys.lastOrderDay(`${day}T00:00:00Z`, '').gsi1pk);
  }

  /** Every part's record is in one small partition: one consistent query reads them all. */
  async sweptThrough(): Promise<SweptThrough> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.sweepRecords().pk }, ConsistentRead: true }),
    );
    const swept: SweptThrough = {};
    for (const item of Items) {
      const part: unknown = item['part'];
      if ((part === 'win-back' || part === 'check-ins') && typeof item['sweptThrough'] === 'string') swept[part] = item['sweptThrough'];
    }
    return swept;
  }

  /** One part's record with a put; both (a run of both halves) in one transaction, so one call either way. */
  async markSweptThrough(days: SweptThrough): Promise<void> {
    const puts = Object.entries(days).map(([part, day]) => ({ TableName: this.table, Item: { ...keys.sweepRecord(part), type: 'sweepRecord', part, sweptThrough: day } }));
    if (puts.length === 1) await this.client.send(new PutCommand(puts[0]!));
    else if (puts.length > 1) await this.client.send(new TransactWriteCommand({ TransactItems: puts.map((put) => ({ Put: put })) }));
  }

  async listByStatus(journey: JourneyName, status: EntryStatus, limit: number, cursor?: string): Promise<{ items: JourneyEntryRecord[]; cursor?: string }> {
    const partition = keys.journeysByStatus(journey, status, '').gsi1pk;
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: startKeyOf(cursor, { index: GSI1, partition }) } : {}),
      }),
    );
    return {
      items: Items.map((item) => journeyEntryEntity.parse(item)),
      ...cursorAfter(LastEvaluatedKey),
    };
  }

  private async queryPartition<T>(entity: Entity<T>, customerId: string, prefix: string, limit: number, ascending: boolean): Promise<T[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': prefix },
        ScanIndexForward: ascending,
        Limit: limit,
      }),
    );
    return Items.map((item) => entity.parse(item));
  }

  private async *queryIndex<T>(entity: Entity<T>, partition: string): AsyncIterable<T> {
    for await (const item of itemsOfIndexPartition(this.client, this.table, partition)) yield entity.parse(item);
  }
}
