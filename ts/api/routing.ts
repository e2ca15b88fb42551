// Consistent hashing: jumpHash (numbered buckets), HashRing (named, weighted
// nodes by rendezvous hashing) and the string hash both use (XXH64).
//
// The definitions, which every tier computes bit for bit:
//  - string hash: XXH64 with seed 0 over the UTF-8 bytes (TextEncoder's: a lone
//    surrogate is U+FFFD).
//  - jump hash (Lamping & Veach, arXiv 1406.2294), in IEEE doubles as the paper:
//      b = -1, j = 0; while (j < buckets) { b = j; key = key·2862933555777941757 + 1 (mod 2^64);
//      j = floor((b + 1) · (2^31 / ((key >>> 33) + 1))) }; return b
//  - rendezvous: node i (seed s_i = XXH64(name_i), weight w_i) scores key hash k as
//      m = fmix64(k XOR s_i) >>> 12, u = (m + 0.5)·2^-52 ∈ (0, 1),
//      score = u when every weight on the ring is equal, else w_i / −ln(u) (fdlibm's log);
//    the highest score wins, ties going to the name first in code point order.
// With equal weights, u orders nodes as w / −ln(u) does; using u itself skips the log
// (and cannot tie where the log's rounding could).
import { allocate, batchLength, checkBackendChoice, checkCount, checkOptions, checkKnownKeys, describe, quoted, rangeError, typeError } from '../contract/errors.js';
import { realView } from '../contract/checks.js';
import { KERNELS, type KernelSet } from '../contract/kernels.js';
import type { BackendChoice } from '../contract/types.js';
import { dispatchInfo, kernelsFor, tierKernels } from '../dispatch/dispatch.js';

const MAX_BUCKETS = 2 ** 31;
const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;
/** Node weights stay in [2^-32, 2^32], so a weighted score (w / −ln u, −ln u in [1.1e-16, 36.8]) is a normal double. */
const MIN_WEIGHT = 2 ** -32;
const MAX_WEIGHT = 2 ** 32;

function checkBuckets(fn: string, buckets: unknown): number {
  if (typeof buckets !== 'number') typeError(fn, 'buckets', `must be a number; got ${describe(buckets)}`);
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) rangeError(fn, 'buckets', `must be an integer in [1, 2^31]; got ${buckets}`);
  return buckets;
}

/** An array of strings, read once into a private copy and checked. */
function checkTexts(fn: string, arg: string, x: readonly unknown[]): string[] {
  batchLength(fn, arg, x);
  const list = x.slice() as unknown[];
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') typeError(fn, `${arg}[${i}]`, `must be a string; got ${describe(list[i])}`);
  }
  return list as string[];
}

/** Integers in [0, 2^64) as 64-bit words, each element read once (a SharedArrayBuffer may change under us). */
function wordsOfF64(fn: string, arg: string, x: Float64Array): BigUint64Array {
  const n = x.length;
  const out = allocate(fn, arg, BigUint64Array, n);
  const w = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < TWO64)) rangeError(fn, `${arg}[${i}]`, `must be an integer in [0, 2^64); got ${v}`);
    const hi = Math.floor(v / TWO32);
    w[2 * i] = v - hi * TWO32;
    w[2 * i + 1] = hi;
  }
  return out;
}

function hashed(fn: string, kernels: KernelSet | null, texts: string[]): BigUint64Array {
  const out = allocate(fn, 'the key hashes', BigUint64Array, texts.length);
  if (texts.length > 0) (kernels ?? kernelsFor('hashTexts', KERNELS.hashTexts.work(texts))).hashTexts(texts, out);
  return out;
}

/** 64-bit key hashes from a BigUint64Array (used as is), a Float64Array of integers or an array of strings. */
function keyHashes(fn: string, kernels: KernelSet | null, keys: unknown): BigUint64Array {
  if (keys instanceof BigUint64Array) return realView(fn, 'keys', keys);
  if (keys instanceof Float64Array) return wordsOfF64(fn, 'keys', realView(fn, 'keys', keys));
  if (Array.isArray(keys)) return hashed(fn, kernels, checkTexts(fn, 'keys', keys));
  return typeError(fn, 'keys', `must be a BigUint64Array, a Float64Array or an array of strings; got ${describe(keys)}`);
}

/**
 * XXH64 (seed 0) of each string's UTF-8 bytes (TextEncoder's encoding: a lone
 * surrogate is U+FFFD): the key hashes {@link jumpHash} and {@link HashRing}
 * use, for storing or routing the same way elsewhere. Any XXH64
 * implementation reproduces them (`xxhash-wasm`'s `h64(text)`, Rust's
 * `xxhash_rust::xxh64::xxh64(bytes, 0)`, Python's `xxhash.xxh64_intdigest(text)`).
 * @returns BigUint64Array, one hash per key.
 * @throws TypeError for a non-array or a non-string element.
 */
