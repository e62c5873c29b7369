/**
 * Customer-base models: who is still a customer, how much more she will buy and what she is
 * worth. Pure computations on a purchase history; no I/O.
 */
export * from './summary.ts';
export * from './bgnbd.ts';
export * from './gamma-gamma.ts';
export * from './clv.ts';
export * from './simulate.ts';
export { bfgs, minimizeMultiStart, nelderMead } from './optimize.ts';
export type { BfgsOptions, FitOptions, MinimizeOptions, MinimizeResult, MultiStartOptions, Objective, SmoothObjective } from './optimize.ts';
export * from './posterior.ts';
export * from './intervals.ts';
