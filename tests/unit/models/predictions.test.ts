import { describe, expect, it } from 'vitest';
import {
  bgnbdExpectedPurchases,
  bgnbdExpectedPurchasesNewCustomer,
  bgnbdExpectedTimeToNextPurchase,
  bgnbdProbabilityAlive,
  customerLifetimeValue,
  gammaGammaExpectedSpend,
  seededRandom,
  simulateBgnbdCustomer,
} from '../../../functions/core/models/index.ts';

// Published CDNOW estimates (Fader, Hardie & Lee 2005).
const cdnow = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const spend = { p: 6.25, q: 3.74, gamma: 15.44 };

/** ₂F₁(a, b; c; z) by its power series, summed until the terms vanish (|z| < 1). */
function seriesHypergeometric(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 100_000; n++) {
    term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/** Eq. (10) of Fader, Hardie & Lee (2005) exactly as printed, with the plain series. */
function paperConditionalExpectation(
  { r, alpha, a, b }: typeof cdnow,
  { x, tx, T }: { x: number; tx: number; T: number },
  t: number,
): number {
  const numerator =
    ((a + b + x - 1) / (a - 1)) *
    (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * seriesHypergeometric(r + x, b + x, a + b + x - 1, t / (alpha + T + t)));
  const denominator = 1 + (x > 0 ? 1 : 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x);
  return numerator / denominator;
}

describe('P(alive)', () => {
  it('is exactly 1 without repeat purchases', () => {
    expect(bgnbdProbabilityAlive(cdnow, { x: 0, tx: 0, T: 38.86 })).toBe(1);
    expect(bgnbdProbabilityAlive(cdnow, { x: 0, tx: 0, T: 0 })).toBe(1);
  });

  it('matches eq. (13) for a few customers', () => {
    for (const { x, tx, T } of [
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 1, tx: 2, T: 38 },
      { x: 7, tx: 35, T: 36 },
    ]) {
      const expected = 1 / (1 + (0.793 / (2.426 + x - 1)) * ((4.414 + T) / (4.414 + tx)) ** (0.243 + x));
      expect(bgnbdProbabilityAlive(cdnow, { x, tx, T })).toBeCloseTo(expected, 14);
    }
  });

  it('is 1 / (1 + a/(b+x−1)) for a customer who bought at the very end', () => {
    expect(bgnbdProbabilityAlive(cdnow, { x: 3, tx: 20, T: 20 })).toBeCloseTo(1 / (1 + 0.793 / 4.426), 14);
  });
});

describe('expected purchases', () => {
  const customers = [
    { x: 0, tx: 0, T: 38.86 },
    { x: 2, tx: 30.43, T: 38.86 },
    { x: 5, tx: 12, T: 30 },
    { x: 14, tx: 37, T: 38 },
  ];

  it('matches eq. (10) computed from the plain series', () => {
    for (const customer of customers) {
      for (const t of [1, 13, 39]) {
        const expected = paperConditionalExpectation(cdnow, customer, t);
        expect(Math.abs(bgnbdExpectedPurchases(cdnow, customer, t) - expected)).toBeLessThan(1e-9 * Math.max(1, expected));
      }
    }
  });

  it('grows like P(alive) · (r+x)/(α+T) · t for short horizons', () => {
    for (const customer of customers) {
      const t = 1e-4;
      const rate = (bgnbdProbabilityAlive(cdnow, customer) * (cdnow.r + customer.x)) / (cdnow.alpha + customer.T);
      expect(bgnbdExpectedPurchases(cdnow, customer, t) / t).toBeCloseTo(rate, 4);
    }
  });

  it('is 0 for a zero horizon and increases with the horizon', () => {
    const customer = { x: 2, tx: 30.43, T: 38.86 };
    expect(bgnbdExpectedPurchases(cdnow, customer, 0)).toBe(0);
    let previous = 0;
    for (const t of [1, 5, 20, 52, 104, 520]) {
      const value = bgnbdExpectedPurchases(cdnow, customer, t);
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
  });

  it('stays finite for heavy buyers', () => {
    const value = bgnbdExpectedPurchases(cdnow, { x: 200, tx: 38, T: 38.86 }, 52);
    expect(Number.isFinite(value)).toBe(true);
    // An alive heavy buyer purchases at about (r+x)/(α+T) per week.
    expect(value).toBeGreaterThan(0.5 * 52 * (200.243 / 43.274));
    expect(value).toBeLessThan(52 * (200.243 / 43.274));
  });

  it('is continuous through a = 1, where eq. (10) has a removable singularity', () => {
    const customer = { x: 3, tx: 20, T: 38.86 };
    const below = bgnbdExpectedPurchases({ ...cdnow, a: 0.999 }, customer, 39);
    const above = bgnbdExpectedPurchases({ ...cdnow, a: 1.001 }, customer, 39);
    const at = bgnbdExpectedPurchases({ ...cdnow, a: 1 }, customer, 39);
    expect(Number.isFinite(at)).toBe(true);
    expect(Math.abs(at - (below + above) / 2)).toBeLessThan(1e-5);
  });

  it('for a new customer, agrees with eq. (9) and with simulation', () => {
    const t = 39;
    const z = t / (cdnow.alpha + t);
    const eq9 =
      ((cdnow.a + cdnow.b - 1) / (cdnow.a - 1)) *
      (1 - (cdnow.alpha / (cdnow.alpha + t)) ** cdnow.r * seriesHypergeometric(cdnow.r, cdnow.b, cdnow.a + cdnow.b - 1, z));
    expect(bgnbdExpectedPurchasesNewCustomer(cdnow, t)).toBeCloseTo(eq9, 10);

    const random = seededRandom(2005);
    const draws = 200_000;
    let purchases = 0;
    let squares = 0;
    for (let i = 0; i < draws; i++) {
      const { x } = simulateBgnbdCustomer(random, cdnow, t);
      purchases += x;
      squares += x * x;
    }
    const mean = purchases / draws;
    const standardError = Math.sqrt((squares / draws - mean * mean) / draws);
    expect(Math.abs(mean - eq9)).toBeLessThan(4 * standardError);
  });
});

describe('expected time to the next purchase', () => {
  it('is where the expected number of purchases reaches 1', () => {
    for (const customer of [
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 10, tx: 38, T: 38.5 },
      { x: 0, tx: 0, T: 30 },
    ]) {
      const time = bgnbdExpectedTimeToNextPurchase(cdnow, customer);
      expect(time).not.toBeNull();
      expect(bgnbdExpectedPurchases(cdnow, customer, time ?? 0)).toBeCloseTo(1, 8);
    }
  });

  it('is shorter for frequent recent buyers than for lapsed ones', () => {
    const frequent = bgnbdExpectedTimeToNextPurchase(cdnow, { x: 10, tx: 38, T: 38.5 }) ?? Infinity;
    const lapsed = bgnbdExpectedTimeToNextPurchase(cdnow, { x: 10, tx: 10, T: 38.5 }) ?? Infinity;
    expect(frequent).toBeLessThan(lapsed);
  });

  it('is null when fewer than one further purchase is ever expected', () => {
    // With a > 1 the expected number of future purchases is bounded: (a+b+x−1)/(a−1) · P(alive) at most.
    const params = { r: 0.5, alpha: 10, a: 5, b: 1 };
    const customer = { x: 1, tx: 1, T: 30 };
    expect(bgnbdExpectedPurchases(params, customer, 1e6)).toBeLessThan(1);
    expect(bgnbdExpectedTimeToNextPurchase(params, customer)).toBeNull();
  });
});

