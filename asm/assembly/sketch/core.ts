// QuantileSketch storage in linear memory. The algorithm is the contract in the header of
// ts/contract/sketch.ts (key functions, add, the collapsing stores, addBins / merge); this
// file computes the same keys with the same f64 operations, so bins, count, sum, min and
// max are bit for bit those of the JS reference (ts/tiers/js/sketch.ts).
//
// Everything is a raw `alloc`'d block; nothing is GC-managed and nothing traps: every
// growth reports failure through a return code and leaves the sketch as it was.
//
// A sketch is a HEADER_BYTES header (config, summary, two store descriptors) and one block
// of f64 bin counts per store. Both stores collapse their lowest keys: P holds the keys of
// v > 0, N the negated keys of the magnitudes of v < 0 (the contract's
// min(k, L + M - 1) is max(-k, -L - M + 1) negated), as in the JS reference.
//
// Store (descriptor at s + H_P / s + H_N, fields S_*): data f64[cap] holds the count of key
// base + j at j; its non-zero range is [lo, hi] (both ends non-zero) when `used`. hi is the
// highest key the store was given since the last clear (counts are positive), so the
// collapse floor is hi - M + 1 and every bin lies in [hi - M + 1, hi]: a key k lands in
// bin max(k, floor). Capacity grows by doubling up to 2M, so a store sliding upwards
// re-bases (memmove) only every ~M/2 keys.
//
// Batches (sketchAdd, sketchAddBins, sketchMerge, sketchMergeMany) are all or nothing:
//   1. keys of the whole batch and the summary in locals (sketchAdd: first non-finite
//      value -> its index, nothing changed), the lowest and highest key per store;
//   2. plan both stores for their final range [max(min(lo, batch lo), floor), max(hi,
//      batch hi)] and allocate any block they need (failure: free what was allocated,
//      STATUS_OUT_OF_MEMORY, nothing changed);
//   3. commit: fold the bins below the final floor into it, move to the new block if any;
//   4. add every key to bin max(k, final lo) (the same bin as one add at a time, since
//      bins depend only on the multiset of keys), then the summary.
// A merge is such a batch whose keys are the other sketch's bins: planned from its range
// (sketchMergeMany: the union of all the ranges, once), then a vector add of its counts
// into the window (those below the final lo fold into it) and an O(1) summary.

import { alloc } from "../memory";
import { SKETCH_CUBIC, SKETCH_LOG, SKETCH_EXP, STATUS_OUT_OF_MEMORY } from "../abi";

// ---- limits --------------------------------------------------------------------------

// @ts-ignore: decorator
@inline const MAX_BINS: i32 = 1 << 20;
// @ts-ignore: decorator
@inline const MIN_SCALE: i32 = 1;
// @ts-ignore: decorator
@inline const MAX_SCALE: i32 = 20;
/** Keys are clamped into [-KEY_MAX, KEY_MAX] (the API keeps valid keys inside it). */
// @ts-ignore: decorator
@inline const KEY_MAX: i32 = 0x7fffffff;
// @ts-ignore: decorator
@inline const KEY_MAX_F: f64 = 2147483647.0;
// @ts-ignore: decorator
@inline const NONE_HI: i32 = -0x80000000; // below every key
// @ts-ignore: decorator
@inline const NONE_LO: i32 = 0x7fffffff;
/** First store capacity. */
// @ts-ignore: decorator
@inline const MIN_CAP: i64 = 32;
// @ts-ignore: decorator
@inline const ABS: u64 = 0x7fffffffffffffff;
// @ts-ignore: decorator
@inline const EXP_BITS: u64 = 0x7ff0000000000000;
// @ts-ignore: decorator
@inline const MANT: u64 = 0x000fffffffffffff;
/** Bits of 2^-1022 (SKETCH_MIN_INDEXABLE): |v| at or below it counts as zero. */
// @ts-ignore: decorator
@inline const MIN_NORMAL_BITS: u64 = 0x0010000000000000;
// @ts-ignore: decorator
@inline const ONE_BITS: u64 = 0x3ff0000000000000;
/** Bits of 2^52, and 2^52 + 1023: (2^52 + e) - (2^52 + 1023) is e - 1023 exactly. */
// @ts-ignore: decorator
@inline const TWO52_BITS: u64 = 0x4330000000000000;
// @ts-ignore: decorator
@inline const TWO52_1023: f64 = 4503599627371519.0;

const CUBIC_A: f64 = 6.0 / 35.0;
const CUBIC_B: f64 = -3.0 / 5.0;
const CUBIC_C: f64 = 10.0 / 7.0;

// ---- header --------------------------------------------------------------------------

// @ts-ignore: decorator
@inline const H_MAPPING: usize = 0; // i32
// @ts-ignore: decorator
@inline const H_OFFSET: usize = 4; // i32
// @ts-ignore: decorator
@inline const H_SCALE: usize = 8; // i32
// @ts-ignore: decorator
@inline const H_MAXBINS: usize = 12; // i32
// @ts-ignore: decorator
@inline const H_MULT: usize = 16; // f64
// @ts-ignore: decorator
@inline export const H_COUNT: usize = 24; // f64
// @ts-ignore: decorator
@inline export const H_SUM: usize = 32; // f64
// @ts-ignore: decorator
@inline export const H_MIN: usize = 40; // f64
// @ts-ignore: decorator
@inline export const H_MAX: usize = 48; // f64
// @ts-ignore: decorator
@inline export const H_ZERO: usize = 56; // f64
// @ts-ignore: decorator
@inline const H_UNIT: usize = 64; // f64 2^scale (EXP)
// @ts-ignore: decorator
@inline const H_ECAP: usize = 72; // f64 1024 * 2^scale - 1 (EXP)
// @ts-ignore: decorator
@inline const H_OFFF: usize = 80; // f64 offset
// @ts-ignore: decorator
@inline const H_CLAMP: usize = 88; // i32 1 when a key could leave [-KEY_MAX, KEY_MAX]
// @ts-ignore: decorator
@inline const H_P: usize = 96; // store descriptor, STORE_BYTES
// @ts-ignore: decorator
@inline const H_N: usize = 120;
// @ts-ignore: decorator
@inline const HEADER_BYTES: usize = 144;

// store descriptor fields
// @ts-ignore: decorator
@inline const S_DATA: usize = 0; // u32 pointer (0 = none)
// @ts-ignore: decorator
@inline const S_CAP: usize = 4; // i32 entries
// @ts-ignore: decorator
@inline const S_BASE: usize = 8; // i32 key of data[0]
// @ts-ignore: decorator
@inline const S_LO: usize = 12; // i32
// @ts-ignore: decorator
@inline const S_HI: usize = 16; // i32
// @ts-ignore: decorator
@inline const S_USED: usize = 20; // i32 0 / 1

// A store plan (phase 2 -> 3), PLAN_BYTES each, two of them (P, N) in static memory.
// @ts-ignore: decorator
@inline const PL_LO: usize = 0; // i32 final lo (= the clamp of every key)
// @ts-ignore: decorator
@inline const PL_HI: usize = 4; // i32 final hi
// @ts-ignore: decorator
@inline const PL_KIND: usize = 8; // i32 KIND_*
// @ts-ignore: decorator
@inline const PL_BLOCK: usize = 12; // u32 new block (KIND_NEW)
// @ts-ignore: decorator
@inline const PL_CAP: usize = 16; // i32 capacity after the commit
// @ts-ignore: decorator
@inline const PLAN_BYTES: usize = 32;
/** The store is not touched by the batch. */
// @ts-ignore: decorator
@inline const KIND_NONE: i32 = 0;
/** The final range is inside the current window. */
// @ts-ignore: decorator
@inline const KIND_KEEP: i32 = 1;
/** Same block, new base (memmove). */
// @ts-ignore: decorator
@inline const KIND_REBASE: i32 = 2;
/** A new block (PL_BLOCK, PL_CAP). */
// @ts-ignore: decorator
@inline const KIND_NEW: i32 = 3;

