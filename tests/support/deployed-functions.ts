/**
 * What the infra test and the functions bench need to load a Lambda bundle as Lambda would: the
 * deployed environment with its CloudFormation references filled in by sample values, and the
 * AWS SDK v3 as the Node.js runtime provides it, and nothing else of the project's node_modules.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** Where Lambda unpacks a bundle; deployed paths under it are read from the bundle's directory instead. */
const LAMBDA_TASK_ROOT = '/var/task/';
export const SAMPLE_REGION = 'eu-west-1';
export const SAMPLE_ACCOUNT = '123456789012';

/**
 * A deployed environment variable with its CloudFormation references filled in: pseudo parameters
 * by sample values, a resource by an ARN in an `_ARN` variable and by its lower-cased logical id
 * elsewhere (a name, a host), and a path in the bundle by the same path in `assetDir`.
 */
export function sampleValue(variable: string, value: unknown, assetDir: string): string {
  const pseudo: Record<string, string> = { 'AWS::Region': SAMPLE_REGION, 'AWS::AccountId': SAMPLE_ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
  const render = (node: unknown, asArn: boolean): string => {
    if (typeof node === 'string') return node;
    if (typeof node !== 'object' || node === null) return String(node);
    const intrinsic = node as Record<string, unknown>;
    const resource = (id: string) => (pseudo[id] ?? (asArn ? `arn:aws:comeback:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:${id}` : id.toLowerCase()));
    if (typeof intrinsic.Ref === 'string') return resource(intrinsic.Ref);
    if (Array.isArray(intrinsic['Fn::GetAtt'])) return resource(String((intrinsic['Fn::GetAtt'] as unknown[])[0]));
    // A reference to the data stack (weak cross-stack references read its published outputs).
    const output = intrinsic['Fn::GetStackOutput'] as { OutputName?: unknown } | undefined;
    if (output !== undefined) return resource(String(output.OutputName));
    if (intrinsic['Fn::ImportValue'] !== undefined) return resource(JSON.stringify(intrinsic['Fn::ImportValue']).replace(/[^A-Za-z0-9]/g, ''));
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [delimiter, items] = intrinsic['Fn::Join'] as [string, unknown[]];
      return items.map((item) => render(item, false)).join(delimiter);
    }
    throw new Error(`${variable}: no sample for ${JSON.stringify(node)}`);
  };
  const rendered = render(value, variable.endsWith('_ARN'));
  return rendered.startsWith(LAMBDA_TASK_ROOT) ? join(assetDir, rendered.slice(LAMBDA_TASK_ROOT.length)) : rendered;
}

/**
 * The process environment of a cold start: the deployed variables filled in, what Lambda sets
 * (region, credentials; no instance metadata to ask), and the loggers silenced.
 */
export function coldStartEnvironment(deployed: Record<string, unknown>, assetDir: string): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(deployed).map(([name, value]) => [name, sampleValue(name, value, assetDir)])),
    AWS_REGION: SAMPLE_REGION,
    AWS_ACCESS_KEY_ID: 'AKIDSAMPLE',
    AWS_SECRET_ACCESS_KEY: 'sample',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

/**
 * Makes `directory/node_modules` hold what the Lambda Node.js runtime provides besides Node.js:
 * the AWS SDK v3 (`@aws-sdk/*`, `@smithy/*`), linked from the project's node_modules. A bundle in
 * a directory below finds those and nothing else, as in Lambda.
 */
export function linkRuntimeSdk(projectRoot: string, directory: string): void {
  for (const scope of ['@aws-sdk', '@smithy']) {
    const target = join(directory, 'node_modules', scope);
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(join(projectRoot, 'node_modules', scope))) {
      symlinkSync(join(projectRoot, 'node_modules', scope, name), join(target, name), 'dir');
    }
  }
}

const execFileAsync = promisify(execFile);

/**
 * Loads the bundle of `assetDir` in a fresh Node.js process with `environment` only, as the Lambda
 * runtime loads a handler file: index.cjs with `require`, index.mjs (a bundle built as an ES module,
 * which the functions bench measures against) with `import()`. Checks it exports a handler, and
 * answers how long the load took (ms, measured inside the process).
 */
export async function importBundle(assetDir: string, environment: Record<string, string>, node: string = process.execPath): Promise<number> {
  const commonJs = existsSync(join(assetDir, 'index.cjs'));
  const load = commonJs ? `require(${JSON.stringify(join(assetDir, 'index.cjs'))})` : `await import(${JSON.stringify(pathToFileURL(join(assetDir, 'index.mjs')).href)})`;
  const script =
    'const started = performance.now(); ' +
    `const loaded = ${load}; ` +
    "if (typeof loaded.handler !== 'function') throw new Error('no handler export'); " +
    'process.stdout.write(String(performance.now() - started));';
  try {
    const { stdout } = await execFileAsync(node, [`--input-type=${commonJs ? 'commonjs' : 'module'}`, '--eval', script], { cwd: assetDir, env: environment, timeout: 30_000 });
    return Number(stdout);
  } catch (error) {
    // The error's name and message, not the minified line of the bundle Node.js prints above them.
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const lines = stderr.split('\n').filter((line) => line.length < 500 && !/^\s*at /.test(line) && /error/i.test(line));
    throw new Error(lines.slice(0, 6).join(' | ') || (error as Error).message.slice(0, 500), { cause: error });
  }
}
