// Descriptive statistics, percentiles, moving average and outliers (f64).
//
// Sums are compensated: four lanes (two f64x2 in the SIMD build, four scalars otherwise,
// element i in lane i % 4) each keep a TwoSum running sum and the sum of its exact rounding
// errors; the lanes and the tail are then merged with TwoSum, and the result is sum + errors.
// This is Neumaier's scheme (TwoSum yields the same error term without the branch), so the
// error is about eps·|Σx| + n·eps²·Σ|x|. Σx itself goes one level further (the errors are
// TwoSum-accumulated too, see sumPass), which keeps ill-conditioned sums (Σ|x| / |Σx| up to
// ~1e13 at n = 1e7) at about eps. Both builds use the same lane order and agree bit for
// bit. Variance is the corrected two-pass M2 = Σd² − (Σd)²/n, d = x − mean, with both sums
// compensated the same way; outliersZscoreF64 reuses exactly these routines, so its mean
// and std match statsF64's. A Σx or M2 that over- or underflows is redone at a power-of-two
// scale (see moments).
//
// Order statistics select on the caller's `work` copy (see statistics/select.ts); never a
// sort, so median and percentiles stay O(n).

import { selectK, multiSelect, maxRange, sortUniqueI32 } from "./select";
import { TINY, DOWN, UP } from "../similarity/reductions";

// ---------------------------------------------------------------------------------------
// Compensated lanes

// Results of the passes (wasm globals).
let rSum: f64 = 0;
let rMin: f64 = 0;
let rMax: f64 = 0;
let rSumD: f64 = 0;
let rSumQ: f64 = 0;

/** Error term of the last merge (a second result). */
let mC: f64 = 0;

/** Merges lane (s, c) into the running (S, C) with TwoSum; returns the new S, sets mC. */
// @ts-ignore: decorator
@inline function merge(S: f64, C: f64, s: f64, c: f64): f64 {
  const t = S + s;
  const z = t - S;
  mC = C + (((S - (t - z)) + (s - z)) + c);
  return t;
}

// Cascaded accumulator for Σx (pass 1): s + c + d with c the TwoSum-accumulated rounding
// errors of s and d the (plain) errors of c, so the result is as if summed with about twice
// the working precision and rounded: error ≈ eps·|Σx| + O(n²·eps³)·Σ|x|.
let kS: f64 = 0;
let kC: f64 = 0;
let kD: f64 = 0;

// @ts-ignore: decorator
@inline function cascAdd(v: f64): void {
  const t = kS + v, z = t - kS;
  const e = (kS - (t - z)) + (v - z);
  kS = t;
  const u = kC + e, y = u - kC;
  kD += (kC - (u - y)) + (e - y);
  kC = u;
}

/**
 * Pass 1: cascaded Σx (see above), min, max; when `copy`, also writes x to dst.
 * NaN in x makes rMin/rMax NaN (f64.min/max propagate it).
 */
