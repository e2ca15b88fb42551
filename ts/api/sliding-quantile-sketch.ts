/// <reference lib="esnext.disposable" preserve="true" />
// SlidingQuantileSketch: quantiles over the last windowMs, as a ring of
// QuantileSketch slices. The boundary of the current slice is a timer on a
// TimingWheel; reads and writes advance the wheel when the clock has passed
// that boundary, and each boundary passed clears the oldest slice.
import { checkFunction, checkKnownKeys, checkOptions, describe, rangeError, typeError } from '../contract/errors.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import { QuantileSketch, sketchFor, type OtlpExponentialHistogram, type OtlpOptions, type QuantileSketchOptions, type SketchMapping } from './quantile-sketch.js';
import { readClock, TimingWheel } from './timing-wheel.js';

/** Options of {@link SlidingQuantileSketch}. */
export interface SlidingQuantileSketchOptions {
  /** Window length in ms (required, > 0). */
  windowMs: number;
  /** Slices the window is cut into (default 6, 1..1024): answers cover between windowMs·(slices−1)/slices and windowMs of history. */
  slices?: number;
  /** As {@link QuantileSketchOptions.relativeAccuracy} (default 0.01). */
  relativeAccuracy?: number;
  /** As {@link QuantileSketchOptions.mapping}. */
  mapping?: 'cubic' | 'logarithmic';
  /** As {@link QuantileSketchOptions.scale}. */
  scale?: number;
  /** As {@link QuantileSketchOptions.maxBins}, per slice. */
  maxBins?: number;
  /** Clock in ms (default `performance.now`); must not run backwards. */
  clock?: () => number;
  /** Tier holding the slices' bins (default `'auto'`). */
  backend?: BackendChoice;
}

/** Largest window (2^40 ms) and clock reading (2^52 ms) accepted. */
const MAX_WINDOW = 2 ** 40;
const MAX_TIME = 2 ** 52;
const KEYS = ['windowMs', 'slices', 'relativeAccuracy', 'mapping', 'scale', 'maxBins', 'clock', 'backend'] as const;

/**
 * Quantiles over a sliding time window ("p99 over the last minute"): a ring
 * of `slices` {@link QuantileSketch}es, one per windowMs/slices of time. A
 * slice leaves the answer once it is a whole window old; queries merge the
 * live slices (cached until the next record or rotation).
 *
 * @example
 * const w = new SlidingQuantileSketch({ windowMs: 60_000, slices: 6 });
 * w.record(latencyMs);
 * w.quantile(0.99); // p99 of the last 50–60 s
 */
export class SlidingQuantileSketch {
  readonly #ring: QuantileSketch[];
  readonly #sliceMs: number;
  readonly #clock: () => number;
  readonly #wheel: TimingWheel<number>;
  #cur = 0;
  readonly #origin: number;
  #epoch: number;
  #next: number;
  #merged: QuantileSketch | null = null;
  #disposed = false;
  /** Window length in ms. */
  readonly windowMs: number;
  /** Slices per window. */
  readonly slices: number;

