// Noisy-OR risk scores and temporal decay (f64).
//
// Per signal: x_i = clamp(c_i, 0, 1) * clamp(s_i / maxSeverity, 0, 1); per entity, in order,
// r = r + x_i * (1 - r) starting from 0. A non-finite s_i or c_i makes the entity NaN.
// Every path evaluates exactly these operations in this order, so the single-entity, batch,
// SIMD and scalar results are identical bit for bit.
//
// Batch. The fast paths compute x without NaN bookkeeping and only watch a running sum of
// all s and all c: a non-finite input makes it non-finite (so can a finite overflow, which
// merely costs a re-run). When it fires, the affected signals are redone by the marking
// path, which adds (s − s) + (c − c) (0, or NaN for a non-finite input) to each x and
// counts them, so the entity's recurrence ends in NaN.
//  - Runs of entities with one common length (SIMD build): two entities per f64x2 chain;
//    each entity's x pairs come from contiguous loads and are transposed into the lanes,
//    so x never goes through memory.
//  - Otherwise chunks of at most XCHUNK signals: x for the chunk is written to a static
//    buffer, then the recurrences read it back, four / two entities at a time in f64x2
//    chains over their common length (the chain latency, not the arithmetic, is what
//    limits a single entity).
// Measured (1e6 entities × 8 signals from L2, Node 20, x64): 8.4 ms; lengths 0..16: 12.7 ms.
// The fused loop is bound by FP-port and divider throughput (two divpd per four signals).

import { DECAY_NONFINITE, DECAY_NEGATIVE_AGE } from "./abi";

// @ts-ignore: decorator
@inline const XCHUNK: i32 = 4096;

/** x_i for the current chunk (f64[XCHUNK]). */
const xBuf = memory.data(XCHUNK * 8, 16);

/** f64x2(1, 1) read from memory, so the optimizer keeps it in a register instead of
 *  folding it into a v128.const that V8 rematerialises on every loop iteration. */
const ONES = memory.data<f64>([1.0, 1.0]);

/** clamp(v, 0, 1) that keeps NaN (like `v < 0 ? 0 : v > 1 ? 1 : v`). */
// @ts-ignore: decorator
@inline function clamp01(v: f64): f64 {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** x_i of one signal; NaN when s or c is non-finite. */
// @ts-ignore: decorator
@inline function signalMarked(s: f64, c: f64, maxSeverity: f64): f64 {
  const x = clamp01(c) * clamp01(s / maxSeverity);
  // (s - s) + (c - c) is 0 for finite inputs and NaN otherwise; x + 0 == x for x in [0, 1]
  // (x = -0 becomes +0, which the recurrence cannot tell apart).
  return x + ((s - s) + (c - c));
}

/** Positions with a non-finite s or c seen by the last noisyOrScalar (a second result). */
let badCount: i32 = 0;

/** Noisy-OR over n signals, NaN-marking as it goes; sets `badCount`. */
function noisyOrScalar(sev: usize, conf: usize, n: i32, maxSeverity: f64): f64 {
  let r: f64 = 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const s = load<f64>(sev), c = load<f64>(conf);
    const m = (s - s) + (c - c);
    bad += <i32>(m != m);
    r = r + (clamp01(c) * clamp01(s / maxSeverity) + m) * (1 - r);
    sev += 8; conf += 8;
  }
  badCount = bad;
  return bad ? NaN : r;
}

export function riskScoreF64(sev: usize, conf: usize, n: i32, maxSeverity: f64): f64 {
  if (n <= 0) return 0;
  return noisyOrScalar(sev, conf, n, maxSeverity);
}

/** x for two signals (SIMD, no NaN marking). */
// @ts-ignore: decorator
@inline function signalPair(s: v128, c: v128, vmax: v128, zero: v128, one: v128): v128 {
  // pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a: exactly clamp01.
  const cc = f64x2.pmin(f64x2.pmax(c, zero), one);
  const ss = f64x2.pmin(f64x2.pmax(f64x2.div(s, vmax), zero), one);
  return f64x2.mul(cc, ss);
}

