/**
 * The identity directory (core/identity.ts) on the single table:
 *
 * | item                | pk                    | sk                        |
 * |---------------------|-----------------------|---------------------------|
 * | email owner         | EMAIL#<email>         | IDENTITY                  |
 * | alias               | ALIAS#<customer id>   | IDENTITY                  |
 * | identity pointer    | CUSTOMER#<id>         | IDENTITY#EMAIL#<email>, IDENTITY#ALIAS#<alias id> |
 *
 * Each directory item is written together with a pointer in its owner's partition, so an export or
 * erasure of the customer finds them (customer-data.ts). The partition's IDENTITY# sort keys stay
 * outside ORDER#..PREDICTIONS, the range the customer read queries.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdentityDirectory } from '../core/identity.ts';
import { identityKeys, keys } from './table-design.ts';

const CLAIM_ATTEMPTS = 5;

export { identityKeys };

export class DynamoIdentityDirectory implements IdentityDirectory {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async aliasOf(customerId: string): Promise<string | undefined> {
    return this.ownerAt(identityKeys.alias(customerId));
  }

  async claimEmail(email: string, customerId: string): Promise<string> {
    const written = await this.claim(identityKeys.email(email), { type: 'emailOwner', email, customerId }, identityKeys.emailPointer(customerId, email), { kind: 'email', email });
    return written ? customerId : ((await this.ownerAt(identityKeys.email(email))) ?? customerId);
  }

  async isCustomer(customerId: string): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.profile(customerId), ConsistentRead: true, ProjectionExpression: 'pk' }));
    return Item !== undefined;
  }

  async addAlias(alias: string, customerId: string): Promise<string> {
    const written = await this.claim(identityKeys.alias(alias), { type: 'customerAlias', alias, customerId }, identityKeys.aliasPointer(customerId, alias), { kind: 'alias', alias });
    return written ? customerId : ((await this.aliasOf(alias)) ?? customerId);
  }

  /** The directory item and its pointer, unless the item exists; false when it did. */
  private async claim(key: { pk: string; sk: string }, item: Record<string, unknown>, pointer: { pk: string; sk: string }, pointed: Record<string, unknown>): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.table, Item: { ...key, ...item }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: this.table, Item: { ...pointer, type: 'identity', ...pointed } } },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
        // A concurrent claim of the same item: the next attempt sees who won.
        if (attempt >= CLAIM_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  private async ownerAt(key: { pk: string; sk: string }): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return typeof Item?.['customerId'] === 'string' ? Item['customerId'] : undefined;
  }
}
