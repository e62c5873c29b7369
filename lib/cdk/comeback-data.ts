/**
 * The stateful part of Comeback: the single table, in its own stack so the stateless API can be
 * replaced, renamed or destroyed without touching the data.
 *
 * The keys and indexes are read from functions/adapters/table-design.ts (the same definition
 * DynamoDB Local is created from), so the deployed table cannot drift from what the adapters use.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TTL_ATTRIBUTE, tableDefinition } from '../../functions/adapters/table-design.ts';

/** What a function may do with the table's data. */
export type TableAccess = 'read' | 'readWrite';

/**
 * Data actions only: no Scan, no table management, no streams. Transactions need no actions of
 * their own: TransactGetItems and TransactWriteItems are authorized by the item actions below.
 */
export const TABLE_READ_ACTIONS: readonly string[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
export const TABLE_WRITE_ACTIONS: readonly string[] = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
/** Only batch jobs that read every item (or every item of a sparse index) scan. */
export const TABLE_SCAN_ACTION = 'dynamodb:Scan';

export interface ComebackTableProps {
  /**
   * What happens to the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Whether DynamoDB refuses to delete the table.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

const attributeTypes: Record<string, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function streamViewType(declared: string | undefined): dynamodb.StreamViewType {
  const type = Object.values(dynamodb.StreamViewType).find((candidate) => candidate === declared);
  if (!type) throw new Error(`the table design declares an unknown stream view type "${declared ?? ''}"`);
  return type;
}

/**
 * The single table: on demand, point-in-time recovery, TTL, deletion protection, kept on stack
 * deletion. `grantData()` gives a function exactly the data actions it needs, on the table and
 * its named indexes (no `index/*` wildcard).
 */
export class ComebackTable extends Construct {
  public readonly table: dynamodb.Table;
  public readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: ComebackTableProps = {}) {
    super(scope, id);
    // Only the shape is read from the definition; CloudFormation names the table.
    const definition = tableDefinition('comeback');
    const attribute = (name: string | undefined): dynamodb.Attribute => {
      const declared = definition.AttributeDefinitions?.find((candidate) => candidate.AttributeName === name);
      const type = declared?.AttributeType ? attributeTypes[declared.AttributeType] : undefined;
      if (!name || !type) throw new Error(`the table design declares no type for the key attribute "${name ?? ''}"`);
      return { name, type };
    };
    const keyOf = (schema: readonly { AttributeName?: string; KeyType?: string }[] | undefined, keyType: 'HASH' | 'RANGE') =>
      schema?.find((key) => key.KeyType === keyType)?.AttributeName;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attribute(keyOf(definition.KeySchema, 'HASH')),
      sortKey: attribute(keyOf(definition.KeySchema, 'RANGE')),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The purchase reactions read new items from it (lib/cdk/comeback-purchase-reactions.ts).
      ...(definition.StreamSpecification?.StreamEnabled ? { stream: streamViewType(definition.StreamSpecification.StreamViewType) } : {}),
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    const indexNames: string[] = [];
    for (const index of definition.GlobalSecondaryIndexes ?? []) {
      if (!index.IndexName) throw new Error('the table design declares an index without a name');
      const schema = index.KeySchema;
      const projection = index.Projection?.ProjectionType ?? 'ALL';
      const projectionType = Object.values(dynamodb.ProjectionType).find((type) => type === projection);
      if (!projectionType) throw new Error(`the index ${index.IndexName} has an unknown projection "${projection}"`);
      this.table.addGlobalSecondaryIndex({
        indexName: index.IndexName,
        partitionKey: attribute(keyOf(schema, 'HASH')),
        ...(keyOf(schema, 'RANGE') ? { sortKey: attribute(keyOf(schema, 'RANGE')) } : {}),
        projectionType,
        ...(projection === 'INCLUDE' ? { nonKeyAttributes: index.Projection?.NonKeyAttributes ?? [] } : {}),
      });
      indexNames.push(index.IndexName);
    }
    this.indexNames = indexNames;
  }

  public get tableName(): string {
    return this.table.tableName;
  }

  public get tableArn(): string {
    return this.table.tableArn;
  }

  /**
   * Scan the base table, and the named indexes with `indexes`, for the whole-table batch jobs (the
   * nightly recompute reads its sparse index; the co-purchase count the base table). Separate from
   * `grantData()` so request handlers never get it.
   */
  public grantScan(grantee: iam.IGrantable, indexes: readonly string[] = []): iam.Grant {
    for (const index of indexes) if (!this.indexNames.includes(index)) throw new Error(`the table has no index "${index}" to scan`);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [TABLE_SCAN_ACTION],
      resourceArns: [this.table.tableArn, ...indexes.map((index) => `${this.table.tableArn}/index/${index}`)],
    });
  }

  /**
   * UpdateItem alone, on the items whose partition key starts with `partitionPrefix`: for a function
   * that only changes items it knows by key (it reads nothing back).
   */
  public grantUpdates(grantee: iam.IGrantable, partitionPrefix: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${partitionPrefix}*`] } },
    });
  }

  /** Read, or read and write, the items of the table and its indexes; nothing else. */
  public grantData(grantee: iam.IGrantable, access: TableAccess): iam.Grant {
    const actions = access === 'readWrite' ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : [...TABLE_READ_ACTIONS];
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.table.tableArn, ...this.indexNames.map((name) => `${this.table.tableArn}/index/${name}`)],
    });
  }
}

export interface ComebackDataStackProps extends StackProps {
  /** @default - see ComebackTableProps */
  readonly table?: ComebackTableProps;
}

/** The stateful stack: the table, exposed to the stateless stacks through props. */
export class ComebackDataStack extends Stack {
  public readonly table: ComebackTable;

  constructor(scope: Construct, id: string, props: ComebackDataStackProps = {}) {
    super(scope, id, props);
    this.table = new ComebackTable(this, 'Data', props.table);
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The Comeback table (customers, orders, refunds, deliveries).' });
  }
}
