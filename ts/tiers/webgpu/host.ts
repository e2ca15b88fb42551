/// <reference types="@webgpu/types" />
// Host side of each GPU kernel: chunking to the device's binding limits,
// recording uploads and dispatches on one pass, and the readback layout.
// Inputs arrive validated and finite; results keep the CPU kernels' shapes.
import { grid, type GpuPass } from './pass.js';
import { TopKHeap } from '../shared/topk-heap.js';
import { METRIC_CODE } from '../../contract/abi.js';
import type { Metric, Vector } from '../../contract/types.js';

/** Device limits the host code sizes its chunks by, in f32 elements. */
export interface ChunkLimits {
  /** Most f32 elements one binding (and one buffer) may hold. */
  elems: number;
  /** Workgroups per grid dimension. */
  perDim: number;
}

/** Rows of a matrix already on the device (see GpuMatrix), or to be uploaded by the pass. */
export interface RowChunk {
  row0: number;
  rows: number;
  buffer: GPUBuffer | null;
  data: Float32Array | null;
}

const SIM_WG = 64;

/** Row chunks of an n x dim matrix that fit one binding and one dispatch grid. */
export function rowChunks(matrix: Float32Array, n: number, dim: number, lim: ChunkLimits): RowChunk[] {
  const per = Math.max(1, Math.min(Math.floor(lim.elems / dim), lim.perDim * SIM_WG));
  const out: RowChunk[] = [];
  for (let r0 = 0; r0 < n; r0 += per) {
    const rows = Math.min(per, n - r0);
    out.push({ row0: r0, rows, buffer: null, data: matrix.subarray(r0 * dim, (r0 + rows) * dim) });
  }
  return out;
}

/** Scores of every query against every row: out[q * n + r], f32. */
export async function similarity(pass: GpuPass, lim: ChunkLimits, metric: Metric, queries: Float32Array, dim: number, chunks: readonly RowChunk[], n: number): Promise<Float32Array> {
  const nq = queries.length / dim;
  const bytes = nq * n * 4;
  const pipeline = await pass.pipeline('similarity', { METRIC: METRIC_CODE[metric] });
  const maxRows = chunks.reduce((m, c) => Math.max(m, c.rows), 1);
  const qPer = Math.max(1, Math.min(nq, lim.perDim, Math.floor(lim.elems / dim), Math.floor(lim.elems / maxRows)));
  for (let q0 = 0; q0 < nq; q0 += qPer) {
    const qn = Math.min(qPer, nq - q0);
    const qbuf = pass.input(queries.subarray(q0 * dim, (q0 + qn) * dim), 'queries');
    for (const c of chunks) {
      const mbuf = c.buffer ?? pass.input(c.data!, 'matrix');
      const out = pass.output(qn * c.rows * 4, 'scores');
      pass.dispatch(pipeline, [qbuf, mbuf, out, pass.uniform([dim, c.rows, qn, 0])], Math.ceil(c.rows / SIM_WG), qn);
      for (let i = 0; i < qn; i++) pass.readback(out, i * c.rows * 4, ((q0 + i) * n + c.row0) * 4, c.rows * 4);
    }
  }
  return new Float32Array(await pass.finish(bytes));
}

/** The k best of `scores` in the CPU kernels' order (NaN scores skipped, as there). */
export function selectTopK(scores: Float32Array, k: number, metric: Metric): { indices: Uint32Array; scores: Float32Array } {
  const count = Math.min(k, scores.length);
  const heap = new TopKHeap(count, metric === 'euclidean' ? 'asc' : 'desc');
  for (let r = 0; r < scores.length; r++) {
    const s = scores[r];
    if (s === s) heap.push(s, r);
  }
  const indices = new Uint32Array(count), out = new Float32Array(count);
  heap.finish(indices, out);
  return { indices, scores: out };
}

