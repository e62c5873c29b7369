/**
 * Special functions used by the customer models. The numerics come from the stdlib project
 * (ports of the Cephes / FreeBSD implementations); this module only gives them names that read
 * like the papers and adds the two tiny helpers the likelihoods need.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import betaln from '@stdlib/math-base-special-betaln';
import hyp2f1 from '@stdlib/math-base-special-hyp2f1';

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  return gammaln(x);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), computed without cancellation for large arguments. */
export function lnBeta(a: number, b: number): number {
  return betaln(a, b);
}

/** Gaussian hypergeometric function ₂F₁(a, b; c; z), for |z| < 1. */
export function hypergeometric2F1(a: number, b: number, c: number, z: number): number {
  return hyp2f1(a, b, c, z);
}

/** ln(eᵘ + eᵛ) without overflow. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}
