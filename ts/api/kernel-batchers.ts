// Ready-made AdaptiveBatchers over hotpath's batch kernels: each submit is one
// request, each batch one kernel call, and a batch of one the single-call
// kernel (so a policy that learns not to batch pays nothing for the batcher).
import { checkCount, checkOptions, checkKnownKeys, describe, quoted, rangeError, typeError } from '../contract/errors.js';
import { checkF32, checkMaxSeverity } from '../contract/checks.js';
import type { Metric, TopKResult, Vector } from '../contract/types.js';
import { TopKHeap } from '../tiers/shared/topk-heap.js';
import { AdaptiveBatcher, BATCHER_NAME, BATCHER_RENAMES, type AdaptiveBatcherOptions } from './adaptive-batcher.js';
import { riskScore, riskScoreBatch } from './risk.js';
import { cosineBatch, euclideanBatch, topK } from './similarity.js';

/** Batcher options a ready-made batcher passes through (it supplies `run` and `runOne`). */
export type KernelBatcherOptions = Omit<AdaptiveBatcherOptions<never, never>, 'run' | 'runOne'>;

/** One entity's signals, as {@link riskScore} takes them. */
export interface RiskRequest {
  severities: Vector;
  confidences: Vector;
}

/** Options of {@link riskBatcher}. */
export interface RiskBatcherOptions extends KernelBatcherOptions {
  /** As {@link riskScore}'s `maxSeverity` (default 5). */
  maxSeverity?: number;
}

const BATCHER_KEYS = ['maxBatch', 'targetP99Ms', 'maxQueue', 'policy', 'onFull', 'concurrency', 'isolateErrors', 'clock'] as const;

function split<T extends object>(fn: string, options: unknown, own: readonly string[]): { own: Partial<T>; batcher: KernelBatcherOptions } {
  const o = checkOptions<T>(fn, options) as Record<string, unknown>;
  checkKnownKeys(fn, 'options', o, [...BATCHER_KEYS, ...own], BATCHER_RENAMES);
  const mine: Record<string, unknown> = {};
  const batcher: Record<string, unknown> = {};
  for (const k of Object.keys(o)) (own.includes(k) ? mine : batcher)[k] = o[k];
  return { own: mine as Partial<T>, batcher: batcher as KernelBatcherOptions };
}

/**
 * An AdaptiveBatcher of {@link riskScore} requests: a batch is one
 * {@link riskScoreBatch} call over the requests' signals in CSR layout, a
 * batch of one a `riskScore` call. A request whose signals are bad fails
 * alone (with riskScore's error) while the rest of its batch gets scores.
 * @example
 * const risk = riskBatcher({ targetP99Ms: 2 });
 * const r = await risk.submit({ severities: [3, 5], confidences: [0.9, 0.4] });
 */
export function riskBatcher(options?: RiskBatcherOptions): AdaptiveBatcher<RiskRequest, number> {
  const fn = 'riskBatcher';
  const { own, batcher } = split<RiskBatcherOptions>(fn, options, ['maxSeverity']);
  const { run, runOne } = riskRuns(checkMaxSeverity(fn, own));
  return new AdaptiveBatcher<RiskRequest, number>({ ...batcher, run, runOne, [BATCHER_NAME]: fn } as AdaptiveBatcherOptions<RiskRequest, number>);
}

/**
 * The run functions of {@link riskBatcher}, for comparing other batchers over the same kernel calls.
 * @internal
 */
