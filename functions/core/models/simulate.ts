/**
 * Seeded random draws from the models, for demos, checks and load tests: the same seed gives the
 * same customers on every platform.
 */
import type { BgnbdParams, RecencyFrequency } from './bgnbd.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';

export type Random = () => number;

/**
 * Uniform numbers in [0, 1) from a 32-bit seed: the sfc32 generator (Chris Doty-Humphrey's
 * "small fast counter", from PractRand), seeded through splitmix32.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let counter = 1;
  const next = (): number => {
    const t = (((a + b) >>> 0) + counter) >>> 0;
    counter = (counter + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  return () => next() / 4_294_967_296;
}

/** (0, 1): never exactly 0, so logarithms stay finite. */
function open(random: Random): number {
  let u = random();
  while (u === 0) u = random();
  return u;
}

function standardNormal(random: Random): number {
  return Math.sqrt(-2 * Math.log(open(random))) * Math.cos(2 * Math.PI * random());
}

/**
 * Gamma(shape, rate) draw by Marsaglia & Tsang (2000, "A simple method for generating gamma
 * variables", ACM TOMS 26(3)); shapes below 1 use the boost Gamma(k) = Gamma(k+1) · U^(1/k).
 */
export function sampleGamma(random: Random, shape: number, rate: number): number {
  if (!(shape > 0 && rate > 0)) throw new RangeError(`gamma shape and rate must be positive, got ${shape}, ${rate}`);
  if (shape < 1) return sampleGamma(random, shape + 1, rate) * Math.pow(open(random), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let normal: number;
    let v: number;
    do {
      normal = standardNormal(random);
      v = 1 + c * normal;
    } while (v <= 0);
    v = v * v * v;
    const u = open(random);
    if (u < 1 - 0.0331 * normal ** 4 || Math.log(u) < 0.5 * normal * normal + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

export function sampleBeta(random: Random, a: number, b: number): number {
  const left = sampleGamma(random, a, 1);
  const right = sampleGamma(random, b, 1);
  return left / (left + right);
}

/**
 * One customer's calibration data drawn from the BG/NBD model, observed for T time units after
 * her first purchase: λ ~ Gamma(r, α), p ~ Beta(a, b), exponential gaps between purchases and a
 * p-coin after each repeat purchase deciding whether she leaves.
 */
export function simulateBgnbdCustomer(random: Random, params: BgnbdParams, T: number): RecencyFrequency {
  const rate = sampleGamma(random, params.r, params.alpha);
  const dropout = sampleBeta(random, params.a, params.b);
  let x = 0;
  let tx = 0;
  let time = 0;
  for (;;) {
    time += -Math.log(open(random)) / rate;
    if (time > T) break;
    x++;
    tx = time;
    if (random() < dropout) break;
  }
  return { x, tx, T };
}

/**
 * Mean of x transaction values drawn from the Gamma-Gamma model for one customer:
 * ν ~ Gamma(q, γ), values ~ Gamma(p, ν), so their mean is Gamma(p·x, x·ν).
 */
export function simulateMeanSpend(random: Random, params: GammaGammaParams, x: number): number {
  const nu = sampleGamma(random, params.q, params.gamma);
  return sampleGamma(random, params.p * x, x * nu);
}

/**
 * Purchases of one known customer in the next t time units, drawn from the BG/NBD posterior given
 * her history (x, tx, T): alive with probability P(alive | x, tx, T) (eq. 13 of the paper); if
 * alive, her rate λ ~ Gamma(r + x, α + T) and drop-out probability p ~ Beta(a, b + x) (the prior
 * updated by x purchases survived over T), then exponential gaps and a p-coin after each purchase.
 * Repeated draws give the predictive distribution of the count, whose mean is eq. (10).
 */
export function simulateBgnbdFuturePurchases(random: Random, params: BgnbdParams, customer: RecencyFrequency, t: number, pAlive: number): number {
  if (!(random() < pAlive)) return 0;
  const rate = sampleGamma(random, params.r + customer.x, params.alpha + customer.T);
  const dropout = sampleBeta(random, params.a, params.b + customer.x);
  let count = 0;
  let time = 0;
  for (;;) {
    time += -Math.log(open(random)) / rate;
    if (time > t) return count;
    count++;
    if (random() < dropout) return count;
  }
}
