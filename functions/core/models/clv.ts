/**
 * Customer lifetime value over a finite horizon from the two models: expected number of
 * purchases (BG/NBD) times the expected value of a purchase (Gamma-Gamma), the two processes
 * being independent in the model (Fader, Hardie & Lee 2005, JMR 42(4)).
 */
import { bgnbdExpectedPurchases } from './bgnbd.ts';
import type { BgnbdParams, RecencyFrequency } from './bgnbd.ts';
import { gammaGammaExpectedSpend } from './gamma-gamma.ts';
import type { GammaGammaParams, SpendObservation } from './gamma-gamma.ts';

export interface Discounting {
  /** Discount rate per period, e.g. 0.01 for 1 % a month. */
  ratePerPeriod: number;
  /** Length of one period in the model's time unit (30/7 for a month when the unit is the week). */
  periodLength: number;
}

export interface ClvOptions {
  /** Horizon in the model's time unit. */
  horizon: number;
  /** Without it the value is not discounted. */
  discount?: Discounting;
}

/**
 * Predicted value of one customer over the next `horizon` time units.
 *
 * Undiscounted: E[Y(horizon) | x, tx, T] · E[M | x, m].
 *
 * Discounted: the horizon is cut into periods of `periodLength` (the last one possibly shorter);
 * the purchases expected in period k, E[Y(k·L)] − E[Y((k−1)·L)], are valued at E[M] and
 * discounted by (1 + d)^k, i.e. as if paid at the end of their period (the scheme of the
 * `lifetimes` package's customer_lifetime_value).
 */
export function customerLifetimeValue(
  bgnbd: BgnbdParams,
  gammaGamma: GammaGammaParams,
  customer: RecencyFrequency & SpendObservation,
  options: ClvOptions,
): number {
  return discountedExpectedPurchases(bgnbd, customer, options) * gammaGammaExpectedSpend(gammaGamma, customer);
}

/**
 * The purchase part of {@link customerLifetimeValue}: expected purchases over the horizon, each
 * discounted as above (the CLV at a value of 1 per purchase). The spend model being independent,
 * CLV = this × E[M | x, m].
 */
export function discountedExpectedPurchases(bgnbd: BgnbdParams, customer: RecencyFrequency, options: ClvOptions): number {
  const { horizon, discount } = options;
  if (!(horizon >= 0)) throw new RangeError(`horizon must be >= 0, got ${horizon}`);
  if (!discount) return bgnbdExpectedPurchases(bgnbd, customer, horizon);
  const { ratePerPeriod, periodLength } = discount;
  if (!(periodLength > 0)) throw new RangeError(`periodLength must be > 0, got ${periodLength}`);
  if (!(ratePerPeriod > -1)) throw new RangeError(`ratePerPeriod must be > -1, got ${ratePerPeriod}`);
  let value = 0;
  let previous = 0;
  const periods = Math.ceil(horizon / periodLength - 1e-12);
  for (let k = 1; k <= periods; k++) {
    const expected = bgnbdExpectedPurchases(bgnbd, customer, Math.min(k * periodLength, horizon));
    value += (expected - previous) / Math.pow(1 + ratePerPeriod, k);
    previous = expected;
  }
  return value;
}
