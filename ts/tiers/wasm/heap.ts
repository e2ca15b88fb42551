// Views over wasm linear memory plus one reusable scratch block. Every call
// copies its inputs into the scratch block, so memory grows to the largest
// call's working set and no further. Growth detaches old views, so views are
// re-derived whenever `memory.buffer` changed.
import type { Vector } from '../../contract/types.js';
import type { WasmExports } from './exports.js';

const ALIGN = 16;
const GRANULE = 64 * 1024;

/**
 * Largest scratch block: the allocator's single-block limit (asm/assembly/memory.ts refuses
 * requests over 2^30 - 256 bytes) rounded down to the granule. Requests above it are refused
 * here, by name, before anything is freed or allocated.
 */
export const MAX_SCRATCH = 2 ** 30 - GRANULE;

/**
 * Working set a streaming kernel aims for per chunk: big enough that the copies and calls
 * amortise, small enough that a huge call does not leave wasm memory grown by gigabytes.
 */
export const STREAM_BUDGET = 64 * 1024 * 1024;

/** f64 elements per streamed chunk of an elementwise kernel (256 KB, L2-sized). */
export const STREAM_F64 = 32 * 1024;

/** `x[from, to)` without copying a typed array. */
export function window(x: Vector, from: number, to: number): ArrayLike<number> {
  return Array.isArray(x) ? x.slice(from, to) : (x as Float64Array | Float32Array).subarray(from, to);
}

/** Rounds a byte count up to the scratch alignment (plain arithmetic: exact up to 2^53, where `|`/`&` wrap at 2^31). */
export function align(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** The RangeError for a wasm working set that cannot be had. */
export function exhausted(fn: string, bytes: number, what = 'the working set'): RangeError {
  return new RangeError(`hotpath.${fn}: no room in wasm memory for ${what}; wasm memory exhausted (needs ${bytes} bytes)`);
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

  /** Carves consecutive aligned regions of the given byte sizes out of one scratch block; `fn` names the caller in errors. */
  regions(fn: string, ...bytes: number[]): number[] {
    return this.carve(fn, undefined, bytes);
  }

  /** As {@link regions}, with `what` (the argument the regions hold) in the error. */
  regionsFor(fn: string, what: string, ...bytes: number[]): number[] {
    return this.carve(fn, what, bytes);
  }

  private carve(fn: string, what: string | undefined, bytes: number[]): number[] {
    let total = 0;
    for (const b of bytes) total += align(b);
    let p = this.scratch(total, fn, what);
    return bytes.map((b) => {
      const at = p;
      p += align(b);
      return at;
    });
  }

  /**
   * A scratch block of at least `bytes` bytes (16-byte aligned); views are fresh on return.
   * Throws a RangeError naming `fn` (and `what`) when it cannot be had; the structures in
   * wasm memory are untouched either way.
   */
  scratch(bytes: number, fn: string, what?: string): number {
    if (bytes <= this.cap) {
      this.refresh();
      return this.ptr;
    }
    // Also catches NaN and sizes past 2^32, which the i32 ABI would wrap to small requests.
    if (!(bytes <= MAX_SCRATCH)) throw exhausted(fn, bytes, what);
    if (this.ptr !== 0) this.ex.free(this.ptr);
    this.ptr = 0;
    this.cap = 0;
    const cap = Math.min(MAX_SCRATCH, Math.ceil(bytes / GRANULE) * GRANULE);
    // Pointers come back as i32: above 2 GiB they read negative until made unsigned.
    const p = this.ex.alloc(cap) >>> 0;
    if (p === 0) throw exhausted(fn, cap, what);
    this.ptr = p;
    this.cap = cap;
    this.refresh();
    return p;
  }

  /** Copies a sample into fresh scratch regions: [x, ...extra]; returns their pointers. */
  sample(fn: string, x: Vector, ...extra: number[]): number[] {
    const ptrs = this.carve(fn, 'x (the sample and its work space)', [x.length * 8, ...extra]);
    this.f64.set(x, ptrs[0] >>> 3);
    return ptrs;
  }

  /** A copy of `count` u32 values at byte offset `p`. */
  readU32(p: number, count: number): Uint32Array {
    return this.u32.slice(p >>> 2, (p >>> 2) + count);
  }
}
