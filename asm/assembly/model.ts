// DenseModel's model core in linear memory (the contract is the header of
// ts/contract/model.ts; ts/tiers/js/model.ts is the reference it mirrors).
//
// A model is two raw `alloc`'d blocks, made once by modelNew and never grown:
//  - the header block: a HEADER_BYTES header, one LAYER_BYTES record per layer, the biases
//    (each layer's zero-padded to a multiple of NR so the micro-kernel loads whole vectors),
//    and the scratch predict uses: two activation buffers of BM rows × the widest layer
//    (rounded up to NR) and, for f16, one f32 panel of the deepest layer × NR;
//  - the weights block: each layer's W (inDim × outDim) re-laid once into column strips NR
//    wide (strip s holds W[k, s·NR .. s·NR + NR) for every k, contiguous, zero-padded at the
//    right edge), so the GEMM reads its weights front to back. f16 strips keep the halves
//    (2 bytes each).
//
// predict takes rows in blocks of BM. Per layer and block: for each strip, for each tile of
// MR rows, the micro-kernel keeps an MR × NR tile of outputs in registers, starting from
// the biases, and runs over every k (broadcast x[r, k], load the strip's row k); the tile
// is stored whole (the buffer's rows are padded to whole strips), relu fused into the
// store. The other activations then run over the block in place. A strip (deepest layer ×
// NR × 4 bytes) stays in L1 while every tile of the block passes over it. f16 strips are
// widened into the panel once per strip and block, or, for a block of at most INLINE_ROWS
// rows (SIMD), inside the micro-kernel as they are loaded: there the panel's extra pass
// would cost more than the widening it saves.
//
// Without FMA (plain wasm SIMD) the 4 × 8 tile is bound by the multiply and add ports
// (16 ops per k step for 32 products), not by its 6 loads, so a bigger tile would only add
// register spills. A one-row tile is bound by the adds' latency instead; it runs two
// accumulator pairs (row1).
//
// Nothing traps except `alloc` itself when the host refuses to grow memory (memory.ts);
// modelNew checks every size in u64 and returns 0 when a block cannot be had.

import { alloc, free } from "./memory";
import {
  ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH, ACT_GELU, ACT_GELU_TANH, ACT_SOFTMAX,
  STATUS_OUT_OF_MEMORY,
} from "./abi";

// @ts-ignore: decorator
@inline const OK: i32 = 0;

/** Output columns per strip: two f32x4 accumulators per row with SIMD, four scalars without. */
// @ts-ignore: decorator
@inline const NR: i32 = ASC_FEATURE_SIMD ? 8 : 4;
/** Rows per micro-kernel tile. */
// @ts-ignore: decorator
@inline const MR: i32 = 4;
/** Rows per block: bounds the scratch whatever the batch. */
// @ts-ignore: decorator
@inline const BM: i32 = 64;

/** Blocks of at most this many rows widen f16 weights inside the micro-kernel. */
// @ts-ignore: decorator
@inline const INLINE_ROWS: i32 = 8;

// Header fields (byte offsets).
// @ts-ignore: decorator
@inline const H_LAYERS: usize = 0;   // i32 layer count
// @ts-ignore: decorator
@inline const H_F16: usize = 4;      // i32 0 | 1
// @ts-ignore: decorator
@inline const H_WIDTH: usize = 8;    // i32 padded row stride of the buffers (elements)
// @ts-ignore: decorator
@inline const H_WEIGHTS: usize = 12; // weights block
// @ts-ignore: decorator
@inline const H_BUF_A: usize = 16;
// @ts-ignore: decorator
@inline const H_BUF_B: usize = 20;
// @ts-ignore: decorator
@inline const H_PANEL: usize = 24;
// @ts-ignore: decorator
@inline const HEADER_BYTES: usize = 32;

