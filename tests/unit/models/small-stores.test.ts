/**
 * MAP against maximum likelihood and a naive baseline on small stores: CDNOW subsamples of 50, 100,
 * 200 and 500 customers (ten seeded draws each from the 23,570 of the master file), calibration and
 * holdout 39 weeks each (holdout.ts). Prints the table the README shows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateDraw, readCdnowMaster, type CdnowCustomer, type DrawResult } from './holdout.ts';

const sizes = [50, 100, 200, 500] as const;
const drawsPerSize = 10;

interface Row {
  size: number;
  repeatBuyers: number;
  mapMae: number;
  naiveMae: number;
  /** Draws where maximum likelihood gave usable predictions, and the two errors on those draws. */
  mleUsable: number;
  mleMaeUsable: number;
  mapMaeUsable: number;
  mapRmse: number;
  naiveRmse: number;
  mapConverged: number;
  coverage: number;
  width: number;
}

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

function rowOf(size: number, draws: readonly DrawResult[]): Row {
  const usable = draws.filter((draw) => draw.mleUsable);
  return {
    size,
    repeatBuyers: mean(draws.map((draw) => draw.repeatBuyers)),
    mapMae: mean(draws.map((draw) => draw.mae.map)),
    naiveMae: mean(draws.map((draw) => draw.mae.naive)),
    mleUsable: usable.length,
    mleMaeUsable: mean(usable.map((draw) => draw.mae.mle)),
    mapMaeUsable: mean(usable.map((draw) => draw.mae.map)),
    mapRmse: mean(draws.map((draw) => draw.rmse.map)),
    naiveRmse: mean(draws.map((draw) => draw.rmse.naive)),
    mapConverged: draws.filter((draw) => draw.mapConverged).length,
    coverage: mean(draws.map((draw) => draw.coverage)),
    width: mean(draws.map((draw) => draw.meanWidth)),
  };
}

function table(rows: readonly Row[]): string {
  const f = (value: number): string => value.toFixed(3);
  return [
    '| customers | repeat buyers (mean) | MAE MAP | MAE naive | RMSE MAP / naive | MLE usable | MAE MLE / MAP where MLE is usable | 80 % interval holds the count | mean width |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.size} | ${row.repeatBuyers.toFixed(1)} | ${f(row.mapMae)} | ${f(row.naiveMae)} | ${f(row.mapRmse)} / ${f(row.naiveRmse)} | ` +
        `${row.mleUsable} of ${drawsPerSize} | ${f(row.mleMaeUsable)} / ${f(row.mapMaeUsable)} | ${(100 * row.coverage).toFixed(1)} % | ${row.width.toFixed(2)} |`,
    ),
  ].join('\n');
}

describe('predictions for small stores: MAP, maximum likelihood and the naive rate on CDNOW subsamples', () => {
  let population: CdnowCustomer[];
  const rows: Row[] = [];

  beforeAll(() => {
    population = readCdnowMaster();
    for (const size of sizes) {
      const draws = Array.from({ length: drawsPerSize }, (_, i) => evaluateDraw(population, size, 1000 * size + i));
      rows.push(rowOf(size, draws));
    }
    console.log(`holdout error per customer, ${drawsPerSize} draws per size:\n${table(rows)}`);
  }, 60_000);

  it('fits by MAP on every draw, with a usable covariance for the intervals', () => {
    expect(population).toHaveLength(23_570);
    for (const row of rows) expect(row.mapConverged).toBe(drawsPerSize);
    for (const row of rows) expect(Number.isNaN(row.coverage)).toBe(false);
  });

  it('beats the naive "own calibration rate" baseline at every size (by 5 % at least in mean absolute error, 10 % in RMSE)', () => {
    for (const row of rows) {
      expect(row.mapMae).toBeLessThan(0.95 * row.naiveMae);
      expect(row.mapRmse).toBeLessThan(0.9 * row.naiveRmse);
    }
  });

  it('maximum likelihood runs off to unusable estimates on the smallest stores, MAP never', () => {
    const smallest = rows[0];
    // With about 20 repeat buyers, a and b of the drop-out run towards infinity (no drop-out seen).
    expect(smallest?.mleUsable).toBeLessThanOrEqual(drawsPerSize - 3);
    expect(rows.at(-1)?.mleUsable).toBe(drawsPerSize);
  });

  it('is better than maximum likelihood at 50 customers where it works, no worse (within 1 %) above, and the same at 500', () => {
    expect(rows[0]?.mapMaeUsable).toBeLessThan(0.98 * (rows[0]?.mleMaeUsable ?? 0));
    for (const row of rows) expect(row.mapMaeUsable).toBeLessThanOrEqual(row.mleMaeUsable * 1.01);
    const largest = rows.at(-1);
    expect(Math.abs((largest?.mapMaeUsable ?? 0) / (largest?.mleMaeUsable ?? 1) - 1)).toBeLessThan(0.02);
  });

  it('gives intervals of the holdout count that hold it at least 80 % of the time', () => {
    // Counts are whole numbers, so an interval with at least 80 % of the predictive mass holds more.
    for (const row of rows) {
      expect(row.coverage).toBeGreaterThanOrEqual(0.8);
      expect(row.coverage).toBeLessThan(0.99);
      expect(row.width).toBeGreaterThan(0.5);
    }
  });
});
