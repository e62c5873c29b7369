/**
 * POST /v1/imports?format=<format>&currency=USD&timezone=UTC&firstLine=2 (admin): imports past
 * orders from the CSV (or CDNOW text) in the body and answers with what became of them, once every
 * order of the upload is recorded or rejected. A long file is uploaded in parts cut between orders,
 * each with the header line (the CLI does so): each part answers on its own.
 *
 * POST /v1/imports?format=<csv format>&upload=s3 (admin, no body), on AWS: creates an import
 * waiting for its file and answers 202 with a presigned URL to PUT the whole file to; the upload
 * starts the import state machine (workflows/import.asl.json) and GET /v1/imports/{id} follows it.
 * A host without an imports bucket (the local host) answers 409: there the file goes in the body.
 */
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { now } from '../adapters/clock.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoImportStore } from '../adapters/import-store.ts';
import { uploadUrls } from '../adapters/import-uploads.ts';
import { DynamoJourneyStore } from '../adapters/journey-store.ts';
import { DynamoPurchaseLedger } from '../adapters/purchase-ledger.ts';
import { ConflictError, InvalidInputError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../core/errors.ts';
import { importFormats } from '../core/imports/formats/index.ts';
import { createUpload, isS3ImportFormat, s3ImportFormats } from '../core/imports/import-job.ts';
import { IMPORT_CONCURRENCY, importOrders } from '../core/imports/import-orders.ts';
import { parseUpload } from '../core/imports/parse-upload.ts';
import { importQuerySchema, MAX_IMPORT_BYTES } from '../core/imports/request.ts';
import { invalid } from '../core/purchase.ts';
import { header, json, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const checkIns = new DynamoJourneyStore(documentClient, tableName);
const records = new DynamoImportStore(documentClient, tableName);

export async function createImport(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const query = importQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!query.success) throw invalid('the import parameters are not valid', query.error);
  if (query.data.upload === 's3') {
    const { format } = query.data;
    if (!isS3ImportFormat(format)) throw new InvalidInputError(`a ${format} file is not CSV: upload it in the request body (upload=s3 takes ${s3ImportFormats.join(', ')})`);
    if (event.body) throw new InvalidInputError('upload=s3 takes no body: PUT the file to the uploadUrl of the answer');
    if (!uploadUrls) throw new ConflictError('this host takes import files in the request body (POST /v1/imports?format=...); upload=s3 is for the deployed API');
    return json(202, await createUpload({ records, urls: uploadUrls, now, newId: randomUUID }, { ...query.data, format }));
  }
  const text = uploadText(event);
  const format = importFormats[query.data.format];
  const upload = parseUpload(format, text, {
    currency: query.data.currency,
    timeZone: query.data.timezone,
    firstLine: query.data.firstLine ?? (format.layout === 'csv' ? 2 : 1),
    now: now(),
  });
  return json(200, await importOrders({ ledger, checkIns, now, concurrency: IMPORT_CONCURRENCY }, upload));
}

/** The upload as text: text/csv or text/plain, UTF-8, at most MAX_IMPORT_BYTES. */
function uploadText(event: HttpEvent): string {
  const type = header(event, 'content-type') ?? '';
  if (!/^text\/(csv|plain)\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaTypeError(`the body must be text/csv (or text/plain for cdnow), not ${type ? `"${type}"` : 'untyped'}`);
  }
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new PayloadTooLargeError(`the upload is ${bytes.length} bytes; the limit is ${MAX_IMPORT_BYTES} bytes (5 MiB): upload the file in parts cut between orders, each with the header line`);
  }
  return bytes.toString('utf8');
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(createImport);
