// Hierarchical timing wheel in linear memory. The algorithm is the contract in the header
// of ts/contract/wheel.ts (placement rule, advance steps 1-4, ids with generations, LIFO
// free list, retirement, nextWake/nextDeadline); this file follows it step by step so ids,
// expiry order and nextWake match the JS and Rust tiers exactly.
//
// Everything is a raw `alloc`'d block; nothing is GC-managed and nothing traps: every
// growth reports failure through a return code and leaves the wheel as it was.
//
// Blocks owned by a wheel (w = header pointer, HEADER_BYTES, fields H_* below):
//   heads  u32[total + 1]   list head per global slot (NIL = empty); index total = overflow
//   bits   u64[words]       occupancy bitmap per level; level l starts at word WOFF[l]
//   node arrays, capacity CAP (grown by doubling, all six at once):
//     deadline f64, seq f64, next u32, prev u32, slot u32, gen u32
//   res, tmp u32[RESCAP]    advance result and merge-sort scratch (swapped by the sort)
//
// Global slot index g = OFF[l] + s for slot s of level l; OFF[L] = total = the overflow
// list. A node's slot field is its g, or FREE when it is not pending. Slot lists are
// doubly linked through next/prev, new nodes at the head. The free list is singly linked
// through next (LIFO). CNT[l] counts the nodes linked at level l (CNT[L]: overflow).
//
// Ticks are u64 (<= 2^52 + 2^48). S[l] (ticks per slot of level l) and CB[l] =
// floor(cur / S[l]) are kept for l = 0..L. When every level size is a power of two the
// divisions by S[l] become shifts (POW2, SHIFT[l]).

import { alloc } from "../memory";
import { STATUS_OUT_OF_MEMORY, WHEEL_GEN_UNIT, WHEEL_MAX_TIMERS } from "../abi";

// ---- limits --------------------------------------------------------------------------

// @ts-ignore: decorator
@inline const NIL: u32 = 0xffffffff;
// @ts-ignore: decorator
@inline const FREE: u32 = 0xffffffff;
/** A node whose generation reaches 2^27 is retired. */
// @ts-ignore: decorator
@inline const GEN_LIMIT: u32 = 1 << 27;
// @ts-ignore: decorator
@inline const ID_LIMIT: f64 = 9007199254740992.0; // 2^53
// @ts-ignore: decorator
@inline const MAX_TICK: f64 = 4503599627370496.0; // 2^52
// @ts-ignore: decorator
@inline const MAX_LEVELS: i32 = 8;
// @ts-ignore: decorator
@inline const MIN_TICK_MS: f64 = 0.001;
// @ts-ignore: decorator
@inline const MIN_SLOTS: u32 = 2;
// @ts-ignore: decorator
@inline const MAX_SLOTS: u32 = 65536;
// @ts-ignore: decorator
@inline const MAX_TOTAL_SLOTS: u32 = 1 << 20;
// @ts-ignore: decorator
@inline const MAX_SPAN: u64 = 1 << 48;
/** schedule: every index below WHEEL_MAX_TIMERS is pending and none is free. */
// @ts-ignore: decorator
@inline const STATUS_FULL: i32 = -1;
/** A deadline or `now` that is not a valid time (or, for advance, below the wheel's now). */
// @ts-ignore: decorator
@inline export const STATUS_INVALID_TIME: i32 = -3;
/** First node-array capacity. */
// @ts-ignore: decorator
@inline const MIN_CAP: u32 = 64;
/** Insertion-sorted run length of the merge sort. */
// @ts-ignore: decorator
@inline const RUN: u32 = 16;

// ---- header --------------------------------------------------------------------------

// @ts-ignore: decorator
@inline const H_TICK: usize = 0; // f64 tickMs
// @ts-ignore: decorator
@inline export const H_NOW: usize = 8; // f64 now
// @ts-ignore: decorator
@inline const H_SEQ: usize = 16; // f64 seq counter
// @ts-ignore: decorator
@inline const H_CUR: usize = 24; // u64 cur = tick(now)
// @ts-ignore: decorator
@inline const H_L: usize = 32; // u32 levels
// @ts-ignore: decorator
@inline export const H_SIZE: usize = 36; // u32 pending nodes
// @ts-ignore: decorator
@inline const H_FRESH: usize = 40; // u32 next fresh index (indices ever used)
// @ts-ignore: decorator
@inline const H_CAP: usize = 44; // u32 node-array capacity
// @ts-ignore: decorator
@inline const H_FREEHEAD: usize = 48; // u32 free-list head (NIL = empty)
// @ts-ignore: decorator
@inline const H_FREELEN: usize = 52; // u32 free-list length
// @ts-ignore: decorator
@inline const H_DL: usize = 56; // node arrays (u32 pointers)
// @ts-ignore: decorator
@inline const H_SQ: usize = 60;
// @ts-ignore: decorator
@inline const H_NX: usize = 64;
// @ts-ignore: decorator
@inline const H_PV: usize = 68;
// @ts-ignore: decorator
@inline const H_SL: usize = 72;
// @ts-ignore: decorator
@inline const H_GN: usize = 76;
// @ts-ignore: decorator
@inline const H_HEADS: usize = 80; // u32 pointer
// @ts-ignore: decorator
@inline const H_BITS: usize = 84; // u32 pointer
// @ts-ignore: decorator
@inline const H_TOTAL: usize = 88; // u32 total slots = overflow index
// @ts-ignore: decorator
@inline const H_WORDS: usize = 92; // u32 bitmap words
// @ts-ignore: decorator
@inline export const H_RES: usize = 96; // u32 pointer
// @ts-ignore: decorator
@inline const H_TMP: usize = 100; // u32 pointer
// @ts-ignore: decorator
@inline const H_RESCAP: usize = 104; // u32
// @ts-ignore: decorator
@inline const H_RESLEN: usize = 108; // u32 count of the last advance
// @ts-ignore: decorator
@inline const H_POW2: usize = 112; // u32 1 when every level size is a power of two
// per-level tables (index 0..L)
// @ts-ignore: decorator
@inline const H_N: usize = 128; // u32[8] slots per level
// @ts-ignore: decorator
@inline const H_OFF: usize = 160; // u32[9] first global slot of level l
// @ts-ignore: decorator
@inline const H_WOFF: usize = 196; // u32[9] first bitmap word of level l
// @ts-ignore: decorator
@inline const H_SHIFT: usize = 232; // u32[9] log2 S[l] (POW2 only)
// @ts-ignore: decorator
@inline const H_CNT: usize = 268; // u32[9] nodes linked at level l (L: overflow)
// @ts-ignore: decorator
@inline const H_S: usize = 304; // u64[9] ticks per slot of level l; S[L] = span
// @ts-ignore: decorator
@inline const H_CB: usize = 376; // u64[9] floor(cur / S[l])
// @ts-ignore: decorator
@inline const HEADER_BYTES: usize = 448;

