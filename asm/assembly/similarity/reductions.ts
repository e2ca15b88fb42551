// Sums over vector pairs (dot products, norms, squared distances) behind every export in
// similarity/index.ts. They live apart from the exports because each is reached from
// several of them (pairwise, batch, top-k).
//
// Naming: f32 inputs have two paths. `*F32Fast` is the blocked f32-lane path described
// below; `*F32Exact` forms every product in f64 and is what callers fall back to when
// `safeSq` says the fast sums may have over- or underflowed. f64 inputs have one path.
//
// f32 inputs, SIMD build: products are accumulated in f32x4 lanes for short blocks of
// F32_BLOCK steps (one step = 16 elements in 4 independent accumulators), then the block
// sum is promoted to f64x2 and added to f64 accumulators. Each f32 lane therefore sums at
// most F32_BLOCK products (+2 pairwise adds) before promotion, which bounds the error to
// about (F32_BLOCK + 3) * 2^-24 * sum|a_i*b_i|, far inside the 2e-6 budget.
// Measured on cosineBatchF32 (nq=1, dim=384, 100k rows from an L2-resident 256 KB chunk,
// Node 20 x64): f32 blocks of 8 steps 7.7 ms, of 4 steps 9.3 ms, of 16 steps 7.2 ms;
// f32 products promoted and summed in f64 19 ms; inputs promoted, f64 products 30 ms.
// f32 inputs, scalar build: every product is formed and accumulated in f64 (exact products).
// f64 inputs: f64x2 lanes with 4 independent accumulators (SIMD) or 4 scalar accumulators.
//
// Every reduction that produces the same quantity uses the same summation order, so e.g.
// the norms computed inside `cosPartsF32Fast` equal `dotF32Fast(a, a)` bit for bit, and the
// batch and pairwise exports agree exactly.
//
// Pointers may be unaligned (v128.load / f32.load accept any address). Lengths <= 0 sum to 0.

/** 16-element steps accumulated in f32 lanes before promotion to f64. */
// @ts-ignore: decorator
@inline const F32_BLOCK: i32 = 8;

/** Second/third results of the fused reductions (wasm globals; no multi-value needed). */
export let outNormA: f64 = 0;
export let outNormB: f64 = 0;

// ---------------------------------------------------------------------------------------
// SIMD helpers

/** acc (f64x2) + promote(all four f32 lanes of s), pairwise. */
// @ts-ignore: decorator
@inline function addPromoted(acc: v128, s: v128): v128 {
  const lo = f64x2.promote_low_f32x4(s);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 2, 3));
  return f64x2.add(acc, f64x2.add(lo, hi));
}

/** (s0 + s1) + (s2 + s3) lane-wise in f32. */
// @ts-ignore: decorator
@inline function sum4f32(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  return f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
}

// @ts-ignore: decorator
@inline function hsum2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// @ts-ignore: decorator
@inline function sqDiffF32(x: v128, y: v128): v128 {
  const d = f32x4.sub(x, y);
  return f32x4.mul(d, d);
}

// @ts-ignore: decorator
@inline function sqF32(x: v128): v128 {
  return f32x4.mul(x, x);
}

// ---------------------------------------------------------------------------------------
// f32, fast path

