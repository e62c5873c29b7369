/**
 * Customers by phone number, through the sparse gsi2 partition PHONE#<e164> that a profile with a
 * phone carries (table-design.ts). Only the keys are read: the customer id is the sort key.
 */
import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GSI2, keys } from './table-design.ts';

export class DynamoPhoneDirectory {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  /** Every customer whose profile has this E.164 number; several customers may share one. */
  async customersWithPhone(phone: string): Promise<string[]> {
    const partition = keys.customerByPhone(phone, '').gsi2pk;
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ProjectionExpression: 'gsi2sk',
      },
    );
    const customerIds = new Set<string>();
    for await (const page of pages) {
      for (const item of page.Items ?? []) if (typeof item['gsi2sk'] === 'string') customerIds.add(item['gsi2sk']);
    }
    return [...customerIds];
  }
}
