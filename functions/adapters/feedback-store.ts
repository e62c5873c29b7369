/**
 * Feedback answers on the single table. An answer is filed by time (CUSTOMER#<id> /
 * FEEDBACK#<at>#<entryId>) so a customer's answers read in order; a small pointer item per journey
 * entry (CUSTOMER#<id> / FEEDBACK_ENTRY#<entryId>) says which answer is current, so answering the
 * same entry again replaces the earlier answer in one transaction, and the same answer twice
 * changes nothing.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pRetry from 'p-retry';
import type { FeedbackAnswer } from '../core/analytics/metrics.ts';
import { feedbackEntity } from './entities.ts';
import { feedbackKeys, keys } from './table-design.ts';

export { feedbackKeys };

export type FeedbackStatus = 'recorded' | 'replaced' | 'unchanged';

/** Another answer to the same entry landed in between: read again and retry. */
class AnswerRace extends Error {
  override readonly name: string = 'AnswerRace';
}

export class DynamoFeedbackStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  /** The answer that counts for a journey entry's request, if the customer gave one. */
  async current(customerId: string, entryId: string): Promise<FeedbackAnswer | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: feedbackKeys.entry(customerId, entryId), ConsistentRead: true }));
    return Item ? feedbackEntity.parse(Item) : undefined;
  }

  /** Every answer that counts, one per feedback request the customer answered, oldest first. */
  async answers(customerId: string): Promise<FeedbackAnswer[]> {
    const { pk, sk } = feedbackKeys.entry(customerId, '');
    const answers: FeedbackAnswer[] = [];
    const pages = paginateQuery(
      { client: this.client },
      { TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entries)', ExpressionAttributeValues: { ':pk': pk, ':entries': sk }, ConsistentRead: true },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) answers.push(feedbackEntity.parse(item));
    }
    return answers.sort((a, b) => a.at.localeCompare(b.at));
  }

  async record(answer: FeedbackAnswer): Promise<FeedbackStatus> {
    return pRetry(() => this.attempt(answer), { retries: 5, minTimeout: 10, maxTimeout: 200, shouldRetry: ({ error }) => error instanceof AnswerRace });
  }

  private async attempt(answer: FeedbackAnswer): Promise<FeedbackStatus> {
    const pointerKey = feedbackKeys.entry(answer.customerId, answer.entryId);
    const { Item: pointer } = await this.client.send(new GetCommand({ TableName: this.table, Key: pointerKey, ConsistentRead: true }));
    const previous = pointer ? feedbackEntity.parse(pointer) : undefined;
    if (previous && previous.score === answer.score && previous.comment === answer.comment) return 'unchanged';
    const previousAt = previous?.at;
    const answerKey = feedbackKeys.answer(answer.customerId, answer.at, answer.entryId);
    const answerItem = { ...answerKey, ...keys.readNightly(answerKey), type: 'feedback', ...answer };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...pointerKey, type: 'feedbackEntry', ...answer },
                ConditionExpression: previousAt ? '#at = :previous' : 'attribute_not_exists(pk)',
                ...(previousAt ? { ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':previous': previousAt } } : {}),
              },
            },
            ...(previousAt && previousAt !== answer.at
              ? [{ Delete: { TableName: this.table, Key: feedbackKeys.answer(answer.customerId, previousAt, answer.entryId) } }]
              : []),
            { Put: { TableName: this.table, Item: answerItem } },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw new AnswerRace('another answer to this entry was recorded meanwhile', { cause: error });
      throw error;
    }
    return previousAt ? 'replaced' : 'recorded';
  }
}

