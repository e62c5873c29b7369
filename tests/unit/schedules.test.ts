import { describe, expect, it } from 'vitest';
import { scheduledJobs } from '../../lib/local/journey-runtime.ts';
import { clockText, minutesAfter, NIGHTLY } from '../../lib/schedules.ts';

describe('the schedules the CDK app and the local host share', () => {
  it('count minutes on the clock, past midnight into the next day', () => {
    expect(minutesAfter({ hourUtc: 2, minuteUtc: 0 }, 90)).toEqual({ hourUtc: 3, minuteUtc: 30 });
    expect(minutesAfter({ hourUtc: 23, minuteUtc: 45 }, 30)).toEqual({ hourUtc: 0, minuteUtc: 15 });
    expect(minutesAfter({ hourUtc: 0, minuteUtc: 10 }, -20)).toEqual({ hourUtc: 23, minuteUtc: 50 });
    expect(clockText({ hourUtc: 1, minuteUtc: 5 })).toBe('01:05');
  });

  it('run the nightly steps one after the other from the nightly time when the local host schedules them alone', () => {
    const nightly = scheduledJobs.filter((job) => job.name === 'nightly' || ('inNightly' in job && job.inNightly));
    // The times as the infra tests' cron expressions state them (cron(0 2 * * ? *)), written out.
    expect(clockText(NIGHTLY)).toBe('02:00');
    expect(nightly.map((job) => `${job.name} ${clockText(job)}`)).toEqual(['nightly 02:00', 'journey-sweep 02:00', 'loyalty-sweep 02:30', 'nightly-recompute 03:00', 'catalog-copurchase 03:30']);
  });
});