const PLANS = memory.data(64, 16); // 2 * PLAN_BYTES
/**
 * Where pass B of sketchAdd sends a key, by class: 8 bytes per class (N at 0, P at 8, zero
 * class at 16), i32 clamp (the final lo of the store), u32 data - 8 * base (wrapping), so
 * a key k of that class counts at off + 8 * max(k, clamp). The zero class clamps every
 * key to KEY_MAX and lands on ZERO_SINK. A class is kept as -2 (N), -1 (P) or 0 (zero
 * class): the sum of two lane masks in the SIMD key loop, and 16 + 8 * class is its ROUTE
 * offset. The SIMD pass B turns it into a swizzle index word, the bytes of its i32 entry
 * in a 16-byte table [N, P, zero, -]: SWZ_ZERO + class * 0x04040404.
 */
const ROUTE = memory.data(64, 16);
const ZERO_SINK = memory.data(16, 16);
// @ts-ignore: decorator
@inline const CLS_N: i32 = -2;
// @ts-ignore: decorator
@inline const CLS_P: i32 = -1;
// @ts-ignore: decorator
@inline const CLS_ZERO: i32 = 0;
// @ts-ignore: decorator
@inline const SWZ_ZERO: i32 = 0x0b0a0908;
// @ts-ignore: decorator
@inline const SWZ_STEP: i32 = 0x04040404;

// ---- small accessors -----------------------------------------------------------------

// @ts-ignore: decorator
@inline function sData(st: usize): usize {
  return <usize>load<u32>(st, S_DATA);
}

// @ts-ignore: decorator
@inline function at(data: usize, j: i64): usize {
  return data + (<usize>j << 3);
}

/** Bytes a heap block occupies: TLSF payload size plus its 4-byte header (0 for null). */
// @ts-ignore: decorator
@inline function blockBytes(p: usize): u64 {
  return p ? <u64>((load<usize>(p - 4) & ~(<usize>3)) + 4) : 0;
}

// ---- fdlibm log ----------------------------------------------------------------------

// @ts-ignore: decorator
@inline const LN2_HI: f64 = 6.93147180369123816490e-1;
// @ts-ignore: decorator
@inline const LN2_LO: f64 = 1.90821492927058770002e-10;
// @ts-ignore: decorator
@inline const TWO54: f64 = 1.8014398509481984e16;
// @ts-ignore: decorator
@inline const LG1: f64 = 6.666666666666735130e-1;
// @ts-ignore: decorator
@inline const LG2: f64 = 3.999999999940941908e-1;
// @ts-ignore: decorator
@inline const LG3: f64 = 2.857142874366239149e-1;
// @ts-ignore: decorator
@inline const LG4: f64 = 2.222219843214978396e-1;
// @ts-ignore: decorator
@inline const LG5: f64 = 1.818357216161805012e-1;
// @ts-ignore: decorator
@inline const LG6: f64 = 1.531383769920937332e-1;
// @ts-ignore: decorator
@inline const LG7: f64 = 1.479819860511658591e-1;

/**
 * fdlibm 5.3's __ieee754_log (e_log.c), op for op as ts/tiers/js/sketch.ts's fdlibmLog
 * (which is V8's Math.log). AssemblyScript's Math.log is musl's and differs in the last bit.
 */
