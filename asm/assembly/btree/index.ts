// B+ tree exports (ABI in asm/README.md, "B+ tree"). t is a tree pointer from btreeNew.

import { alloc } from "../memory";
import {
  KEY_NUMBER, KEY_STRING, STATUS_OUT_OF_MEMORY, RANGE_LO_INCL, RANGE_HI_INCL, RANGE_REVERSE, RANGE_LO_OPEN, RANGE_HI_OPEN,
  TREE_MIN_ORDER, TREE_MAX_ORDER,
} from "../abi";
import {
  T_KIND, T_ORDER, T_ROOT, T_SIZE, T_FIRST, T_LAST, T_NODEBYTES, T_VALS, T_MEM, TREE_BYTES, N_PREV,
  N_NEXT,
  BULK_REFUSED, BULK_UNSORTED, E_P1, E_PTR, E_LEN, INLINE_BYTES, STR_KS,
  bind, setQueryNum, setQueryStr, keyAt, valAt, cnt, cmpQ, blockBytes, findQ, insertQ, removeQ,
  clearTree, bulkLoad, writeKey, seekForward, seekBackward, seekLeaf, seekPos, bytesCmp, prefixOf,
} from "./tree";
import { checkTree } from "./check";

// ---- lifecycle -----------------------------------------------------------------------

export function btreeNew(keyType: i32, order: i32): usize {
  if (keyType != KEY_NUMBER && keyType != KEY_STRING) return 0;
  if (order < TREE_MIN_ORDER || order > TREE_MAX_ORDER) return 0;
  const t = alloc(TREE_BYTES);
  if (!t) return 0;
  memory.fill(t, 0, TREE_BYTES);
  const ks: u32 = keyType == KEY_NUMBER ? 8 : <u32>STR_KS;
  const vals = 16 + <u32>(order + 1) * ks;
  store<u32>(t, <u32>keyType, T_KIND);
  store<u32>(t, <u32>order, T_ORDER);
  store<u32>(t, vals, T_VALS);
  store<u32>(t, vals + <u32>(order + 2) * 4, T_NODEBYTES);
  store<u64>(t, blockBytes(t), T_MEM);
  return t;
}

export function btreeFree(t: usize): void {
  if (!t) return;
  // The node walk reads child pointers at this tree's vals offset: bind it, or the
  // offset left by the last tree used (another order or key kind) sends it astray.
  bind(t);
  clearTree(t);
  heap.free(t);
}

export function btreeClear(t: usize): void {
  if (!t) return;
  bind(t);
  clearTree(t);
}

export function btreeSize(t: usize): i32 {
  return t ? load<i32>(t, T_SIZE) : 0;
}

export function btreeMemoryBytes(t: usize): i32 {
  return t ? <i32>load<u64>(t, T_MEM) : 0;
}

export function btreeCheck(t: usize): i32 {
  return t ? checkTree(t) : 1;
}

// ---- numbers -------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function isNum(t: usize): bool {
  return t != 0 && load<i32>(t, T_KIND) == KEY_NUMBER;
}

// @ts-ignore: decorator
@inline function isStr(t: usize): bool {
  return t != 0 && load<i32>(t, T_KIND) == KEY_STRING;
}

export function btreeSetNum(t: usize, key: f64, slot: i32): i32 {
  if (!isNum(t)) return -1;
  bind(t);
  setQueryNum(key);
  return insertQ<f64>(t, <u32>slot);
}

export function btreeGetNum(t: usize, key: f64): i32 {
  if (!isNum(t)) return -1;
  bind(t);
  setQueryNum(key);
  return findQ<f64>(t);
}

export function btreeDeleteNum(t: usize, key: f64): i32 {
  if (!isNum(t)) return -1;
  bind(t);
  setQueryNum(key);
  return removeQ<f64>(t);
}

/**
 * Inserts pairs in order. All or nothing: when an insert runs out of memory, the keys this
 * batch inserted are deleted again (newest first; deletes never need memory, see fixLeaf),
 * every out[i] becomes STATUS_OUT_OF_MEMORY and so does the return value; else 0.
 */
