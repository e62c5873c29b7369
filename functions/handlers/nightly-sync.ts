/**
 * The nightly reconciliation (an EventBridge schedule: lib/cdk/comeback-sync.ts): the orders the
 * store's platform (COMEBACK_STOREFRONT shopify or woocommerce) reports as created or changed in the
 * last COMEBACK_SYNC_DAYS days, each recorded, skipped or reversed as its webhook would have been:
 * what webhooks missed is recorded, what they brought is a duplicate. The same use case as
 * POST /v1/sync/{platform}, without its time budget (the function's timeout is the limit).
 */
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { now } from '../adapters/clock.ts';
import { platformSettings } from '../adapters/order-lifecycle-ports.ts';
import { orderSourceFor, syncPorts } from '../adapters/platform-sync-ports.ts';
import { readConfig, storefrontEnv, syncEnv } from '../config.ts';
import { PlatformNotConfiguredError, syncOrders, type SyncSummary } from '../core/sync/platform-sync.ts';
import { logger } from './http.ts';

const config = readConfig(syncEnv);
const storefront = readConfig(storefrontEnv);
const settings = platformSettings();
const ports = syncPorts();

export async function nightlySync(): Promise<SyncSummary> {
  const platform = storefront.COMEBACK_STOREFRONT;
  if (platform !== 'shopify' && platform !== 'woocommerce') throw new PlatformNotConfiguredError(`COMEBACK_STOREFRONT is ${platform}: the nightly sync reads a shopify or woocommerce store`);
  const since = new Date(now().getTime() - config.COMEBACK_SYNC_DAYS * 86_400_000);
  const summary = await syncOrders(ports, orderSourceFor(platform, settings, storefront), { since });
  logger.info('nightly sync', { platform, since: since.toISOString(), ...summary });
  return summary;
}

export const handler = middy<ScheduledEvent, SyncSummary>().handler(nightlySync);