export function fdlibmLog(x: f64): f64 {
  let bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if ((<u32>(hx & 0x7fffffff) | <u32>bits) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    bits = reinterpret<u64>(x);
    hx = <i32>(bits >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  x = reinterpret<f64>((<u64>(<u32>(hx | (i0 ^ 0x3ff00000))) << 32) | (bits & 0xffffffff));
  k += i0 >> 20;
  const f = x - 1.0;
  const dk = intToF64(k);
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0) return k == 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - r : dk * LN2_HI - ((r - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  let i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const r = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
  }
  return k == 0 ? f - s * (f - r) : dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
}

// ---- keys ----------------------------------------------------------------------------

/**
 * The contract's key of the magnitude with bits `a` (normal, > 0), in f64 as the JS
 * reference computes it (offset added in f64). Any bits are accepted (zero, subnormal,
 * NaN give some value or NaN, never a trap); clampKey makes it an i32.
 */
// @ts-ignore: decorator
@inline function keyF(mapping: i32, a: u64, mult: f64, off: f64, unit: f64, ecap: f64): f64 {
  if (mapping == SKETCH_CUBIC) {
    const s = reinterpret<f64>((a & MANT) | ONE_BITS) - 1.0;
    const e = reinterpret<f64>(TWO52_BITS | (a >> 52)) - TWO52_1023;
    return Math.ceil((((CUBIC_A * s + CUBIC_B) * s + CUBIC_C) * s + e) * mult) + off;
  }
  if (mapping == SKETCH_LOG) return Math.ceil(fdlibmLog(reinterpret<f64>(a)) * mult) + off;
  if ((a & MANT) == 0) return (reinterpret<f64>(TWO52_BITS | (a >> 52)) - TWO52_1023) * unit + off;
  return min<f64>(Math.floor(fdlibmLog(reinterpret<f64>(a)) * mult), ecap) + 1.0 + off;
}

/** An f64 key as an i32 in [-KEY_MAX, KEY_MAX] (NaN -> 0; trunc_sat never traps). */
// @ts-ignore: decorator
@inline function clampKey(k: f64): i32 {
  return <i32>min<f64>(max<f64>(k, -KEY_MAX_F), KEY_MAX_F);
}

/**
 * clampKey for the integer-valued keys of the key functions, in the hot loops: compares
 * and selects, then the integer from the low word of k + 1.5 * 2^52 (NaN gives some
 * value, never a trap). V8's trunc_sat and i32 -> f64 conversions write only the low lane
 * of a register whose upper lanes come from a scratch register other code also writes,
 * which chains the loop's iterations (as do its f64.min / f64.max).
 */
// @ts-ignore: decorator
@inline function keyToI32(k: f64): i32 {
  let c = select<f64>(-KEY_MAX_F, k, k < -KEY_MAX_F);
  c = select<f64>(KEY_MAX_F, c, c > KEY_MAX_F);
  return <i32>reinterpret<u64>(c + 6755399441055744.0);
}

/** An i32 as f64 without a conversion instruction (see keyToI32): exact for |k| < 2^31. */
// @ts-ignore: decorator
@inline function intToF64(k: i32): f64 {
  return reinterpret<f64>(TWO52_BITS + <u64>(<i64>k + 0x80000000)) - 4503601774854144.0; // 2^52 + 2^31
}

/** An i64 key (addBins offsets + index) clamped into [-KEY_MAX, KEY_MAX]. */
// @ts-ignore: decorator
@inline function clampKey64(k: i64): i32 {
  return <i32>(k > <i64>KEY_MAX ? <i64>KEY_MAX : k < -<i64>KEY_MAX ? -<i64>KEY_MAX : k);
}

// ---- construction --------------------------------------------------------------------

function initStore(st: usize): void {
  store<u32>(st, 0, S_DATA);
  store<i32>(st, 0, S_CAP);
  store<i32>(st, 0, S_BASE);
  store<i32>(st, 0, S_LO);
  store<i32>(st, -1, S_HI);
  store<i32>(st, 0, S_USED);
}

function resetSummary(s: usize): void {
  store<f64>(s, 0, H_COUNT);
  store<f64>(s, 0, H_SUM);
  store<f64>(s, Infinity, H_MIN);
  store<f64>(s, -Infinity, H_MAX);
  store<f64>(s, 0, H_ZERO);
}

/**
 * An empty sketch; 0 when the config is invalid (mapping not a SKETCH_* code, multiplier
 * not finite and > 0, maxBins outside 1..2^20, an EXP scale outside 1..20) or out of memory.
 */
export function newSketch(mapping: i32, multiplier: f64, offset: i32, scale: i32, maxBins: i32): usize {
  if (mapping != SKETCH_CUBIC && mapping != SKETCH_LOG && mapping != SKETCH_EXP) return 0;
  if (!(multiplier > 0 && multiplier < Infinity)) return 0;
  if (maxBins < 1 || maxBins > MAX_BINS) return 0;
  if (mapping == SKETCH_EXP && (scale < MIN_SCALE || scale > MAX_SCALE)) return 0;
  const s = alloc(HEADER_BYTES);
  if (!s) return 0;
  memory.fill(s, 0, HEADER_BYTES);
  store<i32>(s, mapping, H_MAPPING);
  store<i32>(s, offset, H_OFFSET);
  store<i32>(s, mapping == SKETCH_EXP ? scale : 0, H_SCALE);
  store<i32>(s, maxBins, H_MAXBINS);
  store<f64>(s, multiplier, H_MULT);
  store<f64>(s, <f64>offset, H_OFFF);
  // The SIMD CUBIC keys skip the clamp when it cannot act: their approx lies in
  // [-1023, 1024] for every finite value (zero class included).
  const bound = 1025 * multiplier + Math.abs(<f64>offset) + 2;
  store<i32>(s, bound < KEY_MAX_F ? 0 : 1, H_CLAMP);
  const unit = mapping == SKETCH_EXP ? <f64>(1 << scale) : 0;
  store<f64>(s, unit, H_UNIT);
  store<f64>(s, 1024 * unit - 1, H_ECAP);
  resetSummary(s);
  initStore(s + H_P);
  initStore(s + H_N);
  return s;
}

export function freeSketch(s: usize): void {
  heap.free(sData(s + H_P));
  heap.free(sData(s + H_N));
  heap.free(s);
}

function clearStore(st: usize): void {
  if (load<i32>(st, S_USED)) {
    const base = <i64>load<i32>(st, S_BASE);
    const lo = <i64>load<i32>(st, S_LO), hi = <i64>load<i32>(st, S_HI);
    memory.fill(at(sData(st), lo - base), 0, <usize>(hi - lo + 1) << 3);
  }
  store<i32>(st, 0, S_LO);
  store<i32>(st, -1, S_HI);
  store<i32>(st, 0, S_USED);
}

/** Empties the sketch; the store blocks are kept (zeroed) for reuse. */
export function clearSketch(s: usize): void {
  clearStore(s + H_P);
  clearStore(s + H_N);
  resetSummary(s);
}

export function memoryBytes(s: usize): u64 {
  return blockBytes(s) + blockBytes(sData(s + H_P)) + blockBytes(sData(s + H_N));
}

// ---- store plans ---------------------------------------------------------------------

/**
 * Phase 2 for one store given keys [bLo, bHi] (bLo <= bHi): records the final range and
 * how to reach it in plan `pl`, allocating a new block if one is needed. False when that
 * block cannot be had (nothing allocated, nothing changed).
 */
function plan(st: usize, maxBins: i32, bLo: i32, bHi: i32, pl: usize): bool {
  const used = load<i32>(st, S_USED) != 0;
  const hi = used ? max<i32>(load<i32>(st, S_HI), bHi) : bHi;
  const lo0 = used ? min<i32>(load<i32>(st, S_LO), bLo) : bLo;
  const floor = <i64>hi - <i64>maxBins + 1;
  const lo = <i32>max<i64>(<i64>lo0, floor);
  const span = <i64>hi - <i64>lo + 1; // 1..maxBins
  const cap = <i64>load<i32>(st, S_CAP);
  const base = <i64>load<i32>(st, S_BASE);
  store<i32>(pl, lo, PL_LO);
  store<i32>(pl, hi, PL_HI);
  store<u32>(pl, 0, PL_BLOCK);
  store<i32>(pl, <i32>cap, PL_CAP);
  if (cap > 0 && <i64>lo >= base && <i64>hi < base + cap) {
    store<i32>(pl, KIND_KEEP, PL_KIND);
    return true;
  }
  // Re-base in place while the range fills at most half the block (or the block is at
  // its largest); else grow to the next power of two >= 2 * span, at most 2 * maxBins.
  const limit = <i64>maxBins << 1;
  if (span <= cap && (span << 1 <= cap || cap >= limit)) {
    store<i32>(pl, KIND_REBASE, PL_KIND);
    return true;
  }
  let want: i64 = MIN_CAP;
  while (want < span << 1) want <<= 1;
  if (want > limit) want = limit;
  if (want < span) want = span;
  let p = alloc(<usize>want << 3);
  if (!p && want > span) {
    // Tight memory: the block we have, re-based, or exactly the span.
    if (span <= cap) {
      store<i32>(pl, KIND_REBASE, PL_KIND);
      return true;
    }
    want = span;
    p = alloc(<usize>want << 3);
  }
  if (!p) return false;
  store<i32>(pl, KIND_NEW, PL_KIND);
  store<u32>(pl, <u32>p, PL_BLOCK);
  store<i32>(pl, <i32>want, PL_CAP);
  return true;
}

/** Frees a plan's new block (a batch that failed after planning it). */
// @ts-ignore: decorator
@inline function dropPlan(pl: usize): void {
  if (load<i32>(pl, PL_KIND) == KIND_NEW) heap.free(<usize>load<u32>(pl, PL_BLOCK));
}

/**
 * Phase 3: the store takes its planned range. Bins below the final lo fold into it, the
 * surviving ones move to the new base / block; cannot fail.
 */
function commit(st: usize, pl: usize): void {
  const kind = load<i32>(pl, PL_KIND);
  if (kind == KIND_NONE) return;
  const lo = <i64>load<i32>(pl, PL_LO), hi = <i64>load<i32>(pl, PL_HI);
  const used = load<i32>(st, S_USED) != 0;
  const oLo = <i64>load<i32>(st, S_LO), oHi = <i64>load<i32>(st, S_HI);
  const oBase = <i64>load<i32>(st, S_BASE);
  let data = sData(st);
  // Fold [oLo, min(lo - 1, oHi)] (old keys below the floor) into bin lo.
  let folded: f64 = 0;
  let sLo = oLo; // first surviving old key
  if (used && oLo < lo) {
    const end = min<i64>(lo - 1, oHi);
    for (let k = oLo; k <= end; k++) {
      const a = at(data, k - oBase);
      folded += load<f64>(a);
      store<f64>(a, 0);
    }
    sLo = lo;
  }
  const survive = used && sLo <= oHi;
  if (kind == KIND_KEEP) {
    // Nothing moves.
  } else {
    const cap = <i64>load<i32>(pl, PL_CAP);
    const span = hi - lo + 1;
    let base = lo - ((cap - span) >> 1);
    if (base < -<i64>KEY_MAX - 1) base = -<i64>KEY_MAX - 1;
    if (kind == KIND_NEW) {
      const p = <usize>load<u32>(pl, PL_BLOCK);
      memory.fill(p, 0, <usize>cap << 3);
      if (survive) memory.copy(at(p, sLo - base), at(data, sLo - oBase), <usize>(oHi - sLo + 1) << 3);
      heap.free(data);
      data = p;
      store<u32>(st, <u32>p, S_DATA);
      store<i32>(st, <i32>cap, S_CAP);
    } else {
      // KIND_REBASE: move the surviving bins, then zero everything else.
      if (survive) {
        const dst = sLo - base, n = oHi - sLo + 1;
        memory.copy(at(data, dst), at(data, sLo - oBase), <usize>n << 3);
        memory.fill(data, 0, <usize>dst << 3);
        memory.fill(at(data, dst + n), 0, <usize>(cap - dst - n) << 3);
      } else {
        memory.fill(data, 0, <usize>cap << 3);
      }
    }
    store<i32>(st, <i32>base, S_BASE);
  }
  if (folded != 0) {
    const a = at(data, lo - <i64>load<i32>(st, S_BASE));
    store<f64>(a, load<f64>(a) + folded);
  }
  store<i32>(st, <i32>lo, S_LO);
  store<i32>(st, <i32>hi, S_HI);
  store<i32>(st, 1, S_USED);
}

/** Plans both stores (a store with bLo > bHi gets none); false = out of memory, nothing changed. */
function planBoth(s: usize, loP: i32, hiP: i32, loN: i32, hiN: i32): bool {
  const M = load<i32>(s, H_MAXBINS);
  const pp = PLANS, pn = PLANS + PLAN_BYTES;
  store<i32>(pp, KIND_NONE, PL_KIND);
  store<i32>(pn, KIND_NONE, PL_KIND);
  if (loP <= hiP && !plan(s + H_P, M, loP, hiP, pp)) return false;
  if (loN <= hiN && !plan(s + H_N, M, loN, hiN, pn)) {
    dropPlan(pp);
    return false;
  }
  commit(s + H_P, pp);
  commit(s + H_N, pn);
  return true;
}

/** Address of the bin key k counts in, in a store just committed (k within its range but for the clamp). */
// @ts-ignore: decorator
@inline function binAddr(st: usize, k: i32): usize {
  const c = max<i32>(k, load<i32>(st, S_LO));
  return at(sData(st), <i64>c - <i64>load<i32>(st, S_BASE));
}

// ---- add -----------------------------------------------------------------------------

// What the passes of addValues carry from block to block (module-level: more results).
let accSum: f64 = 0;
let accMin: f64 = 0;
let accMax: f64 = 0;
let accLoP: i32 = 0;
let accHiP: i32 = 0;
let accLoN: i32 = 0;
let accHiN: i32 = 0;

/**
 * Values per block. A block runs the summary and key passes while in L1 and then holds,
 * in its own 8 * len bytes, its keys (i32[len]) and then their classes (i32[len]).
 */
// @ts-ignore: decorator
@inline const BLOCK: i32 = 1024;
const KBUF = memory.data(BLOCK * 4, 16);
const CBUF = memory.data(BLOCK * 4, 16);

/** v is finite (an exponent below 0x7ff). */
// @ts-ignore: decorator
@inline function finite(v: f64): bool {
  return (reinterpret<u64>(v) & ABS) < EXP_BITS;
}

/** The first v in values[b, e) with v == 0 (+0 or -0). */
function firstZero(p: usize, b: i32, e: i32): f64 {
  for (let i = b; i < e; i++) {
    const v = load<f64>(p + (<usize>i << 3));
    if (v == 0) return v;
  }
  return 0;
}

/**
 * Summary pass over values[b, e): the first non-finite index (nothing else matters then),
 * or -1 with sum / min / max carried in acc*. sum is added in order; min and max are
 * `v < min ? v : min` in order (what the JS reference does, -0 and +0 included).
 */
function sumPass(p: usize, b: i32, e: i32): i32 {
  let sum = accSum;
  let bmn = Infinity, bmx = -Infinity; // this block's, in order
  let i = b;
  if (ASC_FEATURE_SIMD) {
    // Lanes take the even / odd values: pmin(m, v) is `v < m ? v : m`, so each lane is the
    // in-order min of its values, and the lower lane is the block's. Equal lanes with
    // different bits are +0 and -0: the first zero of the block is the block's min.
    let ok = i64x2.splat(-1);
    const inf = f64x2.splat(Infinity);
    let mnv = f64x2.splat(Infinity), mxv = f64x2.splat(-Infinity);
    const m = b + ((e - b) & ~1);
    for (; i < m; i += 2) {
      const v = v128.load(p + (<usize>i << 3));
      ok = v128.and(ok, f64x2.lt(f64x2.abs(v), inf));
      sum += f64x2.extract_lane(v, 0);
      sum += f64x2.extract_lane(v, 1);
      mnv = f64x2.pmin(mnv, v);
      mxv = f64x2.pmax(mxv, v);
    }
    if (!i64x2.all_true(ok)) {
      for (let j = b; j < m; j++) if (!finite(load<f64>(p + (<usize>j << 3)))) return j;
    }
    const a0 = f64x2.extract_lane(mnv, 0), a1 = f64x2.extract_lane(mnv, 1);
    bmn = a1 < a0 ? a1 : a0;
    if (a0 == a1 && reinterpret<u64>(a0) != reinterpret<u64>(a1)) bmn = firstZero(p, b, m);
    const c0 = f64x2.extract_lane(mxv, 0), c1 = f64x2.extract_lane(mxv, 1);
    bmx = c1 > c0 ? c1 : c0;
    if (c0 == c1 && reinterpret<u64>(c0) != reinterpret<u64>(c1)) bmx = firstZero(p, b, m);
  }
  for (; i < e; i++) {
    const v = load<f64>(p + (<usize>i << 3));
    if (!finite(v)) return i;
    sum += v;
    if (v < bmn) bmn = v;
    if (v > bmx) bmx = v;
  }
  accSum = sum;
  if (bmn < accMin) accMin = bmn;
  if (bmx > accMax) accMax = bmx;
  return -1;
}

/**
 * Keys and classes of values[b, e) (all finite) into KBUF / CBUF[j - b0]: key' = k for
 * v > 0, -k for v < 0, anything for the zero class; class CLS_*. One mapping per
 * instantiation (inlined with a constant, so the branches fold).
 */
// @ts-ignore: decorator
@inline function keysScalar(s: usize, p: usize, b0: i32, b: i32, e: i32, mapping: i32): void {
  const mult = load<f64>(s, H_MULT);
  const off = load<f64>(s, H_OFFF);
  const unit = load<f64>(s, H_UNIT);
  const ecap = load<f64>(s, H_ECAP);
  for (let i = b; i < e; i++) {
    const bits = load<u64>(p + (<usize>i << 3));
    const a = bits & ABS;
    const k = keyToI32(keyF(mapping, a, mult, off, unit, ecap));
    const neg = <i64>bits < 0;
    const j = <usize>(i - b0) << 2;
    store<i32>(KBUF + j, select<i32>(-k, k, neg));
    store<i32>(CBUF + j, select<i32>(select<i32>(CLS_N, CLS_P, neg), CLS_ZERO, a > MIN_NORMAL_BITS));
  }
}

/**
 * Constants of cubicLanes, one v128 each (both lanes alike), loaded from memory: as
 * immediates binaryen propagates them into the loop, where V8 rebuilds each one at every
 * use (3 instructions apiece).
 */
const CUBIC_K = memory.data<u64>([
  MANT, MANT, // 0
  ONE_BITS, ONE_BITS, // 16 (also 1.0)
  0x4330000000000000, 0x4330000000000000, // 32 2^52
  0x43300000000003ff, 0x43300000000003ff, // 48 2^52 + 1023
  0x3fc5f15f15f15f16, 0x3fc5f15f15f15f16, // 64 CUBIC_A = 6 / 35
  0xbfe3333333333333, 0xbfe3333333333333, // 80 CUBIC_B = -3 / 5
  0x3ff6db6db6db6db7, 0x3ff6db6db6db6db7, // 96 CUBIC_C = 10 / 7
  0x41dfffffffc00000, 0x41dfffffffc00000, // 112 KEY_MAX_F
  0xc1dfffffffc00000, 0xc1dfffffffc00000, // 128 -KEY_MAX_F
  0x4338000000000000, 0x4338000000000000, // 144 2^52 + 2^51: x + it holds integer x in its low word
  0x8000000000000000, 0x8000000000000000, // 160 sign
  MIN_NORMAL_BITS, MIN_NORMAL_BITS, // 176
], 16);

/**
 * keysScalar for CUBIC on f64x2 lanes (SIMD build), values [b, e), e - b even: the same
 * f64 operations lane by lane (IEEE, no fusion; ceil is f64x2.ceil; e - 1023 comes
 * exactly from (2^52 + e) - (2^52 + 1023)). `clamp` = false when the config cannot
 * produce a key outside ±KEY_MAX (H_CLAMP).
 */
// @ts-ignore: decorator
@inline function cubicLanes(s: usize, p: usize, b0: i32, b: i32, e: i32, clamp: bool): i32 {
  const K = CUBIC_K;
  const mant = v128.load(K, 0), one = v128.load(K, 16);
  const eBits = v128.load(K, 32), eBias = v128.load(K, 48);
  const cA = v128.load(K, 64), cB = v128.load(K, 80), cC = v128.load(K, 96);
  const kMax = v128.load(K, 112), kMin = v128.load(K, 128);
  const magic = v128.load(K, 144), sign = v128.load(K, 160), minNormal = v128.load(K, 176);
  // (from memory too: an i32 -> f64 conversion in the loop has a false dependency on a
  // scratch register V8 also writes there, which chains the iterations)
  const mult = v128.load64_splat(s + H_MULT), off = v128.load64_splat(s + H_OFFF);
  const zero = f64x2.splat(0);
  let mnv = f64x2.splat(Infinity), mxv = f64x2.splat(-Infinity);
  let sum = accSum;
  for (let i = b; i < e; i += 2) {
    const v = v128.load(p + (<usize>i << 3));
    sum += f64x2.extract_lane(v, 0);
    sum += f64x2.extract_lane(v, 1);
    mnv = f64x2.pmin(mnv, v);
    mxv = f64x2.pmax(mxv, v);
    const sv = f64x2.sub(v128.or(v128.and(v, mant), one), one);
    const ev = f64x2.sub(v128.or(i64x2.shr_u(i64x2.shl(v, 1), 53), eBits), eBias);
    const approx = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(cA, sv), cB), sv), cC), sv), ev);
    let kf = f64x2.add(f64x2.ceil(f64x2.mul(approx, mult)), off);
    if (clamp) kf = f64x2.pmax(f64x2.pmin(kf, kMax), kMin);
    // key' = -k for v < 0 (the f64 key's sign flipped, exact), as an integer in the low
    // word of key' + 1.5 * 2^52
    const ki = f64x2.add(v128.xor(kf, v128.and(v, sign)), magic);
    // class: P or N when |v| > 2^-1022 (-0 < 0 is false, but -0 is zero class anyway)
    const nz = f64x2.gt(f64x2.abs(v), minNormal);
    const nM = v128.and(nz, f64x2.lt(v, zero));
    const cls = i32x4.add(nz, nM); // CLS_*
    const kc = v128.shuffle<i32>(ki, cls, 0, 2, 4, 6);
    const j = <usize>(i - b0) << 2;
    v128.store64_lane(KBUF + j, kc, 0);
    v128.store64_lane(CBUF + j, kc, 1);
  }
  // A non-finite value makes the sum non-finite (so does an overflow: then nothing is found)
  if (!finite(sum)) {
    for (let j = b; j < e; j++) if (!finite(load<f64>(p + (<usize>j << 3)))) return j;
  }
  const a0 = f64x2.extract_lane(mnv, 0), a1 = f64x2.extract_lane(mnv, 1);
  let bmn = a1 < a0 ? a1 : a0;
  if (a0 == a1 && reinterpret<u64>(a0) != reinterpret<u64>(a1)) bmn = firstZero(p, b, e);
  const c0 = f64x2.extract_lane(mxv, 0), c1 = f64x2.extract_lane(mxv, 1);
  let bmx = c1 > c0 ? c1 : c0;
  if (c0 == c1 && reinterpret<u64>(c0) != reinterpret<u64>(c1)) bmx = firstZero(p, b, e);
  accSum = sum;
  if (bmn < accMin) accMin = bmn;
  if (bmx > accMax) accMax = bmx;
  return -1;
}