export function btreeSetManyNum(t: usize, keys: usize, slots: usize, n: i32, out: usize): i32 {
  if (!isNum(t)) return 0;
  bind(t);
  for (let i = 0; i < n; i++) {
    setQueryNum(load<f64>(keys + (<usize>i << 3)));
    const r = insertQ<f64>(t, load<u32>(slots + (<usize>i << 2)));
    store<i32>(out + (<usize>i << 2), r);
    if (r == STATUS_OUT_OF_MEMORY) {
      for (let j = i - 1; j >= 0; j--) {
        if (load<i32>(out + (<usize>j << 2)) != -1) continue;
        setQueryNum(load<f64>(keys + (<usize>j << 3)));
        removeQ<f64>(t);
      }
      return failBatch(out, n);
    }
  }
  return 0;
}

/** Marks every entry of a rolled-back batch. */
function failBatch(out: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), STATUS_OUT_OF_MEMORY);
  return STATUS_OUT_OF_MEMORY;
}

export function btreeGetManyNum(t: usize, keys: usize, n: i32, out: usize): void {
  if (!isNum(t)) return;
  bind(t);
  for (let i = 0; i < n; i++) {
    setQueryNum(load<f64>(keys + (<usize>i << 3)));
    store<i32>(out + (<usize>i << 2), findQ<f64>(t));
  }
}

export function btreeDeleteManyNum(t: usize, keys: usize, n: i32, out: usize): void {
  if (!isNum(t)) return;
  bind(t);
  for (let i = 0; i < n; i++) {
    setQueryNum(load<f64>(keys + (<usize>i << 3)));
    store<i32>(out + (<usize>i << 2), removeQ<f64>(t));
  }
}

export function btreeBulkLoadNum(t: usize, keys: usize, slots: usize, n: i32): i32 {
  if (!isNum(t)) return BULK_REFUSED;
  if (load<u32>(t, T_ROOT)) return BULK_REFUSED;
  if (n <= 0) return 0;
  for (let i = 1; i < n; i++) {
    if (!(load<f64>(keys + (<usize>(i - 1) << 3)) < load<f64>(keys + (<usize>i << 3)))) return BULK_UNSORTED;
  }
  bind(t);
  return bulkLoad<f64>(t, keys, 0, slots, n);
}

export function btreeRangeNum(
  t: usize, lo: f64, hi: f64, flags: i32, limit: i32, outKeys: usize, outSlots: usize,
): i32 {
  if (!isNum(t) || limit <= 0 || !load<u32>(t, T_ROOT)) return 0;
  lo += 0.0;
  hi += 0.0;
  const loIncl = (flags & RANGE_LO_INCL) != 0, hiIncl = (flags & RANGE_HI_INCL) != 0;
  const loOpen = (flags & RANGE_LO_OPEN) != 0, hiOpen = (flags & RANGE_HI_OPEN) != 0;
  if (!loOpen && !hiOpen && (lo > hi || (lo == hi && !(loIncl && hiIncl)))) return 0;
  bind(t);
  let n = 0;
  let leaf: usize;
  let p: i32;
  if ((flags & RANGE_REVERSE) == 0) {
    if (loOpen) {
      leaf = <usize>load<u32>(t, T_FIRST);
      p = 0;
    } else {
      setQueryNum(lo);
      seekForward<f64>(t, loIncl);
      leaf = seekLeaf();
      p = seekPos();
    }
    while (leaf) {
      const c = cnt(leaf);
      for (; p < c; p++) {
        const k = load<f64>(keyAt<f64>(leaf, p));
        if (!hiOpen && (k > hi || (k == hi && !hiIncl))) return n;
        store<f64>(outKeys + (<usize>n << 3), k);
        store<u32>(outSlots + (<usize>n << 2), load<u32>(valAt(leaf, p)));
        if (++n == limit) return n;
      }
      leaf = <usize>load<u32>(leaf, N_NEXT);
      p = 0;
    }
  } else {
    if (hiOpen) {
      leaf = <usize>load<u32>(t, T_LAST);
      p = cnt(leaf) - 1;
    } else {
      setQueryNum(hi);
      seekBackward<f64>(t, hiIncl);
      leaf = seekLeaf();
      p = seekPos();
    }
    while (leaf) {
      for (; p >= 0; p--) {
        const k = load<f64>(keyAt<f64>(leaf, p));
        if (!loOpen && (k < lo || (k == lo && !loIncl))) return n;
        store<f64>(outKeys + (<usize>n << 3), k);
        store<u32>(outSlots + (<usize>n << 2), load<u32>(valAt(leaf, p)));
        if (++n == limit) return n;
      }
      leaf = <usize>load<u32>(leaf, N_PREV);
      if (leaf) p = cnt(leaf) - 1;
    }
  }
  return n;
}

