/**
 * GET /v1/journeys/{name}/customers: who is inside a journey, and at which step (admin); with
 * `?status=failed` (or converted, completed, removed, superseded) the entries that ended that way.
 */
import middy from '@middy/core';
import * as z from '../core/zod.ts';
import { journeyPorts } from '../adapters/journey-ports.ts';
import { entryStatuses, parseJourney } from '../core/journeys.ts';
import { invalid } from '../core/purchase.ts';
import { json, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const ports = journeyPorts();

const pageSchema = z.object({ status: z._default(z.enum(entryStatuses), 'active'), limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100), cursor: z.optional(z.string()) });

export async function listJourneyCustomers(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const journey = parseJourney(pathParameter(event, 'name'));
  const page = pageSchema.safeParse(event.queryStringParameters ?? {});
  if (!page.success) throw invalid('the paging parameters are invalid', page.error);
  const { items, cursor } = await ports.store.listByStatus(journey, page.data.status, page.data.limit, page.data.cursor);
  return json(200, {
    journey,
    status: page.data.status,
    items: items.map((entry) => ({
      customerId: entry.customerId,
      entryId: entry.entryId,
      enteredAt: entry.enteredAt,
      step: entry.step ?? null,
      stepAt: entry.stepAt ?? null,
      holdout: entry.holdout,
      ...(entry.endedAt ? { endedAt: entry.endedAt } : {}),
      ...(entry.failure ? { failure: entry.failure } : {}),
    })),
    ...(cursor ? { cursor } : {}),
  });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(listJourneyCustomers);
