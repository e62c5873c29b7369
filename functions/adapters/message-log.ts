/**
 * Delivery on DynamoDB: the contact (profile + PREFERENCES item), the per-customer message log with
 * its one-time send guards, and manager tasks. Keys come from table-design.ts.
 *
 * Opt-outs and bounces live only in the PREFERENCES item and are written with UpdateItem on their
 * own attributes, so neither purchase writes (which replace the profile item) nor concurrent
 * unsubscribes can lose them.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { optOutVias, type OptOuts, type OptOutStatus, type OptOutVia } from '../core/delivery/opt-outs.ts';
import type { TaskCompletion, TaskStore } from '../core/delivery/tasks.ts';
import { DeliveryStatusContentionError, MessageStillSendingError, nextDeliveryState, type DeliveryChange, type DeliveryState, type Provider, type SentMessage } from '../core/delivery/delivery-events.ts';
import type {
  ChannelPreferences,
  Contact,
  ContactChannel,
  ContactPreferences,
  ContactStore,
  ManagerTask,
  MessageLog,
  MessageLogEntry,
  TaskCreator,
  TaskStatus,
} from '../core/delivery/types.ts';
import { readConfig, retentionEnv } from '../config.ts';
import { now } from './clock.ts';
import { messageLogEntity, profileEntity, taskEntity } from './entities.ts';
import { batchGetItems, cursorAfter, startKeyOf } from './queries.ts';
import { GSI1, keys, TTL_ATTRIBUTE } from './table-design.ts';

/** Send guards only matter while a step can still be retried or redriven; a year is ample. */
const GUARD_MEMORY_SECONDS = 400 * 24 * 3600;
const EVENT_RETENTION_SECONDS = readConfig(retentionEnv).COMEBACK_EVENT_RETENTION_DAYS * 24 * 3600;

/** When an event item (a log entry, a task) expires: the retention after the instant it belongs to. */
export function eventExpiry(at: string): number {
  return Math.floor(Date.parse(at) / 1000) + EVENT_RETENTION_SECONDS;
}

const preferenceAttributes = (channel: ContactChannel) => ({
  optedOutAt: `${channel}OptedOutAt`,
  optedOutVia: `${channel}OptedOutVia`,
  suppressed: `${channel}Suppressed`,
  suppressedAt: `${channel}SuppressedAt`,
});

export class DynamoContacts implements ContactStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  /** The profile and the preferences, read consistently (an opt-out just made counts) in one call. */
  async load(customerId: string): Promise<Contact | undefined> {
    const wanted = { profile: keys.profile(customerId), preferences: keys.preferences(customerId) };
    const items = await batchGetItems(this.client, this.table, [wanted.profile, wanted.preferences], { consistent: true });
    // Both are in the customer's partition: their sort keys tell them apart.
    const itemAt = (key: { sk: string }) => items.find((item) => item['sk'] === key.sk);
    const profile = itemAt(wanted.profile);
    if (!profile) return undefined;
    return { profile: profileEntity.parse(profile), preferences: toPreferences(itemAt(wanted.preferences)) };
  }

  async preferences(customerId: string): Promise<ContactPreferences> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.preferences(customerId), ConsistentRead: true }));
    return toPreferences(Item);
  }

  /**
   * The customer withdrew marketing consent on a channel. The first opt-out (its time and how it
   * was made) is kept: a second one changes nothing and says 'already'.
   */
  async recordOptOut(customerId: string, channel: ContactChannel, via: OptOutVia, at: string = now().toISOString()): Promise<OptOutStatus> {
    const names = preferenceAttributes(channel);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.preferences(customerId),
          UpdateExpression: 'SET #type = :type, customerId = :customerId, #optedOutAt = :at, #optedOutVia = :via',
          ConditionExpression: 'attribute_not_exists(#optedOutAt)',
          ExpressionAttributeNames: { '#type': 'type', '#optedOutAt': names.optedOutAt, '#optedOutVia': names.optedOutVia },
          ExpressionAttributeValues: { ':type': 'preferences', ':customerId': customerId, ':at': at, ':via': via },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already';
      throw error;
    }
  }

  /** When and how each channel's marketing consent was withdrawn, for the channels where it was. */
  async optOuts(customerId: string): Promise<OptOuts> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.preferences(customerId), ConsistentRead: true }));
    return toOptOuts(Item);
  }

  /** A hard bounce or a complaint: the channel's address is never used again. */
  async recordBounce(customerId: string, channel: ContactChannel, kind: 'bounce' | 'complaint', at: string = now().toISOString()): Promise<void> {
    const names = preferenceAttributes(channel);
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.preferences(customerId),
        // A complaint is the stronger signal and replaces a bounce; the first time is kept.
        UpdateExpression:
          kind === 'complaint'
            ? 'SET #type = :type, customerId = :customerId, #suppressed = :kind, #suppressedAt = if_not_exists(#suppressedAt, :at)'
            : 'SET #type = :type, customerId = :customerId, #suppressed = if_not_exists(#suppressed, :kind), #suppressedAt = if_not_exists(#suppressedAt, :at)',
        ExpressionAttributeNames: { '#type': 'type', '#suppressed': names.suppressed, '#suppressedAt': names.suppressedAt },
        ExpressionAttributeValues: { ':type': 'preferences', ':customerId': customerId, ':kind': kind, ':at': at },
      }),
    );
  }
}