/** Σ a_i·b_i over n f32 elements, accumulated as described above. */
export function dotF32Fast(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let r: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    const n16 = n & ~15;
    while (i < n16) {
      const stop = min(i + F32_BLOCK * 16, n16);
      let s0 = f32x4.mul(v128.load(a, 0), v128.load(b, 0));
      let s1 = f32x4.mul(v128.load(a, 16), v128.load(b, 16));
      let s2 = f32x4.mul(v128.load(a, 32), v128.load(b, 32));
      let s3 = f32x4.mul(v128.load(a, 48), v128.load(b, 48));
      a += 64; b += 64; i += 16;
      while (i < stop) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load(a, 0), v128.load(b, 0)));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(a, 16), v128.load(b, 16)));
        s2 = f32x4.add(s2, f32x4.mul(v128.load(a, 32), v128.load(b, 32)));
        s3 = f32x4.add(s3, f32x4.mul(v128.load(a, 48), v128.load(b, 48)));
        a += 64; b += 64; i += 16;
      }
      acc = addPromoted(acc, sum4f32(s0, s1, s2, s3));
    }
    if (i + 4 <= n) {
      let s = f32x4.mul(v128.load(a, 0), v128.load(b, 0));
      a += 16; b += 16; i += 4;
      while (i + 4 <= n) {
        s = f32x4.add(s, f32x4.mul(v128.load(a, 0), v128.load(b, 0)));
        a += 16; b += 16; i += 4;
      }
      acc = addPromoted(acc, s);
    }
    r = hsum2(acc);
  } else {
    let r0: f64 = 0, r1: f64 = 0, r2: f64 = 0, r3: f64 = 0;
    const n4 = n & ~3;
    while (i < n4) {
      r0 += <f64>load<f32>(a) * <f64>load<f32>(b);
      r1 += <f64>load<f32>(a, 4) * <f64>load<f32>(b, 4);
      r2 += <f64>load<f32>(a, 8) * <f64>load<f32>(b, 8);
      r3 += <f64>load<f32>(a, 12) * <f64>load<f32>(b, 12);
      a += 16; b += 16; i += 4;
    }
    r = (r0 + r1) + (r2 + r3);
  }
  while (i < n) {
    r += <f64>load<f32>(a) * <f64>load<f32>(b);
    a += 4; b += 4; i++;
  }
  return r;
}

/** Returns Σ a_i·b_i and sets outNormB = Σ b_i² (same order as dotF32Fast(b, b)). */
export function dotNormF32Fast(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let r: f64 = 0;
  let rb: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    let accB = f64x2.splat(0);
    const n16 = n & ~15;
    while (i < n16) {
      const stop = min(i + F32_BLOCK * 16, n16);
      let s0 = f32x4.mul(v128.load(a, 0), v128.load(b, 0));
      let s1 = f32x4.mul(v128.load(a, 16), v128.load(b, 16));
      let s2 = f32x4.mul(v128.load(a, 32), v128.load(b, 32));
      let s3 = f32x4.mul(v128.load(a, 48), v128.load(b, 48));
      let t0 = sqF32(v128.load(b, 0));
      let t1 = sqF32(v128.load(b, 16));
      let t2 = sqF32(v128.load(b, 32));
      let t3 = sqF32(v128.load(b, 48));
      a += 64; b += 64; i += 16;
      while (i < stop) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load(a, 0), v128.load(b, 0)));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(a, 16), v128.load(b, 16)));
        s2 = f32x4.add(s2, f32x4.mul(v128.load(a, 32), v128.load(b, 32)));
        s3 = f32x4.add(s3, f32x4.mul(v128.load(a, 48), v128.load(b, 48)));
        t0 = f32x4.add(t0, sqF32(v128.load(b, 0)));
        t1 = f32x4.add(t1, sqF32(v128.load(b, 16)));
        t2 = f32x4.add(t2, sqF32(v128.load(b, 32)));
        t3 = f32x4.add(t3, sqF32(v128.load(b, 48)));
        a += 64; b += 64; i += 16;
      }
      acc = addPromoted(acc, sum4f32(s0, s1, s2, s3));
      accB = addPromoted(accB, sum4f32(t0, t1, t2, t3));
    }
    if (i + 4 <= n) {
      let s = f32x4.mul(v128.load(a, 0), v128.load(b, 0));
      let t = sqF32(v128.load(b, 0));
      a += 16; b += 16; i += 4;
      while (i + 4 <= n) {
        s = f32x4.add(s, f32x4.mul(v128.load(a, 0), v128.load(b, 0)));
        t = f32x4.add(t, sqF32(v128.load(b, 0)));
        a += 16; b += 16; i += 4;
      }
      acc = addPromoted(acc, s);
      accB = addPromoted(accB, t);
    }
    r = hsum2(acc);
    rb = hsum2(accB);
  } else {
    let r0: f64 = 0, r1: f64 = 0, r2: f64 = 0, r3: f64 = 0;
    let q0: f64 = 0, q1: f64 = 0, q2: f64 = 0, q3: f64 = 0;
    const n4 = n & ~3;
    while (i < n4) {
      const b0 = <f64>load<f32>(b), b1 = <f64>load<f32>(b, 4);
      const b2 = <f64>load<f32>(b, 8), b3 = <f64>load<f32>(b, 12);
      r0 += <f64>load<f32>(a) * b0;
      r1 += <f64>load<f32>(a, 4) * b1;
      r2 += <f64>load<f32>(a, 8) * b2;
      r3 += <f64>load<f32>(a, 12) * b3;
      q0 += b0 * b0; q1 += b1 * b1; q2 += b2 * b2; q3 += b3 * b3;
      a += 16; b += 16; i += 4;
    }
    r = (r0 + r1) + (r2 + r3);
    rb = (q0 + q1) + (q2 + q3);
  }
  while (i < n) {
    const bv = <f64>load<f32>(b);
    r += <f64>load<f32>(a) * bv;
    rb += bv * bv;
    a += 4; b += 4; i++;
  }
  outNormB = rb;
  return r;
}