// Layer record fields (byte offsets).
// @ts-ignore: decorator
@inline const L_IN: usize = 0;
// @ts-ignore: decorator
@inline const L_OUT: usize = 4;
// @ts-ignore: decorator
@inline const L_ACT: usize = 8;
// @ts-ignore: decorator
@inline const L_W: usize = 12;  // byte offset of the layer's strips in the weights block
// @ts-ignore: decorator
@inline const L_B: usize = 16;  // address of the layer's padded biases
// @ts-ignore: decorator
@inline const LAYER_BYTES: usize = 32;

/** Largest single block (memory.ts refuses more). */
// @ts-ignore: decorator
@inline const MAX_BLOCK: u64 = (1 << 30) - 256;

// Abramowitz and Stegun 7.1.26, as ts/tiers/js/model.ts.
// @ts-ignore: decorator
@inline const ERF_P: f64 = 0.3275911;
// @ts-ignore: decorator
@inline const ERF_A1: f64 = 0.254829592;
// @ts-ignore: decorator
@inline const ERF_A2: f64 = -0.284496736;
// @ts-ignore: decorator
@inline const ERF_A3: f64 = 1.421413741;
// @ts-ignore: decorator
@inline const ERF_A4: f64 = -1.453152027;
// @ts-ignore: decorator
@inline const ERF_A5: f64 = 1.061405429;
// @ts-ignore: decorator
@inline const SQRT_2_OVER_PI: f64 = 0.7978845608028654;
// @ts-ignore: decorator
@inline const SQRT1_2: f64 = 0.7071067811865476;

// @ts-ignore: decorator
@inline function roundUp(n: i32, m: i32): i32 {
  return (n + m - 1) / m * m;
}

// ---------------------------------------------------------------------------------------
// f16 widening

/**
 * The f32 bits of binary16 `h`, exactly. The half's exponent and mantissa shifted into f32
 * position and scaled by 2^112 (an exact multiply) rebias normals and normalise
 * subnormals alike; Infinity and NaN keep an all-ones exponent.
 */
// @ts-ignore: decorator
@inline function halfToF32(h: u32): f32 {
  const mag = (h & 0x7fff) << 13;
  let v = reinterpret<f32>(mag) * reinterpret<f32>(<u32>0x77800000); // 2^112
  if (mag >= (<u32>0x7c00 << 13)) v = reinterpret<f32>(mag | 0x7f800000);
  return reinterpret<f32>(reinterpret<u32>(v) | ((h & 0x8000) << 16));
}

/** Widens `n` halves at src into f32 at dst (n a multiple of 8 with SIMD). */
function widen(src: usize, dst: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) {
    const mask = v128.load(HALF_CONSTS), scale = v128.load(HALF_CONSTS, 16);
    const end = src + (<usize>n << 1);
    while (src < end) {
      const h = v128.load(src);
      v128.store(dst, widenLow(h, mask, scale));
      v128.store(dst, widenHigh(h, mask, scale), 16);
      src += 16;
      dst += 32;
    }
  } else {
    for (let i = 0; i < n; i++) {
      store<f32>(dst + (<usize>i << 2), halfToF32(<u32>load<u16>(src + (<usize>i << 1))));
    }
  }
}

/**
 * widenLow / widenHigh's mask and scale, loaded from memory before a loop: folded in as
 * v128.const, V8 re-materialises them in every iteration.
 */
const HALF_CONSTS = memory.data<u32>([
  0x8fffe000, 0x8fffe000, 0x8fffe000, 0x8fffe000, 0x77800000, 0x77800000, 0x77800000, 0x77800000,
], 16);

// Four ops a vector, cheap enough to widen inside the micro-kernel: each half sign-extended
// to its i32 lane and shifted left by 13 has exponent and mantissa in f32 position and the
// sign in bits 28..31; the mask keeps bit 31 of those, and the
// exact multiply by 2^112 rebiases (normalising subnormals). The sign rides through the
// multiply. Exact for every finite half; the API refuses the others.
// @ts-ignore: decorator
@inline function widenLow(h: v128, mask: v128, scale: v128): v128 {
  return f32x4.mul(v128.and(i32x4.shl(i32x4.extend_low_i16x8_s(h), 13), mask), scale);
}