// ---- strings -------------------------------------------------------------------------

export function btreeSetStr(t: usize, key: usize, len: i32, slot: i32): i32 {
  if (!isStr(t) || len < 0) return -1;
  bind(t);
  setQueryStr(key, <u32>len);
  return insertQ<u64>(t, <u32>slot);
}

export function btreeGetStr(t: usize, key: usize, len: i32): i32 {
  if (!isStr(t) || len < 0) return -1;
  bind(t);
  setQueryStr(key, <u32>len);
  return findQ<u64>(t);
}

export function btreeDeleteStr(t: usize, key: usize, len: i32): i32 {
  if (!isStr(t) || len < 0) return -1;
  bind(t);
  setQueryStr(key, <u32>len);
  return removeQ<u64>(t);
}

// @ts-ignore: decorator
@inline function setQueryAt(bytes: usize, offsets: usize, i: i32): void {
  const s = load<u32>(offsets + (<usize>i << 2));
  const e = load<u32>(offsets + (<usize>i << 2), 4);
  setQueryStr(bytes + <usize>s, e - s);
}

/** As btreeSetManyNum: all or nothing, STATUS_OUT_OF_MEMORY when rolled back, else 0. */
export function btreeSetManyStr(t: usize, bytes: usize, offsets: usize, n: i32, slots: usize, out: usize): i32 {
  if (!isStr(t)) return 0;
  bind(t);
  for (let i = 0; i < n; i++) {
    setQueryAt(bytes, offsets, i);
    const r = insertQ<u64>(t, load<u32>(slots + (<usize>i << 2)));
    store<i32>(out + (<usize>i << 2), r);
    if (r == STATUS_OUT_OF_MEMORY) {
      for (let j = i - 1; j >= 0; j--) {
        if (load<i32>(out + (<usize>j << 2)) != -1) continue;
        setQueryAt(bytes, offsets, j);
        removeQ<u64>(t);
      }
      return failBatch(out, n);
    }
  }
  return 0;
}

export function btreeGetManyStr(t: usize, bytes: usize, offsets: usize, n: i32, out: usize): void {
  if (!isStr(t)) return;
  bind(t);
  for (let i = 0; i < n; i++) {
    setQueryAt(bytes, offsets, i);
    store<i32>(out + (<usize>i << 2), findQ<u64>(t));
  }
}

export function btreeDeleteManyStr(t: usize, bytes: usize, offsets: usize, n: i32, out: usize): void {
  if (!isStr(t)) return;
  bind(t);
  for (let i = 0; i < n; i++) {
    setQueryAt(bytes, offsets, i);
    store<i32>(out + (<usize>i << 2), removeQ<u64>(t));
  }
}

export function btreeBulkLoadStr(t: usize, bytes: usize, offsets: usize, n: i32, slots: usize): i32 {
  if (!isStr(t)) return BULK_REFUSED;
  if (load<u32>(t, T_ROOT)) return BULK_REFUSED;
  if (n <= 0) return 0;
  let ps = load<u32>(offsets);
  let pe = load<u32>(offsets, 4);
  for (let i = 1; i < n; i++) {
    const s = load<u32>(offsets + (<usize>i << 2));
    const e = load<u32>(offsets + (<usize>i << 2), 4);
    const pl = pe - ps, l = e - s;
    const m = min(pl, l);
    const r = bytesCmp(bytes + <usize>ps, bytes + <usize>s, <usize>m);
    if (r > 0 || (r == 0 && pl >= l)) return BULK_UNSORTED;
    ps = s;
    pe = e;
  }
  bind(t);
  return bulkLoad<u64>(t, bytes, offsets, slots, n);
}

