/**
 * One write per purchase, on DynamoDB Local: the webhook answers with the order written and nothing
 * else; the journeys and points follow from the table's stream, read by this file's journey runtime
 * and handed to the same handler Lambda runs; a record delivered again changes nothing twice; an
 * imported order (history) gets no reaction.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { journeyPorts } from '../../functions/adapters/journey-ports.ts';
import { loyaltyPorts } from '../../functions/adapters/loyalty-ports.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { parsePurchase } from '../../functions/core/purchase.ts';
import { reactionOf, runReaction } from '../../functions/core/purchase-reactions.ts';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { handler as purchaseReactions } from '../../functions/handlers/purchase-reactions.ts';
import { journeyRuntime } from '../support/environment.ts';
import { lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const journeys = journeyPorts();
const loyalty = loyaltyPorts();

function purchase(orderId: string, customerId: string) {
  return {
    orderId,
    // Within the hour before the file's clock: a purchase made now.
    placedAt: new Date(journeyRuntime.clock.now().getTime() - 3_600_000).toISOString(),
    currency: 'USD',
    total: '54.97',
    customer: { id: customerId, email: `${customerId}@example.com`, consent: { email: true } },
    items: [{ sku: 'DOG-FOOD', category: 'pet-food', quantity: 1, unitPrice: '54.97' }],
  };
}

async function post(payload: unknown) {
  const result = await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext);
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

async function reactionsOf(customerId: string) {
  const entries = await journeys.store.listEntries(customerId);
  const account = await loyalty.store.getAccount(customerId);
  const ledger = await loyalty.store.recentEntries(customerId, 100);
  return { journeys: entries.map((entry) => `${entry.journey} ${entry.status}`).sort(), balance: account?.balance, ledgerEntries: ledger.length };
}

/** The order item as the stream's record carries it. */
async function orderRecord(customerId: string): Promise<DynamoDBRecord> {
  const { Items = [] } = await documentClient.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :orders)', ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':orders': keys.orderPrefix } }),
  );
  expect(Items).toHaveLength(1);
  return {
    eventID: 'redelivered',
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: { SequenceNumber: '1', StreamViewType: 'NEW_IMAGE', NewImage: marshall(Items[0]!) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] },
  };
}

