// Native and wasm structures own memory outside the JS heap; this frees it
// when the JS object that owns it is collected without dispose().

/** Anything holding tier memory. */
export interface Disposable {
  dispose(): void;
}

/**
 * Frees a registered core after its owner is garbage-collected. Owners call
 * `register(owner, core, owner)` and `unregister(owner)` in `dispose()`.
 * @internal
 */
export const coreRegistry = new FinalizationRegistry<Disposable>((core) => {
  try {
    core.dispose();
  } catch {
    // already disposed
  }
});

/**
 * A typed array of the same kind with capacity `cap`, holding `a`'s contents;
 * new elements are 0, or `fill` where given.
 * @internal
 */
export function grown<T extends Float64Array | Int32Array | Uint32Array>(a: T, cap: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}
