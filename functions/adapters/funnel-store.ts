/**
 * The funnel counts the message log adds as it writes (message-log.ts record, table-design.ts
 * funnelCount): one query per journey over the days asked.
 */
import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FunnelCount } from '../core/analytics/funnels.ts';
import { keys } from './table-design.ts';

export class DynamoFunnelStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async counts(journeys: readonly string[], from: string, to: string): Promise<FunnelCount[]> {
    const perJourney = await Promise.all(
      journeys.map(async (journey) => {
        const rows: FunnelCount[] = [];
        const pages = paginateQuery(
          { client: this.client },
          {
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': keys.funnelCount(journey, '', '', '').pk, ':from': from, ':to': `${to}#\uffff` },
          },
        );
        for await (const page of pages) {
          for (const item of page.Items ?? []) {
            rows.push({ journey, day: String(item['day']), step: String(item['step']), status: String(item['status']), count: Number(item['count'] ?? 0) });
          }
        }
        return rows;
      }),
    );
    return perJourney.flat();
  }
}
