/**
 * Giving items written before a sparse index existed its key (gsi3 for the nightly recompute, gsi4
 * for the co-purchase count): the key is the item's own sort key, set without touching anything
 * else, so a writer that put the item meanwhile (with the key) loses nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../core/analytics/map-limit.ts';

type ItemKey = { pk: string; sk: string };

/** Sets `attribute` = sk on each item (8 at a time); returns how many still existed to be indexed. */
export async function setIndexSortKeys(client: DynamoDBDocumentClient, table: string, attribute: 'gsi3sk' | 'gsi4sk', items: readonly ItemKey[]): Promise<number> {
  let indexed = 0;
  await mapLimit(items, 8, async (key) => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #indexKey = :sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#indexKey': attribute },
          ExpressionAttributeValues: { ':sk': key.sk },
        }),
      );
      indexed += 1;
    } catch (error) {
      // Deleted since the scan read it (an erasure, a membership left): nothing to index.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  });
  return indexed;
}
