/**
 * The Lambda bundles are CommonJS (lib/cdk/function-bundle.ts): a module that finds a file beside
 * it through `import.meta.url` (the precompiled templates, the phone metadata, the rules file) finds
 * it beside the bundle, and any other use of `import.meta`, which CommonJS would leave empty, stops
 * the build instead of shipping.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/cdk/comeback-function.ts';
import { BUNDLE_FILE, DEPLOYED_BUNDLE, buildFunctionBundles, writeFunctionBundle } from '../../lib/cdk/function-bundle.ts';

const scratch = mkdtempSync(join(tmpdir(), 'comeback-function-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a Lambda bundle', () => {
  it('is CommonJS, loaded with require, and reads a file beside it through import.meta.url', () => {
    const entry = join(scratch, 'beside.ts');
    writeFileSync(
      entry,
      [
        "import { readFileSync } from 'node:fs';",
        "import { fileURLToPath } from 'node:url';",
        "export const handler = () => readFileSync(fileURLToPath(new URL('./beside.txt', import.meta.url)), 'utf8');",
      ].join('\n'),
    );
    const bundle = buildFunctionBundles(projectRoot, [entry], DEPLOYED_BUNDLE).bundles.get(entry)!;
    const assetDir = join(scratch, 'asset');
    writeFunctionBundle(bundle, assetDir);
    writeFileSync(join(assetDir, 'beside.txt'), 'found beside the bundle');

    expect(BUNDLE_FILE).toBe('index.cjs');
    const loaded = createRequire(import.meta.url)(join(assetDir, BUNDLE_FILE)) as { handler: () => string };
    expect(loaded.handler()).toBe('found beside the bundle');
  });

  it('is refused when a module reads import.meta otherwise', () => {
    const entry = join(scratch, 'dirname.ts');
    writeFileSync(entry, 'export const handler = () => import.meta.dirname;\n');
    expect(() => buildFunctionBundles(projectRoot, [entry], DEPLOYED_BUNDLE)).toThrow(/"import\.meta" is not available with the "cjs" output format/);
  });
});