// @ts-ignore: decorator
@inline function widenHigh(h: v128, mask: v128, scale: v128): v128 {
  return f32x4.mul(v128.and(i32x4.shl(i32x4.extend_high_i16x8_s(h), 13), mask), scale);
}

// ---------------------------------------------------------------------------------------
// Micro-kernel

/**
 * One tile: `rows` (1..MR, a constant after inlining) rows of x at x (row stride ldx
 * bytes, k elements) times the strip panel p (k × NR), plus the biases at b, into z (row
 * stride ldz bytes), NR columns stored whole; relu applied in the store when `relu`.
 * With `half` (SIMD only) p is the layer's f16 strip itself, widened as it is read: for a
 * block of a few rows that costs less than widening into a panel first.
 */
// @ts-ignore: decorator
@inline function tile(rows: i32, half: bool, x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  const x0 = x;
  const x1 = x0 + ldx;
  const x2 = x1 + ldx;
  const x3 = x2 + ldx;
  const end = <usize>k << 2;
  if (ASC_FEATURE_SIMD && rows == 1) {
    row1(half, x, p, k, b, z, relu);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const bl = v128.load(b), bh = v128.load(b, 16);
    let c00 = bl, c01 = bh, c10 = bl, c11 = bh;
    let c20 = bl, c21 = bh, c30 = bl, c31 = bh;
    const mask = half ? v128.load(HALF_CONSTS) : bl, scale = half ? v128.load(HALF_CONSTS, 16) : bl;
    for (let off: usize = 0; off < end; off += 4) {
      let w0: v128, w1: v128;
      if (half) {
        const hw = v128.load(p);
        w0 = widenLow(hw, mask, scale);
        w1 = widenHigh(hw, mask, scale);
        p += 16;
      } else {
        w0 = v128.load(p);
        w1 = v128.load(p, 16);
        p += 32;
      }
      let v = v128.load32_splat(x0 + off);
      c00 = f32x4.add(c00, f32x4.mul(v, w0));
      c01 = f32x4.add(c01, f32x4.mul(v, w1));
      if (rows > 1) {
        v = v128.load32_splat(x1 + off);
        c10 = f32x4.add(c10, f32x4.mul(v, w0));
        c11 = f32x4.add(c11, f32x4.mul(v, w1));
      }
      if (rows > 2) {
        v = v128.load32_splat(x2 + off);
        c20 = f32x4.add(c20, f32x4.mul(v, w0));
        c21 = f32x4.add(c21, f32x4.mul(v, w1));
      }
      if (rows > 3) {
        v = v128.load32_splat(x3 + off);
        c30 = f32x4.add(c30, f32x4.mul(v, w0));
        c31 = f32x4.add(c31, f32x4.mul(v, w1));
      }
    }
    if (relu) {
      const zero = f32x4.splat(0);
      c00 = f32x4.max(c00, zero); c01 = f32x4.max(c01, zero);
      c10 = f32x4.max(c10, zero); c11 = f32x4.max(c11, zero);
      c20 = f32x4.max(c20, zero); c21 = f32x4.max(c21, zero);
      c30 = f32x4.max(c30, zero); c31 = f32x4.max(c31, zero);
    }
    v128.store(z, c00); v128.store(z, c01, 16);
    if (rows > 1) { z += ldz; v128.store(z, c10); v128.store(z, c11, 16); }
    if (rows > 2) { z += ldz; v128.store(z, c20); v128.store(z, c21, 16); }
    if (rows > 3) { z += ldz; v128.store(z, c30); v128.store(z, c31, 16); }
  } else {
    const b0 = load<f32>(b), b1 = load<f32>(b, 4), b2 = load<f32>(b, 8), b3 = load<f32>(b, 12);
    let c00 = b0, c01 = b1, c02 = b2, c03 = b3;
    let c10 = b0, c11 = b1, c12 = b2, c13 = b3;
    let c20 = b0, c21 = b1, c22 = b2, c23 = b3;
    let c30 = b0, c31 = b1, c32 = b2, c33 = b3;
    for (let off: usize = 0; off < end; off += 4) {
      const w0 = load<f32>(p), w1 = load<f32>(p, 4), w2 = load<f32>(p, 8), w3 = load<f32>(p, 12);
      p += 16;
      let v = load<f32>(x0 + off);
      c00 += v * w0; c01 += v * w1; c02 += v * w2; c03 += v * w3;
      if (rows > 1) { v = load<f32>(x1 + off); c10 += v * w0; c11 += v * w1; c12 += v * w2; c13 += v * w3; }
      if (rows > 2) { v = load<f32>(x2 + off); c20 += v * w0; c21 += v * w1; c22 += v * w2; c23 += v * w3; }
      if (rows > 3) { v = load<f32>(x3 + off); c30 += v * w0; c31 += v * w1; c32 += v * w2; c33 += v * w3; }
    }
    storeRow4(z, c00, c01, c02, c03, relu);
    if (rows > 1) { z += ldz; storeRow4(z, c10, c11, c12, c13, relu); }
    if (rows > 2) { z += ldz; storeRow4(z, c20, c21, c22, c23, relu); }
    if (rows > 3) { z += ldz; storeRow4(z, c30, c31, c32, c33, relu); }
  }
}

