/// <reference lib="esnext.disposable" preserve="true" />
// QuantileSketch: DDSketch's relative-error quantile sketch. Bins live in a
// tier's sketch core (ts/contract/sketch.ts); single values are buffered here
// and folded in batches, so record() never crosses into native or wasm.
// Queries read the core's bins once per change and answer in JS; the
// key-to-value functions mirror @datadog/sketches-js's, so its decoder and
// this class give the same quantiles for the same bytes.
import { ownCopy, realView } from '../contract/checks.js';
import { coreRegistry } from '../contract/disposal.js';
import { allocate, checkKnownKeys, checkOptions, describe, rangeError, typeError } from '../contract/errors.js';
import { ABI } from '../contract/abi.js';
import {
  CUBIC_A,
  CUBIC_B,
  CUBIC_C,
  SKETCH_MAX_BINS,
  SKETCH_MAX_SCALE,
  SKETCH_MIN_INDEXABLE,
  SKETCH_MIN_SCALE,
  SUMMARY,
  type SketchBins,
  type SketchConfig,
  type SketchCore,
} from '../contract/sketch.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import { structureTier } from '../dispatch/dispatch.js';
import { decodeSketch, encodeSketch, INTERPOLATION } from './sketch-proto.js';

/** Index mappings a sketch can use. */
export type SketchMapping = 'cubic' | 'logarithmic' | 'exponential';

/** Options of {@link QuantileSketch}. */
export interface QuantileSketchOptions {
  /**
   * Relative accuracy α in (0, 1) (default 0.01): every quantile estimate is
   * within α·|x| of the sample value x at that rank. Not with `scale`.
   */
  relativeAccuracy?: number;
  /**
   * `'cubic'` (default: DDSketch's cubically interpolated mapping, no log
   * call, ~1% more bins) or `'logarithmic'` (memory-optimal, one log per value).
   * `scale` selects OpenTelemetry's `'exponential'` mapping.
   */
  mapping?: 'cubic' | 'logarithmic';
  /**
   * OpenTelemetry base-2 exponential scale, 1..20: bucket boundaries are
   * powers of 2^(2^-scale), relative accuracy (γ-1)/(γ+1) with γ = 2^(2^-scale)
   * (scale 6: 0.54%, 7: 0.27%), and {@link QuantileSketch.toOtlp} gives exactly
   * the buckets OpenTelemetry's own aggregation gives.
   */
  scale?: number;
  /**
   * Bins per sign (default 2048, at most 2^20): memory stays under
   * 16·maxBins bytes per sign. Past it the lowest-magnitude positive bins
   * (and the highest-magnitude negative bins) collapse; see the README.
   */
  maxBins?: number;
  /** Tier holding the bins; `'auto'` (default) follows setBackend, else the fastest loaded tier. */
  backend?: BackendChoice;
}

const OPTION_KEYS = ['relativeAccuracy', 'mapping', 'scale', 'maxBins', 'backend'] as const;
const OPTION_RENAMES: Readonly<Record<string, string>> = { alpha: 'relativeAccuracy', accuracy: 'relativeAccuracy', maxNumBins: 'maxBins', binLimit: 'maxBins' };
const DEFAULT_ACCURACY = 0.01;
const DEFAULT_MAX_BINS = 2048;
/** Values buffered before a fold: 8 KiB, allocated on the first record(). */
const BUFFER = 1024;
// Folding batches costs one crossing per BUFFER values either way; the native
// core's add is the fastest per value (README "Quantile sketch").
const PREFERENCE: readonly TierName[] = ['native', 'wasm', 'js'];
const KEY_LIMIT = 2 ** 31 - 2;

/** A mapping: the core's config (less maxBins) plus the key-to-value function. */
interface Mapping {
  readonly kind: SketchMapping;
  readonly code: number;
  readonly gamma: number;
  readonly relativeAccuracy: number;
  readonly multiplier: number;
  readonly offset: number;
  readonly scale: number;
  /** The value a bin stands for (sketches-js's formula for the same proto). */
  value(key: number): number;
}

/** sketches-js's ldexp (a few power-of-two products), for bit-equal values. */
function ldexp(mantissa: number, exponent: number): number {
  const iterations = Math.min(3, Math.ceil(Math.abs(exponent) / 1023));
  let r = mantissa;
  for (let i = 0; i < iterations; i++) r *= Math.pow(2, Math.floor((exponent + i) / iterations));
  return r;
}

