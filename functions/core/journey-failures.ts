/**
 * When a journey's execution fails for good (a step failed after its retries, or the execution
 * failed, timed out or was aborted outside Comeback), its entry must say so: `failed`, with why,
 * and no longer counted as inside the journey. One rule for both paths that learn of it: the state
 * machine's own RecordFailure step, and the execution status change the service reports.
 */
import type { JourneyStore } from './journey-engine.ts';
import type { JourneyEntry, JourneyEntryRecord } from './journeys.ts';

export interface ExecutionFailure {
  Error?: string;
  Cause?: string;
}

/** What the entry becomes: the reason is kept short, as an entry is read in lists. */
export function failedEntryChanges(failure: ExecutionFailure | undefined, now: Date): Pick<JourneyEntryRecord, 'status' | 'endedAt' | 'failure'> {
  return { status: 'failed', endedAt: now.toISOString(), failure: `${failure?.Error ?? 'error'}: ${failure?.Cause ?? ''}`.slice(0, 500) };
}

/**
 * Marks the entry failed if it is still active. An entry that already ended (converted, removed,
 * completed) stays as it is: its execution was stopped on purpose. True when it changed.
 */
export async function recordJourneyFailure(
  ports: { store: Pick<JourneyStore, 'updateActiveEntry'>; now: () => Date },
  entry: JourneyEntry,
  failure: ExecutionFailure | undefined,
): Promise<boolean> {
  return ports.store.updateActiveEntry(entry, failedEntryChanges(failure, ports.now()));
}