/** Summary and keys of values[b, e) for CUBIC: as sumPass. */
function keysCubic(s: usize, p: usize, b: i32, e: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    const m = b + ((e - b) & ~1);
    const r = load<i32>(s, H_CLAMP) ? cubicLanes(s, p, b, b, m, true) : cubicLanes(s, p, b, b, m, false);
    if (r >= 0) return r;
    if (m < e) {
      const r2 = sumPass(p, m, e);
      if (r2 >= 0) return r2;
      keysScalar(s, p, b, m, e, SKETCH_CUBIC);
    }
    return -1;
  }
  const r = sumPass(p, b, e);
  if (r < 0) keysScalar(s, p, b, b, e, SKETCH_CUBIC);
  return r;
}

function keysLog(s: usize, p: usize, b: i32, e: i32): void {
  keysScalar(s, p, b, b, e, SKETCH_LOG);
}

function keysExp(s: usize, p: usize, b: i32, e: i32): void {
  keysScalar(s, p, b, b, e, SKETCH_EXP);
}

/** Lowest and highest key' per store over KBUF / CBUF[0, len), carried in accLo* / accHi*. */
function rangePass(len: i32): void {
  let loP = accLoP, hiP = accHiP, loN = accLoN, hiN = accHiN;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const mP = i32x4.splat(CLS_P), mN = i32x4.splat(CLS_N);
    const noneLo = i32x4.splat(NONE_LO), noneHi = i32x4.splat(NONE_HI);
    let lP = noneLo, hP = noneHi, lN = noneLo, hN = noneHi;
    const m = len & ~3;
    for (; j < m; j += 4) {
      const k = v128.load(KBUF + (<usize>j << 2));
      const c = v128.load(CBUF + (<usize>j << 2));
      const isP = i32x4.eq(c, mP), isN = i32x4.eq(c, mN);
      lP = i32x4.min_s(lP, v128.bitselect(k, noneLo, isP));
      hP = i32x4.max_s(hP, v128.bitselect(k, noneHi, isP));
      lN = i32x4.min_s(lN, v128.bitselect(k, noneLo, isN));
      hN = i32x4.max_s(hN, v128.bitselect(k, noneHi, isN));
    }
    loP = min<i32>(loP, min<i32>(min<i32>(i32x4.extract_lane(lP, 0), i32x4.extract_lane(lP, 1)), min<i32>(i32x4.extract_lane(lP, 2), i32x4.extract_lane(lP, 3))));
    hiP = max<i32>(hiP, max<i32>(max<i32>(i32x4.extract_lane(hP, 0), i32x4.extract_lane(hP, 1)), max<i32>(i32x4.extract_lane(hP, 2), i32x4.extract_lane(hP, 3))));
    loN = min<i32>(loN, min<i32>(min<i32>(i32x4.extract_lane(lN, 0), i32x4.extract_lane(lN, 1)), min<i32>(i32x4.extract_lane(lN, 2), i32x4.extract_lane(lN, 3))));
    hiN = max<i32>(hiN, max<i32>(max<i32>(i32x4.extract_lane(hN, 0), i32x4.extract_lane(hN, 1)), max<i32>(i32x4.extract_lane(hN, 2), i32x4.extract_lane(hN, 3))));
  }
  for (; j < len; j++) {
    const k = load<i32>(KBUF + (<usize>j << 2)), c = load<i32>(CBUF + (<usize>j << 2));
    const isP = c == CLS_P, isN = c == CLS_N;
    loP = min<i32>(loP, select<i32>(k, NONE_LO, isP));
    hiP = max<i32>(hiP, select<i32>(k, NONE_HI, isP));
    loN = min<i32>(loN, select<i32>(k, NONE_LO, isN));
    hiN = max<i32>(hiN, select<i32>(k, NONE_HI, isN));
  }
  accLoP = loP;
  accHiP = hiP;
  accLoN = loN;
  accHiN = hiN;
}

