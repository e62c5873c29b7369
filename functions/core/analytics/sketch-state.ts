/**
 * A DDSketch as plain JSON and back, exactly: the non-empty bins of its store (key and count) and
 * its summary figures. The nightly recompute's key ranges run apart (one Distributed Map child each)
 * and hand their value and RFM distributions to the step that merges them as this JSON.
 */
import type { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

export interface SketchState {
  /** [key, count] of every non-empty bin, keys ascending. */
  bins: [number, number][];
  zeroCount: number;
  count: number;
  sum: number;
  /** null while the sketch is empty (JSON has no Infinity). */
  min: number | null;
  max: number | null;
}

export function sketchState(sketch: LogCollapsingLowestDenseDDSketch): SketchState {
  const { store } = sketch;
  const bins: [number, number][] = [];
  for (let key = store.minKey; key <= store.maxKey; key++) {
    const count = store.bins[key - store.offset] ?? 0;
    if (count !== 0) bins.push([key, count]);
  }
  return {
    bins,
    zeroCount: sketch.zeroCount,
    count: sketch.count,
    sum: sketch.sum,
    min: Number.isFinite(sketch.min) ? sketch.min : null,
    max: Number.isFinite(sketch.max) ? sketch.max : null,
  };
}

/** A new sketch of `make`'s kind holding what `state` describes. */
export function sketchFromState(state: SketchState, make: () => LogCollapsingLowestDenseDDSketch): LogCollapsingLowestDenseDDSketch {
  const sketch = make();
  for (const [key, count] of state.bins) sketch.store.add(key, count);
  sketch.zeroCount = state.zeroCount;
  sketch.count = state.count;
  sketch.sum = state.sum;
  sketch.min = state.min ?? Infinity;
  sketch.max = state.max ?? -Infinity;
  return sketch;
}