/** Returns Σ a_i·b_i and sets outNormA = Σ a_i², outNormB = Σ b_i². */
export function cosPartsF32Fast(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let r: f64 = 0;
  let ra: f64 = 0;
  let rb: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    let accA = f64x2.splat(0);
    let accB = f64x2.splat(0);
    const n16 = n & ~15;
    while (i < n16) {
      const stop = min(i + F32_BLOCK * 16, n16);
      let s0 = f32x4.mul(v128.load(a, 0), v128.load(b, 0));
      let s1 = f32x4.mul(v128.load(a, 16), v128.load(b, 16));
      let s2 = f32x4.mul(v128.load(a, 32), v128.load(b, 32));
      let s3 = f32x4.mul(v128.load(a, 48), v128.load(b, 48));
      let u0 = sqF32(v128.load(a, 0));
      let u1 = sqF32(v128.load(a, 16));
      let u2 = sqF32(v128.load(a, 32));
      let u3 = sqF32(v128.load(a, 48));
      let t0 = sqF32(v128.load(b, 0));
      let t1 = sqF32(v128.load(b, 16));
      let t2 = sqF32(v128.load(b, 32));
      let t3 = sqF32(v128.load(b, 48));
      a += 64; b += 64; i += 16;
      while (i < stop) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load(a, 0), v128.load(b, 0)));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(a, 16), v128.load(b, 16)));
        s2 = f32x4.add(s2, f32x4.mul(v128.load(a, 32), v128.load(b, 32)));
        s3 = f32x4.add(s3, f32x4.mul(v128.load(a, 48), v128.load(b, 48)));
        u0 = f32x4.add(u0, sqF32(v128.load(a, 0)));
        u1 = f32x4.add(u1, sqF32(v128.load(a, 16)));
        u2 = f32x4.add(u2, sqF32(v128.load(a, 32)));
        u3 = f32x4.add(u3, sqF32(v128.load(a, 48)));
        t0 = f32x4.add(t0, sqF32(v128.load(b, 0)));
        t1 = f32x4.add(t1, sqF32(v128.load(b, 16)));
        t2 = f32x4.add(t2, sqF32(v128.load(b, 32)));
        t3 = f32x4.add(t3, sqF32(v128.load(b, 48)));
        a += 64; b += 64; i += 16;
      }
      acc = addPromoted(acc, sum4f32(s0, s1, s2, s3));
      accA = addPromoted(accA, sum4f32(u0, u1, u2, u3));
      accB = addPromoted(accB, sum4f32(t0, t1, t2, t3));
    }
    if (i + 4 <= n) {
      let s = f32x4.mul(v128.load(a, 0), v128.load(b, 0));
      let u = sqF32(v128.load(a, 0));
      let t = sqF32(v128.load(b, 0));
      a += 16; b += 16; i += 4;
      while (i + 4 <= n) {
        s = f32x4.add(s, f32x4.mul(v128.load(a, 0), v128.load(b, 0)));
        u = f32x4.add(u, sqF32(v128.load(a, 0)));
        t = f32x4.add(t, sqF32(v128.load(b, 0)));
        a += 16; b += 16; i += 4;
      }
      acc = addPromoted(acc, s);
      accA = addPromoted(accA, u);
      accB = addPromoted(accB, t);
    }
    r = hsum2(acc);
    ra = hsum2(accA);
    rb = hsum2(accB);
  } else {
    let r0: f64 = 0, r1: f64 = 0, r2: f64 = 0, r3: f64 = 0;
    let p0: f64 = 0, p1: f64 = 0, p2: f64 = 0, p3: f64 = 0;
    let q0: f64 = 0, q1: f64 = 0, q2: f64 = 0, q3: f64 = 0;
    const n4 = n & ~3;
    while (i < n4) {
      const a0 = <f64>load<f32>(a), a1 = <f64>load<f32>(a, 4);
      const a2 = <f64>load<f32>(a, 8), a3 = <f64>load<f32>(a, 12);
      const b0 = <f64>load<f32>(b), b1 = <f64>load<f32>(b, 4);
      const b2 = <f64>load<f32>(b, 8), b3 = <f64>load<f32>(b, 12);
      r0 += a0 * b0; r1 += a1 * b1; r2 += a2 * b2; r3 += a3 * b3;
      p0 += a0 * a0; p1 += a1 * a1; p2 += a2 * a2; p3 += a3 * a3;
      q0 += b0 * b0; q1 += b1 * b1; q2 += b2 * b2; q3 += b3 * b3;
      a += 16; b += 16; i += 4;
    }
    r = (r0 + r1) + (r2 + r3);
    ra = (p0 + p1) + (p2 + p3);
    rb = (q0 + q1) + (q2 + q3);
  }
  while (i < n) {
    const av = <f64>load<f32>(a);
    const bv = <f64>load<f32>(b);
    r += av * bv;
    ra += av * av;
    rb += bv * bv;
    a += 4; b += 4; i++;
  }
  outNormA = ra;
  outNormB = rb;
  return r;
}

