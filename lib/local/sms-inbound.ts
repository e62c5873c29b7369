/**
 * Local only: `POST /_local/sms/inbound {"from": "+15555550123", "text": "STOP"}` plays a customer
 * replying to the store's SMS number. The body becomes the payload AWS End User Messaging publishes
 * to its SNS topic, and the deployed handler's code reads it (functions/handlers/sms-inbound.ts),
 * so an opt-out made here is exactly the one made on AWS.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { LocalRoute } from './host.ts';

const simulationSchema = z.strictObject({
  /** The customer's number, E.164. */
  from: z.e164(),
  text: z.string().max(1600),
  /** The store's number the message went to; any E.164 number will do locally. */
  to: z.e164().optional(),
});

const problem = (status: number, title: string, detail: string) => ({ status, body: { type: 'about:blank', title, status, detail } });

export const smsInboundRoute: LocalRoute = {
  method: 'POST',
  path: '/_local/sms/inbound',
  handle: async ({ body }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return problem(400, 'Invalid request', 'the body is not valid JSON');
    }
    const sms = simulationSchema.safeParse(parsed);
    if (!sms.success) {
      return problem(400, 'Invalid request', sms.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
    }
    // Imported here: the handler reads its configuration, which the host sets after start-up.
    const { receiveSmsNotification } = await import('../../functions/handlers/sms-inbound.ts');
    const payload = {
      originationNumber: sms.data.from,
      destinationNumber: sms.data.to ?? '+15550100000',
      messageKeyword: 'KEYWORD_LOCAL',
      messageBody: sms.data.text,
      inboundMessageId: randomUUID(),
    };
    return { status: 200, body: { from: sms.data.from, text: sms.data.text, outcome: await receiveSmsNotification(JSON.stringify(payload)) } };
  },
};
