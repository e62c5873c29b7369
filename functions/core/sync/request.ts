/** The body of POST /v1/sync/{platform} and what it answers (shared by the handler, OpenAPI and the CLI). */
import * as z from '../zod.ts';
import { syncPlatforms } from './platform-sync.ts';

export const syncPlatformSchema = z.enum(syncPlatforms);

export const syncRequestSchema = z.strictObject({
  /** A date (2026-01-01, UTC midnight) or an instant: orders created or changed since then. */
  since: z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
  /** The `next` of the previous answer. */
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2000))),
});

export const syncSummarySchema = z.object({
  fetched: z.number().check(z.int()),
  recorded: z.number().check(z.int()),
  duplicates: z.number().check(z.int()),
  notCounted: z.number().check(z.int()),
  reversed: z.number().check(z.int()),
  failed: z.number().check(z.int()),
  failures: z.array(z.object({ orderId: z.string(), reason: z.string() })),
  /** Present when the answer stops before the last page: post again with it as `cursor`. */
  next: z.optional(z.string()),
});

export type SyncAnswer = z.output<typeof syncSummarySchema>;

/** `2026-01-01` is midnight UTC. */
export function sinceOf(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}