/** Bytes of outBytes written so far by the current scan. */
let outPos: u32 = 0;
/** Length of the key that did not fit (set by emit when it returns false). */
let needBytes: u32 = 0;

/**
 * Stopped because the next key did not fit: with n >= 1 keys written, outOffsets[n + 1] =
 * outOffsets[n] + that key's length (> outBytesCap); with none, -(its length).
 */
function stopFull(n: i32, outOffsets: usize): i32 {
  if (n == 0) return -<i32>max<u32>(needBytes, 1);
  store<u32>(outOffsets + (<usize>(n + 1) << 2), outPos + needBytes);
  return n;
}

/** Stopped because the range ended or the limit was reached: outOffsets[n + 1] = 0 if n < limit. */
function stopEnded(n: i32, limit: i32, outOffsets: usize): i32 {
  if (n < limit) store<u32>(outOffsets + (<usize>(n + 1) << 2), 0);
  return n;
}

/** Appends string entry e and its slot; false (and sets needBytes) when it does not fit. */
// @ts-ignore: decorator
@inline function emit(e: usize, slot: u32, n: i32, outBytes: usize, cap: u32, outOffsets: usize, outSlots: usize): bool {
  const len = load<u32>(e, E_LEN);
  if (<u64>outPos + <u64>len > <u64>cap) {
    needBytes = len;
    return false;
  }
  writeKey(outBytes + <usize>outPos, e, len);
  outPos += len;
  store<u32>(outOffsets + (<usize>(n + 1) << 2), outPos);
  store<u32>(outSlots + (<usize>n << 2), slot);
  return true;
}

export function btreeRangeStr(
  t: usize, lo: usize, loLen: i32, hi: usize, hiLen: i32, flags: i32, limit: i32,
  outBytes: usize, outBytesCap: i32, outOffsets: usize, outSlots: usize,
): i32 {
  if (!isStr(t) || limit <= 0) return 0;
  store<u32>(outOffsets, 0);
  store<u32>(outOffsets, 0, 4);
  if (!load<u32>(t, T_ROOT)) return 0;
  const loIncl = (flags & RANGE_LO_INCL) != 0, hiIncl = (flags & RANGE_HI_INCL) != 0;
  const loOpen = (flags & RANGE_LO_OPEN) != 0, hiOpen = (flags & RANGE_HI_OPEN) != 0;
  if (loLen < 0) loLen = 0;
  if (hiLen < 0) hiLen = 0;
  if (!loOpen && !hiOpen) {
    const m = min(loLen, hiLen);
    let r = bytesCmp(lo, hi, <usize>m);
    if (r == 0) r = loLen < hiLen ? -1 : i32(loLen > hiLen);
    if (r > 0 || (r == 0 && !(loIncl && hiIncl))) return 0;
  }
  const cap = outBytesCap < 0 ? 0 : <u32>outBytesCap;
  bind(t);
  outPos = 0;
  let n = 0;
  let leaf: usize;
  let p: i32;
  if ((flags & RANGE_REVERSE) == 0) {
    if (loOpen) {
      leaf = <usize>load<u32>(t, T_FIRST);
      p = 0;
    } else {
      setQueryStr(lo, <u32>loLen);
      seekForward<u64>(t, loIncl);
      leaf = seekLeaf();
      p = seekPos();
    }
    if (!hiOpen) setQueryStr(hi, <u32>hiLen);
    while (leaf) {
      const c = cnt(leaf);
      for (; p < c; p++) {
        const e = keyAt<u64>(leaf, p);
        if (!hiOpen) {
          const r = cmpQ<u64>(e); // sign(hi - key)
          if (r < 0 || (r == 0 && !hiIncl)) return stopEnded(n, limit, outOffsets);
        }
        if (!emit(e, load<u32>(valAt(leaf, p)), n, outBytes, cap, outOffsets, outSlots)) {
          return stopFull(n, outOffsets);
        }
        if (++n == limit) return stopEnded(n, limit, outOffsets);
      }
      leaf = <usize>load<u32>(leaf, N_NEXT);
      p = 0;
    }
  } else {
    if (hiOpen) {
      leaf = <usize>load<u32>(t, T_LAST);
      p = cnt(leaf) - 1;
    } else {
      setQueryStr(hi, <u32>hiLen);
      seekBackward<u64>(t, hiIncl);
      leaf = seekLeaf();
      p = seekPos();
    }
    if (!loOpen) setQueryStr(lo, <u32>loLen);
    while (leaf) {
      for (; p >= 0; p--) {
        const e = keyAt<u64>(leaf, p);
        if (!loOpen) {
          const r = cmpQ<u64>(e); // sign(lo - key)
          if (r > 0 || (r == 0 && !loIncl)) return stopEnded(n, limit, outOffsets);
        }
        if (!emit(e, load<u32>(valAt(leaf, p)), n, outBytes, cap, outOffsets, outSlots)) {
          return stopFull(n, outOffsets);
        }
        if (++n == limit) return stopEnded(n, limit, outOffsets);
      }
      leaf = <usize>load<u32>(leaf, N_PREV);
      if (leaf) p = cnt(leaf) - 1;
    }
  }
  return stopEnded(n, limit, outOffsets);
}