/**
 * tile's one-row case: with two accumulators the loop waits on the adds' latency, so k
 * runs two steps at a time into two accumulator pairs, summed at the end.
 */
// @ts-ignore: decorator
@inline function row1(half: bool, x: usize, p: usize, k: i32, b: usize, z: usize, relu: bool): void {
  let c0 = v128.load(b), c1 = v128.load(b, 16);
  let d0 = f32x4.splat(0), d1 = f32x4.splat(0);
  const mask = half ? v128.load(HALF_CONSTS) : c0, scale = half ? v128.load(HALF_CONSTS, 16) : c0;
  const step: usize = half ? 16 : 32;
  const end = x + (<usize>(k & ~1) << 2);
  let w0: v128, w1: v128, w2: v128, w3: v128;
  for (; x < end; x += 8) {
    if (half) {
      const h0 = v128.load(p), h1 = v128.load(p, 16);
      w0 = widenLow(h0, mask, scale); w1 = widenHigh(h0, mask, scale);
      w2 = widenLow(h1, mask, scale); w3 = widenHigh(h1, mask, scale);
    } else {
      w0 = v128.load(p); w1 = v128.load(p, 16);
      w2 = v128.load(p, 32); w3 = v128.load(p, 48);
    }
    p += step << 1;
    const v = v128.load32_splat(x), u = v128.load32_splat(x, 4);
    c0 = f32x4.add(c0, f32x4.mul(v, w0));
    c1 = f32x4.add(c1, f32x4.mul(v, w1));
    d0 = f32x4.add(d0, f32x4.mul(u, w2));
    d1 = f32x4.add(d1, f32x4.mul(u, w3));
  }
  if (k & 1) {
    if (half) {
      const h0 = v128.load(p);
      w0 = widenLow(h0, mask, scale); w1 = widenHigh(h0, mask, scale);
    } else {
      w0 = v128.load(p); w1 = v128.load(p, 16);
    }
    const v = v128.load32_splat(x);
    c0 = f32x4.add(c0, f32x4.mul(v, w0));
    c1 = f32x4.add(c1, f32x4.mul(v, w1));
  }
  c0 = f32x4.add(c0, d0);
  c1 = f32x4.add(c1, d1);
  if (relu) {
    const zero = f32x4.splat(0);
    c0 = f32x4.max(c0, zero);
    c1 = f32x4.max(c1, zero);
  }
  v128.store(z, c0);
  v128.store(z, c1, 16);
}