export function riskRuns(maxSeverity: number | undefined): { run: (rs: RiskRequest[]) => Float64Array; runOne: (r: RiskRequest) => number } {
  const fn = 'riskBatcher';
  const riskOptions = maxSeverity === undefined ? undefined : { maxSeverity };
  const runOne = (r: RiskRequest): number => {
    if (r === null || typeof r !== 'object') typeError('riskBatcher.submit', 'item', `must be { severities, confidences }; got ${describe(r)}`);
    return riskScore(r.severities, r.confidences, riskOptions);
  };
  const run = (rs: RiskRequest[]): Float64Array => {
    let total = 0;
    for (const r of rs) {
      // A malformed request fails the batch here; bisection then runs it alone, through riskScore's checks.
      if (r === null || typeof r !== 'object' || r.severities?.length !== r.confidences?.length) rangeError(fn, 'item', 'has severities and confidences of different lengths');
      total += r.severities.length;
    }
    const s = new Float64Array(total);
    const c = new Float64Array(total);
    const offsets = new Uint32Array(rs.length + 1);
    let at = 0;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      s.set(r.severities, at);
      c.set(r.confidences, at);
      offsets[i + 1] = at += r.severities.length;
    }
    return riskScoreBatch(s, c, offsets, riskOptions);
  };
  return { run, runOne };
}

/** Options of {@link topKBatcher}. */
export interface TopKBatcherOptions extends KernelBatcherOptions {
  /** As {@link topK}'s: `'cosine'` (default), `'dot'` or `'euclidean'`. */
  metric?: Metric;
}

/** Queries one batch kernel call scores at most: 32 × N float32 scores of scratch. */
const QUERY_BLOCK = 32;

/**
 * An AdaptiveBatcher of top-k queries over one matrix: `submit(query)`
 * resolves to `topK(query, matrix, dim, k)`'s `{ indices, scores }`. A batch
 * of Q queries scores them with one {@link cosineBatch} (or
 * {@link euclideanBatch}) pass per 32 queries, reading the matrix once per
 * pass instead of once per query, then selects each query's k best (ties to
 * the lower row, as topK). `'dot'` has no batch kernel yet: its batches run
 * topK per query. Scores are the batch kernel's, which can differ from
 * topK's in the last float32 bit where dispatch picks another tier.
 * @param matrix - Float32Array of N·dim, row-major (not copied: do not change it while queries run)
 * @throws TypeError / RangeError naming the argument.
 */
export function topKBatcher(matrix: Float32Array, dim: number, k: number, options?: TopKBatcherOptions): AdaptiveBatcher<Float32Array | Vector, TopKResult> {
  const fn = 'topKBatcher';
  const { own, batcher } = split<TopKBatcherOptions>(fn, options, ['metric']);
  const metric = own.metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'dot' && metric !== 'euclidean') rangeError(fn, 'options.metric', `must be 'cosine', 'dot' or 'euclidean'; got ${quoted(metric)}`);
  const { run, runOne } = topKRuns(fn, matrix, dim, k, metric);
  return new AdaptiveBatcher<Float32Array | Vector, TopKResult>({ maxBatch: 64, ...batcher, run, runOne, [BATCHER_NAME]: fn } as AdaptiveBatcherOptions<Float32Array | Vector, TopKResult>);
}

/**
 * The run functions of {@link topKBatcher}, for comparing other batchers over the same kernel calls.
 * @internal
 */
