import { describe, expect, it } from 'vitest';
import { dayOf, isoDay, type CustomerFacts } from '../../../functions/core/analytics/facts.ts';
import {
  daysToNextPurchase,
  fitModels,
  ModelSample,
  Predictor,
  refitDue,
  roundPredictions,
  predictionsMoved,
  type FittedModels,
} from '../../../functions/core/analytics/predictions.ts';
import { unavailableReason } from '../../../functions/core/analytics/prediction-availability.ts';
import { recomputeSettings } from '../../../functions/core/analytics/settings.ts';
import {
  bgnbdExpectedPurchases,
  bgnbdExpectedTimeToNextPurchase,
  bgnbdProbabilityAlive,
  customerLifetimeValue,
  seededRandom,
  simulateBgnbdCustomer,
  simulateMeanSpend,
} from '../../../functions/core/models/index.ts';
import { defaults, factsOf, profileOf } from './customers.ts';

// The published CDNOW estimates (weeks), in days: alpha scales with the time unit.
const perDay = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };
const spend = { p: 6.25, q: 3.74, gamma: 15.44 * 100 };
const today = '2026-06-01';

function factsWith(model: CustomerFacts['model'], currency = 'USD'): CustomerFacts {
  return { customerId: 'x', currency, model } as CustomerFacts;
}

function simulatedSample(customers: number, capacity = customers): ModelSample {
  const random = seededRandom(7);
  const sample = new ModelSample(capacity, 1);
  for (let i = 0; i < customers; i++) {
    const T = 100 + Math.floor(random() * 400);
    const drawn = simulateBgnbdCustomer(random, perDay, T);
    const tx = drawn.x > 0 ? Math.min(T, Math.max(1, Math.round(drawn.tx))) : 0;
    const meanRepeatValue = drawn.x > 0 ? simulateMeanSpend(random, spend, drawn.x) : 0;
    sample.add(factsWith({ x: drawn.x, tx, T, meanRepeatValue }));
  }
  return sample;
}

const models: FittedModels = {
  fittedAt: '2026-05-28T02:30:00.000Z',
  unit: 'day',
  available: true,
  customers: 1000,
  repeatBuyers: 400,
  sampled: 1000,
  bgnbd: { ...perDay, logLikelihood: -1, converged: true },
  gammaGamma: { USD: { ...spend, customers: 400, converged: true } },
};

