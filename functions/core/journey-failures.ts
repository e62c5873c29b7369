/**
 * When a journey's execution fails for good (a step failed after its retries, or the execution
 * failed, timed out or was aborted outside Comeback), its entry must say so: `failed`, with why,
 * and no longer counted as inside the journey. One rule for both paths that learn of it: the state
 * machine's own RecordFailure step, and the execution status change the service reports.
 */
import type { JourneyStore } from './journey-engine.ts';
import { entryIdFor, type JourneyEntry, type JourneyEntryRecord } from './journeys.ts';

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

/**
 * A post-purchase execution that ended for good may have been carrying the customer's loyalty
 * invitation, held back by quiet hours or the frequency cap (journey-engine.ts, runJourneyStep): an
 * invitation still waiting fails with it, rather than be listed as waiting for a step that no
 * execution will run. True when it changed.
 */
export async function recordCarriedInvitationFailure(
  ports: { store: Pick<JourneyStore, 'getEntry' | 'updateActiveEntry'>; now: () => Date },
  carrier: JourneyEntry,
  failure: ExecutionFailure | undefined,
): Promise<boolean> {
  if (carrier.journey !== 'post-purchase') return false;
  const invite = await ports.store.getEntry({ journey: 'loyalty-invite', customerId: carrier.customerId, entryId: entryIdFor('loyalty-invite', carrier.customerId, 'once') });
  if (invite?.status !== 'active') return false;
  return ports.store.updateActiveEntry(invite, failedEntryChanges({ Error: failure?.Error ?? 'error', Cause: `the post-purchase journey carrying it ended: ${failure?.Cause ?? ''}` }, ports.now()));
}
