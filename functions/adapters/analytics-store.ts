/**
 * Segments, predictions, models and metrics on the single table. The nightly recompute reads its
 * sparse index (gsi3, see table-design.ts) with a parallel scan, so it reads profiles, memberships,
 * predictions, journey entries and feedback and never the orders and message logs beside them; it
 * writes only what changed. The admin API reads the same items.
 *
 * | item                 | pk                  | sk                          | index keys                              |
 * |----------------------|---------------------|-----------------------------|-----------------------------------------|
 * | segment membership   | CUSTOMER#<id>       | SEGMENT#<name>              | gsi2pk SEGMENT#<name> / gsi2sk <id>     |
 * | predictions          | CUSTOMER#<id>       | PREDICTIONS                 |                                         |
 * | segment definition   | SEGMENT_DEF#<name>  | DEFINITION                  | gsi1pk SEGMENT_DEFS / gsi1sk <name>     |
 * | fitted models        | MODEL               | CURRENT, and BGNBD#<fittedAt> for the history |                       |
 * | recompute state      | RECOMPUTE           | STATE                       |                                         |
 * | metrics snapshot     | METRICS             | DAY#<yyyy-mm-dd>            |                                         |
 *
 * The scan relies on DynamoDB returning the items of one partition key together, in sort-key order,
 * within a scan segment of the index (the index's partition key is the customer's pk); the
 * conditional membership put keeps entry events exactly-once even if that ever did not hold.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  paginateQuery,
  paginateScan,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { MetricsSnapshot } from '../core/analytics/metrics.ts';
import type { CustomerPredictions, FittedModels } from '../core/analytics/predictions.ts';
import type { CustomerRecord, RecomputeState, RecomputeStore, ScannedRecord, SegmentMembership } from '../core/analytics/recompute.ts';
import type { SegmentDefinition, SegmentFilter } from '../core/analytics/segments.ts';
import { RFM_PREFIX, scoresOfCell, type RfmScores } from '../core/analytics/rfm-cells.ts';
import {
  feedbackEntity,
  fittedModelsEntity,
  metricsSnapshotEntity,
  predictionsEntity,
  profileEntity,
  recomputeStateEntity,
  scannedJourneyEntryEntity,
  scannedMembershipEntity,
  segmentDefinitionEntity,
  segmentMemberEntity,
} from './entities.ts';
import { setIndexSortKeys } from './index-backfill.ts';
import { batchWriteItems, cursorAfter, itemsOfIndexPartition, startKeyOf } from './queries.ts';
import { analyticsKeys, GSI2, GSI3, keys } from './table-design.ts';

const CUSTOMER_PREFIX = keys.customerPartition('');

export { analyticsKeys };

/** The item types the nightly scan reads: the ones that carry the gsi3 key. */
const scannedTypes = ['profile', 'segmentMembership', 'predictions', 'journeyEntry', 'feedback'] as const;

export interface SegmentMembersPage {
  items: { customerId: string; since: string }[];
  /** Present when there may be more: pass it back as `cursor` for the next page. */
  cursor?: string;
}