// ---- small accessors -----------------------------------------------------------------

// @ts-ignore: decorator
@inline export function ptr(w: usize, field: usize): usize {
  return <usize>load<u32>(w + field);
}

// @ts-ignore: decorator
@inline export function levels(w: usize): i32 {
  return load<i32>(w, H_L);
}

// @ts-ignore: decorator
@inline function lvN(w: usize, l: i32): u32 {
  return load<u32>(w + H_N + (<usize>l << 2));
}

// @ts-ignore: decorator
@inline function lvOff(w: usize, l: i32): u32 {
  return load<u32>(w + H_OFF + (<usize>l << 2));
}

// @ts-ignore: decorator
@inline function lvWoff(w: usize, l: i32): u32 {
  return load<u32>(w + H_WOFF + (<usize>l << 2));
}

// @ts-ignore: decorator
@inline function lvS(w: usize, l: i32): u64 {
  return load<u64>(w + H_S + (<usize>l << 3));
}

// @ts-ignore: decorator
@inline function lvCB(w: usize, l: i32): u64 {
  return load<u64>(w + H_CB + (<usize>l << 3));
}

// @ts-ignore: decorator
@inline function lvCnt(w: usize, l: i32): u32 {
  return load<u32>(w + H_CNT + (<usize>l << 2));
}

// @ts-ignore: decorator
@inline function addCnt(w: usize, l: i32, d: i32): void {
  const a = w + H_CNT + (<usize>l << 2);
  store<u32>(a, load<u32>(a) + <u32>d);
}