/** Row-major f32 C = A·B, blocked over rows of A and, when B exceeds a binding, columns of B. */
export async function matmul(pass: GpuPass, lim: ChunkLimits, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<Float32Array> {
  const pipeline = await pass.pipeline('matmul');
  const nb = Math.max(1, Math.min(n, Math.floor(lim.elems / Math.max(1, k)), lim.perDim * 64));
  const mb = Math.max(1, Math.min(m, Math.floor(lim.elems / Math.max(1, k, nb)), lim.perDim * 64));
  for (let c0 = 0; c0 < n; c0 += nb) {
    const cols = Math.min(nb, n - c0);
    let bBlock = b;
    if (cols !== n) {
      // A column block of row-major B is strided: pack it for the shader.
      bBlock = new Float32Array(k * cols);
      for (let r = 0; r < k; r++) bBlock.set(b.subarray(r * n + c0, r * n + c0 + cols), r * cols);
    }
    const bbuf = pass.input(bBlock, 'b');
    for (let r0 = 0; r0 < m; r0 += mb) {
      const rows = Math.min(mb, m - r0);
      const abuf = pass.input(a.subarray(r0 * k, (r0 + rows) * k), 'a');
      const cbuf = pass.output(rows * cols * 4, 'c');
      pass.dispatch(pipeline, [abuf, bbuf, cbuf, pass.uniform([rows, k, cols, 0])], Math.ceil(cols / 64), Math.ceil(rows / 64));
      if (cols === n) pass.readback(cbuf, 0, r0 * n * 4, rows * n * 4);
      else for (let r = 0; r < rows; r++) pass.readback(cbuf, r * cols * 4, ((r0 + r) * n + c0) * 4, cols * 4);
    }
  }
  return new Float32Array(await pass.finish(m * n * 4));
}

const F32_MAX = 3.4028234663852886e38;

/**
 * x[from, to) − shift as f32. A value beyond f32's range would turn into an
 * infinity on the GPU and poison the result, so it is refused by name
 * (`arg` set); values below f32's smallest normal (1.2e-38) may become 0.
 */
function f32(x: Vector, from: number, to: number, fn = '', arg = '', shift = 0): Float32Array {
  if (x instanceof Float32Array) return x.subarray(from, to);
  const out = new Float32Array(to - from);
  for (let i = from; i < to; i++) {
    const v = x[i] - shift;
    if (arg !== '' && !(Math.abs(v) <= F32_MAX)) {
      throw new RangeError(`hotpath.${fn}: ${arg}[${i}] is ${x[i]}, beyond the float32 range the GPU computes in; use the CPU ${fn.replace('gpu.', '')}`);
    }
    out[i - from] = v;
  }
  return out;
}

/** Noisy-OR per CSR entity, in entity chunks whose signals fit one binding. */
export async function riskScoreBatch(pass: GpuPass, lim: ChunkLimits, s: Vector, c: Vector, offsets: Uint32Array, maxSeverity: number, fn: string): Promise<Float64Array> {
  const pipeline = await pass.pipeline('risk');
  const entities = offsets.length - 1;
  let e0 = 0;
  while (e0 < entities) {
    // The longest run of entities whose signals and offsets fit one binding.
    let lo = e0 + 1, hi = Math.min(entities, e0 + lim.elems - 1);
    if (offsets[lo] - offsets[e0] > lim.elems) {
      throw new RangeError(`hotpath.${fn}: entity ${e0} has ${offsets[lo] - offsets[e0]} signals, more than one GPU binding holds (${lim.elems}); use the CPU riskScoreBatch`);
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (offsets[mid] - offsets[e0] <= lim.elems) lo = mid;
      else hi = mid - 1;
    }
    const e1 = lo, base = offsets[e0];
    const off = new Uint32Array(e1 - e0 + 1);
    for (let i = 0; i < off.length; i++) off[i] = offsets[e0 + i] - base;
    const out = pass.output((e1 - e0) * 4, 'risk');
    const [x, y] = grid(Math.ceil((e1 - e0) / 64), lim.perDim);
    pass.dispatch(pipeline, [pass.input(f32(s, base, offsets[e1]), 'severities'), pass.input(f32(c, base, offsets[e1]), 'confidences'), pass.input(off, 'offsets'), out, pass.uniform([e1 - e0, maxSeverity, 0, 0], [false, true])], x, y);
    pass.readback(out, 0, e0 * 4, (e1 - e0) * 4);
    e0 = e1;
  }
  return Float64Array.from(new Float32Array(await pass.finish(entities * 4)));
}

/** score · 2^(−age / halfLife), elementwise in chunks. */
export async function temporalDecay(pass: GpuPass, lim: ChunkLimits, s: Vector, a: Vector, halfLife: number, fn: string): Promise<Float64Array> {
  const pipeline = await pass.pipeline('decay');
  const n = s.length;
  for (let i0 = 0; i0 < n; i0 += lim.elems) {
    const len = Math.min(lim.elems, n - i0);
    const out = pass.output(len * 4, 'decay');
    const [x, y] = grid(Math.ceil(len / 256), lim.perDim);
    pass.dispatch(pipeline, [pass.input(f32(s, i0, i0 + len, fn, 'scores'), 'scores'), pass.input(f32(a, i0, i0 + len), 'ages'), out, pass.uniform([len, halfLife, 0, 0], [false, true])], x, y);
    pass.readback(out, 0, i0 * 4, len * 4);
  }
  return Float64Array.from(new Float32Array(await pass.finish(n * 4)));
}

/** Count, mean, M2, min and max of x, merged in f64 from per-workgroup partials. */
export interface Moments { count: number; mean: number; m2: number; min: number; max: number }

const PER_GROUP = 4096; // elements per workgroup: counts stay exact in f32
const PARTIAL_FLOATS = 8;

/**
 * Moments by a parallel reduction. Float64 input is shifted by its first
 * element before rounding to f32, so a large common offset does not eat the
 * spread the variance is made of.
 */
export async function moments(pass: GpuPass, lim: ChunkLimits, x: Vector, fn: string): Promise<Moments> {
  const pipeline = await pass.pipeline('moments');
  const n = x.length;
  const shift = x instanceof Float32Array ? 0 : x[0];
  const chunk = Math.floor(lim.elems / PER_GROUP) * PER_GROUP || PER_GROUP;
  let groups = 0;
  for (let i0 = 0; i0 < n; i0 += chunk) {
    const len = Math.min(chunk, n - i0);
    const data = f32(x, i0, i0 + len, fn, 'x', shift);
    const g = Math.ceil(len / PER_GROUP);
    const out = pass.output(g * PARTIAL_FLOATS * 4, 'partials');
    const [gx, gy] = grid(g, lim.perDim);
    pass.dispatch(pipeline, [pass.input(data, 'x'), out, pass.uniform([len, PER_GROUP, 0, 0])], gx, gy);
    pass.readback(out, 0, groups * PARTIAL_FLOATS * 4, g * PARTIAL_FLOATS * 4);
    groups += g;
  }
  const p = new Float32Array(await pass.finish(groups * PARTIAL_FLOATS * 4));
  // Chan's merge in f64, the same as the shader's within a workgroup.
  let count = 0, mean = 0, m2 = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < groups; i++) {
    const o = i * PARTIAL_FLOATS, cb = p[o];
    if (cb === 0) continue;
    const cn = count + cb, d = p[o + 1] - mean;
    mean += (d * cb) / cn;
    m2 += p[o + 2] + (d * d * count * cb) / cn;
    count = cn;
    if (p[o + 3] < min) min = p[o + 3];
    if (p[o + 4] > max) max = p[o + 4];
  }
  return { count, mean: mean + shift, m2, min: min + shift, max: max + shift };
}
