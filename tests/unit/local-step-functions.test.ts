/**
 * The local host's Step Functions engine on its own: a definition runs from Wait to Wait on the
 * virtual clock, each Wait parks the execution in the store (state, input, wake-up instant), and a
 * new engine on the same store (a restart) goes on from there. Real seconds pass between steps, as
 * when a person drives the clock. No services: the store is in memory, the task is a function.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryExecutionStore } from '../../lib/local/execution-store.ts';
import { LocalStepFunctions, type LocalExecution } from '../../lib/local/step-functions.ts';
import { ClockRewindRefused, VirtualClock } from '../../lib/local/virtual-clock.ts';

const directory = mkdtempSync(join(tmpdir(), 'comeback-engine-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Two steps a week apart, like a journey: a Task, a Wait of 7 days (SecondsPath), a Task, a Choice that may fail. */
const definition = {
  StartAt: 'First',
  States: {
    First: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${StepFunctionArn}', 'Payload.$': '$' }, ResultSelector: { 'step.$': '$.Payload.step' }, ResultPath: '$.last', Next: 'WaitAWeek' },
    WaitAWeek: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Second' },
    Second: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${StepFunctionArn}', 'Payload.$': '$' }, ResultSelector: { 'step.$': '$.Payload.step' }, ResultPath: '$.last', Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ And: [{ Variable: '$.fail', IsPresent: true }, { Variable: '$.fail', BooleanEquals: true }], Next: 'Failed' }], Default: 'Done' },
    Failed: { Type: 'Fail', Error: 'StepFailed', Cause: 'asked to fail' },
    Done: { Type: 'Succeed' },
  },
};
const definitionFile = join(directory, 'two-steps.asl.json');
writeFileSync(definitionFile, JSON.stringify(definition));

function engine(clock: VirtualClock, store: InMemoryExecutionStore, calls: string[], failed: LocalExecution[] = []) {
  const stepFunctions = new LocalStepFunctions({ clock, store, onFailed: async (execution) => void failed.push(execution) });
  const arn = stepFunctions.register('two-steps', pathToFileURL(definitionFile), {
    StepFunctionArn: async (payload) => {
      calls.push(`${clock.now().toISOString()} ${(payload as { name: string }).name}`);
      return { step: calls.length };
    },
  });
  return { stepFunctions, arn };
}

const pause = (ms: number) => new Promise((resume) => setTimeout(resume, ms));