export function hashKeys(keys: readonly string[]): BigUint64Array {
  const fn = 'hashKeys';
  if (!Array.isArray(keys)) typeError(fn, 'keys', `must be an array of strings; got ${describe(keys)}`);
  return hashed(fn, null, checkTexts(fn, 'keys', keys));
}

/**
 * XXH64 (seed 0) of one string's UTF-8 bytes, as {@link hashKeys}.
 * @throws TypeError for a non-string.
 */
export function xxh64(text: string): bigint {
  const fn = 'xxh64';
  if (typeof text !== 'string') typeError(fn, 'text', `must be a string; got ${describe(text)}`);
  return hashed(fn, null, [text])[0]!;
}

/**
 * Jump consistent hash (Lamping & Veach, arXiv 1406.2294): the bucket in
 * [0, buckets) of each 64-bit key, computed in IEEE doubles exactly as the
 * paper's code, so it matches other implementations (Guava's
 * `Hashing.consistentHash`, go-jump). Growing `buckets` from n to n+1 moves
 * only the keys that land in the new bucket, about 1/(n+1) of them; buckets
 * can only be added or removed at the end (for named nodes use {@link HashRing}).
 * @param keys - a BigUint64Array of key hashes (used as is), a Float64Array of
 *   integers in [0, 2^64) (converted exactly), or an array of strings (hashed
 *   with {@link hashKeys}). One string or one bigint gives one bucket as a number.
 * @param buckets - an integer in [1, 2^31]
 * @returns Uint32Array of buckets, one per key (a number for one string or bigint).
 * @throws TypeError for other key types or a non-string element; RangeError
 *   for a bad Float64Array element or bigint (naming it) or a bad bucket count.
 */
export function jumpHash(keys: string | bigint, buckets: number): number;
export function jumpHash(keys: BigUint64Array | Float64Array | readonly string[], buckets: number): Uint32Array;
export function jumpHash(keys: string | bigint | BigUint64Array | Float64Array | readonly string[], buckets: number): number | Uint32Array {
  const fn = 'jumpHash';
  const b = checkBuckets(fn, buckets);
  let hashes: BigUint64Array;
  if (typeof keys === 'string') hashes = hashed(fn, null, [keys]);
  else if (typeof keys === 'bigint') {
    if (keys < 0n || keys >= 1n << 64n) rangeError(fn, 'keys', `must be in [0, 2^64) as a bigint; got ${keys}`);
    hashes = BigUint64Array.of(keys);
  } else hashes = keyHashes(fn, null, keys);
  const out = allocate(fn, 'the output', Uint32Array, hashes.length);
  if (hashes.length > 0) kernelsFor(fn, KERNELS.jumpHash.work(hashes)).jumpHash(hashes, b, out);
  return typeof keys === 'string' || typeof keys === 'bigint' ? out[0]! : out;
}

/** A node given to {@link HashRing}: its name (weight 1) or `[name, weight]`. */
export type HashRingNode = string | readonly [name: string, weight: number];

/** Options of {@link HashRing}. */
export interface HashRingOptions {
  /** Tier the ring's kernels run on: `'auto'` (default: per call, by size) or a tier. */
  backend?: BackendChoice;
}

/** A node of a {@link HashRing} as {@link HashRing.nodes} lists it. */
export interface HashRingEntry {
  readonly name: string;
  readonly weight: number;
}

const RING_OPTIONS = ['backend'] as const;

function checkName(fn: string, arg: string, name: unknown): string {
  if (typeof name !== 'string') typeError(fn, arg, `must be a string; got ${describe(name)}`);
  if (name.length === 0) rangeError(fn, arg, 'must be a non-empty string');
  return name;
}

function checkWeight(fn: string, arg: string, weight: unknown): number {
  if (typeof weight !== 'number') typeError(fn, arg, `must be a number; got ${describe(weight)}`);
  if (!(weight >= MIN_WEIGHT && weight <= MAX_WEIGHT)) rangeError(fn, arg, `must be finite and in [2^-32, 2^32]; got ${weight}`);
  return weight;
}

/** Code point order, a lone surrogate counting as its own value (JS `<` compares UTF-16 units, which puts U+E000..U+FFFF after astral characters). */
function codePointLess(a: string, b: string): boolean {
  for (let i = 0; i < a.length && i < b.length; ) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x < y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length < b.length;
}