/**
 * Σ (a_i − b_i)² over n f32 elements. In the SIMD build the difference is taken in f32
 * (exact when the operands are within a factor 2 of each other, otherwise off by at most
 * one f32 rounding relative to the difference itself), so each term carries ~3 roundings
 * relative to (a_i − b_i)²; the scalar build computes everything in f64.
 */
export function sqDistF32Fast(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let r: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    const n16 = n & ~15;
    while (i < n16) {
      const stop = min(i + F32_BLOCK * 16, n16);
      let s0 = sqDiffF32(v128.load(a, 0), v128.load(b, 0));
      let s1 = sqDiffF32(v128.load(a, 16), v128.load(b, 16));
      let s2 = sqDiffF32(v128.load(a, 32), v128.load(b, 32));
      let s3 = sqDiffF32(v128.load(a, 48), v128.load(b, 48));
      a += 64; b += 64; i += 16;
      while (i < stop) {
        s0 = f32x4.add(s0, sqDiffF32(v128.load(a, 0), v128.load(b, 0)));
        s1 = f32x4.add(s1, sqDiffF32(v128.load(a, 16), v128.load(b, 16)));
        s2 = f32x4.add(s2, sqDiffF32(v128.load(a, 32), v128.load(b, 32)));
        s3 = f32x4.add(s3, sqDiffF32(v128.load(a, 48), v128.load(b, 48)));
        a += 64; b += 64; i += 16;
      }
      acc = addPromoted(acc, sum4f32(s0, s1, s2, s3));
    }
    if (i + 4 <= n) {
      let s = sqDiffF32(v128.load(a, 0), v128.load(b, 0));
      a += 16; b += 16; i += 4;
      while (i + 4 <= n) {
        s = f32x4.add(s, sqDiffF32(v128.load(a, 0), v128.load(b, 0)));
        a += 16; b += 16; i += 4;
      }
      acc = addPromoted(acc, s);
    }
    r = hsum2(acc);
  } else {
    let r0: f64 = 0, r1: f64 = 0, r2: f64 = 0, r3: f64 = 0;
    const n4 = n & ~3;
    while (i < n4) {
      const d0 = <f64>load<f32>(a) - <f64>load<f32>(b);
      const d1 = <f64>load<f32>(a, 4) - <f64>load<f32>(b, 4);
      const d2 = <f64>load<f32>(a, 8) - <f64>load<f32>(b, 8);
      const d3 = <f64>load<f32>(a, 12) - <f64>load<f32>(b, 12);
      r0 += d0 * d0; r1 += d1 * d1; r2 += d2 * d2; r3 += d3 * d3;
      a += 16; b += 16; i += 4;
    }
    r = (r0 + r1) + (r2 + r3);
  }
  while (i < n) {
    const d = <f64>load<f32>(a) - <f64>load<f32>(b);
    r += d * d;
    a += 4; b += 4; i++;
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// f64

// @ts-ignore: decorator
@inline function sqDiffF64(x: v128, y: v128): v128 {
  const d = f64x2.sub(x, y);
  return f64x2.mul(d, d);
}

// @ts-ignore: decorator
@inline function sum4f64(s0: v128, s1: v128, s2: v128, s3: v128): f64 {
  return hsum2(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)));
}

