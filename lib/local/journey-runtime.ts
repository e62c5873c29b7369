/**
 * The journey half of the local host: the virtual clock, the state machines from workflows/ run by
 * the ASL interpreter, the Step Functions API the handlers call, and the scheduled jobs EventBridge
 * runs on AWS. Tests start the same runtime, so they exercise what `npm start` runs.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { useClock } from '../../functions/adapters/clock.ts';
import { stateMachineJourneys, type StateMachineJourney } from '../../functions/core/journeys.ts';
import { REACTING_ITEM_TYPES } from '../../functions/core/purchase-reactions.ts';
import { readBody } from './api-gateway.ts';
import { InMemoryExecutionStore, type ExecutionStore } from './execution-store.ts';
import { invoke } from './invocations.ts';
import { LocalStepFunctions, type LocalExecution } from './step-functions.ts';
import { LocalStreamReader } from './stream-reader.ts';
import { VirtualClock } from './virtual-clock.ts';
import { LOYALTY_DISPATCH_MINUTE, minutesAfter, NIGHTLY } from '../schedules.ts';

export const stateMachineArnVariables: Record<StateMachineJourney, string> = {
  'post-purchase': 'POST_PURCHASE_STATE_MACHINE_ARN',
  'win-back': 'WIN_BACK_STATE_MACHINE_ARN',
  'loyalty-invite': 'LOYALTY_INVITE_STATE_MACHINE_ARN',
};

/**
 * The scheduled jobs: what EventBridge rules run on AWS (at the times of lib/schedules.ts), here
 * run by the virtual clock, first at `hourUtc` (and minute) and then every `everyHours`. The loyalty
 * dispatch runs hourly, as on AWS: a deferred loyalty or replenishment message goes out at the first
 * run after its slot. The jobs `inNightly` are the nightly state machine's steps; a test that
 * schedules one alone has it run at the nightly time or the given minutes after it.
 */
export const scheduledJobs = [
  { name: 'nightly', stateMachine: 'comeback-nightly', ...NIGHTLY, everyHours: 24 },
  { name: 'journey-sweep', handler: '../../functions/handlers/journey-sweep.ts', ...NIGHTLY, everyHours: 24, inNightly: true },
  { name: 'loyalty-sweep', handler: '../../functions/handlers/loyalty-sweep.ts', ...minutesAfter(NIGHTLY, 30), everyHours: 24, inNightly: true },
  { name: 'loyalty-dispatch', handler: '../../functions/handlers/loyalty-dispatch.ts', hourUtc: 0, minuteUtc: LOYALTY_DISPATCH_MINUTE, everyHours: 1 },
  { name: 'nightly-recompute', handler: '../../functions/handlers/nightly-recompute.ts', ...minutesAfter(NIGHTLY, 60), everyHours: 24, inNightly: true },
  { name: 'catalog-copurchase', handler: '../../functions/handlers/catalog-copurchase.ts', ...minutesAfter(NIGHTLY, 90), everyHours: 24, inNightly: true },
] as const;

/** The functions the nightly state machine's Task states call (`${...}` in workflows/nightly.asl.json). */
const nightlyFunctions = {
  JourneySweepFunctionArn: 'journey-sweep',
  LoyaltySweepFunctionArn: 'loyalty-sweep',
  CoPurchaseFunctionArn: 'catalog-copurchase',
  NightlyRecomputeFunctionArn: 'nightly-recompute',
} as const satisfies Record<string, ScheduledJobName>;

export interface JourneyRuntime {
  clock: VirtualClock;
  stepFunctions: LocalStepFunctions;
  /** What the handlers need in their environment to reach this runtime. */
  environment: Record<string, string>;
  /**
   * Lets the executions kept from an earlier run go on, and starts the scheduled jobs. Called once
   * the handlers' environment is in place, since a due step runs at once.
   */
  resume(): Promise<{ resumed: number }>;
  /** Runs a scheduled job now (on the virtual clock's time). */
  runJob(name: string): Promise<unknown>;
  /**
   * Reads the table's stream and calls the purchase reactions' handler with it, as the event source
   * mapping does on AWS: in the background when `poll` (the local host), and whenever settled() or
   * the clock asks. Called once the handlers' environment is in place.
   */
  followTableStream(table: StreamFollowing): void;
  /**
   * Resolves once the reactions to everything written so far have run (and the executions they
   * started wait on the clock). The clock does the same before it moves.
   */
  settled(): Promise<void>;
  /**
   * Reads the stream in the background (`true`) or only when settled() or the clock asks. The bench
   * times the webhooks with it off, as on AWS where the reactions run apart from the webhook.
   */
  pollTableStream(on: boolean): Promise<void>;
  /** Something was probably written to the table (the host says so after each request it served): the background reader reads now. */
  tableWritten(): void;
  /**
   * Sets the virtual time: forward at any time (everything due on the way runs), backward only
   * while `nothingRecorded()` says so and no execution exists (a ClockRewindRefused otherwise).
   */
  setClock(to: Date, nothingRecorded: () => Promise<boolean>): Promise<{ now: string }>;
  /** Stops the runtime; waiting executions stay where they are for the next start. */
  stop(): Promise<void>;
}