/**
 * Consistent hashing over named, weighted nodes by rendezvous
 * (highest-random-weight) hashing. Node i, with seed s_i = XXH64(name_i) and
 * weight w_i, scores a key hash k (XXH64 of the key string) as
 * `m = fmix64(k ^ s_i) >>> 12` (murmur3's finalizer, 64-bit), `u = (m + 0.5)·2^-52`,
 * score = u when every weight is equal, else `w_i / −ln(u)` with fdlibm's log; the
 * key goes to the highest score, a tie to the name first in code point order.
 * So the answer depends only on the set of nodes and weights, not on the order
 * they were added, and is the same on every tier, process and machine.
 *
 * Guarantees (tested over 10^5 keys): removing a node moves only the keys that
 * were on it; adding one moves ≈ 1/(n+1) of the keys, all to the new node; a
 * node's share is ∝ its weight. Routing costs O(nodes) per key (no virtual
 * nodes, no table), which for the tens to hundreds of nodes of a cache or
 * service fleet is cheaper than a ketama lookup.
 */
export class HashRing {
  /** Names in code point order; a node's index is its rank. */
  #names: string[] = [];
  #weights: number[] = [];
  #seeds: bigint[] = [];
  /** The kernels' view of the nodes, rebuilt on the first route after a change. */
  #seedArray: BigUint64Array | null = null;
  #weightArray = new Float64Array(0);
  #uniform = true;
  #forced: KernelSet | null;
  #key1 = new BigUint64Array(1);
  #out1 = new Uint32Array(1);

  /**
   * @param nodes - names (weight 1) or `[name, weight]` pairs (a `Map` of name → weight works); a repeated name keeps its last weight
   * @param options - `backend`: the tier for this ring's kernels (default `'auto'`)
   * @throws TypeError / RangeError for a bad node, weight or option.
   */
  constructor(nodes?: Iterable<HashRingNode>, options?: HashRingOptions) {
    const fn = 'HashRing';
    const o = checkOptions<HashRingOptions>(fn, options);
    checkKnownKeys(fn, 'options', o, RING_OPTIONS, { replicas: 'routeN', vnodes: 'weight' });
    const backend = checkBackendChoice(fn, 'options.backend', o.backend ?? 'auto');
    if (backend === 'auto') this.#forced = null;
    else {
      this.#forced = tierKernels(backend);
      if (this.#forced === null) throw new Error(`hotpath.${fn}: backend '${backend}' is not available: ${dispatchInfo().tiers[backend].error ?? 'unknown reason'}`);
    }
    if (nodes === undefined) return;
    if (nodes === null || typeof (nodes as Iterable<HashRingNode>)[Symbol.iterator] !== 'function' || typeof nodes === 'string') {
      typeError(fn, 'nodes', `must be an iterable of names or [name, weight] pairs; got ${describe(nodes)}`);
    }
    // Gathered, then sorted and hashed once: inserting one by one would cost O(n) each.
    const given = new Map<string, number>();
    let i = 0;
    for (const node of nodes) {
      const arg = `nodes[${i++}]`;
      if (typeof node === 'string') given.set(checkName(fn, arg, node), 1);
      else if (Array.isArray(node) && node.length === 2) given.set(checkName(fn, arg, node[0]), checkWeight(fn, `${arg} weight`, node[1]));
      else typeError(fn, arg, `must be a name or a [name, weight] pair; got ${describe(node)}`);
    }
    this.#names = [...given.keys()].sort((a, b) => (codePointLess(a, b) ? -1 : codePointLess(b, a) ? 1 : 0));
    this.#weights = this.#names.map((n) => given.get(n)!);
    this.#seeds = Array.from(hashed(fn, this.#forced, this.#names));
  }

  #index(name: string): number {
    // The first index whose name is not below `name`.
    let lo = 0, hi = this.#names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (codePointLess(this.#names[mid]!, name)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #put(fn: string, node: unknown, w: unknown): void {
    const name = checkName(fn, 'node', node);
    const weight = checkWeight(fn, 'weight', w);
    const at = this.#index(name);
    if (this.#names[at] === name) {
      this.#weights[at] = weight;
    } else {
      this.#names.splice(at, 0, name);
      this.#weights.splice(at, 0, weight);
      this.#seeds.splice(at, 0, hashed(fn, this.#forced, [name])[0]!);
    }
    this.#seedArray = null;
  }

  /**
   * Adds a node, or sets the weight of one already there.
   * @param weight - finite, in [2^-32, 2^32] (default 1); its share of keys is ∝ weight
   * @returns this
   */
  add(node: string, weight = 1): this {
    this.#put('HashRing.add', node, weight);
    return this;
  }