/** Σ a_i·b_i over n f64 elements. */
export function dotProductF64(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let r: f64 = 0;
  const n8 = n & ~7;
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    while (i < n8) {
      s0 = f64x2.add(s0, f64x2.mul(v128.load(a, 0), v128.load(b, 0)));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(a, 16), v128.load(b, 16)));
      s2 = f64x2.add(s2, f64x2.mul(v128.load(a, 32), v128.load(b, 32)));
      s3 = f64x2.add(s3, f64x2.mul(v128.load(a, 48), v128.load(b, 48)));
      a += 64; b += 64; i += 8;
    }
    r = sum4f64(s0, s1, s2, s3);
  } else {
    let r0: f64 = 0, r1: f64 = 0, r2: f64 = 0, r3: f64 = 0;
    while (i < n8) {
      r0 += load<f64>(a) * load<f64>(b) + load<f64>(a, 32) * load<f64>(b, 32);
      r1 += load<f64>(a, 8) * load<f64>(b, 8) + load<f64>(a, 40) * load<f64>(b, 40);
      r2 += load<f64>(a, 16) * load<f64>(b, 16) + load<f64>(a, 48) * load<f64>(b, 48);
      r3 += load<f64>(a, 24) * load<f64>(b, 24) + load<f64>(a, 56) * load<f64>(b, 56);
      a += 64; b += 64; i += 8;
    }
    r = (r0 + r1) + (r2 + r3);
  }
  while (i < n) {
    r += load<f64>(a) * load<f64>(b);
    a += 8; b += 8; i++;
  }
  return r;
}