/** Pass B, one key: kp / cp point at its key and class. */
// @ts-ignore: decorator
@inline function countOne(kp: usize, cp: usize): void {
  const t = ROUTE + <usize>(16 + 8 * load<i32>(cp));
  const c = max<i32>(load<i32>(kp), load<i32>(t));
  const a = <usize>load<u32>(t, 4) + (<usize>c << 3);
  store<f64>(a, load<f64>(a) + 1.0);
}

// @ts-ignore: decorator
@inline function bump(a: usize): void {
  store<f64>(a, load<f64>(a) + 1.0);
}

/** Pass B over one block: its len keys at kp, classes at kp + 4 * len. */
function countBlock(kp: usize, len: i32): void {
  const cp = kp + (<usize>len << 2);
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    // The clamp and offset of 4 keys at once, looked up by swizzle in [N, P, zero, -].
    const clampT = v128.load(ROUTE + 32), offT = v128.load(ROUTE + 48);
    const swz = i32x4.splat(SWZ_ZERO), step = i32x4.splat(SWZ_STEP);
    const m = len & ~3;
    for (; j < m; j += 4) {
      const k = v128.load(kp + (<usize>j << 2));
      const c = i32x4.add(swz, i32x4.mul(v128.load(cp + (<usize>j << 2)), step));
      const cl = i8x16.swizzle(clampT, c);
      const ofs = i8x16.swizzle(offT, c);
      const a = i32x4.add(ofs, i32x4.shl(i32x4.max_s(k, cl), 3));
      bump(<usize>i32x4.extract_lane(a, 0));
      bump(<usize>i32x4.extract_lane(a, 1));
      bump(<usize>i32x4.extract_lane(a, 2));
      bump(<usize>i32x4.extract_lane(a, 3));
    }
  }
  for (; j < len; j++) countOne(kp + (<usize>j << 2), cp + (<usize>j << 2));
}

