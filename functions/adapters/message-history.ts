/**
 * The console's view of a customer's message log (core/delivery/message-history.ts): one query on
 * the customer's MESSAGE# range, newest first, a page at a time. The cursor is the last key read,
 * checked to be one of this customer's log entries before it is used.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../core/errors.ts';
import type { MessageHistory, MessageHistoryPage, MessageHistoryQuery } from '../core/delivery/message-history.ts';
import { messageLogEntity } from './entities.ts';
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
    const startKey = query.cursor ? decodeCursor(query.cursor, partition) : undefined;
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
    const items = (page.Items ?? []).map((item) => messageLogEntity.parse(item));
    const last = page.LastEvaluatedKey;
    return { items, ...(last ? { cursor: Buffer.from(JSON.stringify({ pk: last['pk'], sk: last['sk'] })).toString('base64url') } : {}) };
  }
}

function decodeCursor(cursor: string, partition: string): { pk: string; sk: string } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const candidate = (key ?? {}) as Record<string, unknown>;
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.keys(candidate).length === 2 &&
    candidate['pk'] === partition &&
    typeof candidate['sk'] === 'string' &&
    candidate['sk'].startsWith(keys.messagePrefix);
  if (!valid) throw new InvalidInputError("the cursor is not one this API gave out for this customer's messages");
  return { pk: partition, sk: candidate['sk'] as string };
}
