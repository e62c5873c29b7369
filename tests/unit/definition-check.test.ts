import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDefinition } from '../../lib/local/step-functions.ts';

const valid = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };
let remembered: string;

afterEach(() => rmSync(remembered, { recursive: true, force: true }));

describe('the check of a state machine definition on the local host', () => {
  it('remembers a valid definition by its text, and checks a changed one again', () => {
    remembered = mkdtempSync(join(tmpdir(), 'comeback-definitions-'));
    checkDefinition(valid, remembered);
    checkDefinition(structuredClone(valid), remembered);
    expect(readdirSync(remembered)).toHaveLength(1);
    checkDefinition({ ...valid, Comment: 'changed' }, remembered);
    expect(readdirSync(remembered)).toHaveLength(2);
  });

  it('refuses an invalid definition every time, and remembers nothing of it', () => {
    remembered = mkdtempSync(join(tmpdir(), 'comeback-definitions-'));
    const invalid = { StartAt: 'Missing', States: { Done: { Type: 'Succeed' } } };
    expect(() => checkDefinition(invalid, remembered)).toThrow();
    expect(() => checkDefinition(invalid, remembered)).toThrow();
    expect(readdirSync(remembered)).toEqual([]);
  });
});