// @ts-ignore: decorator
@inline function sumPass(x: usize, n: i32, copy: bool, dst: usize, wantMinMax: bool): void {
  let i = 0;
  kS = 0; kC = 0; kD = 0;
  let mn = load<f64>(x), mx = mn;
  const n4 = n & ~3;
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
    let d0 = f64x2.splat(0), d1 = f64x2.splat(0);
    let lo0 = f64x2.splat(mn), lo1 = lo0, hi0 = lo0, hi1 = lo0;
    for (; i < n4; i += 4) {
      const v0 = v128.load(x), v1 = v128.load(x, 16);
      if (copy) { v128.store(dst, v0); v128.store(dst, v1, 16); dst += 32; }
      if (wantMinMax) {
        lo0 = f64x2.min(lo0, v0); lo1 = f64x2.min(lo1, v1);
        hi0 = f64x2.max(hi0, v0); hi1 = f64x2.max(hi1, v1);
      }
      const t0 = f64x2.add(s0, v0), t1 = f64x2.add(s1, v1);
      const z0 = f64x2.sub(t0, s0), z1 = f64x2.sub(t1, s1);
      const e0 = f64x2.add(f64x2.sub(s0, f64x2.sub(t0, z0)), f64x2.sub(v0, z0));
      const e1 = f64x2.add(f64x2.sub(s1, f64x2.sub(t1, z1)), f64x2.sub(v1, z1));
      s0 = t0; s1 = t1;
      const u0 = f64x2.add(c0, e0), u1 = f64x2.add(c1, e1);
      const y0 = f64x2.sub(u0, c0), y1 = f64x2.sub(u1, c1);
      d0 = f64x2.add(d0, f64x2.add(f64x2.sub(c0, f64x2.sub(u0, y0)), f64x2.sub(e0, y0)));
      d1 = f64x2.add(d1, f64x2.add(f64x2.sub(c1, f64x2.sub(u1, y1)), f64x2.sub(e1, y1)));
      c0 = u0; c1 = u1;
      x += 32;
    }
    cascAdd(f64x2.extract_lane(s0, 0)); cascAdd(f64x2.extract_lane(s0, 1));
    cascAdd(f64x2.extract_lane(s1, 0)); cascAdd(f64x2.extract_lane(s1, 1));
    cascAdd(f64x2.extract_lane(c0, 0)); cascAdd(f64x2.extract_lane(c0, 1));
    cascAdd(f64x2.extract_lane(c1, 0)); cascAdd(f64x2.extract_lane(c1, 1));
    kD += (f64x2.extract_lane(d0, 0) + f64x2.extract_lane(d0, 1)) +
          (f64x2.extract_lane(d1, 0) + f64x2.extract_lane(d1, 1));
    if (wantMinMax) {
      const lo = f64x2.min(lo0, lo1), hi = f64x2.max(hi0, hi1);
      mn = min(f64x2.extract_lane(lo, 0), f64x2.extract_lane(lo, 1));
      mx = max(f64x2.extract_lane(hi, 0), f64x2.extract_lane(hi, 1));
    }
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    let c0: f64 = 0, c1: f64 = 0, c2: f64 = 0, c3: f64 = 0;
    let d0: f64 = 0, d1: f64 = 0, d2: f64 = 0, d3: f64 = 0;
    for (; i < n4; i += 4) {
      const v0 = load<f64>(x), v1 = load<f64>(x, 8), v2 = load<f64>(x, 16), v3 = load<f64>(x, 24);
      if (copy) {
        store<f64>(dst, v0); store<f64>(dst, v1, 8); store<f64>(dst, v2, 16); store<f64>(dst, v3, 24);
        dst += 32;
      }
      if (wantMinMax) {
        mn = min(min(mn, v0), min(v1, min(v2, v3)));
        mx = max(max(mx, v0), max(v1, max(v2, v3)));
      }
      let t = s0 + v0, z = t - s0, e = (s0 - (t - z)) + (v0 - z); s0 = t;
      let u = c0 + e, y = u - c0; d0 += (c0 - (u - y)) + (e - y); c0 = u;
      t = s1 + v1; z = t - s1; e = (s1 - (t - z)) + (v1 - z); s1 = t;
      u = c1 + e; y = u - c1; d1 += (c1 - (u - y)) + (e - y); c1 = u;
      t = s2 + v2; z = t - s2; e = (s2 - (t - z)) + (v2 - z); s2 = t;
      u = c2 + e; y = u - c2; d2 += (c2 - (u - y)) + (e - y); c2 = u;
      t = s3 + v3; z = t - s3; e = (s3 - (t - z)) + (v3 - z); s3 = t;
      u = c3 + e; y = u - c3; d3 += (c3 - (u - y)) + (e - y); c3 = u;
      x += 32;
    }
    cascAdd(s0); cascAdd(s1); cascAdd(s2); cascAdd(s3);
    cascAdd(c0); cascAdd(c1); cascAdd(c2); cascAdd(c3);
    kD += (d0 + d1) + (d2 + d3);
  }
  for (; i < n; i++) {
    const v = load<f64>(x);
    if (copy) { store<f64>(dst, v); dst += 8; }
    if (wantMinMax) { mn = min(mn, v); mx = max(mx, v); }
    cascAdd(v);
    x += 8;
  }
  rSum = kS + (kC + kD);
  rMin = mn;
  rMax = mx;
}

