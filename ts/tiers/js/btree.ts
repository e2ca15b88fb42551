// The js tier's B+ tree: the reference every other tier's TreeCore is tested
// against, and the tree used where neither native nor wasm loads. Nodes hold
// plain arrays; leaves hold keys and slots and are doubly linked; an internal
// node holds children.length - 1 separators, where separator i is greater
// than every key under children[i] and at most every key under
// children[i + 1].
//
// Comparisons: number trees and string queries without a code unit ≥ 0xD800
// use JS `<` (exact for those, see codepoint.ts); other string queries use the
// code point comparator. The mode is picked once per operation.

import type { Key, KeyKind, RangeQuery, RangeResult, TreeCore } from '../../contract/btree.js';
import type { StructureFactories } from '../../contract/tier.js';
import { compareCodePoints, hasHighUnit } from '../../contract/strings.js';

/** How a query key compares against stored keys. */
const NUM = 0;
const STR = 1;
const STR_CP = 2;
type Mode = 0 | 1 | 2;

const NO_SLOTS: number[] = [];
const NO_CHILDREN: BNode[] = [];

class BNode {
  prev: BNode | null = null;
  next: BNode | null = null;
  constructor(
    readonly leaf: boolean,
    public keys: Key[],
    /** Leaf: slot per key. Internal: unused (shared empty array). */
    public slots: number[],
    /** Internal: the children. Leaf: unused (shared empty array). */
    public children: BNode[],
  ) {}
}

function newLeaf(keys: Key[], slots: number[]): BNode {
  return new BNode(true, keys, slots, NO_CHILDREN);
}

function newInner(keys: Key[], children: BNode[]): BNode {
  return new BNode(false, keys, NO_SLOTS, children);
}

// ---- searches: lb = first index with keys[i] >= key, ub = first with keys[i] > key
// One copy per key type on purpose: each stays monomorphic in V8 (number or
// string compares only), which a shared generic search would not.

function lbNum(keys: number[], key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (keys[m] < key) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function ubNum(keys: number[], key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (key < keys[m]) hi = m;
    else lo = m + 1;
  }
  return lo;
}

function lbStr(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (keys[m] < key) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function ubStr(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (key < keys[m]) hi = m;
    else lo = m + 1;
  }
  return lo;
}

function lbCp(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (compareCodePoints(keys[m], key) < 0) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function ubCp(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (compareCodePoints(key, keys[m]) < 0) hi = m;
    else lo = m + 1;
  }
  return lo;
}

function lowerBound(mode: Mode, keys: Key[], key: Key): number {
  if (mode === NUM) return lbNum(keys as number[], key as number);
  if (mode === STR) return lbStr(keys as string[], key as string);
  return lbCp(keys as string[], key as string);
}

function upperBound(mode: Mode, keys: Key[], key: Key): number {
  if (mode === NUM) return ubNum(keys as number[], key as number);
  if (mode === STR) return ubStr(keys as string[], key as string);
  return ubCp(keys as string[], key as string);
}

// ---- array edits without the garbage of splice

function insertAt<T>(a: T[], i: number, v: T): void {
  let j = a.length;
  a.push(v);
  while (j > i) {
    a[j] = a[j - 1];
    j--;
  }
  a[i] = v;
}

function removeAt<T>(a: T[], i: number): void {
  const n = a.length - 1;
  for (let j = i; j < n; j++) a[j] = a[j + 1];
  a.pop();
}

function appendAll<T>(dst: T[], src: T[]): void {
  for (let i = 0, n = src.length; i < n; i++) dst.push(src[i]);
}

/** Sizes of the nodes one level of bulkLoad cuts `total` items into: full, except the last two share the rest. */
function chunkSizes(total: number, cap: number): number[] {
  const count = Math.ceil(total / cap);
  if (count <= 1) return [total];
  const sizes: number[] = [];
  for (let i = 0; i < count - 2; i++) sizes.push(cap);
  const rest = total - (count - 2) * cap;
  const a = Math.ceil(rest / 2);
  sizes.push(a, rest - a);
  return sizes;
}

function disposedError(): Error {
  return new Error('tree is disposed');
}

/** The js tier's TreeCore: an in-memory B+ tree over plain arrays. */
export class JsBTree<K extends Key> implements TreeCore<K> {
  private root: BNode | null;
  private count = 0;
  private nodes = 1;
  /** Sum of string key lengths (code units), for memoryBytes. */
  private chars = 0;
  private readonly num: boolean;
  private readonly order: number;
  private readonly minFill: number;
  /** Descent path of the current set/delete: internal nodes and the child index taken. */
  private pathNodes: BNode[] = [];
  private pathIdx: number[] = [];
  /** Index within the leaf returned by the last seek. */
  private seekIdx = 0;

