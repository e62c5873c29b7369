import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification } from 'vitest/node';
import LongPolesFirst, { longPoles } from '../support/long-poles-first.ts';

const root = join(import.meta.dirname, '..', '..');

describe('the order test files start in', () => {
  it('names only test files that exist', () => {
    for (const path of longPoles) expect(existsSync(join(root, path)), path).toBe(true);
  });

  it('starts the long poles first, in their order, and keeps the usual order of the others', async () => {
    const project = { name: '', config: { sequence: { groupOrder: 0 }, isolate: true } };
    const spec = (path: string) => ({ moduleId: join(root, path), project }) as unknown as TestSpecification;
    const others = ['tests/unit/money.test.ts', 'tests/unit/http.test.ts'];
    const files = [...others, longPoles[2], longPoles[0]].map(spec);
    const cache = { getTestSpecificationResult: (file: TestSpecification) => ({ failed: false, duration: others.indexOf(file.moduleId.slice(root.length + 1)) === 0 ? 10 : 20 }) };
    const sorted = await new LongPolesFirst({ cache } as never).sort(files);
    expect(sorted.map((file) => file.moduleId.slice(root.length + 1))).toEqual([longPoles[0], longPoles[2], 'tests/unit/http.test.ts', 'tests/unit/money.test.ts']);
  });
});
