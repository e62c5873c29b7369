import { describe, expect, it } from 'vitest';
import { estimateMonthlyCost, formatCostTable, listPrices, measuredUsageSchema, type MeasuredUsage } from '../../functions/core/cost.ts';
import { InvalidInputError } from '../../functions/core/errors.ts';

/** Round figures, so every line can be checked by hand. */
const usage: MeasuredUsage = {
  measuredAt: '2026-11-30T20:00:00.000Z',
  method: 'a hand-made example',
  customers: 10,
  years: 1,
  ordersPerCustomerYear: 2,
  storeStorageBytesPerYear: 1024 ** 3,
  perCustomerYear: {
    stateTransitions: 24,
    stateTransitionsByJourney: { 'post-purchase': 18, 'win-back': 6 },
    functions: {
      RecordPurchase: { invocations: 2, gbSeconds: 1.2, readRequestUnits: 12, writeRequestUnits: 24, memoryMb: 512, followsOrders: true },
      'journey-step': { invocations: 12, gbSeconds: 6, readRequestUnits: 120, writeRequestUnits: 60, memoryMb: 512, followsOrders: true },
      'nightly-recompute': {
        invocations: 0,
        gbSeconds: 12,
        readRequestUnits: 1200,
        writeRequestUnits: 0,
        memoryMb: 2048,
        followsOrders: false,
        perRun: { runsPerMonth: 30, gbSeconds: 2, readRequestUnits: 10, writeRequestUnits: 1 },
      },
    },
    storageBytes: 1024 ** 2,
    messages: { email: 6, sms: 1, task: 1 },
  },
};

const line = (estimate: ReturnType<typeof estimateMonthlyCost>, service: string) => estimate.lines.find((candidate) => candidate.service.startsWith(service))!;

describe('the monthly AWS bill', () => {
  it('prices each service from the measured usage per customer-year, a twelfth of it a month', () => {
    const estimate = estimateMonthlyCost(usage, { customers: 12_000, smsShare: 1 });

    // 24 transitions x 12,000 customers / 12 months.
    expect(line(estimate, 'Step Functions').usd).toBeCloseTo(24_000 * 0.000025, 9);
    // Requests: 14 per customer-year a month, and the scheduled job's 30 runs; GB-s likewise.
    expect(line(estimate, 'Lambda').usd).toBeCloseTo((14_000 + 30) * 0.0000002 + (19_200 + 60) * 0.0000133334, 9);
    // RRU: (12 + 120 + 1200) x 1,000 + 30 x 10; WRU: 84 x 1,000 + 30 x 1.
    expect(line(estimate, 'DynamoDB (on-demand)').usd).toBeCloseTo((1_332_000 + 300) * 0.000000125 + (84_000 + 30) * 0.000000625, 9);
    // 1 MiB per customer and the store's 1 GiB, at $0.25 per GB-month.
    expect(line(estimate, 'DynamoDB storage').usd).toBeCloseTo(((12_000 * 1024 ** 2 + 1024 ** 3) / 1024 ** 3) * 0.25, 9);
    expect(line(estimate, 'SES').usd).toBeCloseTo(6_000 * 0.0001, 9);
    expect(line(estimate, 'SNS').usd).toBeCloseTo(1_000 * listPrices.smsPerMessage, 9);
    // Only the API route's invocations are HTTP API requests.
    expect(line(estimate, 'API Gateway').usd).toBeCloseTo(2_000 * 0.000001, 9);
    expect(estimate.totalUsd).toBeCloseTo(
      estimate.lines.reduce((sum, entry) => sum + entry.usd, 0),
      9,
    );
  });

  it('sends the SMS share as SMS and the rest by email', () => {
    const estimate = estimateMonthlyCost(usage, { customers: 12_000, smsShare: 0.2 });

    expect(line(estimate, 'SNS').usage).toBe('200 SMS');
    expect(line(estimate, 'SES').usage).toBe('6,800 emails');
  });

  it("scales what follows orders with the orders per year, and the scheduled jobs' share with the customers only", () => {
    const measured = estimateMonthlyCost(usage, { customers: 12_000, smsShare: 0 });
    const doubled = estimateMonthlyCost(usage, { customers: 12_000, smsShare: 0, ordersPerYear: 4 });

    expect(line(doubled, 'Step Functions').usd).toBeCloseTo(2 * line(measured, 'Step Functions').usd, 9);
    expect(line(doubled, 'SES').usage).toBe('14,000 emails');
    // The nightly job reads 1,200 RRU per customer-year whatever the orders: 1,200,000 + 300 a month.
    expect(line(doubled, 'DynamoDB (on-demand)').usage).toBe('1,464,300 RRU, 168,030 WRU');
  });

  it('grows every line with the customers', () => {
    const small = estimateMonthlyCost(usage, { customers: 10_000, smsShare: 0.2 });
    const large = estimateMonthlyCost(usage, { customers: 1_000_000, smsShare: 0.2 });

    for (const entry of small.lines) expect(line(large, entry.service).usd, entry.service).toBeGreaterThan(entry.usd);
  });

  it('takes other prices', () => {
    const estimate = estimateMonthlyCost(usage, { customers: 12_000, smsShare: 1 }, { ...listPrices, smsPerMessage: 0.05 });

    expect(line(estimate, 'SNS').usd).toBeCloseTo(1_000 * 0.05, 9);
  });

  it.each([
    [{ customers: 0, smsShare: 0.2 }, 'customers must be a whole number of at least 1'],
    [{ customers: 1.5, smsShare: 0.2 }, 'customers must be a whole number of at least 1'],
    [{ customers: 10, smsShare: 1.2 }, 'the SMS share must be between 0 and 1'],
    [{ customers: 10, smsShare: Number.NaN }, 'the SMS share must be between 0 and 1'],
    [{ customers: 10, smsShare: 0.2, ordersPerYear: 0 }, 'orders per year must be a number above 0'],
  ])('refuses %o', (question, message) => {
    expect(() => estimateMonthlyCost(usage, question)).toThrow(new InvalidInputError(message));
  });

  it('prints one line per service and the total, with the prices and the measurement dated', () => {
    const question = { customers: 100_000, smsShare: 0.2, ordersPerYear: 2 };
    const text = formatCostTable(estimateMonthlyCost(usage, question), question, usage);

    expect(text.split('\n')).toHaveLength(2 + 7 + 1);
    expect(text).toContain('Monthly AWS bill at 100,000 customers, 2 orders per customer-year, SMS share 0.2');
    expect(text).toContain('us-east-1 list prices recorded on 2026-11-30');
    expect(text).toContain('measured on 2026-11-30: 24.0 state transitions');
    expect(text.split('\n').at(-1)).toMatch(/^Total\s+\$\s*\d+\.\d\d$/);
  });

  it('reads the usage file the benchmark writes', async () => {
    const { readFileSync } = await import('node:fs');
    const measured = measuredUsageSchema.parse(JSON.parse(readFileSync(new URL('../../lib/cost/measured-usage.json', import.meta.url), 'utf8')));

    expect(measured.perCustomerYear.stateTransitions).toBeGreaterThan(0);
    expect(estimateMonthlyCost(measured, { customers: 100_000, smsShare: 0.2 }).totalUsd).toBeGreaterThan(0);
  });
});
