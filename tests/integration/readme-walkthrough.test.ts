/**
 * The README, typed literally. Terminal 1 is the local host, started as `npm start` starts it, on a
 * new data directory whose virtual clock starts at a fixed instant. Terminal 2 is bash: every
 * command of the README's walkthrough blocks (a fenced block right after `<!-- walkthrough -->`)
 * is run exactly as written, block after block in README order, from a fresh directory inside the
 * clone, so relative file names are the user's; a block marked
 * `<!-- walkthrough: from the clone's root -->` runs from the clone's root. Lines starting with
 * `npm start` belong to terminal 1. Every command must exit 0 and answer what the README says.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signComebackPayload } from '../../functions/core/signature.ts';
import { devDefaults } from '../../lib/local/config.ts';
import { startHostProcess, type HostProcess } from '../support/host-process.ts';
import { terminalEnvironment } from '../support/terminal.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Midday in New York, the sample customer's time zone: no message waits for quiet hours to end. */
const clockStart = '2026-03-02T17:00:00Z';

interface Command {
  /** As written, continuation lines included. */
  text: string;
  line: number;
}

interface Block {
  line: number;
  fromRoot: boolean;
  commands: Command[];
}

function walkthroughBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const marker = /^<!-- walkthrough(: from the clone's root)? -->$/.exec(lines[index]!.trim());
    if (!marker) continue;
    if (lines[index + 1]?.trim() !== '```sh') throw new Error(`README line ${index + 1}: a walkthrough marker must stand right before a \`\`\`sh block`);
    const block: Block = { line: index + 3, fromRoot: marker[1] !== undefined, commands: [] };
    index += 2;
    for (; index < lines.length && lines[index]!.trim() !== '```'; index++) {
      const first = index;
      let text = lines[index]!;
      while (text.endsWith('\\') && index + 1 < lines.length) text += `\n${lines[++index]!}`;
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#') || /^npm start\b/.test(trimmed)) continue;
      block.commands.push({ text, line: first + 1 });
    }
    blocks.push(block);
  }
  return blocks;
}

interface Ran {
  command: Command;
  stdout: string;
}

/**
 * Runs a block's commands in one bash, as typed into one terminal (variables carry from line to
 * line), stopping at the first that fails; a marker before each command splits the output.
 */
