/** The import route's contract: what an upload says about itself, its size limit, and the answer. */
import * as z from '../zod.ts';
import { currencySchema, timeZoneSchema } from '../purchase.ts';
import { importFormatNames } from './format.ts';

/** Far below API Gateway's 10 MB and Lambda's 6 MB payload limits; the CLI uploads parts of 1 MiB. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** The query of POST /v1/imports. */
export const importQuerySchema = z.strictObject({
  format: z.enum(importFormatNames),
  currency: z._default(currencySchema, 'USD').check(z.describe('the currency of amounts when the file names none')),
  timezone: z._default(timeZoneSchema, 'UTC').check(z.describe('the IANA time zone of dates written without an offset')),
  firstLine: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1_000_000_000))).check(z.describe("the file's line number of the upload's first data line (default: 2 for CSV formats, 1 for cdnow)")),
  upload: z.optional(z.enum(['s3'])).check(z.describe('s3: no body; answers 202 with a presigned URL to PUT the whole file to, processed on AWS by the import state machine (CSV formats, deployed API only)')),
});

export type ImportQuery = z.output<typeof importQuerySchema>;

/** The answer to one upload. */
export const importSummarySchema = z.object({
  imported: z.number().check(z.int()),
  duplicates: z.number().check(z.int(), z.describe('orders already recorded (by an earlier import or a webhook); left as recorded')),
  rejected: z.number().check(z.int()),
  customers: z.number().check(z.int(), z.describe('distinct customers of the imported and duplicate orders')),
  customerIds: z.array(z.string()),
  rejections: z.array(z.object({ line: z.number().check(z.int()), orderId: z.optional(z.string()), reason: z.string() })),
});

export type ImportSummary = z.output<typeof importSummarySchema>;