  constructor(kind: KeyKind, order: number) {
    if (kind !== 'number' && kind !== 'string') throw new TypeError(`unknown key kind: ${String(kind)}`);
    if (!Number.isInteger(order) || order < 4 || order > 1024) {
      throw new RangeError(`order must be an integer in 4..1024, got ${order}`);
    }
    this.num = kind === 'number';
    this.order = order;
    this.minFill = Math.ceil(order / 2);
    this.root = newLeaf([], []);
  }

  private live(): BNode {
    const r = this.root;
    if (r === null) throw disposedError();
    return r;
  }

  private modeOf(key: Key): Mode {
    if (this.num) return NUM;
    return hasHighUnit(key as string) ? STR_CP : STR;
  }

  /** Strict code point / numeric less-than between two keys of this tree. */
  private less(a: Key, b: Key): boolean {
    if (this.num) return (a as number) < (b as number);
    return compareCodePoints(a as string, b as string) < 0;
  }

  get(key: K): number {
    let node = this.live();
    const mode = this.modeOf(key);
    while (!node.leaf) node = node.children[upperBound(mode, node.keys, key)];
    const keys = node.keys;
    const i = lowerBound(mode, keys, key);
    return i < keys.length && keys[i] === key ? node.slots[i] : -1;
  }

  set(key: K, slot: number): number {
    let node = this.live();
    const mode = this.modeOf(key);
    const pathNodes = this.pathNodes;
    const pathIdx = this.pathIdx;
    let depth = 0;
    while (!node.leaf) {
      const ci = upperBound(mode, node.keys, key);
      pathNodes[depth] = node;
      pathIdx[depth] = ci;
      depth++;
      node = node.children[ci];
    }
    const keys = node.keys;
    const i = lowerBound(mode, keys, key);
    if (i < keys.length && keys[i] === key) return node.slots[i];
    insertAt(keys, i, key);
    insertAt(node.slots, i, slot);
    this.count++;
    if (!this.num) this.chars += (key as string).length;
    if (keys.length > this.order) this.splitLeaf(node, depth);
    return -1;
  }

  private splitLeaf(leaf: BNode, depth: number): void {
    const n = leaf.keys.length;
    const mid = (n + 1) >>> 1;
    const right = newLeaf(leaf.keys.slice(mid), leaf.slots.slice(mid));
    leaf.keys.length = mid;
    leaf.slots.length = mid;
    right.next = leaf.next;
    if (right.next !== null) right.next.prev = right;
    right.prev = leaf;
    leaf.next = right;
    this.nodes++;
    this.insertUp(depth, right.keys[0], right);
  }

  /** Adds `right` (split off the node at `depth` on the current path) and its separator to the parent, splitting upwards. */
  private insertUp(depth: number, sep: Key, right: BNode): void {
    const order = this.order;
    for (;;) {
      if (depth === 0) {
        this.root = newInner([sep], [this.root as BNode, right]);
        this.nodes++;
        return;
      }
      depth--;
      const parent = this.pathNodes[depth];
      const ci = this.pathIdx[depth];
      insertAt(parent.keys, ci, sep);
      insertAt(parent.children, ci + 1, right);
      const c = parent.children.length;
      if (c <= order) return;
      const leftC = (c + 1) >>> 1;
      sep = parent.keys[leftC - 1];
      right = newInner(parent.keys.slice(leftC), parent.children.slice(leftC));
      parent.keys.length = leftC - 1;
      parent.children.length = leftC;
      this.nodes++;
    }
  }

  delete(key: K): number {
    let node = this.live();
    const mode = this.modeOf(key);
    const pathNodes = this.pathNodes;
    const pathIdx = this.pathIdx;
    let depth = 0;
    while (!node.leaf) {
      const ci = upperBound(mode, node.keys, key);
      pathNodes[depth] = node;
      pathIdx[depth] = ci;
      depth++;
      node = node.children[ci];
    }
    const keys = node.keys;
    const i = lowerBound(mode, keys, key);
    if (i >= keys.length || keys[i] !== key) return -1;
    const slot = node.slots[i];
    removeAt(keys, i);
    removeAt(node.slots, i);
    this.count--;
    if (!this.num) this.chars -= (key as string).length;
    if (depth > 0 && keys.length < this.minFill) this.fixLeaf(node, depth);
    return slot;
  }