describe('spend and lifetime value', () => {
  it('gives the expected spend as a weighted mean of population and customer means', () => {
    const { p, q, gamma } = spend;
    const x = 4;
    const m = 30;
    const weight = (p * x) / (p * x + q - 1);
    const expected = (1 - weight) * ((p * gamma) / (q - 1)) + weight * m;
    expect(gammaGammaExpectedSpend(spend, { x, meanRepeatValue: m })).toBeCloseTo(expected, 10);
    expect(gammaGammaExpectedSpend(spend, { x: 0, meanRepeatValue: 0 })).toBeCloseTo((p * gamma) / (q - 1), 12);
    expect(gammaGammaExpectedSpend({ ...spend, q: 0.9 }, { x: 0, meanRepeatValue: 0 })).toBeNaN();
  });

  it('values a customer at expected purchases times expected spend', () => {
    const customer = { x: 2, tx: 30.43, T: 38.86, meanRepeatValue: 22.35 };
    const horizon = 52;
    const undiscounted = customerLifetimeValue(cdnow, spend, customer, { horizon });
    const expected = bgnbdExpectedPurchases(cdnow, customer, horizon) * gammaGammaExpectedSpend(spend, customer);
    expect(undiscounted).toBeCloseTo(expected, 10);
    expect(customerLifetimeValue(cdnow, spend, customer, { horizon, discount: { ratePerPeriod: 0, periodLength: 4 } })).toBeCloseTo(undiscounted, 10);
    expect(customerLifetimeValue(cdnow, spend, customer, { horizon, discount: { ratePerPeriod: 0.1, periodLength: horizon } })).toBeCloseTo(undiscounted / 1.1, 10);
  });

  it('discounts each period’s expected purchases at the end of that period', () => {
    const customer = { x: 5, tx: 12, T: 30, meanRepeatValue: 40 };
    const month = 30 / 7;
    const horizon = 52;
    const value = customerLifetimeValue(cdnow, spend, customer, { horizon, discount: { ratePerPeriod: 0.01, periodLength: month } });
    const perPurchase = gammaGammaExpectedSpend(spend, customer);
    let expected = 0;
    let previous = 0;
    for (let k = 1; k <= Math.ceil(horizon / month); k++) {
      const cumulative = bgnbdExpectedPurchases(cdnow, customer, Math.min(k * month, horizon));
      expected += ((cumulative - previous) * perPurchase) / 1.01 ** k;
      previous = cumulative;
    }
    expect(value).toBeCloseTo(expected, 10);
    expect(value).toBeLessThan(customerLifetimeValue(cdnow, spend, customer, { horizon }));
  });
});
