import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PERMANENT_STEP_ERRORS } from '../../functions/core/journey-engine.ts';
import { stateMachineJourneys } from '../../functions/core/journeys.ts';

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
}

describe('the errors a journey step is not retried on', () => {
  // A post-purchase journey carrying the loyalty invitation fails the invitation on these, as the
  // invitation's own state machine does: the two lists must not drift apart.
  it('are exactly those every journey state machine retries zero times', () => {
    for (const journey of stateMachineJourneys) {
      const definition = JSON.parse(readFileSync(new URL(`../../workflows/${journey}.asl.json`, import.meta.url), 'utf8')) as { States: Record<string, { Type: string; Retry?: Retrier[] }> };
      const stepStates = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task' && state.Retry?.some((retrier) => retrier.MaxAttempts === 0));
      expect(stepStates.length, journey).toBeGreaterThan(0);
      for (const [name, state] of stepStates) {
        const neverRetried = state.Retry!.filter((retrier) => retrier.MaxAttempts === 0).flatMap((retrier) => retrier.ErrorEquals);
        expect(new Set(neverRetried), `${journey} ${name}`).toEqual(PERMANENT_STEP_ERRORS);
      }
    }
  });
});