export class DynamoAnalyticsStore implements RecomputeStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  // The nightly scan --------------------------------------------------------------------------------

  async *scan(segment: number, totalSegments: number): AsyncGenerator<ScannedRecord[]> {
    let open: CustomerRecord | undefined;
    for await (const page of paginateScan({ client: this.client }, { TableName: this.table, IndexName: GSI3, Segment: segment, TotalSegments: totalSegments })) {
      const records: ScannedRecord[] = [];
      for (const item of page.Items ?? []) {
        const type = item['type'];
        if (type === 'journeyEntry') {
          records.push({ kind: 'journeyEntry', entry: scannedJourneyEntryEntity.parse(item) });
          continue;
        }
        if (type === 'feedback') {
          records.push({ kind: 'feedback', answer: feedbackEntity.parse(item) });
          continue;
        }
        const pk = String(item['pk']);
        if (!pk.startsWith(CUSTOMER_PREFIX)) continue;
        const customerId = pk.slice(CUSTOMER_PREFIX.length);
        if (open?.customerId !== customerId) {
          if (open) records.push(open);
          open = { kind: 'customer', customerId, segments: [] };
        }
        if (type === 'profile') open.profile = profileEntity.parse(item);
        else if (type === 'segmentMembership') open.segments.push(scannedMembershipEntity.parse(item).segment);
        else if (type === 'predictions') open.predictions = predictionsEntity.parse(item);
      }
      // The segment's last page closes the customer it ends on.
      if (!page.LastEvaluatedKey && open) {
        records.push(open);
        open = undefined;
      }
      if (records.length > 0) yield records;
    }
  }

  /**
   * Once, on the first night after gsi3 appeared: every item the recompute reads that was written
   * before gets its index key (the base table scanned one last time, these items only).
   */
  async indexForNightly(segment: number, totalSegments: number): Promise<number> {
    let indexed = 0;
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.table,
        Segment: segment,
        TotalSegments: totalSegments,
        FilterExpression: `#type IN (${scannedTypes.map((_, i) => `:t${i}`).join(', ')}) AND attribute_not_exists(gsi3sk)`,
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: Object.fromEntries(scannedTypes.map((type, i) => [`:t${i}`, type])),
      },
    );
    // No version change: a profile written meanwhile by the ledger carries the key already.
    for await (const page of pages) {
      indexed += await setIndexSortKeys(this.client, this.table, 'gsi3sk', (page.Items ?? []).map((item) => ({ pk: String(item['pk']), sk: String(item['sk']) })));
    }
    return indexed;
  }

  async enterSegment(membership: SegmentMembership & { since: string }): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...analyticsKeys.membership(membership.customerId, membership.segment),
            ...analyticsKeys.membersOf(membership.segment, membership.customerId),
            ...keys.readNightly(analyticsKeys.membership(membership.customerId, membership.segment)),
            type: 'segmentMembership',
            segment: membership.segment,
            customerId: membership.customerId,
            since: membership.since,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async leaveSegments(memberships: readonly SegmentMembership[]): Promise<void> {
    await batchWriteItems(this.client, this.table, memberships.map(({ customerId, segment }) => ({ DeleteRequest: { Key: analyticsKeys.membership(customerId, segment) } })));
  }

  async putPredictions(items: readonly { customerId: string; predictions: CustomerPredictions }[]): Promise<void> {
    await batchWriteItems(
      this.client,
      this.table,
      items.map(({ customerId, predictions }) => ({
        PutRequest: { Item: { ...analyticsKeys.predictions(customerId), ...keys.readNightly(analyticsKeys.predictions(customerId)), type: 'predictions', customerId, ...predictions } },
      })),
    );
  }

  async deletePredictions(customerIds: readonly string[]): Promise<void> {
    await batchWriteItems(this.client, this.table, customerIds.map((customerId) => ({ DeleteRequest: { Key: analyticsKeys.predictions(customerId) } })));
  }

  /** The customer's RFM cell (rfm.ts), from her memberships; undefined before she was scored. */
  async rfmOf(customerId: string): Promise<RfmScores | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cell)',
        ExpressionAttributeValues: { ':pk': analyticsKeys.membership(customerId, '').pk, ':cell': analyticsKeys.membership(customerId, RFM_PREFIX).sk },
      }),
    );
    for (const item of Items) {
      const scores = scoresOfCell(String(item['segment']));
      if (scores) return scores;
    }
    return undefined;
  }

  // Models, state, snapshots ------------------------------------------------------------------------

  async readModels(): Promise<FittedModels | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: analyticsKeys.currentModels }));
    return Item ? fittedModelsEntity.parse(Item) : undefined;
  }

  async saveModels(models: FittedModels): Promise<void> {
    const item = { type: 'models', ...models };
    await Promise.all([
      this.client.send(new PutCommand({ TableName: this.table, Item: { ...analyticsKeys.currentModels, ...item } })),
      this.client.send(new PutCommand({ TableName: this.table, Item: { ...analyticsKeys.fittedModels(models.fittedAt), ...item } })),
    ]);
  }

  async readState(): Promise<RecomputeState | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: analyticsKeys.state }));
    return Item ? recomputeStateEntity.parse(Item) : undefined;
  }

  async saveState(state: RecomputeState): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: { ...analyticsKeys.state, type: 'recomputeState', ...state } }));
  }

  async saveSnapshot(snapshot: MetricsSnapshot): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: { ...analyticsKeys.snapshot(snapshot.day), type: 'metricsSnapshot', ...snapshot } }));
  }

  /** The daily snapshots from `from` to `to` (YYYY-MM-DD, both included), oldest first. */
  async readSnapshots(from: string, to: string): Promise<MetricsSnapshot[]> {
    const snapshots: MetricsSnapshot[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': analyticsKeys.snapshot(from).pk, ':from': analyticsKeys.snapshot(from).sk, ':to': analyticsKeys.snapshot(to).sk },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) snapshots.push(metricsSnapshotEntity.parse(item));
    return snapshots;
  }

  // Segment definitions and members -----------------------------------------------------------------

  async listDefinitions(): Promise<SegmentDefinition[]> {
    const definitions: SegmentDefinition[] = [];
    for await (const item of itemsOfIndexPartition(this.client, this.table, analyticsKeys.definitionsIndex('').gsi1pk)) definitions.push(segmentDefinitionEntity.parse(item));
    return definitions;
  }

  async getDefinition(name: string): Promise<SegmentDefinition | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: analyticsKeys.definition(name) }));
    return Item ? segmentDefinitionEntity.parse(Item) : undefined;
  }

  /** Creates or replaces a definition, keeping its creation time; says which it did. */
  async putDefinition(
    name: string,
    input: { description?: string; filter: SegmentFilter },
    at: string,
  ): Promise<{ definition: SegmentDefinition; created: boolean }> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: analyticsKeys.definition(name),
        UpdateExpression: `SET #type = :type, #name = :name, #filter = :filter, updatedAt = :at, createdAt = if_not_exists(createdAt, :at), gsi1pk = :gsi1pk, gsi1sk = :gsi1sk${
          input.description ? ', description = :description' : ''
        }${input.description ? '' : ' REMOVE description'}`,
        ExpressionAttributeNames: { '#type': 'type', '#name': 'name', '#filter': 'filter' },
        ExpressionAttributeValues: {
          ':type': 'segmentDefinition',
          ':name': name,
          ':filter': input.filter,
          ':at': at,
          ':gsi1pk': analyticsKeys.definitionsIndex(name).gsi1pk,
          ':gsi1sk': analyticsKeys.definitionsIndex(name).gsi1sk,
          ...(input.description ? { ':description': input.description } : {}),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const createdAt = typeof Attributes?.['createdAt'] === 'string' ? Attributes['createdAt'] : at;
    return {
      definition: { name, ...(input.description ? { description: input.description } : {}), filter: input.filter, createdAt, updatedAt: at },
      created: !Attributes,
    };
  }

  /** Deletes a definition; false when there was none. Its memberships go at the next recompute. */
  async deleteDefinition(name: string): Promise<boolean> {
    const { Attributes } = await this.client.send(new DeleteCommand({ TableName: this.table, Key: analyticsKeys.definition(name), ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }

  /** One page of a segment's members, by customer id. */
  async segmentMembers(segment: string, limit: number, cursor?: string): Promise<SegmentMembersPage> {
    const partition = analyticsKeys.membersOf(segment, '').gsi2pk;
    const startKey = cursor ? startKeyOf(cursor, { index: GSI2, partition }) : undefined;
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return {
      items: (page.Items ?? []).map((item) => segmentMemberEntity.parse(item)),
      ...cursorAfter(page.LastEvaluatedKey),
    };
  }
}
