/**
 * The Lambda bundles are minified without `keepNames` (lib/cdk/function-bundle.ts): a class's name
 * in a bundle is whatever the minifier made of it. An error's name is what Lambda reports as the
 * errorType the state machines catch, what the journeys record of a failed step and what the logs
 * show, so every error class of functions/ states its own, and no code reads a class's name.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleOptions, DEPLOYED_BUNDLE } from '../../lib/cdk/function-bundle.ts';
import { PERMANENT_STEP_ERRORS } from '../../functions/core/journey-engine.ts';

const projectRoot = new URL('../../', import.meta.url).pathname;
const sources = readdirSync(join(projectRoot, 'functions'), { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(join(projectRoot, 'functions', name), 'utf8') }));

/** Every class of functions/ that extends Error, directly or through another such class: name -> body. */
function errorClasses(): Map<string, string> {
  const declared = new Map<string, { base: string; body: string }>();
  for (const { text } of sources) {
    for (const match of text.matchAll(/^(?:export )?class (\w+) extends (\w+) \{(?:\}|\n([\s\S]*?)^\})/gm)) declared.set(match[1]!, { base: match[2]!, body: match[3] ?? '' });
  }
  const errors = new Map<string, string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, { base, body }] of declared) {
      if (!errors.has(name) && (base === 'Error' || errors.has(base))) {
        errors.set(name, body);
        grew = true;
      }
    }
  }
  return errors;
}

describe('error names in the minified bundles', () => {
  it('are stated by every error class of functions/, and no code reads a class name', () => {
    const errors = errorClasses();
    expect(errors.size).toBeGreaterThan(30);
    for (const [name, body] of errors) expect(body, name).toMatch(new RegExp(`^  override readonly name: string = '${name}';$`, 'm'));
    for (const { name, text } of sources) expect(text, name).not.toMatch(/new\.target\.name|constructor\.name/);
  });

  it('reach Lambda as the state machines catch them, from a bundle built as deployed', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'comeback-error-names-'));
    try {
      const entry = join(scratch, 'entry.ts');
      writeFileSync(
        entry,
        [
          `import { InvalidInputError } from ${JSON.stringify(join(projectRoot, 'functions/core/errors.ts'))};`,
          `import { TemplateError, UnknownCustomerError } from ${JSON.stringify(join(projectRoot, 'functions/core/delivery/errors.ts'))};`,
          `import { StorefrontRefusedError } from ${JSON.stringify(join(projectRoot, 'functions/core/discounts/errors.ts'))};`,
          'export const names = [new InvalidInputError("m"), new TemplateError("m"), new UnknownCustomerError("c"), new StorefrontRefusedError("m", 403)].map((error) => error.name);',
        ].join('\n'),
      );
      buildSync({ ...bundleOptions(DEPLOYED_BUNDLE), absWorkingDir: projectRoot, entryPoints: [entry], outfile: join(scratch, BUNDLE_FILE), sourcemap: false, legalComments: 'none' });
      const bundle = readFileSync(join(scratch, BUNDLE_FILE), 'utf8');
      // The bundle is minified: the classes themselves lost their names.
      expect(bundle).not.toMatch(/class TemplateError\b/);
      // Loaded as the Lambda runtime loads a `.cjs` handler file.
      const { names } = createRequire(import.meta.url)(join(scratch, BUNDLE_FILE)) as { names: string[] };
      expect(names.sort()).toEqual([...PERMANENT_STEP_ERRORS].sort());
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
