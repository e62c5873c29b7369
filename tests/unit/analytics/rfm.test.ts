import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { higherIsBetter, lowerIsBetter, RfmDistribution, rfmCell, rfmScores, scoresOfCell, type RfmSubject } from '../../../functions/core/analytics/rfm.ts';

const cutsArbitrary = fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 4, maxLength: 4 }).map((cuts) => [...cuts].sort((u, v) => u - v));

describe('RFM scores', () => {
  it('lie in 1..5 and never decrease (R: never increase) as the value grows', () => {
    fc.assert(
      fc.property(cutsArbitrary, fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }), (cuts, u, v) => {
        const [low, high] = u <= v ? [u, v] : [v, u];
        for (const score of [higherIsBetter(low, cuts), higherIsBetter(high, cuts), lowerIsBetter(low, cuts), lowerIsBetter(high, cuts)]) {
          expect(score).toBeGreaterThanOrEqual(1);
          expect(score).toBeLessThanOrEqual(5);
        }
        expect(higherIsBetter(low, cuts)).toBeLessThanOrEqual(higherIsBetter(high, cuts));
        expect(lowerIsBetter(low, cuts)).toBeGreaterThanOrEqual(lowerIsBetter(high, cuts));
      }),
    );
  });

  it('split a store into fifths by its own quintiles, ties sharing a score', () => {
    const distribution = new RfmDistribution();
    const subjects: RfmSubject[] = Array.from({ length: 100 }, (_, index) => ({
      daysSinceLast: index,
      orderCount: index < 60 ? 1 : 2 + (index % 5),
      currency: 'USD',
      netRevenue: (index + 1) * 1000,
    }));
    for (const subject of subjects) distribution.add(subject);
    const cuts = distribution.cuts()!;
    expect(cuts.recencyDays).toEqual([19, 39, 59, 79]);
    expect(cuts.orders).toEqual([1, 1, 1, 4]);
    const scored = subjects.map((subject) => rfmScores(subject, cuts)!);
    const recency = [1, 2, 3, 4, 5].map((r) => scored.filter((scores) => scores.r === r).length);
    expect(recency).toEqual([20, 20, 20, 20, 20]);
    // 60 one-time buyers all score F = 1.
    expect(scored.filter((scores) => scores.f === 1)).toHaveLength(60);
    const monetary = [1, 2, 3, 4, 5].map((m) => scored.filter((scores) => scores.m === m).length);
    // The sketch places each cut within 1 %: each fifth holds 20 customers give or take one.
    for (const count of monetary) expect(Math.abs(count - 20)).toBeLessThanOrEqual(1);
    for (const scores of scored) expect(scores.score).toBe(scores.r + scores.f + scores.m);
  });

  it('are kept as one cell membership and read back from it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (r, f, m) => {
        expect(scoresOfCell(rfmCell({ r, f, m, score: r + f + m }))).toEqual({ r, f, m, score: r + f + m });
      }),
    );
    expect(scoresOfCell('vip')).toBeUndefined();
    expect(rfmScores({ daysSinceLast: 3, orderCount: 0, currency: 'USD', netRevenue: 0 }, { recencyDays: [1, 2, 3, 4], orders: [1, 1, 1, 1], monetary: {}, customers: 1 })).toBeUndefined();
  });
});
