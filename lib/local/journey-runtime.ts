/**
 * The journey half of the local host: the virtual clock, the state machines from workflows/ run by
 * the ASL interpreter, the Step Functions API the handlers call, and the scheduled jobs EventBridge
 * runs on AWS. Tests start the same runtime, so they exercise what `npm start` runs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { useClock } from '../../functions/adapters/clock.ts';
import { stateMachineJourneys, type StateMachineJourney } from '../../functions/core/journeys.ts';
import { readBody } from './api-gateway.ts';
import { LocalStepFunctions } from './step-functions.ts';
import { VirtualClock } from './virtual-clock.ts';

export const stateMachineArnVariables: Record<StateMachineJourney, string> = {
  'post-purchase': 'POST_PURCHASE_STATE_MACHINE_ARN',
  'win-back': 'WIN_BACK_STATE_MACHINE_ARN',
  'loyalty-invite': 'LOYALTY_INVITE_STATE_MACHINE_ARN',
};

/**
 * The scheduled jobs: what EventBridge rules run on AWS, here run by the virtual clock, first at
 * `hourUtc` (and minute) and then every `everyHours`. The loyalty dispatch runs hourly on AWS; here
 * every 6 hours, which still lands in every time zone's 09:00-21:00 window, so a long clock
 * advance does not spend its time on empty runs.
 */
export const scheduledJobs = [
  { name: 'journey-sweep', handler: '../../functions/handlers/journey-sweep.ts', hourUtc: 2, minuteUtc: 0, everyHours: 24 },
  { name: 'loyalty-sweep', handler: '../../functions/handlers/loyalty-sweep.ts', hourUtc: 2, minuteUtc: 30, everyHours: 24 },
  { name: 'loyalty-dispatch', handler: '../../functions/handlers/loyalty-dispatch.ts', hourUtc: 0, minuteUtc: 15, everyHours: 6 },
  { name: 'nightly-recompute', handler: '../../functions/handlers/nightly-recompute.ts', hourUtc: 3, minuteUtc: 0, everyHours: 24 },
  { name: 'catalog-copurchase', handler: '../../functions/handlers/catalog-copurchase.ts', hourUtc: 3, minuteUtc: 30, everyHours: 24 },
] as const;

export interface JourneyRuntime {
  clock: VirtualClock;
  stepFunctions: LocalStepFunctions;
  /** What the handlers need in their environment to reach this runtime. */
  environment: Record<string, string>;
  /** Runs a scheduled job now (on the virtual clock's time). */
  runJob(name: string): Promise<unknown>;
  stop(): Promise<void>;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const context = { awsRequestId: 'local', functionName: 'local' } as Context;

async function handlerOf(module: string): Promise<Handler> {
  return ((await import(new URL(module, import.meta.url).href)) as { handler: Handler }).handler;
}

export type ScheduledJobName = (typeof scheduledJobs)[number]['name'];

/**
 * Starts the runtime. `schedule` names the jobs the clock runs by itself (all of them unless told):
 * a test about journeys need not pay for nightly analytics on every virtual day.
 */
export async function startJourneyRuntime(options: { start?: Date; log?: (line: string) => void; schedule?: readonly ScheduledJobName[] } = {}): Promise<JourneyRuntime> {
  const clock = new VirtualClock(options.start);
  useClock(clock);
  const log = options.log ?? (() => undefined);
  const stepFunctions = new LocalStepFunctions({ clock, log });
  // Imported on first use: the handler reads its configuration, which the host sets first.
  const journeyStep = async (payload: unknown) => (await handlerOf('../../functions/handlers/journey-step.ts'))(payload, context);
  const environment: Record<string, string> = {};
  for (const journey of stateMachineJourneys) {
    const arn = stepFunctions.register(`comeback-${journey}`, new URL(`../../workflows/${journey}.asl.json`, import.meta.url), { JourneyStepFunctionArn: journeyStep });
    environment[stateMachineArnVariables[journey]] = arn;
  }

  const server: Server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        const answer = stepFunctions.handleApi(String(request.headers['x-amz-target'] ?? ''), body.toString('utf8'));
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

  const runJob = async (name: string) => {
    const job = scheduledJobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`no scheduled job named ${name}; known: ${scheduledJobs.map((candidate) => candidate.name).join(', ')}`);
    const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: clock.now().toISOString(), detail: {} } as unknown as ScheduledEvent;
    return clock.track(async () => (await handlerOf(job.handler))(event, context));
  };
  for (const job of scheduledJobs) {
    if (options.schedule && !options.schedule.includes(job.name)) continue;
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

  return {
    clock,
    stepFunctions,
    environment,
    runJob,
    stop: async () => {
      for (const execution of stepFunctions.list()) if (execution.status === 'RUNNING') stepFunctions.stopExecution({ executionArn: execution.executionArn, cause: 'the local host stopped' });
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
}
