/** The answer both platform webhooks give: what became of the order their delivery carried. */
import type { ActionOutcome } from '../core/order-lifecycle.ts';
import { json, type HttpResult } from './http.ts';

/**
 * 202 when something was recorded, reversed or kept (or was before); 200 for an order that does not
 * count, with the reason: a 2xx either way, so the platform does not retry what it need not. A
 * delivery that carried refunds beside the order lists them under `refunds`.
 */
export function platformAnswer(outcomes: readonly ActionOutcome[]): HttpResult {
  const [first, ...rest] = outcomes;
  if (first === undefined) return json(200, { status: 'ignored' });
  const body = rest.length > 0 ? { ...first, refunds: rest } : first;
  return json(first.status === 'not_counted' ? 200 : 202, body);
}
