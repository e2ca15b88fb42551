// Dense row-major GEMM: C(m×n) = A(m×k) · B(k×n), C overwritten.
//
// Blocking: columns in blocks of NC and the shared dimension in blocks of KC. Each
// KC × NC block of B is packed into panels NR columns wide (contiguous, zero-padded at the
// right edge) in a static buffer that stays in L2; a panel (KC × NR) stays in L1 while the
// micro-kernel runs down MR rows of A. The micro-kernel keeps an MR × NR tile of C in
// registers: per step of the shared dimension it loads one panel row and broadcasts one A
// element per row. The first k-block stores the tile, later ones add to C.
//
// SIMD: f32 MR×NR = 4×8 (8 f32x4 accumulators), f64 4×4 (8 f64x2 accumulators).
// Scalar build: 4×4 (f32) and 4×2 (f64) scalar tiles over the same packed layout.
// f32 products and sums stay in f32.

// @ts-ignore: decorator
@inline const KC: i32 = 256;
// @ts-ignore: decorator
@inline const NC_F32: i32 = 256;
// @ts-ignore: decorator
@inline const NC_F64: i32 = 128;
// @ts-ignore: decorator
@inline const MR: i32 = 4;

/** Packed B block: KC × NC_F32 f32 = KC × NC_F64 f64 = 256 KiB. */
const packBuf = memory.data(KC * NC_F32 * 4, 16);
/** Edge tile spill (at most MR × 8 values). */
const edgeBuf = memory.data(MR * 8 * 8, 16);

// ---------------------------------------------------------------------------------------
// Packing

/** Packs B[k0 .. k0+kc, j0 .. j0+nc] (row stride ldb bytes, element size es) into panels of nr. */
function pack(b: usize, ldb: usize, kc: i32, nc: i32, nr: i32, es: i32): void {
  let dst = packBuf;
  const panelRow = <usize>(nr * es);
  for (let j = 0; j < nc; j += nr) {
    const w = min(nr, nc - j);
    const wb = <usize>(w * es);
    let src = b + <usize>(j * es);
    for (let p = 0; p < kc; p++) {
      if (w == nr) {
        memory.copy(dst, src, panelRow);
      } else {
        memory.copy(dst, src, wb);
        memory.fill(dst + wb, 0, panelRow - wb);
      }
      dst += panelRow;
      src += ldb;
    }
  }
}