/** Fills ROUTE (and its swizzle tables at ROUTE + 32, + 48) for the committed stores. */
function route(s: usize): void {
  const sn = s + H_N, sp = s + H_P;
  const clN = load<i32>(sn, S_LO), clP = load<i32>(sp, S_LO), clZ = KEY_MAX;
  const ofN = <u32>(sData(sn) - (<usize>load<i32>(sn, S_BASE) << 3));
  const ofP = <u32>(sData(sp) - (<usize>load<i32>(sp, S_BASE) << 3));
  const ofZ = <u32>(ZERO_SINK - (<usize>KEY_MAX << 3));
  store<i32>(ROUTE, clN);
  store<u32>(ROUTE, ofN, 4);
  store<i32>(ROUTE, clP, 8);
  store<u32>(ROUTE, ofP, 12);
  store<i32>(ROUTE, clZ, 16);
  store<u32>(ROUTE, ofZ, 20);
  store<i32>(ROUTE, clN, 32);
  store<i32>(ROUTE, clP, 36);
  store<i32>(ROUTE, clZ, 40);
  store<u32>(ROUTE, ofN, 48);
  store<u32>(ROUTE, ofP, 52);
  store<u32>(ROUTE, ofZ, 56);
}

/** Counting in lanes pays off from this many values per bin of the two ranges. */
// @ts-ignore: decorator
@inline const LANES_RATIO: i32 = 16;
/** Bins (both stores) above which pass B counts in the stores directly. */
// @ts-ignore: decorator
@inline const LANES_MAX_BINS: i32 = 8192;

/** Bins of a committed store's range (0 when unused). */
// @ts-ignore: decorator
@inline function span(st: usize): i32 {
  return load<i32>(st, S_USED) ? load<i32>(st, S_HI) - load<i32>(st, S_LO) + 1 : 0;
}

/**
 * Pass B of a large batch over few bins, in four lanes: key j of each group of four counts
 * in u32 sub-histogram j (one transient block: per lane, the N range, the P range, a zero
 * slot), then the lanes are added into the stores. The same bins as countBlock; what it
 * avoids is a chain of loads and stores through one bin (sorted or narrow data), which
 * costs a store-forwarding round trip per value. False (nothing done) when it does not
 * apply or the block cannot be had.
 */
function countLanes(s: usize, p: usize, n: i32): bool {
  if (!ASC_FEATURE_SIMD) return false;
  const sn = s + H_N, sp = s + H_P;
  const spanN = span(sn), spanP = span(sp);
  const total = spanN + spanP + 1;
  if (total > LANES_MAX_BINS || n / LANES_RATIO < total) return false;
  const stride = (total + 3) & ~3; // u32 entries per lane
  const strideB = <usize>stride << 2;
  const sub = alloc(strideB << 2);
  if (!sub) return false;
  memory.fill(sub, 0, strideB << 2);
  const loN = load<i32>(sn, S_LO), loP = load<i32>(sp, S_LO);
  // ROUTE-like tables for u32 counters: clamp, and sub - 4 * lo of the class (wrapping)
  const clN = i32x4.splat(loN), clP = i32x4.splat(loP), clZ = i32x4.splat(KEY_MAX);
  const ofN = <u32>(sub - (<usize>loN << 2));
  const ofP = <u32>(sub + (<usize>spanN << 2) - (<usize>loP << 2));
  const ofZ = <u32>(sub + (<usize>(spanN + spanP) << 2) - (<usize>KEY_MAX << 2));
  const T = ROUTE;
  store<i32>(T, loN, 32);
  store<i32>(T, loP, 36);
  store<i32>(T, KEY_MAX, 40);
  store<u32>(T, ofN, 48);
  store<u32>(T, ofP, 52);
  store<u32>(T, ofZ, 56);
  const clampT = v128.load(T, 32), offT = v128.load(T, 48);
  const swz = i32x4.splat(SWZ_ZERO), step = i32x4.splat(SWZ_STEP);
  const lanes = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(0), 1, <i32>strideB), 2, <i32>(strideB << 1)), 3, <i32>(strideB * 3));
  for (let b = 0; b < n; b += BLOCK) {
    const len = n - b > BLOCK ? BLOCK : n - b;
    const kp = p + (<usize>b << 3), cp = kp + (<usize>len << 2);
    let j = 0;
    const m = len & ~3;
    for (; j < m; j += 4) {
      const k = v128.load(kp + (<usize>j << 2));
      const c = i32x4.add(swz, i32x4.mul(v128.load(cp + (<usize>j << 2)), step));
      const cl = i8x16.swizzle(clampT, c);
      const ofs = i32x4.add(i8x16.swizzle(offT, c), lanes);
      const a = i32x4.add(ofs, i32x4.shl(i32x4.max_s(k, cl), 2));
      bump32(<usize>i32x4.extract_lane(a, 0));
      bump32(<usize>i32x4.extract_lane(a, 1));
      bump32(<usize>i32x4.extract_lane(a, 2));
      bump32(<usize>i32x4.extract_lane(a, 3));
    }
    for (; j < len; j++) {
      const c = <usize>(8 + 4 * load<i32>(cp + (<usize>j << 2))); // N, P, zero: 0, 4, 8
      const cl = load<i32>(T + 32 + c);
      const a = <usize>load<u32>(T + 48 + c) + (<usize>max<i32>(load<i32>(kp + (<usize>j << 2)), cl) << 2);
      bump32(a);
    }
  }
  // The lanes into the stores (integer counts: exact in any order).
  const l1 = sub + strideB, l2 = l1 + strideB, l3 = l2 + strideB;
  for (let pass = 0; pass < 2; pass++) {
    const st = pass == 0 ? sn : sp;
    const from: i32 = pass == 0 ? 0 : spanN, cnt = pass == 0 ? spanN : spanP;
    if (cnt == 0) continue;
    const data = at(sData(st), <i64>load<i32>(st, S_LO) - <i64>load<i32>(st, S_BASE));
    for (let x = 0; x < cnt; x++) {
      const o = <usize>(from + x) << 2;
      const c = <u64>load<u32>(sub + o) + <u64>load<u32>(l1 + o) + <u64>load<u32>(l2 + o) + <u64>load<u32>(l3 + o);
      if (c) {
        const a = data + (<usize>x << 3);
        store<f64>(a, load<f64>(a) + <f64>c);
      }
    }
  }
  const oz = <usize>(spanN + spanP) << 2;
  const z = <u64>load<u32>(sub + oz) + <u64>load<u32>(l1 + oz) + <u64>load<u32>(l2 + oz) + <u64>load<u32>(l3 + oz);
  store<f64>(ZERO_SINK, <f64>z);
  heap.free(sub);
  return true;
}

// @ts-ignore: decorator
@inline function bump32(a: usize): void {
  store<u32>(a, load<u32>(a) + 1);
}

/**
 * add(values) of the contract over values[0, n) (clobbered: used for the keys). -1, the
 * index of the first non-finite value, or STATUS_OUT_OF_MEMORY; nothing changes unless -1.
 */
export function addValues(s: usize, p: usize, n: i32): i32 {
  if (n <= 0) return -1;
  const mapping = load<i32>(s, H_MAPPING);
  accSum = load<f64>(s, H_SUM);
  accMin = load<f64>(s, H_MIN);
  accMax = load<f64>(s, H_MAX);
  accLoP = NONE_LO;
  accHiP = NONE_HI;
  accLoN = NONE_LO;
  accHiN = NONE_HI;
  for (let b = 0; b < n; b += BLOCK) {
    const e = n - b > BLOCK ? b + BLOCK : n;
    if (mapping == SKETCH_CUBIC) {
      const r = keysCubic(s, p, b, e);
      if (r >= 0) return r;
    } else {
      const r = sumPass(p, b, e);
      if (r >= 0) return r;
      if (mapping == SKETCH_LOG) keysLog(s, p, b, e);
      else keysExp(s, p, b, e);
    }
    const len = e - b;
    rangePass(len);
    const q = p + (<usize>b << 3);
    memory.copy(q, KBUF, <usize>len << 2);
    memory.copy(q + (<usize>len << 2), CBUF, <usize>len << 2);
  }
  if (!planBoth(s, accLoP, accHiP, accLoN, accHiN)) return STATUS_OUT_OF_MEMORY;
  store<f64>(ZERO_SINK, 0);
  if (!countLanes(s, p, n)) {
    route(s);
    for (let b = 0; b < n; b += BLOCK) countBlock(p + (<usize>b << 3), n - b > BLOCK ? BLOCK : n - b);
  }
  store<f64>(s, load<f64>(s, H_COUNT) + <f64>n, H_COUNT);
  store<f64>(s, accSum, H_SUM);
  store<f64>(s, accMin, H_MIN);
  store<f64>(s, accMax, H_MAX);
  store<f64>(s, load<f64>(s, H_ZERO) + load<f64>(ZERO_SINK), H_ZERO);
  return -1;
}

