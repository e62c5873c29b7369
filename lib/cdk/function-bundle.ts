/**
 * The Lambda bundles: one esbuild build over every handler module, whose outputs become the
 * functions' assets (`Code.fromAsset` with a local bundling step), and which the bench builds the
 * same way (tests/bench/functions.ts). One build parses the shared modules (the core, the adapters,
 * middy, zod, Powertools) once for all entries instead of once per function.
 *
 * What the options are, and why, as measured by `npm run bench -- functions` (README, "Tests and
 * benchmark"; 40 functions, on a two-core machine under heavy load, so the import times are high
 * throughout, the empty module's floor 314 ms, but measured side by side):
 * - The AWS SDK v3 (`@aws-sdk/*`, `@smithy/*`) is the Lambda runtime's, not bundled: bundles went
 *   from 903-1,390 KiB (median 1,071) to 569-881 KiB (median 703). The price is the runtime's SDK
 *   version instead of package-lock.json's; Comeback only calls long-standing commands of DynamoDB,
 *   S3, SES v2, Step Functions, SNS and Secrets Manager.
 * - The source map ships beside the bundle and is not loaded at start (no `--enable-source-maps`):
 *   loading it made the median cold import 4,927 ms instead of 2,636 ms with the runtime's SDK, and
 *   5,607 ms instead of 4,271 ms with the SDK bundled (before: SDK bundled, map loaded, 5,607 ms).
 *   Stack traces in the logs point into the bundle; the shipped map beside it translates them.
 *   A later run, after the removals below and under lighter load (floor 49 ms, 3 processes each),
 *   gave the runtime's SDK a median cold import of 378 ms and the bundled SDK 270 ms (map loaded:
 *   247 ms): loading the SDK's hundreds of files from node_modules now costs more than parsing it
 *   bundled, which would make the bundles 500-1,019 KB; neither meets the 60 ms target here.
 * - What each bundle carried that its handler never used, by esbuild's metafile (the bench prints
 *   the largest inputs of each): zod's whole API with every locale and the JSON Schema conversions
 *   (443-447 KiB: `import { z } from 'zod'` is a namespace object esbuild keeps whole; imported as
 *   `import * as z` it is 91-104 KiB, and a lint rule keeps it so), libphonenumber-js's metadata
 *   (81 KiB) in every bundle through functions/config.ts (now only where phone numbers are parsed),
 *   the sketches library (29 KiB, CommonJS, never tree-shaken) through a two-line helper, and
 *   source-map (26 KiB) under Handlebars (ABSENT_MODULES). Bundles went from 569-954 KiB to
 *   157-511 KB (median 310 KB); zod-to-openapi and the OpenAPI document were never in them.
 * - Later removals: the senders' message templates are precompiled at bundle time
 *   (./precompile-templates.ts, a file beside the bundle read at the first message), so they carry
 *   Handlebars's runtime, 17 KiB of Handlebars instead of 81; the sketches library (29 KiB) no
 *   longer comes with the analytics store and the segment views, only with the recompute. With `keepNames`
 *   (+5 %, for the error names the state machines catch) the 45 bundles went from 157-511 KB
 *   (median 310, 16 under 250 KB) to 169-424 KB (median 249, 24 under 250 KB).
 * - Then, by the metafile of each bundle: the journey and loyalty functions that do not send took
 *   the delivery code (Handlebars's runtime, the senders, the message texts) through the shared
 *   port modules, now split (journey-sending-ports.ts, loyalty-sweep-ports.ts); only the loyalty view
 *   takes the storefronts' discount clients for referral codes (loyalty-view-ports.ts); the customer
 *   route took the models and @stdlib's special functions for one sentence (prediction-availability.ts);
 *   the configuration schemas a handler never reads are pure-annotated (functions/config.ts); the
 *   license notices go beside the bundle (`legalComments`: 42 KB of the nightly recompute, @stdlib's
 *   one per file) and text outside ASCII is UTF-8 (`charset`: 12 KB of each page). The 45 bundles
 *   went from 169-424 KB (median 249, 24 under 250 KB) to 163-411 KB (median 219, 33 under 250 KB).
 *   Cold import, as the bench measures it on a shared two-core machine, stays far above the 60 ms
 *   target with the runtime's SDK: in one quiet run, median 208 ms (max 322) against an empty module's
 *   7 ms (300 / 474 against 9 before zod/mini); with the SDK bundled, 141 / 230 ms in 462-878 KB.
 * - Every schema a handler reaches is `zod/mini` (functions/core/zod.ts, with zod's English messages
 *   configured): zod's classic API was 95-110 KiB of every bundle, zod is now 35-47 KiB. The 45
 *   bundles went from 163-412 KB (median 219, 33 under 250 KB) to 98-345 KB (median 152, 39 under
 *   250 KB); the OpenAPI document, built from the same schemas (lib/openapi.ts), is unchanged.
 * - The journey sweep (252 KB) went under when the discount issuer became the journey step's alone
 *   (231 KB): 40 of 45 were under 250 KB. Above it were libphonenumber-js where phone numbers are
 *   read (123 KiB in the webhooks, the imports, the sync and the customer search) and the nightly
 *   recompute's models and sketches.
 * - Then libphonenumber-js's `min` metadata (80 KiB, the package's default: fewer countries would
 *   change what is accepted) went beside the bundle as PHONE_METADATA_FILE, read at the first phone
 *   number (functions/core/bundled-phone-metadata.ts), and the bundles carry the library's core
 *   functions (42 KiB); and the admin routes behind the JWT authorizer stopped carrying the token
 *   verification (jose, 20 KiB) that only the two routes the storefront signs as well run. The 45
 *   bundles went from 98-345 KB (median 152, 40 under 250 KB) to 83-284 KB (median 136, 44 under).
 *   Left above 250 KB: the nightly recompute (284 KB: its models, its analytics and the sketches), a
 *   job that starts once a night.
 * - Then: no `keepNames` (every error class of functions/ states its name), the sketches' protobuf
 *   definitions never loaded (NEVER_LOADED_MODULES), @stdlib's define-property the built-in's
 *   (REPLACED_MODULES), and the journeys' membership check reads the loyalty account without the
 *   loyalty store (functions/adapters/loyalty-accounts.ts). The recompute went from 285.5 KB to
 *   243.0 KB (keepNames 14 KB, the protobuf definitions 11, define-property 7, the loyalty store and
 *   p-retry 11), the 45 bundles from 83-284 KB (median 136) to 78-243 KB (median 128): all under 250 KB.
 * - Then the bundles became CommonJS (index.cjs, DEPLOYED_BUNDLE's `module`). In one run of the bench,
 *   side by side: median cold import 162.6 ms (max 284.9) against 243.8 ms (max 385.2) as ES modules,
 *   the same sizes; the runtime SDK's DynamoDB clients alone, required, 119.5 ms; an empty module 5.9 ms.
 *   With the SDK bundled (CommonJS), 121.5 / 222.7 ms, in bundles of 432-731 KB.
 * - On a faster two-core machine (an empty module 2.7 ms): the SDK's DynamoDB clients alone 51.3 ms,
 *   the deployed bundles 89.2 / 124.0 ms, the SDK bundled 64.8 / 109.7 ms in 436-732 KB. Bundled, the
 *   SDK code loaded at start is 244-259 KB by itself, beside 101-136 KB of the function's own (three
 *   bundles measured by their metafile; the credential providers loaded only without credentials in
 *   the environment are another 91 KB), so bundling it cannot meet the 250 KB target, and the
 *   runtime's SDK alone takes 0.85 of the 60 ms one.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { PRECOMPILED_TEMPLATES_FILE } from '../../functions/core/delivery/template-compiling.ts';
import { PHONE_METADATA_FILE } from '../../functions/core/bundled-phone-metadata.ts';
import { PRECOMPILED_TEMPLATE_COMPILER, TEMPLATES_SOURCE, precompiledTemplates } from './precompile-templates.ts';

/**
 * Modules left out of every bundle. @datadog/sketches-js (the value distributions of the nightly
 * recompute) requires its protobuf definitions (`./proto/compiled`, 11 KB minified) and through
 * them protobufjs only inside toProto/fromProto, to serialize a sketch, and does not declare
 * protobufjs as a dependency; Comeback never serializes sketches, so those requires never run.
 */