/** Mask of the first s bytes of a big-endian prefix word. */
// @ts-ignore: decorator
@inline function maskBytes(s: u32): u64 {
  return s >= 8 ? ~(<u64>0) : s == 0 ? 0 : ~(<u64>0) << (<u64>(8 - s) << 3);
}

export function btreePrefixStr(
  t: usize, prefix: usize, len: i32, limit: i32,
  outBytes: usize, outBytesCap: i32, outOffsets: usize, outSlots: usize,
): i32 {
  if (!isStr(t) || limit <= 0) return 0;
  store<u32>(outOffsets, 0);
  store<u32>(outOffsets, 0, 4);
  if (!load<u32>(t, T_ROOT)) return 0;
  if (len < 0) len = 0;
  const plen = <u32>len;
  const cap = outBytesCap < 0 ? 0 : <u32>outBytesCap;
  bind(t);
  setQueryStr(prefix, plen);
  seekForward<u64>(t, true);
  let leaf = seekLeaf();
  let p = seekPos();
  const pp0 = prefixOf(prefix, plen);
  const pp1 = plen > 8 ? prefixOf(prefix + 8, plen - 8) : 0;
  const m0 = maskBytes(plen);
  const m1 = plen > 8 ? maskBytes(plen - 8) : 0;
  outPos = 0;
  let n = 0;
  while (leaf) {
    const c = cnt(leaf);
    for (; p < c; p++) {
      const e = keyAt<u64>(leaf, p);
      const el = load<u32>(e, E_LEN);
      if (el < plen || (load<u64>(e) & m0) != pp0 || (load<u64>(e, E_P1) & m1) != pp1) {
        return stopEnded(n, limit, outOffsets);
      }
      if (plen > INLINE_BYTES &&
          bytesCmp(<usize>load<u32>(e, E_PTR) + INLINE_BYTES, prefix + INLINE_BYTES,
            <usize>(plen - INLINE_BYTES)) != 0) {
        return stopEnded(n, limit, outOffsets);
      }
      if (!emit(e, load<u32>(valAt(leaf, p)), n, outBytes, cap, outOffsets, outSlots)) {
        return stopFull(n, outOffsets);
      }
      if (++n == limit) return stopEnded(n, limit, outOffsets);
    }
    leaf = <usize>load<u32>(leaf, N_NEXT);
    p = 0;
  }
  return stopEnded(n, limit, outOffsets);
}