describe('the local Step Functions engine', () => {
  it('parks at a Wait, survives a restart and goes on at the Wait’s virtual instant', async () => {
    // Prepare
    const store = new InMemoryExecutionStore();
    const calls: string[] = [];
    const clock = new VirtualClock(new Date('2026-03-29T00:30:00Z'));
    const first = engine(clock, store, calls);

    // Act: start, let real time pass, stop the engine (a restart), and go on with a new one.
    await first.stepFunctions.startExecution({ stateMachineArn: first.arn, name: 'ada', input: JSON.stringify({ name: 'ada', waitSeconds: 7 * 86_400 }) });
    await clock.advance({ minutes: 1 });
    await pause(1_500);
    await first.stepFunctions.close();
    const [parked] = await store.loadAll();

    const restartedClock = new VirtualClock(clock.now());
    const second = engine(restartedClock, store, calls);
    expect(await second.stepFunctions.resume()).toBe(1);
    await pause(1_500);
    await restartedClock.advance({ days: 6, hours: 23, minutes: 58 });
    const beforeDue = [...calls];
    await restartedClock.advance({ minutes: 1 });

    // Assess
    expect(parked).toMatchObject({
      status: 'RUNNING',
      statesEntered: ['First', 'WaitAWeek'],
      position: { state: 'Second', wakeAt: '2026-04-05T00:30:00.000Z' },
    });
    expect(JSON.parse(parked?.position?.input ?? '{}')).toEqual({ name: 'ada', waitSeconds: 604_800, last: { step: 1 } });
    expect(beforeDue).toEqual(['2026-03-29T00:30:00.000Z ada']);
    expect(calls).toEqual(['2026-03-29T00:30:00.000Z ada', '2026-04-05T00:30:00.000Z ada']);
    const [done] = second.stepFunctions.list();
    expect(done).toMatchObject({ status: 'SUCCEEDED', statesEntered: ['First', 'WaitAWeek', 'Second', 'Check', 'Done'], stopDate: new Date('2026-04-05T00:30:00.000Z') });
    expect((await store.loadAll())[0]).not.toHaveProperty('position');
  });

  it('records a failed execution with its error and cause, and tells of it', async () => {
    const store = new InMemoryExecutionStore();
    const failed: LocalExecution[] = [];
    const clock = new VirtualClock(new Date('2026-10-25T00:59:00Z'));
    const { stepFunctions, arn } = engine(clock, store, [], failed);

    await stepFunctions.startExecution({ stateMachineArn: arn, name: 'bob', input: JSON.stringify({ name: 'bob', waitSeconds: 60, fail: true }) });
    await clock.advance({ minutes: 2 });

    expect(stepFunctions.describeExecution(`${arn.replace(':stateMachine:', ':execution:')}:bob`)).toMatchObject({ status: 'FAILED', error: 'StepFailed', cause: 'asked to fail' });
    expect(failed.map((execution) => execution.name)).toEqual(['bob']);
    expect((await store.loadAll())[0]).toMatchObject({ status: 'FAILED', error: 'StepFailed' });
  });

  it('stops a parked execution at once, and answers a repeated start as the same execution', async () => {
    const store = new InMemoryExecutionStore();
    const calls: string[] = [];
    const clock = new VirtualClock(new Date('2026-06-01T12:00:00Z'));
    const { stepFunctions, arn } = engine(clock, store, calls);
    const input = JSON.stringify({ name: 'cy', waitSeconds: 3_600 });

    const started = await stepFunctions.startExecution({ stateMachineArn: arn, name: 'cy', input });
    expect(await stepFunctions.startExecution({ stateMachineArn: arn, name: 'cy', input })).toEqual(started);
    await expect(stepFunctions.startExecution({ stateMachineArn: arn, name: 'cy', input: '{}' })).rejects.toThrow(/already exists/);
    await clock.advance({ minutes: 1 });
    await stepFunctions.stopExecution({ executionArn: started.executionArn, cause: 'converted' });
    await clock.advance({ hours: 2 });

    expect(calls).toHaveLength(1);
    expect((await store.loadAll())[0]).toMatchObject({ status: 'ABORTED', cause: 'converted' });
  });
});

describe('the virtual clock', () => {
  it('moves back only when allowed, taking the scheduled jobs back with it at their time of day', async () => {
    const clock = new VirtualClock(new Date('2026-06-10T12:00:00Z'));
    const runs: string[] = [];
    clock.every(new Date('2026-06-11T02:00:00Z'), 86_400_000, async (at) => void runs.push(at.toISOString()), () => undefined);

    await expect(clock.set(new Date('2026-06-01T00:00:00Z'), async () => false)).rejects.toBeInstanceOf(ClockRewindRefused);
    expect(await clock.set(new Date('2026-06-01T00:00:00Z'), async () => true)).toEqual({ now: '2026-06-01T00:00:00.000Z' });
    await clock.set(new Date('2026-06-02T03:00:00Z'), async () => true);

    expect(runs).toEqual(['2026-06-01T02:00:00.000Z', '2026-06-02T02:00:00.000Z']);
  });

  it('refuses to move back while anything waits on it', async () => {
    const clock = new VirtualClock(new Date('2026-06-10T12:00:00Z'));
    void clock.track(() => clock.sleepUntil(new Date('2026-06-11T00:00:00Z')));

    await expect(clock.set(new Date('2026-06-09T00:00:00Z'), async () => true)).rejects.toBeInstanceOf(ClockRewindRefused);
  });
});