export const NEVER_LOADED_MODULES: readonly string[] = ['protobufjs/minimal', '*/proto/compiled'];

/**
 * Modules replaced by an empty module (lib/cdk/absent-module.cjs) in every bundle. Handlebars's
 * code generator requires source-map (26 KiB) inside a try, only to offer source maps of compiled
 * templates, which Comeback never asks for; without it Handlebars uses its own minimal SourceNode,
 * as in browsers.
 */
export const ABSENT_MODULES: readonly string[] = ['source-map'];
const ABSENT_MODULE = './lib/cdk/absent-module.cjs';

/**
 * Modules replaced by one of their own files in every bundle. @stdlib's define-property picks the
 * built-in Object.defineProperty when the engine has it (Node.js always does) and otherwise its
 * polyfill, which carries @stdlib's message formatting: 7 KB of the nightly recompute's bundle for a
 * branch that never runs on Lambda.
 */
export const REPLACED_MODULES: Readonly<Record<string, string>> = { '@stdlib/utils-define-property': '@stdlib/utils-define-property/lib/builtin.js' };

/**
 * The package.json `imports` condition of the Lambda bundles: `#core/delivery/template-compiler.ts`
 * resolves to the compiler of precompiled templates (./precompile-templates.ts), and
 * `#core/phone-metadata.ts` to the phone metadata read from a file beside index.cjs. `module` is
 * esbuild's default condition, which any condition given replaces.
 */
