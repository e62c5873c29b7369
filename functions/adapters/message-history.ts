/**
 * The console's view of a customer's message log (core/delivery/message-history.ts): one query on
 * the customer's MESSAGE# range, newest first, a page at a time. The cursor is the last key read,
 * checked to be one of this customer's log entries before it is used.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MessageHistory, MessageHistoryPage, MessageHistoryQuery } from '../core/delivery/message-history.ts';
import { messageLogEntity } from './entities.ts';
import { cursorAfter, startKeyOf } from './queries.ts';
import { keys } from './table-design.ts';

export class DynamoMessageHistory implements MessageHistory {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async isCustomer(customerId: string): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.profile(customerId), ProjectionExpression: 'pk' }));
    return Item !== undefined;
  }

  async page(customerId: string, query: MessageHistoryQuery): Promise<MessageHistoryPage> {
    const partition = keys.customerPartition(customerId);
    const startKey = query.cursor ? startKeyOf(query.cursor, { partition, sortKeyPrefix: keys.messagePrefix }) : undefined;
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :messages)',
        ExpressionAttributeValues: { ':pk': partition, ':messages': keys.messagePrefix },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return { items: (page.Items ?? []).map((item) => messageLogEntity.parse(item)), ...cursorAfter(page.LastEvaluatedKey) };
  }
}
