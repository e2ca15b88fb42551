// B+ tree in linear memory: an ordered map from keys to u32 slots (the values live in a
// JS-side slab). Key kinds: 0 = f64 numbers (-0 is stored as 0; never NaN), 1 = byte
// strings (UTF-8), ordered byte-wise (= code point order).
//
// Everything is a raw heap.alloc'd block; nothing here is GC-managed.
//
// Tree header (TREE_BYTES): see the T_* offsets. Nodes are one fixed-size block per tree:
//
//   +0  count  u32   keys in the node (an internal node has count + 1 children)
//   +4  leaf   u32   1 for leaves
//   +8  prev   u32   leaves: previous leaf (0 at the left end)
//   +12 next   u32   leaves: next leaf (0 at the right end)
//   +16 keys         (order + 1) entries of KS bytes (one spare for insert-then-split)
//   +vals            (order + 2) u32: slots (leaves) or child pointers (internal nodes)
//
// Key entries: numbers are one f64 (KS = 8). Strings (KS = 24) are
//   +0  p0  u64  bytes 0..8 big-endian, zero padded (so they compare as a u64)
//   +8  p1  u64  bytes 8..16, likewise
//   +16 ptr u32  heap block holding all len bytes when len > 16, else 0 (bytes live inline)
//   +20 len u32
// Most comparisons end at p0/p1 without touching the key's block (keys sharing a prefix
// of up to 8 bytes, such as "user:123...", are still told apart inline).
// Every entry owns its bytes: leaf keys are copies of the inserted keys, internal keys are
// separators. String separators are the shortest prefix of the right-hand key that is
// greater than the left-hand key, so most of them fit inline (no block). Number
// separators are the first key of the right-hand node.
//
// Routing: key k goes to child i = number of separators <= k, so for child i,
// sep[i-1] <= keys < sep[i].
//
// In-node search is a branch-free rank (see LIN_SIMD); string nodes rank on the first 8
// bytes (p0) and compare fully only among entries whose p0 ties with the query's.
//
// No parent pointers: a descent records the path (node, child index per level) in PATH_N /
// PATH_I. The last descent is cached (tree, leaf, the separators bounding the leaf); the
// next operation on the same tree reuses that leaf when its key lies within the bounds and
// the tree's structure has not changed since (every split/merge/borrow/clear resets cT).
//
// Allocation: nodes and key copies come from `alloc` (memory.ts), which returns 0 rather
// than letting TLSF trap when memory would cross 4 GiB. Insert allocates everything it may
// need (key copy, split nodes into the tree's node pool, separator bytes) before it
// changes anything, so an allocation failure returns STATUS_OUT_OF_MEMORY with the tree
// untouched.

import { alloc } from "../memory";
import { KEY_NUMBER, STATUS_OUT_OF_MEMORY } from "../abi";

// ---- tree header --------------------------------------------------------------------

// @ts-ignore: decorator
@inline export const T_KIND: usize = 0;
// @ts-ignore: decorator
@inline export const T_ORDER: usize = 4;
// @ts-ignore: decorator
@inline export const T_ROOT: usize = 8;
// @ts-ignore: decorator
@inline export const T_HEIGHT: usize = 12;
// @ts-ignore: decorator
@inline export const T_SIZE: usize = 16;
// @ts-ignore: decorator
@inline export const T_FIRST: usize = 20;
// @ts-ignore: decorator
@inline export const T_LAST: usize = 24;
// @ts-ignore: decorator
@inline export const T_NODEBYTES: usize = 28;
// @ts-ignore: decorator
@inline export const T_VALS: usize = 32;
/** Free-node pool: singly linked through each node's first word. */
// @ts-ignore: decorator
@inline export const T_POOL: usize = 36;
// @ts-ignore: decorator
@inline export const T_POOLN: usize = 40;
/** u64: bytes of all blocks the tree holds (TLSF block size + 4-byte header each). */
// @ts-ignore: decorator
@inline export const T_MEM: usize = 48;
// @ts-ignore: decorator
@inline export const TREE_BYTES: usize = 64;

// ---- node layout ---------------------------------------------------------------------

// @ts-ignore: decorator
@inline const N_COUNT: usize = 0;
// @ts-ignore: decorator
@inline export const N_LEAF: usize = 4;
// @ts-ignore: decorator
@inline export const N_PREV: usize = 8;
// @ts-ignore: decorator
@inline export const N_NEXT: usize = 12;
// @ts-ignore: decorator
@inline const N_KEYS: usize = 16;

/** Deepest tree the path buffers hold (order 4 needs ~log2(n) levels). */
// @ts-ignore: decorator
@inline export const MAX_DEPTH: i32 = 48;
/** btreeBulkLoad* failures (nothing changed): t is 0, of the other key kind or not empty; */
// @ts-ignore: decorator
@inline export const BULK_REFUSED: i32 = -1;
/** keys not strictly ascending; */
// @ts-ignore: decorator
@inline export const BULK_UNSORTED: i32 = -2;
/** the tree would not fit below 4 GiB. */
// @ts-ignore: decorator
@inline const BULK_NO_ROOM: i32 = -3;
/** Nodes freed by merges that a tree keeps for its next splits. */
// @ts-ignore: decorator
@inline const POOL_CAP: u32 = 4;

const PATH_N = memory.data(MAX_DEPTH * 4, 16);
const PATH_I = memory.data(MAX_DEPTH * 4, 16);
/** Scratch entries: the key being inserted, a new separator, a key moving up. */
const NEW_ENT = memory.data(32, 16);
const SEP_ENT = memory.data(32, 16);
const UP_ENT = memory.data(32, 16);

/** String entry fields and the inline byte count. */
// @ts-ignore: decorator
@inline export const E_P1: usize = 8;
// @ts-ignore: decorator
@inline export const E_PTR: usize = 16;
// @ts-ignore: decorator
@inline export const E_LEN: usize = 20;
// @ts-ignore: decorator
@inline export const INLINE_BYTES: u32 = 16;
// @ts-ignore: decorator
@inline export const STR_KS: usize = 24;

// ---- per-call state ------------------------------------------------------------------

/** Order, minimum fill (ceil(order/2)) and node vals offset of the tree being worked on. */
let gM: i32 = 0;
let gMin: i32 = 0;
let gVals: usize = 0;

