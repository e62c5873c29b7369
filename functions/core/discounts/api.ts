/** The code pool's upload, as the admin route takes it and the OpenAPI document shows it. */
import * as z from '../zod.ts';
import { invalid } from '../purchase.ts';
import type { PoolUpload } from './discounts.ts';

/** Most codes one upload takes: a larger pool is several uploads (the route writes each code conditionally). */
export const MAX_POOL_UPLOAD = 1000;

export const poolUploadSchema = z.strictObject({
  codes: z.array(z.string().check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'a code of letters, digits, - and _, at most 100'))).check(z.minLength(1), z.maxLength(MAX_POOL_UPLOAD), z.describe('codes the store created in its own platform, each for one use')),
  expiresAt: z.optional(z.iso.datetime({ offset: true })).check(z.describe('when these codes stop working, as the store set them; messages state it')),
});

export const poolUploadAnswerSchema = z.object({
  added: z.number().check(z.int(), z.describe('codes new to the pool')),
  duplicates: z.number().check(z.int(), z.describe('codes already uploaded (free or handed out), left as they were')),
  available: z.number().check(z.int(), z.describe('free codes in the pool now')),
});

export function parsePoolUpload(input: unknown): PoolUpload {
  const parsed = poolUploadSchema.safeParse(input);
  if (!parsed.success) throw invalid('the code upload does not match the schema', parsed.error);
  return { codes: parsed.data.codes, ...(parsed.data.expiresAt ? { expiresAt: new Date(parsed.data.expiresAt).toISOString() } : {}) };
}