/** Returns Σ a_i·b_i and sets outNormA = Σ a_i², outNormB = Σ b_i² (f64 inputs). */
export function cosPartsF64(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let r: f64 = 0;
  let ra: f64 = 0;
  let rb: f64 = 0;
  const n4 = n & ~3;
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let u0 = f64x2.splat(0), u1 = f64x2.splat(0);
    let t0 = f64x2.splat(0), t1 = f64x2.splat(0);
    while (i < n4) {
      const a0 = v128.load(a), a1 = v128.load(a, 16);
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      s0 = f64x2.add(s0, f64x2.mul(a0, b0));
      s1 = f64x2.add(s1, f64x2.mul(a1, b1));
      u0 = f64x2.add(u0, f64x2.mul(a0, a0));
      u1 = f64x2.add(u1, f64x2.mul(a1, a1));
      t0 = f64x2.add(t0, f64x2.mul(b0, b0));
      t1 = f64x2.add(t1, f64x2.mul(b1, b1));
      a += 32; b += 32; i += 4;
    }
    r = hsum2(f64x2.add(s0, s1));
    ra = hsum2(f64x2.add(u0, u1));
    rb = hsum2(f64x2.add(t0, t1));
  } else {
    let r0: f64 = 0, r1: f64 = 0, p0: f64 = 0, p1: f64 = 0, q0: f64 = 0, q1: f64 = 0;
    while (i < n4) {
      const a0 = load<f64>(a), a1 = load<f64>(a, 8), a2 = load<f64>(a, 16), a3 = load<f64>(a, 24);
      const b0 = load<f64>(b), b1 = load<f64>(b, 8), b2 = load<f64>(b, 16), b3 = load<f64>(b, 24);
      r0 += a0 * b0 + a2 * b2; r1 += a1 * b1 + a3 * b3;
      p0 += a0 * a0 + a2 * a2; p1 += a1 * a1 + a3 * a3;
      q0 += b0 * b0 + b2 * b2; q1 += b1 * b1 + b3 * b3;
      a += 32; b += 32; i += 4;
    }
    r = r0 + r1;
    ra = p0 + p1;
    rb = q0 + q1;
  }
  while (i < n) {
    const av = load<f64>(a);
    const bv = load<f64>(b);
    r += av * bv;
    ra += av * av;
    rb += bv * bv;
    a += 8; b += 8; i++;
  }
  outNormA = ra;
  outNormB = rb;
  return r;
}

