/**
 * Step Functions on the local host: the very state machine definitions CDK deploys (workflows/),
 * run by aws-local-stepfunctions. Task states call the same Lambda handlers in-process; Wait states
 * sleep on the virtual clock. Handlers reach it through the real AWS SDK client: the host answers
 * the Step Functions API (StartExecution, StopExecution, DescribeExecution) on /_local/sfn.
 */
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import type { VirtualClock } from './virtual-clock.ts';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type LambdaFunction = (payload: JsonValue) => Promise<unknown>;

interface AslState {
  Type: string;
  Parameters?: { FunctionName?: string; Payload?: JsonValue };
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
  [other: string]: unknown;
}

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The states entered, in order: what tests assert the path on. */
  statesEntered: string[];
  abort: () => void;
  done: Promise<void>;
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

export class LocalStepFunctions {
  private readonly machines = new Map<string, StateMachine>();
  private readonly taskHandlers = new Map<string, Record<string, (input: JsonValue) => Promise<JsonValue>>>();
  private readonly retryOverrides = new Map<string, Record<string, number>>();
  private readonly executions = new Map<string, LocalExecution>();
  private readonly clock: VirtualClock;
  private readonly log: (line: string) => void;

  constructor(options: { clock: VirtualClock; log?: (line: string) => void }) {
    this.clock = options.clock;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Registers a definition file under a state machine name. `lambdas` maps the definition's
   * `${...FunctionArn}` placeholders to in-process handlers.
   */
  register(name: string, definitionFile: URL, lambdas: Record<string, LambdaFunction>): string {
    const definition = JSON.parse(readFileSync(definitionFile, 'utf8')) as AslDefinition;
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    const retries: Record<string, number> = {};
    const states: Record<string, AslState> = {};
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type === 'Wait') {
        states[stateName] = this.waitAsTask(stateName, state, handlers);
        continue;
      }
      if (state.Type === 'Task') {
        const placeholder = /^\$\{(\w+)\}$/.exec(state.Parameters?.FunctionName ?? '')?.[1];
        const lambda = placeholder ? lambdas[placeholder] : undefined;
        if (!lambda) throw new Error(`${name}: state ${stateName} calls ${state.Parameters?.FunctionName ?? 'no function'}, which the local host does not provide`);
        // The shape of the lambda:invoke integration's result, so ResultSelector works unchanged.
        handlers[stateName] = async (input) => {
          const payload = (input as { Payload?: JsonValue }).Payload ?? null;
          return { Payload: (await lambda(payload)) as JsonValue, StatusCode: 200 };
        };
        // Retry intervals are real seconds on AWS; locally a retry happens at once.
        retries[stateName] = 0;
      }
      states[stateName] = state;
    }
    const arn = localStateMachineArn(name);
    this.machines.set(arn, new StateMachine({ ...definition, States: states } as never, { validationOptions: { checkArn: false, checkPaths: true } }));
    this.taskHandlers.set(arn, handlers);
    this.retryOverrides.set(arn, retries);
    return arn;
  }

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date } {
    const machine = this.machines.get(request.stateMachineArn);
    if (!machine) throw new StepFunctionsApiError('StateMachineDoesNotExist', `state machine ${request.stateMachineArn} does not exist`);
    const name = request.name ?? crypto.randomUUID();
    const executionArn = `${request.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const input = request.input ?? '{}';
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As on AWS: the same name and input is the same execution; another input is an error.
      if (existing.input === input) return { executionArn, startDate: existing.startDate };
      throw new StepFunctionsApiError('ExecutionAlreadyExists', `execution ${name} already exists with another input`);
    }
    const run = machine.run(JSON.parse(input) as JsonValue, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers.get(request.stateMachineArn)!, retryIntervalOverrides: this.retryOverrides.get(request.stateMachineArn)! },
      noThrowOnAbort: true,
    });
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: request.stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: this.clock.now(),
      statesEntered: [],
      abort: run.abort,
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    void this.collectEvents(execution, run.eventLogs);
    execution.done = this.clock.track(async () => {
      try {
        const output = await run.result;
        if (execution.status === 'RUNNING') {
          execution.status = 'SUCCEEDED';
          execution.output = JSON.stringify(output);
        }
      } catch (error) {
        execution.status = 'FAILED';
        execution.error = (error as Error).name;
        execution.cause = (error as Error).message;
        this.log(`execution ${name} failed: ${(error as Error).message}`);
      } finally {
        execution.stopDate ??= this.clock.now();
      }
    });
    return { executionArn, startDate: execution.startDate };
  }

  stopExecution(request: { executionArn: string; cause?: string; error?: string }): { stopDate: Date } {
    const execution = this.executions.get(request.executionArn);
    if (!execution) throw new StepFunctionsApiError('ExecutionDoesNotExist', `execution ${request.executionArn} does not exist`);
    if (execution.status === 'RUNNING') {
      execution.status = 'ABORTED';
      execution.stopDate = this.clock.now();
      if (request.error !== undefined) execution.error = request.error;
      if (request.cause !== undefined) execution.cause = request.cause;
      execution.abort();
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
  handleApi(target: string, body: string): { status: number; body: unknown } {
    const operation = target.replace(/^AWSStepFunctions\./, '');
    try {
      const request = JSON.parse(body || '{}') as Record<string, string>;
      switch (operation) {
        case 'StartExecution': {
          const started = this.startExecution({ stateMachineArn: request['stateMachineArn'] ?? '', ...(request['name'] ? { name: request['name'] } : {}), ...(request['input'] ? { input: request['input'] } : {}) });
          return { status: 200, body: { executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 } };
        }
        case 'StopExecution': {
          const stopped = this.stopExecution({ executionArn: request['executionArn'] ?? '', ...(request['cause'] ? { cause: request['cause'] } : {}), ...(request['error'] ? { error: request['error'] } : {}) });
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

  /** Wait for every running execution to finish (tests and shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  /**
   * A Wait becomes a Task that sleeps on the virtual clock until the Wait's own target, computed
   * from the same fields (Seconds, SecondsPath, Timestamp, TimestampPath), and passes its input on.
   */
  private waitAsTask(stateName: string, state: AslState, handlers: Record<string, (input: JsonValue) => Promise<JsonValue>>): AslState {
    handlers[stateName] = async (input) => {
      const entered = this.clock.now();
      let target: Date;
      if (state.Seconds !== undefined) target = new Date(entered.getTime() + state.Seconds * 1000);
      else if (state.Timestamp !== undefined) target = new Date(state.Timestamp);
      else if (state.SecondsPath !== undefined) target = new Date(entered.getTime() + Number(readPath(input, state.SecondsPath)) * 1000);
      else if (state.TimestampPath !== undefined) target = new Date(String(readPath(input, state.TimestampPath)));
      else throw new Error(`Wait state ${stateName} has no duration`);
      if (Number.isNaN(target.getTime())) throw new Error(`Wait state ${stateName} has no valid target time`);
      await this.clock.sleepUntil(target);
      return input;
    };
    const { Seconds: _s, SecondsPath: _sp, Timestamp: _t, TimestampPath: _tp, Type: _type, ...rest } = state;
    return { ...rest, Type: 'Task', Resource: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:virtual-clock-wait` };
  }

  private async collectEvents(execution: LocalExecution, events: AsyncGenerator<EventLog>): Promise<void> {
    for await (const event of events) {
      if (event.type === 'StateEntered') execution.statesEntered.push(event.state.name);
    }
  }
}

function readPath(input: JsonValue, path: string): unknown {
  const [value] = JSONPath({ path, json: input as object, wrap: true }) as unknown[];
  return value;
}