  /** Restores the fill of an underfull non-root leaf by borrowing from or merging with a sibling. */
  private fixLeaf(node: BNode, depth: number): void {
    const min = this.minFill;
    const parent = this.pathNodes[depth - 1];
    const ci = this.pathIdx[depth - 1];
    const left = ci > 0 ? parent.children[ci - 1] : null;
    const right = ci + 1 < parent.children.length ? parent.children[ci + 1] : null;
    if (left !== null && left.keys.length > min) {
      insertAt(node.keys, 0, left.keys.pop() as Key);
      insertAt(node.slots, 0, left.slots.pop() as number);
      parent.keys[ci - 1] = node.keys[0];
      return;
    }
    if (right !== null && right.keys.length > min) {
      node.keys.push(right.keys[0]);
      node.slots.push(right.slots[0]);
      removeAt(right.keys, 0);
      removeAt(right.slots, 0);
      parent.keys[ci] = right.keys[0];
      return;
    }
    if (left !== null) {
      appendAll(left.keys, node.keys);
      appendAll(left.slots, node.slots);
      left.next = node.next;
      if (node.next !== null) node.next.prev = left;
      removeAt(parent.keys, ci - 1);
      removeAt(parent.children, ci);
    } else if (right !== null) {
      appendAll(node.keys, right.keys);
      appendAll(node.slots, right.slots);
      node.next = right.next;
      if (right.next !== null) right.next.prev = node;
      removeAt(parent.keys, ci);
      removeAt(parent.children, ci + 1);
    } else {
      return; // unreachable: a non-root node has a sibling
    }
    this.nodes--;
    this.fixInner(depth - 1);
  }

  /** Restores the internal node at `depth` on the current path after it lost a child. */
  private fixInner(depth: number): void {
    const min = this.minFill;
    for (;;) {
      const node = this.pathNodes[depth];
      if (depth === 0) {
        if (node.children.length === 1) {
          this.root = node.children[0];
          this.nodes--;
        }
        return;
      }
      if (node.children.length >= min) return;
      const parent = this.pathNodes[depth - 1];
      const ci = this.pathIdx[depth - 1];
      const left = ci > 0 ? parent.children[ci - 1] : null;
      const right = ci + 1 < parent.children.length ? parent.children[ci + 1] : null;
      if (left !== null && left.children.length > min) {
        insertAt(node.children, 0, left.children.pop() as BNode);
        insertAt(node.keys, 0, parent.keys[ci - 1]);
        parent.keys[ci - 1] = left.keys.pop() as Key;
        return;
      }
      if (right !== null && right.children.length > min) {
        node.children.push(right.children[0]);
        node.keys.push(parent.keys[ci]);
        parent.keys[ci] = right.keys[0];
        removeAt(right.children, 0);
        removeAt(right.keys, 0);
        return;
      }
      if (left !== null) {
        left.keys.push(parent.keys[ci - 1]);
        appendAll(left.keys, node.keys);
        appendAll(left.children, node.children);
        removeAt(parent.keys, ci - 1);
        removeAt(parent.children, ci);
      } else if (right !== null) {
        node.keys.push(parent.keys[ci]);
        appendAll(node.keys, right.keys);
        appendAll(node.children, right.children);
        removeAt(parent.keys, ci);
        removeAt(parent.children, ci + 1);
      } else {
        return; // unreachable
      }
      this.nodes--;
      depth--;
    }
  }

  size(): number {
    this.live();
    return this.count;
  }

  clear(): void {
    this.live();
    this.root = newLeaf([], []);
    this.count = 0;
    this.nodes = 1;
    this.chars = 0;
    this.pathNodes = [];
    this.pathIdx = [];
  }

  /** Leaf where `key` belongs; seekIdx = its lower bound there (upper bound when `upper`). */
  private seek(key: Key, upper: boolean): BNode {
    let node = this.root as BNode;
    const mode = this.modeOf(key);
    while (!node.leaf) node = node.children[upperBound(mode, node.keys, key)];
    this.seekIdx = upper ? upperBound(mode, node.keys, key) : lowerBound(mode, node.keys, key);
    return node;
  }

  private emptyResult(): RangeResult<K> {
    return { keys: this.num ? new Float64Array(0) : [], slots: new Uint32Array(0) };
  }