/** The query key. */
let qNum: f64 = 0;
let qPtr: usize = 0;
let qLen: u32 = 0;
let qP0: u64 = 0;
let qP1: u64 = 0;

/** Last descent: tree (0 = none), leaf, bounding separator entries (0 = unbounded). */
let cT: usize = 0;
let cLeaf: usize = 0;
let cLoE: usize = 0;
let cHiE: usize = 0;

export function bind(t: usize): void {
  gM = load<i32>(t, T_ORDER);
  gMin = (gM + 1) >> 1;
  gVals = <usize>load<u32>(t, T_VALS);
}

export function setQueryNum(x: f64): void {
  qNum = x + 0.0;
}

export function setQueryStr(p: usize, len: u32): void {
  qPtr = p;
  qLen = len;
  qP0 = prefixOf(p, len);
  qP1 = len > 8 ? prefixOf(p + 8, len - 8) : 0;
}

// ---- small helpers -------------------------------------------------------------------

// @ts-ignore: decorator
@inline function KS<K>(): usize {
  return isFloat<K>() ? 8 : STR_KS;
}

// @ts-ignore: decorator
@inline export function keyAt<K>(n: usize, i: i32): usize {
  return n + N_KEYS + (isFloat<K>() ? <usize>i << 3 : <usize>i * STR_KS);
}

// @ts-ignore: decorator
@inline export function valAt(n: usize, i: i32): usize {
  return n + gVals + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline export function cnt(n: usize): i32 {
  return load<i32>(n, N_COUNT);
}

// @ts-ignore: decorator
@inline function setCnt(n: usize, c: i32): void {
  store<i32>(n, c, N_COUNT);
}

// @ts-ignore: decorator
@inline export function child(n: usize, i: i32): usize {
  return <usize>load<u32>(valAt(n, i));
}

// @ts-ignore: decorator
@inline function pathNode(level: i32): usize {
  return <usize>load<u32>(PATH_N + (<usize>level << 2));
}

// @ts-ignore: decorator
@inline function pathIdx(level: i32): i32 {
  return load<i32>(PATH_I + (<usize>level << 2));
}

/** Bytes a heap block occupies: TLSF payload size plus its 4-byte header. */
// @ts-ignore: decorator
@inline export function blockBytes(p: usize): u64 {
  return <u64>((load<usize>(p - 4) & ~(<usize>3)) + 4);
}

// @ts-ignore: decorator
@inline function addMem(t: usize, p: usize): void {
  store<u64>(t, load<u64>(t, T_MEM) + blockBytes(p), T_MEM);
}

// @ts-ignore: decorator
@inline function freeBlock(t: usize, p: usize): void {
  store<u64>(t, load<u64>(t, T_MEM) - blockBytes(p), T_MEM);
  heap.free(p);
}

/** First min(len, 8) bytes at p, big-endian, zero padded. */
export function prefixOf(p: usize, len: u32): u64 {
  if (len >= 8) return bswap<u64>(load<u64>(p));
  let v: u64 = 0;
  for (let i: u32 = 0; i < len; i++) v = (v << 8) | <u64>load<u8>(p + i);
  return len ? v << (<u64>(8 - len) << 3) : 0;
}

/** memcmp sign over n bytes. */
export function bytesCmp(a: usize, b: usize, n: usize): i32 {
  while (n >= 8) {
    const x = load<u64>(a), y = load<u64>(b);
    if (x != y) return bswap<u64>(x) < bswap<u64>(y) ? -1 : 1;
    a += 8; b += 8; n -= 8;
  }
  while (n) {
    const x = <i32>load<u8>(a), y = <i32>load<u8>(b);
    if (x != y) return x - y;
    a++; b++; n--;
  }
  return 0;
}

/** Compares two strings whose first 16 (padded) bytes are known equal. */
// @ts-ignore: decorator
@inline function cmpTail(ap: usize, al: u32, bp: usize, bl: u32): i32 {
  const m = min(al, bl);
  if (m > INLINE_BYTES) {
    const r = bytesCmp(ap + INLINE_BYTES, bp + INLINE_BYTES, <usize>(m - INLINE_BYTES));
    if (r) return r;
  }
  return al < bl ? -1 : i32(al > bl);
}

/** sign(query - entry). */
// @ts-ignore: decorator
@inline export function cmpQ<K>(e: usize): i32 {
  if (isFloat<K>()) {
    const k = load<f64>(e);
    return i32(qNum > k) - i32(qNum < k);
  } else {
    const p0 = load<u64>(e);
    if (qP0 != p0) return qP0 < p0 ? -1 : 1;
    const p1 = load<u64>(e, E_P1);
    if (qP1 != p1) return qP1 < p1 ? -1 : 1;
    return cmpTail(qPtr, qLen, <usize>load<u32>(e, E_PTR), load<u32>(e, E_LEN));
  }
}

/** sign(a - b) for two entries. */
export function cmpEnt<K>(a: usize, b: usize): i32 {
  if (isFloat<K>()) {
    const x = load<f64>(a), y = load<f64>(b);
    return i32(x > y) - i32(x < y);
  } else {
    const a0 = load<u64>(a), b0 = load<u64>(b);
    if (a0 != b0) return a0 < b0 ? -1 : 1;
    const a1 = load<u64>(a, E_P1), b1 = load<u64>(b, E_P1);
    if (a1 != b1) return a1 < b1 ? -1 : 1;
    return cmpTail(
      <usize>load<u32>(a, E_PTR), load<u32>(a, E_LEN), <usize>load<u32>(b, E_PTR), load<u32>(b, E_LEN),
    );
  }
}

/**
 * In-node search: branch-free binary steps narrow the keys to a window of at most LIN_*
 * keys, which is then counted branch-free (independent loads; on cold nodes this beats a
 * chain of dependent probes). Measured best: 64 with SIMD, 16 scalar for numbers; 64 for
 * string heads either way.
 */
// @ts-ignore: decorator
@inline const LIN_SIMD: i32 = 64;
// @ts-ignore: decorator
@inline const LIN_SCALAR: i32 = 16;
// @ts-ignore: decorator
@inline const LIN_STR: i32 = 64;

/** Counts the c f64 keys at p that are < x (or <= x with le). */
// @ts-ignore: decorator
@inline function countNum(p: usize, c: i32, x: f64, le: bool): i32 {
  let i = 0;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    const vx = f64x2.splat(x);
    let acc = i64x2.splat(0);
    for (; i + 2 <= c; i += 2) {
      const v = v128.load(p + (<usize>i << 3));
      acc = i64x2.sub(acc, le ? f64x2.le(v, vx) : f64x2.lt(v, vx));
    }
    r = <i32>(i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1));
  }
  for (; i < c; i++) {
    const v = load<f64>(p + (<usize>i << 3));
    r += le ? i32(v <= x) : i32(v < x);
  }
  return r;
}