describe('fitting the models', () => {
  it('fits both on the store history once there are enough repeat buyers', () => {
    const sample = simulatedSample(4000);
    const fitted = fitModels(sample, defaults.models, '2026-06-01T02:30:00.000Z');
    expect(fitted).toMatchObject({ available: true, unit: 'day', customers: 4000, sampled: 4000 });
    expect(fitted.repeatBuyers).toBeGreaterThan(1000);
    expect(fitted.bgnbd?.converged).toBe(true);
    // The fit recovers the population purchase rate r/alpha to within a fifth.
    expect((fitted.bgnbd!.r / fitted.bgnbd!.alpha) / (perDay.r / perDay.alpha)).toBeGreaterThan(0.8);
    expect((fitted.bgnbd!.r / fitted.bgnbd!.alpha) / (perDay.r / perDay.alpha)).toBeLessThan(1.25);
    expect(Object.keys(fitted.gammaGamma)).toEqual(['USD']);
  });

  it('says predictions are not yet available with too few repeat buyers', () => {
    const sample = new ModelSample(20, 1);
    for (let i = 0; i < 57; i++) sample.add(factsWith({ x: i % 3 === 0 ? 2 : 0, tx: i % 3 === 0 ? 20 : 0, T: 100, meanRepeatValue: 500 }));
    const fitted = fitModels(sample, defaults.models, '2026-06-01T02:30:00.000Z');
    expect(fitted).toMatchObject({ available: false, repeatBuyers: 19, customers: 57, sampled: 20 });
    expect(fitted.reason).toBe('19 customer(s) have bought again so far; predictions start at 20 repeat buyers');
    expect(fitted.bgnbd).toBeUndefined();
  });

  it('predicts with 80 % credible intervals for a store of 20-odd repeat buyers, wider than for a large store', () => {
    const small = simulatedSample(60);
    expect(small.repeatBuyers).toBeGreaterThanOrEqual(20);
    expect(small.repeatBuyers).toBeLessThan(40);
    const fitted = fitModels(small, defaults.models, '2026-06-01T02:30:00.000Z');
    expect(fitted.available).toBe(true);
    expect(fitted.bgnbd?.covariance).toHaveLength(4);
    expect(fitted.gammaGamma.USD?.covariance).toHaveLength(3);
    const large = fitModels(simulatedSample(4000), defaults.models, '2026-06-01T02:30:00.000Z');
    const facts = factsOf(profileOf('f', [{ at: '2025-06-01', totalMinor: 3000 }, { at: '2025-09-01', totalMinor: 2000 }, { at: '2026-05-01', totalMinor: 4000 }]), today);
    const fromSmall = new Predictor(fitted, dayOf(today), defaults.models).predict(facts)!;
    const fromLarge = new Predictor(large, dayOf(today), defaults.models).predict(facts)!;
    for (const predicted of [fromSmall, fromLarge]) {
      const { intervals } = predicted;
      expect(intervals?.level).toBe(0.8);
      const [low, high] = intervals!.expectedPurchases90d;
      expect(low).toBeLessThan(predicted.expectedPurchases90d);
      expect(high).toBeGreaterThan(predicted.expectedPurchases90d);
      expect(intervals!.pAlive[0]).toBeLessThanOrEqual(predicted.pAlive);
      expect(intervals!.pAlive[1]).toBeGreaterThanOrEqual(predicted.pAlive);
      expect(intervals!.predictedClv![0]).toBeLessThan(predicted.predictedClv!);
      expect(intervals!.predictedClv![1]).toBeGreaterThan(predicted.predictedClv!);
      expect(intervals!.purchases90d.every(Number.isInteger)).toBe(true);
      expect(intervals!.purchases90d[0]).toBeLessThanOrEqual(intervals!.purchases90d[1]);
    }
    const width = (predicted: typeof fromSmall): number => predicted.intervals!.expectedPurchases90d[1] - predicted.intervals!.expectedPurchases90d[0];
    expect(width(fromSmall)).toBeGreaterThan(3 * width(fromLarge));
    // The same customer gets the same intervals whatever order the store is read in.
    expect(new Predictor(fitted, dayOf(today), defaults.models).predict(facts)).toEqual(fromSmall);
    // A store above 25,000 customers gets the delta method's intervals: the same within the noise of 40 draws.
    for (const models of [fitted, large]) {
      const drawn = new Predictor(models, dayOf(today), defaults.models).predict(facts)!;
      const delta = new Predictor({ ...models, customers: 30_000 }, dayOf(today), defaults.models).predict(facts)!;
      expect(delta.pAlive).toBe(drawn.pAlive);
      expect(delta.intervals!.purchases90d).toEqual(drawn.intervals!.purchases90d);
      for (const key of ['pAlive', 'expectedPurchases90d', 'predictedClv'] as const) {
        const [low, high] = drawn.intervals![key]!;
        const [deltaLow, deltaHigh] = delta.intervals![key]!;
        expect(Math.abs(deltaLow - low)).toBeLessThan(0.35 * (high - low));
        expect(Math.abs(deltaHigh - high)).toBeLessThan(0.35 * (high - low));
      }
    }
  });

  it('keeps a uniform sample of bounded size and counts every customer', () => {
    const sample = simulatedSample(3000, 500);
    expect(sample.size).toBe(500);
    expect(sample.customers).toBe(3000);
    expect([...sample.customersIn()]).toHaveLength(500);
  });

  it('merges samples of separate scan segments in proportion to the customers each saw', () => {
    const big = new ModelSample(1000, 3);
    const small = new ModelSample(1000, 4);
    for (let i = 0; i < 9000; i++) big.add(factsWith({ x: 1, tx: 10, T: 100, meanRepeatValue: 100 }));
    for (let i = 0; i < 1000; i++) small.add(factsWith({ x: 0, tx: 0, T: 50, meanRepeatValue: 0 }, 'EUR'));
    big.merge(small);
    expect(big.customers).toBe(10_000);
    expect(big.repeatBuyers).toBe(9000);
    expect(big.spendersByCurrency).toEqual({ USD: 9000 });
    const merged = [...big.customersIn()];
    expect(merged).toHaveLength(1000);
    const fromSmall = merged.filter((customer) => customer.T === 50).length;
    expect(fromSmall).toBeGreaterThan(60);
    expect(fromSmall).toBeLessThan(140);
    expect([...big.spendersIn('USD')]).toHaveLength(1000 - fromSmall);
  });

  it('is due weekly, and at once while unavailable', () => {
    const rules = defaults.models;
    expect(refitDue(undefined, new Date(), rules)).toBe(true);
    expect(refitDue(models, new Date('2026-06-01T02:30:00Z'), rules)).toBe(false);
    expect(refitDue(models, new Date('2026-06-04T02:30:00Z'), rules)).toBe(true);
    expect(refitDue({ ...models, available: false }, new Date('2026-05-29T02:30:00Z'), rules)).toBe(true);
  });
});