/** The inverse of the cubic log2 approximation (Cardano's formula, as sketches-js). */
function cubicExp2(x: number): number {
  const exponent = Math.floor(x);
  const delta0 = CUBIC_B * CUBIC_B - 3 * CUBIC_A * CUBIC_C;
  const delta1 = 2 * CUBIC_B * CUBIC_B * CUBIC_B - 9 * CUBIC_A * CUBIC_B * CUBIC_C - 27 * CUBIC_A * CUBIC_A * (x - exponent);
  const cardano = Math.cbrt((delta1 - Math.sqrt(delta1 * delta1 - 4 * delta0 * delta0 * delta0)) / 2);
  const significandPlusOne = -(CUBIC_B + cardano + delta0 / cardano) / (3 * CUBIC_A) + 1;
  return ldexp(significandPlusOne / 2, exponent + 1);
}

function finiteValue(x: number): number {
  return x === Infinity ? Number.MAX_VALUE : x;
}

/** What sketches-js derives from a proto's gamma: its relative accuracy and gamma mantissa. */
function fromGamma(gamma: number): { alpha: number; gm: number } {
  const alpha = (gamma - 1) / (gamma + 1);
  return { alpha, gm: (2 * alpha) / (1 - alpha) };
}

/**
 * The gamma for a relative accuracy that survives a proto round trip: gamma
 * -> accuracy -> gamma is a fixed point, so a decoder (this one or
 * sketches-js) rebuilds exactly the multiplier the encoder used.
 */
function stableGamma(alpha: number): number {
  let g = 1 + (2 * alpha) / (1 - alpha);
  for (let i = 0; i < 16; i++) {
    const next = 1 + fromGamma(g).gm;
    if (next === g) break;
    g = next;
  }
  return g;
}

/** An accuracy read back from gamma, to 12 digits (0.01 comes back as 0.009999999999999957). */
function shown(alpha: number): number {
  return Number(alpha.toPrecision(12));
}

function keyRange(fn: string, arg: string, bound: number): void {
  if (!(bound <= KEY_LIMIT)) rangeError(fn, arg, `gives bin keys up to ${bound}; they must fit in 32 bits (a coarser accuracy or a smaller offset)`);
}

function cubicMapping(fn: string, arg: string, gamma: number, offset: number): Mapping {
  const { alpha, gm } = fromGamma(gamma);
  const multiplier = 1 / Math.log1p(gm) / CUBIC_C;
  keyRange(fn, arg, Math.ceil(1024 * multiplier) + Math.abs(offset) + 1);
  const norm = 2 / (1 + (1 + gm));
  return {
    kind: 'cubic', code: ABI.SKETCH_CUBIC, gamma, relativeAccuracy: shown(alpha), multiplier, offset, scale: 0,
    value: (key) => finiteValue(cubicExp2((key - offset) / multiplier) * norm),
  };
}

/** sketches-js's LogarithmicMapping value for a gamma (proto interpolation NONE). */
function logValue(gamma: number, offset: number): (key: number) => number {
  const { gm } = fromGamma(gamma);
  const m = (1 / Math.log1p(gm)) * Math.log(2);
  const norm = 2 / (1 + (1 + gm));
  return (key) => finiteValue(Math.pow(2, (key - offset) / m) * norm);
}

function logMapping(fn: string, arg: string, gamma: number, offset: number): Mapping {
  const { alpha, gm } = fromGamma(gamma);
  const multiplier = 1 / Math.log1p(gm);
  keyRange(fn, arg, Math.ceil(710 * multiplier) + Math.abs(offset) + 1);
  return { kind: 'logarithmic', code: ABI.SKETCH_LOG, gamma, relativeAccuracy: shown(alpha), multiplier, offset, scale: 0, value: logValue(gamma, offset) };
}

function expGamma(scale: number): number {
  return Math.pow(2, Math.pow(2, -scale));
}

function expMapping(scale: number, offset: number): Mapping {
  const gamma = expGamma(scale);
  return {
    kind: 'exponential', code: ABI.SKETCH_EXP, gamma, relativeAccuracy: fromGamma(gamma).alpha,
    multiplier: Math.LOG2E * 2 ** scale, offset, scale, value: logValue(gamma, offset),
  };
}

function sameMapping(a: Mapping, b: Mapping): boolean {
  return a.code === b.code && a.multiplier === b.multiplier && a.offset === b.offset;
}

function describeMapping(m: Mapping): string {
  const base = m.kind === 'exponential' ? `exponential scale ${m.scale}` : `${m.kind} relativeAccuracy ${m.relativeAccuracy}`;
  return m.offset === 0 ? base : `${base} offset ${m.offset}`;
}

function maxBinsOf(fn: string, x: unknown, fallback: number): number {
  if (x === undefined) return fallback;
  if (typeof x !== 'number') typeError(fn, 'options.maxBins', `must be a number; got ${describe(x)}`);
  if (!Number.isInteger(x) || x < 1 || x > SKETCH_MAX_BINS) rangeError(fn, 'options.maxBins', `must be an integer in [1, 2^20]; got ${x}`);
  return x;
}

/** Mappings made lately (sliding windows and per-request sketches make many of one kind). */
const recent = new Map<string, Mapping>();

