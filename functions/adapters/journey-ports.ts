/**
 * The journey engine's ports for handlers, built once per process from the environment. The ports
 * of the functions that send (the step, the sweep) are in ./journey-sending-ports.ts, so that the
 * others do not carry the delivery code in their bundles.
 */
import * as z from '../core/zod.ts';
import { readConfig } from '../config.ts';
import { isMember } from '../core/loyalty/account.ts';
import type { JourneyPorts, JourneySettings } from '../core/journey-engine.ts';
import { NPS_INTERVAL_DAYS, WIN_BACK_AFTER_DAYS } from '../core/journeys.ts';
import { existsSync } from 'node:fs';
import { catalogEnv, configuredCatalog, defaultCatalogFile } from './catalog-file.ts';
import { now } from './clock.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { DynamoJourneyStore } from './journey-store.ts';
import { readLoyaltyAccount } from './loyalty-accounts.ts';
import { journeyLauncher } from './step-functions.ts';

const journeyEnv = z.object({
  COMEBACK_HOLDOUT_SHARE: z.coerce.number().check(z.gte(0), z.lte(0.5)),
  COMEBACK_WIN_BACK_AFTER_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), WIN_BACK_AFTER_DAYS),
  COMEBACK_SHOP_URL: z.url(),
  COMEBACK_SUPPORT_CONTACT: z.string().check(z.trim(), z.minLength(1)),
  // The message log remembers the question: keep this within COMEBACK_EVENT_RETENTION_DAYS.
  COMEBACK_NPS_INTERVAL_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(730)), NPS_INTERVAL_DAYS),
});

let ports: JourneyPorts | undefined;

export function journeySettings(): JourneySettings {
  const config = readConfig(journeyEnv);
  return {
    holdoutShare: config.COMEBACK_HOLDOUT_SHARE,
    winBackAfterDays: config.COMEBACK_WIN_BACK_AFTER_DAYS,
    sweepLookbackDays: 6,
    npsIntervalDays: config.COMEBACK_NPS_INTERVAL_DAYS,
    shopUrl: config.COMEBACK_SHOP_URL,
    supportContact: config.COMEBACK_SUPPORT_CONTACT,
  };
}

let base: Omit<JourneyPorts, 'launcher'> | undefined;

/** Membership as the loyalty accounts hold it (an account from before joining existed counts as it is read). */
function loyaltyMembership(): JourneyPorts['membership'] {
  return { isMember: async (customerId) => isMember(await readLoyaltyAccount(documentClient, tableName, customerId)) };
}

/** The store, settings and clock every journey handler shares; built once. */
export function journeyBase(): Omit<JourneyPorts, 'launcher'> {
  base ??= { store: new DynamoJourneyStore(documentClient, tableName), settings: journeySettings(), now, membership: loyaltyMembership() };
  return base;
}

export function journeyPorts(): JourneyPorts {
  ports ??= { ...journeyBase(), launcher: journeyLauncher() };
  return ports;
}

/**
 * The settings with the rules file's declared cycles, for the jobs that decide win-back entry (win-back
 * is never due before the longest cycle declared for what was bought): where the function has the
 * file (COMEBACK_CATALOG_FILE, or the repository's file as the local host runs); else without.
 */
export function withDeclaredCycles<Ports extends JourneyPorts>(ports: Ports): Ports {
  const named = readConfig(catalogEnv).COMEBACK_CATALOG_FILE;
  if (named === undefined && !existsSync(defaultCatalogFile)) return ports;
  return { ...ports, settings: { ...ports.settings, winBack: { ...ports.settings.winBack, catalog: configuredCatalog() } } };
}
