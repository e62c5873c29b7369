/**
 * Check-ins belong to the customer: the sweep turns only the check-ins of the customer's last order
 * into manager tasks (a newer order moved the others), and a customer has at most one open
 * check-in task: a newer one closes the one before as `replaced`.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoJourneyStore } from '../../functions/adapters/journey-store.ts';
import { DynamoTasks } from '../../functions/adapters/message-log.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { taskIdFor } from '../../functions/core/delivery/deliver.ts';
import type { MessageIntent } from '../../functions/core/delivery/types.ts';
import type { CustomerProfile } from '../../functions/core/profile.ts';
import { sweepJourneys, type JourneyRunPorts } from '../../functions/core/journey-engine.ts';
import { checkInDueAt, checkInMonths } from '../../functions/core/journeys.ts';
import { uniqueId } from '../support/events.ts';

const store = new DynamoJourneyStore(documentClient, tableName);
const tasks = new DynamoTasks(documentClient, tableName);

function portsAt(now: Date): JourneyRunPorts {
  return {
    store,
    now: () => now,
    launcher: { start: async () => {}, stop: async () => {} },
    // No customer of the shared table has a last order 100 years back: the sweep's win-back part finds no one.
    settings: { holdoutShare: 0, winBackAfterDays: 36_500, sweepLookbackDays: 0, npsIntervalDays: 90, shopUrl: 'https://shop.example.com', supportContact: 'support@shop.example.com' },
    links: { feedback: async () => 'https://example.com/f', join: async () => 'https://example.com/j' },
    membership: { isMember: async () => false },
    deliverer: {
      async deliver(customerId: string, intent: MessageIntent) {
        const taskId = taskIdFor(intent.messageId);
        await tasks.create({
          taskId,
          messageId: intent.messageId,
          customerId,
          journey: intent.journey,
          reason: intent.task?.reason ?? '',
          dueAt: intent.task?.dueAt ?? now.toISOString(),
          status: 'open',
          createdAt: now.toISOString(),
          subject: 'Check-in',
          text: 'Call',
          historyAtAGlance: { orderCount: 2, lastOrderAt: now.toISOString(), netRevenueMinor: 0, currency: 'USD' },
        });
        return { status: 'sent', taskId };
      },
    },
  };
}

/** A whole stored profile: the journey store reads it through its entity, which refuses a partial one. */
function profile(customerId: string): CustomerProfile {
  return {
    customerId,
    consent: {},
    consentAsOf: {},
    contactAsOf: '2031-02-13T10:00:00.000Z',
    orderCount: 2,
    revenueByCurrency: { USD: 2000 },
    currency: 'USD',
    firstOrderAt: '2031-01-13T10:00:00.000Z',
    lastOrderAt: '2031-02-13T10:00:00.000Z',
    categories: [],
    skus: [],
    refundedMinorByCurrency: {},
  };
}

async function order(customerId: string, orderId: string, placedAt: string): Promise<void> {
  await store.scheduleCheckIns(checkInMonths.map((months) => ({ customerId, orderId, months, dueAt: checkInDueAt(placedAt, months), status: 'scheduled' as const })));
}

describe('check-ins', () => {
  it('follows the last order and keeps one open check-in task per customer', async () => {
    // Prepare: two orders a month apart; the profile says the second is the last.
    const customerId = uniqueId('check-in');
    await order(customerId, 'o-1', '2031-01-13T10:00:00.000Z');
    await order(customerId, 'o-2', '2031-02-13T10:00:00.000Z');
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...keys.profile(customerId), type: 'profile', ...profile(customerId) } }));

    // Far from every other file's dates (the table is shared): the sweeps meet only this customer.
    // Act: the sweep on the day of the first order's 3-month check-in, then on the second's.
    const moved = await sweepJourneys(portsAt(new Date('2031-04-13T12:00:00.000Z')));
    const current = await sweepJourneys(portsAt(new Date('2031-05-13T12:00:00.000Z')));
    const sixMonths = await sweepJourneys(portsAt(new Date('2031-08-13T12:00:00.000Z')));

    // Assess: the first order's check-in was moved; the 6-month task replaced the 3-month one.
    expect(moved.checkInTasks).toBe(0);
    expect(current.checkInTasks).toBe(1);
    expect(sixMonths.checkInTasks).toBe(1);
    const mine = [...(await tasks.list('open', { limit: 1000 })).items, ...(await tasks.list('done', { limit: 1000 })).items].filter((task) => task.customerId === customerId);
    expect(mine.map((task) => [task.reason, task.status, task.outcome ?? null]).sort()).toEqual([
      ['3-month check-in', 'done', 'replaced'],
      ['6-month check-in', 'open', null],
    ]);
  });
});
