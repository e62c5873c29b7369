/**
 * The nightly co-purchase count (a schedule runs it; the local host on its virtual clock): every
 * recorded order streamed once, counted in bounded memory, the top neighbours per product stored for
 * the personal offers.
 */
import { coPurchasePorts } from '../adapters/loyalty-ports.ts';
import { recomputeCoPurchases } from '../core/catalog/use-cases.ts';
import { logger } from './http.ts';

const ports = coPurchasePorts();

export async function coPurchaseRecompute(): Promise<Awaited<ReturnType<typeof recomputeCoPurchases>>> {
  const result = await recomputeCoPurchases(ports, { segments: 4 });
  logger.info('co-purchase counts stored', { ...result });
  return result;
}

export const handler = coPurchaseRecompute;