/** C tile rows × cols at c (row stride ldc bytes) from edgeBuf rows of nr elements (es bytes each). */
function storeEdge(c: usize, ldc: usize, rows: i32, cols: i32, nr: i32, es: i32, first: bool): void {
  for (let i = 0; i < rows; i++) {
    const src = edgeBuf + <usize>(i * nr * es);
    const dst = c + <usize>i * ldc;
    if (es == 4) {
      for (let j = 0; j < cols; j++) {
        const v = load<f32>(src + (<usize>j << 2));
        const d = dst + (<usize>j << 2);
        store<f32>(d, first ? v : load<f32>(d) + v);
      }
    } else {
      for (let j = 0; j < cols; j++) {
        const v = load<f64>(src + (<usize>j << 3));
        const d = dst + (<usize>j << 3);
        store<f64>(d, first ? v : load<f64>(d) + v);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// f32 micro-kernels

/**
 * rows (<= MR) × NR tile: A rows at a (stride lda bytes, kc elements), packed panel bp,
 * C at c (stride ldc). Full tiles (rows == MR, cols == NR) store straight into C.
 */
function microKernelF32(a: usize, lda: usize, bp: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32, first: bool): void {
  // Rows past the edge reuse the last row (computed, not stored).
  const a0 = a;
  const a1 = rows > 1 ? a0 + lda : a0;
  const a2 = rows > 2 ? a1 + lda : a1;
  const a3 = rows > 3 ? a2 + lda : a2;
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let off: usize = 0;
    const end = <usize>kc << 2;
    for (; off < end; off += 4) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      bp += 32;
      let x = v128.load32_splat(a0 + off);
      c00 = f32x4.add(c00, f32x4.mul(x, b0));
      c01 = f32x4.add(c01, f32x4.mul(x, b1));
      x = v128.load32_splat(a1 + off);
      c10 = f32x4.add(c10, f32x4.mul(x, b0));
      c11 = f32x4.add(c11, f32x4.mul(x, b1));
      x = v128.load32_splat(a2 + off);
      c20 = f32x4.add(c20, f32x4.mul(x, b0));
      c21 = f32x4.add(c21, f32x4.mul(x, b1));
      x = v128.load32_splat(a3 + off);
      c30 = f32x4.add(c30, f32x4.mul(x, b0));
      c31 = f32x4.add(c31, f32x4.mul(x, b1));
    }
    if (rows == MR && cols == 8) {
      if (first) {
        v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
        v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
        v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
        v128.store(c, c30); v128.store(c, c31, 16);
      } else {
        v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16); c += ldc;
        v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16); c += ldc;
        v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16); c += ldc;
        v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
      }
      return;
    }
    const e = edgeBuf;
    v128.store(e, c00, 0); v128.store(e, c01, 16);
    v128.store(e, c10, 32); v128.store(e, c11, 48);
    v128.store(e, c20, 64); v128.store(e, c21, 80);
    v128.store(e, c30, 96); v128.store(e, c31, 112);
    storeEdge(c, ldc, rows, cols, 8, 4, first);
  } else {
    let c00: f32 = 0, c01: f32 = 0, c02: f32 = 0, c03: f32 = 0;
    let c10: f32 = 0, c11: f32 = 0, c12: f32 = 0, c13: f32 = 0;
    let c20: f32 = 0, c21: f32 = 0, c22: f32 = 0, c23: f32 = 0;
    let c30: f32 = 0, c31: f32 = 0, c32: f32 = 0, c33: f32 = 0;
    let off: usize = 0;
    const end = <usize>kc << 2;
    for (; off < end; off += 4) {
      const b0 = load<f32>(bp), b1 = load<f32>(bp, 4), b2 = load<f32>(bp, 8), b3 = load<f32>(bp, 12);
      bp += 16;
      let x = load<f32>(a0 + off);
      c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
      x = load<f32>(a1 + off);
      c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
      x = load<f32>(a2 + off);
      c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
      x = load<f32>(a3 + off);
      c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
    }
    const e = edgeBuf;
    store<f32>(e, c00, 0); store<f32>(e, c01, 4); store<f32>(e, c02, 8); store<f32>(e, c03, 12);
    store<f32>(e, c10, 16); store<f32>(e, c11, 20); store<f32>(e, c12, 24); store<f32>(e, c13, 28);
    store<f32>(e, c20, 32); store<f32>(e, c21, 36); store<f32>(e, c22, 40); store<f32>(e, c23, 44);
    store<f32>(e, c30, 48); store<f32>(e, c31, 52); store<f32>(e, c32, 56); store<f32>(e, c33, 60);
    storeEdge(c, ldc, rows, cols, 4, 4, first);
  }
}

// ---------------------------------------------------------------------------------------
// f64 micro-kernels

