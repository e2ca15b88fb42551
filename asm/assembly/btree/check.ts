// btreeCheck: structural invariants of a tree; 0 when they hold, else the code of the first
// violation found (depth-first, left to right). Codes are listed in asm/README.md.

import {
  T_KIND, T_ORDER, T_ROOT, T_HEIGHT, T_SIZE, T_FIRST, T_LAST, T_NODEBYTES, T_VALS, T_POOL,
  T_POOLN, T_MEM, N_LEAF, N_PREV, N_NEXT, MAX_DEPTH,
  E_P1, E_PTR, E_LEN, INLINE_BYTES, STR_KS, bind, keyAt, cnt, child, cmpEnt, prefixOf, blockBytes,
} from "./tree";
import { KEY_NUMBER, KEY_STRING, TREE_MIN_ORDER, TREE_MAX_ORDER } from "../abi";

// @ts-ignore: decorator
@inline const CHECK_HEADER: i32 = 1;
// @ts-ignore: decorator
@inline const CHECK_EMPTY: i32 = 2;
// @ts-ignore: decorator
@inline const CHECK_DEPTH: i32 = 3;
// @ts-ignore: decorator
@inline const CHECK_LEAF_FILL: i32 = 4;
// @ts-ignore: decorator
@inline const CHECK_INTERNAL_FILL: i32 = 5;
// @ts-ignore: decorator
@inline const CHECK_NODE_ORDER: i32 = 6;
// @ts-ignore: decorator
@inline const CHECK_SEPARATOR: i32 = 7;
// @ts-ignore: decorator
@inline const CHECK_CHAIN: i32 = 8;
// @ts-ignore: decorator
@inline const CHECK_CHAIN_ORDER: i32 = 9;
// @ts-ignore: decorator
@inline const CHECK_SIZE: i32 = 10;
// @ts-ignore: decorator
@inline const CHECK_STRING_ENTRY: i32 = 11;
// @ts-ignore: decorator
@inline const CHECK_MEMORY: i32 = 12;

let kM: i32 = 0;
let kMin: i32 = 0;
let kH: i32 = 0;
let kRoot: usize = 0;
let kPrevLeaf: usize = 0;
let kKeys: u64 = 0;
let kMem: u64 = 0;

/** Padding below the first s bytes of a prefix word must be zero. */
// @ts-ignore: decorator
@inline function padOk(v: u64, s: u32): bool {
  return s >= 8 ? true : s == 0 ? v == 0 : (v & ((<u64>1 << (<u64>(8 - s) << 3)) - 1)) == 0;
}

function checkEntry(e: usize): i32 {
  const len = load<u32>(e, E_LEN);
  const ptr = <usize>load<u32>(e, E_PTR);
  const p0 = load<u64>(e), p1 = load<u64>(e, E_P1);
  if (len > INLINE_BYTES) {
    if (!ptr) return CHECK_STRING_ENTRY;
    if (prefixOf(ptr, 8) != p0 || prefixOf(ptr + 8, 8) != p1) return CHECK_STRING_ENTRY;
    kMem += blockBytes(ptr);
  } else {
    if (ptr) return CHECK_STRING_ENTRY;
    if (!padOk(p0, len) || !padOk(p1, len > 8 ? len - 8 : 0)) return CHECK_STRING_ENTRY;
  }
  return 0;
}

