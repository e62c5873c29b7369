/**
 * vitest setup of the infra project: each test file synthesizes the CDK app (with its bundles, about
 * 24 MB) into temporary directories, which the CDK leaves behind (`cdk.out*` under the system's temp
 * directory, a couple of dozen a run). Here each file's temporary directories go under one of its
 * own, removed when the file ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const systemTemp = process.env['TMPDIR'];
const scratch = mkdtempSync(join(tmpdir(), 'comeback-infra-'));
// os.tmpdir() reads TMPDIR at each call: the CDK's (and esbuild's) temporary directories land here.
process.env['TMPDIR'] = scratch;

afterAll(() => {
  if (systemTemp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = systemTemp;
  rmSync(scratch, { recursive: true, force: true });
});