  range(q: RangeQuery<K>): RangeResult<K> {
    const root = this.live();
    const { lo, hi, loInclusive, hiInclusive, reverse } = q;
    const limit = q.limit > 0 ? Math.floor(Math.min(q.limit, this.count)) : 0;
    if (limit === 0) return this.emptyResult();
    if (lo !== null && hi !== null) {
      if (this.less(hi, lo)) return this.emptyResult();
      if (lo === hi && !(loInclusive && hiInclusive)) return this.emptyResult();
    }

    let sLeaf: BNode;
    let sIdx: number;
    if (lo === null) {
      sLeaf = root;
      while (!sLeaf.leaf) sLeaf = sLeaf.children[0];
      sIdx = 0;
    } else {
      sLeaf = this.seek(lo, !loInclusive);
      sIdx = this.seekIdx;
    }
    let eLeaf: BNode;
    let eIdx: number;
    if (hi === null) {
      eLeaf = root;
      while (!eLeaf.leaf) eLeaf = eLeaf.children[eLeaf.children.length - 1];
      eIdx = eLeaf.keys.length;
    } else {
      eLeaf = this.seek(hi, hiInclusive);
      eIdx = this.seekIdx;
    }

    // Count entries in [start, end), stopping once the limit is reached.
    let n = 0;
    {
      let leaf: BNode | null = sLeaf;
      let i = sIdx;
      while (leaf !== null) {
        if (leaf === eLeaf) {
          n += eIdx - i;
          break;
        }
        n += leaf.keys.length - i;
        if (n >= limit) break;
        leaf = leaf.next;
        i = 0;
      }
    }
    if (n > limit) n = limit;
    if (n <= 0) return this.emptyResult();

    const slots = new Uint32Array(n);
    const outKeys: Float64Array | Key[] = this.num ? new Float64Array(n) : [];
    let k = 0;
    if (!reverse) {
      let leaf = sLeaf;
      let i = sIdx;
      while (k < n) {
        if (i >= leaf.keys.length) {
          leaf = leaf.next as BNode;
          i = 0;
          continue;
        }
        outKeys[k] = leaf.keys[i];
        slots[k] = leaf.slots[i];
        k++;
        i++;
      }
    } else {
      let leaf = eLeaf;
      let i = eIdx;
      while (k < n) {
        if (i === 0) {
          leaf = leaf.prev as BNode;
          i = leaf.keys.length;
          continue;
        }
        i--;
        outKeys[k] = leaf.keys[i];
        slots[k] = leaf.slots[i];
        k++;
      }
    }
    return { keys: outKeys as Float64Array | K[], slots };
  }

  prefix(prefix: string, limit: number): RangeResult<K> {
    this.live();
    if (this.num) throw new TypeError('prefix queries need a string tree');
    const lim = limit > 0 ? Math.floor(Math.min(limit, this.count)) : 0;
    const keys: string[] = [];
    const slots: number[] = [];
    if (lim > 0) {
      let leaf: BNode | null = this.seek(prefix, false);
      let i = this.seekIdx;
      outer: while (leaf !== null) {
        const lk = leaf.keys as string[];
        for (; i < lk.length; i++) {
          if (keys.length >= lim || !lk[i].startsWith(prefix)) break outer;
          keys.push(lk[i]);
          slots.push(leaf.slots[i]);
        }
        leaf = leaf.next;
        i = 0;
      }
    }
    return { keys: keys as K[], slots: Uint32Array.from(slots) };
  }

  setMany(keys: K[] | Float64Array, slots: Uint32Array, out: Int32Array): void {
    this.live();
    for (let i = 0, n = keys.length; i < n; i++) out[i] = this.set(keys[i] as K, slots[i]);
  }

  getMany(keys: K[] | Float64Array, out: Int32Array): void {
    this.live();
    for (let i = 0, n = keys.length; i < n; i++) out[i] = this.get(keys[i] as K);
  }

  deleteMany(keys: K[] | Float64Array, out: Int32Array): void {
    this.live();
    for (let i = 0, n = keys.length; i < n; i++) out[i] = this.delete(keys[i] as K);
  }

