/**
 * Local only: the providers' delivery feedback, simulated.
 * - `POST /_local/ses/events` takes one SES event as SES publishes it (`{ "eventType": "Bounce",
 *   "mail": {...}, "bounce": {...} }`); locally `mail.messageId` is the message's own messageId (the
 *   outbox "accepts" each message under it), or `mail.tags` carry it as on AWS.
 * - `POST /_local/sms/status` takes one SNS SMS delivery status as SNS logs it (`{ "notification":
 *   { "messageId", "timestamp" }, "delivery": {...}, "status": "SUCCESS" | "FAILURE" }`), the
 *   notification's messageId being the message's messageId.
 * Both call the deployed handler's code (functions/handlers/delivery-events.ts), so what they change
 * is exactly what the event changes on AWS. A body that is not such an event is a 400 and changes nothing.
 */
import type { DeliveryFeedbackOutcome } from '../../functions/core/delivery/delivery-events.ts';
import type * as DeliveryEventHandlers from '../../functions/handlers/delivery-events.ts';
import type { LocalRoute } from './host.ts';

const problem = (status: number, title: string, detail: string) => ({ status, body: { type: 'about:blank', title, status, detail } });

function feedbackRoute(path: string, receive: (handlers: typeof DeliveryEventHandlers, event: unknown) => Promise<DeliveryFeedbackOutcome>): LocalRoute {
  return {
    method: 'POST',
    path,
    handle: async ({ body }) => {
      let event: unknown;
      try {
        event = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return problem(400, 'Invalid request', 'the body is not valid JSON');
      }
      // Imported here: the handler reads its configuration, which the host sets after start-up.
      const handlers = await import('../../functions/handlers/delivery-events.ts');
      const { InvalidDeliveryEventError } = await import('../../functions/core/delivery/delivery-events.ts');
      try {
        return { status: 200, body: { outcome: await receive(handlers, event) } };
      } catch (error) {
        if (error instanceof InvalidDeliveryEventError) return problem(400, 'Invalid request', error.message);
        throw error;
      }
    },
  };
}

export const sesEventsRoute = feedbackRoute('/_local/ses/events', (handlers, event) => handlers.receiveSesEvent(event));
export const smsStatusRoute = feedbackRoute('/_local/sms/status', (handlers, event) => handlers.receiveSmsStatus(event));
