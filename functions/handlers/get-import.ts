/**
 * GET /v1/imports/{id} (admin): an import uploaded to S3, as its record stands: status
 * (waiting-upload, processing, done, failed), the counts so far, the first rejections by line, and
 * why it failed.
 */
import middy from '@middy/core';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { DynamoImportStore } from '../adapters/import-store.ts';
import { resolveSecret } from '../adapters/secrets.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { NotFoundError } from '../core/errors.ts';
import { isImportId } from '../core/imports/import-job.ts';
import { json, pathParameter, problemDetails, requireAdmin, type HttpEvent, type HttpResult } from './http.ts';

const adminToken = secretReference(readConfig(secretEnv('COMEBACK_ADMIN_TOKEN')), 'COMEBACK_ADMIN_TOKEN');
const records = new DynamoImportStore(documentClient, tableName);

export async function getImport(event: HttpEvent): Promise<HttpResult> {
  requireAdmin(event, await resolveSecret(adminToken));
  const importId = pathParameter(event, 'id');
  const record = isImportId(importId) ? await records.get(importId) : undefined;
  if (!record) throw new NotFoundError(`import ${importId} is unknown`);
  return json(200, record);
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(getImport);