export const BUNDLE_CONDITIONS: readonly string[] = ['comeback-lambda', 'module'];

/** The AWS SDK v3 as the Lambda Node.js runtime provides it (in /var/runtime/node_modules). */
export const RUNTIME_SDK_MODULES: readonly string[] = ['@aws-sdk/*', '@smithy/*'];

/** How a bundle is built; the deployed choice is `DEPLOYED_BUNDLE`, the others are measured against it. */
export interface BundleChoice {
  /** `runtime`: the SDK is left to the Lambda runtime; `bundled`: it is in the bundle. */
  readonly sdk: 'runtime' | 'bundled';
  /** Whether the source map is written beside the bundle. */
  readonly sourceMap: boolean;
  /** `commonjs`: index.cjs, which Lambda loads with `require`; `esm`: index.mjs, loaded with `import()`. */
  readonly module: 'commonjs' | 'esm';
}

/**
 * CommonJS: as an ES module (index.mjs, before), every import of the runtime's SDK, itself CommonJS,
 * went through Node.js's CommonJS export detection, and every import of a Node.js module through its
 * ES module facade, which reads each of the module's exports, lazy ones included (alone, `node:crypto`
 * took 5-9 ms imported against under 1.5 ms required, `node:http` 47-66 ms, as it loads undici).
 * Measured side by side on 9 of the functions (`npm run bench -- functions` measures all of them
 * both ways): median cold import 233 ms as ES modules, 178 ms as CommonJS, and 176 ms as ES modules
 * that require the SDK and Node.js's modules instead (which takes an esbuild plugin, and plugins
 * need an asynchronous build, which the CDK's local bundling cannot wait for).
 */
export const DEPLOYED_BUNDLE: BundleChoice = { sdk: 'runtime', sourceMap: true, module: 'commonjs' };

/** The bundle's file name: the Lambda handler `index.handler` finds either. */
export function bundleFile(choice: BundleChoice): 'index.cjs' | 'index.mjs' {
  return choice.module === 'commonjs' ? 'index.cjs' : 'index.mjs';
}

/** The deployed bundle's file name. */
export const BUNDLE_FILE = bundleFile(DEPLOYED_BUNDLE);