// @ts-ignore: decorator
@inline function at32(base: usize, i: u32): usize {
  return base + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline export function at64(base: usize, i: u32): usize {
  return base + (<usize>i << 3);
}

/** floor(x / S[l]). */
// @ts-ignore: decorator
@inline function divS(w: usize, x: u64, l: i32): u64 {
  return load<u32>(w, H_POW2)
    ? x >> <u64>load<u32>(w + H_SHIFT + (<usize>l << 2))
    : x / lvS(w, l);
}

/** tick(t) = floor(t / tickMs) in f64, as an integer. Only for validated times. */
// @ts-ignore: decorator
@inline function tickOf(w: usize, t: f64): u64 {
  return <u64>Math.floor(t / load<f64>(w, H_TICK));
}

/** floor(t / tickMs) when t is a valid time (finite, >= 0, tick <= 2^52), else -1. */
// @ts-ignore: decorator
@inline function timeTick(w: usize, t: f64): f64 {
  const k = Math.floor(t / load<f64>(w, H_TICK));
  return t >= 0 && k <= MAX_TICK ? k : -1;
}

/** Bytes a heap block occupies: TLSF payload size plus its 4-byte header (0 for null). */
// @ts-ignore: decorator
@inline export function blockBytes(p: usize): u64 {
  return p ? <u64>((load<usize>(p - 4) & ~(<usize>3)) + 4) : 0;
}

/** Level of global slot g (L for the overflow list). */
// @ts-ignore: decorator
@inline function levelOf(w: usize, g: u32): i32 {
  const L = levels(w);
  let l = 0;
  while (l < L && g >= lvOff(w, l + 1)) l++;
  return l;
}

// @ts-ignore: decorator
@inline function setBit(w: usize, l: i32, s: u32): void {
  const a = ptr(w, H_BITS) + (<usize>(lvWoff(w, l) + (s >> 6)) << 3);
  store<u64>(a, load<u64>(a) | (<u64>1 << <u64>(s & 63)));
}

// @ts-ignore: decorator
@inline function clearBit(w: usize, l: i32, s: u32): void {
  const a = ptr(w, H_BITS) + (<usize>(lvWoff(w, l) + (s >> 6)) << 3);
  store<u64>(a, load<u64>(a) & ~(<u64>1 << <u64>(s & 63)));
}

// ---- construction --------------------------------------------------------------------

/** Validates the configuration and builds an empty wheel; 0 when invalid or out of memory. */
export function newWheel(tickMs: f64, levelsPtr: usize, nLevels: i32, now: f64): usize {
  if (!(tickMs >= MIN_TICK_MS && tickMs < Infinity)) return 0;
  if (nLevels < 1 || nLevels > MAX_LEVELS || levelsPtr == 0) return 0;
  if (!(now >= 0 && now < Infinity)) return 0;
  const t0 = Math.floor(now / tickMs);
  if (!(t0 <= MAX_TICK)) return 0;
  let total: u32 = 0;
  let words: u32 = 0;
  let span: u64 = 1;
  let pow2: u32 = 1;
  for (let l = 0; l < nLevels; l++) {
    const n = load<u32>(levelsPtr + (<usize>l << 2));
    if (n < MIN_SLOTS || n > MAX_SLOTS) return 0;
    total += n;
    if (total > MAX_TOTAL_SLOTS) return 0;
    if (span > MAX_SPAN / <u64>n) return 0;
    span *= <u64>n;
    words += (n + 63) >> 6;
    if (n & (n - 1)) pow2 = 0;
  }
  const w = alloc(HEADER_BYTES);
  if (!w) return 0;
  const headBytes = <usize>(total + 1) << 2;
  const heads = alloc(headBytes);
  if (!heads) {
    heap.free(w);
    return 0;
  }
  const bitBytes = <usize>words << 3;
  const bits = alloc(bitBytes);
  if (!bits) {
    heap.free(heads);
    heap.free(w);
    return 0;
  }
  memory.fill(w, 0, HEADER_BYTES);
  memory.fill(heads, 0xff, headBytes);
  memory.fill(bits, 0, bitBytes);
  store<f64>(w, tickMs, H_TICK);
  store<f64>(w, now, H_NOW);
  store<f64>(w, 0, H_SEQ);
  const cur = <u64>t0;
  store<u64>(w, cur, H_CUR);
  store<i32>(w, nLevels, H_L);
  store<u32>(w, NIL, H_FREEHEAD);
  store<u32>(w, <u32>heads, H_HEADS);
  store<u32>(w, <u32>bits, H_BITS);
  store<u32>(w, total, H_TOTAL);
  store<u32>(w, words, H_WORDS);
  store<u32>(w, pow2, H_POW2);
  let s: u64 = 1;
  let off: u32 = 0;
  let woff: u32 = 0;
  for (let l = 0; l <= nLevels; l++) {
    store<u64>(w + H_S + (<usize>l << 3), s);
    store<u32>(w + H_OFF + (<usize>l << 2), off);
    store<u32>(w + H_WOFF + (<usize>l << 2), woff);
    store<u32>(w + H_SHIFT + (<usize>l << 2), <u32>ctz<u64>(s));
    store<u64>(w + H_CB + (<usize>l << 3), cur / s);
    if (l < nLevels) {
      const n = load<u32>(levelsPtr + (<usize>l << 2));
      store<u32>(w + H_N + (<usize>l << 2), n);
      s *= <u64>n;
      off += n;
      woff += (n + 63) >> 6;
    }
  }
  return w;
}

/** Frees the node arrays and result buffers (not the header, heads or bitmaps). */
function freeArrays(w: usize): void {
  heap.free(ptr(w, H_DL));
  heap.free(ptr(w, H_SQ));
  heap.free(ptr(w, H_NX));
  heap.free(ptr(w, H_PV));
  heap.free(ptr(w, H_SL));
  heap.free(ptr(w, H_GN));
  heap.free(ptr(w, H_RES));
  heap.free(ptr(w, H_TMP));
}

export function freeWheel(w: usize): void {
  freeArrays(w);
  heap.free(ptr(w, H_HEADS));
  heap.free(ptr(w, H_BITS));
  heap.free(w);
}

export function memoryBytes(w: usize): u64 {
  return blockBytes(w) + blockBytes(ptr(w, H_HEADS)) + blockBytes(ptr(w, H_BITS))
    + blockBytes(ptr(w, H_DL)) + blockBytes(ptr(w, H_SQ)) + blockBytes(ptr(w, H_NX))
    + blockBytes(ptr(w, H_PV)) + blockBytes(ptr(w, H_SL)) + blockBytes(ptr(w, H_GN))
    + blockBytes(ptr(w, H_RES)) + blockBytes(ptr(w, H_TMP));
}

// ---- node arrays ---------------------------------------------------------------------

/** Copies `old` (oldBytes) into a fresh block of newBytes; 0 when out of memory. */
// @ts-ignore: decorator
@inline function regrow(old: usize, oldBytes: usize, newBytes: usize): usize {
  const p = alloc(newBytes);
  if (p && oldBytes) memory.copy(p, old, oldBytes);
  return p;
}

/** Grows all six node arrays to exactly `cap` entries; false (nothing changed) on failure. */
function growTo(w: usize, cap: u32): bool {
  const old = load<u32>(w, H_CAP);
  const o8 = <usize>old << 3, o4 = <usize>old << 2;
  const n8 = <usize>cap << 3, n4 = <usize>cap << 2;
  const dl = regrow(ptr(w, H_DL), o8, n8);
  const sq = dl ? regrow(ptr(w, H_SQ), o8, n8) : 0;
  const nx = sq ? regrow(ptr(w, H_NX), o4, n4) : 0;
  const pv = nx ? regrow(ptr(w, H_PV), o4, n4) : 0;
  const sl = pv ? regrow(ptr(w, H_SL), o4, n4) : 0;
  const gn = sl ? regrow(ptr(w, H_GN), o4, n4) : 0;
  if (!gn) {
    if (dl) heap.free(dl);
    if (sq) heap.free(sq);
    if (nx) heap.free(nx);
    if (pv) heap.free(pv);
    if (sl) heap.free(sl);
    return false;
  }
  // Entries past `fresh` are never read before they are written, but keep them FREE so the
  // arrays are well defined.
  memory.fill(sl + o4, 0xff, n4 - o4);
  memory.fill(gn + o4, 0, n4 - o4);
  if (old) {
    heap.free(ptr(w, H_DL));
    heap.free(ptr(w, H_SQ));
    heap.free(ptr(w, H_NX));
    heap.free(ptr(w, H_PV));
    heap.free(ptr(w, H_SL));
    heap.free(ptr(w, H_GN));
  }
  store<u32>(w, <u32>dl, H_DL);
  store<u32>(w, <u32>sq, H_SQ);
  store<u32>(w, <u32>nx, H_NX);
  store<u32>(w, <u32>pv, H_PV);
  store<u32>(w, <u32>sl, H_SL);
  store<u32>(w, <u32>gn, H_GN);
  store<u32>(w, cap, H_CAP);
  return true;
}

/** Makes room for `need` (<= 2^26) node indices: doubling, else exactly `need`. */
function reserveNodes(w: usize, need: u32): bool {
  const cap = load<u32>(w, H_CAP);
  if (need <= cap) return true;
  let want = cap < MIN_CAP ? MIN_CAP : cap << 1;
  if (want > WHEEL_MAX_TIMERS) want = WHEEL_MAX_TIMERS;
  if (want < need) want = need;
  if (growTo(w, want)) return true;
  return want > need && growTo(w, need);
}

/** Makes the result and scratch buffers hold `need` u32 each; nothing changes on failure. */
function reserveResult(w: usize, need: u32): bool {
  const cap = load<u32>(w, H_RESCAP);
  if (need <= cap) return true;
  let want = cap < MIN_CAP ? MIN_CAP : cap << 1;
  if (want > WHEEL_MAX_TIMERS) want = WHEEL_MAX_TIMERS;
  if (want < need) want = need;
  for (let attempt = 0; attempt < 2; attempt++) {
    const bytes = <usize>want << 2;
    const r = alloc(bytes);
    const t = r ? alloc(bytes) : 0;
    if (t) {
      heap.free(ptr(w, H_RES));
      heap.free(ptr(w, H_TMP));
      store<u32>(w, <u32>r, H_RES);
      store<u32>(w, <u32>t, H_TMP);
      store<u32>(w, want, H_RESCAP);
      return true;
    }
    if (r) heap.free(r);
    if (want == need) break;
    want = need;
  }
  return false;
}

// ---- lists ---------------------------------------------------------------------------

/** Level of the slot the last slotFor returned (a second result). */
let placeLevel: i32 = 0;

/** Global slot that the placement rule gives to tick p (p >= cur); sets `placeLevel`. */
function slotFor(w: usize, p: u64): u32 {
  const L = levels(w);
  for (let l = 0; l < L; l++) {
    const parent = divS(w, p, l + 1);
    if (parent == lvCB(w, l + 1)) {
      placeLevel = l;
      // floor(p / S[l]) mod N[l] = floor(p / S[l]) - floor(p / S[l+1]) * N[l]
      return lvOff(w, l) + <u32>(divS(w, p, l) - parent * <u64>lvN(w, l));
    }
  }
  placeLevel = L;
  return lvOff(w, L);
}

/** The placement target of a node whose deadline has tick t, relative to cur. */
// @ts-ignore: decorator
@inline function slotOfTick(w: usize, t: u64): u32 {
  const cur = load<u64>(w, H_CUR);
  return slotFor(w, t > cur ? t : cur);
}

/** Links node i (deadline tick t) at the head of the list the placement rule gives. */
function place(w: usize, i: u32, t: u64): void {
  const g = slotOfTick(w, t);
  const l = placeLevel;
  const hp = at32(ptr(w, H_HEADS), g);
  const h = load<u32>(hp);
  const nx = ptr(w, H_NX), pv = ptr(w, H_PV);
  store<u32>(at32(nx, i), h);
  store<u32>(at32(pv, i), NIL);
  if (h != NIL) store<u32>(at32(pv, h), i);
  else if (l < levels(w)) setBit(w, l, g - lvOff(w, l));
  store<u32>(hp, i);
  store<u32>(at32(ptr(w, H_SL), i), g);
  addCnt(w, l, 1);
}

/** Removes pending node i from its list (its slot field is left as it was). */
function unlink(w: usize, i: u32): void {
  const g = load<u32>(at32(ptr(w, H_SL), i));
  const l = levelOf(w, g);
  const nx = ptr(w, H_NX), pv = ptr(w, H_PV);
  const n = load<u32>(at32(nx, i));
  const p = load<u32>(at32(pv, i));
  if (p != NIL) {
    store<u32>(at32(nx, p), n);
  } else {
    store<u32>(at32(ptr(w, H_HEADS), g), n);
    if (n == NIL && l < levels(w)) clearBit(w, l, g - lvOff(w, l));
  }
  if (n != NIL) store<u32>(at32(pv, n), p);
  addCnt(w, l, -1);
}

/** Frees a node that is no longer linked: gen bump, FREE, onto the free list unless retired. */
// @ts-ignore: decorator
@inline function freeNode(w: usize, i: u32): void {
  store<u32>(at32(ptr(w, H_SL), i), FREE);
  const ga = at32(ptr(w, H_GN), i);
  const g = load<u32>(ga) + 1;
  store<u32>(ga, g);
  if (g >= GEN_LIMIT) return; // retired
  store<u32>(at32(ptr(w, H_NX), i), load<u32>(w, H_FREEHEAD));
  store<u32>(w, i, H_FREEHEAD);
  store<u32>(w, load<u32>(w, H_FREELEN) + 1, H_FREELEN);
}

// @ts-ignore: decorator
@inline function idOf(w: usize, i: u32): f64 {
  return <f64>load<u32>(at32(ptr(w, H_GN), i)) * WHEEL_GEN_UNIT + <f64>i;
}

/** Index of the pending node that `id` names, or NIL (any f64 accepted). */
function indexOf(w: usize, id: f64): u32 {
  if (!(id >= WHEEL_GEN_UNIT && id < ID_LIMIT)) return NIL;
  const u = <u64>id;
  if (<f64>u != id) return NIL;
  const i = <u32>(u % <u64>WHEEL_GEN_UNIT);
  const g = <u32>(u / <u64>WHEEL_GEN_UNIT);
  if (i >= load<u32>(w, H_FRESH)) return NIL;
  if (load<u32>(at32(ptr(w, H_SL), i)) == FREE) return NIL;
  if (load<u32>(at32(ptr(w, H_GN), i)) != g) return NIL;
  return i;
}

// ---- operations ----------------------------------------------------------------------

/** id; STATUS_FULL, STATUS_OUT_OF_MEMORY or STATUS_INVALID_TIME (nothing changed). */
export function schedule(w: usize, deadline: f64): f64 {
  const tk = timeTick(w, deadline);
  if (tk < 0) return STATUS_INVALID_TIME;
  let i = load<u32>(w, H_FREEHEAD);
  if (i != NIL) {
    store<u32>(w, load<u32>(at32(ptr(w, H_NX), i)), H_FREEHEAD);
    store<u32>(w, load<u32>(w, H_FREELEN) - 1, H_FREELEN);
  } else {
    i = load<u32>(w, H_FRESH);
    if (i >= WHEEL_MAX_TIMERS) return STATUS_FULL;
    if (i >= load<u32>(w, H_CAP) && !reserveNodes(w, i + 1)) return STATUS_OUT_OF_MEMORY;
    store<u32>(w, i + 1, H_FRESH);
    store<u32>(at32(ptr(w, H_GN), i), 1);
  }
  const seq = load<f64>(w, H_SEQ);
  store<f64>(w, seq + 1, H_SEQ);
  store<f64>(at64(ptr(w, H_DL), i), deadline);
  store<f64>(at64(ptr(w, H_SQ), i), seq);
  place(w, i, <u64>tk);
  store<u32>(w, load<u32>(w, H_SIZE) + 1, H_SIZE);
  return idOf(w, i);
}

/**
 * Writes one f64 id per deadline and returns 0; or, when the node arrays cannot grow to
 * hold the batch, schedules nothing, writes STATUS_OUT_OF_MEMORY everywhere and returns it.
 * The growth happens up front, so no entry can fail for memory once the first is placed.
 */
export function scheduleMany(w: usize, deadlines: usize, n: i32, out: usize): i32 {
  if (n <= 0) return 0;
  // Indices the batch takes: one per valid deadline, from the free list first.
  let valid: u32 = 0;
  for (let k = 0; k < n; k++) valid += u32(timeTick(w, load<f64>(at64(deadlines, <u32>k))) >= 0);
  const freeLen = load<u32>(w, H_FREELEN);
  if (valid > freeLen) {
    let need = <u64>load<u32>(w, H_FRESH) + <u64>(valid - freeLen);
    if (need > <u64>WHEEL_MAX_TIMERS) need = <u64>WHEEL_MAX_TIMERS;
    if (!reserveNodes(w, <u32>need)) {
      for (let k = 0; k < n; k++) store<f64>(at64(out, <u32>k), STATUS_OUT_OF_MEMORY);
      return STATUS_OUT_OF_MEMORY;
    }
  }
  for (let k = 0; k < n; k++) store<f64>(at64(out, <u32>k), schedule(w, load<f64>(at64(deadlines, <u32>k))));
  return 0;
}

export function cancel(w: usize, id: f64): i32 {
  const i = indexOf(w, id);
  if (i == NIL) return 0;
  unlink(w, i);
  freeNode(w, i);
  store<u32>(w, load<u32>(w, H_SIZE) - 1, H_SIZE);
  return 1;
}

/** 1 moved, 0 not pending, STATUS_INVALID_TIME (nothing changed). */
export function reschedule(w: usize, id: f64, deadline: f64): i32 {
  const tk = timeTick(w, deadline);
  if (tk < 0) return STATUS_INVALID_TIME;
  const i = indexOf(w, id);
  if (i == NIL) return 0;
  unlink(w, i);
  const seq = load<f64>(w, H_SEQ);
  store<f64>(w, seq + 1, H_SEQ);
  store<f64>(at64(ptr(w, H_DL), i), deadline);
  store<f64>(at64(ptr(w, H_SQ), i), seq);
  place(w, i, <u64>tk);
  return 1;
}

/** Frees every pending node in ascending index order; time and seq stay. */
export function clearWheel(w: usize): void {
  const fresh = load<u32>(w, H_FRESH);
  const sl = ptr(w, H_SL);
  for (let i: u32 = 0; i < fresh; i++) {
    if (load<u32>(at32(sl, i)) != FREE) freeNode(w, i);
  }
  const total = load<u32>(w, H_TOTAL);
  memory.fill(ptr(w, H_HEADS), 0xff, <usize>(total + 1) << 2);
  memory.fill(ptr(w, H_BITS), 0, <usize>load<u32>(w, H_WORDS) << 3);
  memory.fill(w + H_CNT, 0, <usize>(MAX_LEVELS + 1) * 4);
  store<u32>(w, 0, H_SIZE);
  store<u32>(w, 0, H_RESLEN);
}

// ---- advance -------------------------------------------------------------------------

/** (deadline, seq) of node a < that of node b. */
// @ts-ignore: decorator
@inline function before(dl: usize, sq: usize, a: u32, b: u32): bool {
  const da = load<f64>(at64(dl, a));
  const db = load<f64>(at64(dl, b));
  return da < db || (da == db && load<f64>(at64(sq, a)) < load<f64>(at64(sq, b)));
}

/** Reverses x[lo, hi). */
// @ts-ignore: decorator
@inline function reverse(x: usize, lo: u32, hi: u32): void {
  while (hi - lo > 1) {
    hi--;
    const a = load<u32>(at32(x, lo));
    store<u32>(at32(x, lo), load<u32>(at32(x, hi)));
    store<u32>(at32(x, hi), a);
    lo++;
  }
}

/** a[0, n) already ordered by (deadline, seq)? */
function isSorted(dl: usize, sq: usize, a: usize, n: u32): bool {
  for (let i: u32 = 1; i < n; i++) {
    if (before(dl, sq, load<u32>(at32(a, i)), load<u32>(at32(a, i - 1)))) return false;
  }
  return true;
}

/**
 * Stable merge sort of the node indices a[0, n) by (deadline, seq), in place: a
 * sortedness check, insertion-sorted runs of RUN, then bottom-up merges through the
 * scratch b[0, n) (skipping pairs already in order), copied back when the result ends in b.
 * O(n log n) comparisons, no recursion, no allocation.
 */
function mergeRun(w: usize, a: usize, b: usize, n: u32): void {
  if (n < 2) return;
  const dl = ptr(w, H_DL), sq = ptr(w, H_SQ);
  if (isSorted(dl, sq, a, n)) return;
  for (let lo: u32 = 0; lo < n; lo += RUN) {
    const hi = min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = load<u32>(at32(a, i));
      let j = i;
      while (j > lo) {
        const u = load<u32>(at32(a, j - 1));
        if (!before(dl, sq, v, u)) break;
        store<u32>(at32(a, j), u);
        j--;
      }
      store<u32>(at32(a, j), v);
    }
  }
  let src = a, dst = b;
  for (let width: u32 = RUN; width < n; width <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      if (mid >= hi || !before(dl, sq, load<u32>(at32(src, mid)), load<u32>(at32(src, mid - 1)))) {
        memory.copy(at32(dst, lo), at32(src, lo), <usize>(hi - lo) << 2);
        continue;
      }
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const x = load<u32>(at32(src, i));
        const y = load<u32>(at32(src, j));
        if (before(dl, sq, y, x)) {
          store<u32>(at32(dst, k), y);
          j++;
        } else {
          store<u32>(at32(dst, k), x);
          i++;
        }
        k++;
      }
      if (i < mid) memory.copy(at32(dst, k), at32(src, i), <usize>(mid - i) << 2);
      else if (j < hi) memory.copy(at32(dst, k), at32(src, j), <usize>(hi - j) << 2);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memory.copy(a, src, <usize>n << 2);
}