/** Σ (a_i − b_i)² over n f64 elements. */
export function sqDistF64(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let r: f64 = 0;
  const n8 = n & ~7;
  if (ASC_FEATURE_SIMD) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    while (i < n8) {
      s0 = f64x2.add(s0, sqDiffF64(v128.load(a, 0), v128.load(b, 0)));
      s1 = f64x2.add(s1, sqDiffF64(v128.load(a, 16), v128.load(b, 16)));
      s2 = f64x2.add(s2, sqDiffF64(v128.load(a, 32), v128.load(b, 32)));
      s3 = f64x2.add(s3, sqDiffF64(v128.load(a, 48), v128.load(b, 48)));
      a += 64; b += 64; i += 8;
    }
    r = sum4f64(s0, s1, s2, s3);
  } else {
    let r0: f64 = 0, r1: f64 = 0, r2: f64 = 0, r3: f64 = 0;
    while (i < n8) {
      const d0 = load<f64>(a) - load<f64>(b), d4 = load<f64>(a, 32) - load<f64>(b, 32);
      const d1 = load<f64>(a, 8) - load<f64>(b, 8), d5 = load<f64>(a, 40) - load<f64>(b, 40);
      const d2 = load<f64>(a, 16) - load<f64>(b, 16), d6 = load<f64>(a, 48) - load<f64>(b, 48);
      const d3 = load<f64>(a, 24) - load<f64>(b, 24), d7 = load<f64>(a, 56) - load<f64>(b, 56);
      r0 += d0 * d0 + d4 * d4;
      r1 += d1 * d1 + d5 * d5;
      r2 += d2 * d2 + d6 * d6;
      r3 += d3 * d3 + d7 * d7;
      a += 64; b += 64; i += 8;
    }
    r = (r0 + r1) + (r2 + r3);
  }
  while (i < n) {
    const d = load<f64>(a) - load<f64>(b);
    r += d * d;
    a += 8; b += 8; i++;
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// Final combination

/**
 * dot / sqrt(na·nb), clamped to [-1, 1]; 0 when either norm is 0; NaN propagates.
 * Falls back to sqrt(na)·sqrt(nb) when the product over- or underflows (f64 inputs only).
 */
// @ts-ignore: decorator
@inline export function cosineFrom(dot: f64, na: f64, nb: f64): f64 {
  // Zero norm gives 0 only when both norms are finite, so a non-finite input
  // still surfaces as NaN for the caller's input check.
  if (na == 0 || nb == 0) return isFinite<f64>(na + nb) ? 0 : NaN;
  let d = Math.sqrt(na * nb);
  if (d == 0 || d == Infinity) d = Math.sqrt(na) * Math.sqrt(nb);
  return min<f64>(max<f64>(dot / d, -1.0), 1.0);
}

// ---------------------------------------------------------------------------------------
// f32, exact path, and the range guard that picks between the paths.
//
// The f32-lane blocks above round each product to f32, so products overflow above
// ~1.8e19 per element and vanish below ~1e-45. Callers compute with the fast path and
// re-run a pair through these (f32 products are exact in f64) when a sum of squares is
// outside [2^-60, 2^60]; inside it every element is below 2^30 in magnitude, so no f32
// product or block sum can overflow, and what underflow can lose is below 2^-89 of the
// norms' product. NaN fails the guard too, which only costs time on the error path.

/** True when a sum of squares is in the range where the f32-lane sums are exact enough. */
// @ts-ignore: decorator
@inline export function safeSq(x: f64): bool {
  return x >= 8.673617379884035e-19 && x <= 1.152921504606847e18;
}

/** Σ a_i·b_i with every product formed and summed in f64 (f32 products are exact in f64). */
export function dotF32Exact(a: usize, b: usize, n: i32): f64 {
  let r0: f64 = 0, r1: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Promoted lanes: the redo of a tiny or orthogonal fast dot costs about a fast pass.
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const x0 = v128.load(a), y0 = v128.load(b), x1 = v128.load(a, 16), y1 = v128.load(b, 16);
      s0 = f64x2.add(s0, f64x2.mul(f64x2.promote_low_f32x4(x0), f64x2.promote_low_f32x4(y0)));
      s1 = f64x2.add(s1, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(x0, x0, 2, 3, 2, 3)), f64x2.promote_low_f32x4(v128.shuffle<f32>(y0, y0, 2, 3, 2, 3))));
      s2 = f64x2.add(s2, f64x2.mul(f64x2.promote_low_f32x4(x1), f64x2.promote_low_f32x4(y1)));
      s3 = f64x2.add(s3, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(x1, x1, 2, 3, 2, 3)), f64x2.promote_low_f32x4(v128.shuffle<f32>(y1, y1, 2, 3, 2, 3))));
      a += 32; b += 32;
    }
    r0 = hsum2(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)));
  }
  for (; i + 2 <= n; i += 2) {
    r0 += <f64>load<f32>(a) * <f64>load<f32>(b);
    r1 += <f64>load<f32>(a, 4) * <f64>load<f32>(b, 4);
    a += 8; b += 8;
  }
  if (i < n) r0 += <f64>load<f32>(a) * <f64>load<f32>(b);
  return r0 + r1;
}

/** Σ (a_i − b_i)² with differences and squares in f64. */
export function sqDistF32Exact(a: usize, b: usize, n: i32): f64 {
  let r: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<f32>(a) - <f64>load<f32>(b);
    r += d * d;
    a += 4; b += 4;
  }
  return r;
}

/**
 * Below this a fast f32 dot may be made of f32-subnormal products (each loses up to 2^-150,
 * n·2^-150 ≤ 2^-118 in all): callers then re-form it with dotF32Exact. Above it the loss is
 * under 2^-28 of the dot, and so of Σ|a_i·b_i|.
 */
// @ts-ignore: decorator
@inline export const F32_TINY_DOT: f64 = 8.077935669463161e-28; // 2^-90

/** Cosine of two f32 vectors through the exact path. */
export function cosineF32Exact(a: usize, b: usize, n: i32): f64 {
  return cosineFrom(dotF32Exact(a, b, n), dotF32Exact(a, a, n), dotF32Exact(b, b, n));
}

