/**
 * The table's stream (new order and refund items; the event source mapping filters the rest out on
 * AWS, and this handler skips whatever else comes): journeys, points and follow-ups of every
 * purchase, refund and cancellation the webhooks, the refund route and the sync recorded
 * (functions/core/purchase-reactions.ts). The local host reads DynamoDB Local's stream and calls
 * this same handler.
 *
 * One customer's records run one after another, in stream order; different customers' at once. A
 * record that fails is reported in `batchItemFailures` (with the records of its customer after it),
 * so only those are delivered again; every reaction is idempotent per order and refund.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { journeyPorts } from '../adapters/journey-ports.ts';
import { loyaltyPorts } from '../adapters/loyalty-ports.ts';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { customerOf, reactionOf, runReaction, type PurchaseReaction, type PurchaseReactionPorts } from '../core/purchase-reactions.ts';
import { logger } from './http.ts';

let ports: PurchaseReactionPorts | undefined;

/** The stream's batch, each reaction run by `react`: the records to deliver again. */
export async function reactToRecords(event: DynamoDBStreamEvent, react: (reaction: PurchaseReaction) => Promise<void>): Promise<DynamoDBBatchResponse> {
  const failed: string[] = [];
  const byCustomer = new Map<string, { record: DynamoDBRecord; reaction: PurchaseReaction }[]>();
  for (const record of event.Records) {
    let reaction: PurchaseReaction | undefined;
    try {
      reaction = reactionTo(record);
    } catch (error) {
      logger.error('an order or refund item on the stream could not be read', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
      failed.push(identifierOf(record));
      continue;
    }
    if (!reaction) continue;
    const customerId = customerOf(reaction);
    byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), { record, reaction }]);
  }
  await Promise.all(
    [...byCustomer.values()].map(async (work) => {
      for (const [index, { record, reaction }] of work.entries()) {
        try {
          await react(reaction);
        } catch (error) {
          logger.error('a purchase reaction failed; its record is delivered again', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber, kind: reaction.kind });
          // The customer's later records wait for this one: they are delivered again after it.
          failed.push(...work.slice(index).map((later) => identifierOf(later.record)));
          return;
        }
      }
    }),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The reaction a record's new item asks for; inserts only (an order's refunded amount changing is a refund's own record). */
function reactionTo(record: DynamoDBRecord): PurchaseReaction | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  // The Lambda event's attribute values are DynamoDB's JSON, which the SDK's type describes.
  return reactionOf(unmarshall(image as Record<string, AttributeValue>));
}

function identifierOf(record: DynamoDBRecord): string {
  return record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const reactionPorts = (ports ??= { journeys: journeyPorts(), loyalty: loyaltyPorts(), orderHistory: new DynamoPurchaseLedger(documentClient, tableName) });
  return reactToRecords(event, (reaction) => runReaction(reactionPorts, reaction));
}
