/**
 * The console's customer search (core/customer-search.ts) on the single table: emails through the
 * orders that carry them (gsi2 ORDER_EMAIL#<email>), phones through the profiles (gsi2
 * PHONE#<e164>), merged ids through the identity directory, and the matches read from the profiles
 * in one batch.
 */
import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerMatch, CustomerSearchPorts } from '../core/customer-search.ts';
import { customerMatchEntity } from './entities.ts';
import { DynamoIdentityDirectory } from './identity-directory.ts';
import { DynamoPhoneDirectory } from './phone-directory.ts';
import { batchGetItems } from './queries.ts';
import { GSI2, keys } from './table-design.ts';

export class DynamoCustomerDirectory implements CustomerSearchPorts {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly phones: DynamoPhoneDirectory;
  private readonly identities: DynamoIdentityDirectory;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
    this.phones = new DynamoPhoneDirectory(client, table);
    this.identities = new DynamoIdentityDirectory(client, table);
  }

  async customersWithEmail(email: string): Promise<string[]> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.customerByOrderEmail(email, '').gsi2pk },
        ProjectionExpression: 'gsi2sk',
      },
    );
    const customerIds = new Set<string>();
    for await (const page of pages) {
      for (const item of page.Items ?? []) if (typeof item['gsi2sk'] === 'string') customerIds.add(item['gsi2sk']);
    }
    return [...customerIds];
  }

  customersWithPhone(phone: string): Promise<string[]> {
    return this.phones.customersWithPhone(phone);
  }

  aliasOf(customerId: string): Promise<string | undefined> {
    return this.identities.aliasOf(customerId);
  }

  async matches(customerIds: readonly string[]): Promise<CustomerMatch[]> {
    const profiles = await batchGetItems(this.client, this.table, customerIds.map((customerId) => keys.profile(customerId)), {
      projection: { expression: 'customerId, #name, email, phone, orderCount, lastOrderAt', names: { '#name': 'name' } },
    });
    return profiles.map((item) => customerMatchEntity.parse(item));
  }
}