/** True when a detector sum (see the header) saw only finite values. */
// @ts-ignore: decorator
@inline function allFinite2(a: v128, b: v128): bool {
  const t = f64x2.add(f64x2.sub(a, a), f64x2.sub(b, b));
  return f64x2.extract_lane(t, 0) == 0 && f64x2.extract_lane(t, 1) == 0;
}

/**
 * x_i for signals [0, n) into xBuf without NaN marking. Returns false when a non-finite
 * input may be present (then xBuf must be refilled by fillMarked).
 */
function fillFast(sev: usize, conf: usize, n: i32, maxSeverity: f64): bool {
  let i = 0;
  let ds: f64 = 0, dc: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    const vmax = f64x2.splat(maxSeverity);
    const zero = f64x2.splat(0);
    const one = v128.load(ONES);
    let as = f64x2.splat(0), ac = f64x2.splat(0);
    const end = <usize>(n & ~1) << 3;
    for (let off: usize = 0; off < end; off += 16) {
      const s = v128.load(sev + off), c = v128.load(conf + off);
      as = f64x2.add(as, s);
      ac = f64x2.add(ac, c);
      v128.store(xBuf + off, signalPair(s, c, vmax, zero, one));
    }
    i = n & ~1;
    if (!allFinite2(as, ac)) return false;
  }
  for (; i < n; i++) {
    const off = <usize>i << 3;
    const s = load<f64>(sev + off), c = load<f64>(conf + off);
    ds += s; dc += c;
    store<f64>(xBuf + off, clamp01(c) * clamp01(s / maxSeverity));
  }
  return (ds - ds) + (dc - dc) == 0;
}

/** x_i for signals [0, n) into xBuf with NaN marking; returns the non-finite count. */
function fillMarked(sev: usize, conf: usize, n: i32, maxSeverity: f64): i32 {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 3;
    const x = signalMarked(load<f64>(sev + off), load<f64>(conf + off), maxSeverity);
    bad += <i32>(x != x);
    store<f64>(xBuf + off, x);
  }
  return bad;
}

/** r over xBuf[lo, hi) (NaN if any x is NaN). */
// @ts-ignore: decorator
@inline function noisyOrOfBuf(lo: i32, hi: i32): f64 {
  let r: f64 = 0;
  let p = xBuf + (<usize>lo << 3);
  for (let i = lo; i < hi; i++) {
    r = r + load<f64>(p) * (1 - r);
    p += 8;
  }
  return r;
}

/** Finishes two entities running in the lanes of r: la / lb more signals at pa / pb. */
// @ts-ignore: decorator
@inline function finishPair(r: v128, pa: usize, pb: usize, la: i32, lb: i32, out: usize): void {
  const one = v128.load(ONES);
  const common = min(la, lb);
  for (let j = 0; j < common; j++) {
    const x = v128.load64_lane(pb, v128.load64_splat(pa), 1);
    r = f64x2.add(r, f64x2.mul(x, f64x2.sub(one, r)));
    pa += 8; pb += 8;
  }
  let ra = f64x2.extract_lane(r, 0);
  let rb = f64x2.extract_lane(r, 1);
  for (let j = common; j < la; j++) { ra = ra + load<f64>(pa) * (1 - ra); pa += 8; }
  for (let j = common; j < lb; j++) { rb = rb + load<f64>(pb) * (1 - rb); pb += 8; }
  store<f64>(out, ra);
  store<f64>(out, rb, 8);
}

/**
 * Entities [e0, e1) whose signals are xBuf[offsets[e] - base, offsets[e+1] - base),
 * all ranges already checked. Results go to out[e]. SIMD: four entities at a time in two
 * f64x2 chains over their common length, then each pair on its own, then single lanes.
 */
