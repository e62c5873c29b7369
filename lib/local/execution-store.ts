/**
 * Where the local host keeps its journey executions, so they survive a restart of `npm start`:
 * each execution's status, the states it entered and, while it runs, its position (the state to
 * go on from, that state's input, and the virtual instant it wakes). Never deployed: on AWS the
 * Step Functions service keeps this itself.
 *
 * `npm start` keeps them in DynamoDB Local beside the data (a table of their own, so the
 * product's table holds only what is deployed); a test's runtime keeps them in memory.
 */
import { CreateTableCommand, ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';

const executionPosition = z.object({
  /** The state to go on from: the one after a Wait (or StartAt). */
  state: z.string(),
  /** That state's input: the Wait's output, as JSON text. */
  input: z.string(),
  /** The virtual instant the Wait ends. */
  wakeAt: z.iso.datetime(),
});

const storedExecution = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string(),
  input: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED']),
  startDate: z.iso.datetime(),
  stopDate: z.iso.datetime().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  /** The states entered, in order: what tests and `/_local/executions` show of the path. */
  statesEntered: z.array(z.string()),
  /** Present while RUNNING. */
  position: executionPosition.optional(),
});

export type ExecutionPosition = z.infer<typeof executionPosition>;
export type StoredExecution = z.infer<typeof storedExecution>;
export type ExecutionStatus = StoredExecution['status'];

export interface ExecutionStore {
  loadAll(): Promise<StoredExecution[]>;
  save(execution: StoredExecution): Promise<void>;
}

export class InMemoryExecutionStore implements ExecutionStore {
  private readonly items = new Map<string, StoredExecution>();

  async loadAll(): Promise<StoredExecution[]> {
    return [...this.items.values()].map((item) => structuredClone(item));
  }

  async save(execution: StoredExecution): Promise<void> {
    this.items.set(execution.executionArn, structuredClone(execution));
  }
}

export const LOCAL_EXECUTIONS_TABLE = 'comeback-local-executions';

export class DynamoDbExecutionStore implements ExecutionStore {
  private readonly documents: DynamoDBDocumentClient;

  private constructor(client: DynamoDBClient) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Opens the store, creating its table on a new data directory. */
  static async open(client: DynamoDBClient): Promise<DynamoDbExecutionStore> {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (!TableNames.includes(LOCAL_EXECUTIONS_TABLE)) {
      await client.send(
        new CreateTableCommand({
          TableName: LOCAL_EXECUTIONS_TABLE,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'executionArn', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'executionArn', KeyType: 'HASH' }],
        }),
      );
    }
    return new DynamoDbExecutionStore(client);
  }

  async loadAll(): Promise<StoredExecution[]> {
    const executions: StoredExecution[] = [];
    for await (const page of paginateScan({ client: this.documents }, { TableName: LOCAL_EXECUTIONS_TABLE, ConsistentRead: true })) {
      for (const item of page.Items ?? []) executions.push(storedExecution.parse(item));
    }
    return executions;
  }

  async save(execution: StoredExecution): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: LOCAL_EXECUTIONS_TABLE, Item: execution }));
  }
}