/**
 * The bundle's own URL, for the modules that find files beside them through `import.meta.url` (the
 * precompiled templates, the phone metadata, the rules file): esbuild leaves `import.meta` empty in
 * CommonJS output, so `import.meta.url` is defined as this variable.
 */
export const MODULE_URL_BANNER = "var comebackModuleUrl = require('node:url').pathToFileURL(__filename).href;";

/** Lets bundled CommonJS dependencies call `require` inside an ES module bundle. */
const ESM_REQUIRE_BANNER = "import { createRequire as comebackCreateRequire } from 'node:module'; const require = comebackCreateRequire(import.meta.url);";

/** The esbuild options every bundle is built with, for entry points given by the caller. */
export function bundleOptions(choice: BundleChoice): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: choice.module === 'commonjs' ? 'cjs' : 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    conditions: [...BUNDLE_CONDITIONS],
    ...(choice.module === 'commonjs'
      ? {
          banner: { js: MODULE_URL_BANNER },
          define: { 'import.meta.url': 'comebackModuleUrl' },
          // Any other use of import.meta (`import.meta.dirname`) would be empty in CommonJS: the build fails instead.
          logOverride: { 'empty-import-meta': 'error' },
        }
      : { banner: { js: ESM_REQUIRE_BANNER } }),
    minify: true,
    // No `keepNames`: every error class of functions/ states its name (`override readonly name`),
    // which Lambda reports as the errorType the state machines catch, and no code of Comeback reads a
    // function's or class's name (tests/unit/error-names.test.ts). Of the bundled libraries, jose's
    // errors take their names from their classes, minified here: Comeback matches them by instanceof
    // and reports their `code`. keepNames cost 5 % of the median bundle and 14 KB of the recompute's.
    sourcemap: choice.sourceMap ? 'linked' : false,
    sourcesContent: false,
    // The bundled packages' license notices go to index.cjs.LEGAL.txt beside the bundle, named by a
    // comment at its end, not into it: they were 42 KB of the nightly recompute's 398 (the @stdlib
    // special functions carry one per file).
    legalComments: 'linked',
    // Text outside ASCII as it is (UTF-8, which Node.js reads a module in) rather than \u escapes:
    // the pages' and messages' texts in every language shrink by a third (12 KB of each page's bundle).
    charset: 'utf8',
    outExtension: { '.js': choice.module === 'commonjs' ? '.cjs' : '.mjs' },
    external: [...NEVER_LOADED_MODULES, ...(choice.sdk === 'runtime' ? RUNTIME_SDK_MODULES : [])],
    alias: { ...Object.fromEntries(ABSENT_MODULES.map((name) => [name, ABSENT_MODULE])), ...REPLACED_MODULES },
    logLevel: 'silent',
  };
}

/**
 * A built bundle: index.cjs, with a source map index.cjs.map, where the handler renders messages
 * the precompiled templates (PRECOMPILED_TEMPLATES_FILE), and where it reads phone numbers their
 * metadata (PHONE_METADATA_FILE).
 */