function noisyOrEntities(offsets: usize, e0: i32, e1: i32, base: u32, out: usize): void {
  let e = e0;
  if (ASC_FEATURE_SIMD) {
    const one = v128.load(ONES);
    for (; e + 4 <= e1; e += 4) {
      const op = offsets + (<usize>e << 2);
      const o0 = <i32>(load<u32>(op) - base), o1 = <i32>(load<u32>(op, 4) - base);
      const o2 = <i32>(load<u32>(op, 8) - base), o3 = <i32>(load<u32>(op, 12) - base);
      const o4 = <i32>(load<u32>(op, 16) - base);
      const la = o1 - o0, lb = o2 - o1, lc = o3 - o2, ld = o4 - o3;
      const common = min(min(la, lb), min(lc, ld));
      let pa = xBuf + (<usize>o0 << 3), pb = xBuf + (<usize>o1 << 3);
      let pc = xBuf + (<usize>o2 << 3), pd = xBuf + (<usize>o3 << 3);
      let r = f64x2.splat(0), q = f64x2.splat(0);
      for (let j = 0; j < common; j++) {
        const x = v128.load64_lane(pb, v128.load64_splat(pa), 1);
        const y = v128.load64_lane(pd, v128.load64_splat(pc), 1);
        r = f64x2.add(r, f64x2.mul(x, f64x2.sub(one, r)));
        q = f64x2.add(q, f64x2.mul(y, f64x2.sub(one, q)));
        pa += 8; pb += 8; pc += 8; pd += 8;
      }
      const oe = out + (<usize>e << 3);
      finishPair(r, pa, pb, la - common, lb - common, oe);
      finishPair(q, pc, pd, lc - common, ld - common, oe + 16);
    }
    if (e + 2 <= e1) {
      const op = offsets + (<usize>e << 2);
      const o0 = <i32>(load<u32>(op) - base), o1 = <i32>(load<u32>(op, 4) - base);
      const o2 = <i32>(load<u32>(op, 8) - base);
      finishPair(f64x2.splat(0), xBuf + (<usize>o0 << 3), xBuf + (<usize>o1 << 3), o1 - o0, o2 - o1, out + (<usize>e << 3));
      e += 2;
    }
  }
  for (; e < e1; e++) {
    const lo = <i32>(load<u32>(offsets + (<usize>e << 2)) - base);
    const hi = <i32>(load<u32>(offsets + (<usize>e << 2), 4) - base);
    store<f64>(out + (<usize>e << 3), noisyOrOfBuf(lo, hi));
  }
}

/**
 * Entities [e0, e1) that all own exactly `len` (>= 1) signals, entity e starting at signal
 * (e - e0) * len of (sev, conf); SIMD build only. Returns false (outputs incomplete) when the
 * detector fires; the caller then redoes the run through the chunked path.
 */
function uniformEntities(sev: usize, conf: usize, e0: i32, e1: i32, len: i32, maxSeverity: f64, out: usize): bool {
  const vmax = f64x2.splat(maxSeverity);
  const zero = f64x2.splat(0);
  const one = v128.load(ONES);
  const stride = <usize>len << 3;
  const pairBytes = <usize>(len & ~1) << 3;
  let as = f64x2.splat(0), ac = f64x2.splat(0);
  let sa = sev, ca = conf;
  let o = out + (<usize>e0 << 3);
  for (let e = e0; e + 2 <= e1; e += 2) {
    let pa = sa, pc = ca;
    const stop = sa + pairBytes;
    let r = f64x2.splat(0);
    for (; pa < stop; pa += 16, pc += 16) {
      const s0 = v128.load(pa), c0 = v128.load(pc);
      const s1 = v128.load(pa + stride), c1 = v128.load(pc + stride);
      as = f64x2.add(as, f64x2.add(s0, s1));
      ac = f64x2.add(ac, f64x2.add(c0, c1));
      const xa = signalPair(s0, c0, vmax, zero, one);
      const xb = signalPair(s1, c1, vmax, zero, one);
      r = f64x2.add(r, f64x2.mul(v128.shuffle<f64>(xa, xb, 0, 2), f64x2.sub(one, r)));
      r = f64x2.add(r, f64x2.mul(v128.shuffle<f64>(xa, xb, 1, 3), f64x2.sub(one, r)));
    }
    if (len & 1) {
      const s = v128.load64_lane(pa + stride, v128.load64_splat(pa), 1);
      const c = v128.load64_lane(pc + stride, v128.load64_splat(pc), 1);
      as = f64x2.add(as, s);
      ac = f64x2.add(ac, c);
      r = f64x2.add(r, f64x2.mul(signalPair(s, c, vmax, zero, one), f64x2.sub(one, r)));
    }
    v128.store(o, r);
    o += 16;
    sa += stride << 1; ca += stride << 1;
  }
  if (!allFinite2(as, ac)) return false;
  if ((e1 - e0) & 1) {
    store<f64>(o, noisyOrScalar(sa, ca, len, maxSeverity));
    if (badCount != 0) return false;
  }
  return true;
}