/** Pass 2: compensated Σd and Σd² for d = x − mean, into rSumD / rSumQ. */
function devPass(x: usize, n: i32, mean: f64): void {
  let i = 0;
  let S: f64 = 0, C: f64 = 0, Q: f64 = 0, D: f64 = 0;
  const n4 = n & ~3;
  if (ASC_FEATURE_SIMD) {
    const vm = f64x2.splat(mean);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), c0 = f64x2.splat(0), c1 = f64x2.splat(0);
    let q0 = f64x2.splat(0), q1 = f64x2.splat(0), e0 = f64x2.splat(0), e1 = f64x2.splat(0);
    for (; i < n4; i += 4) {
      const d0 = f64x2.sub(v128.load(x), vm), d1 = f64x2.sub(v128.load(x, 16), vm);
      const t0 = f64x2.add(s0, d0), t1 = f64x2.add(s1, d1);
      const z0 = f64x2.sub(t0, s0), z1 = f64x2.sub(t1, s1);
      c0 = f64x2.add(c0, f64x2.add(f64x2.sub(s0, f64x2.sub(t0, z0)), f64x2.sub(d0, z0)));
      c1 = f64x2.add(c1, f64x2.add(f64x2.sub(s1, f64x2.sub(t1, z1)), f64x2.sub(d1, z1)));
      s0 = t0; s1 = t1;
      const p0 = f64x2.mul(d0, d0), p1 = f64x2.mul(d1, d1);
      const u0 = f64x2.add(q0, p0), u1 = f64x2.add(q1, p1);
      const w0 = f64x2.sub(u0, q0), w1 = f64x2.sub(u1, q1);
      e0 = f64x2.add(e0, f64x2.add(f64x2.sub(q0, f64x2.sub(u0, w0)), f64x2.sub(p0, w0)));
      e1 = f64x2.add(e1, f64x2.add(f64x2.sub(q1, f64x2.sub(u1, w1)), f64x2.sub(p1, w1)));
      q0 = u0; q1 = u1;
      x += 32;
    }
    S = merge(S, C, f64x2.extract_lane(s0, 0), f64x2.extract_lane(c0, 0)); C = mC;
    S = merge(S, C, f64x2.extract_lane(s0, 1), f64x2.extract_lane(c0, 1)); C = mC;
    S = merge(S, C, f64x2.extract_lane(s1, 0), f64x2.extract_lane(c1, 0)); C = mC;
    S = merge(S, C, f64x2.extract_lane(s1, 1), f64x2.extract_lane(c1, 1)); C = mC;
    Q = merge(Q, D, f64x2.extract_lane(q0, 0), f64x2.extract_lane(e0, 0)); D = mC;
    Q = merge(Q, D, f64x2.extract_lane(q0, 1), f64x2.extract_lane(e0, 1)); D = mC;
    Q = merge(Q, D, f64x2.extract_lane(q1, 0), f64x2.extract_lane(e1, 0)); D = mC;
    Q = merge(Q, D, f64x2.extract_lane(q1, 1), f64x2.extract_lane(e1, 1)); D = mC;
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    let c0: f64 = 0, c1: f64 = 0, c2: f64 = 0, c3: f64 = 0;
    let q0: f64 = 0, q1: f64 = 0, q2: f64 = 0, q3: f64 = 0;
    let e0: f64 = 0, e1: f64 = 0, e2: f64 = 0, e3: f64 = 0;
    for (; i < n4; i += 4) {
      const d0 = load<f64>(x) - mean, d1 = load<f64>(x, 8) - mean;
      const d2 = load<f64>(x, 16) - mean, d3 = load<f64>(x, 24) - mean;
      let t = s0 + d0, z = t - s0; c0 += (s0 - (t - z)) + (d0 - z); s0 = t;
      t = s1 + d1; z = t - s1; c1 += (s1 - (t - z)) + (d1 - z); s1 = t;
      t = s2 + d2; z = t - s2; c2 += (s2 - (t - z)) + (d2 - z); s2 = t;
      t = s3 + d3; z = t - s3; c3 += (s3 - (t - z)) + (d3 - z); s3 = t;
      let p = d0 * d0;
      t = q0 + p; z = t - q0; e0 += (q0 - (t - z)) + (p - z); q0 = t;
      p = d1 * d1;
      t = q1 + p; z = t - q1; e1 += (q1 - (t - z)) + (p - z); q1 = t;
      p = d2 * d2;
      t = q2 + p; z = t - q2; e2 += (q2 - (t - z)) + (p - z); q2 = t;
      p = d3 * d3;
      t = q3 + p; z = t - q3; e3 += (q3 - (t - z)) + (p - z); q3 = t;
      x += 32;
    }
    S = merge(S, C, s0, c0); C = mC;
    S = merge(S, C, s1, c1); C = mC;
    S = merge(S, C, s2, c2); C = mC;
    S = merge(S, C, s3, c3); C = mC;
    Q = merge(Q, D, q0, e0); D = mC;
    Q = merge(Q, D, q1, e1); D = mC;
    Q = merge(Q, D, q2, e2); D = mC;
    Q = merge(Q, D, q3, e3); D = mC;
  }
  for (; i < n; i++) {
    const d = load<f64>(x) - mean;
    S = merge(S, C, d, 0); C = mC;
    Q = merge(Q, D, d * d, 0); D = mC;
    x += 8;
  }
  rSumD = S + C;
  rSumQ = Q + D;
}

