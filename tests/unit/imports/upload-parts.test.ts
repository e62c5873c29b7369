/** How the CLI cuts a file into uploads: only between orders, keeping every line where it was. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importFormats } from '../../../functions/core/imports/formats/index.ts';
import { parseUpload } from '../../../functions/core/imports/parse-upload.ts';
import { uploadParts, type UploadPart } from '../../../lib/cli/import.ts';

async function* linesOf(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

async function partsOf(lines: string[], format: keyof typeof importFormats, limits: { bytes: number; orders: number }): Promise<UploadPart[]> {
  const parts: UploadPart[] = [];
  for await (const part of uploadParts(linesOf(lines), importFormats[format], limits)) parts.push(part);
  return parts;
}

const header = 'orderId,customerId,placedAt,currency,total,email,phone,name,sku,category,quantity,unitPrice';
const item = (orderId: string, sku: string, name = '') => `${orderId},c-${orderId},2025-01-01,USD,1.00,,,${name},${sku},,1,1.00`;

describe('uploadParts', () => {
  it('cuts between orders at the order limit, each part with the header and its first line', async () => {
    const lines = [header, item('o-1', 'A'), item('o-1', 'B'), item('o-2', 'A'), item('o-3', 'A'), item('o-3', 'B'), item('o-3', 'C')];
    const parts = await partsOf(lines, 'comeback-csv', { bytes: 1 << 20, orders: 2 });
    expect(parts.map((part) => [part.firstLine, part.orders, part.lines.map((line) => line.split(',').slice(0, 1).join() + line.split(',')[8])])).toEqual([
      [2, 2, ['o-1A', 'o-1B', 'o-2A']],
      [5, 1, ['o-3A', 'o-3B', 'o-3C']],
    ]);
    expect(parts.every((part) => part.header === header)).toBe(true);
  });

  it('cuts at the byte limit, but never inside an order or a quoted line break', async () => {
    const lines = [header, item('o-1', 'A', '"Ada'), 'Lovelace"', '', item('o-2', 'A'), item('o-2', 'B')];
    const parts = await partsOf(lines, 'comeback-csv', { bytes: 10, orders: 100 });
    expect(parts.map((part) => [part.firstLine, part.lines.length])).toEqual([
      [2, 2],
      // The blank line travels with the order after it, so line numbers hold.
      [4, 3],
    ]);
  });

  it('gives every cdnow line its own order, the header line included in the first part', async () => {
    const lines = [' customer_id  date number_of_cds  dollar_value', ' 00001 19970101  1   11.77', ' 00002 19970112  1   12.00', ' 00002 19970112  5   77.00'];
    const parts = await partsOf(lines, 'cdnow', { bytes: 1 << 20, orders: 2 });
    expect(parts.map((part) => [part.firstLine, part.lines.length, part.header])).toEqual([
      [1, 2, undefined],
      [3, 2, undefined],
    ]);
  });

  it('reads the same orders and rejections, with the same line numbers, from the parts as from the whole file', async () => {
    const options = { currency: 'USD', timeZone: 'UTC', now: new Date('2026-06-01T00:00:00.000Z') };
    // Lines the server rejects without an order to put them in (an order's lines apart are found only within one upload).
    const junk = fc.constantFrom('', 'o-9,short', 'o-x,c,2025-01-01,USD,1.00,,,"open');
    const order = fc.record({
      items: fc.array(fc.record({ sku: fc.constantFrom('A', 'B'), name: fc.constantFrom('', 'Ada', '"Ada, the first"', '"two\nlines"') }), { minLength: 1, maxLength: 3 }),
      junk: fc.option(fc.tuple(fc.nat(), junk), { nil: undefined }),
    });
    const entry = fc.oneof({ weight: 5, arbitrary: order }, { weight: 1, arbitrary: junk });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 20 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 400 }), async (entries, orders, bytes) => {
        const body = entries.flatMap((value, index) => {
          if (typeof value === 'string') return [value];
          const lines = value.items.map((line) => item(`o-${index}`, line.sku, line.name));
          if (value.junk) lines.splice(value.junk[0] % (lines.length + 1), 0, value.junk[1]);
          return lines;
        });
        const file = [header, ...body.flatMap((text) => text.split('\n'))];
        const whole = parseUpload(importFormats['comeback-csv'], file.join('\n'), { ...options, firstLine: 2 });
        const parts = await partsOf(file, 'comeback-csv', { bytes, orders });
        const pieces = parts.map((part) => parseUpload(importFormats['comeback-csv'], `${part.header}\n${part.lines.join('\n')}\n`, { ...options, firstLine: part.firstLine }));
        expect(pieces.flatMap((piece) => piece.orders)).toEqual(whole.orders);
        expect(pieces.flatMap((piece) => piece.rejections)).toEqual(whole.rejections);
        expect(parts.flatMap((part) => part.lines)).toEqual(file.slice(1));
        expect(parts.every((part) => part.orders <= orders)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
