/**
 * Delivery feedback, fuzzed on DynamoDB Local. The events come from AWS, but what is inside them
 * (bounce subtypes, diagnostic codes, times, tags) is written by mail servers and carriers anyone
 * runs: whatever the event, the handler never fails on it, an event SES would not send writes
 * nothing, and one it would send withdraws email consent exactly when it is a permanent bounce or
 * a complaint.
 */
import fc from 'fast-check';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { useClock } from '../../functions/adapters/clock.ts';
import { deliveryPorts } from '../../functions/adapters/delivery-ports.ts';
import { deliverMessage } from '../../functions/core/delivery/deliver.ts';
import { decideSesEvent, InvalidDeliveryEventError, readSesEvent } from '../../functions/core/delivery/delivery-events.ts';
import { handler } from '../../functions/handlers/delivery-events.ts';
import { lambdaContext } from '../support/events.ts';
import { messageIntents } from '../support/message-intents.ts';
import { customerView, customerWithOrder, partitionOf } from './public-routes.ts';

useClock({ now: () => new Date('2026-06-01T12:00:00.000Z') });
afterAll(() => useClock({ now: () => new Date() }));

const ports = deliveryPorts();
const { thankYou } = messageIntents('https://shop.example');

const time = fc.oneof(
  fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('', 'yesterday', '2026-06-01', '2026-06-01T12:00:00', '2026-13-01T00:00:00Z'),
);
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('General', 'OnAccountSuppressionList', 'MailboxFull', 'abuse', '550 5.1.1 user unknown'));
const recipients = fc.array(fc.record({ emailAddress: fc.oneof(fc.constant('ada@example.com'), fc.string({ maxLength: 20 })), diagnosticCode: text }), { maxLength: 2 });

/** An SES-like event about `messageId`: the documented shape with every field open to variation. */
const sesLike = (messageId: string) =>
  fc.oneof(
    fc.record({
      eventType: fc.constantFrom('Bounce', 'Complaint', 'Delivery', 'Reject', 'DeliveryDelay', 'Open', 'Click', 'Send', 'Subscription', 'Explode', ''),
      mail: fc.record({ messageId: fc.oneof(fc.constant(messageId), fc.string({ maxLength: 30 })), timestamp: time }, { requiredKeys: ['messageId'] }),
      bounce: fc.record({ bounceType: fc.constantFrom('Permanent', 'Transient', 'Undetermined', 'Soft'), bounceSubType: text, bouncedRecipients: recipients, timestamp: time }, { requiredKeys: [] }),
      complaint: fc.record({ complainedRecipients: recipients, timestamp: time, complaintFeedbackType: text }, { requiredKeys: [] }),
      delivery: fc.record({ timestamp: time, smtpResponse: text }, { requiredKeys: [] }),
      reject: fc.record({ reason: text }, { requiredKeys: [] }),
      deliveryDelay: fc.record({ timestamp: time, delayType: text }, { requiredKeys: [] }),
      open: fc.record({ timestamp: time }),
      click: fc.record({ timestamp: time, link: text }),
    }, { requiredKeys: ['eventType'] }),
    fc.jsonValue({ maxDepth: 3 }),
  );

const eventBridge = (detail: unknown): EventBridgeEvent<string, unknown> => ({
  version: '0',
  id: 'event-fuzz',
  'detail-type': 'Email Bounced',
  source: 'aws.ses',
  account: '123456789012',
  time: '2026-06-01T12:00:05Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

describe('SES events, fuzzed', () => {
  it('never fail the handler; a malformed one writes nothing; a permanent bounce or complaint, and only that, withdraws email consent', async () => {
    let withdrawn = 0;
    const wellFormed = (eventType: string, body: Record<string, unknown>) => ({
      seed: 'x',
      event: { eventType, mail: { messageId: 'm', timestamp: '2026-06-01T12:00:00.000Z' }, ...body },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 8 }).chain((seed) => sesLike(`fuzz-${seed}`).map((event) => ({ seed, event }))),
        async ({ event }) => {
          const customerId = await customerWithOrder();
          const message = thankYou(customerId);
          await deliverMessage(ports, customerId, message);
          // Aimed at this customer's message whenever the event names a message at all.
          const aimed = typeof event === 'object' && event !== null && 'mail' in event && typeof event.mail === 'object' && event.mail !== null
            ? { ...event, mail: { ...event.mail, messageId: message.messageId } }
            : event;
          const before = await partitionOf(customerId);

          await expect(handler(eventBridge(aimed), lambdaContext)).resolves.toBeUndefined();

          let decided;
          try {
            decided = decideSesEvent(readSesEvent(aimed));
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidDeliveryEventError);
            expect(await partitionOf(customerId)).toEqual(before);
            return;
          }
          const { body } = await customerView(customerId);
          expect(body.profile['optOuts']).toEqual(decided.optOut ? { email: decided.optOut } : {});
          if (decided.optOut) withdrawn += 1;
        },
      ),
      {
        numRuns: 40,
        examples: [
          [wellFormed('Bounce', { bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'ada@example.com' }], timestamp: '2026-06-01T12:00:05.000Z' } })],
          [wellFormed('Complaint', { complaint: { complainedRecipients: [{ emailAddress: 'ada@example.com' }], timestamp: '2026-06-01T13:00:00.000Z' } })],
          [wellFormed('Delivery', { delivery: { timestamp: '2026-06-01T12:00:02.000Z' } })],
        ],
      },
    );
    expect(withdrawn).toBeGreaterThanOrEqual(2);
  });
});
