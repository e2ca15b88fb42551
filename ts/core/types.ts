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
