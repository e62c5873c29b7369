/**
 * A customer's message log as the console shows it: every entry (sent, deferred, suppressed,
 * failed, skipped) with what was rendered and what the provider reported since, newest first, a page
 * at a time. Pure, apart from the port.
 */
import * as z from '../zod.ts';
import { NotFoundError } from '../errors.ts';
import { invalid } from '../purchase.ts';
import type { MessageLogEntry } from './types.ts';

export const messageHistoryQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export type MessageHistoryQuery = z.output<typeof messageHistoryQuery>;

/** The query of GET /v1/customers/{id}/messages. */
export function parseMessageHistoryQuery(query: unknown): MessageHistoryQuery {
  const parsed = messageHistoryQuery.safeParse(query);
  if (!parsed.success) throw invalid('the query is invalid', parsed.error);
  return parsed.data;
}

export interface MessageHistoryPage {
  items: MessageLogEntry[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  cursor?: string;
}

export interface MessageHistory {
  isCustomer(customerId: string): Promise<boolean>;
  /** Newest first; a cursor this port did not give out for this customer is invalid input. */
  page(customerId: string, query: MessageHistoryQuery): Promise<MessageHistoryPage>;
}

export async function customerMessages(history: MessageHistory, customerId: string, query: MessageHistoryQuery): Promise<MessageHistoryPage> {
  if (!(await history.isCustomer(customerId))) throw new NotFoundError(`customer ${customerId} is unknown`);
  return history.page(customerId, query);
}
