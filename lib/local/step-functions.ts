/**
 * Step Functions on the local host: the very state machine definitions CDK deploys (workflows/),
 * run by aws-local-stepfunctions. Task states call the same Lambda handlers in-process. Handlers
 * reach it through the real AWS SDK client: the host answers the Step Functions API
 * (StartExecution, StopExecution, DescribeExecution) on its own port.
 *
 * Durable, like the service: an execution runs from Wait to Wait. Each Wait parks the execution:
 * its position (the state after the Wait, the Wait's output, and the virtual instant the Wait ends)
 * is saved in the execution store, and the execution sleeps on the virtual clock, holding no
 * interpreter run and no real-time timeout however long a person takes to advance the clock.
 * After a restart, `resume()` reads every running execution back and goes on from its position.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import type { ExecutionPosition, ExecutionStatus, ExecutionStore, StoredExecution } from './execution-store.ts';
import type { VirtualClock } from './virtual-clock.ts';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type LambdaFunction = (payload: JsonValue) => Promise<unknown>;
type TaskHandler = (input: JsonValue) => Promise<JsonValue>;

interface AslState {
  Type: string;
  Parameters?: { FunctionName?: string; Payload?: JsonValue; [field: string]: JsonValue | undefined };
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  Next?: string;
  End?: boolean;
  InputPath?: string;
  OutputPath?: string;
  Comment?: string;
  [other: string]: unknown;
}

interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [other: string]: unknown;
}

/** The key of a parked execution's output; no definition of ours uses it. */
const PARKED_AT = 'comebackLocalParkedAtWait';

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The states entered, in order: what tests assert the path on. */
  statesEntered: string[];
  /** Settles when the execution ends, or when the runtime stops while it waits. */
  done: Promise<void>;
}

interface RunningExecution extends LocalExecution {
  position?: ExecutionPosition;
  abortSegment?: () => void;
}

interface RegisteredMachine {
  definition: AslDefinition;
  /** The definition with every Wait turned into a parking Pass state. */
  states: Record<string, AslState>;
  waits: Record<string, AslState>;
  handlers: Record<string, TaskHandler>;
  retryIntervals: Record<string, number>;
  /** The interpreter's machines, one per state an execution can go on from. */
  startingAt: Map<string, StateMachine>;
}

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export function localStateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
}

export class StepFunctionsApiError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export interface LocalStepFunctionsOptions {
  clock: VirtualClock;
  store: ExecutionStore;
  log?: (line: string) => void;
  /** Told of every execution that ends FAILED, as EventBridge tells on AWS. */
  onFailed?: (execution: LocalExecution) => Promise<void>;
  /** Where the definitions found valid are remembered (see checkDefinition). */
  checkedDefinitions?: string;
}

const interpreterRoot = fileURLToPath(new URL('../../node_modules/aws-local-stepfunctions/', import.meta.url));
const definitionChecks = { checkArn: false, checkPaths: true };

/**
 * Checks a definition as the interpreter does (asl-validator's JSON schemas), once per definition
 * text: the check compiles the schemas anew on every call, a quarter to half a second each, and every
 * host start and every test file registers each definition again. A definition found valid is
 * remembered by the hash of its text, the check's options and the interpreter's version; any change
 * to one of them checks it again.
 */