  bulkLoad(keys: K[] | Float64Array, slots: Uint32Array): void {
    this.live();
    if (this.count !== 0) throw new Error('bulkLoad needs an empty tree');
    const n = keys.length;
    if (slots.length !== n) throw new RangeError(`bulkLoad: ${n} keys but ${slots.length} slots`);
    for (let i = 1; i < n; i++) {
      if (!this.less(keys[i - 1], keys[i])) {
        throw new RangeError(`bulkLoad: keys must be strictly ascending (index ${i})`);
      }
    }
    if (n === 0) return;

    let level: BNode[] = [];
    let firsts: Key[] = [];
    let at = 0;
    let prev: BNode | null = null;
    let chars = 0;
    for (const size of chunkSizes(n, this.order)) {
      const lk: Key[] = [];
      const ls: number[] = [];
      for (let j = 0; j < size; j++, at++) {
        const key = keys[at];
        lk.push(key);
        ls.push(slots[at]);
        if (!this.num) chars += (key as string).length;
      }
      const leaf = newLeaf(lk, ls);
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
      firsts.push(lk[0]);
    }
    let nodes = level.length;
    while (level.length > 1) {
      const up: BNode[] = [];
      const upFirsts: Key[] = [];
      let c = 0;
      for (const size of chunkSizes(level.length, this.order)) {
        const children = level.slice(c, c + size);
        const seps = firsts.slice(c + 1, c + size);
        up.push(newInner(seps, children));
        upFirsts.push(firsts[c]);
        c += size;
      }
      nodes += up.length;
      level = up;
      firsts = upFirsts;
    }
    this.root = level[0];
    this.count = n;
    this.nodes = nodes;
    this.chars = chars;
  }

  check(): string | null {
    const root = this.live();
    const leaves: BNode[] = [];
    let leafDepth = -1;
    const order = this.order;
    const min = this.minFill;

    const visit = (node: BNode, depth: number, lo: Key | null, hi: Key | null, isRoot: boolean): string | null => {
      const keys = node.keys;
      for (let i = 1; i < keys.length; i++) {
        if (!this.less(keys[i - 1], keys[i])) return `keys not strictly ascending at depth ${depth}, index ${i}`;
      }
      if (node.leaf) {
        if (node.children.length !== 0) return `leaf at depth ${depth} has children`;
        if (node.slots.length !== keys.length) return `leaf at depth ${depth} has ${keys.length} keys but ${node.slots.length} slots`;
        if (keys.length > order) return `leaf at depth ${depth} overfull: ${keys.length} > ${order}`;
        if (!isRoot && keys.length < min) return `leaf at depth ${depth} underfull: ${keys.length} < ${min}`;
        if (keys.length > 0) {
          if (lo !== null && this.less(keys[0], lo)) return `leaf key below its separator at depth ${depth}`;
          if (hi !== null && !this.less(keys[keys.length - 1], hi)) return `leaf key not below its separator at depth ${depth}`;
        }
        if (leafDepth === -1) leafDepth = depth;
        else if (leafDepth !== depth) return `leaves at depths ${leafDepth} and ${depth}`;
        leaves.push(node);
        return null;
      }
      const ch = node.children;
      if (node.slots.length !== 0) return `internal node at depth ${depth} has slots`;
      if (ch.length !== keys.length + 1) return `internal node at depth ${depth} has ${ch.length} children but ${keys.length} separators`;
      if (ch.length > order) return `internal node at depth ${depth} overfull: ${ch.length} children > ${order}`;
      if (ch.length < (isRoot ? 2 : min)) return `internal node at depth ${depth} underfull: ${ch.length} children`;
      for (let i = 0; i < ch.length; i++) {
        const err = visit(ch[i], depth + 1, i === 0 ? lo : keys[i - 1], i === keys.length ? hi : keys[i], false);
        if (err !== null) return err;
      }
      return null;
    };

    const err = visit(root, 0, null, null, true);
    if (err !== null) return err;

    let total = 0;
    if (leaves[0].prev !== null) return 'first leaf has a prev link';
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i];
      total += leaf.keys.length;
      const next = i + 1 < leaves.length ? leaves[i + 1] : null;
      if (leaf.next !== next) return `leaf ${i}: next link does not point at the following leaf`;
      if (next !== null) {
        if (next.prev !== leaf) return `leaf ${i + 1}: prev link does not point at the preceding leaf`;
        if (!this.less(leaf.keys[leaf.keys.length - 1], next.keys[0])) return `keys not ascending across leaves ${i} and ${i + 1}`;
      }
    }
    if (total !== this.count) return `leaves hold ${total} keys but size() is ${this.count}`;
    return null;
  }

  /** Rough heap footprint: node objects and arrays, 8 bytes per key and slot, string payloads. */
  memoryBytes(): number {
    this.live();
    const perNode = 120;
    let bytes = this.nodes * perNode + this.count * 16;
    if (!this.num) bytes += this.chars * 2 + this.count * 16;
    return bytes;
  }

  dispose(): void {
    this.root = null;
    this.count = 0;
    this.nodes = 0;
    this.chars = 0;
    this.pathNodes = [];
    this.pathIdx = [];
  }
}

/** BPlusTree cores on the js tier. */
export function jsBTree(): StructureFactories['btree'] {
  return (kind, order) => new JsBTree(kind, order);
}