// @ts-ignore: decorator
@inline function storeRow4(z: usize, a: f32, b: f32, c: f32, d: f32, relu: bool): void {
  if (relu) {
    // !(v > 0) also maps a NaN to 0, as the reference's relu does.
    if (!(a > 0)) a = 0;
    if (!(b > 0)) b = 0;
    if (!(c > 0)) c = 0;
    if (!(d > 0)) d = 0;
  }
  store<f32>(z, a); store<f32>(z, b, 4); store<f32>(z, c, 8); store<f32>(z, d, 12);
}

// One function per tile height (and f16 strip), so each inlines its own constants.
function tile4(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(4, false, x, ldx, p, k, b, z, ldz, relu);
}
function tile3(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(3, false, x, ldx, p, k, b, z, ldz, relu);
}
function tile2(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(2, false, x, ldx, p, k, b, z, ldz, relu);
}
function tile1(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(1, false, x, ldx, p, k, b, z, ldz, relu);
}
function tile4h(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(4, true, x, ldx, p, k, b, z, ldz, relu);
}
function tile3h(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(3, true, x, ldx, p, k, b, z, ldz, relu);
}
function tile2h(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(2, true, x, ldx, p, k, b, z, ldz, relu);
}
function tile1h(x: usize, ldx: usize, p: usize, k: i32, b: usize, z: usize, ldz: usize, relu: bool): void {
  tile(1, true, x, ldx, p, k, b, z, ldz, relu);
}

// ---------------------------------------------------------------------------------------
// Activations (in place over `rows` rows of n values, row stride ldz bytes)

function activate(act: i32, z: usize, rows: i32, n: i32, ldz: usize): void {
  if (act == ACT_LINEAR || act == ACT_RELU) return; // relu ran in the tile stores
  for (let r = 0; r < rows; r++) {
    const row = z + <usize>r * ldz;
    if (act == ACT_SOFTMAX) {
      let m: f32 = -Infinity;
      for (let j = 0; j < n; j++) {
        const v = load<f32>(row + (<usize>j << 2));
        if (v > m) m = v;
      }
      let sum: f64 = 0;
      for (let j = 0; j < n; j++) {
        const at = row + (<usize>j << 2);
        const e = Mathf.exp(load<f32>(at) - m);
        store<f32>(at, e);
        sum += <f64>e;
      }
      const inv = 1.0 / sum;
      for (let j = 0; j < n; j++) {
        const at = row + (<usize>j << 2);
        store<f32>(at, <f32>(<f64>load<f32>(at) * inv));
      }
      continue;
    }
    for (let j = 0; j < n; j++) {
      const at = row + (<usize>j << 2);
      const v = load<f32>(at);
      let y: f32;
      if (act == ACT_SIGMOID) {
        y = <f32>1 / (<f32>1 + Mathf.exp(-v));
      } else if (act == ACT_TANH) {
        y = <f32>Math.tanh(<f64>v);
      } else if (act == ACT_GELU) {
        const d = <f64>v;
        y = <f32>(0.5 * d * (1 + erf(d * SQRT1_2)));
      } else if (act == ACT_GELU_TANH) {
        const d = <f64>v;
        y = <f32>(0.5 * d * (1 + Math.tanh(SQRT_2_OVER_PI * (d + 0.044715 * d * d * d))));
      } else {
        y = v;
      }
      store<f32>(at, y);
    }
  }
}

/** erf(x) to within 1.5e-7 (Abramowitz and Stegun 7.1.26). */
function erf(x: f64): f64 {
  const a = Math.abs(x);
  const t = 1 / (1 + ERF_P * a);
  const y = 1 - ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t * Math.exp(-a * a);
  return x < 0 ? -y : y;
}

// ---------------------------------------------------------------------------------------
// Exports

/**
 * A model from `nLayers` (inDim, outDim, act) i32 triples at layersPtr, the packed row-major
 * weights at weightsPtr (f32, or binary16 bits when f16 is 1) and the packed f32 biases at
 * biasesPtr, all copied into the model's own blocks (the arguments may be scratch).
 * Returns the handle, or 0 when the blocks cannot be had (nothing allocated) or a
 * dimension is not positive.
 */
