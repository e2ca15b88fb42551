// Allocation entry points for the JS side (backed by the runtime's TLSF allocator).
//
// Blocks returned by `heap.alloc` are 16-byte aligned (the TLSF payload alignment),
// which lets the JS side build any typed-array view over them.

/** Largest request we pass to TLSF (its block limit is 2^30 minus the 4-byte header). */
// @ts-ignore: decorator
@inline const MAX_REQUEST: usize = (1 << 30) - 256;

/** wasm32 address space limit in 64 KiB pages (4 GiB). */
// @ts-ignore: decorator
@inline export const MAX_PAGES: usize = 65536;

/**
 * Allocates `bytes` bytes, 16-byte aligned. Returns 0 instead of trapping when the request
 * exceeds the allocator's 1 GiB block limit or could not fit below the 4 GiB wasm32 limit.
 * If the host refuses to grow memory below that limit (out of memory, or an engine cap
 * under 4 GiB) the allocator traps with `unreachable`; its state is untouched at that
 * point, so the JS side can catch the RuntimeError and keep using the instance.
 */
export function alloc(bytes: usize): usize {
  if (bytes > MAX_REQUEST) return 0;
  // TLSF traps (`unreachable`) when it has to grow memory and cannot. Refuse up front any
  // request whose worst-case growth would cross the 4 GiB limit: the payload rounded to
  // 16 bytes, then up to its size class (at most 1/16 extra), plus two 4-byte headers.
  // This can refuse a request that a free block would have served, but only when memory
  // is already within about `bytes` of 4 GiB.
  const worst = bytes + (bytes >>> 4) + 64;
  const pages = (worst + 0xffff) >>> 16;
  if (<usize>memory.size() + pages > MAX_PAGES) return 0;
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