/** Segments at least this long are radix sorted (when the key buffer can be allocated). */
// @ts-ignore: decorator
@inline const RADIX_MIN: u32 = 2048;
// @ts-ignore: decorator
@inline const RADIX_BITS: u64 = 11;
// @ts-ignore: decorator
@inline const RADIX_BUCKETS: i32 = 1 << 11; // 2^RADIX_BITS
// @ts-ignore: decorator
@inline const RADIX_MASK: u64 = RADIX_BUCKETS - 1;
const HIST = memory.data(RADIX_BUCKETS * 4, 16);

/**
 * LSD radix sort of a[0, n) by deadline (deadline + 0.0 as u64 bits: order-preserving for
 * values >= 0, -0 folded into 0), 11-bit digits over only the bits where the keys differ,
 * keys copied into a transient block so the passes stream through memory. Equal-deadline
 * runs are then ordered by seq with mergeRun (O(run) when already in seq order). False,
 * with a untouched, when the key block cannot be allocated.
 */
function radixRun(w: usize, a: usize, b: usize, n: u32): bool {
  const kb = alloc(<usize>n << 4);
  if (!kb) return false;
  const dl = ptr(w, H_DL);
  let ks = kb, kd = kb + (<usize>n << 3);
  let orv: u64 = 0, andv: u64 = ~(<u64>0);
  for (let i: u32 = 0; i < n; i++) {
    const key = reinterpret<u64>(load<f64>(at64(dl, load<u32>(at32(a, i)))) + 0.0);
    store<u64>(at64(ks, i), key);
    orv |= key;
    andv &= key;
  }
  const diff = orv ^ andv;
  if (diff) {
    let src = a, dst = b;
    const top = <u64>64 - clz<u64>(diff);
    for (let shift = ctz<u64>(diff); shift < top; shift += RADIX_BITS) {
      memory.fill(HIST, 0, RADIX_BUCKETS * 4);
      for (let i: u32 = 0; i < n; i++) {
        const h = HIST + (<usize>((load<u64>(at64(ks, i)) >> shift) & RADIX_MASK) << 2);
        store<u32>(h, load<u32>(h) + 1);
      }
      if (load<u32>(HIST + (<usize>((load<u64>(ks) >> shift) & RADIX_MASK) << 2)) == n) continue;
      let sum: u32 = 0;
      for (let d: usize = 0; d < <usize>RADIX_BUCKETS; d++) {
        const c = load<u32>(HIST + (d << 2));
        store<u32>(HIST + (d << 2), sum);
        sum += c;
      }
      for (let i: u32 = 0; i < n; i++) {
        const key = load<u64>(at64(ks, i));
        const h = HIST + (<usize>((key >> shift) & RADIX_MASK) << 2);
        const pos = load<u32>(h);
        store<u32>(h, pos + 1);
        store<u64>(at64(kd, pos), key);
        store<u32>(at32(dst, pos), load<u32>(at32(src, i)));
      }
      let t = ks;
      ks = kd;
      kd = t;
      t = src;
      src = dst;
      dst = t;
    }
    if (src != a) memory.copy(a, src, <usize>n << 2);
  }
  // Equal deadlines: order by seq.
  let i: u32 = 0;
  while (i < n) {
    const key = load<u64>(at64(ks, i));
    let j = i + 1;
    while (j < n && load<u64>(at64(ks, j)) == key) j++;
    if (j - i > 1) mergeRun(w, at32(a, i), at32(b, i), j - i);
    i = j;
  }
  heap.free(kb);
  return true;
}