/** M2 = Σd² − (Σd)²/n after devPass. */
// @ts-ignore: decorator
@inline function m2(n: i32): f64 {
  return rSumQ - (rSumD * rSumD) / <f64>n;
}

// ---------------------------------------------------------------------------------------
// Range: overflow and underflow are caught after the fact (a non-finite Σx or M2, or an M2
// below TINY of values that are not all equal) and only then redone, sequentially, at a
// power-of-two scale, which is exact. The common path pays a comparison.

/** 2^-(⌈log2 n⌉ + 1): n values scaled by it sum to at most MAX/2. */
function sumScale(n: i32): f64 {
  return Math.pow(2, -<f64>(32 - clz<i32>(n - 1) + 1));
}

/** Compensated Σ x_i·f (TwoSum, errors summed). */
function scaledSum(x: usize, n: i32, f: f64): f64 {
  let s: f64 = 0, c: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x) * f;
    const t = s + v, z = t - s;
    c += (s - (t - z)) + (v - z);
    s = t;
    x += 8;
  }
  return s + c;
}

/** Corrected M2 of x·f about mf (the mean at that scale), compensated. */
function scaledM2(x: usize, n: i32, mf: f64, f: f64): f64 {
  let S: f64 = 0, C: f64 = 0, Q: f64 = 0, D: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = load<f64>(x) * f - mf;
    S = merge(S, C, d, 0); C = mC;
    Q = merge(Q, D, d * d, 0); D = mC;
    x += 8;
  }
  const sd = S + C;
  return (Q + D) - (sd * sd) / <f64>n;
}

// Results of `moments` (wasm globals): Σx, mean, and M2 with the scale it was taken at
// (1, or 2^∓540 when the squares over- or underflowed) and the mean at that scale.
let gSum: f64 = 0;
let gMean: f64 = 0;
let gM2: f64 = 0;
let gScale: f64 = 1;
let gMeanScaled: f64 = 0;

/** Sum pass (done by the caller: rSum, and rMin/rMax when `haveRange`), then the M2 pass. */
function moments(x: usize, n: i32, haveRange: bool): void {
  let sum = rSum, mean = sum / <f64>n;
  if (!isFinite<f64>(sum)) {
    // Overflowed (or NaN, which the redo keeps): sum where it cannot.
    const k = sumScale(n), s = scaledSum(x, n, k);
    sum = s / k;
    mean = s / <f64>n / k;
  }
  devPass(x, n, mean);
  let q = m2(n), f: f64 = 1, mf = mean;
  if (!isFinite<f64>(q) && isFinite<f64>(mean)) {
    f = DOWN;
    mf = mean * DOWN;
    q = scaledM2(x, n, mf, f);
  } else if (q < TINY && !allEqual(x, n, haveRange)) {
    // Every value is below ~2^-430 here (two unequal larger ones would make M2 larger), so
    // ×2^540 cannot overflow; the mean is re-taken at that scale, where it is not subnormal.
    f = UP;
    mf = scaledSum(x, n, UP) / <f64>n;
    q = scaledM2(x, n, mf, f);
  }
  gSum = sum; gMean = mean; gM2 = q; gScale = f; gMeanScaled = mf;
}

function allEqual(x: usize, n: i32, haveRange: bool): bool {
  if (haveRange) return rMin == rMax;
  const v0 = load<f64>(x);
  for (let i = 1; i < n; i++) if (load<f64>(x + (<usize>i << 3)) != v0) return false;
  return true;
}

/** (a + b) / 2 without overflow. */
// @ts-ignore: decorator
@inline function midpoint(a: f64, b: f64): f64 {
  const m = (a + b) / 2;
  return isFinite<f64>(m) ? m : a / 2 + b / 2;
}

// ---------------------------------------------------------------------------------------
// statsF64

