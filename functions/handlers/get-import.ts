/**
 * GET /v1/imports/{id} (admin): an import uploaded to S3, as its record stands: status
 * (waiting-upload, processing, done, failed), the counts so far, the first rejections by line, and
 * why it failed.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoImportStore } from '../adapters/import-store.ts';
import { NotFoundError } from '../core/errors.ts';
import { isImportId } from '../core/imports/import-job.ts';
import { json, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const records = new DynamoImportStore(documentClient, tableName);

export async function getImport(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const importId = pathParameter(event, 'id');
  const record = isImportId(importId) ? await records.get(importId) : undefined;
  if (!record) throw new NotFoundError(`import ${importId} is unknown`);
  return json(200, record);
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(getImport);
