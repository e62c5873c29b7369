/**
 * DELETE /v1/customers/{id}: erases everything stored about a customer and stops their journey
 * executions (admin). Always 204: erasing a customer already erased (or never known) has nothing
 * left to do, and repeating an erasure that stopped half way finishes it.
 */
import middy from '@middy/core';
import { DynamoCustomerData } from '../adapters/customer-data.ts';
import { documentClient, tableName } from '../adapters/dynamodb.ts';
import { journeyLauncher } from '../adapters/step-functions.ts';
import { eraseCustomer } from '../core/privacy/customer-data.ts';
import { logger, pathParameter, problemDetails, type HttpEvent, type HttpResult } from './http.ts';
import { requireAdminCaller } from './admin.ts';

const ports = { data: new DynamoCustomerData(documentClient, tableName), executions: journeyLauncher() };

export async function eraseCustomerData(event: HttpEvent): Promise<HttpResult> {
  await requireAdminCaller(event);
  const erased = await eraseCustomer(ports, pathParameter(event, 'id'));
  logger.info('customer erased', { stopped: erased.stopped, deleted: erased.deleted });
  return { statusCode: 204, body: '' };
}

export const handler = middy<HttpEvent, HttpResult>().use(problemDetails()).handler(eraseCustomerData);
