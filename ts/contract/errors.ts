// Argument checks shared by every public entry point. Messages always start
// with the function and argument name so a caller can tell what was wrong
// without reading the stack.

const TypedArray = Object.getPrototypeOf(Int8Array) as abstract new () => ArrayBufferView;

/**
 * Short description of a value for error messages. Never throws: it is
 * called on hostile values (Proxies, throwing getters, BigInts, cycles).
 */
export function describe(x: unknown): string {
  try {
    if (x === null || x === undefined) return String(x);
    if (Array.isArray(x)) return `Array(${x.length})`;
    if (ArrayBuffer.isView(x)) return `${x.constructor.name}(${(x as unknown as ArrayLike<unknown>).length ?? x.byteLength})`;
    if (typeof x === 'object') return x instanceof TypedArray ? `Proxy of a ${Object.getPrototypeOf(x).constructor.name}` : ((x as object).constructor?.name ?? 'object');
    if (typeof x === 'string') return `string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)}`;
    return `${typeof x} ${String(x)}`;
  } catch {
    return typeof x;
  }
}

/** Throws a TypeError prefixed with `fn: arg`. */
export function typeError(fn: string, arg: string, what: string): never {
  throw new TypeError(`hotpath.${fn}: ${arg} ${what}`);
}

/** Throws a RangeError prefixed with `fn: arg`. */
export function rangeError(fn: string, arg: string, what: string): never {
  throw new RangeError(`hotpath.${fn}: ${arg} ${what}`);
}

/** A non-negative integer below 2^32 (sizes, counts, k). */
export function checkCount(fn: string, arg: string, x: unknown, min = 0): number {
  if (typeof x !== 'number') typeError(fn, arg, `must be a number; got ${describe(x)}`);
  if (!Number.isInteger(x)) rangeError(fn, arg, `must be an integer; got ${x}`);
  if (x < min) rangeError(fn, arg, `must be >= ${min}; got ${x}`);
  if (x > 0xffff_ffff) rangeError(fn, arg, `must be < 2^32; got ${x}`);
  return x;
}

/** Options bag: undefined or a plain object. */
export function checkOptions<T extends object>(fn: string, opts: unknown): Partial<T> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    typeError(fn, 'options', `must be an object; got ${describe(opts)}`);
  }
  return opts as Partial<T>;
}

/**
 * Fails on option names `known` lacks, naming all of them and, where a
 * user coming from another library would write it, the name meant here.
 */
export function checkKnownKeys(fn: string, arg: string, o: object, known: readonly string[], renames: Readonly<Record<string, string>>): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const hints = unknown.map((k) => (Object.hasOwn(renames, k) ? `${quoted(k)} (did you mean ${quoted(renames[k]!)}?)` : quoted(k)));
  typeError(fn, arg, `has unknown option${unknown.length > 1 ? 's' : ''} ${hints.join(', ')}; known: ${known.join(', ')}`);
}

/** A finite number, optionally bounded below (strictly with `minExclusive`). */
export function checkFinite(fn: string, arg: string, x: unknown, bounds: { min?: number; minExclusive?: number; max?: number } = {}): number {
  if (typeof x !== 'number') typeError(fn, arg, `must be a number; got ${describe(x)}`);
  if (!Number.isFinite(x)) rangeError(fn, arg, `must be finite; got ${x}`);
  if (bounds.min !== undefined && x < bounds.min) rangeError(fn, arg, `must be >= ${bounds.min}; got ${x}`);
  if (bounds.minExclusive !== undefined && !(x > bounds.minExclusive)) rangeError(fn, arg, `must be > ${bounds.minExclusive}; got ${x}`);
  if (bounds.max !== undefined && x > bounds.max) rangeError(fn, arg, `must be <= ${bounds.max}; got ${x}`);
  return x;
}

/** An optional boolean option: undefined, or a boolean. */
export function checkBoolean(fn: string, arg: string, x: unknown): boolean | undefined {
  if (x !== undefined && typeof x !== 'boolean') typeError(fn, arg, `must be a boolean; got ${describe(x)}`);
  return x;
}

/** An optional callback option: undefined, or a function. */
export function checkFunction<F extends (...args: never[]) => unknown>(fn: string, arg: string, x: unknown): F | undefined {
  if (x !== undefined && typeof x !== 'function') typeError(fn, arg, `must be a function; got ${describe(x)}`);
  return x as F | undefined;
}

/** `'auto'` or a CPU tier name (setBackend, a structure's `backend` option). */
export function checkBackendChoice(fn: string, arg: string, x: unknown): 'auto' | 'native' | 'wasm' | 'js' {
  if (x === 'auto' || x === 'native' || x === 'wasm' || x === 'js') return x;
  return rangeError(fn, arg, `must be 'auto', 'native', 'wasm' or 'js'; got ${quoted(x)}`);
}

/** A string quoted as JSON, anything else described: for "got …" in messages. */
export function quoted(x: unknown): string {
  return typeof x === 'string' ? JSON.stringify(x) : describe(x);
}

/** The most one call allocates for one array (an output, a batch's keys): 4 GiB. */
export const MAX_ARRAY_BYTES = 2 ** 32;

/** The most elements one batch operation takes (a tree's or wheel's setMany, scheduleMany, …). */
export const MAX_BATCH = 2 ** 28;

/**
 * A new typed array of `length` elements for a call's result or working
 * copy. Past {@link MAX_ARRAY_BYTES}, or when the engine refuses (its length
 * limit, out of memory), a RangeError naming the function and what the
 * array is for, before anything was changed.
 */
export function allocate<T>(fn: string, what: string, Ctor: (new (n: number) => T) & { BYTES_PER_ELEMENT: number }, length: number): T {
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  if (bytes > MAX_ARRAY_BYTES) rangeError(fn, what, `needs ${length} elements (${bytes} bytes); one call allocates at most ${MAX_ARRAY_BYTES} bytes for one array`);
  try {
    return new Ctor(length);
  } catch (e) {
    return rangeError(fn, what, `needs ${length} elements, more than this engine can allocate (${(e as Error).message})`);
  }
}

/** The length of a batch argument, at most {@link MAX_BATCH} (a Proxy can claim any length). */
export function batchLength(fn: string, arg: string, x: { length: number }): number {
  const n = x.length;
  if (!Number.isSafeInteger(n) || n < 0) typeError(fn, arg, `must have a length that is an integer >= 0; got ${describe(n)}`);
  if (n > MAX_BATCH) rangeError(fn, arg, `has ${n} elements; one batch takes at most ${MAX_BATCH}`);
  return n;
}
