import { describe, expect, it } from 'vitest';
import { summarizeFunnels } from '../../../functions/core/analytics/funnels.ts';

describe('summarizeFunnels', () => {
  it("adds each step's counts of the days in the range, every status present", () => {
    const funnels = summarizeFunnels(
      [
        { journey: 'win-back', day: '2026-03-01', step: 'email', status: 'sent', count: 3 },
        { journey: 'win-back', day: '2026-03-02', step: 'email', status: 'sent', count: 2 },
        { journey: 'win-back', day: '2026-03-02', step: 'email', status: 'deferred', count: 1 },
        { journey: 'win-back', day: '2026-03-02', step: 'sms', status: 'suppressed', count: 4 },
        { journey: 'post-purchase', day: '2026-03-03', step: 'thank-you', status: 'failed', count: 1 },
        // Outside the range, and a status no funnel shows.
        { journey: 'win-back', day: '2026-02-28', step: 'email', status: 'sent', count: 9 },
        { journey: 'win-back', day: '2026-03-02', step: 'email', status: 'sending', count: 9 },
      ],
      '2026-03-01',
      '2026-03-03',
    );

    expect(funnels).toEqual({
      'win-back': { email: { sent: 5, deferred: 1, suppressed: 0, failed: 0, skipped: 0 }, sms: { sent: 0, deferred: 0, suppressed: 4, failed: 0, skipped: 0 } },
      'post-purchase': { 'thank-you': { sent: 0, deferred: 0, suppressed: 0, failed: 1, skipped: 0 } },
    });
  });
});