function mappingOf(fn: string, o: Partial<QuantileSketchOptions>): Mapping {
  if (o.scale !== undefined) {
    if (o.relativeAccuracy !== undefined) typeError(fn, 'options.scale', 'and options.relativeAccuracy are exclusive: a scale fixes the accuracy');
    if (o.mapping !== undefined) typeError(fn, 'options.scale', `selects the exponential mapping; options.mapping ${describe(o.mapping)} contradicts it`);
    if (typeof o.scale !== 'number') typeError(fn, 'options.scale', `must be a number; got ${describe(o.scale)}`);
    if (!Number.isInteger(o.scale) || o.scale < SKETCH_MIN_SCALE || o.scale > SKETCH_MAX_SCALE) rangeError(fn, 'options.scale', `must be an integer in [1, 20]; got ${o.scale}`);
    return expMapping(o.scale, 0);
  }
  let alpha = DEFAULT_ACCURACY;
  if (o.relativeAccuracy !== undefined) {
    if (typeof o.relativeAccuracy !== 'number') typeError(fn, 'options.relativeAccuracy', `must be a number; got ${describe(o.relativeAccuracy)}`);
    if (!(o.relativeAccuracy > 0 && o.relativeAccuracy < 1)) rangeError(fn, 'options.relativeAccuracy', `must be in (0, 1); got ${o.relativeAccuracy}`);
    alpha = o.relativeAccuracy;
  }
  if (o.mapping !== undefined && o.mapping !== 'cubic' && o.mapping !== 'logarithmic') typeError(fn, 'options.mapping', `must be 'cubic' or 'logarithmic'; got ${describe(o.mapping)}`);
  const kind = o.mapping ?? 'cubic';
  const id = `${kind} ${alpha}`;
  let m = recent.get(id);
  if (m === undefined) {
    const gamma = stableGamma(alpha);
    m = { ...(kind === 'cubic' ? cubicMapping : logMapping)(fn, 'options.relativeAccuracy', gamma, 0), relativeAccuracy: alpha };
    if (recent.size >= 64) recent.clear();
    recent.set(id, m);
  }
  return m;
}

/** How decoders and merges build a sketch with a given mapping (a key users cannot name). */
const INTERNAL = Symbol('QuantileSketch.internal');
interface Internal {
  fn: string;
  map: Mapping;
  maxBins: number;
  backend: unknown;
}

/**
 * A QuantileSketch whose option errors name `fn` (SlidingQuantileSketch's slices).
 * @internal
 */
export function sketchFor(fn: string, options: Omit<QuantileSketchOptions, 'backend'>, backend: unknown): QuantileSketch {
  const o = options as Partial<QuantileSketchOptions>;
  const map = mappingOf(fn, o);
  const maxBins = maxBinsOf(fn, o.maxBins, DEFAULT_MAX_BINS);
  return new QuantileSketch({ [INTERNAL]: { fn, map, maxBins, backend } } as QuantileSketchOptions);
}

/** Cumulative bin counts for rank queries, rebuilt after a change. */
interface View {
  negCum: Float64Array;
  negOffset: number;
  posCum: Float64Array;
  posOffset: number;
  negCount: number;
  zero: number;
}

/** Running sums in place: bins() hands this class arrays no one else holds, and a new array costs ~1 µs. */
function cumulative(c: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < c.length; i++) c[i] = s += c[i]!;
  return c;
}

