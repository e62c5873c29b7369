/**
 * A customer's RFM cell (./rfm.ts) as a segment membership, `rfm-<R><F><M>`, and the cut points it was
 * scored by: apart from the scoring, so what only reads memberships and the basis (the analytics
 * store, the segment views) does not bring the sketches library.
 */
/** A customer's RFM cell membership: rfm-545. */
export const RFM_PREFIX = 'rfm-';
const CELL = /^rfm-([1-5])([1-5])([1-5])$/;

export interface RfmScores {
  r: number;
  f: number;
  m: number;
  /** r + f + m, 3..15. */
  score: number;
}

export function rfmCell(scores: RfmScores): string {
  return `${RFM_PREFIX}${scores.r}${scores.f}${scores.m}`;
}

export function isRfmCell(segment: string): boolean {
  return segment.startsWith(RFM_PREFIX);
}

/** The scores a cell membership names; undefined for any other segment. */
export function scoresOfCell(segment: string): RfmScores | undefined {
  const match = CELL.exec(segment);
  if (!match) return undefined;
  const [r, f, m] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return { r, f, m, score: r + f + m };
}

/** The store's quintile cut points (the 20th, 40th, 60th and 80th percentiles). */
export interface RfmCuts {
  /** Days since the last order. */
  recencyDays: number[];
  orders: number[];
  /** Net revenue in minor units, per currency. */
  monetary: Record<string, number[]>;
  /** Customers the cut points were taken over. */
  customers: number;
}

/** One line of the basis: "quintiles of 23,570 customers: R days ≤ 30/75/..." */
export function describeRfmBasis(cuts: RfmCuts): string {
  const money = Object.entries(cuts.monetary)
    .map(([currency, points]) => `M ${currency} ${points.map((minor) => (minor / 100).toFixed(2)).join(' / ')}`)
    .join('; ');
  return `quintiles of ${cuts.customers} customers: R days since last order ${cuts.recencyDays.join(' / ')}; F orders ${cuts.orders.join(' / ')}${money ? `; ${money}` : ''}`;
}
