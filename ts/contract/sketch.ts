// The storage contract of QuantileSketch: what each tier's sketch core
// implements. Arguments arrive validated by the API layer (values are a
// private, non-shared Float64Array; weights positive safe integers).
//
// Every tier runs the same arithmetic, so bins, counts, sum, min and max are
// identical bit for bit across tiers (the tests compare them). Only +, -, *,
// /, ceil/floor and bit extraction are used: no fused multiply-add, no
// platform libm (the log below is fdlibm's, which was Node 20's Math.log).
//
// State: two stores of f64 bin counts keyed by i32 (P for v > 0, N for the
// magnitudes of v < 0), zeroCount, count, sum, min (init +Inf), max (init
// -Inf). Counts are integers held in f64 (exact up to 2^53).
//
// add(values): all or nothing. Pass 1: if some value is not finite, return
// the index of the first one and change nothing. Pass 2, for each v in order:
// count += 1; sum += v; if (v < min) min = v; if (v > max) max = v; then
// |v| <= MIN_INDEXABLE (2^-1022): zeroCount += 1; v > 0: P.add(key(v), 1);
// else N.add(key(-v), 1). Returns -1.
// addWeighted(v, w): the same for one value with count w (count += w,
// sum += v * w, the bin or zeroCount += w).
//
// key(v), v normal and > 0, bits = the f64's bits, e = (bits >> 52) & 0x7ff:
//  - CUBIC (DDSketch's CubicallyInterpolatedMapping): s = the f64 with bits
//    (bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000, minus 1.0;
//    approx = ((A * s + B) * s + C) * s + (e - 1023), with A = 6 / 35,
//    B = -3 / 5, C = 10 / 7 (f64 divisions); key = ceil(approx * multiplier)
//    + offset.
//  - LOG (DDSketch's LogarithmicMapping with any gamma): key =
//    ceil(fdlibmLog(v) * multiplier) + offset.
//  - EXP (OpenTelemetry's base-2 exponential mapping at scale s, 1..20; key =
//    OTel index + 1): if bits & 0x000f_ffff_ffff_ffff == 0 (a power of two):
//    key = (e - 1023) * 2^s; else idx = floor(fdlibmLog(v) * multiplier),
//    idx = min(idx, 1024 * 2^s - 1), key = idx + 1. Then + offset.
// The API checks multiplier and offset so every key fits in i32.
//
// Stores, maxBins M (1..2^20). P collapses its lowest keys: after any
// sequence of adds, each added key k counts in bin max(k, H - M + 1), H the
// highest key P was ever given since the last clear. N collapses its highest:
// bin min(k, L + M - 1), L the lowest key N was given. So bins depend only on
// the multiset of keys (order, batching and merging do not matter), and at
// most M bins per store are non-zero. Implementations must not overflow i32
// while computing H - M + 1 (use i64 or clamp).
//
// addBins(bins, count, sum, min, max) merges exported bins: each non-zero
// bin goes through P.add / N.add with its count, zeroCount += bins.zeroCount,
// this.count += count, this.sum += sum, min = min < this.min ? min : this.min
// (the same for max). merge(other) is addBins(other.bins(), other's summary).
//
// fdlibmLog: fdlibm 5.3's __ieee754_log (e_log.c), transcribed op for op
// (ts/tiers/js/sketch.ts holds the reference transcription); it equals Node
// 20's Math.log (V8 11.3) bit for bit, newer V8s to within an ulp
// (test/sketch-interop.test.ts).
import { ABI } from './abi.js';

/** |v| at or below this counts as zero (the smallest normal double). */
export const SKETCH_MIN_INDEXABLE = 2 ** -1022;
/** Bins per store, most. */
export const SKETCH_MAX_BINS = 2 ** 20;
/** Scales an EXP mapping may have. */
export const SKETCH_MIN_SCALE = 1;
export const SKETCH_MAX_SCALE = 20;
/** The cubic interpolation's coefficients (DDSketch's). */
export const CUBIC_A = 6 / 35;
export const CUBIC_B = -3 / 5;
export const CUBIC_C = 10 / 7;

/** Mapping codes (ABI). */
export const SKETCH_MAPPING = { cubic: ABI.SKETCH_CUBIC, log: ABI.SKETCH_LOG, exp: ABI.SKETCH_EXP } as const;

/** What a sketch core is made with (validated). */
export interface SketchConfig {
  /** ABI.SKETCH_CUBIC | SKETCH_LOG | SKETCH_EXP. */
  readonly mapping: number;
  /** Index multiplier: CUBIC 1/(C ln gamma), LOG 1/ln gamma, EXP 2^scale / ln 2. */
  readonly multiplier: number;
  /** Added to every key (an integer; 0 unless a decoded sketch says otherwise). */
  readonly offset: number;
  /** EXP only (else 0). */
  readonly scale: number;
  /** Bins per store. */
  readonly maxBins: number;
}

/** A sketch's non-zero bin range per store, lowest key first. */
export interface SketchBins {
  zeroCount: number;
  /** Key of neg[0] (keys are of |v|); 0 when neg is empty. */
  negOffset: number;
  neg: Float64Array;
  posOffset: number;
  pos: Float64Array;
}

/** Where summary() writes what: count, sum, min, max, zeroCount. */
export const SUMMARY = { count: 0, sum: 1, min: 2, max: 3, zeroCount: 4, length: 5 } as const;

/** One sketch's storage on a tier. */
export interface SketchCore {
  /** All or nothing: -1, or the index of the first non-finite value (nothing added). */
  add(values: Float64Array): number;
  addWeighted(value: number, weight: number): void;
  /** Writes count, sum, min, max, zeroCount into out[0..5). */
  summary(out: Float64Array): void;
  /** The non-zero range of each store (trimmed: first and last bins non-zero). */
  bins(): SketchBins;
  addBins(bins: SketchBins, count: number, sum: number, min: number, max: number): void;
  /** Merges a core of the same tier and config (other may be this core: counts double). */
  merge(other: SketchCore): void;
  /**
   * merge() of each, in order, in one crossing (the federated case: 10^3
   * regional sketches). Equal to the loop; cores of the same tier and config.
   */
  mergeMany(others: readonly SketchCore[]): void;
  clear(): void;
  /** Frees the storage; the core is not used again. */
  free(): void;
}
