/** The body of POST /v1/sync/{platform} and what it answers (shared by the handler, OpenAPI and the CLI). */
import * as z from 'zod';
import { syncPlatforms } from './platform-sync.ts';

export const syncPlatformSchema = z.enum(syncPlatforms);

export const syncRequestSchema = z.strictObject({
  /** A date (2026-01-01, UTC midnight) or an instant: orders created or changed since then. */
  since: z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
  /** The `next` of the previous answer. */
  cursor: z.string().min(1).max(2000).optional(),
});

export const syncSummarySchema = z.object({
  fetched: z.number().int(),
  recorded: z.number().int(),
  duplicates: z.number().int(),
  notCounted: z.number().int(),
  reversed: z.number().int(),
  failed: z.number().int(),
  failures: z.array(z.object({ orderId: z.string(), reason: z.string() })),
  /** Present when the answer stops before the last page: post again with it as `cursor`. */
  next: z.string().optional(),
});

export type SyncAnswer = z.output<typeof syncSummarySchema>;

/** `2026-01-01` is midnight UTC. */
export function sinceOf(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}