/** The table whose stream the purchase reactions read. */
export interface StreamFollowing {
  endpoint: string;
  tableName: string;
  /** Read in the background (the local host), or only when settled() or the clock asks (the tests). */
  poll: boolean;
  /** Told of the records handled, after the handler returned. */
  onHandled?: (records: DynamoDBRecord[]) => void;
}

export interface JourneyRuntimeOptions {
  /** Where the virtual clock starts on a new data directory; the real time when absent. */
  start?: Date;
  /** Keeps the virtual clock in `clock.json` here, across restarts; in memory when absent. */
  dataDir?: string;
  /** Keeps the executions; in memory when absent. */
  executions?: ExecutionStore;
  log?: (line: string) => void;
  /** The jobs the clock runs by itself (all of them unless told). */
  schedule?: readonly ScheduledJobName[];
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const context = { awsRequestId: 'local', functionName: 'local' } as Context;

async function handlerOf(module: string): Promise<Handler> {
  return ((await import(new URL(module, import.meta.url).href)) as { handler: Handler }).handler;
}

export type ScheduledJobName = (typeof scheduledJobs)[number]['name'];

function handlerModuleOf(name: ScheduledJobName): string {
  const job = scheduledJobs.find((candidate) => candidate.name === name);
  if (!job || !('handler' in job)) throw new Error(`the job ${name} has no handler`);
  return job.handler;
}

/**
 * Starts the runtime. `schedule` names the jobs the clock runs by itself (all of them unless told):
 * a test about journeys need not pay for nightly analytics on every virtual day. Nothing runs until
 * `resume()`.
 */
export async function startJourneyRuntime(options: JourneyRuntimeOptions = {}): Promise<JourneyRuntime> {
  const clockFile = options.dataDir ? join(options.dataDir, 'clock.json') : undefined;
  const clock = new VirtualClock(readClockFile(clockFile) ?? options.start ?? new Date(), clockFile ? { onMove: (now) => writeClockFile(clockFile, now) } : {});
  if (clockFile) writeClockFile(clockFile, clock.now());
  useClock(clock);
  const log = options.log ?? (() => undefined);
  // Imported on first use: the handlers read their configuration, which the host sets first.
  const journeyStep = async (payload: unknown) => {
    const handler = await handlerOf('../../functions/handlers/journey-step.ts');
    return invoke('journey-step', () => handler(payload, context));
  };
  const executionEnded = async (execution: LocalExecution) =>
    (await handlerOf('../../functions/handlers/journey-execution-ended.ts'))(executionStatusChange(execution), context);
  const stepFunctions = new LocalStepFunctions({ clock, store: options.executions ?? new InMemoryExecutionStore(), log, onFailed: async (execution) => void (await executionEnded(execution)) });
  const environment: Record<string, string> = {};
  for (const journey of stateMachineJourneys) {
    const arn = stepFunctions.register(`comeback-${journey}`, new URL(`../../workflows/${journey}.asl.json`, import.meta.url), { JourneyStepFunctionArn: journeyStep });
    environment[stateMachineArnVariables[journey]] = arn;
  }
  // The nightly work (workflows/nightly.asl.json), its Tasks calling the handlers in-process.
  const nightlyArn = stepFunctions.register(
    'comeback-nightly',
    new URL('../../workflows/nightly.asl.json', import.meta.url),
    Object.fromEntries(
      // Each call counts as a run of the job's function, as the same function runs on AWS.
      Object.entries(nightlyFunctions).map(([placeholder, name]) => [placeholder, async (payload: unknown) => invoke(name, async () => (await handlerOf(handlerModuleOf(name)))(payload, context))]),
    ),
  );

  const server: Server = createServer((request, response) => {
    readBody(request)
      .then((body) => stepFunctions.handleApi(String(request.headers['x-amz-target'] ?? ''), body.toString('utf8')))
      .then((answer) => {
        response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(answer.body));
      })
      .catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'InternalError', message: (error as Error).message }));
      });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  environment['SFN_ENDPOINT'] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let reader: LocalStreamReader | undefined;
  const followTableStream = (table: StreamFollowing) => {
    if (reader) throw new Error('the journey runtime already follows a table stream');
    const purchaseReactions = async (event: DynamoDBStreamEvent) => {
      const handler = await handlerOf('../../functions/handlers/purchase-reactions.ts');
      return invoke('purchase-reactions', () => handler(event, context) as Promise<DynamoDBBatchResponse>);
    };
    const following = new LocalStreamReader({
      endpoint: table.endpoint,
      tableName: table.tableName,
      accepts: reactsTo,
      // Executions the reactions start are tracked by the clock like any other.
      handler: (event) => clock.track(() => purchaseReactions(event)),
      ...(options.dataDir ? { checkpointFile: join(options.dataDir, 'stream-checkpoint.json') } : {}),
      ...(table.onHandled ? { onHandled: table.onHandled } : {}),
      log,
    });
    reader = following;
    clock.drainBeforeMoving(() => following.settled());
    if (table.poll) following.start();
  };
  const pollTableStream = async (on: boolean) => {
    if (!reader) throw new Error('the journey runtime follows no table stream');
    if (on) reader.start();
    else await reader.pause();
  };
  const tableWritten = () => reader?.wake();
  const settled = async () => {
    if (!reader) return;
    await reader.settled();
    await clock.idle();
  };

  const runJob = async (name: string) => {
    const job = scheduledJobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`no scheduled job named ${name}; known: ${scheduledJobs.map((candidate) => candidate.name).join(', ')}`);
    if ('stateMachine' in job) {
      // As the schedule does on AWS: an execution of the state machine; answers once it ended.
      const { executionArn } = await stepFunctions.startExecution({ stateMachineArn: nightlyArn, input: '{}' });
      const execution = stepFunctions.describeExecution(executionArn);
      await execution.done;
      const ended = stepFunctions.describeExecution(executionArn);
      return { status: ended.status, ...(ended.output ? { output: JSON.parse(ended.output) as unknown } : {}), ...(ended.error ? { error: ended.error, cause: ended.cause } : {}) };
    }
    // What EventBridge gives a scheduled rule's target, from the local account and region.
    const event: ScheduledEvent = {
      id: randomUUID(),
      version: '0',
      account: '000000000000',
      region: 'us-east-1',
      resources: [`arn:aws:events:us-east-1:000000000000:rule/${job.name}`],
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      time: clock.now().toISOString(),
      detail: {},
    };
    return clock.track(async () => {
      const handler = await handlerOf(job.handler);
      return invoke(job.name, () => handler(event, context));
    });
  };
  const schedule = () => {
    for (const job of scheduledJobs) {
      if (options.schedule && !options.schedule.includes(job.name)) continue;
      // The nightly state machine runs these; a test may still name one to run it by itself.
      if (!options.schedule && 'inNightly' in job) continue;
      const first = new Date(clock.now());
      first.setUTCHours(job.hourUtc, job.minuteUtc, 0, 0);
      while (first <= clock.now()) first.setTime(first.getTime() + job.everyHours * 3_600_000);
      clock.every(first, job.everyHours * 3_600_000, async () => {
        const result = await runJob(job.name);
        // Quiet nights stay quiet: a job is printed only when it did something.
        const didSomething = Object.values((result ?? {}) as Record<string, unknown>).some((value) => typeof value !== 'number' || value > 0);
        if (didSomething) log(`${clock.now().toISOString()} scheduled ${job.name}: ${JSON.stringify(result)}`);
      }, (error) => log(`scheduled ${job.name} failed: ${(error as Error).message}`));
    }
  };

  let resumed = false;
  return {
    clock,
    stepFunctions,
    environment,
    resume: async () => {
      if (resumed) throw new Error('the journey runtime has already resumed');
      resumed = true;
      schedule();
      return { resumed: await stepFunctions.resume() };
    },
    runJob,
    followTableStream,
    settled,
    tableWritten,
    pollTableStream,
    setClock: (to, nothingRecorded) => clock.set(to, async () => stepFunctions.list().length === 0 && (await nothingRecorded())),
    stop: async () => {
      await reader?.stop();
      await stepFunctions.close();
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
}

/** The event source mapping's filter (lib/cdk/comeback-api-stack.ts): new order and refund items. */
function reactsTo(record: DynamoDBRecord): boolean {
  const type = record.dynamodb?.NewImage?.['type']?.S;
  return record.eventName === 'INSERT' && type !== undefined && (REACTING_ITEM_TYPES as readonly string[]).includes(type);
}

/** The event EventBridge sends on AWS when an execution ends other than by success. */
function executionStatusChange(execution: LocalExecution): unknown {
  return {
    version: '0',
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    time: (execution.stopDate ?? new Date()).toISOString(),
    region: 'us-east-1',
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      stopDate: execution.stopDate?.getTime() ?? null,
      input: execution.input,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  };
}

function readClockFile(file: string | undefined): Date | undefined {
  if (!file || !existsSync(file)) return undefined;
  const kept = new Date((JSON.parse(readFileSync(file, 'utf8')) as { now?: string }).now ?? '');
  if (Number.isNaN(kept.getTime())) throw new Error(`${file} does not hold a time; delete it to start the clock anew`);
  return kept;
}

/** Written beside the data and renamed into place, so a stop half way never leaves half a file. */
function writeClockFile(file: string, now: Date): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.next`, `${JSON.stringify({ now: now.toISOString() })}\n`);
  renameSync(`${file}.next`, file);
}
