import { describe, expect, it } from 'vitest';
import { taskOutcomes } from '../../../functions/core/analytics/metrics.ts';

describe('taskOutcomes', () => {
  it('counts the outcomes per journey and the churn reasons of tasks completed in the range', () => {
    const summary = taskOutcomes(
      [
        { status: 'done', journey: 'win-back', outcome: 'lost', churnReason: 'price', completedAt: '2026-03-02T10:00:00.000Z' },
        { status: 'done', journey: 'win-back', outcome: 'lost', churnReason: 'price', completedAt: '2026-03-03T10:00:00.000Z' },
        { status: 'done', journey: 'check-in', outcome: 'happy', completedAt: '2026-03-03T11:00:00.000Z' },
        { status: 'done', journey: 'check-in', outcome: 'replaced', completedAt: '2026-03-04T11:00:00.000Z' },
        // Outside the range, and still open: not counted.
        { status: 'done', journey: 'win-back', outcome: 'lost', churnReason: 'quality', completedAt: '2026-02-28T23:59:59.000Z' },
        { status: 'open', journey: 'check-in' },
      ],
      '2026-03-01',
      '2026-03-04',
    );
    expect(summary.completed).toBe(4);
    expect(summary.outcomes).toEqual({ 'win-back': { lost: 2 }, 'check-in': { happy: 1, replaced: 1 } });
    expect(summary.churnReasons.price).toBe(2);
    expect(summary.churnReasons.quality).toBe(0);
  });
});