describe('the purchase path', () => {
  it('answers 202 with the order written; its journeys and points follow from the stream', async () => {
    const customerId = uniqueId('react');
    const answer = await post(purchase(uniqueId('order'), customerId));
    expect(answer.status).toBe(202);
    // The stream has not been read yet (the test runtime reads it when asked): nothing followed the write.
    expect(await reactionsOf(customerId)).toEqual({ journeys: [], balance: undefined, ledgerEntries: 0 });

    await journeyRuntime.settled();
    const after = await reactionsOf(customerId);
    expect(after.journeys).toEqual(['post-purchase active']);
    expect(after.balance).toBeGreaterThan(0);
  });

  it('changes nothing when a record is delivered again', async () => {
    const customerId = uniqueId('again');
    expect((await post(purchase(uniqueId('order'), customerId))).status).toBe(202);
    await journeyRuntime.settled();
    const first = await reactionsOf(customerId);
    expect(first.journeys).toEqual(['post-purchase active']);

    const event: DynamoDBStreamEvent = { Records: [await orderRecord(customerId)] };
    expect(await purchaseReactions(event)).toEqual({ batchItemFailures: [] });
    expect(await purchaseReactions(event)).toEqual({ batchItemFailures: [] });
    await journeyRuntime.settled();
    expect(await reactionsOf(customerId)).toEqual(first);
    expect(journeyRuntime.stepFunctions.list().filter((execution) => String(execution.input).includes(customerId))).toHaveLength(1);
  });

  it("reads the customer's profile once, in the recount, and the journeys and points go by what it gives", async () => {
    const customerId = uniqueId('once');
    expect((await post(purchase(uniqueId('order'), customerId))).status).toBe(202);
    const record = await orderRecord(customerId);
    const reaction = reactionOf(unmarshall(record.dynamodb!.NewImage! as Record<string, AttributeValue>))!;
    // The reaction's own views of the shared stores: the post-purchase execution it starts reads the
    // profile too, in its step, through the shared ones.
    const shared = { journeys: journeyPorts(), loyalty: loyaltyPorts() };
    const ports = {
      journeys: { ...shared.journeys, store: Object.create(shared.journeys.store) as typeof shared.journeys.store },
      loyalty: { ...shared.loyalty, customers: Object.create(shared.loyalty.customers) as typeof shared.loyalty.customers },
      orderHistory: new DynamoPurchaseLedger(documentClient, tableName),
    };
    const recounts = vi.spyOn(ports.orderHistory, 'recountOrderHistory');
    const journeyReads = vi.spyOn(ports.journeys.store, 'getProfile');
    const loyaltyReads = vi.spyOn(ports.loyalty.customers, 'getProfile');

    await runReaction(ports, reaction);

    expect(recounts).toHaveBeenCalledTimes(1);
    expect(journeyReads).not.toHaveBeenCalled();
    expect(loyaltyReads).not.toHaveBeenCalled();
    const after = await reactionsOf(customerId);
    expect(after.journeys).toEqual(['post-purchase active']);
    expect(after.balance).toBeGreaterThan(0);
    // The stream's own reaction to the order runs too (changing nothing), before the next test.
    await journeyRuntime.settled();
  });

  it('gives an imported order (history) no journey and no points, and counts it in the profile', async () => {
    const customerId = uniqueId('history');
    const ledger = new DynamoPurchaseLedger(documentClient, tableName);
    expect(await ledger.recordPurchases([parsePurchase(purchase(uniqueId('order'), customerId))], { source: 'comeback' })).toEqual(['recorded']);
    await journeyRuntime.settled();
    expect(await reactionsOf(customerId)).toEqual({ journeys: [], balance: undefined, ledgerEntries: 0 });
    expect((await ledger.getCustomer(customerId))?.profile.orderCount).toBe(1);
  });

  it('takes identifiers up to 500 bytes of UTF-8, whose check-in keys DynamoDB takes, and refuses one a byte longer', async () => {
    // 1 to 256 characters and at most 500 bytes (functions/core/identifier.ts): a check-in's place in
    // the due index holds both ids, and a sort key holds at most 1,024 bytes.
    const ofBytes = (prefix: string, bytes: number) => prefix + 'x'.repeat((bytes - prefix.length) % 3) + '€'.repeat(Math.floor((bytes - prefix.length) / 3));
    const customerId = ofBytes(uniqueId('long'), 500);
    const orderId = ofBytes(uniqueId('order'), 500);
    expect([Buffer.byteLength(customerId), Buffer.byteLength(orderId)]).toEqual([500, 500]);

    const withIds = (order: string, customer: string) => ({ ...purchase(order, customer), customer: { id: customer, email: 'long-ids@example.com', consent: { email: true } } });

    expect((await post(withIds(orderId, customerId))).status).toBe(202);
    await journeyRuntime.settled();

    expect((await reactionsOf(customerId)).journeys).toEqual(['post-purchase active']);
    const { Items = [] } = await documentClient.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :checkIns)', ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':checkIns': 'CHECKIN#' } }),
    );
    expect(Items).toHaveLength(3);

    const longer = await post(withIds(uniqueId('order'), `${customerId}x`));
    expect(longer.status).toBe(400);
    expect(longer.body).toMatchObject({ errors: [{ path: 'customer.id', message: 'at most 500 bytes of UTF-8' }] });
  });

  it("keeps a customer's profile within DynamoDB's item size whatever the length of her SKUs and categories", async () => {
    // Six orders of 100 SKUs and categories of about 250 three-byte characters: before the lists
    // were bounded in bytes, the fourth order's profile outgrew the 400 KB item and its webhook failed.
    const customerId = uniqueId('long-lists');
    const long = (order: number, line: number) => `${order}-${String(line).padStart(3, '0')}${'€'.repeat(250)}`;
    for (let order = 0; order < 6; order += 1) {
      const items = Array.from({ length: 100 }, (_, line) => ({ sku: long(order, line), category: long(order, line).slice(0, 200), quantity: 1, unitPrice: '1.00' }));
      const placedAt = new Date(journeyRuntime.clock.now().getTime() - (6 - order) * 86_400_000).toISOString();
      expect((await post({ ...purchase(uniqueId('order'), customerId), placedAt, total: '100.00', items })).status).toBe(202);
      await journeyRuntime.settled();
    }
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: keys.profile(customerId), ConsistentRead: true }));
    expect(Item?.['orderCount']).toBe(6);
    expect((Item?.['skus'] as string[]).at(-1)).toBe(long(5, 99));
    expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(200_000);
  });
});
