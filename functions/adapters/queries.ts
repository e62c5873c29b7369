/** Reading a whole partition of the generic index, page after page, with the SDK's own paginator. */
import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GSI1 } from './table-design.ts';

export async function* itemsOfIndexPartition(client: DynamoDBDocumentClient, table: string, partition: string): AsyncIterable<Record<string, unknown>> {
  const pages = paginateQuery({ client }, { TableName: table, IndexName: GSI1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': partition } });
  for await (const page of pages) yield* page.Items ?? [];
}