/** Number of the c f64 keys at p that are < x (or <= x with le). */
// @ts-ignore: decorator
@inline function rankNum(p: usize, c: i32, x: f64, le: bool): i32 {
  let lo = 0;
  let len = c;
  while (len > (ASC_FEATURE_SIMD ? LIN_SIMD : LIN_SCALAR)) {
    const half = len >>> 1;
    const k = load<f64>(p + (<usize>(lo + half) << 3));
    const go = le ? k <= x : k < x;
    lo = select<i32>(lo + half + 1, lo, go);
    len = select<i32>(len - half - 1, half, go);
  }
  return lo + countNum(p + (<usize>lo << 3), len, x, le);
}

/** Number of the c string entries at p whose first 8 bytes (p0) are below q (unsigned). */
// @ts-ignore: decorator
@inline function rankP0(p: usize, c: i32, q: u64): i32 {
  let lo = 0;
  let len = c;
  while (len > LIN_STR) {
    const half = len >>> 1;
    const go = load<u64>(p + <usize>(lo + half) * STR_KS) < q;
    lo = select<i32>(lo + half + 1, lo, go);
    len = select<i32>(len - half - 1, half, go);
  }
  p += <usize>lo * STR_KS;
  let i = 0;
  let r = 0;
  if (ASC_FEATURE_SIMD) {
    // Unsigned compare via the signed one: flip the top bits of both sides.
    const sign = i64x2.splat(<i64>0x8000000000000000);
    const vq = v128.xor(i64x2.splat(<i64>q), sign);
    let acc = i64x2.splat(0);
    for (; i + 2 <= len; i += 2) {
      const e = p + <usize>i * STR_KS;
      const v = v128.load64_lane(e + STR_KS, v128.load64_zero(e), 1);
      acc = i64x2.sub(acc, i64x2.lt_s(v128.xor(v, sign), vq));
    }
    r = <i32>(i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1));
  }
  for (; i < len; i++) r += i32(load<u64>(p + <usize>i * STR_KS) < q);
  return lo + r;
}

