/** A dense vector accepted by the single-vector kernels. */
export type Vector = Float32Array | Float64Array | readonly number[];

/** A typed float array, as handed to the native and wasm tiers. */
export type FloatArray = Float32Array | Float64Array;

/** Similarity or distance used by {@link topK}. */
export type Metric = 'cosine' | 'dot' | 'euclidean';

/** The CPU tiers a kernel call can run on. */
export type TierName = 'native' | 'wasm' | 'js';

/** What {@link setBackend} and `HOTPATH_BACKEND` accept. */
export type BackendChoice = 'auto' | TierName;

/** Result of {@link topK}: row indices and their scores, best first. */
export interface TopKResult {
  /** Row indices into the matrix, best first; ties broken by lower index. */
  indices: Uint32Array;
  /** The score of each returned row (similarity, or distance for `euclidean`). */
  scores: Float32Array;
}

/** Summary statistics returned by {@link stats}. */
export interface Stats {
  count: number;
  /** Compensated (Neumaier) sum. */
  sum: number;
  mean: number;
  /** Σ(x − mean)² / (count − ddof), corrected two-pass. */
  variance: number;
  std: number;
  min: number;
  max: number;
  /** Middle value; mean of the two middle values for an even count. Found by O(n) selection on a copy. */
  median: number;
}
