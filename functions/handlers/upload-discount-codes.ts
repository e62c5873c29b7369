/**
 * POST /v1/discount-codes/pool: the store uploads discount codes it created in its own platform
 * (COMEBACK_STOREFRONT=pool, for platforms Comeback cannot create codes in), for admins. Each code
 * is handed out once, to the first message that offers one when it is sent.
 */
import middy from '@middy/core';
import { now } from '../adapters/clock.ts';
import { DynamoDiscounts } from '../adapters/discount-store.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { parsePoolUpload } from '../core/discounts/api.ts';
import { json, jsonBody, problemDetails, rawBody, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const pool = new DynamoDiscounts(documentClient, tableName);

export async function uploadDiscountCodes(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const upload = parsePoolUpload(jsonBody(event, rawBody(event)));
  const { added, duplicates } = await pool.add(upload, now().toISOString());
  return json(200, { added, duplicates, available: await pool.available() });
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(uploadDiscountCodes);
