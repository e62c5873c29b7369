/**
 * Routes only the local host serves (never deployed): the virtual clock, the outbox of messages
 * and tasks, scheduled jobs on demand, and the executions of the journeys' state machines.
 */
import { paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { messageLogEntity } from '../../functions/adapters/entities.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import type { LocalRoute } from './host.ts';
import type { JourneyRuntime } from './journey-runtime.ts';
import { sesEventsRoute, smsStatusRoute } from './delivery-events.ts';
import { smsInboundRoute } from './sms-inbound.ts';
import { ClockRewindRefused } from './virtual-clock.ts';

const advanceSchema = z
  .strictObject({ days: z.number().int().min(0).max(3650).optional(), hours: z.number().int().min(0).max(87_600).optional(), minutes: z.number().int().min(0).max(5_256_000).optional() })
  .refine((by) => (by.days ?? 0) + (by.hours ?? 0) + (by.minutes ?? 0) > 0, { message: 'give days, hours or minutes (at least one above zero)' });

export interface OutboxItem {
  id: string;
  at: string;
  customerId: string;
  journey: string;
  step: string;
  channel: 'email' | 'sms' | 'task';
  status: string;
  subject?: string;
  text?: string;
  html?: string;
  reason?: string;
  messageId?: string;
  /** What the provider reported after accepting it (delivered, bounced, ...), when it did. */
  deliveryStatus?: string;
  deliveryStatusAt?: string;
  deliveryDetail?: string;
  openedAt?: string;
  clickedAt?: string;
}

const setClockSchema = z.strictObject({ now: z.iso.datetime({ offset: true }) });

export function localRoutesFor(journeys: JourneyRuntime, data: { nothingRecorded: () => Promise<boolean> }): LocalRoute[] {
  return [
    { method: 'GET', path: '/_local/clock', handle: () => ({ status: 200, body: { now: journeys.clock.now().toISOString() } }) },
    {
      method: 'POST',
      path: '/_local/clock/advance',
      handle: async ({ body }) => {
        const by = parseBody(body, advanceSchema);
        if (!by.success) return by.problem;
        return { status: 200, body: await journeys.clock.advance(by.data) };
      },
    },
    {
      method: 'POST',
      path: '/_local/clock/set',
      handle: async ({ body }) => {
        const request = parseBody(body, setClockSchema);
        if (!request.success) return request.problem;
        try {
          return { status: 200, body: await journeys.setClock(new Date(request.data.now), data.nothingRecorded) };
        } catch (error) {
          if (error instanceof ClockRewindRefused) return problem(409, error.message);
          throw error;
        }
      },
    },
    smsInboundRoute,
    sesEventsRoute,
    smsStatusRoute,
    {
      method: 'GET',
      path: '/_local/outbox',
      handle: async ({ url }) => ({ status: 200, body: { items: await outbox(url.searchParams.get('customerId') ?? undefined) } }),
    },
    {
      method: 'POST',
      path: '/_local/jobs/{name}/run',
      handle: async ({ parameters }) => {
        try {
          return { status: 200, body: { job: parameters['name'], at: journeys.clock.now().toISOString(), result: await journeys.runJob(parameters['name'] ?? '') } };
        } catch (error) {
          return problem(404, (error as Error).message);
        }
      },
    },
    {
      method: 'GET',
      path: '/_local/executions',
      handle: () => ({
        status: 200,
        body: {
          items: journeys.stepFunctions.list().map((execution) => ({
            name: execution.name,
            stateMachineArn: execution.stateMachineArn,
            status: execution.status,
            startDate: execution.startDate.toISOString(),
            ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
            ...(execution.error ? { error: execution.error, cause: execution.cause ?? '' } : {}),
            statesEntered: execution.statesEntered,
          })),
        },
      }),
    },
  ];
}

/** The message log as an outbox: every message and task, with what happened to it, in time order. */
export async function outbox(customerId?: string): Promise<OutboxItem[]> {
  // Imported here: the client reads its configuration, which the host sets after start-up.
  const { documentClient, tableName } = await import('../../functions/adapters/dynamodb.ts');
  const items: Record<string, unknown>[] = [];
  const pages = customerId
    ? paginateQuery(
        { client: documentClient },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': keys.messagePrefix },
        },
      )
    : paginateScan({ client: documentClient }, { TableName: tableName, FilterExpression: 'begins_with(sk, :prefix)', ExpressionAttributeValues: { ':prefix': keys.messagePrefix } });
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items
    .map((item) => {
      const entry = messageLogEntity.parse(item);
      return {
        id: String(item['sk']).slice(keys.messagePrefix.length),
        at: entry.at,
        customerId: entry.customerId,
        journey: entry.journey,
        step: entry.step,
        channel: entry.channel,
        status: entry.status,
        ...(entry.subject ? { subject: entry.subject } : {}),
        ...(entry.text ? { text: entry.text } : {}),
        ...(entry.html ? { html: entry.html } : {}),
        ...(entry.reason ? { reason: entry.reason } : {}),
        ...(entry.messageId ? { messageId: entry.messageId } : {}),
        ...(entry.deliveryStatus ? { deliveryStatus: entry.deliveryStatus } : {}),
        ...(entry.deliveryStatusAt ? { deliveryStatusAt: entry.deliveryStatusAt } : {}),
        ...(entry.deliveryDetail ? { deliveryDetail: entry.deliveryDetail } : {}),
        ...(entry.openedAt ? { openedAt: entry.openedAt } : {}),
        ...(entry.clickedAt ? { clickedAt: entry.clickedAt } : {}),
      };
    })
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
}

const titles: Record<number, string> = { 400: 'Invalid request', 404: 'Not found', 409: 'Conflict' };

function problem(status: number, detail: string) {
  return { status, body: { type: 'about:blank', title: titles[status] ?? 'Error', status, detail } };
}

function parseBody<T>(body: Buffer, schema: z.ZodType<T>): { success: true; data: T } | { success: false; problem: ReturnType<typeof problem> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return { success: false, problem: problem(400, 'the body is not valid JSON') };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) return { success: false, problem: problem(400, result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')) };
  return { success: true, data: result.data };
}
