/**
 * Discount codes in the single table (keys below, beside those of table-design.ts):
 *
 * | item            | pk                      | sk       | gsi1pk / gsi1sk                                   |
 * |-----------------|-------------------------|----------|---------------------------------------------------|
 * | issued discount | DISCOUNT#<offerId>      | DISCOUNT |                                                   |
 * | pool code       | DISCOUNT_POOL#<code>    | POOL     | DISCOUNT_POOL#FREE / <expiresAt or ~>#<code>, while free |
 *
 * A free pool code is in the sparse index; handing it out removes it from the index and records
 * the issued discount in one transaction whose conditions (the code still free, the offer without
 * a code) make two concurrent hand-outs of one code, or two codes for one offer, impossible.
 * The index is sorted by expiry, so the code that expires first goes first; expired codes are skipped.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DiscountLedger, DiscountPool, IssuedDiscount, PoolUpload } from '../core/discounts/discounts.ts';
import { DiscountPoolBusyError } from '../core/discounts/errors.ts';
import { GSI1, keys } from './table-design.ts';

const discountKey = keys.discount;
const poolKey = keys.discountPoolCode;
const FREE = keys.freePoolCode(undefined, '').gsi1pk;
/** How many free codes one attempt looks at; concurrent hand-outs pick different ones. */
const CANDIDATES = 10;
const ATTEMPTS = 8;

export class DynamoDiscounts implements DiscountLedger, DiscountPool {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async get(offerId: string): Promise<IssuedDiscount | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: discountKey(offerId), ConsistentRead: true }));
    return Item ? issuedOf(Item) : undefined;
  }

  async reserve(discount: IssuedDiscount): Promise<IssuedDiscount> {
    try {
      await this.client.send(new PutCommand({ TableName: this.table, Item: itemOf(discount), ConditionExpression: 'attribute_not_exists(pk)' }));
      return discount;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(discount.offerId);
      if (!existing) throw error;
      return existing;
    }
  }

  async confirm(offerId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: discountKey(offerId),
        UpdateExpression: 'SET #state = :created',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':created': 'created' },
      }),
    );
  }

  async takeFromPool(offer: { offerId: string; customerId: string; issuedAt: string }): Promise<IssuedDiscount | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const existing = await this.get(offer.offerId);
      if (existing) return existing;
      const { Items = [] } = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :free AND gsi1sk > :now',
          ExpressionAttributeValues: { ':free': FREE, ':now': offer.issuedAt },
          Limit: CANDIDATES,
        }),
      );
      if (Items.length === 0) return undefined;
      const candidate = Items[Math.floor(Math.random() * Items.length)]!;
      const code = String(candidate.code);
      const expiresAt = typeof candidate.poolExpiresAt === 'string' ? candidate.poolExpiresAt : undefined;
      const issued: IssuedDiscount = { ...offer, code, ...(expiresAt ? { expiresAt } : {}), state: 'pool' };
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.table,
                  Key: poolKey(code),
                  UpdateExpression: 'REMOVE gsi1pk, gsi1sk SET offerId = :offer, customerId = :customer, issuedAt = :at',
                  ConditionExpression: 'gsi1pk = :free',
                  ExpressionAttributeValues: { ':free': FREE, ':offer': offer.offerId, ':customer': offer.customerId, ':at': offer.issuedAt },
                },
              },
              { Put: { TableName: this.table, Item: itemOf(issued), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return issued;
      } catch (error) {
        // Another hand-out took the code (or gave this offer one) first: look again.
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }
    throw new DiscountPoolBusyError(`no free pool code could be taken for offer ${offer.offerId} after ${ATTEMPTS} attempts`);
  }

  async add(upload: PoolUpload, uploadedAt: string): Promise<{ added: number; duplicates: number }> {
    let added = 0;
    let duplicates = 0;
    for (const code of new Set(upload.codes)) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...poolKey(code),
              ...keys.freePoolCode(upload.expiresAt, code),
              code,
              uploadedAt,
              ...(upload.expiresAt ? { poolExpiresAt: upload.expiresAt } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        added += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        duplicates += 1;
      }
    }
    return { added, duplicates: duplicates + upload.codes.length - new Set(upload.codes).size };
  }

  async available(): Promise<number> {
    let count = 0;
    const pages = paginateQuery(
      { client: this.client },
      { TableName: this.table, IndexName: GSI1, KeyConditionExpression: 'gsi1pk = :free', ExpressionAttributeValues: { ':free': FREE }, Select: 'COUNT' },
    );
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  }
}

/** The expiry is kept as codeExpiresAt: expiresAt is the table's TTL attribute. */
function itemOf(discount: IssuedDiscount): Record<string, unknown> {
  const { expiresAt, ...rest } = discount;
  return { ...discountKey(discount.offerId), ...rest, ...(expiresAt ? { codeExpiresAt: expiresAt } : {}) };
}

function issuedOf(item: Record<string, unknown>): IssuedDiscount {
  const state = item.state === 'created' || item.state === 'pool' ? item.state : 'reserved';
  return {
    offerId: String(item.offerId),
    customerId: String(item.customerId),
    code: String(item.code),
    ...(typeof item.codeExpiresAt === 'string' ? { expiresAt: item.codeExpiresAt } : {}),
    issuedAt: String(item.issuedAt),
    state,
  };
}