function microKernelF64(a: usize, lda: usize, bp: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32, first: bool): void {
  const a0 = a;
  const a1 = rows > 1 ? a0 + lda : a0;
  const a2 = rows > 2 ? a1 + lda : a1;
  const a3 = rows > 3 ? a2 + lda : a2;
  if (ASC_FEATURE_SIMD) {
    let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
    let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
    let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
    let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
    let off: usize = 0;
    const end = <usize>kc << 3;
    for (; off < end; off += 8) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      bp += 32;
      let x = v128.load64_splat(a0 + off);
      c00 = f64x2.add(c00, f64x2.mul(x, b0));
      c01 = f64x2.add(c01, f64x2.mul(x, b1));
      x = v128.load64_splat(a1 + off);
      c10 = f64x2.add(c10, f64x2.mul(x, b0));
      c11 = f64x2.add(c11, f64x2.mul(x, b1));
      x = v128.load64_splat(a2 + off);
      c20 = f64x2.add(c20, f64x2.mul(x, b0));
      c21 = f64x2.add(c21, f64x2.mul(x, b1));
      x = v128.load64_splat(a3 + off);
      c30 = f64x2.add(c30, f64x2.mul(x, b0));
      c31 = f64x2.add(c31, f64x2.mul(x, b1));
    }
    if (rows == MR && cols == 4) {
      if (first) {
        v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
        v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
        v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
        v128.store(c, c30); v128.store(c, c31, 16);
      } else {
        v128.store(c, f64x2.add(v128.load(c), c00)); v128.store(c, f64x2.add(v128.load(c, 16), c01), 16); c += ldc;
        v128.store(c, f64x2.add(v128.load(c), c10)); v128.store(c, f64x2.add(v128.load(c, 16), c11), 16); c += ldc;
        v128.store(c, f64x2.add(v128.load(c), c20)); v128.store(c, f64x2.add(v128.load(c, 16), c21), 16); c += ldc;
        v128.store(c, f64x2.add(v128.load(c), c30)); v128.store(c, f64x2.add(v128.load(c, 16), c31), 16);
      }
      return;
    }
    const e = edgeBuf;
    v128.store(e, c00, 0); v128.store(e, c01, 16);
    v128.store(e, c10, 32); v128.store(e, c11, 48);
    v128.store(e, c20, 64); v128.store(e, c21, 80);
    v128.store(e, c30, 96); v128.store(e, c31, 112);
    storeEdge(c, ldc, rows, cols, 4, 8, first);
  } else {
    let c00: f64 = 0, c01: f64 = 0, c10: f64 = 0, c11: f64 = 0;
    let c20: f64 = 0, c21: f64 = 0, c30: f64 = 0, c31: f64 = 0;
    let off: usize = 0;
    const end = <usize>kc << 3;
    for (; off < end; off += 8) {
      const b0 = load<f64>(bp), b1 = load<f64>(bp, 8);
      bp += 16;
      let x = load<f64>(a0 + off);
      c00 += x * b0; c01 += x * b1;
      x = load<f64>(a1 + off);
      c10 += x * b0; c11 += x * b1;
      x = load<f64>(a2 + off);
      c20 += x * b0; c21 += x * b1;
      x = load<f64>(a3 + off);
      c30 += x * b0; c31 += x * b1;
    }
    const e = edgeBuf;
    store<f64>(e, c00, 0); store<f64>(e, c01, 8);
    store<f64>(e, c10, 16); store<f64>(e, c11, 24);
    store<f64>(e, c20, 32); store<f64>(e, c21, 40);
    store<f64>(e, c30, 48); store<f64>(e, c31, 56);
    storeEdge(c, ldc, rows, cols, 2, 8, first);
  }
}

// ---------------------------------------------------------------------------------------
// Drivers

// @ts-ignore: decorator
@inline function gemm(a: usize, b: usize, m: i32, k: i32, n: i32, out: usize, es: i32, nr: i32, ncMax: i32): void {
  if (m <= 0 || n <= 0) return;
  // Extents in u64: an m·n or k·n past 4 GiB would wrap a usize and write over other blocks.
  const mem = <u64>memory.size() << 16;
  const kk = k > 0 ? <u64>k : 0;
  if (<u64>out + <u64>m * <u64>n * <u64>es > mem) return;
  if (<u64>a + <u64>m * kk * <u64>es > mem || <u64>b + kk * <u64>n * <u64>es > mem) return;
  const ldc = <usize>n * es;
  if (k <= 0) {
    memory.fill(out, 0, <usize>m * ldc);
    return;
  }
  const lda = <usize>k * es;
  for (let j0 = 0; j0 < n; j0 += ncMax) {
    const nc = min(ncMax, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      const first = p0 == 0;
      pack(b + <usize>p0 * ldc + <usize>(j0 * es), ldc, kc, nc, nr, es);
      const panelBytes = <usize>(kc * nr * es);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const rows = min(MR, m - i0);
        const aRow = a + <usize>i0 * lda + <usize>(p0 * es);
        const cRow = out + <usize>i0 * ldc + <usize>(j0 * es);
        let bp = packBuf;
        for (let jr = 0; jr < nc; jr += nr) {
          const cols = min(nr, nc - jr);
          if (es == 4) microKernelF32(aRow, lda, bp, kc, cRow + <usize>(jr * es), ldc, rows, cols, first);
          else microKernelF64(aRow, lda, bp, kc, cRow + <usize>(jr * es), ldc, rows, cols, first);
          bp += panelBytes;
        }
      }
    }
  }
}

export function matmulF32(a: usize, b: usize, m: i32, k: i32, n: i32, out: usize): void {
  gemm(a, b, m, k, n, out, 4, ASC_FEATURE_SIMD ? 8 : 4, NC_F32);
}

export function matmulF64(a: usize, b: usize, m: i32, k: i32, n: i32, out: usize): void {
  gemm(a, b, m, k, n, out, 8, ASC_FEATURE_SIMD ? 4 : 2, NC_F64);
}