// ---------------------------------------------------------------------------------------
// f64 range guard and the scaled redos behind it (the same as the JS and native tiers').
//
// f64 products and squares over- or underflow too (elements beyond ~1e154 or below
// ~1e-154). The fast reductions run unchanged; their sums are checked after the fact and
// only a pair outside the safe range is redone on scaled values (one or two extra passes).

/** 2^-968: a sum of squares at least this large lost at most n·2^-1075 ≤ 2^-75 of itself. */
// @ts-ignore: decorator
@inline export const TINY: f64 = 4.008336720017946e-292;
/** 2^∓540: powers of two, so scaling by them is exact while in range. */
// @ts-ignore: decorator
@inline export const DOWN: f64 = 2.778448436856347e-163;
// @ts-ignore: decorator
@inline export const UP: f64 = 3.599131035634557e162;

/** A sum of squares in [TINY, MAX] (false for NaN and Infinity). */
// @ts-ignore: decorator
@inline export function safeF64(x: f64): bool {
  return x >= TINY && x <= f64.MAX_VALUE;
}

/** Σ (a_i·2^-540)(b_i·2^-540) · 2^1080: nothing overflows unless the exact dot does. */
export function dotF64Scaled(a: usize, b: usize, n: i32): f64 {
  let r: f64 = 0;
  for (let i = 0; i < n; i++) {
    r += (load<f64>(a) * DOWN) * (load<f64>(b) * DOWN);
    a += 8; b += 8;
  }
  return r * UP * UP;
}

/** The dot of the two unit vectors (norms known sound): its products are as large as can be. */
export function unitDotF64(a: usize, b: usize, n: i32, na: f64, nb: f64): f64 {
  const ra = 1 / Math.sqrt(na), rb = 1 / Math.sqrt(nb);
  let r: f64 = 0;
  for (let i = 0; i < n; i++) {
    r += (load<f64>(a) * ra) * (load<f64>(b) * rb);
    a += 8; b += 8;
  }
  return min<f64>(max<f64>(r, -1.0), 1.0);
}

function maxAbsF64(a: usize, n: i32): f64 {
  let m: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(load<f64>(a));
    if (v > m) m = v;
    a += 8;
  }
  return m;
}

/** Cosine of a / max|a| and b / max|b| (as hypot does): sums of squares in [1, n]. */
export function cosineF64Scaled(a: usize, b: usize, n: i32): f64 {
  const ma = maxAbsF64(a, n), mb = maxAbsF64(b, n);
  if (ma == Infinity || mb == Infinity) return NaN;
  if (ma == 0 || mb == 0) return 0;
  let r: f64 = 0, ra: f64 = 0, rb: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(a) / ma, y = load<f64>(b) / mb;
    r += x * y;
    ra += x * x;
    rb += y * y;
    a += 8; b += 8;
  }
  return cosineFrom(r, ra, rb);
}

function maxAbsDiffF64(a: usize, b: usize, n: i32, h: f64): f64 {
  let m: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(h * load<f64>(a) - h * load<f64>(b));
    if (d > m) m = d;
    a += 8; b += 8;
  }
  return m;
}

/** ‖a − b‖ as m·‖(a − b)/m‖, m = max|a_i − b_i|; at half scale when a difference overflows. */
export function l2F64Scaled(a: usize, b: usize, n: i32): f64 {
  let h: f64 = 1;
  let m = maxAbsDiffF64(a, b, n, h);
  if (m == Infinity) {
    h = 0.5;
    m = maxAbsDiffF64(a, b, n, h);
  }
  if (m == 0) return 0;
  let r: f64 = 0;
  for (let i = 0; i < n; i++) {
    const t = (h * load<f64>(a) - h * load<f64>(b)) / m;
    r += t * t;
    a += 8; b += 8;
  }
  return m * Math.sqrt(r) / h;
}