export function statsF64(x: usize, n: i32, ddof: f64, out: usize, work: usize): void {
  if (n <= 0) {
    store<f64>(out, 0);
    store<f64>(out, 0, 8);
    for (let j = 2; j < 8; j++) store<f64>(out + (<usize>j << 3), NaN);
    return;
  }
  sumPass(x, n, true, work, true);
  const mn = rMin, mx = rMax;
  moments(x, n, true);
  const v = max<f64>(0, gM2 / (<f64>n - ddof));
  let median: f64 = NaN;
  if (mn == mn) {
    // No NaN (min propagates it), so selection sees a total order.
    const h = n >> 1;
    selectK(work, 0, n - 1, h);
    const hv = load<f64>(work + (<usize>h << 3));
    median = (n & 1) ? hv : midpoint(maxRange(work, 0, h - 1), hv);
  }
  store<f64>(out, <f64>n);
  store<f64>(out, gSum, 8);
  store<f64>(out, gMean, 16);
  // One factor at a time: Infinity only when the variance itself is out of range.
  store<f64>(out, v / gScale / gScale, 24);
  store<f64>(out, Math.sqrt(v) / gScale, 32);
  store<f64>(out, mn, 40);
  store<f64>(out, mx, 48);
  store<f64>(out, median, 56);
}

// ---------------------------------------------------------------------------------------
// Percentiles (type 7)

/** Copies x[0, n) to dst; returns true when x holds a NaN. */
function copyHasNaN(x: usize, n: i32, dst: usize): bool {
  let i = 0;
  let nan = false;
  if (ASC_FEATURE_SIMD) {
    let m = v128.splat<i64>(0);
    for (; i + 4 <= n; i += 4) {
      const v0 = v128.load(x), v1 = v128.load(x, 16);
      v128.store(dst, v0);
      v128.store(dst, v1, 16);
      m = v128.or(m, v128.or(f64x2.ne(v0, v0), f64x2.ne(v1, v1)));
      x += 32; dst += 32;
    }
    nan = v128.any_true(m);
  }
  for (; i < n; i++) {
    const v = load<f64>(x);
    store<f64>(dst, v);
    nan = nan | (v != v);
    x += 8; dst += 8;
  }
  return nan;
}

/** Fractional part of the last rankOf's h (a second result). */
let pFrac: f64 = 0;

/** Type-7 rank data for p: returns lo (or -1 when h is out of [0, n-1] or NaN); sets pFrac. */
// @ts-ignore: decorator
@inline function rankOf(n: i32, p: f64): i32 {
  const h = (<f64>(n - 1) * p) / 100;
  if (!(h >= 0 && h <= <f64>(n - 1))) return -1;
  const lo = Math.floor(h);
  pFrac = h - lo;
  return <i32>lo;
}

/**
 * Percentiles ps[0, m) of x[0, n) into out; work: f64[n] copy, ranks: i32[2m].
 * NaN in x, or a p outside [0, 100], gives NaN.
 */
function percentilesInto(x: usize, n: i32, ps: usize, m: i32, out: usize, work: usize, ranks: usize): void {
  if (m <= 0) return;
  if (n <= 0 || copyHasNaN(x, n, work)) {
    for (let j = 0; j < m; j++) store<f64>(out + (<usize>j << 3), NaN);
    return;
  }
  let cnt = 0;
  for (let j = 0; j < m; j++) {
    const lo = rankOf(n, load<f64>(ps + (<usize>j << 3)));
    if (lo < 0) continue;
    store<i32>(ranks + (<usize>cnt << 2), lo); cnt++;
    if (pFrac != 0 && lo + 1 < n) { store<i32>(ranks + (<usize>cnt << 2), lo + 1); cnt++; }
  }
  const u = sortUniqueI32(ranks, cnt);
  multiSelect(work, 0, n - 1, ranks, 0, u - 1);
  for (let j = 0; j < m; j++) {
    const lo = rankOf(n, load<f64>(ps + (<usize>j << 3)));
    let v: f64 = NaN;
    if (lo >= 0) {
      const xl = load<f64>(work + (<usize>lo << 3));
      if (pFrac == 0 || lo + 1 >= n) v = xl;
      else {
        const xh = load<f64>(work + (<usize>lo << 3), 8), d = xh - xl;
        // b − a overflows only for opposite signs near the limits; a − f·a + f·b cannot.
        v = isFinite<f64>(d) ? xl + pFrac * d : xl - pFrac * xl + pFrac * xh;
      }
    }
    store<f64>(out + (<usize>j << 3), v);
  }
}