/** Sorts a[0, n) by (deadline, seq) in place, b[0, n) scratch; never fails. */
function sortRun(w: usize, a: usize, b: usize, n: u32): void {
  if (n < 2) return;
  if (isSorted(ptr(w, H_DL), ptr(w, H_SQ), a, n)) return;
  if (n >= RADIX_MIN && radixRun(w, a, b, n)) return;
  mergeRun(w, a, b, n);
}

/** sortRun over res[lo, hi) with tmp[lo, hi) as scratch. */
// @ts-ignore: decorator
@inline function sortSegment(w: usize, res: usize, tmp: usize, lo: u32, hi: u32): void {
  if (hi - lo > 1) sortRun(w, at32(res, lo), at32(tmp, lo), hi - lo);
}

/**
 * Steps 1-4 of the contract. Returns the expired count (indices at ptr(w, H_RES)),
 * STATUS_OUT_OF_MEMORY when the result buffers could not grow, or STATUS_INVALID_TIME;
 * nothing changes unless the count is returned.
 */
export function advance(w: usize, now: f64): i32 {
  const tk = timeTick(w, now);
  if (!(now >= load<f64>(w, H_NOW)) || tk < 0) return STATUS_INVALID_TIME;
  const T = <u64>tk;
  const L = levels(w);
  // Every node that can expire sits at level 0, at a level whose block changes, or in the
  // overflow list when the top block changes: reserve that many result entries first so
  // nothing below can fail.
  let bound: u64 = <u64>lvCnt(w, 0);
  for (let l = 1; l < L; l++) {
    if (divS(w, T, l) != lvCB(w, l)) bound += <u64>lvCnt(w, l);
  }
  const tTop = divS(w, T, L);
  const rotate = tTop > lvCB(w, L);
  if (rotate) bound += <u64>lvCnt(w, L);
  if (!reserveResult(w, <u32>bound)) return STATUS_OUT_OF_MEMORY;

  const res = ptr(w, H_RES);
  const tmp = ptr(w, H_TMP);
  const heads = ptr(w, H_HEADS);
  const bits = ptr(w, H_BITS);
  const nx = ptr(w, H_NX);
  const pv = ptr(w, H_PV);
  const dl = ptr(w, H_DL);
  let e: u32 = 0;
  let collected: u32 = NIL; // singly linked through next
  let collectedTop: u32 = NIL;

  // 1. Overflow nodes whose top block is <= T's.
  if (rotate) {
    const g = lvOff(w, L);
    const hp = at32(heads, g);
    let i = load<u32>(hp);
    let taken: u32 = 0;
    while (i != NIL) {
      const n = load<u32>(at32(nx, i));
      if (divS(w, tickOf(w, load<f64>(at64(dl, i))), L) <= tTop) {
        const p = load<u32>(at32(pv, i));
        if (p != NIL) store<u32>(at32(nx, p), n);
        else store<u32>(hp, n);
        if (n != NIL) store<u32>(at32(pv, n), p);
        store<u32>(at32(nx, i), collectedTop);
        collectedTop = i;
        taken++;
      }
      i = n;
    }
    addCnt(w, L, -<i32>taken);
  }

  // 2. Each level: occupied slots with block in [bOld, min(bT, base + N - 1)].
  for (let l = 0; l < L; l++) {
    const bOld = lvCB(w, l);
    const bT = divS(w, T, l);
    if (l >= 1 && bT == bOld) continue;
    if (lvCnt(w, l) == 0) continue;
    const n = <u64>lvN(w, l);
    const base = lvCB(w, l + 1) * n;
    const last = (bT < base + n - 1 ? bT : base + n - 1) - base;
    const first = bOld - base;
    const off = lvOff(w, l);
    const words = bits + (<usize>lvWoff(w, l) << 3);
    const w0 = <u32>(first >> 6), w1 = <u32>(last >> 6);
    let taken: u32 = 0;
    for (let wi = w0; wi <= w1; wi++) {
      const wa = at64(words, wi);
      let word = load<u64>(wa);
      if (wi == w0) word &= ~(<u64>0) << (first & 63);
      if (wi == w1 && (last & 63) != 63) word &= (<u64>1 << ((last & 63) + 1)) - 1;
      if (!word) continue;
      store<u64>(wa, load<u64>(wa) & ~word);
      while (word) {
        const s = (wi << 6) + <u32>ctz<u64>(word);
        word &= word - 1;
        const hp = at32(heads, off + s);
        let i = load<u32>(hp);
        store<u32>(hp, NIL);
        if (base + <u64>s < bT) {
          const start = e;
          while (i != NIL) {
            store<u32>(at32(res, e++), i);
            i = load<u32>(at32(nx, i));
          }
          taken += e - start;
          // Lists hold the newest node first; oldest first is closer to (deadline, seq).
          reverse(res, start, e);
          sortSegment(w, res, tmp, start, e);
        } else {
          while (i != NIL) {
            const nn = load<u32>(at32(nx, i));
            store<u32>(at32(nx, i), collected);
            collected = i;
            taken++;
            i = nn;
          }
        }
      }
    }
    addCnt(w, l, -<i32>taken);
  }

  // 3. cur = T; collected nodes expire or are placed relative to the new cur.
  store<u64>(w, T, H_CUR);
  store<f64>(w, now, H_NOW);
  for (let l = 0; l <= L; l++) store<u64>(w + H_CB + (<usize>l << 3), divS(w, T, l));
  for (let pass = 0; pass < 2; pass++) {
    let i = pass == 0 ? collected : collectedTop;
    const start = e;
    while (i != NIL) {
      const n = load<u32>(at32(nx, i));
      const d = load<f64>(at64(dl, i));
      if (d <= now) store<u32>(at32(res, e++), i);
      else place(w, i, tickOf(w, d));
      i = n;
    }
    sortSegment(w, res, tmp, start, e);
  }

  // 4. Order by (deadline, seq), free in that order. The segments sorted above cover
  // disjoint, ascending tick ranges (each slot of step 2 in level and slot order, then the
  // collected slot of the highest level that moved, then the overflow), and tick() is
  // monotone in the deadline, so their concatenation is already in order.
  for (let k: u32 = 0; k < e; k++) freeNode(w, load<u32>(at32(res, k)));
  store<u32>(w, load<u32>(w, H_SIZE) - e, H_SIZE);
  store<u32>(w, e, H_RESLEN);
  return <i32>e;
}

