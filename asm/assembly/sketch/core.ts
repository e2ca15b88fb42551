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
// Batches (sketchAdd, sketchAddBins, sketchMerge) are all or nothing:
//   1. keys of the whole batch and the summary in locals (sketchAdd: first non-finite
//      value -> its index, nothing changed), the lowest and highest key per store;
//   2. plan both stores for their final range [max(min(lo, batch lo), floor), max(hi,
//      batch hi)] and allocate any block they need (failure: free what was allocated,
//      STATUS_OUT_OF_MEMORY, nothing changed);
//   3. commit: fold the bins below the final floor into it, move to the new block if any;
//   4. add every key to bin max(k, final lo) (the same bin as one add at a time, since
//      bins depend only on the multiset of keys), then the summary.

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
@inline const H_P: usize = 80; // store descriptor, STORE_BYTES
// @ts-ignore: decorator
@inline const H_N: usize = 104;
// @ts-ignore: decorator
@inline const HEADER_BYTES: usize = 128;

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
 * Where the key pass of sketchAdd sends a value, by class (0 zero, 8 P, 16 N): i32 clamp
 * (the final lo of the store), u32 data - 8 * base (wrapping), so a key k of that class
 * counts at off + 8 * max(k, clamp). Class 0 points at ZERO_SINK.
 */
const ROUTE = memory.data(32, 16);
const ZERO_SINK = memory.data(16, 16);

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
  const dk = <f64>k;
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
    const e = <f64>(<i32>(a >> 52) - 1023);
    return Math.ceil((((CUBIC_A * s + CUBIC_B) * s + CUBIC_C) * s + e) * mult) + off;
  }
  if (mapping == SKETCH_LOG) return Math.ceil(fdlibmLog(reinterpret<f64>(a)) * mult) + off;
  if ((a & MANT) == 0) return <f64>(<i32>(a >> 52) - 1023) * unit + off;
  return min<f64>(Math.floor(fdlibmLog(reinterpret<f64>(a)) * mult), ecap) + 1.0 + off;
}

