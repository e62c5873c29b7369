/** DELETE /v1/journeys/{name}/customers/{id}: take a customer out of a journey (admin). */
import middy from '@middy/core';
import { journeyPorts } from '../adapters/journey-ports.ts';
import { NotFoundError } from '../core/errors.ts';
import { removeFromJourney } from '../core/journey-engine.ts';
import { parseJourney } from '../core/journeys.ts';
import { json, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const ports = journeyPorts();

export async function removeJourneyCustomer(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const journey = parseJourney(pathParameter(event, 'name'));
  const customerId = pathParameter(event, 'id');
  const removed = await removeFromJourney(ports, journey, customerId);
  if (removed.length === 0) throw new NotFoundError(`customer ${customerId} is not inside the ${journey} journey`);
  return json(200, { journey, customerId, status: 'removed', entries: removed.map((entry) => entry.entryId) });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(removeJourneyCustomer);
