// Views over wasm linear memory plus one reusable scratch block. Every call
// copies its inputs into the scratch block, so memory grows to the largest
// call's working set and no further. Growth detaches old views, so views are
// re-derived whenever `memory.buffer` changed.
import type { Vector } from '../../contract/types.js';
import type { WasmExports } from './exports.js';

const ALIGN = 16;
const GRANULE = 64 * 1024;

/** f64 elements per streamed chunk of an elementwise kernel (256 KB, L2-sized). */
export const STREAM_F64 = 32 * 1024;

/** `x[from, to)` without copying a typed array. */
export function window(x: Vector, from: number, to: number): ArrayLike<number> {
  return Array.isArray(x) ? x.slice(from, to) : (x as Float64Array | Float32Array).subarray(from, to);
}

/** Rounds a byte count up to the scratch alignment. */
export function align(bytes: number): number {
  return (bytes + ALIGN - 1) & ~(ALIGN - 1);
}

/** Linear-memory views and the scratch block of one wasm instance. */
export class WasmHeap {
  f32!: Float32Array;
  f64!: Float64Array;
  u32!: Uint32Array;
  i32!: Int32Array;
  u8!: Uint8Array;
  private buffer: ArrayBuffer | null = null;
  private ptr = 0;
  private cap = 0;

  constructor(readonly ex: WasmExports) {
    this.refresh();
  }

  /** Re-derives the views if memory grew since the last call. */
  refresh(): void {
    const buf = this.ex.memory.buffer as ArrayBuffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    this.f32 = new Float32Array(buf);
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u8 = new Uint8Array(buf);
  }

  /** Carves consecutive aligned regions of the given byte sizes out of one scratch block. */
  regions(...bytes: number[]): number[] {
    let total = 0;
    for (const b of bytes) total += align(b);
    let p = this.scratch(total);
    return bytes.map((b) => {
      const at = p;
      p += align(b);
      return at;
    });
  }

  /** A scratch block of at least `bytes` bytes (16-byte aligned); views are fresh on return. */
  scratch(bytes: number): number {
    if (bytes > this.cap) {
      if (this.ptr !== 0) this.ex.free(this.ptr);
      this.ptr = 0;
      this.cap = 0;
      const cap = Math.ceil(bytes / GRANULE) * GRANULE;
      const p = this.ex.alloc(cap);
      if (p === 0) throw new RangeError(`hotpath: wasm memory exhausted (requested ${cap} bytes)`);
      this.ptr = p;
      this.cap = cap;
    }
    this.refresh();
    return this.ptr;
  }

  /** Copies a sample into fresh scratch regions: [x, ...extra]; returns their pointers. */
  sample(x: Vector, ...extra: number[]): number[] {
    const ptrs = this.regions(x.length * 8, ...extra);
    this.f64.set(x, ptrs[0] >>> 3);
    return ptrs;
  }

  /** A copy of `count` u32 values at byte offset `p`. */
  readU32(p: number, count: number): Uint32Array {
    return this.u32.slice(p >>> 2, (p >>> 2) + count);
  }
}