export function checkDefinition(definition: object, remembered = join(interpreterRoot, '..', '.cache', 'comeback', 'valid-state-machines')): void {
  const version = (JSON.parse(readFileSync(join(interpreterRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(JSON.stringify([version, definitionChecks, definition])).digest('hex');
  const marker = join(remembered, key);
  if (existsSync(marker)) return;
  // A copy: the check writes defaults into the states it is given (QueryLanguage), which the interpreter does not read.
  new StateMachine(structuredClone(definition) as never, { validationOptions: definitionChecks });
  mkdirSync(remembered, { recursive: true });
  writeFileSync(marker, '');
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, RunningExecution>();
  private readonly segments = new Set<Promise<void>>();
  private readonly clock: VirtualClock;
  private readonly store: ExecutionStore;
  private readonly log: (line: string) => void;
  private readonly onFailed: (execution: LocalExecution) => Promise<void>;
  private readonly checkedDefinitions: string | undefined;
  private closed = false;

  constructor(options: LocalStepFunctionsOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.log = options.log ?? (() => undefined);
    this.onFailed = options.onFailed ?? (async () => undefined);
    this.checkedDefinitions = options.checkedDefinitions;
  }

  /**
   * Registers a definition file under a state machine name. `lambdas` maps the definition's
   * `${...FunctionArn}` placeholders to in-process handlers.
   */
  register(name: string, definitionFile: URL, lambdas: Record<string, LambdaFunction>): string {
    const definition = JSON.parse(readFileSync(definitionFile, 'utf8')) as AslDefinition;
    // The deployed definition is checked as it is; the parking variants below are derived from it.
    checkDefinition(definition, this.checkedDefinitions);
    const machine: RegisteredMachine = { definition, states: {}, waits: {}, handlers: {}, retryIntervals: {}, startingAt: new Map() };
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type === 'Map' || state.Type === 'Parallel') {
        // A Map or Parallel runs whole within one interpreter run (a Distributed Map's children run
        // inline: the interpreter ignores ProcessorConfig), so nothing inside may park.
        for (const [innerName, inner] of nestedStates(state)) {
          if (inner.Type === 'Wait') throw new Error(`${name}: Wait state ${innerName} is inside ${stateName}, which the local host cannot park`);
          if (inner.Type === 'Task') {
            machine.handlers[innerName] = taskHandler(name, innerName, inner, lambdas);
            machine.retryIntervals[innerName] = 0;
          }
        }
        machine.states[stateName] = state;
        continue;
      }
      if (state.Type === 'Wait') {
        if (state.InputPath !== undefined || state.OutputPath !== undefined || !state.Next) {
          throw new Error(`${name}: Wait state ${stateName} needs a Next and no InputPath or OutputPath on the local host`);
        }
        machine.waits[stateName] = state;
        // Parks the execution: the run ends here with the Wait's input, and the host takes over.
        machine.states[stateName] = { Type: 'Pass', Parameters: { [PARKED_AT]: stateName, 'input.$': '$' }, End: true };
        continue;
      }
      if (state.Type === 'Task') {
        machine.handlers[stateName] = taskHandler(name, stateName, state, lambdas);
        // Retry intervals are real seconds on AWS; locally a retry happens at once.
        machine.retryIntervals[stateName] = 0;
      }
      machine.states[stateName] = state;
    }
    const arn = localStateMachineArn(name);
    this.machines.set(arn, machine);
    return arn;
  }

  /** Reads back every execution kept in the store and lets the running ones go on. */
  async resume(): Promise<number> {
    let resumed = 0;
    for (const stored of await this.store.loadAll()) {
      const execution = fromStored(stored);
      this.executions.set(execution.executionArn, execution);
      if (execution.status === 'RUNNING' && execution.position && this.machines.has(execution.stateMachineArn)) {
        this.drive(execution);
        resumed += 1;
      }
    }
    return resumed;
  }

  async startExecution(request: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: Date }> {
    const machine = this.machines.get(request.stateMachineArn);
    if (!machine) throw new StepFunctionsApiError('StateMachineDoesNotExist', `state machine ${request.stateMachineArn} does not exist`);
    if (this.closed) throw new StepFunctionsApiError('ServiceUnavailable', 'the local host is stopping');
    const name = request.name ?? crypto.randomUUID();
    const executionArn = `${request.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const input = request.input ?? '{}';
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As on AWS: the same name and input is the same execution; another input is an error.
      if (existing.input === input) return { executionArn, startDate: existing.startDate };
      throw new StepFunctionsApiError('ExecutionAlreadyExists', `execution ${name} already exists with another input`);
    }
    const startDate = this.clock.now();
    const execution: RunningExecution = {
      executionArn,
      stateMachineArn: request.stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate,
      statesEntered: [],
      position: { state: machine.definition.StartAt, input, wakeAt: startDate.toISOString() },
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    // Saved before the answer, as the service does: a started execution is never lost.
    await this.store.save(toStored(execution));
    this.drive(execution);
    return { executionArn, startDate };
  }

  async stopExecution(request: { executionArn: string; cause?: string; error?: string }): Promise<{ stopDate: Date }> {
    const execution = this.executions.get(request.executionArn);
    if (!execution) throw new StepFunctionsApiError('ExecutionDoesNotExist', `execution ${request.executionArn} does not exist`);
    if (execution.status === 'RUNNING') {
      execution.status = 'ABORTED';
      execution.stopDate = this.clock.now();
      delete execution.position;
      if (request.error !== undefined) execution.error = request.error;
      if (request.cause !== undefined) execution.cause = request.cause;
      execution.abortSegment?.();
      await this.store.save(toStored(execution));
    }
    return { stopDate: execution.stopDate ?? this.clock.now() };
  }

  describeExecution(executionArn: string): LocalExecution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new StepFunctionsApiError('ExecutionDoesNotExist', `execution ${executionArn} does not exist`);
    return execution;
  }

  list(): LocalExecution[] {
    return [...this.executions.values()];
  }

  /** The Step Functions API (AWS JSON 1.0) for the SDK clients inside the handlers. */
  async handleApi(target: string, body: string): Promise<{ status: number; body: unknown }> {
    const operation = target.replace(/^AWSStepFunctions\./, '');
    try {
      const request = JSON.parse(body || '{}') as Record<string, string>;
      switch (operation) {
        case 'StartExecution': {
          const started = await this.startExecution({ stateMachineArn: request['stateMachineArn'] ?? '', ...(request['name'] ? { name: request['name'] } : {}), ...(request['input'] ? { input: request['input'] } : {}) });
          return { status: 200, body: { executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 } };
        }
        case 'StopExecution': {
          const stopped = await this.stopExecution({ executionArn: request['executionArn'] ?? '', ...(request['cause'] ? { cause: request['cause'] } : {}), ...(request['error'] ? { error: request['error'] } : {}) });
          return { status: 200, body: { stopDate: stopped.stopDate.getTime() / 1000 } };
        }
        case 'DescribeExecution': {
          const execution = this.describeExecution(request['executionArn'] ?? '');
          return {
            status: 200,
            body: {
              executionArn: execution.executionArn,
              stateMachineArn: execution.stateMachineArn,
              name: execution.name,
              status: execution.status,
              startDate: execution.startDate.getTime() / 1000,
              input: execution.input,
              ...(execution.output ? { output: execution.output } : {}),
              ...(execution.error ? { error: execution.error } : {}),
              ...(execution.cause ? { cause: execution.cause } : {}),
              ...(execution.stopDate ? { stopDate: execution.stopDate.getTime() / 1000 } : {}),
            },
          };
        }
        default:
          return { status: 400, body: { __type: 'UnknownOperationException', message: `the local host does not serve ${operation}` } };
      }
    } catch (error) {
      if (error instanceof StepFunctionsApiError) return { status: 400, body: { __type: error.type, message: error.message } };
      throw error;
    }
  }

  /** Wait for every execution to end (tests). Executions parked on the clock end only as it moves. */
  async drain(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  /**
   * Stops running: no execution starts or goes on any more, and the runs in progress reach their
   * next Wait (and are saved there) before this resolves. Running executions stay RUNNING in the
   * store, for the next start to resume.
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.segments]);
  }

  /** Runs the execution from Wait to Wait on the virtual clock until it ends. */
  private drive(execution: RunningExecution): void {
    execution.done = this.clock.track(async () => {
      for (;;) {
        const position = execution.position;
        if (!position || execution.status !== 'RUNNING') return;
        await this.clock.sleepUntil(new Date(position.wakeAt));
        if (this.closed || execution.status !== 'RUNNING') return;
        const segment = this.runSegment(execution, position);
        this.segments.add(segment);
        try {
          await segment;
        } finally {
          this.segments.delete(segment);
        }
      }
    });
  }

  /** One interpreter run, from the position to the next Wait or the end. */
  private async runSegment(execution: RunningExecution, position: ExecutionPosition): Promise<void> {
    const machine = this.machines.get(execution.stateMachineArn);
    if (!machine) throw new Error(`state machine ${execution.stateMachineArn} is not registered`);
    const run = this.machineStartingAt(machine, position.state).run(JSON.parse(position.input) as JsonValue, {
      overrides: { taskResourceLocalHandlers: machine.handlers, retryIntervalOverrides: machine.retryIntervals },
      noThrowOnAbort: true,
    });
    execution.abortSegment = run.abort;
    const events = collectStatesEntered(execution, run.eventLogs);
    // Not awaited when the execution is stopped half way: its failure must not go unhandled.
    events.catch(() => undefined);
    try {
      const output = (await run.result) as JsonValue;
      // Stopped while it ran: its path ends here, whatever the interpreter still reports.
      if (execution.status !== 'RUNNING') return;
      await events;
      if (isParked(output)) {
        const waitName = output[PARKED_AT];
        const wait = machine.waits[waitName];
        if (!wait?.Next) throw new Error(`no Wait state ${waitName} to go on from`);
        execution.position = { state: wait.Next, input: JSON.stringify(output.input), wakeAt: waitTarget(waitName, wait, output.input, this.clock.now()).toISOString() };
      } else {
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
        execution.stopDate = this.clock.now();
        delete execution.position;
      }
    } catch (error) {
      if (execution.status !== 'RUNNING') return;
      await events.catch(() => undefined);
      // The interpreter wraps the state's error; its name and message are the Error and Cause.
      const failure = error instanceof Error && error.cause instanceof Error ? error.cause : (error as Error);
      execution.status = 'FAILED';
      execution.error = failure.name;
      execution.cause = failure.message;
      execution.stopDate = this.clock.now();
      delete execution.position;
      this.log(`execution ${execution.name} failed: ${failure.name}: ${failure.message}`);
    } finally {
      delete execution.abortSegment;
      await this.store.save(toStored(execution));
    }
    if (execution.status === 'FAILED') {
      await this.onFailed(execution).catch((error: unknown) => this.log(`execution ${execution.name}: telling of its failure failed: ${(error as Error).message}`));
    }
  }

  private machineStartingAt(machine: RegisteredMachine, state: string): StateMachine {
    let variant = machine.startingAt.get(state);
    if (!variant) {
      if (!machine.states[state]) throw new Error(`no state ${state} to go on from`);
      // Real-time limits do not apply: a local execution lives in virtual time.
      const { TimeoutSeconds: _realTimeLimit, ...definition } = machine.definition;
      // Validated above as deployed; a variant leaves some states unreachable, which is the point.
      variant = new StateMachine({ ...definition, StartAt: state, States: machine.states } as never, { validationOptions: { noValidate: true } });
      machine.startingAt.set(state, variant);
    }
    return variant;
  }
}

/** A Task state's in-process handler: the lambda its `${...FunctionArn}` placeholder names. */
function taskHandler(machineName: string, stateName: string, state: AslState, lambdas: Record<string, LambdaFunction>): TaskHandler {
  const placeholder = /^\$\{(\w+)\}$/.exec(state.Parameters?.FunctionName ?? '')?.[1];
  const lambda = placeholder ? lambdas[placeholder] : undefined;
  if (!lambda) throw new Error(`${machineName}: state ${stateName} calls ${state.Parameters?.FunctionName ?? 'no function'}, which the local host does not provide`);
  // The shape of the lambda:invoke integration's result, so ResultSelector works unchanged.
  return async (input) => {
    const payload = (input as { Payload?: JsonValue }).Payload ?? null;
    return { Payload: (await lambda(payload)) as JsonValue, StatusCode: 200 };
  };
}

/** Every state inside a Map's ItemProcessor (or Iterator) or a Parallel's branches, however deep. */
function nestedStates(state: AslState): [string, AslState][] {
  const inner = state as { Branches?: { States: Record<string, AslState> }[]; ItemProcessor?: { States: Record<string, AslState> }; Iterator?: { States: Record<string, AslState> } };
  const blocks = [...(inner.Branches ?? []), ...(inner.ItemProcessor ? [inner.ItemProcessor] : []), ...(inner.Iterator ? [inner.Iterator] : [])];
  return blocks.flatMap((block) => Object.entries(block.States).flatMap(([name, child]): [string, AslState][] => [[name, child], ...nestedStates(child)]));
}

/** When a Wait ends, from the same fields the service reads (Seconds, SecondsPath, Timestamp, TimestampPath). */
function waitTarget(stateName: string, state: AslState, input: JsonValue, entered: Date): Date {
  let target: Date;
  if (state.Seconds !== undefined) target = new Date(entered.getTime() + state.Seconds * 1000);
  else if (state.Timestamp !== undefined) target = new Date(state.Timestamp);
  else if (state.SecondsPath !== undefined) target = new Date(entered.getTime() + Number(readPath(input, state.SecondsPath)) * 1000);
  else if (state.TimestampPath !== undefined) target = new Date(String(readPath(input, state.TimestampPath)));
  else throw new Error(`Wait state ${stateName} has no duration`);
  if (Number.isNaN(target.getTime())) throw new Error(`Wait state ${stateName} has no valid target time`);
  // A Wait whose time has passed ends at once.
  return target < entered ? entered : target;
}

function isParked(output: JsonValue): output is { [PARKED_AT]: string; input: JsonValue } {
  return typeof output === 'object' && output !== null && !Array.isArray(output) && typeof output[PARKED_AT] === 'string';
}

async function collectStatesEntered(execution: RunningExecution, events: AsyncGenerator<EventLog>): Promise<void> {
  for await (const event of events) {
    if (event.type === 'StateEntered') execution.statesEntered.push(event.state.name);
  }
}

function readPath(input: JsonValue, path: string): unknown {
  const [value] = JSONPath({ path, json: input as object, wrap: true }) as unknown[];
  return value;
}

function toStored(execution: RunningExecution): StoredExecution {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    input: execution.input,
    status: execution.status,
    startDate: execution.startDate.toISOString(),
    statesEntered: [...execution.statesEntered],
    ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
    ...(execution.output !== undefined ? { output: execution.output } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    ...(execution.position ? { position: execution.position } : {}),
  };
}

function fromStored(stored: StoredExecution): RunningExecution {
  const { startDate, stopDate, ...rest } = stored;
  return { ...rest, startDate: new Date(startDate), ...(stopDate ? { stopDate: new Date(stopDate) } : {}), done: Promise.resolve() };
}
