// One-to-many similarity over a row-major f32 matrix chunk.
//
// out[q * nrows + r] = f32(metric(query q, row r)). Rows are the outer loop so each row
// stays in L1 while every query visits it. Query norms are computed once per call (per
// group of QGROUP queries, kept in a static scratch area, so no allocation happens here).

import { dotF32K, dotNormF32K, sqDistF32K, outNormB, cosineFrom, safeSq, cosineF32X, sqDistF32X } from "./reductions";

// @ts-ignore: decorator
@inline const QGROUP: i32 = 64;

const qNorms = memory.data(QGROUP * 8, 16);

export function cosineBatchF32(
  queries: usize, nq: i32, matrix: usize, nrows: i32, dim: i32, out: usize,
): void {
  if (nq <= 0 || nrows <= 0) return;
  if (dim < 0) dim = 0;
  const rowBytes = <usize>dim << 2;
  const outStride = <usize>nrows << 2;
  for (let q0 = 0; q0 < nq; q0 += QGROUP) {
    const qn = min(QGROUP, nq - q0);
    const qBase = queries + <usize>q0 * rowBytes;
    const outBase = out + <usize>q0 * outStride;
    for (let j = 0; j < qn; j++) {
      const qp = qBase + <usize>j * rowBytes;
      store<f64>(qNorms + (<usize>j << 3), dotF32K(qp, qp, dim));
    }
    let row = matrix;
    let o = outBase;
    for (let r = 0; r < nrows; r++) {
      // First query: dot and row norm in one pass.
      const d0 = dotNormF32K(qBase, row, dim);
      const rn = outNormB;
      const rowSafe = safeSq(rn);
      const qn0 = load<f64>(qNorms);
      store<f32>(o, <f32>(rowSafe && safeSq(qn0) ? cosineFrom(d0, qn0, rn) : cosineF32X(qBase, row, dim)));
      let qp = qBase + rowBytes;
      let oq = o + outStride;
      for (let j = 1; j < qn; j++) {
        const qn = load<f64>(qNorms + (<usize>j << 3));
        const c = rowSafe && safeSq(qn) ? cosineFrom(dotF32K(qp, row, dim), qn, rn) : cosineF32X(qp, row, dim);
        store<f32>(oq, <f32>c);
        qp += rowBytes;
        oq += outStride;
      }
      row += rowBytes;
      o += 4;
    }
  }
}

export function euclideanBatchF32(
  queries: usize, nq: i32, matrix: usize, nrows: i32, dim: i32, out: usize,
): void {
  if (nq <= 0 || nrows <= 0) return;
  if (dim < 0) dim = 0;
  const rowBytes = <usize>dim << 2;
  const outStride = <usize>nrows << 2;
  let row = matrix;
  let o = out;
  for (let r = 0; r < nrows; r++) {
    let qp = queries;
    let oq = o;
    for (let j = 0; j < nq; j++) {
      const s = sqDistF32K(qp, row, dim);
      store<f32>(oq, <f32>Math.sqrt(safeSq(s) ? s : sqDistF32X(qp, row, dim)));
      qp += rowBytes;
      oq += outStride;
    }
    row += rowBytes;
    o += 4;
  }
}
