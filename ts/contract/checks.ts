// Argument validators every path shares: the public API, and the WebGPU
// tier whose methods validate like their CPU namesakes. Each returns the
// checked values in the shapes the kernels take; messages name the function
// and the argument. Checks that scan every element for finiteness run on a
// tier (dispatch/finite.ts), so they are not here.
import { allocate, checkCount, checkFinite, checkOptions, describe, quoted, rangeError, typeError } from './errors.js';
import { METRIC_CODE } from './abi.js';
import type { FloatArray, Metric, Vector } from './types.js';

const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array).prototype, 'length')!.get as (this: unknown) => number;

/**
 * `x`, known to pass `instanceof` for a typed-array class, checked to be a
 * real view (a Proxy of one passes `instanceof` but not `isView`, and would
 * fail deep inside a tier) on a live buffer (a detached one reads as empty).
 */
export function realView<T extends ArrayBufferView>(fn: string, arg: string, x: T): T {
  // One call of the intrinsic length getter answers all three on the hot path:
  // it throws for a Proxy, differs from `x.length` when an own `length` lies
  // (the js tier would read one length and native/wasm another), and is 0
  // for a detached buffer, checked only then.
  let n: number;
  try {
    n = typedArrayLength.call(x);
  } catch {
    return typeError(fn, arg, `must be a ${Object.getPrototypeOf(x).constructor.name} itself, not a Proxy of one`);
  }
  if (n !== (x as unknown as ArrayLike<unknown>).length) typeError(fn, arg, 'must be a plain typed array; it has an own `length` property');
  if (n === 0) {
    try {
      new Uint8Array(x.buffer, 0, 0);
    } catch {
      typeError(fn, arg, 'is a view of a detached ArrayBuffer');
    }
  }
  return x;
}

/**
 * An index or key array that a call validates and then trusts: when it
 * lives on a SharedArrayBuffer another thread could rewrite it between the
 * check and the use, so the call works on a private copy.
 */
export function ownCopy<T extends Uint32Array | Float64Array | Int32Array>(x: T): T {
  return typeof SharedArrayBuffer !== 'undefined' && x.buffer instanceof SharedArrayBuffer ? (x.slice() as T) : x;
}

/**
 * Accepts Float32Array, Float64Array or an array of numbers. An array is
 * read once into a Float64Array: every tier then sees the values that were
 * checked, even when the array is a Proxy whose elements change per read.
 */
export function checkVector(fn: string, arg: string, x: unknown): Vector {
  if (x instanceof Float32Array || x instanceof Float64Array) return realView(fn, arg, x);
  if (Array.isArray(x)) {
    const n = x.length;
    // A hole or a non-number is named before a huge (or lying) length allocates anything.
    if (n > 0 && typeof x[0] !== 'number') typeError(fn, `${arg}[0]`, `must be a number; got ${describe(x[0])}`);
    const out = allocate(fn, arg, Float64Array, n);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (typeof v !== 'number') typeError(fn, `${arg}[${i}]`, `must be a number; got ${describe(v)}`);
      out[i] = v;
    }
    return out;
  }
  return typeError(fn, arg, `must be a Float32Array, Float64Array or number[]; got ${describe(x)}`);
}

/** Two vectors of equal length. */
export function checkPair(fn: string, a: unknown, b: unknown): [Vector, Vector] {
  const va = checkVector(fn, 'a', a);
  const vb = checkVector(fn, 'b', b);
  if (va.length !== vb.length) rangeError(fn, 'b', `length ${vb.length} does not match a length ${va.length}`);
  return [va, vb];
}

/** A Float32Array (the batch kernels' storage type). */
export function checkF32(fn: string, arg: string, x: unknown): Float32Array {
  if (x instanceof Float32Array) return realView(fn, arg, x);
  return typeError(fn, arg, `must be a Float32Array; got ${describe(x)}`);
}

