/**
 * Privacy requests kept for the store (core/privacy/shopify-privacy.ts):
 *
 * | item            | pk                          | sk      | gsi1pk / gsi1sk                           |
 * |-----------------|-----------------------------|---------|-------------------------------------------|
 * | privacy request | PRIVACY_REQUEST#<requestId> | REQUEST | PRIVACY_REQUESTS / <receivedAt>#<requestId> |
 *
 * A request delivered again keeps the first record.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PrivacyRequest, PrivacyRequestLog } from '../core/privacy/shopify-privacy.ts';
import { privacyRequestEntity } from './entities.ts';
import { GSI1, privacyKeys } from './table-design.ts';

const INDEX_PARTITION = privacyKeys.byReceipt('', '').gsi1pk;

export class DynamoPrivacyRequests implements PrivacyRequestLog {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async record(request: PrivacyRequest): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...privacyKeys.request(request.requestId), ...privacyKeys.byReceipt(request.receivedAt, request.requestId), type: 'privacyRequest', ...request },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The latest requests first. */
  async latest(limit: number): Promise<PrivacyRequest[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({ TableName: this.table, IndexName: GSI1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': INDEX_PARTITION }, ScanIndexForward: false, Limit: limit }),
    );
    return Items.map((item) => privacyRequestEntity.parse(item));
  }
}
