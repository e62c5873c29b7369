/**
 * POST /v1/sync/{platform} (admin), platform `shopify` or `woocommerce`, body
 * `{"since": "2026-01-01", "cursor"?: "<next>"}`: reads the store's orders created or changed since
 * then through the platform's API and records each as its webhook would (functions/core/sync).
 * Answers within the API's time limit: after SYNC_BUDGET_MS it stops at the end of a page and
 * answers with `next`, which the caller posts back as `cursor` (the CLI does so until none is left).
 */
import middy from '@middy/core';
import { platformSettings } from '../adapters/order-lifecycle-ports.ts';
import { orderSourceFor, syncPorts } from '../adapters/platform-sync-ports.ts';
import { invalid } from '../core/purchase.ts';
import { syncOrders } from '../core/sync/platform-sync.ts';
import { sinceOf, syncPlatformSchema, syncRequestSchema } from '../core/sync/request.ts';
import { json, jsonBody, pathParameter, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

/** Work time per request, well within API Gateway's 30 s. */
export const SYNC_BUDGET_MS = 20_000;

const settings = platformSettings();
const ports = syncPorts();

export async function syncPlatform(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const platform = syncPlatformSchema.safeParse(pathParameter(event, 'platform'));
  if (!platform.success) throw invalid('the platform is shopify or woocommerce', platform.error);
  const request = syncRequestSchema.safeParse(jsonBody(event, rawBody(event)));
  if (!request.success) throw invalid('the sync request is not valid', request.error);
  const started = performance.now();
  const summary = await syncOrders(ports, orderSourceFor(platform.data, settings), {
    since: sinceOf(request.data.since),
    ...(request.data.cursor ? { from: request.data.cursor } : {}),
    keepGoing: () => performance.now() - started < SYNC_BUDGET_MS,
  });
  return json(200, summary);
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(syncPlatform);