const isOptOutVia = (value: string): value is OptOutVia => (optOutVias as readonly string[]).includes(value);

function toOptOuts(item: Record<string, unknown> | undefined): OptOuts {
  const optOuts: OptOuts = {};
  for (const channel of ['email', 'sms'] as const) {
    const names = preferenceAttributes(channel);
    const at = item?.[names.optedOutAt];
    const via = item?.[names.optedOutVia];
    if (typeof at !== 'string') continue;
    optOuts[channel] = { at, ...(typeof via === 'string' && isOptOutVia(via) ? { via } : {}) };
  }
  return optOuts;
}

function toPreferences(item: Record<string, unknown> | undefined): ContactPreferences {
  const channel = (name: ContactChannel): ChannelPreferences => {
    const names = preferenceAttributes(name);
    const optedOutAt = item?.[names.optedOutAt];
    const suppressed = item?.[names.suppressed];
    const suppressedAt = item?.[names.suppressedAt];
    return {
      ...(typeof optedOutAt === 'string' ? { optedOutAt } : {}),
      ...(suppressed === 'bounce' || suppressed === 'complaint' ? { suppressed } : {}),
      ...(typeof suppressedAt === 'string' ? { suppressedAt } : {}),
    };
  };
  return { email: channel('email'), sms: channel('sms') };
}

export class DynamoMessageLog implements MessageLog {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  /** One range query on MESSAGE#<since>..MESSAGE#<until> (entries at `until` included), oldest first. */
  async recent(customerId: string, since: string, until: string): Promise<MessageLogEntry[]> {
    const entries: MessageLogEntry[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.customerPartition(customerId),
          ':from': `${keys.messagePrefix}${since}`,
          ':to': `${keys.messagePrefix}${until}#\uffff`,
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) entries.push(messageLogEntity.parse(item));
    return entries;
  }