export function topKRuns(fn: string, matrix: Float32Array, dim: number, k: number, metric: Metric): { run: (qs: (Float32Array | Vector)[]) => TopKResult[]; runOne: (q: Float32Array | Vector) => TopKResult } {
  const m = checkF32(fn, 'matrix', matrix);
  const d = checkCount(fn, 'dim', dim, 1);
  const want = checkCount(fn, 'k', k);
  if (m.length % d !== 0) rangeError(fn, 'matrix', `length ${m.length} is not a multiple of dim ${d}`);
  const rows = m.length / d;
  const count = Math.min(want, rows);
  const runOne = (q: Float32Array | Vector): TopKResult => topK(q, m, d, want, { metric });
  const batchKernel = metric === 'cosine' ? cosineBatch : metric === 'euclidean' ? euclideanBatch : undefined;
  const run = (qs: (Float32Array | Vector)[]): TopKResult[] => {
    if (batchKernel === undefined || count === 0) return qs.map(runOne);
    const out: TopKResult[] = [];
    for (let from = 0; from < qs.length; from += QUERY_BLOCK) {
      const block = qs.slice(from, from + QUERY_BLOCK);
      const packed = new Float32Array(block.length * d);
      block.forEach((q, i) => {
        if (q?.length !== d) rangeError('topKBatcher.submit', 'query', `length ${describe(q?.length)} does not match dim ${d}`);
        packed.set(q, i * d);
      });
      const scores = batchKernel(packed, m, d);
      const heap = new TopKHeap(count, metric === 'euclidean' ? 'asc' : 'desc');
      for (let i = 0; i < block.length; i++) {
        const base = i * rows;
        for (let r = 0; r < rows; r++) {
          const s = scores[base + r]!;
          if (s === s) heap.push(s, r);
        }
        const indices = new Uint32Array(count);
        const sc = new Float32Array(count);
        const got = heap.finish(indices, sc);
        out.push(got === count ? { indices, scores: sc } : { indices: indices.slice(0, got), scores: sc.slice(0, got) });
      }
    }
    return out;
  };
  return { run, runOne };
}

/** What {@link modelBatcher} needs of a model (a {@link DenseModel}). */
export interface BatchableModel {
  readonly inputDim: number;
  readonly outputDim: number;
  predict(inputs: Float32Array, batch: number): Float32Array;
}

/**
 * An AdaptiveBatcher of single-row predictions: `submit(row)` resolves to
 * the model's output for that row (a Float32Array of outputDim); a batch of
 * Q rows is one `model.predict(rows, Q)` call (one crossing, one GEMM per
 * layer), a batch of one `predict(row, 1)`. A row of the wrong length or
 * with a non-finite value fails alone with predict's error. The outputs of
 * one batch are views of one array.
 * @example
 * const score = modelBatcher(model, { targetP99Ms: 2 });
 * const [p] = await score.submit(features);
 */
export function modelBatcher(model: BatchableModel, options?: KernelBatcherOptions): AdaptiveBatcher<Float32Array | Vector, Float32Array> {
  const fn = 'modelBatcher';
  if (model === null || typeof model !== 'object' || typeof model.predict !== 'function' || !Number.isSafeInteger(model.inputDim)) {
    typeError(fn, 'model', `must be a DenseModel; got ${describe(model)}`);
  }
  const { batcher } = split<KernelBatcherOptions>(fn, options, []);
  const { run, runOne } = modelRuns(model);
  return new AdaptiveBatcher<Float32Array | Vector, Float32Array>({ maxBatch: 256, ...batcher, run, runOne, [BATCHER_NAME]: fn } as AdaptiveBatcherOptions<Float32Array | Vector, Float32Array>);
}

/**
 * The run functions of {@link modelBatcher}.
 * @internal
 */
export function modelRuns(model: BatchableModel): { run: (rows: (Float32Array | Vector)[]) => Float32Array[]; runOne: (row: Float32Array | Vector) => Float32Array } {
  const d = model.inputDim;
  const n = model.outputDim;
  const badRow = (r: unknown, d: number): never =>
    rangeError('modelBatcher.submit', 'row', `must have the model's inputDim ${d} elements; got ${Array.isArray(r) || ArrayBuffer.isView(r) ? `${(r as ArrayLike<unknown>).length} elements` : describe(r)}`);
  const runOne = (row: Float32Array | Vector): Float32Array => {
    if (row?.length !== d) badRow(row, d);
    // predict takes arrays and Float64Arrays itself, with its own checks and messages.
    return model.predict(row as Float32Array, 1);
  };
  const run = (rows: (Float32Array | Vector)[]): Float32Array[] => {
    const packed = new Float32Array(rows.length * d);
    rows.forEach((r, i) => {
      if (r?.length !== d) badRow(r, d);
      packed.set(r, i * d);
    });
    const out = model.predict(packed, rows.length);
    return rows.map((_, i) => out.subarray(i * n, (i + 1) * n));
  };
  return { run, runOne };
}