// ---- queries -------------------------------------------------------------------------

/** First occupied slot of level l at or after cur's slot, or -1. */
function firstSlot(w: usize, l: i32): i32 {
  const n = lvN(w, l);
  const start = <u32>(lvCB(w, l) - lvCB(w, l + 1) * <u64>n);
  const words = ptr(w, H_BITS) + (<usize>lvWoff(w, l) << 3);
  const w1 = (n - 1) >> 6;
  for (let wi = start >> 6; wi <= w1; wi++) {
    let word = load<u64>(at64(words, wi));
    if (wi == start >> 6) word &= ~(<u64>0) << <u64>(start & 63);
    if (word) return <i32>((wi << 6) + <u32>ctz<u64>(word));
  }
  return -1;
}

/** Least deadline in the list of global slot g (Infinity when empty). */
function minDeadline(w: usize, g: u32): f64 {
  const nx = ptr(w, H_NX), dl = ptr(w, H_DL);
  let m = Infinity;
  let i = load<u32>(at32(ptr(w, H_HEADS), g));
  while (i != NIL) {
    m = min<f64>(m, load<f64>(at64(dl, i))); // f64.min: -0 < +0, as Math.min
    i = load<u32>(at32(nx, i));
  }
  return m;
}

/** Lowest non-empty level and its first occupied slot: (l << 20) | s, L << 20 for overflow only, -1 empty. */
function firstOccupied(w: usize): i32 {
  if (load<u32>(w, H_SIZE) == 0) return -1;
  const L = levels(w);
  for (let l = 0; l < L; l++) {
    if (lvCnt(w, l) == 0) continue;
    const s = firstSlot(w, l);
    if (s >= 0) return (l << 20) | s;
  }
  return L << 20;
}

