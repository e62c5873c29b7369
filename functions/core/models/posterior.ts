/**
 * Bayesian pieces shared by the model fits: normal priors on the logarithm of each parameter, and
 * the Laplace approximation of the posterior at its mode (maximum a posteriori, MAP).
 *
 * The fits search over θ = ln(parameters). A prior N(μ, σ²) on one coordinate adds
 * −(θ − μ)²/(2σ²) to the log-likelihood (up to a constant), so MAP = argmax ln L + ln prior.
 * Near the mode the log-posterior is close to a quadratic; its curvature H (the Hessian of the
 * negative log-posterior in θ) gives the approximation θ ~ N(θ̂, H⁻¹), from which parameter draws
 * are taken to turn every prediction into a credible interval (Gelman et al., "Bayesian Data
 * Analysis", 3rd ed., §4.1). The Hessian comes from central finite differences: of the analytic
 * gradient where the model has one (BG/NBD), of the value otherwise (Gamma-Gamma).
 */
import type { Random } from './simulate.ts';

/** A normal prior on the natural logarithm of one parameter (a log-normal prior on the parameter). */
export interface LogNormalPrior {
  /** Mean of ln θ (the prior median of θ is exp(mean)). */
  mean: number;
  /** Standard deviation of ln θ: 2 lets θ range over a factor of e⁴ ≈ 55 either way at 95 %. */
  sd: number;
}

/** Σ −(θᵢ − μᵢ)²/(2σᵢ²) over the coordinates (the normalising constants dropped). */
export function logPrior(point: readonly number[], priors: readonly LogNormalPrior[]): number {
  let total = 0;
  priors.forEach(({ mean, sd }, i) => {
    const z = ((point[i] ?? 0) - mean) / sd;
    total -= 0.5 * z * z;
  });
  return total;
}

/** Gradient of {@link logPrior}: −(θᵢ − μᵢ)/σᵢ². */
export function logPriorGradient(point: readonly number[], priors: readonly LogNormalPrior[]): number[] {
  return priors.map(({ mean, sd }, i) => -((point[i] ?? 0) - mean) / (sd * sd));
}

/** Hessian of a function with an analytic gradient, by central differences of that gradient, symmetrised. */
export function hessianFromGradient(gradient: (point: readonly number[]) => number[], point: readonly number[], step = 1e-4): number[][] {
  const n = point.length;
  const columns: number[][] = [];
  for (let j = 0; j < n; j++) {
    const up = Array.from(point);
    const down = Array.from(point);
    up[j] = (up[j] ?? 0) + step;
    down[j] = (down[j] ?? 0) - step;
    const gUp = gradient(up);
    const gDown = gradient(down);
    columns.push(gUp.map((g, i) => (g - (gDown[i] ?? 0)) / (2 * step)));
  }
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => ((columns[j]?.[i] ?? 0) + (columns[i]?.[j] ?? 0)) / 2));
}

/** Hessian of a function from its values: central second differences (n² + n + 1 evaluations). */
export function hessianFromValues(value: (point: readonly number[]) => number, point: readonly number[], step = 1e-3): number[][] {
  const n = point.length;
  const at = (shifts: [number, number][]): number => {
    const moved = Array.from(point);
    for (const [index, by] of shifts) moved[index] = (moved[index] ?? 0) + by;
    return value(moved);
  };
  const centre = value(point);
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const row = hessian[i] ?? [];
    row[i] = (at([[i, step]]) - 2 * centre + at([[i, -step]])) / (step * step);
    for (let j = 0; j < i; j++) {
      const mixed =
        (at([[i, step], [j, step]]) - at([[i, step], [j, -step]]) - at([[i, -step], [j, step]]) + at([[i, -step], [j, -step]])) / (4 * step * step);
      row[j] = mixed;
      const other = hessian[j] ?? [];
      other[i] = mixed;
    }
  }
  return hessian;
}

/** Lower-triangular L with L Lᵀ = A, or undefined when A is not (numerically) positive definite. */
export function cholesky(matrix: readonly (readonly number[])[]): number[][] | undefined {
  const n = matrix.length;
  const lower = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]?.[j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (lower[i]?.[k] ?? 0) * (lower[j]?.[k] ?? 0);
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
        (lower[i] ?? [])[i] = Math.sqrt(sum);
      } else {
        (lower[i] ?? [])[j] = sum / (lower[j]?.[j] ?? 1);
      }
    }
  }
  return lower;
}

/** Inverse of a symmetric positive definite matrix through its Cholesky factor; undefined when not positive definite. */
export function invertPositiveDefinite(matrix: readonly (readonly number[])[]): number[][] | undefined {
  const lower = cholesky(matrix);
  if (!lower) return undefined;
  const n = matrix.length;
  // Solve L Lᵀ X = I column by column.
  const inverse = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let column = 0; column < n; column++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let sum = i === column ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= (lower[i]?.[k] ?? 0) * (y[k] ?? 0);
      y[i] = sum / (lower[i]?.[i] ?? 1);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = y[i] ?? 0;
      for (let k = i + 1; k < n; k++) sum -= (lower[k]?.[i] ?? 0) * (inverse[k]?.[column] ?? 0);
      (inverse[i] ?? [])[column] = sum / (lower[i]?.[i] ?? 1);
    }
  }
  return inverse;
}

/**
 * The covariance H⁻¹ of the Laplace approximation, H the Hessian of the negative log-posterior at
 * the mode; undefined when H is not positive definite (a flat direction: the data and the prior do
 * not pin the model down, and no honest interval can be given).
 */
export function laplaceCovariance(hessian: readonly (readonly number[])[]): number[][] | undefined {
  const covariance = invertPositiveDefinite(hessian);
  if (!covariance || !covariance.every((row) => row.every(Number.isFinite))) return undefined;
  return covariance;
}

function standardNormal(random: Random): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** `count` draws of N(mean, covariance); throws when the covariance is not positive definite. */
export function sampleMultivariateNormal(random: Random, mean: readonly number[], covariance: readonly (readonly number[])[], count: number): number[][] {
  const lower = cholesky(covariance);
  if (!lower) throw new RangeError('the covariance is not positive definite');
  const draws: number[][] = [];
  for (let d = 0; d < count; d++) {
    const z = mean.map(() => standardNormal(random));
    draws.push(mean.map((m, i) => m + (lower[i] ?? []).reduce((sum, l, k) => sum + l * (z[k] ?? 0), 0)));
  }
  return draws;
}

/** The q-quantile (0 ≤ q ≤ 1) of values, by linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((u, v) => u - v);
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return (sorted[low] ?? 0) + (position - low) * ((sorted[high] ?? 0) - (sorted[low] ?? 0));
}
