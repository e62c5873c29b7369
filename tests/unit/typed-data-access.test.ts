/**
 * The lint rule that keeps data access typed (eslint.config.js): no `as unknown as` cast, no
 * hand-written LastEvaluatedKey loop, no UnprocessedItems loop outside queries.ts and no key built
 * outside table-design.ts in functions/ and lib/local, tried with the project's own configuration on
 * code it must refuse and code it must let through.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function refusals(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-syntax').map((message) => message.message);
}

const cast = 'export const read = (item: Record<string, unknown>): { id: string } => item as unknown as { id: string };\n';
const loop = `type Page = { Items?: unknown[]; LastEvaluatedKey?: Record<string, unknown> };
export async function readAll(send: (input: { ExclusiveStartKey?: Record<string, unknown> }) => Promise<Page>): Promise<unknown[]> {
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await send({ ...(start ? { ExclusiveStartKey: start } : {}) });
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
`;
const unprocessed = `type Written = { UnprocessedItems?: Record<string, unknown[]> };
export async function writeAll(send: (requests: unknown[]) => Promise<Written>, requests: unknown[]): Promise<void> {
  let pending = requests;
  while (pending.length > 0) {
    const { UnprocessedItems } = await send(pending);
    pending = UnprocessedItems?.['t'] ?? [];
  }
}
`;
const unprocessedByMember = unprocessed.replace('const { UnprocessedItems } = await send(pending);\n    pending = UnprocessedItems', 'const answer = await send(pending);\n    pending = answer.UnprocessedItems');
const onePage = `export async function onePage(send: (input: { ExclusiveStartKey?: Record<string, unknown> }) => Promise<unknown>, start?: Record<string, unknown>): Promise<unknown> {
  return send({ ...(start ? { ExclusiveStartKey: start } : {}) });
}
`;

describe('data access stays typed', () => {
  it.each(['functions/adapters/example.ts', 'functions/handlers/example.ts', 'lib/local/example.ts'])('refuses `as unknown as` and a LastEvaluatedKey loop in %s', async (filePath) => {
    expect(await refusals(cast, filePath)).toEqual([expect.stringContaining('as unknown as')]);
    expect(await refusals(loop, filePath)).toEqual([expect.stringContaining('paginateQuery')]);
  }, 30_000);

  it.each(['functions/adapters/example.ts', 'lib/local/example.ts'])('refuses a loop over UnprocessedItems in %s, destructured or read as a member', async (filePath) => {
    expect(unprocessedByMember).not.toEqual(unprocessed);
    expect(await refusals(unprocessed, filePath)).toEqual([expect.stringContaining('batchWriteItems')]);
    expect(await refusals(unprocessedByMember, filePath)).toEqual([expect.stringContaining('batchWriteItems')]);
  }, 30_000);

  it('lets queries.ts, where batchWriteItems lives, loop over UnprocessedItems', async () => {
    expect(await refusals(unprocessed, 'functions/adapters/queries.ts')).toEqual([]);
  }, 30_000);

  it('refuses a key built outside table-design.ts, and lets table-design.ts build it', async () => {
    const key = 'export const key = (id: string) => ({ pk: `ORDER#${id}`, sk: \'ORDER\' });\n';
    expect(await refusals(key, 'functions/adapters/example.ts')).toEqual([expect.stringContaining('table-design.ts')]);
    expect(await refusals(key, 'functions/adapters/table-design.ts')).toEqual([]);
  }, 30_000);

  it('lets a cursor-paged route send one query from a start key', async () => {
    expect(await refusals(onePage, 'functions/adapters/example.ts')).toEqual([]);
  }, 30_000);
});
