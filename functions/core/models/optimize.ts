/**
 * Minimisation for the model fits, which minimise a negative log-likelihood over log-parameters
 * (so the search space is unconstrained and every coordinate is on a comparable scale):
 *
 * - {@link bfgs}: quasi-Newton with an analytic gradient, fast and precise on smooth problems;
 * - {@link nelderMead}: the derivative-free simplex method with the dimension-adaptive
 *   coefficients of Gao & Han (2012, "Implementing the Nelder-Mead simplex algorithm with
 *   adaptive parameters", Computational Optimization and Applications 51(1));
 * - {@link minimizeMultiStart}: Nelder–Mead from several starts, the best one polished and
 *   restarted from its own result until the value stops improving (the usual cure for a simplex
 *   that collapsed before the optimum).
 */

export type Objective = (point: readonly number[]) => number;

export interface MinimizeOptions {
  /** Upper bound on objective evaluations for one simplex run. */
  maxEvaluations?: number;
  /** Convergence when every vertex is this close (max-norm) to the best one. */
  xTolerance?: number;
  /** ... and the spread of values is below this, relative to max(1, |best value|). */
  fTolerance?: number;
  /** Edge length of the initial simplex. */
  initialStep?: number;
}

export interface MinimizeResult {
  point: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

const defaults = { maxEvaluations: 5000, xTolerance: 1e-9, fTolerance: 1e-13, initialStep: 0.5 };

/** Non-finite objective values (overflow, log of zero) count as +∞ so the simplex moves away. */
function guarded(objective: Objective): Objective {
  return (point) => {
    const value = objective(point);
    return Number.isFinite(value) ? value : Infinity;
  };
}

/** One Nelder–Mead run from `start`. */
export function nelderMead(objective: Objective, start: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const { maxEvaluations, xTolerance, fTolerance, initialStep } = { ...defaults, ...options };
  const f = guarded(objective);
  const n = start.length;
  if (n === 0) throw new RangeError('nelderMead needs at least one dimension');
  const reflection = 1;
  const expansion = 1 + 2 / n;
  const contraction = 0.75 - 1 / (2 * n);
  const shrinkage = 1 - 1 / n;

  const vertices: number[][] = [Array.from(start)];
  for (let i = 0; i < n; i++) {
    const vertex = Array.from(start);
    vertex[i] = (vertex[i] ?? 0) + initialStep;
    vertices.push(vertex);
  }
  const values = vertices.map((vertex) => f(vertex));
  let evaluations = n + 1;
  let converged = false;
  const order = vertices.map((_, i) => i);

  const along = (from: readonly number[], towards: readonly number[], factor: number): number[] =>
    from.map((value, i) => value + factor * (value - (towards[i] ?? 0)));

  while (evaluations < maxEvaluations) {
    order.sort((i, j) => (values[i] ?? Infinity) - (values[j] ?? Infinity));
    const sortedVertices = order.map((i) => vertices[i] ?? []);
    const sortedValues = order.map((i) => values[i] ?? Infinity);
    for (let i = 0; i <= n; i++) {
      vertices[i] = sortedVertices[i] ?? [];
      values[i] = sortedValues[i] ?? Infinity;
      order[i] = i;
    }
    const best = vertices[0] ?? [];
    const bestValue = values[0] ?? Infinity;
    const worstValue = values[n] ?? Infinity;

    let spreadX = 0;
    for (let i = 1; i <= n; i++) {
      const vertex = vertices[i] ?? [];
      for (let k = 0; k < n; k++) spreadX = Math.max(spreadX, Math.abs((vertex[k] ?? 0) - (best[k] ?? 0)));
    }
    const spreadF = worstValue - bestValue;
    if (Number.isFinite(bestValue) && spreadX <= xTolerance && spreadF <= fTolerance * Math.max(1, Math.abs(bestValue))) {
      converged = true;
      break;
    }

    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const vertex = vertices[i] ?? [];
      for (let k = 0; k < n; k++) centroid[k] = (centroid[k] ?? 0) + (vertex[k] ?? 0) / n;
    }
    const worst = vertices[n] ?? [];
    const secondWorstValue = values[n - 1] ?? Infinity;

    const reflected = along(centroid, worst, reflection);
    const reflectedValue = f(reflected);
    evaluations++;
    if (reflectedValue < bestValue) {
      const expanded = along(centroid, worst, reflection * expansion);
      const expandedValue = f(expanded);
      evaluations++;
      if (expandedValue < reflectedValue) {
        vertices[n] = expanded;
        values[n] = expandedValue;
      } else {
        vertices[n] = reflected;
        values[n] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < secondWorstValue) {
      vertices[n] = reflected;
      values[n] = reflectedValue;
      continue;
    }
    if (reflectedValue < worstValue) {
      const outside = along(centroid, worst, reflection * contraction);
      const outsideValue = f(outside);
      evaluations++;
      if (outsideValue <= reflectedValue) {
        vertices[n] = outside;
        values[n] = outsideValue;
        continue;
      }
    } else {
      const inside = along(centroid, worst, -contraction);
      const insideValue = f(inside);
      evaluations++;
      if (insideValue < worstValue) {
        vertices[n] = inside;
        values[n] = insideValue;
        continue;
      }
    }
    // Shrink every vertex towards the best one.
    for (let i = 1; i <= n; i++) {
      const vertex = vertices[i] ?? [];
      const shrunk = vertex.map((value, k) => (best[k] ?? 0) + shrinkage * (value - (best[k] ?? 0)));
      vertices[i] = shrunk;
      values[i] = f(shrunk);
      evaluations++;
    }
  }

  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if ((values[i] ?? Infinity) < (values[bestIndex] ?? Infinity)) bestIndex = i;
  return { point: vertices[bestIndex] ?? Array.from(start), value: values[bestIndex] ?? Infinity, evaluations, converged };
}

export interface MultiStartOptions extends MinimizeOptions {
  /** Restarts of one run from its own result, at most. */
  maxRestarts?: number;
}

/**
 * Runs a coarse Nelder–Mead from each start, keeps the best result, then polishes it with the
 * full tolerances, restarting with a fresh simplex until a restart no longer improves the value.
 * `converged` says the last simplex met the tolerances.
 */
export function minimizeMultiStart(objective: Objective, starts: readonly (readonly number[])[], options: MultiStartOptions = {}): MinimizeResult {
  const maxRestarts = options.maxRestarts ?? 6;
  const fTolerance = options.fTolerance ?? defaults.fTolerance;
  const coarse = { ...options, xTolerance: 1e-4, fTolerance: 1e-8 };
  let best: MinimizeResult | undefined;
  let evaluations = 0;
  for (const start of starts) {
    const run = nelderMead(objective, start, coarse);
    evaluations += run.evaluations;
    if (!best || run.value < best.value) best = run;
  }
  if (!best) throw new RangeError('minimizeMultiStart needs at least one start');
  let run = nelderMead(objective, best.point, { ...options, initialStep: 0.1 });
  evaluations += run.evaluations;
  if (best.value < run.value) run = { ...best, converged: false };
  for (let restart = 0; restart < maxRestarts; restart++) {
    const again = nelderMead(objective, run.point, { ...options, initialStep: 0.05 });
    evaluations += again.evaluations;
    const improved = run.value - again.value > fTolerance * Math.max(1, Math.abs(run.value));
    if (again.value <= run.value) run = again;
    if (!improved) break;
  }
  return { ...run, evaluations };
}

/** Knobs of the model fits. */
export interface FitOptions {
  /** Restarts of each simplex run from its own result, at most (default 6). */
  maxRestarts?: number;
  /** Objective evaluations per simplex run, at most (default 5000). */
  maxEvaluations?: number;
}

/** Value and gradient of a smooth objective at one point. */
export type SmoothObjective = (point: readonly number[]) => { value: number; gradient: number[] };

export interface BfgsOptions {
  /** Iterations at most (default 500). */
  maxIterations?: number;
  /** Convergence when every gradient component is below this times max(1, |value|) (default 1e-10). */
  gradientTolerance?: number;
  /** Longest step (max-norm) tried from one point, which keeps exp(parameters) from overflowing (default 2). */
  maxStep?: number;
}

/**
 * Quasi-Newton minimisation: BFGS updates of the inverse Hessian (Nocedal & Wright, "Numerical
 * Optimization", 2nd ed., algorithm 6.1, with the initial scaling of eq. 6.20) and a
 * backtracking line search on the Armijo condition; updates that would break positive
 * definiteness (yᵀs ≤ 0) are skipped. `evaluations` counts value-and-gradient evaluations.
 */
export function bfgs(objective: SmoothObjective, start: readonly number[], options: BfgsOptions = {}): MinimizeResult {
  const maxIterations = options.maxIterations ?? 500;
  const gradientTolerance = options.gradientTolerance ?? 1e-10;
  const maxStep = options.maxStep ?? 2;
  const n = start.length;
  const evaluate = (point: readonly number[]): { value: number; gradient: number[] } => {
    const result = objective(point);
    const finite = Number.isFinite(result.value) && result.gradient.every(Number.isFinite);
    return finite ? result : { value: Infinity, gradient: result.gradient };
  };
  const identity = (): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let point = Array.from(start);
  let { value, gradient } = evaluate(point);
  let evaluations = 1;
  if (!Number.isFinite(value)) return { point, value, evaluations, converged: false };
  let inverseHessian = identity();
  let fresh = true;
  let converged = false;

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (gradient.every((g) => Math.abs(g) <= gradientTolerance * Math.max(1, Math.abs(value)))) {
      converged = true;
      break;
    }
    let direction = inverseHessian.map((row) => -row.reduce((sum, h, j) => sum + h * (gradient[j] ?? 0), 0));
    let slope = direction.reduce((sum, d, i) => sum + d * (gradient[i] ?? 0), 0);
    if (!(slope < 0)) {
      inverseHessian = identity();
      fresh = true;
      direction = gradient.map((g) => -g);
      slope = direction.reduce((sum, d, i) => sum + d * (gradient[i] ?? 0), 0);
    }
    const longest = Math.max(...direction.map(Math.abs));
    let step = longest > maxStep ? maxStep / longest : 1;
    let next: number[] = point;
    let trial = { value: Infinity, gradient };
    let accepted = false;
    for (let backtrack = 0; backtrack < 60; backtrack++) {
      next = point.map((x, i) => x + step * (direction[i] ?? 0));
      trial = evaluate(next);
      evaluations++;
      if (trial.value <= value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      if (fresh) break;
      inverseHessian = identity();
      fresh = true;
      continue;
    }
    const s = next.map((x, i) => x - (point[i] ?? 0));
    const y = trial.gradient.map((g, i) => g - (gradient[i] ?? 0));
    const ys = y.reduce((sum, yi, i) => sum + yi * (s[i] ?? 0), 0);
    const previousValue = value;
    point = next;
    value = trial.value;
    gradient = trial.gradient;
    if (ys > 1e-300) {
      if (fresh) {
        const yy = y.reduce((sum, yi) => sum + yi * yi, 0);
        inverseHessian = identity().map((row) => row.map((h) => (h * ys) / yy));
        fresh = false;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(yᵀs)
      const rho = 1 / ys;
      const hy = inverseHessian.map((row) => row.reduce((sum, h, j) => sum + h * (y[j] ?? 0), 0));
      const yhy = y.reduce((sum, yi, i) => sum + yi * (hy[i] ?? 0), 0);
      inverseHessian = inverseHessian.map((row, i) =>
        row.map((h, j) => h - rho * ((hy[i] ?? 0) * (s[j] ?? 0) + (s[i] ?? 0) * (hy[j] ?? 0)) + (rho * rho * yhy + rho) * (s[i] ?? 0) * (s[j] ?? 0)),
      );
    }
    if (Math.abs(previousValue - value) <= 1e-16 * Math.max(1, Math.abs(value)) && Math.max(...s.map(Math.abs)) <= 1e-12) {
      converged = gradient.every((g) => Math.abs(g) <= 1e-6 * Math.max(1, Math.abs(value)));
      break;
    }
  }
  return { point, value, evaluations, converged };
}
