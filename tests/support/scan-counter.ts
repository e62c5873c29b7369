/**
 * A DynamoDB Local client that counts the items every Scan read, as DynamoDB counts them
 * (ScannedCount: before any filter), apart for the base table and for one index: what a nightly
 * job reads, whichever adapter it goes through.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localCredentials, localRegion } from '../../lib/local/dynamodb-local.ts';

export interface ScanCountingClient {
  client: DynamoDBDocumentClient;
  /** Items scanned since the last reset, in the table and in `indexName`. */
  scanned: { table: number; index: number };
  reset(): void;
}

export function scanCountingClient(endpoint: string, indexName: string): ScanCountingClient {
  const scanned = { table: 0, index: 0 };
  const base = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
  base.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ScanCommand') {
        const count = (result.output as { ScannedCount?: number }).ScannedCount ?? 0;
        if ((args.input as { IndexName?: string }).IndexName === indexName) scanned.index += count;
        else scanned.table += count;
      }
      return result;
    },
    { step: 'initialize', name: 'countScannedItems' },
  );
  return {
    client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    scanned,
    reset: () => {
      scanned.table = 0;
      scanned.index = 0;
    },
  };
}