/** First index i with cum[i] > r (cum non-decreasing); cum.length - 1 if none. */
function firstAbove(cum: Float64Array, r: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** What {@link QuantileSketch.toOtlp} returns: an OpenTelemetry ExponentialHistogram data point's fields. */
export interface OtlpExponentialHistogram {
  /** Values recorded. */
  count: number;
  /** Their sum. */
  sum: number;
  /** Least value (NaN when empty). */
  min: number;
  /** Greatest value (NaN when empty). */
  max: number;
  /** Base-2 exponential scale: bucket i covers (2^(i·2^-scale), 2^((i+1)·2^-scale)]. */
  scale: number;
  /** Values counted as zero. */
  zeroCount: number;
  /** |v| at or below this counted as zero (the smallest normal double). */
  zeroThreshold: number;
  /** Buckets of the positive values: bucketCounts[j] is bucket offset + j. */
  positive: { offset: number; bucketCounts: number[] };
  /** Buckets of the negative values' magnitudes. */
  negative: { offset: number; bucketCounts: number[] };
}

/** Options of {@link QuantileSketch.toOtlp}. */
export interface OtlpOptions {
  /** Most buckets per sign (OpenTelemetry's `maxSize`, default 160): the scale drops until both signs fit. */
  maxSize?: number;
}

/** Options of {@link QuantileSketch.fromProto} and {@link QuantileSketch.mergeAll}. */
export interface SketchLoadOptions {
  /** Bins per sign of the new sketch (default: 2048, or more when the data span more). */
  maxBins?: number;
  /** Tier of the new sketch (default `'auto'`; for mergeAll, the first sketch's tier). */
  backend?: BackendChoice;
}

/** The OpenTelemetry index (at `scale`) of a positive value, as sdk-metrics computes it. */
function otelIndex(v: number, scale: number): number {
  const f = new Float64Array([v]);
  const u = new Uint32Array(f.buffer);
  const e = (u[1]! >>> 20) - 1023;
  if ((u[1]! & 0xfffff) === 0 && u[0] === 0) return e * 2 ** scale - 1;
  if (scale <= 0) return e >> -scale;
  return Math.floor(Math.log(v) * Math.LOG2E * 2 ** scale);
}

function otelBuckets(byIndex: Map<number, number>, shift: number): { offset: number; bucketCounts: number[] } {
  if (byIndex.size === 0) return { offset: 0, bucketCounts: [] };
  const shifted = new Map<number, number>();
  for (const [i, c] of byIndex) {
    const j = Math.floor(i / 2 ** shift);
    shifted.set(j, (shifted.get(j) ?? 0) + c);
  }
  // Loops, not Math.min(...keys): a spread of 2^20 keys overflows the call stack.
  let lo = Infinity;
  let hi = -Infinity;
  for (const j of shifted.keys()) {
    if (j < lo) lo = j;
    if (j > hi) hi = j;
  }
  const bucketCounts = new Array<number>(hi - lo + 1).fill(0);
  for (const [j, c] of shifted) bucketCounts[j - lo]! += c;
  return { offset: lo, bucketCounts };
}

function spanAfter(byIndex: Map<number, number>, shift: number): number {
  if (byIndex.size === 0) return 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of byIndex.keys()) {
    const j = Math.floor(i / 2 ** shift);
    if (j < lo) lo = j;
    if (j > hi) hi = j;
  }
  return hi - lo + 1;
}

/**
 * A streaming quantile sketch with a relative-error guarantee (DDSketch):
 * `quantile(q)` is within `relativeAccuracy`·|x| of the sample value x at
 * rank ⌊q·(n−1)⌋, for any data, in memory that grows with the log of the
 * data's range, not with n. Sketches with the same mapping merge exactly
 * (the same bins as one sketch fed everything), serialize to DDSketch's
 * protobuf format (readable by Datadog's libraries) and export as an
 * OpenTelemetry exponential histogram.
 *
 * `record(v)` buffers in JS and folds 1024 values at a time into the bins
 * (on the native, wasm or js tier, bit-identical on all three); every query
 * folds first. `count`, `sum`, `min` and `max` are exact.
 *
 * @example
 * const s = new QuantileSketch({ relativeAccuracy: 0.01 });
 * for (const ms of latencies) s.record(ms);
 * s.quantiles([0.5, 0.99]); // Float64Array [p50, p99], each within 1%
 */
export class QuantileSketch {
  #core: SketchCore | null;
  readonly #map: Mapping;
  #buf: Float64Array | null = null;
  #n = 0;
  readonly #summary = new Float64Array(SUMMARY.length);
  #summaryFresh = true;
  #view: View | null = null;
  readonly #registration = {};
  /** Tier holding the bins. */
  readonly backend: TierName;
  /** Bins per sign. */
  readonly maxBins: number;

  constructor(options?: QuantileSketchOptions) {
    let fn = 'QuantileSketch';
    let map: Mapping;
    let maxBins: number;
    let backend: unknown;
    const internal = (options as { [INTERNAL]?: Internal } | undefined)?.[INTERNAL];
    if (internal !== undefined) ({ fn, map, maxBins, backend } = internal);
    else {
      const o = checkOptions<QuantileSketchOptions>(fn, options);
      checkKnownKeys(fn, 'options', o, OPTION_KEYS, OPTION_RENAMES);
      map = mappingOf(fn, o);
      maxBins = maxBinsOf(fn, o.maxBins, DEFAULT_MAX_BINS);
      backend = o.backend;
    }
    const { core, tier } = QuantileSketch.#coreFor(fn, backend, map, maxBins);
    this.#core = core;
    this.#map = map;
    this.backend = tier;
    this.maxBins = maxBins;
    this.#summary.set([0, 0, Infinity, -Infinity, 0]);
    coreRegistry.register(this, { dispose: () => core.free() }, this.#registration);
  }

  static #coreFor(fn: string, backend: unknown, map: Mapping, maxBins: number): { core: SketchCore; tier: TierName } {
    const { tier, make } = structureTier(fn, backend ?? 'auto', PREFERENCE, 'sketch');
    const cfg: SketchConfig = { mapping: map.code, multiplier: map.multiplier, offset: map.offset, scale: map.scale, maxBins };
    return { core: make(cfg), tier };
  }

