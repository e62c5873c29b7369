/**
 * Event items expire: a message log entry and a manager task carry the table's TTL attribute, the
 * retention (COMEBACK_EVENT_RETENTION_DAYS, two years by default) after the instant they belong to,
 * so DynamoDB deletes them without a job; orders and profiles carry none.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoMessageLog, DynamoTasks } from '../../functions/adapters/message-log.ts';
import { keys, TTL_ATTRIBUTE } from '../../functions/adapters/table-design.ts';
import { uniqueId } from '../support/events.ts';

const log = new DynamoMessageLog(documentClient, tableName);
const tasks = new DynamoTasks(documentClient, tableName);
const twoYears = 730 * 24 * 3600;

describe('event retention', () => {
  it('gives a logged message and a task the TTL of two years after their instant', async () => {
    const customerId = uniqueId('retention');
    const at = '2026-06-01T12:00:00.000Z';
    await log.record({ messageId: `${customerId}.m`, at, customerId, journey: 'win-back', step: 'email', channel: 'email', status: 'deferred', marketing: true, priority: 1, reason: 'quiet hours' });
    const taskId = uniqueId('task');
    await tasks.create({
      taskId,
      messageId: `${customerId}.t`,
      customerId,
      journey: 'win-back',
      reason: 'no purchase for 120 days',
      dueAt: '2026-06-03T09:00:00.000Z',
      status: 'open',
      subject: 'Win-back call',
      text: 'Please call',
      createdAt: at,
      historyAtAGlance: { orderCount: 1, lastOrderAt: '2026-01-01T10:00:00.000Z', netRevenueMinor: 5497, currency: 'USD' },
    });

    const { Items = [] } = await documentClient.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': keys.messagePrefix } }),
    );
    const { Item: task } = await documentClient.send(new GetCommand({ TableName: tableName, Key: keys.task(taskId) }));

    expect(Items.map((item) => item[TTL_ATTRIBUTE])).toEqual([Date.parse(at) / 1000 + twoYears]);
    expect(task?.[TTL_ATTRIBUTE]).toBe(Date.parse('2026-06-03T09:00:00.000Z') / 1000 + twoYears);
    // What the log gives back does not show the table's bookkeeping.
    expect((await log.recent(customerId, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'))[0]).not.toHaveProperty(TTL_ATTRIBUTE);
  });
});
