/**
 * The single-table design. One place defines every key, so the CDK table, the local host's
 * DynamoDB Local table and the adapters cannot drift apart.
 *
 * | item              | pk                       | sk                              | gsi1pk / gsi1sk                     |
 * |-------------------|--------------------------|---------------------------------|-------------------------------------|
 * | customer profile  | CUSTOMER#<id>            | PROFILE                         | LAST_ORDER#<yyyy-mm-dd> / <id>      |
 * | order             | CUSTOMER#<id>            | ORDER#<placedAt>#<orderId>      |                                     |
 * | order guard       | ORDER#<orderId>          | ORDER                           |                                     |
 * | refund            | ORDER#<orderId>          | REFUND#<refundId>               |                                     |
 * | platform delivery | DELIVERY#<source>#<id>   | DELIVERY  (expires by TTL)      |                                     |
 *
 * Reserved for what comes next, on the same generic attributes:
 * - gsi2pk SEGMENT#<name> / gsi2sk <customerId>: customers by segment;
 * - gsi1pk JOURNEY#<name>#OPEN, TASKS#OPEN: open journeys and manager tasks;
 * - sk MESSAGE#<sentAt>#<id> under CUSTOMER#<id>: messages sent in the last N days (range on sk).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TTL_ATTRIBUTE = 'expiresAt';
export const GSI1 = 'gsi1';
export const GSI2 = 'gsi2';

export const keys = {
  profile: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  customerPartition: (customerId: string) => `CUSTOMER#${customerId}`,
  order: (customerId: string, placedAt: string, orderId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `ORDER#${placedAt}#${orderId}` }),
  orderPrefix: 'ORDER#',
  orderGuard: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  refund: (orderId: string, refundId: string) => ({ pk: `ORDER#${orderId}`, sk: `REFUND#${refundId}` }),
  delivery: (source: string, deliveryId: string) => ({ pk: `DELIVERY#${source}#${deliveryId}`, sk: 'DELIVERY' }),
  /** Customers by the day of their last order: the win-back sweep reads one day at a time. */
  lastOrderDay: (lastOrderAt: string, customerId: string) => ({ gsi1pk: `LAST_ORDER#${lastOrderAt.slice(0, 10)}`, gsi1sk: customerId }),
};

/** The table as DynamoDB Local creates it; lib/cdk/comeback-data.ts declares the same for AWS. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [GSI1, GSI2].map((index) => ({
      IndexName: index,
      KeySchema: [
        { AttributeName: `${index}pk`, KeyType: 'HASH' },
        { AttributeName: `${index}sk`, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