/** Index of the first key >= query (lower bound) among n's c keys. */
// @ts-ignore: decorator
@inline function lowerBoundQ<K>(n: usize, c: i32): i32 {
  if (isFloat<K>()) {
    return rankNum(n + N_KEYS, c, qNum, false);
  } else {
    // Entries whose first 8 bytes are below the query's come first; only entries that tie
    // on them need full comparisons.
    let lo = rankP0(n + N_KEYS, c, qP0), hi = c;
    if (lo == c || load<u64>(keyAt<K>(n, lo)) != qP0) return lo;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpQ<K>(keyAt<K>(n, mid)) > 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Index of the first key > query (upper bound) among n's c keys. */
// @ts-ignore: decorator
@inline function upperBoundQ<K>(n: usize, c: i32): i32 {
  if (isFloat<K>()) {
    return rankNum(n + N_KEYS, c, qNum, true);
  } else {
    // Entries whose first 8 bytes are below the query's come first; only entries that tie
    // on them need full comparisons.
    let lo = rankP0(n + N_KEYS, c, qP0), hi = c;
    if (lo == c || load<u64>(keyAt<K>(n, lo)) != qP0) return lo;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpQ<K>(keyAt<K>(n, mid)) >= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Length of the shortest prefix of b that is > a (string entries, a < b). */
function sepLen(a: usize, b: usize): u32 {
  const al = load<u32>(a, E_LEN), bl = load<u32>(b, E_LEN);
  const lim = min(al, bl);
  let c: u32;
  const x0 = load<u64>(a) ^ load<u64>(b);
  const x1 = load<u64>(a, E_P1) ^ load<u64>(b, E_P1);
  if (x0 != 0) {
    c = <u32>(clz<u64>(x0) >> 3);
  } else if (x1 != 0) {
    c = 8 + <u32>(clz<u64>(x1) >> 3);
  } else {
    c = INLINE_BYTES;
    if (lim > INLINE_BYTES) {
      const pa = <usize>load<u32>(a, E_PTR), pb = <usize>load<u32>(b, E_PTR);
      while (c + 8 <= lim && load<u64>(pa + c) == load<u64>(pb + c)) c += 8;
      while (c < lim && load<u8>(pa + c) == load<u8>(pb + c)) c++;
    }
  }
  if (c > lim) c = lim;
  return c + 1;
}

/** Keeps the first s bytes of a big-endian prefix word that holds bytes [base, base + 8). */
// @ts-ignore: decorator
@inline function keepBytes(v: u64, s: u32): u64 {
  return s >= 8 ? v : s == 0 ? 0 : v & (~(<u64>0) << (<u64>(8 - s) << 3));
}

/** Writes to dst the entry for the first s bytes of string entry b. False on OOM. */
function makeSep(t: usize, dst: usize, b: usize, s: u32): bool {
  let p: usize = 0;
  if (s > INLINE_BYTES) {
    p = alloc(<usize>s);
    if (!p) return false;
    addMem(t, p);
    memory.copy(p, <usize>load<u32>(b, E_PTR), <usize>s);
  }
  store<u64>(dst, keepBytes(load<u64>(b), s));
  store<u64>(dst, s > 8 ? keepBytes(load<u64>(b, E_P1), s - 8) : 0, E_P1);
  store<u32>(dst, <u32>p, E_PTR);
  store<u32>(dst, s, E_LEN);
  return true;
}

/**
 * Fills string entry e for the len bytes at src (a block copy when len > 16). False on
 * OOM (nothing allocated).
 */
function makeEntry(t: usize, e: usize, src: usize, len: u32): bool {
  let p: usize = 0;
  if (len > INLINE_BYTES) {
    p = alloc(<usize>len);
    if (!p) return false;
    addMem(t, p);
    memory.copy(p, src, <usize>len);
  }
  store<u64>(e, prefixOf(src, len));
  store<u64>(e, len > 8 ? prefixOf(src + 8, len - 8) : 0, E_P1);
  store<u32>(e, <u32>p, E_PTR);
  store<u32>(e, len, E_LEN);
  return true;
}

/** Frees the bytes a string entry owns. */
// @ts-ignore: decorator
@inline function freeKey(t: usize, e: usize): void {
  if (load<u32>(e, E_LEN) > INLINE_BYTES) freeBlock(t, <usize>load<u32>(e, E_PTR));
}

// ---- nodes ---------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function initNode(n: usize, leaf: u32): void {
  store<u32>(n, 0, N_COUNT);
  store<u32>(n, leaf, N_LEAF);
  store<u32>(n, 0, N_PREV);
  store<u32>(n, 0, N_NEXT);
}

/** A node block from the pool or the allocator; 0 on OOM. */
function takeNode(t: usize): usize {
  let n = <usize>load<u32>(t, T_POOL);
  if (n) {
    store<u32>(t, load<u32>(n), T_POOL);
    store<u32>(t, load<u32>(t, T_POOLN) - 1, T_POOLN);
    return n;
  }
  n = alloc(<usize>load<u32>(t, T_NODEBYTES));
  if (n) addMem(t, n);
  return n;
}

function giveNode(t: usize, n: usize): void {
  const pn = load<u32>(t, T_POOLN);
  if (pn < POOL_CAP) {
    store<u32>(n, load<u32>(t, T_POOL));
    store<u32>(t, <u32>n, T_POOL);
    store<u32>(t, pn + 1, T_POOLN);
  } else {
    freeBlock(t, n);
  }
}

/** Makes the pool hold at least `need` nodes. False on OOM (what was added stays pooled). */
function reserve(t: usize, need: u32): bool {
  while (load<u32>(t, T_POOLN) < need) {
    const n = alloc(<usize>load<u32>(t, T_NODEBYTES));
    if (!n) return false;
    addMem(t, n);
    store<u32>(n, load<u32>(t, T_POOL));
    store<u32>(t, <u32>n, T_POOL);
    store<u32>(t, load<u32>(t, T_POOLN) + 1, T_POOLN);
  }
  return true;
}

function unlinkLeaf(t: usize, n: usize): void {
  const p = <usize>load<u32>(n, N_PREV), x = <usize>load<u32>(n, N_NEXT);
  if (p) store<u32>(p, <u32>x, N_NEXT);
  else store<u32>(t, <u32>x, T_FIRST);
  if (x) store<u32>(x, <u32>p, N_PREV);
  else store<u32>(t, <u32>p, T_LAST);
}

// ---- descent -------------------------------------------------------------------------

/** Leaf for the query key (root must exist); fills the path and the cache. */
function descend<K>(t: usize): usize {
  let n = <usize>load<u32>(t, T_ROOT);
  const h = load<i32>(t, T_HEIGHT);
  let lo: usize = 0, hi: usize = 0;
  for (let l = 0; l < h - 1; l++) {
    const c = cnt(n);
    const i = upperBoundQ<K>(n, c);
    if (i > 0) lo = keyAt<K>(n, i - 1);
    if (i < c) hi = keyAt<K>(n, i);
    store<u32>(PATH_N + (<usize>l << 2), <u32>n);
    store<i32>(PATH_I + (<usize>l << 2), i);
    n = child(n, i);
  }
  cT = t;
  cLeaf = n;
  cLoE = lo;
  cHiE = hi;
  return n;
}

/** Leaf for the query key, reusing the last descent when the key falls inside its leaf. */
// @ts-ignore: decorator
@inline function locate<K>(t: usize): usize {
  if (cT == t && (cLoE == 0 || cmpQ<K>(cLoE) >= 0) && (cHiE == 0 || cmpQ<K>(cHiE) < 0)) return cLeaf;
  return descend<K>(t);
}

// ---- lookup --------------------------------------------------------------------------

export function findQ<K>(t: usize): i32 {
  if (!load<u32>(t, T_ROOT)) return -1;
  const leaf = locate<K>(t);
  const c = cnt(leaf);
  const p = lowerBoundQ<K>(leaf, c);
  if (p < c) {
    if (isFloat<K>()) {
      if (load<f64>(keyAt<K>(leaf, p)) == qNum) return load<i32>(valAt(leaf, p));
    } else {
      if (cmpQ<K>(keyAt<K>(leaf, p)) == 0) return load<i32>(valAt(leaf, p));
    }
  }
  return -1;
}

// ---- insert --------------------------------------------------------------------------

/** Entry j of the leaf as it would be with NEW_ENT inserted at p. */
// @ts-ignore: decorator
@inline function virt<K>(leaf: usize, j: i32, p: i32): usize {
  return j < p ? keyAt<K>(leaf, j) : j == p ? NEW_ENT : keyAt<K>(leaf, j - 1);
}

/** Inserts query → slot if absent (-1), else returns the existing slot; STATUS_OUT_OF_MEMORY on OOM. */
export function insertQ<K>(t: usize, slot: u32): i32 {
  const root = <usize>load<u32>(t, T_ROOT);
  let leaf: usize = 0;
  let c = 0, p = 0;
  if (root) {
    leaf = locate<K>(t);
    c = cnt(leaf);
    p = lowerBoundQ<K>(leaf, c);
    if (p < c) {
      if (isFloat<K>()) {
        if (load<f64>(keyAt<K>(leaf, p)) == qNum) return load<i32>(valAt(leaf, p));
      } else {
        if (cmpQ<K>(keyAt<K>(leaf, p)) == 0) return load<i32>(valAt(leaf, p));
      }
    }
  }
  // The new entry (string bytes copied first: nothing has changed if this fails).
  let kp: usize = 0;
  if (isFloat<K>()) {
    store<f64>(NEW_ENT, qNum);
  } else {
    if (!makeEntry(t, NEW_ENT, qPtr, qLen)) return STATUS_OUT_OF_MEMORY;
    kp = <usize>load<u32>(NEW_ENT, E_PTR);
  }
  if (!root) {
    const n = takeNode(t);
    if (!n) {
      if (kp) freeBlock(t, kp);
      return STATUS_OUT_OF_MEMORY;
    }
    initNode(n, 1);
    memory.copy(keyAt<K>(n, 0), NEW_ENT, KS<K>());
    store<u32>(valAt(n, 0), slot);
    setCnt(n, 1);
    store<u32>(t, <u32>n, T_ROOT);
    store<u32>(t, 1, T_HEIGHT);
    store<u32>(t, <u32>n, T_FIRST);
    store<u32>(t, <u32>n, T_LAST);
    store<u32>(t, 1, T_SIZE);
    cT = 0;
    return -1;
  }
  const split = c == gM;
  if (split) {
    // Nodes for the leaf split and every full ancestor (plus a new root).
    let need: u32 = 1;
    let l = load<i32>(t, T_HEIGHT) - 2;
    while (l >= 0 && cnt(pathNode(l)) == gM - 1) { need++; l--; }
    if (l < 0) need++;
    const nl = (gM + 2) >> 1;
    if (!reserve(t, need)) {
      if (kp) freeBlock(t, kp);
      return STATUS_OUT_OF_MEMORY;
    }
    if (isFloat<K>()) {
      store<f64>(SEP_ENT, load<f64>(virt<K>(leaf, nl, p)));
    } else {
      const a = virt<K>(leaf, nl - 1, p), b = virt<K>(leaf, nl, p);
      if (!makeSep(t, SEP_ENT, b, sepLen(a, b))) {
        if (kp) freeBlock(t, kp);
        return STATUS_OUT_OF_MEMORY;
      }
    }
  }
  const ks = KS<K>();
  if (p < c) {
    memory.copy(keyAt<K>(leaf, p + 1), keyAt<K>(leaf, p), <usize>(c - p) * ks);
    memory.copy(valAt(leaf, p + 1), valAt(leaf, p), <usize>(c - p) << 2);
  }
  if (isFloat<K>()) store<f64>(keyAt<K>(leaf, p), qNum);
  else memory.copy(keyAt<K>(leaf, p), NEW_ENT, STR_KS);
  store<u32>(valAt(leaf, p), slot);
  setCnt(leaf, c + 1);
  store<u32>(t, load<u32>(t, T_SIZE) + 1, T_SIZE);
  if (split) splitLeaf<K>(t, leaf);
  return -1;
}

/** Splits a leaf holding order + 1 keys; SEP_ENT holds the separator. */
function splitLeaf<K>(t: usize, leaf: usize): void {
  const ks = KS<K>();
  const nl = (gM + 2) >> 1;
  const nr = gM + 1 - nl;
  const r = takeNode(t); // reserved
  initNode(r, 1);
  memory.copy(keyAt<K>(r, 0), keyAt<K>(leaf, nl), <usize>nr * ks);
  memory.copy(valAt(r, 0), valAt(leaf, nl), <usize>nr << 2);
  setCnt(r, nr);
  setCnt(leaf, nl);
  const nx = <usize>load<u32>(leaf, N_NEXT);
  store<u32>(r, <u32>nx, N_NEXT);
  store<u32>(r, <u32>leaf, N_PREV);
  if (nx) store<u32>(nx, <u32>r, N_PREV);
  else store<u32>(t, <u32>r, T_LAST);
  store<u32>(leaf, <u32>r, N_NEXT);
  cT = 0;
  insertUp<K>(t, load<i32>(t, T_HEIGHT) - 2, SEP_ENT, r);
}

/** Inserts separator sepE and right child r after path child at `level`, splitting up. */
function insertUp<K>(t: usize, level: i32, sepE: usize, r: usize): void {
  const ks = KS<K>();
  while (true) {
    if (level < 0) {
      const nr = takeNode(t); // reserved
      initNode(nr, 0);
      memory.copy(keyAt<K>(nr, 0), sepE, ks);
      store<u32>(valAt(nr, 0), load<u32>(t, T_ROOT));
      store<u32>(valAt(nr, 1), <u32>r);
      setCnt(nr, 1);
      store<u32>(t, <u32>nr, T_ROOT);
      store<u32>(t, load<u32>(t, T_HEIGHT) + 1, T_HEIGHT);
      return;
    }
    const P = pathNode(level);
    const i = pathIdx(level);
    const c = cnt(P);
    if (i < c) {
      memory.copy(keyAt<K>(P, i + 1), keyAt<K>(P, i), <usize>(c - i) * ks);
      memory.copy(valAt(P, i + 2), valAt(P, i + 1), <usize>(c - i) << 2);
    }
    memory.copy(keyAt<K>(P, i), sepE, ks);
    store<u32>(valAt(P, i + 1), <u32>r);
    setCnt(P, c + 1);
    if (c + 2 <= gM) return;
    // order + 1 children: left keeps ceil((order+1)/2), the middle key moves up.
    const lc = (gM + 2) >> 1;
    const rc = gM + 1 - lc;
    const R = takeNode(t); // reserved
    initNode(R, 0);
    memory.copy(keyAt<K>(R, 0), keyAt<K>(P, lc), <usize>(rc - 1) * ks);
    memory.copy(valAt(R, 0), valAt(P, lc), <usize>rc << 2);
    setCnt(R, rc - 1);
    setCnt(P, lc - 1);
    memory.copy(UP_ENT, keyAt<K>(P, lc - 1), ks);
    sepE = UP_ENT;
    r = R;
    level--;
  }
}

// ---- delete --------------------------------------------------------------------------

/** Removes the query key; its slot, or -1. */
export function removeQ<K>(t: usize): i32 {
  if (!load<u32>(t, T_ROOT)) return -1;
  const leaf = locate<K>(t);
  const c = cnt(leaf);
  const p = lowerBoundQ<K>(leaf, c);
  if (p >= c) return -1;
  if (isFloat<K>()) {
    if (load<f64>(keyAt<K>(leaf, p)) != qNum) return -1;
  } else {
    if (cmpQ<K>(keyAt<K>(leaf, p)) != 0) return -1;
  }
  const slot = load<i32>(valAt(leaf, p));
  if (!isFloat<K>()) freeKey(t, keyAt<K>(leaf, p));
  const rest = c - p - 1;
  if (rest > 0) {
    memory.copy(keyAt<K>(leaf, p), keyAt<K>(leaf, p + 1), <usize>rest * KS<K>());
    memory.copy(valAt(leaf, p), valAt(leaf, p + 1), <usize>rest << 2);
  }
  setCnt(leaf, c - 1);
  store<u32>(t, load<u32>(t, T_SIZE) - 1, T_SIZE);
  const h = load<i32>(t, T_HEIGHT);
  if (h == 1) {
    if (c == 1) {
      giveNode(t, leaf);
      store<u32>(t, 0, T_ROOT);
      store<u32>(t, 0, T_HEIGHT);
      store<u32>(t, 0, T_FIRST);
      store<u32>(t, 0, T_LAST);
      cT = 0;
    }
    return slot;
  }
  if (c - 1 < gMin) {
    cT = 0;
    fixLeaf<K>(t, leaf, h - 2);
  }
  return slot;
}

/** Removes key ki and child ki + 1 of internal node P (frees the key when asked). */
function dropKeyChild<K>(t: usize, P: usize, ki: i32, freeSep: bool): void {
  const pc = cnt(P);
  if (!isFloat<K>()) {
    if (freeSep) freeKey(t, keyAt<K>(P, ki));
  }
  const rest = pc - ki - 1;
  if (rest > 0) {
    memory.copy(keyAt<K>(P, ki), keyAt<K>(P, ki + 1), <usize>rest * KS<K>());
    memory.copy(valAt(P, ki + 1), valAt(P, ki + 2), <usize>rest << 2);
  }
  setCnt(P, pc - 1);
}

/** New separator between leaf entries a < b into SEP_ENT (strings may allocate). */
// @ts-ignore: decorator
@inline function leafSep<K>(t: usize, a: usize, b: usize): bool {
  if (isFloat<K>()) {
    store<f64>(SEP_ENT, load<f64>(b));
    return true;
  } else {
    return makeSep(t, SEP_ENT, b, sepLen(a, b));
  }
}

// @ts-ignore: decorator
@inline function replaceSep<K>(t: usize, e: usize): void {
  if (isFloat<K>()) {
    store<f64>(e, load<f64>(SEP_ENT));
  } else {
    freeKey(t, e);
    memory.copy(e, SEP_ENT, STR_KS);
  }
}

/**
 * Refills an underfull non-root leaf from a sibling or merges it. A borrow of string keys
 * needs a new separator; when that cannot be allocated a merge is tried instead (it needs
 * no memory), and only when no merge fits does the leaf stay underfull (still a valid
 * search tree). Rolling back a failed batch relies on this: it deletes what it inserted
 * while memory is at its limit.
 */
function fixLeaf<K>(t: usize, leaf: usize, level: i32): void {
  const ks = KS<K>();
  const P = pathNode(level);
  const i = pathIdx(level);
  const pc = cnt(P);
  const c = cnt(leaf);
  let L: usize = 0, R: usize = 0;
  let lc = 0, rc = 0;
  if (i > 0) {
    L = child(P, i - 1);
    lc = cnt(L);
    if (lc > gMin) {
      const k = (lc - c) >> 1;
      if (leafSep<K>(t, keyAt<K>(L, lc - k - 1), keyAt<K>(L, lc - k))) {
        replaceSep<K>(t, keyAt<K>(P, i - 1));
        memory.copy(keyAt<K>(leaf, k), keyAt<K>(leaf, 0), <usize>c * ks);
        memory.copy(valAt(leaf, k), valAt(leaf, 0), <usize>c << 2);
        memory.copy(keyAt<K>(leaf, 0), keyAt<K>(L, lc - k), <usize>k * ks);
        memory.copy(valAt(leaf, 0), valAt(L, lc - k), <usize>k << 2);
        setCnt(L, lc - k);
        setCnt(leaf, c + k);
        return;
      }
    }
  }
  if (i < pc) {
    R = child(P, i + 1);
    rc = cnt(R);
    if (rc > gMin) {
      const k = (rc - c) >> 1;
      if (leafSep<K>(t, keyAt<K>(R, k - 1), keyAt<K>(R, k))) {
        replaceSep<K>(t, keyAt<K>(P, i));
        memory.copy(keyAt<K>(leaf, c), keyAt<K>(R, 0), <usize>k * ks);
        memory.copy(valAt(leaf, c), valAt(R, 0), <usize>k << 2);
        memory.copy(keyAt<K>(R, 0), keyAt<K>(R, k), <usize>(rc - k) * ks);
        memory.copy(valAt(R, 0), valAt(R, k), <usize>(rc - k) << 2);
        setCnt(R, rc - k);
        setCnt(leaf, c + k);
        return;
      }
    }
  }
  // Siblings at minimum fill always fit a merge; after a failed borrow one may not.
  if (L && lc + c <= gM) {
    memory.copy(keyAt<K>(L, lc), keyAt<K>(leaf, 0), <usize>c * ks);
    memory.copy(valAt(L, lc), valAt(leaf, 0), <usize>c << 2);
    setCnt(L, lc + c);
    unlinkLeaf(t, leaf);
    giveNode(t, leaf);
    dropKeyChild<K>(t, P, i - 1, true);
  } else if (R && c + rc <= gM) {
    memory.copy(keyAt<K>(leaf, c), keyAt<K>(R, 0), <usize>rc * ks);
    memory.copy(valAt(leaf, c), valAt(R, 0), <usize>rc << 2);
    setCnt(leaf, c + rc);
    unlinkLeaf(t, R);
    giveNode(t, R);
    dropKeyChild<K>(t, P, i, true);
  } else {
    return;
  }
  afterDrop<K>(t, P, level);
}

/** After internal node P (at path level) lost a child: collapse the root or refill P. */
function afterDrop<K>(t: usize, P: usize, level: i32): void {
  const pc = cnt(P);
  if (level == 0) {
    if (pc == 0) {
      store<u32>(t, <u32>child(P, 0), T_ROOT);
      store<u32>(t, load<u32>(t, T_HEIGHT) - 1, T_HEIGHT);
      giveNode(t, P);
    }
    return;
  }
  if (pc + 1 >= gMin) return;
  fixInternal<K>(t, P, level - 1);
}

/** Refills an underfull non-root internal node N (parent at path level) or merges it. */
function fixInternal<K>(t: usize, N: usize, level: i32): void {
  const ks = KS<K>();
  const P = pathNode(level);
  const i = pathIdx(level);
  const nc = cnt(N);
  const nk = nc + 1;
  if (i > 0) {
    const L = child(P, i - 1);
    const lcn = cnt(L);
    const lk = lcn + 1;
    if (lk > gMin) {
      const k = (lk - nk) >> 1;
      memory.copy(keyAt<K>(N, k), keyAt<K>(N, 0), <usize>nc * ks);
      memory.copy(valAt(N, k), valAt(N, 0), <usize>nk << 2);
      memory.copy(keyAt<K>(N, k - 1), keyAt<K>(P, i - 1), ks);
      if (k > 1) memory.copy(keyAt<K>(N, 0), keyAt<K>(L, lcn - k + 1), <usize>(k - 1) * ks);
      memory.copy(valAt(N, 0), valAt(L, lk - k), <usize>k << 2);
      memory.copy(keyAt<K>(P, i - 1), keyAt<K>(L, lcn - k), ks);
      setCnt(L, lcn - k);
      setCnt(N, nc + k);
      return;
    }
  }
  if (i < cnt(P)) {
    const R = child(P, i + 1);
    const rcn = cnt(R);
    const rk = rcn + 1;
    if (rk > gMin) {
      const k = (rk - nk) >> 1;
      memory.copy(keyAt<K>(N, nc), keyAt<K>(P, i), ks);
      if (k > 1) memory.copy(keyAt<K>(N, nc + 1), keyAt<K>(R, 0), <usize>(k - 1) * ks);
      memory.copy(valAt(N, nk), valAt(R, 0), <usize>k << 2);
      memory.copy(keyAt<K>(P, i), keyAt<K>(R, k - 1), ks);
      memory.copy(keyAt<K>(R, 0), keyAt<K>(R, k), <usize>(rcn - k) * ks);
      memory.copy(valAt(R, 0), valAt(R, k), <usize>(rk - k) << 2);
      setCnt(R, rcn - k);
      setCnt(N, nc + k);
      return;
    }
  }
  if (i > 0) {
    const L = child(P, i - 1);
    const lcn = cnt(L);
    memory.copy(keyAt<K>(L, lcn), keyAt<K>(P, i - 1), ks);
    memory.copy(keyAt<K>(L, lcn + 1), keyAt<K>(N, 0), <usize>nc * ks);
    memory.copy(valAt(L, lcn + 1), valAt(N, 0), <usize>nk << 2);
    setCnt(L, lcn + 1 + nc);
    giveNode(t, N);
    dropKeyChild<K>(t, P, i - 1, false);
  } else {
    const R = child(P, i + 1);
    const rcn = cnt(R);
    memory.copy(keyAt<K>(N, nc), keyAt<K>(P, i), ks);
    memory.copy(keyAt<K>(N, nc + 1), keyAt<K>(R, 0), <usize>rcn * ks);
    memory.copy(valAt(N, nk), valAt(R, 0), <usize>(rcn + 1) << 2);
    setCnt(N, nc + 1 + rcn);
    giveNode(t, R);
    dropKeyChild<K>(t, P, i, false);
  }
  afterDrop<K>(t, P, level);
}

// ---- clear ---------------------------------------------------------------------------

function freeSubtree<K>(n: usize, depth: i32, h: i32): void {
  const c = cnt(n);
  if (!isFloat<K>()) {
    for (let i = 0; i < c; i++) {
      const e = keyAt<K>(n, i);
      if (load<u32>(e, E_LEN) > INLINE_BYTES) heap.free(<usize>load<u32>(e, E_PTR));
    }
  }
  if (depth < h - 1) {
    for (let i = 0; i <= c; i++) freeSubtree<K>(child(n, i), depth + 1, h);
  }
  heap.free(n);
}

/** Frees every node, key and pooled node; the tree is empty afterwards. */
export function clearTree(t: usize): void {
  const root = <usize>load<u32>(t, T_ROOT);
  if (root) {
    const h = load<i32>(t, T_HEIGHT);
    if (load<i32>(t, T_KIND) == KEY_NUMBER) freeSubtree<f64>(root, 0, h);
    else freeSubtree<u64>(root, 0, h);
  }
  let n = <usize>load<u32>(t, T_POOL);
  while (n) {
    const nx = <usize>load<u32>(n);
    heap.free(n);
    n = nx;
  }
  store<u32>(t, 0, T_ROOT);
  store<u32>(t, 0, T_HEIGHT);
  store<u32>(t, 0, T_SIZE);
  store<u32>(t, 0, T_FIRST);
  store<u32>(t, 0, T_LAST);
  store<u32>(t, 0, T_POOL);
  store<u32>(t, 0, T_POOLN);
  store<u64>(t, blockBytes(t), T_MEM);
  cT = 0;
}

// ---- bulk load -----------------------------------------------------------------------

/** Nodes per level: full except the last two, which share the rest (each >= ceil(m/2)). */
// @ts-ignore: decorator
@inline function levelShare(j: i32, nodes: i32, total: i32, m: i32): i32 {
  if (nodes == 1) return total;
  if (j < nodes - 2) return m;
  const r = total - (nodes - 2) * m;
  return j == nodes - 2 ? (r + 1) >> 1 : r >> 1;
}

/**
 * Builds the tree bottom-up from n strictly ascending keys (tree empty, checked by the
 * caller). Numbers: keys = f64[n]. Strings: keys = bytes, offs = u32[n + 1].
 * 0 on success, BULK_NO_ROOM when an allocation failed (everything built is freed again).
 */
export function bulkLoad<K>(t: usize, keys: usize, offs: usize, slots: usize, n: i32): i32 {
  const m = gM;
  const ks = KS<K>();
  const L = (n + m - 1) / m;
  // No page-count pre-flight: it refused bulk loads whenever memory had grown near 4 GiB,
  // free blocks or not. Every allocation below is checked instead, and a failure undoes
  // what was built (reserve / unbuild). The index arrays are sized in u64 so they cannot wrap.
  if (<u64>L * <u64>ks > <u64>(1 << 30)) return BULK_NO_ROOM;
  const nodes = alloc(<usize>L << 2);
  const seps = alloc(<usize>L * ks);
  // Every node comes out of the pool, reserved here, so only string key blocks can fail below.
  let total = L;
  for (let c = L; c > 1; ) {
    c = (c + m - 1) / m;
    total += c;
  }
  const pool0 = load<u32>(t, T_POOLN);
  if (!nodes || !seps || !reserve(t, <u32>total)) {
    trimPool(t, pool0);
    if (nodes) heap.free(nodes);
    if (seps) heap.free(seps);
    return BULK_NO_ROOM;
  }
  let idx = 0;
  let prev: usize = 0;
  for (let j = 0; j < L; j++) {
    const k = levelShare(j, L, n, m);
    const leaf = takeNode(t);
    initNode(leaf, 1);
    store<u32>(nodes + (<usize>j << 2), <u32>leaf);
    for (let q = 0; q < k; q++) {
      const e = keyAt<K>(leaf, q);
      if (isFloat<K>()) {
        store<f64>(e, load<f64>(keys + (<usize>(idx + q) << 3)) + 0.0);
      } else {
        const s = <usize>load<u32>(offs + (<usize>(idx + q) << 2));
        const len = load<u32>(offs + (<usize>(idx + q) << 2), 4) - <u32>s;
        if (!makeEntry(t, e, keys + s, len)) return unbuild(t, nodes, seps, j, q, pool0);
      }
    }
    memory.copy(valAt(leaf, 0), slots + (<usize>idx << 2), <usize>k << 2);
    setCnt(leaf, k);
    if (prev) {
      store<u32>(prev, <u32>leaf, N_NEXT);
      store<u32>(leaf, <u32>prev, N_PREV);
      const d = seps + <usize>j * ks;
      if (isFloat<K>()) store<f64>(d, load<f64>(keyAt<K>(leaf, 0)));
      else {
        const a = keyAt<K>(prev, cnt(prev) - 1), b = keyAt<K>(leaf, 0);
        if (!makeSep(t, d, b, sepLen(a, b))) return unbuild(t, nodes, seps, j, k, pool0);
      }
    }
    prev = leaf;
    idx += k;
  }
  store<u32>(t, load<u32>(nodes), T_FIRST);
  store<u32>(t, <u32>prev, T_LAST);
  let h = 1;
  let c = L;
  while (c > 1) {
    const P = (c + m - 1) / m;
    let s = 0;
    for (let g = 0; g < P; g++) {
      const k = levelShare(g, P, c, m);
      const node = takeNode(t);
      initNode(node, 0);
      memory.copy(keyAt<K>(node, 0), seps + <usize>(s + 1) * ks, <usize>(k - 1) * ks);
      memory.copy(valAt(node, 0), nodes + (<usize>s << 2), <usize>k << 2);
      setCnt(node, k - 1);
      if (g > 0) memory.copy(seps + <usize>g * ks, seps + <usize>s * ks, ks);
      store<u32>(nodes + (<usize>g << 2), <u32>node);
      s += k;
    }
    c = P;
    h++;
  }
  store<u32>(t, load<u32>(nodes), T_ROOT);
  store<u32>(t, h, T_HEIGHT);
  store<u32>(t, n, T_SIZE);
  heap.free(nodes);
  heap.free(seps);
  cT = 0;
  return 0;
}

/** Frees pooled nodes until the pool holds `keep`. */
function trimPool(t: usize, keep: u32): void {
  while (load<u32>(t, T_POOLN) > keep) {
    const n = <usize>load<u32>(t, T_POOL);
    store<u32>(t, load<u32>(n), T_POOL);
    store<u32>(t, load<u32>(t, T_POOLN) - 1, T_POOLN);
    freeBlock(t, n);
  }
}

/**
 * Undoes a string bulk load whose key or separator block could not be allocated at leaf
 * j (q of its entries made; seps exist for leaves 1..j-1, and for j when q == its count):
 * frees every block made so far and the reserved nodes; the tree is empty again.
 */
function unbuild(t: usize, nodes: usize, seps: usize, j: i32, q: i32, pool0: u32): i32 {
  for (let jj = 0; jj <= j; jj++) {
    const leaf = <usize>load<u32>(nodes + (<usize>jj << 2));
    const c = jj < j ? cnt(leaf) : q;
    for (let x = 0; x < c; x++) freeKey(t, keyAt<u64>(leaf, x));
    if (jj > 0 && jj < j) freeKey(t, seps + <usize>jj * STR_KS);
    freeBlock(t, leaf);
  }
  trimPool(t, pool0);
  heap.free(nodes);
  heap.free(seps);
  cT = 0;
  return BULK_NO_ROOM;
}

// ---- scans ---------------------------------------------------------------------------

/** Writes string entry e (length len) to dst. */
export function writeKey(dst: usize, e: usize, len: u32): void {
  if (len > INLINE_BYTES) {
    memory.copy(dst, <usize>load<u32>(e, E_PTR), <usize>len);
  } else if (len == INLINE_BYTES) {
    store<u64>(dst, bswap<u64>(load<u64>(e)));
    store<u64>(dst, bswap<u64>(load<u64>(e, E_P1)), 8);
  } else {
    let pre = load<u64>(e);
    for (let i: u32 = 0; i < len; i++) {
      if (i == 8) pre = load<u64>(e, E_P1);
      store<u8>(dst + i, <u8>(pre >> (<u64>(56 - ((i & 7) << 3)))));
    }
  }
}

/** Leaf and index of the first key >= (incl) or > (!incl) query; leaf 0 if none. */
let sLeaf: usize = 0;
let sPos: i32 = 0;

export function seekForward<K>(t: usize, incl: bool): void {
  let leaf = locate<K>(t);
  const c = cnt(leaf);
  let p = incl ? lowerBoundQ<K>(leaf, c) : upperBoundQ<K>(leaf, c);
  if (p >= c) {
    leaf = <usize>load<u32>(leaf, N_NEXT);
    p = 0;
  }
  sLeaf = leaf;
  sPos = p;
}

/** Leaf and index of the last key <= (incl) or < (!incl) query; leaf 0 if none. */
export function seekBackward<K>(t: usize, incl: bool): void {
  let leaf = locate<K>(t);
  const c = cnt(leaf);
  let p = (incl ? upperBoundQ<K>(leaf, c) : lowerBoundQ<K>(leaf, c)) - 1;
  if (p < 0) {
    leaf = <usize>load<u32>(leaf, N_PREV);
    p = leaf ? cnt(leaf) - 1 : 0;
  }
  sLeaf = leaf;
  sPos = p;
}

export function seekLeaf(): usize {
  return sLeaf;
}

export function seekPos(): i32 {
  return sPos;
}