export function nextWake(w: usize): f64 {
  const f = firstOccupied(w);
  if (f < 0) return -1;
  const l = f >> 20, s = <u32>(f & 0xfffff);
  const L = levels(w);
  if (l == 0) return minDeadline(w, lvOff(w, 0) + s);
  if (l == L) return startTime(w, (lvCB(w, L) + 1) * lvS(w, L));
  const base = lvCB(w, l + 1) * <u64>lvN(w, l);
  return startTime(w, (base + <u64>s) * lvS(w, l));
}

/**
 * The least f64 time whose tick is `tick`: tick * tickMs, stepped up an ulp at a time where
 * rounding put it one tick short (tickMs like 0.7), so a driver advancing to nextWake always
 * reaches the slot.
 */
function startTime(w: usize, tick: u64): f64 {
  const tickMs = load<f64>(w, H_TICK);
  const t = <f64>tick;
  let x = t * tickMs;
  while (Math.floor(x / tickMs) < t) x = reinterpret<f64>(reinterpret<u64>(x) + 1);
  return x;
}

export function nextDeadline(w: usize): f64 {
  const f = firstOccupied(w);
  if (f < 0) return -1;
  const l = f >> 20, s = <u32>(f & 0xfffff);
  const m = minDeadline(w, l == levels(w) ? lvOff(w, l) : lvOff(w, l) + s);
  return m < Infinity ? m : -1;
}

