/** The pure parts of imports uploaded to S3: statuses, keys, batches and the edges between them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderKeyOf } from '../../../functions/core/imports/format.ts';
import { importFormats } from '../../../functions/core/imports/formats/index.ts';
import {
  canMove,
  cutBatches,
  importIdOfKey,
  importStatuses,
  joinEdges,
  listRejections,
  MAX_LISTED_REJECTIONS,
  rowOfItem,
  splitBatch,
  statusesBefore,
  uploadKey,
  type MapItem,
} from '../../../functions/core/imports/import-job.ts';

const comeback = importFormats['comeback-csv'];
const item = (index: number, orderId: string): MapItem => ({ index, row: { orderId, sku: 'A' } });

describe('import statuses', () => {
  it.each([
    ['waiting-upload', 'processing', true],
    ['waiting-upload', 'failed', true],
    ['waiting-upload', 'done', false],
    ['processing', 'done', true],
    ['processing', 'failed', true],
    ['processing', 'processing', false],
    ['done', 'failed', false],
    ['done', 'processing', false],
    ['failed', 'done', false],
    ['failed', 'processing', false],
  ] as const)('%s -> %s: %s', (from, to, allowed) => {
    expect(canMove(from, to)).toBe(allowed);
  });

  it('names the statuses a move may start from', () => {
    expect(statusesBefore('processing')).toEqual(['waiting-upload']);
    expect(statusesBefore('failed')).toEqual(['waiting-upload', 'processing']);
    expect(statusesBefore('done')).toEqual(['processing']);
    expect(statusesBefore('waiting-upload')).toEqual([]);
    expect(importStatuses).toHaveLength(4);
  });
});

describe('upload keys', () => {
  it('round-trips an import id and refuses other keys', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(uploadKey(id)).toBe(`imports/${id}.csv`);
    expect(importIdOfKey(uploadKey(id))).toBe(id);
    expect(importIdOfKey('imports/elsewhere.csv')).toBeUndefined();
    expect(importIdOfKey(`other/${id}.csv`)).toBeUndefined();
    expect(importIdOfKey(`imports/${id}.csv.bak`)).toBeUndefined();
  });
});

describe('rows of the map', () => {
  it('keep the file line (index + 2) and lower-case the header, without its byte order mark', () => {
    expect(rowOfItem({ index: 0, row: { '\uFEFFOrderId': '1', ' SKU ': 'A' } })).toEqual({ line: 2, text: '1,A', fields: { orderid: '1', sku: 'A' } });
  });
});

describe('cutBatches', () => {
  it('cuts in order at the count or the byte limit, whichever comes first', () => {
    const items = Array.from({ length: 7 }, (_, index) => ({ index, text: 'x'.repeat(index === 3 ? 50 : 5) }));
    const sizes = (batches: (typeof items)[]) => batches.map((batch) => batch.map((entry) => entry.index));
    expect(sizes(cutBatches(items, { maxItems: 3, maxBytes: 10_000 }))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const bytes = (entry: (typeof items)[number]) => Buffer.byteLength(JSON.stringify(entry));
    expect(sizes(cutBatches(items, { maxItems: 10, maxBytes: bytes(items[0]!) * 2 + 1 }))).toEqual([[0, 1], [2], [3], [4, 5], [6]]);
    expect(cutBatches([], { maxItems: 3, maxBytes: 10 })).toEqual([]);
  });
});

describe('splitBatch and joinEdges', () => {
  it('sets aside the runs at both ends, but not at the start of the file', () => {
    const first = [item(0, 'a'), item(1, 'a'), item(2, 'b'), item(3, 'c'), item(4, 'c')];
    expect(splitBatch(comeback, first)).toEqual({ whole: first.slice(0, 3), edges: [{ key: 'c', items: first.slice(3) }] });
    const next = [item(5, 'c'), item(6, 'd'), item(7, 'e')];
    expect(splitBatch(comeback, next)).toEqual({ whole: [next[1]], edges: [{ key: 'c', items: [next[0]] }, { key: 'e', items: [next[2]] }] });
    const middle = [item(8, 'e'), item(9, 'e')];
    expect(splitBatch(comeback, middle)).toEqual({ whole: [], edges: [{ key: 'e', items: middle }] });
    expect(joinEdges([{ key: 'e', items: [next[2]!] }, { key: 'e', items: middle }, { key: 'c', items: [next[0]!] }, { key: 'c', items: first.slice(3) }])).toEqual([
      [...first.slice(3), next[0]],
      [next[2], ...middle],
    ]);
  });

  it('does not join edges of one order id that do not touch', () => {
    expect(joinEdges([{ key: 'a', items: [item(4, 'a')] }, { key: 'a', items: [item(9, 'a')] }])).toHaveLength(2);
  });

  it('has no edges for a format of one order per line', () => {
    const lines = [item(3, ''), item(4, '')];
    expect(splitBatch(importFormats.cdnow, lines)).toEqual({ whole: lines, edges: [] });
  });

  it('gives back every order whole, however the file is cut into batches', () => {
    // A file: orders of 1 to 5 consecutive lines; batches: any cut points.
    const file = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 60 }).map((sizes) => {
      const items: MapItem[] = [];
      sizes.forEach((size, order) => {
        for (let line = 0; line < size; line += 1) items.push(item(items.length, `order-${order}`));
      });
      return items;
    });
    fc.assert(
      fc.property(file, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 40 }), (items, cuts) => {
        const batches: MapItem[][] = [];
        let at = 0;
        for (const size of [...cuts, items.length]) {
          if (at >= items.length) break;
          batches.push(items.slice(at, at + size));
          at += size;
        }
        const wholeOrders: MapItem[][] = [];
        const edges = batches.flatMap((batch) => {
          const split = splitBatch(comeback, batch);
          // The whole rows of a batch are whole orders: group them by key.
          for (const entry of split.whole) {
            const last = wholeOrders.at(-1);
            if (last && last[0]!.row['orderId'] === entry.row['orderId'] && last.at(-1)!.index + 1 === entry.index) last.push(entry);
            else wholeOrders.push([entry]);
          }
          return split.edges;
        });
        const orders = [...wholeOrders, ...joinEdges(edges)].sort((a, b) => a[0]!.index - b[0]!.index);
        const expected = new Map<string, number[]>();
        for (const entry of items) expected.set(orderKeyOf(comeback, rowOfItem(entry)), [...(expected.get(orderKeyOf(comeback, rowOfItem(entry))) ?? []), entry.index]);
        expect(orders.map((order) => order.map((entry) => entry.index))).toEqual([...expected.values()]);
      }),
    );
  });
});

describe('listRejections', () => {
  it('keeps the first rejections by line and counts the rest', () => {
    const rejection = (line: number) => ({ line, reason: 'r' });
    const listed = Array.from({ length: MAX_LISTED_REJECTIONS - 1 }, (_, at) => rejection(at * 2 + 10));
    const result = listRejections(listed, [rejection(3), rejection(5000), rejection(7)]);
    expect(result.rejections).toHaveLength(MAX_LISTED_REJECTIONS);
    expect(result.rejections.slice(0, 3).map((entry) => entry.line)).toEqual([3, 7, 10]);
    expect(result.notListed).toBe(2);
  });
});