async function runBlock(block: Block, cwd: string, env: NodeJS.ProcessEnv): Promise<{ ran: Ran[]; code: number | null; stderr: string }> {
  const marker = (index: number) => `@@walkthrough-command-${index}@@`;
  const script = ['set -eo pipefail', ...block.commands.flatMap((command, index) => [`printf '\\n%s\\n' '${marker(index)}'`, command.text])].join('\n');
  const child = spawn('bash', ['--noprofile', '--norc', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((exited) => child.once('close', exited));
  const parts = stdout.split(/\n@@walkthrough-command-\d+@@\n/);
  const ran = block.commands.slice(0, parts.length - 1).map((command, index) => ({ command, stdout: parts[index + 1] ?? '' }));
  return { ran, code, stderr };
}

/** The answer `npm run comeback -- <command>` prints: `HTTP <status>`, then the body. */
function answer(stdout: string): { status: number; body: Record<string, unknown> } {
  const printed = /^HTTP (\d{3})\n([\s\S]*)$/m.exec(stdout);
  if (!printed) throw new Error(`no HTTP answer in: ${stdout}`);
  return { status: Number(printed[1]), body: JSON.parse(printed[2]!) as Record<string, unknown> };
}

interface Context {
  cwd: string;
  orderFile: () => { raw: string; order: { orderId: string; placedAt: string; customer: { id: string } } };
}

/** What each command must answer, found by its text; every check must meet its command. */
const checks: { command: RegExp; check: (stdout: string, context: Context) => void }[] = [
  {
    command: /sample-purchase --customer cust-1001 /,
    check: (stdout) => expect(answer(stdout)).toMatchObject({ status: 202, body: { customerId: 'cust-1001', status: 'recorded' } }),
  },
  {
    command: /comeback -- customer cust-1001 /,
    check: (stdout) => expect(answer(stdout)).toMatchObject({ status: 200, body: { profile: { customerId: 'cust-1001', orderCount: 1, netRevenueMinor: 5497 } } }),
  },
  {
    command: /sample-purchase --print > order\.json/,
    check: (stdout, context) => {
      expect(stdout).toBe('');
      // Written where it was typed, placed at the local host's virtual now.
      expect(existsSync(join(context.cwd, 'order.json'))).toBe(true);
      expect(context.orderFile().order).toMatchObject({ placedAt: new Date(clockStart).toISOString(), customer: { id: 'cust-1001' } });
    },
  },
  {
    command: /sign --file order\.json/,
    check: (stdout, context) => {
      const signature = /^t=(\d+),v1=[0-9a-f]{64}$/m.exec(stdout);
      expect(signature).not.toBeNull();
      expect(signature![0]).toBe(signComebackPayload(devDefaults.COMEBACK_WEBHOOK_SECRET, context.orderFile().raw, Number(signature![1])));
    },
  },
  {
    command: /post --file order\.json/,
    check: (stdout, context) => expect(answer(stdout)).toMatchObject({ status: 202, body: { orderId: context.orderFile().order.orderId, status: 'recorded' } }),
  },
  {
    command: /comeback -- clock +#/,
    check: (stdout) => expect(answer(stdout)).toEqual({ status: 200, body: { now: new Date(clockStart).toISOString() } }),
  },
  {
    command: /comeback -- help$/,
    check: (stdout) => {
      expect(stdout).toContain('usage: npm run comeback -- <command>');
      expect(stdout).toContain('clock set <ISO 8601>');
    },
  },
  {
    command: /^curl /,
    // The order posted above: the same body again is a duplicate, and still a 202.
    check: (stdout, context) => expect(JSON.parse(stdout)).toEqual({ orderId: context.orderFile().order.orderId, customerId: 'cust-1001', status: 'duplicate' }),
  },
  {
    command: /sample-purchase --customer cust-7 /,
    check: (stdout) => expect(answer(stdout)).toMatchObject({ status: 202, body: { customerId: 'cust-7', status: 'recorded' } }),
  },
  {
    command: /clock advance --days (60|7) /,
    check: (stdout) => expect(answer(stdout).status).toBe(200),
  },
  {
    command: /outbox --customer cust-7 /,
    check: (stdout) => {
      const { status, body } = answer(stdout);
      expect(status).toBe(200);
      const items = body['items'] as { journey: string; channel: string; status: string }[];
      expect(items.filter((item) => item.journey === 'win-back' && item.status !== 'deferred').map((item) => `${item.channel}:${item.status}`)).toEqual(['email:sent', 'sms:sent', 'task:sent']);
    },
  },
  {
    command: /comeback -- tasks /,
    check: (stdout) => {
      const { status, body } = answer(stdout);
      expect(status).toBe(200);
      expect(body['items']).toContainEqual(expect.objectContaining({ customerId: 'cust-7', journey: 'win-back', status: 'open' }));
    },
  },
  {
    command: /model fit --csv "\$csv"/,
    check: (stdout) => {
      const fit = JSON.parse(stdout) as { bgnbd: Record<string, number>; gammaGamma: Record<string, number> };
      expect(fit.bgnbd['r']).toBeCloseTo(0.243, 3);
      expect(fit.bgnbd['alpha']).toBeCloseTo(4.414, 3);
      expect(fit.bgnbd['a']).toBeCloseTo(0.793, 3);
      expect(fit.bgnbd['b']).toBeCloseTo(2.426, 3);
      expect(fit.bgnbd['logLikelihood']).toBeCloseTo(-9582.4, 1);
      expect(fit.gammaGamma).toMatchObject({ customers: 946 });
      expect(fit.gammaGamma['p']).toBeCloseTo(6.25, 2);
      expect(fit.gammaGamma['q']).toBeCloseTo(3.74, 2);
      expect(fit.gammaGamma['gamma']).toBeCloseTo(15.44, 2);
    },
  },
];

/** Terminal 1: what `npm start` runs, with the README's defaults but its own port and data directory. */
function startHost(dataDir: string): Promise<HostProcess> {
  return startHostProcess({ COMEBACK_DATA_DIR: dataDir, COMEBACK_CLOCK_START: clockStart }, terminalEnvironment());
}

const blocks = walkthroughBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

describe('the README walkthrough, typed literally in a second terminal', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'comeback-readme-'));
  let host: HostProcess;
  let cwd: string;
  let terminal: NodeJS.ProcessEnv;
  const checked = new Set<RegExp>();

  beforeAll(async () => {
    // A directory of the clone that is not its root (git-ignored), standing in for wherever the user is.
    mkdirSync(join(root, '.comeback'), { recursive: true });
    cwd = mkdtempSync(join(root, '.comeback', 'walkthrough-'));
    host = await startHost(dataDir);
    terminal = { ...terminalEnvironment(), COMEBACK_URL: host.url };
  }, 90_000);

  afterAll(async () => {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('finds the walkthrough blocks', () => {
    expect(blocks.map((block) => block.commands.length)).toEqual([7, 4, 6, 3]);
    expect(blocks.map((block) => block.fromRoot)).toEqual([false, false, false, true]);
  });

  for (const block of blocks) {
    it(`runs the block at README line ${block.line} (${block.commands.length} commands) as written`, async () => {
      const directory = block.fromRoot ? root : cwd;
      const context: Context = {
        cwd: directory,
        orderFile: () => {
          const raw = readFileSync(join(cwd, 'order.json'), 'utf8');
          return { raw, order: JSON.parse(raw) as ReturnType<Context['orderFile']>['order'] };
        },
      };

      const { ran, code, stderr } = await runBlock(block, directory, terminal);

      const failed = ran.at(-1)?.command;
      expect(code, `README line ${failed?.line}: \`${failed?.text}\` exited with ${code}\n${ran.at(-1)?.stdout}\n${stderr}`).toBe(0);
      expect(ran).toHaveLength(block.commands.length);
      for (const { command, stdout } of ran) {
        for (const { command: pattern, check } of checks) {
          if (!pattern.test(command.text)) continue;
          checked.add(pattern);
          check(stdout, context);
        }
      }
    }, 240_000);
  }

  it('met every command it checks in the README', () => {
    expect(checks.filter(({ command }) => !checked.has(command)).map(({ command }) => String(command))).toEqual([]);
  });

  it('sets the virtual clock from the CLI: forward to any time; backward refused once something is recorded', async () => {
    const cli = (args: string) => runBlock({ line: 0, fromRoot: false, commands: [{ text: `npm run --silent comeback -- ${args}`, line: 0 }] }, cwd, terminal);
    const { now } = answer((await cli('clock')).ran[0]!.stdout).body as { now: string };
    const later = new Date(Date.parse(now) + 3_600_000).toISOString();

    const forward = await cli(`clock set ${later}`);
    const backward = await cli(`clock set ${clockStart}`);
    const missing = await cli('clock set');

    expect(forward.code).toBe(0);
    expect(answer(forward.ran[0]!.stdout)).toEqual({ status: 200, body: { now: later } });
    expect(backward.code).toBe(1);
    expect(answer(backward.ran[0]!.stdout).status).toBe(409);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('comeback: clock set needs one ISO 8601 time, like 2026-03-02T12:30:00Z\n');
  }, 60_000);
});
