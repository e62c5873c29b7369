/**
 * The Comeback CLI: `npm run comeback -- <command>`. Errors are one line on stderr and exit code 1.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfig, splitSecrets } from '../functions/config.ts';
import { signComebackPayload } from '../functions/core/signature.ts';
import { cliEnv, userDirectory } from '../lib/local/config.ts';
import { fetchCustomer, getJson, postJson, postSigned, postSignedPurchase, type Answer } from '../lib/local/client.ts';
import { samplePurchase } from '../lib/local/sample.ts';
import { renderReport, type StoreRules } from '../lib/cli/report.ts';
import type { MetricsSnapshot } from '../functions/core/analytics/metrics.ts';

const usage = `usage: npm run comeback -- <command>
  sign [--file <json>]                        print the Comeback-Signature header value for a body (stdin when no file)
  sample-purchase [--customer <id>] [--order <id>] [--print]
                                              post a signed sample purchase to the running local host
                                              (--print: only print its JSON body, e.g. > order.json)
  post --file <json> [--path /v1/purchases]   post a signed JSON body
  customer <id>                               show a customer's profile and orders
  clock                                       the local host's virtual time
  clock advance [--days n] [--hours n] [--minutes n]
                                              move the virtual clock; returns once everything due has run
  clock set <ISO 8601>                        set the virtual clock: forward any time, backward only before
                                              anything is recorded
  outbox [--customer <id>]                    messages and tasks the local host sent (or deferred, capped, suppressed)
  preview <message> --customer <id> [--locale uk] [--out <dir>]
                                              render a message for a customer into HTML and text files; prints their paths
  tasks [--status open|done]                  managers' tasks
  journey <name>                              who is inside a journey (post-purchase, win-back, loyalty-invite)
  job run <name>                              run a scheduled job now on the local host (journey-sweep, nightly-recompute)
  report                                      the latest daily metrics drawn: segments, cohorts, journey uplift
  model fit --csv <file> --calibration-end <YYYY-MM-DD> --unit week|day
                                              fit BG/NBD and Gamma-Gamma models on a transactions CSV
  import --format <format> --file <path> [--currency USD] [--timezone UTC]
                                              import past orders (comeback-csv, shopify-csv, woocommerce-csv, cdnow):
                                              recorded once each, no journey started, nothing sent; prints one JSON line
  backtest --journey win-back --from <date> --to <date> --format <format> --file <path> [--assume-consent] [--uplift <share>]
                                              replay a history file (an import format) with the journey's real entry rule and
                                              guardrails, sending nothing: entrants, messages and cost per step, who bought anyway,
                                              expected extra orders and revenue at the holdout's uplift
  sync shopify|woocommerce --since <date>     have Comeback read the store's orders created or changed since the date
                                              through the platform's API, recorded as their webhooks would be
                                              (duplicates change nothing); prints one JSON line
  cost --customers <n> [--orders-per-year <x>] [--sms-share <0..1>] [--prices <json>]
                                              the monthly AWS bill by service at n customers, from the usage per
                                              customer-year \`npm run bench -- transitions\` measured (no host needed)
relative paths are read from the directory the command is typed in
environment: COMEBACK_URL, COMEBACK_WEBHOOK_SECRET, COMEBACK_ADMIN_TOKEN (dev defaults match npm start)`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const env = readConfig(cliEnv);
  // npm runs the script in the package root; files named on the command line are the user's.
  process.chdir(userDirectory(env));
  const secret = splitSecrets(env.COMEBACK_WEBHOOK_SECRET)[0] ?? '';
  switch (command) {
    case 'sign': {
      const { values } = parseArgs({ args: rest, options: { file: { type: 'string' } } });
      const body = values.file ? readFileSync(values.file, 'utf8') : readFileSync(0, 'utf8');
      process.stdout.write(`${signComebackPayload(secret, body, Math.floor(Date.now() / 1000))}\n`);
      return;
    }
    case 'sample-purchase': {
      const { values } = parseArgs({ args: rest, options: { customer: { type: 'string' }, order: { type: 'string' }, print: { type: 'boolean', default: false } } });
      // Placed at the local host's virtual "now", so journeys see it in time order after the clock moved;
      // a body only printed needs no running host.
      const placedAt = values.print ? await virtualNow(env.COMEBACK_URL).catch(() => new Date()) : await virtualNow(env.COMEBACK_URL);
      const purchase = samplePurchase({ placedAt, ...(values.customer ? { customerId: values.customer } : {}), ...(values.order ? { orderId: values.order } : {}) });
      if (values.print) {
        process.stdout.write(`${JSON.stringify(purchase, null, 2)}\n`);
        return;
      }
      return print(await postSignedPurchase(env.COMEBACK_URL, secret, purchase));
    }
    case 'post': {
      const { values } = parseArgs({ args: rest, options: { file: { type: 'string' }, path: { type: 'string', default: '/v1/purchases' } } });
      if (!values.file) throw new UsageError('post needs --file <json>');
      return print(await postSigned(env.COMEBACK_URL, values.path, secret, readFileSync(values.file, 'utf8')));
    }
    case 'customer': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true });
      if (!positionals[0]) throw new UsageError('customer needs an id: npm run comeback -- customer <id>');
      return print(await fetchCustomer(env.COMEBACK_URL, env.COMEBACK_ADMIN_TOKEN, positionals[0]));
    }
    case 'clock': {
      if (rest[0] === undefined) return print(await getJson(env.COMEBACK_URL, '/_local/clock'));
      if (rest[0] === 'set') {
        const { positionals } = parseArgs({ args: rest.slice(1), allowPositionals: true });
        if (positionals.length !== 1) throw new UsageError('clock set needs one ISO 8601 time, like 2026-03-02T12:30:00Z');
        return print(await postJson(env.COMEBACK_URL, '/_local/clock/set', { now: positionals[0] }));
      }
      if (rest[0] !== 'advance') throw new UsageError('clock takes no argument, or: clock advance --days <n>, or: clock set <ISO 8601>');
      const { values } = parseArgs({ args: rest.slice(1), options: { days: { type: 'string' }, hours: { type: 'string' }, minutes: { type: 'string' } } });
      const by = Object.fromEntries(Object.entries(values).map(([unit, value]) => [unit, wholeNumber(unit, value)]));
      return print(await postJson(env.COMEBACK_URL, '/_local/clock/advance', by));
    }
    case 'outbox': {
      const { values } = parseArgs({ args: rest, options: { customer: { type: 'string' } } });
      return print(await getJson(env.COMEBACK_URL, `/_local/outbox${values.customer ? `?customerId=${encodeURIComponent(values.customer)}` : ''}`));
    }
    case 'tasks': {
      const { values } = parseArgs({ args: rest, options: { status: { type: 'string', default: 'open' } } });
      return print(await getJson(env.COMEBACK_URL, `/v1/tasks?status=${encodeURIComponent(values.status)}`, env.COMEBACK_ADMIN_TOKEN));
    }
    case 'journey': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true });
      if (!positionals[0]) throw new UsageError('journey needs a name: post-purchase, win-back or loyalty-invite');
      return print(await getJson(env.COMEBACK_URL, `/v1/journeys/${encodeURIComponent(positionals[0])}/customers`, env.COMEBACK_ADMIN_TOKEN));
    }
    case 'job': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true });
      if (positionals[0] !== 'run' || !positionals[1]) throw new UsageError('job run <name>: journey-sweep or nightly-recompute');
      return print(await postJson(env.COMEBACK_URL, `/_local/jobs/${encodeURIComponent(positionals[1])}/run`, {}));
    }
    case 'report': {
      const today = (await virtualNow(env.COMEBACK_URL)).toISOString().slice(0, 10);
      const from = new Date(Date.parse(today) - 30 * 86_400_000).toISOString().slice(0, 10);
      const answer = await getJson(env.COMEBACK_URL, `/v1/metrics?from=${from}&to=${today}`, env.COMEBACK_ADMIN_TOKEN);
      if (answer.status !== 200) return print(answer);
      const days = (answer.body as { days: MetricsSnapshot[] }).days;
      const latest = days.at(-1);
      if (!latest) throw new UsageError('no metrics yet: the nightly recompute has not run (npm run comeback -- job run nightly-recompute)');
      const segments = await getJson(env.COMEBACK_URL, '/v1/segments', env.COMEBACK_ADMIN_TOKEN);
      process.stdout.write(renderReport(latest, segments.status === 200 ? (segments.body as StoreRules) : undefined));
      return;
    }
    case 'model': {
      if (rest[0] !== 'fit') throw new UsageError('model needs a subcommand: model fit --csv <file> --calibration-end <YYYY-MM-DD> --unit week');
      const { runModelFit } = await import('../lib/cli/model-fit.ts');
      await runModelFit(rest.slice(1), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) });
      return;
    }
    case 'import': {
      const { runImport } = await import('../lib/cli/import.ts');
      await runImport(rest, { url: env.COMEBACK_URL, adminToken: env.COMEBACK_ADMIN_TOKEN }, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        stderrIsTerminal: process.stderr.isTTY === true,
      });
      return;
    }
    case 'backtest': {
      const { runBacktest } = await import('../lib/cli/backtest.ts');
      await runBacktest(rest, { url: env.COMEBACK_URL, adminToken: env.COMEBACK_ADMIN_TOKEN }, { stdout: (text) => process.stdout.write(text) });
      return;
    }
    case 'sync': {
      const { runSync } = await import('../lib/cli/sync.ts');
      await runSync(rest, { url: env.COMEBACK_URL, adminToken: env.COMEBACK_ADMIN_TOKEN }, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        stderrIsTerminal: process.stderr.isTTY === true,
      });
      return;
    }
    case 'cost': {
      const { runCost } = await import('../lib/cli/cost.ts');
      runCost(rest, (text) => process.stdout.write(text));
      return;
    }
    case 'preview': {
      const { runPreview } = await import('../lib/cli/preview.ts');
      await runPreview(rest, { url: env.COMEBACK_URL, adminToken: env.COMEBACK_ADMIN_TOKEN }, (text) => process.stdout.write(text));
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return;
    default:
      throw new UsageError(`unknown command "${command}"; run \`npm run comeback -- help\``);
  }
}

/** The local host's virtual time, or the real time when the API is not a local host. */
async function virtualNow(url: string): Promise<Date> {
  const clock = await getJson(url, '/_local/clock');
  const now = (clock.body as { now?: string } | undefined)?.now;
  return clock.status === 200 && now ? new Date(now) : new Date();
}

function wholeNumber(name: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`--${name} needs a whole number`);
  return Number(value);
}

function print(answer: Answer): void {
  console.log(`HTTP ${answer.status}`);
  console.log(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 2));
  if (answer.status >= 400) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const { message, code } = error as NodeJS.ErrnoException;
  // Node's option parser explains itself over several lines (what is wrong, then how to write it): all on one.
  console.error(`comeback: ${code?.startsWith('ERR_PARSE_ARGS') ? message.replace(/\n/g, ' ') : message.split('\n')[0]}`);
  process.exit(1);
});