/** An f64 key as an i32 in [-KEY_MAX, KEY_MAX] (NaN -> 0; trunc_sat never traps). */
// @ts-ignore: decorator
@inline function clampKey(k: f64): i32 {
  return <i32>min<f64>(max<f64>(k, -KEY_MAX_F), KEY_MAX_F);
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

// @ts-ignore: decorator
@inline function routeStore(cls: usize, st: usize): void {
  store<i32>(ROUTE + cls, load<i32>(st, S_LO));
  store<u32>(ROUTE + cls, <u32>(sData(st) - (<usize>load<i32>(st, S_BASE) << 3)), 4);
}

/**
 * Key pass over values[0, n) for one mapping (inlined per mapping so the branches fold):
 * returns the first non-finite index or -1, with the summary and key ranges in the
 * module-level `acc*` below. Overwrites values[i] with (key' i32, class u32) in place:
 * key' = k for v > 0, -k for v < 0, 0 for zero; class 8 / 16 / 0 (the ROUTE offsets).
 */
let accSum: f64 = 0;
let accMin: f64 = 0;
let accMax: f64 = 0;
let accZero: i32 = 0;
let accLoP: i32 = 0;
let accHiP: i32 = 0;
let accLoN: i32 = 0;
let accHiN: i32 = 0;

// @ts-ignore: decorator
@inline function keyPass(s: usize, p: usize, n: i32, mapping: i32): i32 {
  const mult = load<f64>(s, H_MULT);
  const off = <f64>load<i32>(s, H_OFFSET);
  const unit = load<f64>(s, H_UNIT);
  const ecap = load<f64>(s, H_ECAP);
  let sum = load<f64>(s, H_SUM);
  let mn = load<f64>(s, H_MIN);
  let mx = load<f64>(s, H_MAX);
  let zc: i32 = 0;
  let loP = NONE_LO, hiP = NONE_HI, loN = NONE_LO, hiN = NONE_HI;
  for (let i = 0; i < n; i++) {
    const q = p + (<usize>i << 3);
    const v = load<f64>(q);
    const bits = reinterpret<u64>(v);
    const a = bits & ABS;
    if (a >= EXP_BITS) return i;
    sum += v;
    mn = select<f64>(v, mn, v < mn);
    mx = select<f64>(v, mx, v > mx);
    const k = clampKey(keyF(mapping, a, mult, off, unit, ecap));
    const zero = a <= MIN_NORMAL_BITS;
    const neg = <i64>bits < 0;
    const kk = select<i32>(-k, k, neg);
    const isP = !zero & !neg;
    const isN = !zero & neg;
    zc += <i32>zero;
    loP = min<i32>(loP, select<i32>(kk, NONE_LO, isP));
    hiP = max<i32>(hiP, select<i32>(kk, NONE_HI, isP));
    loN = min<i32>(loN, select<i32>(kk, NONE_LO, isN));
    hiN = max<i32>(hiN, select<i32>(kk, NONE_HI, isN));
    store<i32>(q, select<i32>(0, kk, zero));
    store<u32>(q, select<u32>(0, select<u32>(16, 8, neg), zero), 4);
  }
  accSum = sum;
  accMin = mn;
  accMax = mx;
  accZero = zc;
  accLoP = loP;
  accHiP = hiP;
  accLoN = loN;
  accHiN = hiN;
  return -1;
}

/**
 * add(values) of the contract over values[0, n) (clobbered: used for the keys). -1, the
 * index of the first non-finite value, or STATUS_OUT_OF_MEMORY; nothing changes unless -1.
 */
export function addValues(s: usize, p: usize, n: i32): i32 {
  if (n <= 0) return -1;
  const mapping = load<i32>(s, H_MAPPING);
  let r: i32;
  if (mapping == SKETCH_CUBIC) r = keyPass(s, p, n, SKETCH_CUBIC);
  else if (mapping == SKETCH_LOG) r = keyPass(s, p, n, SKETCH_LOG);
  else r = keyPass(s, p, n, SKETCH_EXP);
  if (r >= 0) return r;
  if (!planBoth(s, accLoP, accHiP, accLoN, accHiN)) return STATUS_OUT_OF_MEMORY;
  store<i32>(ROUTE, 0);
  store<u32>(ROUTE, <u32>ZERO_SINK, 4);
  routeStore(8, s + H_P);
  routeStore(16, s + H_N);
  for (let i = 0; i < n; i++) {
    const q = p + (<usize>i << 3);
    const t = ROUTE + <usize>load<u32>(q, 4);
    const c = max<i32>(load<i32>(q), load<i32>(t));
    const a = <usize>load<u32>(t, 4) + (<usize>c << 3);
    store<f64>(a, load<f64>(a) + 1.0);
  }
  store<f64>(s, load<f64>(s, H_COUNT) + <f64>n, H_COUNT);
  store<f64>(s, accSum, H_SUM);
  store<f64>(s, accMin, H_MIN);
  store<f64>(s, accMax, H_MAX);
  store<f64>(s, load<f64>(s, H_ZERO) + <f64>accZero, H_ZERO);
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
    const k = clampKey(kf);
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

/**
 * bins() of the contract: out f64[5] = zeroCount, negOffset, negLen, posOffset, posLen
 * (neg keys are magnitude keys, lowest first; offsets 0 when a store is empty).
 */
export function binsInfo(s: usize, out: usize): void {
  const sp = s + H_P, sn = s + H_N;
  store<f64>(out, load<f64>(s, H_ZERO));
  if (load<i32>(sn, S_USED)) {
    const lo = <i64>load<i32>(sn, S_LO), hi = <i64>load<i32>(sn, S_HI);
    store<f64>(out, <f64>(-hi), 8);
    store<f64>(out, <f64>(hi - lo + 1), 16);
  } else {
    store<f64>(out, 0, 8);
    store<f64>(out, 0, 16);
  }
  if (load<i32>(sp, S_USED)) {
    const lo = <i64>load<i32>(sp, S_LO), hi = <i64>load<i32>(sp, S_HI);
    store<f64>(out, <f64>lo, 24);
    store<f64>(out, <f64>(hi - lo + 1), 32);
  } else {
    store<f64>(out, 0, 24);
    store<f64>(out, 0, 32);
  }
}

/** Copies the bins binsInfo describes: neg f64[negLen] (lowest magnitude key first), pos f64[posLen]. */
export function binsCopy(s: usize, negOut: usize, posOut: usize): void {
  const sp = s + H_P, sn = s + H_N;
  if (load<i32>(sp, S_USED)) {
    const lo = <i64>load<i32>(sp, S_LO), hi = <i64>load<i32>(sp, S_HI);
    memory.copy(posOut, at(sData(sp), lo - <i64>load<i32>(sp, S_BASE)), <usize>(hi - lo + 1) << 3);
  }
  if (load<i32>(sn, S_USED)) {
    const lo = <i64>load<i32>(sn, S_LO), hi = <i64>load<i32>(sn, S_HI);
    const src = at(sData(sn), lo - <i64>load<i32>(sn, S_BASE));
    const len = <i32>(hi - lo + 1);
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
  while (lo <= hi && load<f64>(at(data, lo - base)) == 0) lo++;
  while (hi >= lo && load<f64>(at(data, hi - base)) == 0) hi--;
  if (lo <= hi) {
    rLo = <i32>lo;
    rHi = <i32>hi;
  }
}

/** Adds store `from`'s non-zero bins [lo, hi] into the committed store `to`. */
function addStore(to: usize, from: usize, lo: i32, hi: i32): void {
  const fb = <i64>load<i32>(from, S_BASE);
  const fd = sData(from);
  for (let k = lo; k <= hi; k++) {
    const c = load<f64>(at(fd, <i64>k - fb));
    if (c != 0) {
      const b = binAddr(to, k);
      store<f64>(b, load<f64>(b) + c);
    }
  }
}

/**
 * merge(o): addBins(o's bins, o's summary). s == o doubles every count (the contract's
 * reading: o's bins and summary are taken before any is added). -1 or
 * STATUS_OUT_OF_MEMORY (nothing changed).
 */
export function mergeSketch(s: usize, o: usize): i32 {
  const zc = load<f64>(o, H_ZERO), count = load<f64>(o, H_COUNT), sum = load<f64>(o, H_SUM);
  const mn = load<f64>(o, H_MIN), mx = load<f64>(o, H_MAX);
  nonZeroRange(o + H_P);
  const loP = rLo, hiP = rHi;
  nonZeroRange(o + H_N);
  const loN = rLo, hiN = rHi;
  if (s == o) {
    // Same keys, so no collapse and no move: each bin adds its own count.
    for (let pass = 0; pass < 2; pass++) {
      const st = s + (pass == 0 ? H_P : H_N);
      const lo = pass == 0 ? loP : loN, hi = pass == 0 ? hiP : hiN;
      const data = sData(st), base = <i64>load<i32>(st, S_BASE);
      for (let k = lo; k <= hi; k++) {
        const a = at(data, <i64>k - base);
        const c = load<f64>(a);
        if (c != 0) store<f64>(a, c + c);
      }
    }
  } else {
    if (!planBoth(s, loP, hiP, loN, hiN)) return STATUS_OUT_OF_MEMORY;
    if (loP <= hiP) addStore(s + H_P, o + H_P, loP, hiP);
    if (loN <= hiN) addStore(s + H_N, o + H_N, loN, hiN);
  }
  addSummary(s, zc, count, sum, mn, mx);
  return -1;
}

export function summary(s: usize, out: usize): void {
  store<f64>(out, load<f64>(s, H_COUNT));
  store<f64>(out, load<f64>(s, H_SUM), 8);
  store<f64>(out, load<f64>(s, H_MIN), 16);
  store<f64>(out, load<f64>(s, H_MAX), 24);
  store<f64>(out, load<f64>(s, H_ZERO), 32);
}