/** Index of the first non-finite element in `x[from, to)`, or -1. */
export function firstNonFinite(x: ArrayLike<number>, from = 0, to = x.length): number {
  for (let i = from; i < to; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}

/**
 * Throws a RangeError naming the first non-finite input element among
 * `ranges`, if any. Called only after a kernel produced a non-finite
 * result, so the happy path never pays for the scan.
 */
export function blameNonFinite(fn: string, ranges: ReadonlyArray<readonly [string, ArrayLike<number>, number?, number?]>): void {
  for (const [arg, x, from = 0, to = x.length] of ranges) {
    const i = firstNonFinite(x, from, to);
    if (i >= 0) rangeError(fn, `${arg}[${i}]`, `is ${x[i]}; inputs must be finite`);
  }
}

/**
 * Throws when a kernel saw a non-finite input that a second look no longer
 * finds: another thread rewrote a shared input during the call, and the
 * result cannot be trusted.
 */
export function changedDuringCall(fn: string, args: string): never {
  return rangeError(fn, args, 'changed while the call ran (a SharedArrayBuffer written by another thread?); the result is unusable');
}

/** Float64 storage for the native and wasm tiers (no copy when it already is). */
export function toF64(x: Vector): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

// --- similarity -----------------------------------------------------------

/** Shapes of an all-pairs batch call. */
export interface BatchShape {
  q: Float32Array;
  m: Float32Array;
  d: number;
  /** Query count. */
  nq: number;
  /** Matrix rows. */
  n: number;
}

/** Validates an all-pairs batch call (cosineBatch, euclideanBatch). */
export function checkBatch(fn: string, queries: unknown, matrix: unknown, dim: unknown): BatchShape {
  const q = checkF32(fn, 'queries', queries);
  const m = checkF32(fn, 'matrix', matrix);
  const d = checkCount(fn, 'dim', dim, 1);
  if (q.length === 0) rangeError(fn, 'queries', 'must hold at least one vector of length dim');
  if (q.length % d !== 0) rangeError(fn, 'queries', `length ${q.length} is not a multiple of dim ${d}`);
  if (m.length % d !== 0) rangeError(fn, 'matrix', `length ${m.length} is not a multiple of dim ${d}`);
  return { q, m, d, nq: q.length / d, n: m.length / d };
}

/** Options of {@link topK}. */
export interface TopKOptions {
  /** `'cosine'` (default) and `'dot'` rank highest first; `'euclidean'` ranks smallest distance first. */
  metric?: Metric;
}

/** Validates a top-k call. */
export function checkTopK(fn: string, query: unknown, matrix: unknown, dim: unknown, k: unknown, options: unknown): { q: Float32Array; m: Float32Array; d: number; k: number; metric: Metric } {
  // Options first: their getters are user code that could change the arrays checked below.
  const metric = checkOptions<TopKOptions>(fn, options).metric ?? 'cosine';
  const qv = checkVector(fn, 'query', query);
  const m = checkF32(fn, 'matrix', matrix);
  const d = checkCount(fn, 'dim', dim, 1);
  const count = checkCount(fn, 'k', k);
  if (typeof metric !== 'string') typeError(fn, 'options.metric', `must be a string; got ${describe(metric)}`);
  if (!Object.hasOwn(METRIC_CODE, metric)) {
    rangeError(fn, 'options.metric', `must be 'cosine', 'dot' or 'euclidean'; got ${quoted(metric)}`);
  }
  if (qv.length !== d) rangeError(fn, 'query', `length ${qv.length} does not match dim ${d}`);
  if (m.length % d !== 0) rangeError(fn, 'matrix', `length ${m.length} is not a multiple of dim ${d}`);
  const q = qv instanceof Float32Array ? qv : Float32Array.from(qv);
  return { q, m, d, k: count, metric };
}

// --- risk -----------------------------------------------------------------

/** Options of {@link riskScore} and {@link riskScoreBatch}. */
export interface RiskOptions {
  /** Severity that counts as certain harm; severities are scaled by it and clamped to [0, 1]. Default 5. */
  maxSeverity?: number;
}

/** The maxSeverity option (default 5). */
export function checkMaxSeverity(fn: string, options: unknown): number {
  const o = checkOptions<RiskOptions>(fn, options);
  return o.maxSeverity === undefined ? 5 : checkFinite(fn, 'options.maxSeverity', o.maxSeverity, { minExclusive: 0 });
}

/** Severities and confidences of equal length. */
export function checkSignals(fn: string, s: unknown, c: unknown): [Vector, Vector] {
  const sv = checkVector(fn, 'severities', s);
  const cv = checkVector(fn, 'confidences', c);
  if (sv.length !== cv.length) rangeError(fn, 'confidences', `length ${cv.length} does not match severities length ${sv.length}`);
  return [sv, cv];
}

/** Validates a riskScoreBatch call, CSR offsets included. */
export function checkRiskBatch(fn: string, severities: unknown, confidences: unknown, offsetsArg: unknown, options: unknown): { s: Vector; c: Vector; offsets: Uint32Array; max: number } {
  const max = checkMaxSeverity(fn, options); // first: option getters could change the arrays
  const [s, c] = checkSignals(fn, severities, confidences);
  if (!(offsetsArg instanceof Uint32Array)) typeError(fn, 'offsets', `must be a Uint32Array; got ${describe(offsetsArg)}`);
  const offsets = ownCopy(realView(fn, 'offsets', offsetsArg));
  const e = offsets.length - 1;
  if (e < 0) rangeError(fn, 'offsets', 'must have length E+1 >= 1');
  if (offsets[0] !== 0) rangeError(fn, 'offsets[0]', `must be 0; got ${offsets[0]}`);
  for (let i = 1; i <= e; i++) {
    if (offsets[i] < offsets[i - 1]) rangeError(fn, `offsets[${i}]`, `is ${offsets[i]}, below offsets[${i - 1}] = ${offsets[i - 1]}; offsets must be non-decreasing`);
  }
  if (offsets[e] !== s.length) rangeError(fn, `offsets[${e}]`, `must equal the signal count ${s.length}; got ${offsets[e]}`);
  return { s, c, offsets, max };
}

/** Validates a temporalDecay call. */
export function checkDecay(fn: string, scores: unknown, ages: unknown, halfLife: unknown): { s: Vector; a: Vector; h: number } {
  const s = checkVector(fn, 'scores', scores);
  const a = checkVector(fn, 'ages', ages);
  if (s.length !== a.length) rangeError(fn, 'ages', `length ${a.length} does not match scores length ${s.length}`);
  return { s, a, h: checkFinite(fn, 'halfLife', halfLife, { minExclusive: 0 }) };
}

/** Throws for the first non-finite input or negative age of a decay call that flagged one. */
export function blameDecayInputs(fn: string, s: Vector, a: Vector): void {
  blameNonFinite(fn, [['scores', s], ['ages', a]]);
  for (let i = 0; i < a.length; i++) if (a[i] < 0) rangeError(fn, `ages[${i}]`, `is ${a[i]}; ages must be >= 0`);
}

// --- statistics -----------------------------------------------------------

/** Options of {@link stats}. */
export interface StatsOptions {
  /** Delta degrees of freedom: 0 (default) for population variance, 1 for sample variance. */
  ddof?: number;
}

/** The ddof option; read before the sample is checked (option getters are user code), compared with its count after. */
export function checkDdof(fn: string, options: unknown): number {
  const o = checkOptions<StatsOptions>(fn, options);
  return o.ddof === undefined ? 0 : checkCount(fn, 'options.ddof', o.ddof);
}

/** A ddof below the sample's count. */
export function ddofBelow(fn: string, ddof: number, count: number): number {
  if (ddof >= count) rangeError(fn, 'options.ddof', `must be < count ${count}; got ${ddof}`);
  return ddof;
}

// --- matmul ---------------------------------------------------------------

/** Validates a matmul call: both inputs one float type, shapes m·k and k·n. */
export function checkMatmul(fn: string, a: unknown, b: unknown, m: unknown, k: unknown, n: unknown): { a: FloatArray; b: FloatArray; f32: boolean; m: number; k: number; n: number } {
  const f32 = a instanceof Float32Array;
  if (!f32 && !(a instanceof Float64Array)) typeError(fn, 'a', `must be a Float32Array or Float64Array; got ${describe(a)}`);
  realView(fn, 'a', a as FloatArray);
  if (!(f32 ? b instanceof Float32Array : b instanceof Float64Array)) typeError(fn, 'b', `must be a ${f32 ? 'Float32Array' : 'Float64Array'} like a; got ${describe(b)}`);
  realView(fn, 'b', b as FloatArray);
  const rows = checkCount(fn, 'm', m), inner = checkCount(fn, 'k', k), cols = checkCount(fn, 'n', n);
  const fa = a as FloatArray, fb = b as FloatArray;
  if (fa.length !== rows * inner) rangeError(fn, 'a', `length ${fa.length} does not match m·k = ${rows}·${inner}`);
  if (fb.length !== inner * cols) rangeError(fn, 'b', `length ${fb.length} does not match k·n = ${inner}·${cols}`);
  return { a: fa, b: fb, f32, m: rows, k: inner, n: cols };
}
