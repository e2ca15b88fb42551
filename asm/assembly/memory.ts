// Allocation entry points for the JS side (backed by the runtime's TLSF allocator).
//
// Blocks returned by `heap.alloc` are 16-byte aligned (the TLSF payload alignment),
// which lets the JS side build any typed-array view over them.

/** Largest request we pass to TLSF (its block limit is 2^30 minus the 4-byte header). */
// @ts-ignore: decorator
@inline const MAX_REQUEST: usize = (1 << 30) - 256;

/** wasm32 address space limit in 64 KiB pages (4 GiB). */
// @ts-ignore: decorator
@inline const MAX_PAGES: usize = 65536;

/**
 * Allocates `bytes` bytes, 16-byte aligned. Returns 0 instead of trapping when the request
 * exceeds the allocator's 1 GiB block limit or could not fit below the 4 GiB wasm32 limit.
 */
export function alloc(bytes: usize): usize {
  if (bytes > MAX_REQUEST) return 0;
  // Upper bound of what TLSF asks `memory.grow` for if no free block fits: the request
  // rounded up to its size class (< 1/16 extra), headers and alignment slack.
  const worst = bytes + (bytes >>> 3) + 256;
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