// ---- invariants ----------------------------------------------------------------------

/** 0 when every invariant holds, else the first violation's code (asm/README.md). */
export function checkWheel(w: usize): i32 {
  const L = levels(w);
  // 1. header
  if (L < 1 || L > MAX_LEVELS) return 1;
  const tickMs = load<f64>(w, H_TICK);
  if (!(tickMs >= MIN_TICK_MS && tickMs < Infinity)) return 1;
  const now = load<f64>(w, H_NOW);
  if (!(now >= 0 && now < Infinity) || !(Math.floor(now / tickMs) <= MAX_TICK)) return 1;
  const cur = load<u64>(w, H_CUR);
  if (cur != tickOf(w, now)) return 1;
  if (lvS(w, 0) != 1 || lvOff(w, 0) != 0 || lvWoff(w, 0) != 0) return 1;
  for (let l = 0; l < L; l++) {
    const n = lvN(w, l);
    if (n < MIN_SLOTS || n > MAX_SLOTS) return 1;
    if (lvS(w, l + 1) != lvS(w, l) * <u64>n) return 1;
    if (lvOff(w, l + 1) != lvOff(w, l) + n) return 1;
    if (lvWoff(w, l + 1) != lvWoff(w, l) + ((n + 63) >> 6)) return 1;
  }
  for (let l = 0; l <= L; l++) if (lvCB(w, l) != cur / lvS(w, l)) return 1;
  if (lvOff(w, L) != load<u32>(w, H_TOTAL) || lvWoff(w, L) != load<u32>(w, H_WORDS)) return 1;
  const fresh = load<u32>(w, H_FRESH);
  const cap = load<u32>(w, H_CAP);
  if (fresh > cap || cap > WHEEL_MAX_TIMERS || load<u32>(w, H_RESLEN) > load<u32>(w, H_RESCAP)) return 1;

  const heads = ptr(w, H_HEADS), bits = ptr(w, H_BITS);
  const nx = ptr(w, H_NX), pv = ptr(w, H_PV), sl = ptr(w, H_SL), gn = ptr(w, H_GN);
  const dl = ptr(w, H_DL);
  let linked: u32 = 0;
  for (let l = 0; l <= L; l++) {
    const n: u32 = l < L ? lvN(w, l) : 1;
    const off = lvOff(w, l);
    let atLevel: u32 = 0;
    for (let s: u32 = 0; s < n; s++) {
      const g = off + s;
      const h = load<u32>(at32(heads, g));
      // 4. bitmap bit == non-empty slot
      if (l < L) {
        const word = load<u64>(bits + (<usize>(lvWoff(w, l) + (s >> 6)) << 3));
        if (((word >> <u64>(s & 63)) & 1) != <u64>(h != NIL)) return 4;
      }
      let prev = NIL;
      let i = h;
      while (i != NIL) {
        // 2. list links
        if (i >= fresh || ++linked > fresh) return 2;
        if (load<u32>(at32(pv, i)) != prev) return 2;
        if (load<u32>(at32(sl, i)) != g) return 2;
        const gen = load<u32>(at32(gn, i));
        if (gen < 1 || gen >= GEN_LIMIT) return 2;
        // 3. placement relative to cur
        if (slotOfTick(w, tickOf(w, load<f64>(at64(dl, i)))) != g) return 3;
        atLevel++;
        prev = i;
        i = load<u32>(at32(nx, i));
      }
    }
    // 5. per-level counts
    if (atLevel != lvCnt(w, l)) return 5;
  }
  // 4. padding bits past each level's last slot
  for (let l = 0; l < L; l++) {
    const n = lvN(w, l);
    if (n & 63) {
      const word = load<u64>(bits + (<usize>(lvWoff(w, l) + ((n - 1) >> 6)) << 3));
      if (word >> <u64>(n & 63)) return 4;
    }
  }
  // 5. size
  if (linked != load<u32>(w, H_SIZE)) return 5;
  // 6. free list
  const freeLen = load<u32>(w, H_FREELEN);
  let nfree: u32 = 0;
  let i = load<u32>(w, H_FREEHEAD);
  while (i != NIL) {
    if (i >= fresh || ++nfree > freeLen) return 6;
    if (load<u32>(at32(sl, i)) != FREE) return 6;
    const gen = load<u32>(at32(gn, i));
    if (gen < 1 || gen >= GEN_LIMIT) return 6;
    i = load<u32>(at32(nx, i));
  }
  if (nfree != freeLen) return 6;
  // 7. every used index is pending, free-listed or retired
  let pending: u32 = 0, freeNodes: u32 = 0;
  for (let k: u32 = 0; k < fresh; k++) {
    const gen = load<u32>(at32(gn, k));
    if (load<u32>(at32(sl, k)) != FREE) pending++;
    else if (gen < GEN_LIMIT) freeNodes++;
    else if (gen != GEN_LIMIT) return 7;
  }
  if (pending != linked || freeNodes != freeLen) return 7;
  return 0;
}
