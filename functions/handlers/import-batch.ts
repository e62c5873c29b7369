/**
 * The import state machine's steps (workflows/import.asl.json), one function for all of them:
 * `begin` (the uploaded file's import moves to processing), `batch` (one batch of rows of the
 * Distributed Map: its whole orders imported and counted, its edges set aside), `finish` (the
 * orders cut between batches imported, the import done) and `fail` (the import failed, with why).
 * Invoked by the state machine only; the input is checked, as anything crossing a boundary.
 */
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoImportStore } from '../adapters/import-store.ts';
import { DynamoJourneyStore } from '../adapters/journey-store.ts';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import * as z from '../core/zod.ts';
import { InvalidInputError } from '../core/errors.ts';
import {
  beginImport,
  failImport,
  finishImport,
  importBatch,
  mapItemSchema,
  s3ImportFormats,
  type ImportJobPorts,
} from '../core/imports/import-job.ts';
import { IMPORT_CONCURRENCY } from '../core/imports/import-orders.ts';

const ports: ImportJobPorts = {
  ledger: new DynamoPurchaseLedger(documentClient, tableName),
  checkIns: new DynamoJourneyStore(documentClient, tableName),
  records: new DynamoImportStore(documentClient, tableName),
  now,
  concurrency: IMPORT_CONCURRENCY,
};

const settings = z.object({ importId: z.string().check(z.minLength(1)), format: z.enum(s3ImportFormats), currency: z.string(), timezone: z.string() });

export const importStepInput = z.discriminatedUnion('action', [
  z.object({ action: z.literal('begin'), bucket: z.string().check(z.minLength(1)), key: z.string().check(z.minLength(1)) }),
  z.object({ action: z.literal('batch'), batchInput: settings, items: z.array(mapItemSchema) }),
  z.object({ action: z.literal('finish'), import: settings }),
  z.object({ action: z.literal('fail'), importId: z.string().check(z.minLength(1)), error: z.optional(z.string()), cause: z.optional(z.string()) }),
]);

export type ImportStepInput = z.input<typeof importStepInput>;

export async function importStep(event: unknown): Promise<unknown> {
  const parsed = importStepInput.safeParse(event);
  if (!parsed.success) throw new InvalidInputError(`not an import step: ${parsed.error.message}`);
  const input = parsed.data;
  switch (input.action) {
    case 'begin':
      return beginImport(ports, input);
    case 'batch':
      return importBatch(ports, { ...input.batchInput, items: input.items });
    case 'finish': {
      const record = await finishImport(ports, input.import);
      return { status: record?.status ?? 'unknown' };
    }
    case 'fail':
      await failImport(ports, input.importId, [input.error, input.cause].filter((part) => part).join(': ') || 'the import state machine failed');
      return { status: 'failed' };
  }
}

export const handler = importStep;
