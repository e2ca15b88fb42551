// The public face of BPlusTree: the class from ./btree-class.ts under a
// constructor type whose overloads tie the key type to `keyType`. A class's
// own constructor cannot infer the class's type arguments from an option's
// literal ('string' ⇒ string), so `new BPlusTree({ keyType: 'string' })` would
// otherwise be a tree of `number | string`; the same pattern as lib.d.ts's
// `MapConstructor`. At run time `BPlusTree` is the class itself.
import type { Key, KeyKind, KeyOfKind } from '../contract/btree.js';
import { BPlusTree as BPlusTreeClass, type BPlusTreeOptions } from './btree-class.js';

export type { BPlusTreeOptions, PrefixOptions, RangeOptions } from './btree-class.js';

/**
 * An ordered map with keys of type `K` and values of type `V` (the order of
 * `Map<K, V>` and sorted-btree): point lookups, range and prefix scans, and
 * batch operations that cross into native or wasm memory once per call. Keys
 * are numbers or strings, fixed per tree by `keyType` (strings order by code
 * point); values stay in JS. Iterators stay valid while the tree changes.
 * `dispose()` (or `using`) frees the index at once.
 */
export type BPlusTree<K extends Key = Key, V = unknown> = BPlusTreeClass<K, V>;

/**
 * The constructor and static side of {@link BPlusTree}.
 *
 * - `new BPlusTree({ keyType: 'string' })` is a `BPlusTree<string, unknown>`;
 *   `new BPlusTree<string, Grant>({ keyType: 'string' })` fixes the values.
 * - `keyType` must name the key type: `new BPlusTree<string, number>({ keyType: 'number' })`
 *   does not compile, nor does `prefix` on a number tree.
 */
export interface BPlusTreeConstructor {
  /**
   * A tree whose key type follows `keyType` (`'number'` ⇒ number, `'string'` ⇒
   * string); the value type comes from the context (`const t: BPlusTree<string, Grant> = new BPlusTree(…)`), else `unknown`.
   */
  new <T extends KeyKind, V = unknown>(options: BPlusTreeOptions & { keyType: T }): BPlusTree<KeyOfKind<T>, V>;
  /** A tree with keys `K` and values `V`; `keyType` must be `K`'s kind. */
  new <K extends Key = Key, V = unknown>(options: BPlusTreeOptions<K>): BPlusTree<K, V>;
  readonly prototype: BPlusTree;
  /** Builds a tree from strictly ascending keys in O(n); the key type follows `keyType`, the value type `values`. */
  fromSorted<T extends KeyKind, V>(
    keys: T extends 'number' ? readonly number[] | Float64Array : readonly string[],
    values: ArrayLike<V>,
    options: BPlusTreeOptions & { keyType: T },
  ): BPlusTree<KeyOfKind<T>, V>;
  /** Builds a tree with keys `K` and values `V` from strictly ascending keys in O(n). */
  fromSorted<K extends Key, V>(keys: readonly K[] | Float64Array, values: ArrayLike<V>, options: BPlusTreeOptions<K>): BPlusTree<K, V>;
}

/**
 * The ordered map class; see {@link BPlusTreeConstructor} for how `keyType`
 * fixes the key type, and {@link BPlusTree} for the instance.
 */
// The class's single generic signature is wider than these overloads (its K
// is not inferred from keyType), hence the assertion.
export const BPlusTree = BPlusTreeClass as BPlusTreeConstructor;