export function modelNew(layersPtr: usize, nLayers: i32, weightsPtr: usize, f16: i32, biasesPtr: usize): usize {
  if (nLayers <= 0) return 0;
  const es: u64 = f16 != 0 ? 2 : 4;
  let width: i32 = 0, depth: i32 = 0;
  let wBytes: u64 = 0, bBytes: u64 = 0;
  for (let l = 0; l < nLayers; l++) {
    const inDim = load<i32>(layersPtr + <usize>l * 12);
    const outDim = load<i32>(layersPtr + <usize>l * 12, 4);
    if (inDim <= 0 || outDim <= 0 || outDim > 0x40000000 - NR) return 0;
    if (inDim > width) width = inDim;
    if (outDim > width) width = outDim;
    if (inDim > depth) depth = inDim;
    const strips = <u64>roundUp(outDim, NR);
    wBytes += ((<u64>inDim * strips * es) + 15) & ~<u64>15;
    bBytes += <u64>strips << 2;
    if (wBytes > MAX_BLOCK) return 0;
  }
  width = roundUp(width, NR);
  const bufBytes = (<u64>BM * <u64>width) << 2;
  const panelBytes = f16 != 0 ? (<u64>depth * <u64>NR) << 2 : 0;
  const headBytes = <u64>HEADER_BYTES + <u64>nLayers * <u64>LAYER_BYTES + bBytes + 2 * bufBytes + panelBytes;
  if (headBytes > MAX_BLOCK) return 0;
  const m = alloc(<usize>headBytes);
  if (m == 0) return 0;
  const w = alloc(<usize>wBytes);
  if (w == 0) {
    free(m);
    return 0;
  }
  store<i32>(m + H_LAYERS, nLayers);
  store<i32>(m + H_F16, f16 != 0 ? 1 : 0);
  store<i32>(m + H_WIDTH, width);
  store<usize>(m + H_WEIGHTS, w);
  let bias = m + HEADER_BYTES + <usize>nLayers * LAYER_BYTES;
  const bufA = bias + <usize>bBytes;
  store<usize>(m + H_BUF_A, bufA);
  store<usize>(m + H_BUF_B, bufA + <usize>bufBytes);
  store<usize>(m + H_PANEL, f16 != 0 ? bufA + 2 * <usize>bufBytes : 0);

  let wOff: usize = 0;
  let srcW = weightsPtr, srcB = biasesPtr;
  const esz = <usize>es;
  for (let l = 0; l < nLayers; l++) {
    const inDim = load<i32>(layersPtr + <usize>l * 12);
    const outDim = load<i32>(layersPtr + <usize>l * 12, 4);
    const act = load<i32>(layersPtr + <usize>l * 12, 8);
    const rec = m + HEADER_BYTES + <usize>l * LAYER_BYTES;
    store<i32>(rec + L_IN, inDim);
    store<i32>(rec + L_OUT, outDim);
    store<i32>(rec + L_ACT, act);
    store<u32>(rec + L_W, <u32>wOff);
    store<usize>(rec + L_B, bias);
    const strips = roundUp(outDim, NR);
    memory.copy(bias, srcB, <usize>outDim << 2);
    memory.fill(bias + (<usize>outDim << 2), 0, <usize>(strips - outDim) << 2);
    bias += <usize>strips << 2;
    srcB += <usize>outDim << 2;
    // Re-lay W (inDim × outDim) into strips of NR columns, zero-padded at the right edge.
    const srcRow = <usize>outDim * esz;
    const stripRow = <usize>NR * esz;
    let dst = w + wOff;
    for (let j = 0; j < outDim; j += NR) {
      const cols = <usize>min(NR, outDim - j) * esz;
      let src = srcW + <usize>j * esz;
      for (let k = 0; k < inDim; k++) {
        memory.copy(dst, src, cols);
        if (cols < stripRow) memory.fill(dst + cols, 0, stripRow - cols);
        dst += stripRow;
        src += srcRow;
      }
    }
    srcW += <usize>inDim * srcRow;
    wOff += (<usize>inDim * <usize>strips * esz + 15) & ~<usize>15;
  }
  return m;
}