export function riskScoreBatchF64(
  sev: usize, conf: usize, n: i32, offsets: usize, entities: i32, maxSeverity: f64, out: usize,
): i32 {
  if (entities <= 0) return 0;
  const nu: u32 = n > 0 ? <u32>n : 0;
  let bad = 0;
  let e = 0;
  while (e < entities) {
    const lo = load<u32>(offsets + (<usize>e << 2));
    const hi = load<u32>(offsets + (<usize>e << 2), 4);
    if (lo > hi || hi > nu) {
      store<f64>(out + (<usize>e << 3), NaN);
      bad++;
      e++;
      continue;
    }
    const len = hi - lo;
    if (ASC_FEATURE_SIMD && len > 0) {
      // A run of entities with the same length (no size limit: nothing is buffered).
      let e1 = e + 1;
      let end = hi;
      while (e1 < entities) {
        const h2 = load<u32>(offsets + (<usize>e1 << 2), 4);
        if (h2 < end || h2 - end != len || h2 > nu) break;
        end = h2;
        e1++;
      }
      if (e1 - e >= 8 &&
          uniformEntities(sev + (<usize>lo << 3), conf + (<usize>lo << 3), e, e1, <i32>len, maxSeverity, out)) {
        e = e1;
        continue;
      }
    }
    if (len > <u32>XCHUNK) {
      // One oversized entity: straight through.
      const r = noisyOrScalar(sev + (<usize>lo << 3), conf + (<usize>lo << 3), <i32>len, maxSeverity);
      bad += badCount;
      store<f64>(out + (<usize>e << 3), r);
      e++;
      continue;
    }
    // Extend the run while the next range is valid and the chunk stays within XCHUNK.
    let e1 = e + 1;
    let end = hi;
    while (e1 < entities) {
      const h2 = load<u32>(offsets + (<usize>e1 << 2), 4);
      if (h2 < end || h2 > nu || h2 - lo > <u32>XCHUNK) break;
      end = h2;
      e1++;
    }
    const ps = sev + (<usize>lo << 3), pc = conf + (<usize>lo << 3), cnt = <i32>(end - lo);
    if (!fillFast(ps, pc, cnt, maxSeverity)) bad += fillMarked(ps, pc, cnt, maxSeverity);
    noisyOrEntities(offsets, e, e1, lo, out);
    e = e1;
  }
  return bad;
}

/**
 * out[i] = scores[i] * 2^(-(ages[i] / halfLife)). 2^y is AssemblyScript's Math.exp2 (the
 * table-driven exp2 of ARM's optimized-routines, as in musl: < 0.51 ulp), several times
 * faster here than Math.pow(2.0, y).
 * Returns DECAY_NONFINITE if any score or age is non-finite, | DECAY_NEGATIVE_AGE if any
 * age < 0.
 */
export function temporalDecayF64(scores: usize, ages: usize, n: i32, halfLife: f64, out: usize): i32 {
  let nonFinite: f64 = 0;
  let negative = false;
  for (let i = 0; i < n; i++) {
    const s = load<f64>(scores), a = load<f64>(ages);
    nonFinite += (s - s) + (a - a);
    negative = negative | (a < 0);
    store<f64>(out, s * Math.exp2(-(a / halfLife)));
    scores += 8; ages += 8; out += 8;
  }
  return (nonFinite != nonFinite ? DECAY_NONFINITE : 0) | (negative ? DECAY_NEGATIVE_AGE : 0);
}