describe('per-customer predictions', () => {
  const predictor = new Predictor(models, dayOf(today), defaults.models);

  it('are the closed-form values of the models for a couple of customers', () => {
    const loyal = profileOf('loyal', [{ at: '2025-06-01', totalMinor: 3000 }, { at: '2025-09-01', totalMinor: 2000 }, { at: '2026-05-01', totalMinor: 4000 }]);
    const lapsed = profileOf('lapsed', [{ at: '2025-01-10', totalMinor: 1500 }, { at: '2025-02-01', totalMinor: 1500 }]);
    for (const profile of [loyal, lapsed]) {
      const facts = factsOf(profile, today);
      const { x, tx, T, meanRepeatValue } = facts.model;
      const predicted = predictor.predict(facts)!;
      const next = bgnbdExpectedTimeToNextPurchase(perDay, { x, tx, T }, { maxHorizon: 3650 });
      expect(predicted).toEqual({
        pAlive: bgnbdProbabilityAlive(perDay, { x, tx, T }),
        expectedPurchases90d: bgnbdExpectedPurchases(perDay, { x, tx, T }, 90),
        expectedNextOrderAt: next === null ? null : `${isoDay(dayOf(today) + Math.ceil(next))}T00:00:00.000Z`,
        predictedClv: customerLifetimeValue(perDay, spend, { x, tx, T, meanRepeatValue }, { horizon: 365 }),
        currency: 'USD',
        fittedAt: models.fittedAt,
        asOf: today,
      });
    }
    expect(factsOf(loyal, today).model).toEqual({ x: 2, tx: 334, T: 365, meanRepeatValue: 3000 });
    expect(predictor.predict(factsOf(loyal, today))!.pAlive).toBeGreaterThan(predictor.predict(factsOf(lapsed, today))!.pAlive);
  });

  it('discounts the CLV when told to, and has none without a spend model for the currency', () => {
    const facts = factsOf(profileOf('d', [{ at: '2026-01-01' }, { at: '2026-03-01' }]), today);
    const discounted = new Predictor(models, dayOf(today), recomputeSettings({ models: { monthlyDiscountRate: 0.01 } }).models).predict(facts)!;
    expect(discounted.predictedClv).toBeCloseTo(
      customerLifetimeValue(perDay, spend, facts.model, { horizon: 365, discount: { ratePerPeriod: 0.01, periodLength: 30 } }),
      9,
    );
    expect(discounted.predictedClv!).toBeLessThan(predictor.predict(facts)!.predictedClv!);
    expect(predictor.predict({ ...facts, currency: 'EUR' })!.predictedClv).toBeNull();
  });

  it('finds the day of the next expected order as the closed form does, to the day', () => {
    for (const customer of [{ x: 5, tx: 200, T: 210 }, { x: 1, tx: 30, T: 60 }, { x: 0, tx: 0, T: 10 }, { x: 3, tx: 20, T: 700 }]) {
      const exact = bgnbdExpectedTimeToNextPurchase(perDay, customer, { maxHorizon: 3650 });
      expect(daysToNextPurchase(perDay, customer)).toBe(exact === null ? null : Math.ceil(exact));
    }
  });

  it('are rounded as stored, and rewritten only once they move enough to matter', () => {
    const facts = factsOf(profileOf('r', [{ at: '2026-01-01' }, { at: '2026-03-01' }]), today);
    const first = roundPredictions(predictor.predict(facts)!);
    expect(Number.isInteger(first.predictedClv)).toBe(true);
    expect(String(first.pAlive).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(4);
    expect(first.asOf).toBe(today);
    expect(predictionsMoved(first, roundPredictions(predictor.predict(facts)!))).toBe(false);
    // A day later nothing has moved enough; two months later P(alive) has.
    const nextDay = new Predictor(models, dayOf(today) + 1, defaults.models);
    expect(predictionsMoved(first, roundPredictions(nextDay.predict(factsOf(profileOf('r', [{ at: '2026-01-01' }, { at: '2026-03-01' }]), '2026-06-02'))!))).toBe(false);
    const later = new Predictor(models, dayOf('2026-08-01'), defaults.models);
    expect(predictionsMoved(first, roundPredictions(later.predict(factsOf(profileOf('r', [{ at: '2026-01-01' }, { at: '2026-03-01' }]), '2026-08-01'))!))).toBe(true);
    expect(predictionsMoved(undefined, first)).toBe(true);
    expect(predictionsMoved({ ...first, fittedAt: 'earlier' }, first)).toBe(true);
    expect(predictionsMoved({ ...first, pAlive: first.pAlive + 0.009 }, first)).toBe(false);
    expect(predictionsMoved({ ...first, pAlive: first.pAlive + 0.011 }, first)).toBe(true);
    expect(predictionsMoved({ ...first, predictedClv: null }, first)).toBe(true);
    expect(predictionsMoved({ ...first, expectedNextOrderAt: null }, { ...first, expectedNextOrderAt: '2026-07-01T00:00:00.000Z' })).toBe(true);
    // The next order date may move by 7 days, or a tenth of how far ahead it was.
    const soon = { ...first, asOf: '2026-06-01', expectedNextOrderAt: '2026-06-21T00:00:00.000Z' };
    expect(predictionsMoved(soon, { ...soon, expectedNextOrderAt: '2026-06-27T00:00:00.000Z' })).toBe(false);
    expect(predictionsMoved(soon, { ...soon, expectedNextOrderAt: '2026-06-28T00:00:00.000Z' })).toBe(true);
    const far = { ...first, asOf: '2026-06-01', expectedNextOrderAt: '2028-06-01T00:00:00.000Z' };
    expect(predictionsMoved(far, { ...far, expectedNextOrderAt: '2028-08-01T00:00:00.000Z' })).toBe(false);
    expect(predictionsMoved(far, { ...far, expectedNextOrderAt: '2028-10-01T00:00:00.000Z' })).toBe(true);
    const { asOf: _asOf, ...withoutDay } = first;
    expect(predictionsMoved(withoutDay as typeof first, first)).toBe(true);
    // Intervals are written when they first appear.
    const withIntervals = { ...first, intervals: { level: 0.8, pAlive: [0.1, 0.3], expectedPurchases90d: [0.01, 0.02], purchases90d: [0, 1], predictedClv: [100, 900] } } as typeof first;
    expect(predictionsMoved(first, withIntervals)).toBe(true);
    expect(predictionsMoved(withIntervals, withIntervals)).toBe(false);
  });

  it('round intervals as stored, and leave them out for models fitted without a covariance', () => {
    expect(predictor.predict(factsOf(profileOf('n', [{ at: '2026-01-01' }, { at: '2026-03-01' }]), today))!.intervals).toBeUndefined();
    const rounded = roundPredictions({
      pAlive: 0.123456,
      expectedPurchases90d: 0.98765,
      expectedNextOrderAt: null,
      predictedClv: 1234.6,
      currency: 'USD',
      fittedAt: 'f',
      asOf: today,
      intervals: { level: 0.8, pAlive: [0.111111, 0.199999], expectedPurchases90d: [0.5, 1.444449], purchases90d: [0, 2], predictedClv: [700.4, 1800.5] },
    });
    expect(rounded.intervals).toEqual({ level: 0.8, pAlive: [0.1111, 0.2], expectedPurchases90d: [0.5, 1.4444], purchases90d: [0, 2], predictedClv: [700, 1801] });
  });

  it('explain why they are missing', () => {
    expect(unavailableReason(undefined)).toMatch(/not fitted the models yet/);
    expect(unavailableReason({ available: false, reason: '12 customer(s) have bought again so far' })).toBe(
      'predictions are not yet available: 12 customer(s) have bought again so far',
    );
    expect(unavailableReason({ available: true })).toMatch(/after the next nightly recompute/);
  });
});
