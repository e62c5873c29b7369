/** Journey entries, check-ins and the profile reads journeys need, on the single table. */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { JourneyName } from '../core/delivery/types.ts';
import type { CheckIn, JourneyStore } from '../core/journey-engine.ts';
import type { EntryStatus, JourneyEntry, JourneyEntryRecord } from '../core/journeys.ts';
import { InvalidInputError } from '../core/errors.ts';
import type { RecordedOrder } from '../core/ledger.ts';
import type { CustomerProfile } from '../core/profile.ts';
import { GSI1, keys } from './table-design.ts';
import { itemsOfIndexPartition } from './queries.ts';
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
    return Item ? (strip(Item) as unknown as CustomerProfile) : undefined;
  }

  async listEntries(customerId: string): Promise<JourneyEntryRecord[]> {
    return (await this.queryPartition(customerId, 'JOURNEY#', 100, true)) as unknown as JourneyEntryRecord[];
  }

  async getEntry(entry: Pick<JourneyEntry, 'customerId' | 'journey' | 'entryId'>): Promise<JourneyEntryRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: keys.journeyEntry(entry.customerId, entry.journey, entry.entryId), ConsistentRead: true }),
    );
    return Item ? (strip(Item) as unknown as JourneyEntryRecord) : undefined;
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
    return Items.map((item) => strip(item) as unknown as RecordedOrder);
  }

  async recentOrders(customerId: string, limit: number): Promise<RecordedOrder[]> {
    return (await this.queryPartition(customerId, keys.orderPrefix, limit, false)) as unknown as RecordedOrder[];
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

  async *dueCheckIns(fromDay: string, toDay: string): AsyncIterable<CheckIn> {
    for (let day = new Date(`${fromDay}T00:00:00Z`); day.toISOString().slice(0, 10) <= toDay; day = new Date(day.getTime() + 86_400_000)) {
      yield* this.queryIndex(`CHECKIN_DUE#${day.toISOString().slice(0, 10)}`) as AsyncIterable<CheckIn>;
    }
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
    const key = { pk: keys.profile(customerId).pk, sk: 'CHECKIN_TASK' };
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
    return this.queryIndex(keys.lastOrderDay(`${day}T00:00:00Z`, '').gsi1pk) as AsyncIterable<CustomerProfile>;
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
        ...(cursor ? { ExclusiveStartKey: startKeyOf(cursor, partition) } : {}),
      }),
    );
    return {
      items: Items.map((item) => strip(item) as unknown as JourneyEntryRecord),
      ...(LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(LastEvaluatedKey)).toString('base64url') } : {}),
    };
  }

  private async queryPartition(customerId: string, prefix: string, limit: number, ascending: boolean): Promise<Record<string, unknown>[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': prefix },
        ScanIndexForward: ascending,
        Limit: limit,
      }),
    );
    return Items.map(strip);
  }

  private async *queryIndex(partition: string): AsyncIterable<Record<string, unknown>> {
    for await (const item of itemsOfIndexPartition(this.client, this.table, partition)) yield strip(item);
  }
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, type: _type, version: _version, ...rest } = item;
  return rest;
}

/** A page cursor given back by a caller: it must be one of ours, for this very list. */
function startKeyOf(cursor: string, partition: string): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (typeof key !== 'object' || key === null || (key as Record<string, unknown>)['gsi1pk'] !== partition) {
    throw new InvalidInputError('the cursor is not one this list gave out');
  }
  return key as Record<string, unknown>;
}
