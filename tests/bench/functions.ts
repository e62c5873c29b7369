/**
 * Benchmark of the Lambda bundles (not a test): every function the app deploys, bundled as the CDK
 * app bundles it (lib/cdk/function-bundle.ts, one esbuild run over all entries), with its minified
 * size, its source map's size, what dominates it (esbuild's metafile), and its cold import time:
 * the median of fresh Node.js processes importing the bundle with its deployed environment and,
 * as in Lambda, the runtime's AWS SDK and nothing else of node_modules beside it. The import of an
 * empty module, measured the same way in the same run, is the floor. The deployed choice is
 * compared with the alternatives it was chosen over (SDK bundled, source maps loaded at start).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Metafile } from 'esbuild';
import { createComebackStacks } from '../../lib/cdk/comeback-app.ts';
import { ComebackFunction, projectRoot, TEMPLATES_SOURCE } from '../../lib/cdk/comeback-function.ts';
import { BUNDLE_FILE, buildFunctionBundles, bundleFile, DEPLOYED_BUNDLE, writeFunctionBundle, type BundleChoice } from '../../lib/cdk/function-bundle.ts';
import { PRECOMPILED_TEMPLATES_FILE } from '../../functions/core/delivery/template-compiling.ts';
import { PHONE_METADATA_FILE } from '../../functions/core/bundled-phone-metadata.ts';
import { coldStartEnvironment, importBundle, linkRuntimeSdk } from '../support/deployed-functions.ts';

/** The issue's targets for every bundle. */
const TARGET_BYTES = 250 * 1000;
const TARGET_IMPORT_MS = 60;
const RUNS = Number(process.env['COMEBACK_BENCH_FUNCTION_RUNS'] ?? 5);

interface Deployed {
  readonly name: string;
  readonly fn: ComebackFunction;
  readonly environment: Record<string, unknown>;
}

/** Every function of the app, with its deployed environment, from a synthesis without bundling. */
function deployedFunctions(): Deployed[] {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'comeback-bench-synth-')), context: { 'aws:cdk:bundling-stacks': [] } });
  try {
    createComebackStacks(app, {
      journeys: { shopUrl: 'https://shop.example.com', supportContact: 'help@example.com' },
      delivery: { emailFrom: 'Example Shop <hello@example.com>', managerEmail: 'manager@example.com' },
    });
    const assembly = app.synth();
    return app.node
      .findAll()
      .filter((construct): construct is ComebackFunction => construct instanceof ComebackFunction)
      .map((fn) => {
        const stack = fn.function.stack;
        const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Properties: { Environment?: { Variables: Record<string, unknown> } } }> };
        const logicalId = stack.getLogicalId(fn.function.node.defaultChild as lambda.CfnFunction);
        return { name: fn.node.path.split('/').slice(1).join('/'), fn, environment: template.Resources[logicalId]?.Properties.Environment?.Variables ?? {} };
      });
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function timeImports(assetDir: string, environment: Record<string, string>): Promise<number> {
  const timings: number[] = [];
  for (let run = 0; run < RUNS; run += 1) timings.push(await importBundle(assetDir, environment));
  return median(timings);
}

/** The package (or project folder) an input of the metafile belongs to. */
function owner(input: string): string {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (modules) return modules[1]!;
  return input.split('/').slice(0, 2).join('/');
}