  /** Removes a node; its keys move to their next choice ({@link routeN}'s second). @returns whether it was there. */
  remove(node: string): boolean {
    if (typeof node !== 'string') typeError('HashRing.remove', 'node', `must be a string; got ${describe(node)}`);
    const at = this.#index(node);
    if (this.#names[at] !== node) return false;
    this.#names.splice(at, 1);
    this.#weights.splice(at, 1);
    this.#seeds.splice(at, 1);
    this.#seedArray = null;
    return true;
  }

  /** Whether a node of that name is on the ring. */
  has(node: string): boolean {
    if (typeof node !== 'string') typeError('HashRing.has', 'node', `must be a string; got ${describe(node)}`);
    return this.#names[this.#index(node)] === node;
  }

  /** Number of nodes. */
  get size(): number {
    return this.#names.length;
  }

  /** The nodes with their weights, in code point order of name (a frozen snapshot). */
  get nodes(): readonly HashRingEntry[] {
    return Object.freeze(this.#names.map((name, i) => Object.freeze({ name, weight: this.#weights[i]! })));
  }

  /** The kernels' node arrays, current. */
  #nodes(): BigUint64Array {
    if (this.#seedArray === null) {
      this.#seedArray = BigUint64Array.from(this.#seeds);
      this.#weightArray = Float64Array.from(this.#weights);
      const w0 = this.#weights[0];
      this.#uniform = this.#weights.every((w) => w === w0);
    }
    return this.#seedArray;
  }

  #keyHash(fn: string, key: unknown): BigUint64Array {
    if (typeof key !== 'string') typeError(fn, 'key', `must be a string; got ${describe(key)}`);
    (this.#forced ?? kernelsFor('hashTexts', key.length + 1)).hashTexts([key], this.#key1);
    return this.#key1;
  }

  /**
   * The node a key goes to, or undefined on an empty ring.
   * @param key - a string (hashed as {@link hashKeys}; a lone surrogate counts as U+FFFD)
   * @throws TypeError for a non-string key.
   */
  route(key: string): string | undefined {
    const fn = 'HashRing.route';
    const k = this.#keyHash(fn, key);
    if (this.#names.length === 0) return undefined;
    const seeds = this.#nodes();
    (this.#forced ?? kernelsFor('rendezvous', seeds.length)).rendezvous(k, seeds, this.#weightArray, this.#uniform, this.#out1);
    return this.#names[this.#out1[0]!];
  }

  /**
   * The first `n` nodes in a key's preference order (distinct; min(n, size) of
   * them): the first is {@link route}'s answer, and each next one is where the
   * key goes when all before it are removed, so they are the key's replicas or
   * failover order.
   * @param n - an integer >= 0
   * @throws TypeError for a non-string key; TypeError / RangeError for a bad n.
   */
  routeN(key: string, n: number): string[] {
    const fn = 'HashRing.routeN';
    const k = this.#keyHash(fn, key);
    const count = Math.min(checkCount(fn, 'n', n), this.#names.length);
    if (count === 0) return [];
    const seeds = this.#nodes(), size = seeds.length;
    const scores = new Float64Array(size);
    (this.#forced ?? kernelsFor('rendezvousScores', size)).rendezvousScores(k, seeds, this.#weightArray, this.#uniform, scores);
    const order = Array.from({ length: size }, (_, i) => i);
    // Highest score first; a tie to the lower index (the name first in code point order), as route.
    order.sort((a, b) => scores[b]! - scores[a]! || a - b);
    return order.slice(0, count).map((i) => this.#names[i]!);
  }

  /**
   * {@link route} of many keys: hashes all of them in one call to the tier,
   * then routes all of them in another (a batch costs two crossings into
   * wasm or native, not one per key).
   * @param keys - an array of strings, or a BigUint64Array of key hashes
   *   (`hashKeys(strings)` gives the same answers as the strings)
   * @returns the node name per key (names are shared strings, so the array costs a pointer per key).
   * @throws TypeError for a bad key; Error when the ring is empty and keys is not.
   */
  routeMany(keys: readonly string[] | BigUint64Array): string[] {
    const fn = 'HashRing.routeMany';
    if (!(keys instanceof BigUint64Array) && !Array.isArray(keys)) typeError(fn, 'keys', `must be an array of strings or a BigUint64Array; got ${describe(keys)}`);
    const hashes = keyHashes(fn, this.#forced, keys);
    const n = hashes.length;
    if (n === 0) return [];
    if (this.#names.length === 0) throw new Error(`hotpath.${fn}: the ring has no nodes to route ${n} keys to`);
    const seeds = this.#nodes();
    const idx = allocate(fn, 'the output', Uint32Array, n);
    (this.#forced ?? kernelsFor('rendezvous', KERNELS.rendezvous.work(hashes, seeds))).rendezvous(hashes, seeds, this.#weightArray, this.#uniform, idx);
    const names = this.#names, out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = names[idx[i]!]!;
    return out;
  }

  /** `HashRing(n nodes)`, for logs. */
  toString(): string {
    return `HashRing(${this.#names.length} nodes${this.#names.length ? `: ${this.#names.slice(0, 5).map((x) => quoted(x)).join(', ')}${this.#names.length > 5 ? ', …' : ''}` : ''})`;
  }
}