export function percentilesF64(x: usize, n: i32, ps: usize, m: i32, out: usize, work: usize, ranks: usize): void {
  percentilesInto(x, n, ps, m, out, work, ranks);
}

// ---------------------------------------------------------------------------------------
// Moving average

/**
 * Valid-mode moving average: out[i] = (Σ x[i, i+window)) / window, i in [0, n − window].
 * The running sum is TwoSum-compensated over every add and subtract. A window sum that
 * overflowed poisons the running pair for good (its error term turns NaN), so the last sum
 * tells whether any did; the whole pass is then redone at a scale where none can.
 */
export function movingAverageF64(x: usize, n: i32, window: i32, out: usize): void {
  if (window <= 0 || window > n) return;
  if (!isFinite<f64>(slide(x, n, window, out, 1))) slide(x, n, window, out, sumScale(window));
}

/** The sliding mean of x·f (f a power of two); returns the last window sum. */
// @ts-ignore: decorator
@inline function slide(x: usize, n: i32, window: i32, out: usize, f: f64): f64 {
  const w = <f64>window;
  let s: f64 = 0, c: f64 = 0;
  let p = x;
  for (let i = 0; i < window; i++) {
    const v = load<f64>(p) * f;
    const t = s + v, z = t - s;
    c += (s - (t - z)) + (v - z);
    s = t;
    p += 8;
  }
  store<f64>(out, (s + c) / w / f);
  let q = x;
  const last = n - window;
  for (let i = 1; i <= last; i++) {
    const v = load<f64>(p) * f;
    let t = s + v, z = t - s;
    c += (s - (t - z)) + (v - z);
    s = t;
    const u = -load<f64>(q) * f;
    t = s + u; z = t - s;
    c += (s - (t - z)) + (u - z);
    s = t;
    store<f64>(out + (<usize>i << 3), (s + c) / w / f);
    p += 8; q += 8;
  }
  return s + c;
}

// ---------------------------------------------------------------------------------------
// Outliers

const iqrPs = memory.data<f64>([25.0, 75.0]);
const iqrQ = memory.data(16, 16);
const iqrRanks = memory.data(16, 16);

/** Writes ascending i with x[i] < lo || x[i] > hi to out (u32); returns the count. */
function fences(x: usize, n: i32, lo: f64, hi: f64, out: usize): i32 {
  let cnt: usize = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x);
    store<u32>(out + (cnt << 2), <u32>i);
    cnt += <usize>((v < lo) | (v > hi));
    x += 8;
  }
  return <i32>cnt;
}

export function outliersIqrF64(x: usize, n: i32, k: f64, out: usize, work: usize): i32 {
  if (n <= 0) return 0;
  percentilesInto(x, n, iqrPs, 2, iqrQ, work, iqrRanks);
  const q1 = load<f64>(iqrQ), q3 = load<f64>(iqrQ, 8);
  const iqr = q3 - q1;
  if (isFinite<f64>(iqr)) return fences(x, n, q1 - k * iqr, q3 + k * iqr, out);
  // Q3 − Q1 overflowed: fences at half scale (one beyond the range is then ±Infinity).
  const h = q3 / 2 - q1 / 2;
  return fences(x, n, (q1 / 2 - k * h) * 2, (q3 / 2 + k * h) * 2, out);
}

export function outliersZscoreF64(x: usize, n: i32, threshold: f64, out: usize): i32 {
  if (n <= 0) return 0;
  sumPass(x, n, false, 0, false);
  moments(x, n, false);
  // z-scores at the scale M2 was taken at: x·f − mean neither overflows nor underflows there.
  const std = Math.sqrt(max<f64>(0, gM2 / <f64>n));
  if (std == 0) return 0;
  const f = gScale, mean = gMeanScaled;
  let cnt: usize = 0;
  if (f == 1) {
    for (let i = 0; i < n; i++) {
      const v = load<f64>(x);
      store<u32>(out + (cnt << 2), <u32>i);
      cnt += <usize>(Math.abs(v - mean) / std > threshold);
      x += 8;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = load<f64>(x) * f;
      store<u32>(out + (cnt << 2), <u32>i);
      cnt += <usize>(Math.abs(v - mean) / std > threshold);
      x += 8;
    }
  }
  return <i32>cnt;
}