  #live(fn: string): SketchCore {
    const c = this.#core;
    if (c === null) throw new TypeError(`hotpath.QuantileSketch.${fn}: sketch is disposed`);
    return c;
  }

  #flush(): void {
    if (this.#n === 0) return;
    const n = this.#n;
    this.#n = 0;
    this.#core!.add(this.#buf!.subarray(0, n));
    this.#changed();
  }

  #changed(): void {
    this.#summaryFresh = false;
    this.#view = null;
  }

  #stats(fn: string): Float64Array {
    this.#live(fn);
    this.#flush();
    if (!this.#summaryFresh) {
      this.#core!.summary(this.#summary);
      this.#summaryFresh = true;
    }
    return this.#summary;
  }

  /**
   * Records one value (any finite number; negative and 0 allowed), or
   * `count` copies of it (a positive safe integer).
   */
  record(value: number, count?: number): void {
    const b = this.#buf;
    if (typeof value !== 'number' || value - value !== 0 || b === null || count !== undefined) {
      this.#recordSlow(value, count);
      return;
    }
    b[this.#n] = value;
    if (++this.#n === BUFFER) this.#flush();
  }

  #recordSlow(value: unknown, count: unknown): void {
    const fn = 'record';
    const core = this.#live(fn);
    if (typeof value !== 'number') typeError(`QuantileSketch.${fn}`, 'value', `must be a number; got ${describe(value)}`);
    if (!Number.isFinite(value)) rangeError(`QuantileSketch.${fn}`, 'value', `must be finite; got ${value}`);
    if (count === undefined) {
      this.#buf ??= new Float64Array(BUFFER);
      this.record(value);
      return;
    }
    if (typeof count !== 'number') typeError(`QuantileSketch.${fn}`, 'count', `must be a number; got ${describe(count)}`);
    if (!Number.isSafeInteger(count) || count < 1) rangeError(`QuantileSketch.${fn}`, 'count', `must be a positive safe integer; got ${count}`);
    this.#flush();
    core.addWeighted(value, count);
    this.#changed();
  }

  /**
   * Records every value of a Float64Array, Float32Array or number[] in one
   * crossing. All or nothing: a NaN or ±Infinity throws a RangeError naming
   * its index and records none of them.
   */
  recordMany(values: Float64Array | Float32Array | readonly number[]): void {
    const fn = 'QuantileSketch.recordMany';
    const core = this.#live('recordMany');
    let v: Float64Array;
    if (values instanceof Float64Array) v = ownCopy(realView(fn, 'values', values));
    else if (values instanceof Float32Array) v = Float64Array.from(realView(fn, 'values', values));
    else if (Array.isArray(values)) {
      const a = values as readonly unknown[];
      const n = a.length;
      v = allocate(fn, 'values', Float64Array, n);
      for (let i = 0; i < n; i++) {
        const x = a[i];
        if (typeof x !== 'number') typeError(fn, `values[${i}]`, `must be a number; got ${describe(x)}`);
        v[i] = x;
      }
    } else return typeError(fn, 'values', `must be a Float64Array, Float32Array or number[]; got ${describe(values)}`);
    this.#flush();
    const bad = core.add(v);
    if (bad >= 0) rangeError(fn, `values[${bad}]`, `must be finite; got ${v[bad]}`);
    if (v.length > 0) this.#changed();
  }

  #viewOf(): View {
    if (this.#view !== null) return this.#view;
    const b = this.#core!.bins();
    const negCum = cumulative(b.neg);
    this.#view = {
      negCum,
      negOffset: b.negOffset,
      posCum: cumulative(b.pos),
      posOffset: b.posOffset,
      negCount: negCum.length === 0 ? 0 : negCum[negCum.length - 1]!,
      zero: b.zeroCount,
    };
    return this.#view;
  }

  #at(q: number, n: number): number {
    const v = this.#viewOf();
    const rank = q * (n - 1);
    if (rank < v.negCount) {
      // The magnitudes' store counted from the top (sketches-js: keyAtRank(reversed, lower = false)).
      const reversed = v.negCount - rank - 1;
      return -this.#map.value(v.negOffset + firstAbove(v.negCum, Math.ceil(reversed + 1) - 1));
    }
    if (rank < v.negCount + v.zero) return 0;
    return this.#map.value(v.posOffset + firstAbove(v.posCum, rank - v.zero - v.negCount));
  }

  /** The estimate of quantile q in [0, 1] (NaN for an empty sketch). */
  quantile(q: number): number {
    const s = this.#stats('quantile');
    if (typeof q !== 'number') typeError('QuantileSketch.quantile', 'q', `must be a number; got ${describe(q)}`);
    if (!(q >= 0 && q <= 1)) rangeError('QuantileSketch.quantile', 'q', `must be in [0, 1]; got ${q}`);
    const n = s[SUMMARY.count]!;
    return n === 0 ? NaN : this.#at(q, n);
  }

  /** Estimates of several quantiles in [0, 1], in the order given. */
  quantiles(qs: Float64Array | readonly number[]): Float64Array {
    const fn = 'QuantileSketch.quantiles';
    const s = this.#stats('quantiles');
    if (!(qs instanceof Float64Array) && !Array.isArray(qs)) typeError(fn, 'qs', `must be a Float64Array or number[]; got ${describe(qs)}`);
    const list: ArrayLike<unknown> = qs instanceof Float64Array ? realView(fn, 'qs', qs) : qs;
    // Sized (and capped) before any element is read; each element is read once.
    const out = allocate(fn, 'qs', Float64Array, list.length);
    for (let i = 0; i < out.length; i++) {
      const q = list[i];
      if (typeof q !== 'number') typeError(fn, `qs[${i}]`, `must be a number; got ${describe(q)}`);
      if (!(q >= 0 && q <= 1)) rangeError(fn, `qs[${i}]`, `must be in [0, 1]; got ${q}`);
      out[i] = q;
    }
    const n = s[SUMMARY.count]!;
    for (let i = 0; i < out.length; i++) out[i] = n === 0 ? NaN : this.#at(out[i]!, n);
    return out;
  }

  /** The estimate of percentile p in [0, 100] (as `hotpath.percentiles` takes them). */
  percentile(p: number): number {
    if (typeof p !== 'number') typeError('QuantileSketch.percentile', 'p', `must be a number; got ${describe(p)}`);
    if (!(p >= 0 && p <= 100)) rangeError('QuantileSketch.percentile', 'p', `must be in [0, 100]; got ${p}`);
    return this.quantile(p / 100);
  }

  /** Values recorded (with their counts). */
  get count(): number {
    return this.#stats('count')[SUMMARY.count]!;
  }
  /** Sum of the values recorded (floating-point, in recording order). */
  get sum(): number {
    return this.#stats('sum')[SUMMARY.sum]!;
  }
  /** Least value recorded (NaN when empty). */
  get min(): number {
    const s = this.#stats('min');
    return s[SUMMARY.count] === 0 ? NaN : s[SUMMARY.min]!;
  }
  /** Greatest value recorded (NaN when empty). */
  get max(): number {
    const s = this.#stats('max');
    return s[SUMMARY.count] === 0 ? NaN : s[SUMMARY.max]!;
  }
  /** sum / count (NaN when empty). */
  get mean(): number {
    const s = this.#stats('mean');
    return s[SUMMARY.count] === 0 ? NaN : s[SUMMARY.sum]! / s[SUMMARY.count]!;
  }
  /** The accuracy the mapping guarantees (for a scale: (γ−1)/(γ+1)). */
  get relativeAccuracy(): number {
    return this.#map.relativeAccuracy;
  }
  /** The index mapping: `'cubic'`, `'logarithmic'` or `'exponential'` (a scale). */
  get mapping(): SketchMapping {
    return this.#map.kind;
  }
  /** The OpenTelemetry scale of an exponential mapping (null otherwise). */
  get scale(): number | null {
    return this.#map.kind === 'exponential' ? this.#map.scale : null;
  }

  /** Bins and exact summary, after a fold. @internal */
  #export(fn: string): { bins: SketchBins; s: Float64Array } {
    const s = this.#stats(fn);
    return { bins: this.#core!.bins(), s };
  }

  /**
   * Adds another sketch's contents. The mappings must be the same (same
   * accuracy and kind, or the same scale): otherwise a RangeError says
   * which differ. Merging equals recording the other's values here.
   */
  merge(other: QuantileSketch): void {
    const fn = 'QuantileSketch.merge';
    const core = this.#live('merge');
    if (!(other instanceof QuantileSketch)) typeError(fn, 'other', `must be a QuantileSketch; got ${describe(other)}`);
    const oc = other.#live('merge');
    if (!sameMapping(this.#map, other.#map)) rangeError(fn, 'other', `has mapping ${describeMapping(other.#map)}; this sketch has ${describeMapping(this.#map)} (only sketches with the same mapping merge)`);
    this.#flush();
    other.#flush();
    if (other !== this && other.backend === this.backend) core.merge(oc);
    else {
      const { bins, s } = other.#export('merge');
      core.addBins(bins, s[SUMMARY.count]!, s[SUMMARY.sum]!, s[SUMMARY.min]!, s[SUMMARY.max]!);
    }
    this.#changed();
  }

  /**
   * A new sketch holding every given sketch's contents (the federated case:
   * regional sketches merged centrally). All must share one mapping.
   */
  static mergeAll(sketches: readonly QuantileSketch[], options?: SketchLoadOptions): QuantileSketch {
    const fn = 'QuantileSketch.mergeAll';
    if (!Array.isArray(sketches)) typeError(fn, 'sketches', `must be an array of QuantileSketch; got ${describe(sketches)}`);
    const o = checkOptions<SketchLoadOptions>(fn, options);
    checkKnownKeys(fn, 'options', o, ['maxBins', 'backend'], {});
    const list = (sketches as readonly unknown[]).slice();
    if (list.length === 0) rangeError(fn, 'sketches', 'must hold at least one sketch (its mapping is the result\'s)');
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (!(s instanceof QuantileSketch)) typeError(fn, `sketches[${i}]`, `must be a QuantileSketch; got ${describe(s)}`);
      s.#live('mergeAll');
    }
    const first = list[0] as QuantileSketch;
    for (let i = 1; i < list.length; i++) {
      const s = list[i] as QuantileSketch;
      if (!sameMapping(first.#map, s.#map)) rangeError(fn, `sketches[${i}]`, `has mapping ${describeMapping(s.#map)}; sketches[0] has ${describeMapping(first.#map)}`);
    }
    let widest = 1;
    for (const s of list as QuantileSketch[]) if (s.maxBins > widest) widest = s.maxBins;
    const maxBins = maxBinsOf(fn, o.maxBins, widest);
    // On the first sketch's tier unless told otherwise: same-tier runs merge in one crossing.
    const out = QuantileSketch.#make(fn, first.#map, maxBins, o.backend ?? first.backend);
    // Runs of sketches on the result's tier merge in one crossing each; the
    // others go through their bins in between, so sums add in list order.
    let run: SketchCore[] = [];
    for (const s of list as QuantileSketch[]) {
      s.#flush();
      if (s.backend === out.backend) run.push(s.#core!);
      else {
        if (run.length > 0) out.#core!.mergeMany(run);
        run = [];
        const { bins, s: sum } = s.#export('mergeAll');
        out.#core!.addBins(bins, sum[SUMMARY.count]!, sum[SUMMARY.sum]!, sum[SUMMARY.min]!, sum[SUMMARY.max]!);
      }
    }
    if (run.length > 0) out.#core!.mergeMany(run);
    out.#changed();
    return out;
  }

  static #make(fn: string, map: Mapping, maxBins: number, backend: unknown): QuantileSketch {
    return new QuantileSketch({ [INTERNAL]: { fn, map, maxBins, backend } } as QuantileSketchOptions);
  }

  /**
   * DDSketch protobuf bytes (sketches-proto's `DDSketch`), readable by
   * `DDSketch.fromProto` of @datadog/sketches-js and Datadog's other
   * libraries. The exact sum, min and max ride along in fields other
   * decoders skip.
   */
  toProto(): Uint8Array {
    const { bins, s } = this.#export('toProto');
    const m = this.#map;
    return encodeSketch({
      gamma: m.gamma,
      indexOffset: m.offset,
      interpolation: m.kind === 'cubic' ? INTERPOLATION.CUBIC : INTERPOLATION.NONE,
      bins,
      summary: s[SUMMARY.count] === 0 ? null : { sum: s[SUMMARY.sum]!, min: s[SUMMARY.min]!, max: s[SUMMARY.max]! },
    });
  }

  /**
   * Decodes DDSketch protobuf bytes (from {@link toProto}, sketches-js,
   * sketches-go, sketches-java). Interpolation NONE (logarithmic) and CUBIC
   * are read; a gamma of 2^(2^-s) with offset 0 gives the exponential
   * mapping at scale s. Without hotpath's summary fields, sum, min and max
   * are estimated from the bins. Malformed bytes give a RangeError naming
   * the offset; nothing is built.
   */
  static fromProto(bytes: Uint8Array, options?: SketchLoadOptions): QuantileSketch {
    const fn = 'QuantileSketch.fromProto';
    if (!(bytes instanceof Uint8Array)) typeError(fn, 'bytes', `must be a Uint8Array; got ${describe(bytes)}`);
    const o = checkOptions<SketchLoadOptions>(fn, options);
    checkKnownKeys(fn, 'options', o, ['maxBins', 'backend'], {});
    const msg = decodeSketch(fn, ownCopy(realView(fn, 'bytes', bytes) as unknown as Float64Array) as unknown as Uint8Array);
    let map: Mapping;
    if (msg.interpolation === INTERPOLATION.CUBIC) map = cubicMapping(fn, 'bytes', msg.gamma, msg.indexOffset);
    else if (msg.interpolation === INTERPOLATION.NONE) {
      let scale = 0;
      for (let s = SKETCH_MIN_SCALE; s <= SKETCH_MAX_SCALE && msg.indexOffset === 0; s++) if (expGamma(s) === msg.gamma) scale = s;
      map = scale !== 0 ? expMapping(scale, 0) : logMapping(fn, 'bytes', msg.gamma, msg.indexOffset);
    } else return rangeError(fn, 'bytes', `mapping interpolation ${msg.interpolation} (LINEAR or QUADRATIC) is not supported; NONE and CUBIC are, at offset 0`);
    const b = msg.bins;
    const span = Math.max(b.pos.length, b.neg.length);
    const maxBins = maxBinsOf(fn, o.maxBins, Math.min(SKETCH_MAX_BINS, Math.max(DEFAULT_MAX_BINS, span)));
    let count = b.zeroCount;
    let sum = 0;
    let min = b.zeroCount > 0 ? 0 : Infinity;
    let max = b.zeroCount > 0 ? 0 : -Infinity;
    for (let i = 0; i < b.pos.length; i++) {
      const c = b.pos[i]!;
      if (c === 0) continue;
      const v = map.value(b.posOffset + i);
      count += c;
      sum += v * c;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let i = 0; i < b.neg.length; i++) {
      const c = b.neg[i]!;
      if (c === 0) continue;
      const v = -map.value(b.negOffset + i);
      count += c;
      sum += v * c;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (msg.summary !== null && count > 0) ({ sum, min, max } = msg.summary);
    const out = QuantileSketch.#make(fn, map, maxBins, o.backend);
    if (count > 0) {
      out.#core!.addBins(b, count, sum, min, max);
      out.#changed();
    }
    return out;
  }

  /**
   * The sketch as an OpenTelemetry ExponentialHistogram data point. With
   * the exponential mapping (`scale`) the buckets are exactly the ones
   * sdk-metrics' exponential-histogram aggregation gives for the same values
   * and `maxSize`. A cubic or logarithmic sketch is re-bucketed: each bin's
   * value goes to the bucket holding it at the finest scale whose base is at
   * least the sketch's gamma, so counts stay exact but a value can land one
   * bucket away from where OpenTelemetry would put it.
   */
  toOtlp(options?: OtlpOptions): OtlpExponentialHistogram {
    const fn = 'QuantileSketch.toOtlp';
    const o = checkOptions<OtlpOptions>(fn, options);
    checkKnownKeys(fn, 'options', o, ['maxSize'], {});
    let maxSize = 160;
    if (o.maxSize !== undefined) {
      if (typeof o.maxSize !== 'number') typeError(fn, 'options.maxSize', `must be a number; got ${describe(o.maxSize)}`);
      if (!Number.isInteger(o.maxSize) || o.maxSize < 2 || o.maxSize > 2 ** 24) rangeError(fn, 'options.maxSize', `must be an integer in [2, 2^24]; got ${o.maxSize}`);
      maxSize = o.maxSize;
    }
    const { bins, s } = this.#export('toOtlp');
    const m = this.#map;
    let scale: number;
    const pos = new Map<number, number>();
    const neg = new Map<number, number>();
    if (m.kind === 'exponential') {
      scale = m.scale;
      for (let i = 0; i < bins.pos.length; i++) if (bins.pos[i] !== 0) pos.set(bins.posOffset + i - 1 - m.offset, bins.pos[i]!);
      for (let i = 0; i < bins.neg.length; i++) if (bins.neg[i] !== 0) neg.set(bins.negOffset + i - 1 - m.offset, bins.neg[i]!);
    } else {
      scale = SKETCH_MAX_SCALE;
      while (scale > -10 && expGamma(scale) < m.gamma) scale--;
      const put = (into: Map<number, number>, key: number, c: number): void => {
        const j = otelIndex(m.value(key), scale);
        into.set(j, (into.get(j) ?? 0) + c);
      };
      for (let i = 0; i < bins.pos.length; i++) if (bins.pos[i] !== 0) put(pos, bins.posOffset + i, bins.pos[i]!);
      for (let i = 0; i < bins.neg.length; i++) if (bins.neg[i] !== 0) put(neg, bins.negOffset + i, bins.neg[i]!);
    }
    let shift = 0;
    while (Math.max(spanAfter(pos, shift), spanAfter(neg, shift)) > maxSize) shift++;
    const n = s[SUMMARY.count]!;
    return {
      count: n,
      sum: s[SUMMARY.sum]!,
      min: n === 0 ? NaN : s[SUMMARY.min]!,
      max: n === 0 ? NaN : s[SUMMARY.max]!,
      scale: scale - shift,
      zeroCount: bins.zeroCount,
      zeroThreshold: SKETCH_MIN_INDEXABLE,
      positive: otelBuckets(pos, shift),
      negative: otelBuckets(neg, shift),
    };
  }

  /** Empties the sketch (the mapping and tier stay). */
  clear(): void {
    const core = this.#live('clear');
    this.#n = 0;
    core.clear();
    this.#changed();
  }

  /** Frees the bins at once; every later call throws a TypeError. Idempotent. */
  dispose(): void {
    const core = this.#core;
    if (core === null) return;
    this.#core = null;
    this.#buf = null;
    this.#view = null;
    coreRegistry.unregister(this.#registration);
    core.free();
  }

  /** Same as {@link dispose} (for `using`). */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