/** The three largest owners of an output, by bytes in the output. */
function dominating(metafile: Metafile, outputPath: string): string {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(outputPath))?.[1];
  if (!output) return '?';
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
  return [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)}`)
    .join(', ');
}

interface Variant {
  readonly label: string;
  readonly choice: BundleChoice;
  /** NODE_OPTIONS at start; undefined: as deployed. */
  readonly nodeOptions?: string;
}

interface Measured {
  readonly bytes: number;
  readonly mapBytes: number;
  /** The precompiled templates beside a sender's bundle, read at its first message, not at start. */
  readonly templatesBytes: number;
  /** The phone metadata beside a bundle that reads phone numbers, read at the first number, not at start. */
  readonly phoneMetadataBytes: number;
  readonly importMs: number;
  readonly dominating: string;
}

async function measure(work: string, functions: Deployed[], variant: Variant, report: (line: string) => void): Promise<Map<string, Measured>> {
  const started = performance.now();
  const { bundles, metafile } = buildFunctionBundles(
    projectRoot,
    [...new Set(functions.map(({ fn }) => fn.entry))],
    variant.choice,
  );
  report(`  ${variant.label}: one esbuild run over ${bundles.size} entries, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const measured = new Map<string, Measured>();
  for (const { name, fn, environment } of functions) {
    const bundle = bundles.get(fn.entry)!;
    const assetDir = join(work, variant.label.replace(/[^a-z0-9]+/gi, '-'), name.replace(/\//g, '-'));
    writeFunctionBundle(bundle, assetDir, fn.bundleCopies.map(([from, to]) => [join(projectRoot, from), to] as const));
    const env = coldStartEnvironment(environment, assetDir);
    if (variant.nodeOptions !== undefined) env['NODE_OPTIONS'] = variant.nodeOptions;
    const output = `${relative(projectRoot, fn.entry).replace(/\.[cm]?[jt]sx?$/, '').replace(/[^A-Za-z0-9_-]+/g, '_')}/${bundleFile(variant.choice)}`;
    measured.set(name, {
      bytes: bundle.files.get(bundleFile(variant.choice))!.byteLength,
      mapBytes: bundle.files.get(`${bundleFile(variant.choice)}.map`)?.byteLength ?? 0,
      // As deployed: only a function given the templates gets them precompiled (lib/cdk/comeback-function.ts).
      templatesBytes: fn.bundleCopies.some(([from]) => from === TEMPLATES_SOURCE) ? (bundle.files.get(PRECOMPILED_TEMPLATES_FILE)?.byteLength ?? 0) : 0,
      phoneMetadataBytes: bundle.files.get(PHONE_METADATA_FILE)?.byteLength ?? 0,
      importMs: await timeImports(assetDir, env),
      dominating: dominating(metafile, output),
    });
  }
  return measured;
}

export async function run(report: (line: string) => void): Promise<void> {
  const functions = deployedFunctions();
  const work = mkdtempSync(join(tmpdir(), 'comeback-bench-functions-'));
  try {
    // What the Lambda runtime provides beside the bundles: the AWS SDK v3, nothing else.
    linkRuntimeSdk(projectRoot, work);
    const empty = join(work, 'empty');
    writeFunctionBundle({ files: new Map([[BUNDLE_FILE, new TextEncoder().encode('exports.handler = () => undefined;\n')]]) }, empty);
    const floor = await timeImports(empty, coldStartEnvironment({}, empty));
    report(`${functions.length} functions; cold import of an empty module (the floor): ${floor.toFixed(1)} ms, median of ${RUNS} processes`);
    // Every function requires the runtime's DynamoDB client or document client (tests/infra checks
    // it): the load of both alone, measured the same way, is about the least a function can take.
    const sdkOnly = join(work, 'sdk-only');
    writeFunctionBundle({ files: new Map([[BUNDLE_FILE, new TextEncoder().encode("require('@aws-sdk/client-dynamodb');\nrequire('@aws-sdk/lib-dynamodb');\nexports.handler = () => undefined;\n")]]) }, sdkOnly);
    const sdkFloor = await timeImports(sdkOnly, coldStartEnvironment({}, sdkOnly));
    report(`  cold import of the runtime SDK's DynamoDB client and document client alone: ${sdkFloor.toFixed(1)} ms (${(sdkFloor / TARGET_IMPORT_MS).toFixed(2)} of the 60 ms target)`);

    const variants: Variant[] = [
      { label: 'deployed (CommonJS, runtime SDK, map not loaded)', choice: DEPLOYED_BUNDLE },
      { label: 'ES module, runtime SDK, map not loaded', choice: { ...DEPLOYED_BUNDLE, module: 'esm' } },
      { label: 'CommonJS, runtime SDK, --enable-source-maps', choice: DEPLOYED_BUNDLE, nodeOptions: '--enable-source-maps' },
      { label: 'CommonJS, SDK bundled, map not loaded', choice: { ...DEPLOYED_BUNDLE, sdk: 'bundled' }, nodeOptions: '' },
      { label: 'ES module, SDK bundled, --enable-source-maps (before)', choice: { sdk: 'bundled', sourceMap: true, module: 'esm' }, nodeOptions: '--enable-source-maps' },
    ];
    const results: Map<string, Measured>[] = [];
    for (const variant of variants) results.push(await measure(work, functions, variant, report));
    const [deployed, , , , before] = results;

    report('');
    report(
      `per function, as deployed, against the targets: under ${TARGET_BYTES / 1000} KB minified (${BUNDLE_FILE}), cold import under ${TARGET_IMPORT_MS} ms ` +
        `(floor ${floor.toFixed(1)} ms in this run); before: SDK bundled, map loaded`,
    );
    report(
      `  ${'function'.padEnd(34)} ${'KB'.padStart(5)} ${'/250'.padStart(5)} ${'map KB'.padStart(6)} ${'import ms'.padStart(9)} ${'/60'.padStart(5)} ${'-floor'.padStart(6)}  ${'before KB'.padStart(9)} ${'before ms'.padStart(9)}  largest inputs (KiB)`,
    );
    for (const { name } of functions) {
      const now = deployed!.get(name)!;
      const then = before!.get(name)!;
      const misses = [now.bytes >= TARGET_BYTES ? 'size' : '', now.importMs >= TARGET_IMPORT_MS ? 'import' : ''].filter(Boolean).join('+');
      report(
        `  ${name.padEnd(34)} ${(now.bytes / 1000).toFixed(0).padStart(5)} ${(now.bytes / TARGET_BYTES).toFixed(2).padStart(5)} ${(now.mapBytes / 1000).toFixed(0).padStart(6)} ` +
          `${now.importMs.toFixed(1).padStart(9)} ${(now.importMs / TARGET_IMPORT_MS).toFixed(2).padStart(5)} ${(now.importMs - floor).toFixed(1).padStart(6)}  ` +
          `${(then.bytes / 1000).toFixed(0).padStart(9)} ${then.importMs.toFixed(1).padStart(9)}  ${now.dominating}` +
          `${now.templatesBytes ? `; precompiled templates beside it ${(now.templatesBytes / 1000).toFixed(0)} KB` : ''}` +
          `${now.phoneMetadataBytes ? `; phone metadata beside it ${(now.phoneMetadataBytes / 1000).toFixed(0)} KB` : ''}${misses ? `  MISSES ${misses}` : ''}`,
      );
    }
    const all = [...deployed!.values()];
    report(
      `  within the size target: ${all.filter((measured) => measured.bytes < TARGET_BYTES).length} of ${all.length}; ` +
        `within the import target: ${all.filter((measured) => measured.importMs < TARGET_IMPORT_MS).length} of ${all.length} ` +
        `(${all.filter((measured) => measured.importMs - floor < TARGET_IMPORT_MS).length} counting only the time over the floor, ` +
        `${all.filter((measured) => measured.importMs - sdkFloor < TARGET_IMPORT_MS).length} counting only the time over the SDK's ${sdkFloor.toFixed(1)} ms)`,
    );
    report('');
    report('summary: size KB (min / median / max), cold import ms (median / max), over all functions');
    variants.forEach((variant, index) => {
      const all = [...results[index]!.values()];
      const sizes = all.map((measured) => measured.bytes / 1000).sort((a, b) => a - b);
      const imports = all.map((measured) => measured.importMs).sort((a, b) => a - b);
      report(
        `  ${variant.label.padEnd(54)} ${sizes[0]!.toFixed(0)} / ${median(sizes).toFixed(0)} / ${sizes.at(-1)!.toFixed(0)} KB, ` +
          `${median(imports).toFixed(1)} / ${imports.at(-1)!.toFixed(1)} ms`,
      );
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