/** addWeighted(v, w): -1, 0 when v is not finite, or STATUS_OUT_OF_MEMORY (nothing changed). */
export function addWeighted(s: usize, v: f64, w: f64): i32 {
  const bits = reinterpret<u64>(v);
  const a = bits & ABS;
  if (a >= EXP_BITS) return 0;
  if (a <= MIN_NORMAL_BITS) {
    store<f64>(s, load<f64>(s, H_ZERO) + w, H_ZERO);
  } else {
    const mapping = load<i32>(s, H_MAPPING);
    const mult = load<f64>(s, H_MULT);
    const off = <f64>load<i32>(s, H_OFFSET);
    const unit = load<f64>(s, H_UNIT);
    const ecap = load<f64>(s, H_ECAP);
    let kf: f64;
    if (mapping == SKETCH_CUBIC) kf = keyF(SKETCH_CUBIC, a, mult, off, unit, ecap);
    else if (mapping == SKETCH_LOG) kf = keyF(SKETCH_LOG, a, mult, off, unit, ecap);
    else kf = keyF(SKETCH_EXP, a, mult, off, unit, ecap);
    const k = keyToI32(kf);
    const neg = <i64>bits < 0;
    const kk = neg ? -k : k;
    const ok = neg ? planBoth(s, 1, 0, kk, kk) : planBoth(s, kk, kk, 1, 0);
    if (!ok) return STATUS_OUT_OF_MEMORY;
    const b = binAddr(neg ? s + H_N : s + H_P, kk);
    store<f64>(b, load<f64>(b) + w);
  }
  store<f64>(s, load<f64>(s, H_COUNT) + w, H_COUNT);
  store<f64>(s, load<f64>(s, H_SUM) + v * w, H_SUM);
  if (v < load<f64>(s, H_MIN)) store<f64>(s, v, H_MIN);
  if (v > load<f64>(s, H_MAX)) store<f64>(s, v, H_MAX);
  return -1;
}

// ---- bins ----------------------------------------------------------------------------

/** Non-zero range [lo, hi] of a store into (rLo, rHi); rLo > rHi when none. */
let rLo: i32 = 0;
let rHi: i32 = 0;
function nonZeroRange(st: usize): void {
  rLo = 1;
  rHi = 0;
  if (!load<i32>(st, S_USED)) return;
  const base = <i64>load<i32>(st, S_BASE);
  const data = sData(st);
  let lo = <i64>load<i32>(st, S_LO), hi = <i64>load<i32>(st, S_HI);
  // Both ends hold counts (a batch counts at both; counts are > 0), so this reads two bins.
  while (lo <= hi && load<f64>(at(data, lo - base)) == 0) lo++;
  while (hi >= lo && load<f64>(at(data, hi - base)) == 0) hi--;
  if (lo <= hi) {
    rLo = <i32>lo;
    rHi = <i32>hi;
  }
}

/**
 * bins() of the contract: out f64[7] = zeroCount, negOffset, negLen, posOffset, posLen,
 * negAt, posAt (neg keys are magnitude keys, lowest first; offsets and lengths 0 when a
 * store is empty). posAt is the byte address of the pos counts in the P store, posLen of
 * them in key order; negAt that of N's, negLen of them highest magnitude key first
 * (reversed: N holds negated keys); valid until the sketch next changes.
 */
export function binsInfo(s: usize, out: usize): void {
  store<f64>(out, load<f64>(s, H_ZERO));
  const sn = s + H_N;
  nonZeroRange(sn);
  if (rLo <= rHi) {
    store<f64>(out, -<f64>rHi, 8);
    store<f64>(out, <f64>(<i64>rHi - <i64>rLo + 1), 16);
    store<f64>(out, <f64>at(sData(sn), <i64>rLo - <i64>load<i32>(sn, S_BASE)), 40);
  } else {
    store<f64>(out, 0, 8);
    store<f64>(out, 0, 16);
    store<f64>(out, 0, 40);
  }
  const sp = s + H_P;
  nonZeroRange(sp);
  if (rLo <= rHi) {
    store<f64>(out, <f64>rLo, 24);
    store<f64>(out, <f64>(<i64>rHi - <i64>rLo + 1), 32);
    store<f64>(out, <f64>at(sData(sp), <i64>rLo - <i64>load<i32>(sp, S_BASE)), 48);
  } else {
    store<f64>(out, 0, 24);
    store<f64>(out, 0, 32);
    store<f64>(out, 0, 48);
  }
}

/** Copies the bins binsInfo describes: neg f64[negLen] (lowest magnitude key first), pos f64[posLen]. */
export function binsCopy(s: usize, negOut: usize, posOut: usize): void {
  const sp = s + H_P, sn = s + H_N;
  nonZeroRange(sp);
  if (rLo <= rHi) {
    memory.copy(posOut, at(sData(sp), <i64>rLo - <i64>load<i32>(sp, S_BASE)), <usize>(<i64>rHi - <i64>rLo + 1) << 3);
  }
  nonZeroRange(sn);
  if (rLo <= rHi) {
    const src = at(sData(sn), <i64>rLo - <i64>load<i32>(sn, S_BASE));
    const len = <i32>(<i64>rHi - <i64>rLo + 1);
    // Negated keys [lo, hi] are magnitude keys [-hi, -lo]: reversed.
    for (let j = 0; j < len; j++) {
      store<f64>(negOut + (<usize>j << 3), load<f64>(src + (<usize>(len - 1 - j) << 3)));
    }
  }
}

/** First index j in [0, len) with x[j] != 0 (NaN counts as non-zero, as `!== 0`), or len. */
function firstNonZero(x: usize, len: i32): i32 {
  let j = 0;
  while (j < len && load<f64>(x + (<usize>j << 3)) == 0) j++;
  return j;
}

/** Last such index, or -1. */
function lastNonZero(x: usize, len: i32): i32 {
  let j = len - 1;
  while (j >= 0 && load<f64>(x + (<usize>j << 3)) == 0) j--;
  return j;
}

/**
 * addBins of the contract: every non-zero pos[j] counts at key posOffset + j in P, every
 * non-zero neg[j] at magnitude key negOffset + j in N; then zeroCount, count, sum, min,
 * max. -1, or STATUS_OUT_OF_MEMORY with nothing changed. Keys are clamped into
 * [-(2^31 - 1), 2^31 - 1] (the API passes only keys inside).
 */
export function addBins(
  s: usize, zeroCount: f64, negOffset: f64, negPtr: usize, negLen: i32,
  posOffset: f64, posPtr: usize, posLen: i32, count: f64, sum: f64, mn: f64, mx: f64,
): i32 {
  const po = <i64>clampKey(posOffset), no = <i64>clampKey(negOffset);
  const pf = posLen > 0 ? firstNonZero(posPtr, posLen) : 0;
  const pl = posLen > 0 ? lastNonZero(posPtr, posLen) : -1;
  const nf = negLen > 0 ? firstNonZero(negPtr, negLen) : 0;
  const nl = negLen > 0 ? lastNonZero(negPtr, negLen) : -1;
  let loP: i32 = 1, hiP: i32 = 0, loN: i32 = 1, hiN: i32 = 0;
  if (pf <= pl) {
    loP = clampKey64(po + <i64>pf);
    hiP = clampKey64(po + <i64>pl);
  }
  if (nf <= nl) {
    // magnitude keys no + j, negated: the lowest negated key is -(no + nl)
    loN = clampKey64(-(no + <i64>nl));
    hiN = clampKey64(-(no + <i64>nf));
  }
  if (!planBoth(s, loP, hiP, loN, hiN)) return STATUS_OUT_OF_MEMORY;
  if (pf <= pl) {
    const st = s + H_P;
    for (let j = pf; j <= pl; j++) {
      const c = load<f64>(posPtr + (<usize>j << 3));
      if (c != 0) {
        const b = binAddr(st, clampKey64(po + <i64>j));
        store<f64>(b, load<f64>(b) + c);
      }
    }
  }
  if (nf <= nl) {
    const st = s + H_N;
    for (let j = nf; j <= nl; j++) {
      const c = load<f64>(negPtr + (<usize>j << 3));
      if (c != 0) {
        const b = binAddr(st, clampKey64(-(no + <i64>j)));
        store<f64>(b, load<f64>(b) + c);
      }
    }
  }
  addSummary(s, zeroCount, count, sum, mn, mx);
  return -1;
}