  constructor(options: SlidingQuantileSketchOptions) {
    const fn = 'SlidingQuantileSketch';
    if (options === undefined) typeError(fn, 'options', 'must be an object with windowMs');
    const o = checkOptions<SlidingQuantileSketchOptions>(fn, options);
    checkKnownKeys(fn, 'options', o, KEYS, { window: 'windowMs', windowSize: 'windowMs', buckets: 'slices' });
    if (typeof o.windowMs !== 'number') typeError(fn, 'options.windowMs', `must be a number; got ${describe(o.windowMs)}`);
    if (!(o.windowMs > 0) || o.windowMs === Infinity) rangeError(fn, 'options.windowMs', `must be a finite number > 0; got ${o.windowMs}`);
    let slices = 6;
    if (o.slices !== undefined) {
      if (typeof o.slices !== 'number') typeError(fn, 'options.slices', `must be a number; got ${describe(o.slices)}`);
      if (!Number.isInteger(o.slices) || o.slices < 1 || o.slices > 1024) rangeError(fn, 'options.slices', `must be an integer in [1, 1024]; got ${o.slices}`);
      slices = o.slices;
    }
    checkFunction(fn, 'options.clock', o.clock);
    this.#clock = o.clock ?? (() => performance.now());
    this.windowMs = o.windowMs;
    this.slices = slices;
    this.#sliceMs = o.windowMs / slices;
    if (o.windowMs > MAX_WINDOW) rangeError(fn, 'options.windowMs', `must be <= 2^40 ms (about 35 years); got ${o.windowMs}`);
    if (!(this.#sliceMs >= 0.001)) rangeError(fn, 'options.windowMs', `gives slices of ${this.#sliceMs} ms (windowMs / slices); they must be >= 0.001 ms`);
    const { windowMs: _w, slices: _s, clock: _c, backend, ...sketch } = o;
    const first = sketchFor(fn, sketch, backend);
    this.#ring = [first];
    for (let i = 1; i < slices; i++) this.#ring.push(sketchFor(fn, sketch, first.backend));
    const now = this.#read(fn);
    // The wheel runs on time since creation, so any clock (performance.now,
    // Date.now) fits its range; one tick per slice is all the precision needed.
    this.#origin = now;
    this.#epoch = Math.floor(now / this.#sliceMs);
    this.#next = (this.#epoch + 1) * this.#sliceMs;
    this.#wheel = new TimingWheel<number>({ tickMs: Math.max(0.001, this.#sliceMs), backend: first.backend });
    this.#wheel.scheduleAt(this.#next - now, this.#epoch + 1);
  }

  #read(fn: string): number {
    const now = readClock(fn, this.#clock);
    if (!(Math.abs(now) <= MAX_TIME)) rangeError(fn, 'options.clock', `returned ${now}; times must be within ±2^52 ms`);
    return now;
  }

  #live(fn: string): void {
    if (this.#disposed) throw new TypeError(`hotpath.SlidingQuantileSketch.${fn}: sketch is disposed`);
  }

  /** Rotates past every slice boundary the clock has crossed. */
  #tick(fn: string): void {
    const now = this.#read(`SlidingQuantileSketch.${fn}`);
    if (now < this.#next) return;
    const since = now - this.#origin;
    if (since >= this.#wheel.now && since <= MAX_TIME) this.#wheel.advance(since);
    const epoch = Math.floor(now / this.#sliceMs);
    const steps = Math.min(epoch - this.#epoch, this.slices);
    for (let i = 0; i < steps; i++) {
      this.#cur = (this.#cur + 1) % this.slices;
      this.#ring[this.#cur]!.clear();
    }
    this.#epoch = epoch;
    this.#next = (epoch + 1) * this.#sliceMs;
    const at = this.#next - this.#origin;
    if (at >= this.#wheel.now && at <= MAX_TIME) this.#wheel.scheduleAt(at, epoch + 1);
    this.#drop();
  }

  #drop(): void {
    this.#merged?.dispose();
    this.#merged = null;
  }

  #window(fn: string): QuantileSketch {
    this.#live(fn);
    this.#tick(fn);
    this.#merged ??= QuantileSketch.mergeAll(this.#ring);
    return this.#merged;
  }

  /** Records a value (or `count` copies) into the current slice. */
  record(value: number, count?: number): void {
    this.#live('record');
    this.#tick('record');
    this.#ring[this.#cur]!.record(value, count);
    if (this.#merged !== null) this.#drop();
  }

  /** Records many values into the current slice (all or nothing, as {@link QuantileSketch.recordMany}). */
  recordMany(values: Float64Array | Float32Array | readonly number[]): void {
    this.#live('recordMany');
    this.#tick('recordMany');
    this.#ring[this.#cur]!.recordMany(values);
    this.#drop();
  }

  /** Quantile q in [0, 1] over the window (NaN when the window is empty). */
  quantile(q: number): number {
    return this.#window('quantile').quantile(q);
  }
  /** Several quantiles over the window. */
  quantiles(qs: Float64Array | readonly number[]): Float64Array {
    return this.#window('quantiles').quantiles(qs);
  }
  /** Percentile p in [0, 100] over the window. */
  percentile(p: number): number {
    return this.#window('percentile').percentile(p);
  }
  /** Values in the window. */
  get count(): number {
    return this.#window('count').count;
  }
  /** Sum of the window's values. */
  get sum(): number {
    return this.#window('sum').sum;
  }
  /** Least value in the window (NaN when empty). */
  get min(): number {
    return this.#window('min').min;
  }
  /** Greatest value in the window (NaN when empty). */
  get max(): number {
    return this.#window('max').max;
  }
  /** Mean of the window's values (NaN when empty). */
  get mean(): number {
    return this.#window('mean').mean;
  }
  /** The slices' relative accuracy. */
  get relativeAccuracy(): number {
    return this.#ring[0]!.relativeAccuracy;
  }
  /** The slices' index mapping. */
  get mapping(): SketchMapping {
    return this.#ring[0]!.mapping;
  }
  /** Tier holding the bins. */
  get backend(): TierName {
    return this.#ring[0]!.backend;
  }

  /** A new QuantileSketch holding the window's contents (the caller disposes it). */
  snapshot(): QuantileSketch {
    return QuantileSketch.mergeAll([this.#window('snapshot')]);
  }
  /** The window as DDSketch protobuf bytes. */
  toProto(): Uint8Array {
    return this.#window('toProto').toProto();
  }
  /** The window as an OpenTelemetry ExponentialHistogram data point. */
  toOtlp(options?: OtlpOptions): OtlpExponentialHistogram {
    return this.#window('toOtlp').toOtlp(options);
  }

  /** Empties every slice. */
  clear(): void {
    this.#live('clear');
    for (const s of this.#ring) s.clear();
    this.#drop();
  }

  /** Frees every slice at once; later calls throw a TypeError. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#drop();
    for (const s of this.#ring) s.dispose();
    this.#wheel.dispose();
  }

  /** Same as {@link dispose} (for `using`). */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
