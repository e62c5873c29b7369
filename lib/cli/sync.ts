/**
 * `sync shopify|woocommerce --since <date>`
 *
 * Has whichever Comeback COMEBACK_URL points at read the store's orders created or changed since
 * the date through the platform's API and record each as its webhook would: POST /v1/sync/{platform}
 * (admin), again with the answer's `next` as `cursor` until none is left (each answer comes within
 * the API's time limit). The store's address and credentials are that Comeback's (the discount code
 * settings: COMEBACK_SHOPIFY_* or COMEBACK_WOOCOMMERCE_*), never the CLI's.
 *
 * Shows progress on stderr when it is a terminal and ends with one JSON line on stdout:
 * {"fetched":n,"recorded":n,"duplicates":n,"notCounted":n,"reversed":n,"seconds":s[,"failed":n]}
 * and the orders that could not be read on stderr.
 */
import { parseArgs } from 'node:util';
import { syncPlatforms } from '../../functions/core/sync/platform-sync.ts';
import { syncRequestSchema, syncSummarySchema, type SyncAnswer } from '../../functions/core/sync/request.ts';
import { postJson, refusalDetail } from '../local/client.ts';

export const syncUsage = `sync ${syncPlatforms.join('|')} --since <YYYY-MM-DD or ISO 8601>`;

export interface SyncTarget {
  url: string;
  adminToken: string;
}

export interface SyncOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTerminal: boolean;
}

export async function runSync(args: string[], target: SyncTarget, output: SyncOutput): Promise<void> {
  const started = performance.now();
  const { positionals, values } = parseArgs({ args, allowPositionals: true, strict: true, options: { since: { type: 'string' } } });
  const [platform, ...extra] = positionals;
  if (platform === undefined || !(syncPlatforms as readonly string[]).includes(platform) || extra.length > 0) throw new Error(`usage: npm run comeback -- ${syncUsage}`);
  const since = values.since;
  if (since === undefined || !syncRequestSchema.shape.since.safeParse(since).success) throw new Error(`sync needs --since <date>: 2026-01-01 (UTC midnight) or an ISO 8601 instant with its offset`);

  const total = { fetched: 0, recorded: 0, duplicates: 0, notCounted: 0, reversed: 0, failed: 0 };
  const failures: SyncAnswer['failures'] = [];
  let cursor: string | undefined;
  do {
    const answer = await post(target, platform, { since, ...(cursor ? { cursor } : {}) });
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += answer[key];
    failures.push(...answer.failures);
    cursor = answer.next;
    if (output.stderrIsTerminal) {
      output.stderr(`\r${platform}: ${total.fetched} orders read, ${total.recorded} recorded, ${total.duplicates} already known, ${total.notCounted} not counted, ${total.reversed} reversed${cursor ? ' ...' : ''}   `);
    }
  } while (cursor !== undefined);
  if (output.stderrIsTerminal) output.stderr('\n');
  for (const failure of failures) output.stderr(`order ${failure.orderId} not read: ${failure.reason}\n`);
  const { failed, ...counts } = total;
  output.stdout(`${JSON.stringify({ ...counts, seconds: Math.round((performance.now() - started) / 100) / 10, ...(failed > 0 ? { failed } : {}) })}\n`);
}

async function post(target: SyncTarget, platform: string, body: { since: string; cursor?: string }): Promise<SyncAnswer> {
  const answer = await postJson(target.url, `/v1/sync/${platform}`, body, target.adminToken);
  if (answer.status < 200 || answer.status > 299) throw new Error(`sync refused (HTTP ${answer.status}): ${refusalDetail(answer, 300)}`);
  const parsed = syncSummarySchema.safeParse(answer.body);
  if (!parsed.success) throw new Error(`sync: ${target.url} answered something other than a sync summary`);
  return parsed.data;
}
