/**
 * Reads a customer's loyalty account: the loyalty store's getAccount, and the journeys' one question
 * to the loyalty program, whether a customer is a member. The journeys' functions (the step, the
 * sweep, the nightly recompute) then carry none of the store's writes (its transactions and p-retry,
 * 11 KB of the recompute's bundle).
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { membershipOf, type LoyaltyAccount } from '../core/loyalty/account.ts';
import { loyaltyAccountEntity } from './entities.ts';
import { loyaltyKeys } from './loyalty-keys.ts';

export async function readLoyaltyAccount(client: DynamoDBDocumentClient, table: string, customerId: string): Promise<LoyaltyAccount | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: table, Key: loyaltyKeys.account(customerId), ConsistentRead: true }));
  return Item ? membershipOf(loyaltyAccountEntity.parse(Item)) : undefined;
}