// @ts-ignore: decorator
@inline function addSummary(s: usize, zeroCount: f64, count: f64, sum: f64, mn: f64, mx: f64): void {
  store<f64>(s, load<f64>(s, H_ZERO) + zeroCount, H_ZERO);
  store<f64>(s, load<f64>(s, H_COUNT) + count, H_COUNT);
  store<f64>(s, load<f64>(s, H_SUM) + sum, H_SUM);
  if (mn < load<f64>(s, H_MIN)) store<f64>(s, mn, H_MIN);
  if (mx > load<f64>(s, H_MAX)) store<f64>(s, mx, H_MAX);
}

/**
 * dst[j] += src[j] for j in [0, n) (f64x2 lanes in the SIMD build: the same IEEE additions).
 * Zero counts are added too, which changes nothing (counts are never -0).
 */
function addCounts(dst: usize, src: usize, n: i32): void {
  let d = dst, r = src;
  if (ASC_FEATURE_SIMD) {
    // 8 counts a step: all loads, then the adds and stores (one base pointer per array,
    // constant offsets).
    const end = dst + (<usize>(n & ~7) << 3);
    while (d < end) {
      const a0 = v128.load(d), a1 = v128.load(d, 16), a2 = v128.load(d, 32), a3 = v128.load(d, 48);
      const b0 = v128.load(r), b1 = v128.load(r, 16), b2 = v128.load(r, 32), b3 = v128.load(r, 48);
      v128.store(d, f64x2.add(a0, b0));
      v128.store(d, f64x2.add(a1, b1), 16);
      v128.store(d, f64x2.add(a2, b2), 32);
      v128.store(d, f64x2.add(a3, b3), 48);
      d += 64;
      r += 64;
    }
    if (n & 4) {
      const a0 = v128.load(d), a1 = v128.load(d, 16);
      const b0 = v128.load(r), b1 = v128.load(r, 16);
      v128.store(d, f64x2.add(a0, b0));
      v128.store(d, f64x2.add(a1, b1), 16);
      d += 32;
      r += 32;
    }
    if (n & 2) {
      v128.store(d, f64x2.add(v128.load(d), v128.load(r)));
      d += 16;
      r += 16;
    }
    if (n & 1) store<f64>(d, load<f64>(d) + load<f64>(r));
    return;
  }
  const end = dst + (<usize>n << 3);
  while (d < end) {
    store<f64>(d, load<f64>(d) + load<f64>(r));
    d += 8;
    r += 8;
  }
}

/** x[j] += x[j] for j in [0, n). */
function doubleCounts(x: usize, n: i32): void {
  let d = x;
  if (ASC_FEATURE_SIMD) {
    const end = x + (<usize>(n & ~1) << 3);
    for (; d < end; d += 16) {
      const a = v128.load(d);
      v128.store(d, f64x2.add(a, a));
    }
  }
  const end = x + (<usize>n << 3);
  for (; d < end; d += 8) {
    const c = load<f64>(d);
    store<f64>(d, c + c);
  }
}

/**
 * Adds store `from`'s bins [lo, hi] into the committed store `to`, whose range was planned
 * to cover them: the keys below to's lo fold into that bin (integer counts: exact in any
 * order), the rest is one vector add into the window.
 */
function addStore(to: usize, from: usize, lo: i32, hi: i32): void {
  const tLo = <i64>load<i32>(to, S_LO);
  const tb = <i64>load<i32>(to, S_BASE), td = sData(to);
  const fb = <i64>load<i32>(from, S_BASE), fd = sData(from);
  let k = <i64>lo;
  const h = <i64>hi;
  if (k < tLo) {
    const end = min<i64>(h, tLo - 1);
    const a = at(td, tLo - tb);
    let c = load<f64>(a);
    for (; k <= end; k++) c += load<f64>(at(fd, k - fb));
    store<f64>(a, c);
  }
  if (k <= h) addCounts(at(td, k - tb), at(fd, k - fb), <i32>(h - k + 1));
}

/** Doubles every bin of a store (merge of the sketch into itself: no collapse, no move). */
function doubleStore(st: usize): void {
  if (!load<i32>(st, S_USED)) return;
  const lo = <i64>load<i32>(st, S_LO), hi = <i64>load<i32>(st, S_HI);
  doubleCounts(at(sData(st), lo - <i64>load<i32>(st, S_BASE)), <i32>(hi - lo + 1));
}

/** merge(s) of s itself at this point: every count and the summary's count, sum, zeroCount doubled. */
function mergeSelf(s: usize): void {
  doubleStore(s + H_P);
  doubleStore(s + H_N);
  addSummary(s, load<f64>(s, H_ZERO), load<f64>(s, H_COUNT), load<f64>(s, H_SUM), load<f64>(s, H_MIN), load<f64>(s, H_MAX));
}

/** Bins and summary of o (not s) into s, whose stores are committed to cover o's ranges. */
function mergeOther(s: usize, o: usize): void {
  nonZeroRange(o + H_P);
  if (rLo <= rHi) addStore(s + H_P, o + H_P, rLo, rHi);
  nonZeroRange(o + H_N);
  if (rLo <= rHi) addStore(s + H_N, o + H_N, rLo, rHi);
  addSummary(s, load<f64>(o, H_ZERO), load<f64>(o, H_COUNT), load<f64>(o, H_SUM), load<f64>(o, H_MIN), load<f64>(o, H_MAX));
}

/**
 * merge(o): addBins(o's bins, o's summary). s == o doubles every count (the contract's
 * reading: o's bins and summary are taken before any is added). -1 or
 * STATUS_OUT_OF_MEMORY (nothing changed).
 */
export function mergeSketch(s: usize, o: usize): i32 {
  if (s == o) {
    mergeSelf(s);
    return -1;
  }
  nonZeroRange(o + H_P);
  const loP = rLo, hiP = rHi;
  nonZeroRange(o + H_N);
  if (!planBoth(s, loP, hiP, rLo, rHi)) return STATUS_OUT_OF_MEMORY;
  mergeOther(s, o);
  return -1;
}

/**
 * mergeSketch(s, o) for each o of the u32 pointers ptrs[0, n), in order (0 entries are
 * skipped). All or nothing: both stores are planned once for the union of the ranges
 * (bins depend only on the multiset of keys, so this is the loop's result); then each
 * merge is a vector add and an O(1) summary, s itself doubling what s holds at that point.
 * -1 or STATUS_OUT_OF_MEMORY (nothing changed).
 */
export function mergeMany(s: usize, ptrs: usize, n: i32): i32 {
  let loP = NONE_LO, hiP = NONE_HI, loN = NONE_LO, hiN = NONE_HI;
  for (let i = 0; i < n; i++) {
    const o = <usize>load<u32>(ptrs + (<usize>i << 2));
    if (!o || o == s) continue;
    // The planned ranges (from the headers: used stores hold counts at both ends)
    const p = o + H_P, q = o + H_N;
    if (load<i32>(p, S_USED)) {
      loP = min<i32>(loP, load<i32>(p, S_LO));
      hiP = max<i32>(hiP, load<i32>(p, S_HI));
    }
    if (load<i32>(q, S_USED)) {
      loN = min<i32>(loN, load<i32>(q, S_LO));
      hiN = max<i32>(hiN, load<i32>(q, S_HI));
    }
  }
  if (!planBoth(s, loP, hiP, loN, hiN)) return STATUS_OUT_OF_MEMORY;
  for (let i = 0; i < n; i++) {
    const o = <usize>load<u32>(ptrs + (<usize>i << 2));
    if (!o) continue;
    if (o == s) mergeSelf(s);
    else mergeOther(s, o);
  }
  return -1;
}

export function summary(s: usize, out: usize): void {
  store<f64>(out, load<f64>(s, H_COUNT));
  store<f64>(out, load<f64>(s, H_SUM), 8);
  store<f64>(out, load<f64>(s, H_MIN), 16);
  store<f64>(out, load<f64>(s, H_MAX), 24);
  store<f64>(out, load<f64>(s, H_ZERO), 32);
}
