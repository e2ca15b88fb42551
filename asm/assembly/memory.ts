// Allocation entry points for the JS side (backed by the runtime's TLSF allocator).
//
// Blocks returned by `heap.alloc` are 16-byte aligned (the TLSF payload alignment),
// which lets the JS side build any typed-array view over them.

import { ROOT } from "~lib/rt/tlsf";

/** Largest request we pass to TLSF (its block limit is 2^30 minus the 4-byte header). */
// @ts-ignore: decorator
@inline const MAX_REQUEST: usize = (1 << 30) - 256;

/** wasm32 address space limit in 64 KiB pages (4 GiB). */
// @ts-ignore: decorator
@inline export const MAX_PAGES: usize = 65536;

// TLSF's size classes, as in ~lib/rt/tlsf.ts (AssemblyScript 0.28, wasm32): 16-byte
// alignment (AL_BITS), 16 second-level classes (SL_BITS), small blocks below 256 bytes,
// a 4-byte block header, second-level maps from byte 4 of the root.
// @ts-ignore: decorator
@inline const SL_BITS: u32 = 4;
// @ts-ignore: decorator
@inline const SB_BITS: u32 = 8;
// @ts-ignore: decorator
@inline const BLOCK_OVERHEAD: usize = 4;
// @ts-ignore: decorator
@inline const BLOCK_MINSIZE: usize = 28;
// @ts-ignore: decorator
@inline const SL_START: usize = 4;

/**
 * Whether TLSF holds a free block that serves `bytes` without growing memory: its own
 * search (size rounded to the class, then that class's list or any larger first level)
 * run on its bitmaps, without taking the block.
 */
function hasFreeBlock(bytes: usize): bool {
  const root = changetype<usize>(ROOT);
  if (!root) return false; // not initialized yet: the first alloc sets it up (and grows)
  const size = bytes <= BLOCK_MINSIZE ? BLOCK_MINSIZE : ((bytes + BLOCK_OVERHEAD + 15) & ~15) - BLOCK_OVERHEAD;
  let fl: usize;
  let sl: u32;
  if (size < (1 << SB_BITS)) {
    fl = 0;
    sl = <u32>(size >> 4);
  } else {
    const req = size < (1 << 29) ? size + ((<usize>1) << (31 - SL_BITS - clz<usize>(size))) - 1 : size;
    fl = 31 - clz<usize>(req);
    sl = <u32>((req >> (fl - SL_BITS)) ^ (1 << SL_BITS));
    fl -= SB_BITS - 1;
  }
  if ((load<u32>(root + (fl << 2), SL_START) & (~(<u32>0) << sl)) != 0) return true;
  return (load<u32>(root) & (~(<u32>0) << <u32>(fl + 1))) != 0;
}

/**
 * Allocates `bytes` bytes, 16-byte aligned. Returns 0 instead of trapping when the request
 * exceeds the allocator's 1 GiB block limit or could not fit below the 4 GiB wasm32 limit.
 * If the host refuses to grow memory below that limit (out of memory, or an engine cap
 * under 4 GiB) the allocator traps with `unreachable`; its state is untouched at that
 * point, so the JS side can catch the RuntimeError and keep using the instance.
 */
export function alloc(bytes: usize): usize {
  if (bytes > MAX_REQUEST) return 0;
  // TLSF traps (`unreachable`) when it has to grow memory and cannot. A free block that
  // fits needs no growth: always served, so memory that reached 4 GiB (TLSF grows by
  // doubling) stays usable once blocks are freed. Otherwise refuse up front any request
  // whose worst-case growth would cross the 4 GiB limit: the payload rounded to 16 bytes,
  // then up to its size class (at most 1/16 extra), plus two 4-byte headers.
  if (!hasFreeBlock(bytes)) {
    const worst = bytes + (bytes >>> 4) + 64;
    const pages = (worst + 0xffff) >>> 16;
    if (<usize>memory.size() + pages > MAX_PAGES) return 0;
  }
  return heap.alloc(bytes);
}

/** Frees a block returned by `alloc`. `free(0)` is a no-op. */
export function free(ptr: usize): void {
  if (ptr == 0) return;
  heap.free(ptr);
}

/** 1 when this module was compiled with wasm SIMD, 0 for the scalar fallback build. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