/**
 * out (batch × outDim of the last layer) = the model applied to each of the batch rows
 * at inputsPtr (batch × inDim of the first layer), both f32 row-major. 0, or STATUS_OUT_OF_MEMORY for a null handle.
 */
export function modelPredict(m: usize, inputsPtr: usize, batch: i32, outPtr: usize): i32 {
  if (m == 0) return STATUS_OUT_OF_MEMORY;
  const nLayers = load<i32>(m + H_LAYERS);
  const f16 = load<i32>(m + H_F16) != 0;
  const width = load<i32>(m + H_WIDTH);
  const weights = load<usize>(m + H_WEIGHTS);
  const panel = load<usize>(m + H_PANEL);
  const ldz = <usize>width << 2;
  const rec0 = m + HEADER_BYTES;
  const inDim0 = load<i32>(rec0 + L_IN);
  const recL = rec0 + <usize>(nLayers - 1) * LAYER_BYTES;
  const outDimL = load<i32>(recL + L_OUT);
  for (let r0 = 0; r0 < batch; r0 += BM) {
    const rows = min(BM, batch - r0);
    // Layer 0 reads the input rows where they are.
    let x = inputsPtr + <usize>r0 * (<usize>inDim0 << 2);
    let ldx = <usize>inDim0 << 2;
    let z = load<usize>(m + H_BUF_A);
    let other = load<usize>(m + H_BUF_B);
    for (let l = 0; l < nLayers; l++) {
      const rec = rec0 + <usize>l * LAYER_BYTES;
      const k = load<i32>(rec + L_IN);
      const n = load<i32>(rec + L_OUT);
      const act = load<i32>(rec + L_ACT);
      const bias = load<usize>(rec + L_B);
      const relu = act == ACT_RELU;
      let strip = weights + <usize>load<u32>(rec + L_W);
      const stripStep = f16 ? (<usize>k * NR) << 1 : (<usize>k * NR) << 2;
      // A few rows: widen f16 inside the micro-kernel (SIMD); more: once per strip, into the panel.
      const inline = ASC_FEATURE_SIMD && f16 && rows <= INLINE_ROWS;
      for (let j = 0; j < n; j += NR) {
        let p = strip;
        if (f16 && !inline) {
          widen(strip, panel, k * NR);
          p = panel;
        }
        const b = bias + (<usize>j << 2);
        const zc = z + (<usize>j << 2);
        let i = 0;
        if (inline) {
          for (; i + MR <= rows; i += MR) {
            tile4h(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
          }
          const left = rows - i;
          if (left == 3) tile3h(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
          else if (left == 2) tile2h(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
          else if (left == 1) tile1h(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
        } else {
          for (; i + MR <= rows; i += MR) {
            tile4(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
          }
          const left = rows - i;
          if (left == 3) tile3(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
          else if (left == 2) tile2(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
          else if (left == 1) tile1(x + <usize>i * ldx, ldx, p, k, b, zc + <usize>i * ldz, ldz, relu);
        }
        strip += stripStep;
      }
      activate(act, z, rows, n, ldz);
      x = z;
      ldx = ldz;
      z = other;
      other = x;
    }
    // x holds the last layer's rows (stride ldz): copy them out compactly.
    const rowOut = <usize>outDimL << 2;
    let dst = outPtr + <usize>r0 * rowOut;
    for (let i = 0; i < rows; i++) {
      memory.copy(dst, x + <usize>i * ldx, rowOut);
      dst += rowOut;
    }
  }
  return OK;
}

/** Frees a model from modelNew. `modelFree(0)` is a no-op. */
export function modelFree(m: usize): void {
  if (m == 0) return;
  free(load<usize>(m + H_WEIGHTS));
  free(m);
}