/** Subtree n at depth d; keys must lie in [lo, hi) (entry pointers, 0 = unbounded). */
function checkNode<K>(t: usize, n: usize, d: i32, lo: usize, hi: usize): i32 {
  kMem += blockBytes(n);
  const leaf = load<u32>(n, N_LEAF) != 0;
  if (leaf != (d == kH - 1)) return CHECK_DEPTH;
  const c = cnt(n);
  const isRoot = n == kRoot;
  if (leaf) {
    const lowLeaf = isRoot ? 1 : kMin;
    if (c > kM || lowLeaf > c) return CHECK_LEAF_FILL;
  } else {
    const lowKids = isRoot ? 2 : kMin;
    if (c + 1 > kM || lowKids > c + 1) return CHECK_INTERNAL_FILL;
  }
  for (let i = 0; i < c; i++) {
    const e = keyAt<K>(n, i);
    if (!isFloat<K>()) {
      const r = checkEntry(e);
      if (r) return r;
    }
    if (i > 0 && cmpEnt<K>(keyAt<K>(n, i - 1), e) >= 0) return CHECK_NODE_ORDER;
  }
  if (c > 0) {
    if (lo && cmpEnt<K>(keyAt<K>(n, 0), lo) < 0) return CHECK_SEPARATOR;
    if (hi && cmpEnt<K>(keyAt<K>(n, c - 1), hi) >= 0) return CHECK_SEPARATOR;
  }
  if (leaf) {
    if (<usize>load<u32>(n, N_PREV) != kPrevLeaf) return CHECK_CHAIN;
    if (kPrevLeaf) {
      if (<usize>load<u32>(kPrevLeaf, N_NEXT) != n) return CHECK_CHAIN;
      if (c > 0 && cmpEnt<K>(keyAt<K>(kPrevLeaf, cnt(kPrevLeaf) - 1), keyAt<K>(n, 0)) >= 0) return CHECK_CHAIN_ORDER;
    } else if (<usize>load<u32>(t, T_FIRST) != n) {
      return CHECK_CHAIN;
    }
    kPrevLeaf = n;
    kKeys += <u64>c;
    return 0;
  }
  for (let i = 0; i <= c; i++) {
    const clo = i > 0 ? keyAt<K>(n, i - 1) : lo;
    const chi = i < c ? keyAt<K>(n, i) : hi;
    const ch = child(n, i);
    if (!ch) return CHECK_DEPTH;
    const r = checkNode<K>(t, ch, d + 1, clo, chi);
    if (r) return r;
  }
  return 0;
}

export function checkTree(t: usize): i32 {
  const kind = load<u32>(t, T_KIND);
  const m = load<i32>(t, T_ORDER);
  if (kind > <u32>KEY_STRING || m < TREE_MIN_ORDER || m > TREE_MAX_ORDER) return CHECK_HEADER;
  const ks: u32 = kind == <u32>KEY_NUMBER ? 8 : <u32>STR_KS;
  const vals = 16 + <u32>(m + 1) * ks;
  if (load<u32>(t, T_VALS) != vals || load<u32>(t, T_NODEBYTES) != vals + <u32>(m + 2) * 4) return CHECK_HEADER;
  bind(t);
  kM = m;
  kMin = (m + 1) >> 1;
  kH = load<i32>(t, T_HEIGHT);
  kRoot = <usize>load<u32>(t, T_ROOT);
  kPrevLeaf = 0;
  kKeys = 0;
  kMem = blockBytes(t);
  let n = <usize>load<u32>(t, T_POOL);
  let pooled: u32 = 0;
  while (n && pooled < 1 << 20) {
    kMem += blockBytes(n);
    pooled++;
    n = <usize>load<u32>(n);
  }
  if (pooled != load<u32>(t, T_POOLN)) return CHECK_MEMORY;
  if (!kRoot) {
    if (kH != 0 || load<u32>(t, T_SIZE) != 0 || load<u32>(t, T_FIRST) != 0 || load<u32>(t, T_LAST) != 0) {
      return CHECK_EMPTY;
    }
    return kMem == load<u64>(t, T_MEM) ? 0 : CHECK_MEMORY;
  }
  if (kH < 1 || kH > MAX_DEPTH) return CHECK_DEPTH;
  const r = kind == <u32>KEY_NUMBER ? checkNode<f64>(t, kRoot, 0, 0, 0) : checkNode<u64>(t, kRoot, 0, 0, 0);
  if (r) return r;
  if (<usize>load<u32>(t, T_LAST) != kPrevLeaf || load<u32>(kPrevLeaf, N_NEXT) != 0) return CHECK_CHAIN;
  if (kKeys != <u64>load<u32>(t, T_SIZE)) return CHECK_SIZE;
  if (kMem != load<u64>(t, T_MEM)) return CHECK_MEMORY;
  return 0;
}