export interface FunctionBundle {
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface FunctionBundles {
  /** By entry module (absolute path). */
  readonly bundles: ReadonlyMap<string, FunctionBundle>;
  readonly metafile: Metafile;
}

/** The name of an entry's output directory: unique per entry module, readable in the metafile. */
function outputName(projectRoot: string, entry: string): string {
  return relative(projectRoot, entry).replace(/\.[cm]?[jt]sx?$/, '').replace(/[^A-Za-z0-9_-]+/g, '_');
}

/**
 * Builds every entry module in one esbuild run, in memory. Each entry's output is what a build of
 * that entry alone gives: without code splitting, entries share nothing but the parse.
 */
export function buildFunctionBundles(projectRoot: string, entries: readonly string[], choice: BundleChoice): FunctionBundles {
  const names = new Map(entries.map((entry) => [entry, outputName(projectRoot, entry)]));
  const file = bundleFile(choice);
  // Nothing is written: the directory only places the outputs for the map's relative source paths.
  const outdir = join(projectRoot, '.bundles');
  const result = buildSync({
    ...bundleOptions(choice),
    absWorkingDir: projectRoot,
    entryPoints: Object.fromEntries([...names].map(([entry, name]) => [`${name}/index`, entry])),
    outdir,
    write: false,
    metafile: true,
  });
  const byDirectory = new Map<string, Map<string, Uint8Array>>();
  for (const file of result.outputFiles) {
    const directory = relative(outdir, dirname(file.path));
    const files = byDirectory.get(directory) ?? new Map<string, Uint8Array>();
    files.set(basename(file.path), file.contents);
    byDirectory.set(directory, files);
  }
  // The templates are precompiled once for every bundle that renders them.
  let templates: Uint8Array | undefined;
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (!path.endsWith(`/${file}`) || !(PRECOMPILED_TEMPLATE_COMPILER in output.inputs)) continue;
    templates ??= new TextEncoder().encode(precompiledTemplates(join(projectRoot, TEMPLATES_SOURCE)));
    byDirectory.get(relative(outdir, dirname(join(projectRoot, path))))?.set(PRECOMPILED_TEMPLATES_FILE, templates);
  }
  // The phone metadata goes beside every bundle that reads phone numbers, as it is in the package.
  // Such a bundle names the file; one whose handler reads no number may still list the module
  // among its inputs (esbuild keeps an empty wrapper of it), but its code is gone.
  let phoneMetadata: Uint8Array | undefined;
  for (const files of byDirectory.values()) {
    const bundle = files.get(file);
    if (!bundle || !new TextDecoder().decode(bundle).includes(PHONE_METADATA_FILE)) continue;
    phoneMetadata ??= readFileSync(createRequire(import.meta.url).resolve('libphonenumber-js/metadata.min.json'));
    files.set(PHONE_METADATA_FILE, phoneMetadata);
  }
  const bundles = new Map([...names].map(([entry, name]) => [entry, { files: byDirectory.get(name) ?? new Map<string, Uint8Array>() }]));
  for (const [entry, bundle] of bundles) if (!bundle.files.has(file)) throw new Error(`esbuild gave no ${file} for ${entry}`);
  return { bundles, metafile: result.metafile };
}

/** Writes a bundle into a function's asset directory, with the project files it carries copied beside it. */
export function writeFunctionBundle(bundle: FunctionBundle, outputDir: string, copies: readonly (readonly [from: string, to: string])[] = []): void {
  mkdirSync(outputDir, { recursive: true });
  for (const [name, contents] of bundle.files) writeFileSync(join(outputDir, name), contents);
  for (const [from, to] of copies) cpSync(from, join(outputDir, to), { recursive: true });
}

/**
 * The bundles of one app, built on the first function's request: that build takes every module of
 * the entry's directory (functions/handlers), so the other functions find theirs already built.
 * An entry elsewhere is built with its own directory on its first request.
 */
export class FunctionBundler {
  private readonly builds = new Map<string, FunctionBundles>();
  private readonly projectRoot: string;
  private readonly choice: BundleChoice;

  public constructor(projectRoot: string, choice: BundleChoice = DEPLOYED_BUNDLE) {
    this.projectRoot = projectRoot;
    this.choice = choice;
  }

  public bundle(entry: string): FunctionBundle {
    const directory = dirname(entry);
    let built = this.builds.get(directory);
    if (!built?.bundles.has(entry)) {
      const siblings = readdirSync(directory)
        .filter((name) => /\.[cm]?tsx?$/.test(name) && !/\.d\.[cm]?ts$/.test(name) && !/\.test\./.test(name))
        .map((name) => join(directory, name));
      try {
        built = buildFunctionBundles(this.projectRoot, [...new Set([...siblings, entry])], this.choice);
      } catch {
        // A module of the directory that no function deploys may not build (a handler half way
        // through a change): the entry is then built alone, and its own errors are the ones reported.
        return buildFunctionBundles(this.projectRoot, [entry], this.choice).bundles.get(entry)!;
      }
      this.builds.set(directory, built);
    }
    return built.bundles.get(entry)!;
  }
}