  async claim(entry: MessageLogEntry): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.messageGuard(entry.messageId),
            type: 'messageGuard',
            messageId: entry.messageId,
            customerId: entry.customerId,
            status: 'sending',
            claimedAt: entry.at,
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(entry.at) / 1000) + GUARD_MEMORY_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Writes the entry and, with its first write only, adds it to its journey step's count of the day
   * (the funnels of GET /v1/metrics); a retried step writes the entry again without counting it twice.
   */
  async record(entry: MessageLogEntry): Promise<void> {
    const item = { ...keys.message(entry.customerId, entry.at, `${entry.messageId}#${entry.status}`), type: 'message', ...entry, [TTL_ATTRIBUTE]: eventExpiry(entry.at) };
    // The log entry and the confirmed guard together: a sent message is always counted by the cap.
    const guard =
      entry.status === 'sent'
        ? [
            {
              Update: {
                TableName: this.table,
                Key: keys.messageGuard(entry.messageId),
                UpdateExpression: 'SET #status = :sent, sentAt = :at, logSk = :logSk',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':sent': 'sent', ':at': entry.at, ':logSk': item.sk },
              },
            },
          ]
        : [];
    const day = entry.at.slice(0, 10);
    const count = {
      Update: {
        TableName: this.table,
        Key: keys.funnelCount(entry.journey, day, entry.step, entry.status),
        UpdateExpression: 'SET #type = :type, journey = :journey, step = :step, #status = :status, #day = :day ADD #count :one',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status', '#day': 'day', '#count': 'count' },
        ExpressionAttributeValues: { ':type': 'funnelCount', ':journey': entry.journey, ':step': entry.step, ':status': entry.status, ':day': day, ':one': 1 },
      },
    };
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }, ...guard, count] }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
      // Recorded before (a retried step): written again as it is now, not counted again.
      if (guard.length > 0) await this.client.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: this.table, Item: item } }, ...guard] }));
      else await this.client.send(new PutCommand({ TableName: this.table, Item: item }));
    }
    if (entry.status === 'failed' || entry.status === 'suppressed') await this.release(entry.messageId, entry.at);
  }

  /** A message sent or being sent: its guard names the customer (and, once sent, the log entry's key). */
  async sentMessage(messageId: string): Promise<SentMessage | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.messageGuard(messageId), ConsistentRead: true }));
    if ((Item?.['status'] !== 'sent' && Item?.['status'] !== 'sending') || typeof Item['customerId'] !== 'string') return undefined;
    return { messageId, customerId: Item['customerId'] };
  }

  /** Remembers the id a provider accepted a message under, as long as its guard is kept. */
  async recordReceipt(provider: Provider, providerMessageId: string, message: SentMessage, at: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.providerReceipt(provider, providerMessageId),
          type: 'providerReceipt',
          provider,
          providerMessageId,
          messageId: message.messageId,
          customerId: message.customerId,
          acceptedAt: at,
          [TTL_ATTRIBUTE]: Math.floor(Date.parse(at) / 1000) + GUARD_MEMORY_SECONDS,
        },
      }),
    );
  }

  async acceptedAs(provider: Provider, providerMessageId: string): Promise<SentMessage | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.providerReceipt(provider, providerMessageId), ConsistentRead: true }));
    if (typeof Item?.['messageId'] !== 'string' || typeof Item['customerId'] !== 'string') return undefined;
    return { messageId: Item['messageId'], customerId: Item['customerId'] };
  }

  /**
   * Sets the provider's delivery status on the message's 'sent' log entry. The decision is
   * nextDeliveryState's (never backwards, a repeat changes nothing); the write is guarded by the
   * values it decided on, and decided again when another event changed them in between.
   */
  async applyDeliveryChange(message: SentMessage, change: DeliveryChange): Promise<'updated' | 'unchanged'> {
    const guard = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.messageGuard(message.messageId), ConsistentRead: true }));
    // Accepted by the provider, not yet logged as sent: the event is retried until it is.
    if (guard.Item?.['status'] === 'sending') throw new MessageStillSendingError(`message ${message.messageId} is not logged as sent yet`);
    const logSk = guard.Item?.['logSk'];
    if (guard.Item?.['status'] !== 'sent' || typeof logSk !== 'string') return 'unchanged';
    const key = { pk: keys.customerPartition(message.customerId), sk: logSk };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      if (!Item) return 'unchanged';
      const current: DeliveryState = messageLogEntity.parse(Item);
      const next = nextDeliveryState(current, change);
      if (!next) return 'unchanged';
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const conditions = ['attribute_exists(pk)'];
      for (const [index, field] of (['deliveryStatus', 'deliveryStatusAt', 'deliveryDetail', 'openedAt', 'clickedAt'] as const).entries()) {
        names[`#f${index}`] = field;
        const held = current[field];
        if (held === undefined) conditions.push(`attribute_not_exists(#f${index})`);
        else {
          conditions.push(`#f${index} = :held${index}`);
          values[`:held${index}`] = held;
        }
        if (next[field] !== undefined) {
          sets.push(`#f${index} = :next${index}`);
          values[`:next${index}`] = next[field];
        }
      }
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return 'updated';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new DeliveryStatusContentionError(`the delivery status of message ${message.messageId} kept changing while it was written`);
  }

  /**
   * A send that did not happen gives its claim back, so a retry may send; a sent message is never
   * released, and only the attempt that took the claim (the same `at`) gives it back.
   */
  private async release(messageId: string, claimedAt: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.messageGuard(messageId),
          UpdateExpression: 'SET #status = :failed',
          ConditionExpression: '#status = :sending AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':sending': 'sending', ':claimedAt': claimedAt },
        }),
      );
    } catch (error) {
      // No claim was taken (the template failed before it), or it is already sent: nothing to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

export interface TaskPage {
  items: ManagerTask[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  cursor?: string;
}

export class DynamoTasks implements TaskCreator, TaskStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async create(task: ManagerTask): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.task(task.taskId), ...keys.tasksByStatus(task.status, task.dueAt, task.taskId), type: 'task', ...task, [TTL_ATTRIBUTE]: eventExpiry(task.dueAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Created by an earlier attempt of the same message: keep that one (it may be done already).
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async get(taskId: string): Promise<ManagerTask | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.task(taskId), ConsistentRead: true }));
    return Item ? taskEntity.parse(Item) : undefined;
  }

  /** Tasks by status, earliest due first. */
  async list(status: TaskStatus, options: { limit?: number; cursor?: string } = {}): Promise<TaskPage> {
    const partition = keys.tasksByStatus(status, '', '').gsi1pk;
    const startKey = options.cursor ? startKeyOf(options.cursor, { index: GSI1, partition }) : undefined;
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :status',
        ExpressionAttributeValues: { ':status': partition },
        Limit: options.limit ?? 100,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => taskEntity.parse(item)),
      ...cursorAfter(page.LastEvaluatedKey),
    };
  }

  async complete(task: ManagerTask, completion: TaskCompletion, completedAt: string): Promise<ManagerTask | undefined> {
    const { taskId } = task;
    const byStatus = keys.tasksByStatus('done', task.dueAt, taskId);
    const values: Record<string, unknown> = {
      ':done': 'done',
      ':open': 'open',
      ':outcome': completion.outcome,
      ':completedAt': completedAt,
      ':gsi1pk': byStatus.gsi1pk,
      ':gsi1sk': byStatus.gsi1sk,
    };
    const sets = ['#status = :done', 'outcome = :outcome', 'completedAt = :completedAt', 'gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk'];
    if (completion.churnReason) {
      sets.push('churnReason = :churnReason');
      values[':churnReason'] = completion.churnReason;
    }
    if (completion.note) {
      sets.push('note = :note');
      values[':note'] = completion.note;
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.task(taskId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? taskEntity.parse(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
