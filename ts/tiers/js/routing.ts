// Consistent hashing, reference semantics: XXH64 (seed 0) over UTF-8, jump
// consistent hash, rendezvous scores (definitions in ts/api/routing.ts).
// 64-bit values live in a register file of u32 pairs (V: slot s is V[2s] low,
// V[2s + 1] high) and the helpers take slot numbers: a BigInt per key would
// cost more than the whole hash of a short key, and passing halves above 2^30
// as arguments or results would box a heap number per call wherever V8 does
// not inline.
import type { KernelSet } from '../../contract/kernels.js';
import { fdlibmLog } from './sketch.js';

const V = new Uint32Array(16);
/** Slots: the hash, XXH64's four lanes, a temporary, the jump key, the mix. */
const HASH = 0, TMP = 5, KEY = 6, MIX = 7;

/** V[s] ·= (bh, bl) mod 2^64, with 16-bit partial products for the high half of the low product. */
function mulc(s: number, bh: number, bl: number): void {
  const al = V[2 * s]!, ah = V[2 * s + 1]!;
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p01 = a0 * b1, p10 = a1 * b0;
  const t = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const hi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16);
  V[2 * s] = Math.imul(al, bl);
  V[2 * s + 1] = hi + Math.imul(ah, bl) + Math.imul(al, bh);
}

/** V[s] += (bh, bl) mod 2^64. */
function addc(s: number, bh: number, bl: number): void {
  const lo = V[2 * s]! + bl;
  V[2 * s] = lo;
  V[2 * s + 1] = V[2 * s + 1]! + bh + (lo > 0xffffffff ? 1 : 0);
}

/** V[s] += V[t]. */
function addv(s: number, t: number): void {
  addc(s, V[2 * t + 1]!, V[2 * t]!);
}

/** V[s] ^= V[t]. */
function xorv(s: number, t: number): void {
  V[2 * s] ^= V[2 * t]!;
  V[2 * s + 1] ^= V[2 * t + 1]!;
}

/** V[s] = rotl64(V[s], r), 0 < r < 32. */
function rotl(s: number, r: number): void {
  const l = V[2 * s]!, h = V[2 * s + 1]!;
  V[2 * s + 1] = (h << r) | (l >>> (32 - r));
  V[2 * s] = (l << r) | (h >>> (32 - r));
}

/** V[s] ^= V[s] >>> r, 0 < r < 64. */
function shrxor(s: number, r: number): void {
  const l = V[2 * s]!, h = V[2 * s + 1]!;
  if (r >= 32) V[2 * s] = l ^ (h >>> (r - 32));
  else {
    V[2 * s] = l ^ ((l >>> r) | (h << (32 - r)));
    V[2 * s + 1] = h ^ (h >>> r);
  }
}

function setv(s: number, hi: number, lo: number): void {
  V[2 * s] = lo;
  V[2 * s + 1] = hi;
}

function copy(s: number, t: number): void {
  V[2 * s] = V[2 * t]!;
  V[2 * s + 1] = V[2 * t + 1]!;
}

/** V[s] = the little-endian u64 (or u32 when `four`) at b[p]. */
function load(s: number, b: Uint8Array, p: number, four: boolean): void {
  V[2 * s] = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  V[2 * s + 1] = four ? 0 : b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
}

// XXH64's primes as hi, lo.
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

const u32At = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

/** V[t] = rotl(V[t]·P2, 31)·P1: XXH64's round of a zero accumulator. */
function round0(t: number): void {
  mulc(t, P2H, P2L);
  rotl(t, 31);
  mulc(t, P1H, P1L);
}

/** V[HASH] = XXH64 with seed 0 of b[p, e). */
function xxh64(b: Uint8Array, p: number, e: number): void {
  const len = e - p;
  let hh: number, hl: number;
  if (len >= 32) {
    setv(1, 0x60ea27ee, 0xadc0b5d6); // P1 + P2
    setv(2, P2H, P2L);
    setv(3, 0, 0);
    setv(4, 0x61c8864e, 0x7a143579); // -P1
    for (; p + 32 <= e; p += 32) {
      for (let v = 1; v <= 4; v++) {
        load(TMP, b, p + 8 * (v - 1), false);
        mulc(TMP, P2H, P2L);
        addv(v, TMP);
        rotl(v, 31);
        mulc(v, P1H, P1L);
      }
    }
    copy(HASH, 1); rotl(HASH, 1);
    copy(TMP, 2); rotl(TMP, 7); addv(HASH, TMP);
    copy(TMP, 3); rotl(TMP, 12); addv(HASH, TMP);
    copy(TMP, 4); rotl(TMP, 18); addv(HASH, TMP);
    for (let v = 1; v <= 4; v++) {
      copy(TMP, v); round0(TMP);
      xorv(HASH, TMP); mulc(HASH, P1H, P1L); addc(HASH, P4H, P4L);
    }
    hh = V[2 * HASH + 1]!;
    hl = V[2 * HASH]!;
  } else {
    hh = P5H;
    hl = P5L;
  }
  // + len (a key's UTF-8 is far below 2^32 bytes). The tail and the avalanche below are
  // written out in full (one statement group per 64-bit operation): V8 inlines only so
  // much into one function, and each helper call left standing costs ~10 ns here.
  let t = hl + len;
  hl = t >>> 0;
  hh = (hh + (t > 0xffffffff ? 1 : 0)) >>> 0;
  let th = 0, tl = 0, a0 = 0, a1 = 0, p01 = 0, p10 = 0;
  for (; p + 8 <= e; p += 8) {
    tl = u32At(b, p); th = u32At(b, p + 4);
    // th:tl *= P2
    a0 = tl & 0xffff; a1 = tl >>> 16; p01 = a0 * 0x27d4; p10 = a1 * 0xeb4f;
    t = ((a0 * 0xeb4f) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    th = (a1 * 0x27d4 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(th, P2L) + Math.imul(tl, P2H)) >>> 0;
    tl = Math.imul(tl, P2L) >>> 0;
    t = (th << 31) | (tl >>> 1); tl = ((tl << 31) | (th >>> 1)) >>> 0; th = t >>> 0;
    // th:tl *= P1
    a0 = tl & 0xffff; a1 = tl >>> 16; p01 = a0 * 0x85eb; p10 = a1 * 0xca87;
    t = ((a0 * 0xca87) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    th = (a1 * 0x85eb + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(th, P1L) + Math.imul(tl, P1H)) >>> 0;
    tl = Math.imul(tl, P1L) >>> 0;
    hh = (hh ^ th) >>> 0; hl = (hl ^ tl) >>> 0;
    t = (hh << 27) | (hl >>> 5); hl = ((hl << 27) | (hh >>> 5)) >>> 0; hh = t >>> 0;
    // hh:hl *= P1
    a0 = hl & 0xffff; a1 = hl >>> 16; p01 = a0 * 0x85eb; p10 = a1 * 0xca87;
    t = ((a0 * 0xca87) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    hh = (a1 * 0x85eb + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(hh, P1L) + Math.imul(hl, P1H)) >>> 0;
    hl = Math.imul(hl, P1L) >>> 0;
    t = hl + P4L; hl = t >>> 0; hh = (hh + P4H + (t > 0xffffffff ? 1 : 0)) >>> 0;
  }
  if (p + 4 <= e) {
    tl = u32At(b, p); th = 0;
    // th:tl *= P1
    a0 = tl & 0xffff; a1 = tl >>> 16; p01 = a0 * 0x85eb; p10 = a1 * 0xca87;
    t = ((a0 * 0xca87) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    th = (a1 * 0x85eb + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(th, P1L) + Math.imul(tl, P1H)) >>> 0;
    tl = Math.imul(tl, P1L) >>> 0;
    hh = (hh ^ th) >>> 0; hl = (hl ^ tl) >>> 0;
    t = (hh << 23) | (hl >>> 9); hl = ((hl << 23) | (hh >>> 9)) >>> 0; hh = t >>> 0;
    // hh:hl *= P2
    a0 = hl & 0xffff; a1 = hl >>> 16; p01 = a0 * 0x27d4; p10 = a1 * 0xeb4f;
    t = ((a0 * 0xeb4f) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    hh = (a1 * 0x27d4 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(hh, P2L) + Math.imul(hl, P2H)) >>> 0;
    hl = Math.imul(hl, P2L) >>> 0;
    t = hl + P3L; hl = t >>> 0; hh = (hh + P3H + (t > 0xffffffff ? 1 : 0)) >>> 0;
    p += 4;
  }
  for (; p < e; p++) {
    tl = b[p]!; th = 0;
    // th:tl *= P5
    a0 = tl & 0xffff; a1 = tl >>> 16; p01 = a0 * 0x1656; p10 = a1 * 0x67c5;
    t = ((a0 * 0x67c5) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    th = (a1 * 0x1656 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(th, P5L) + Math.imul(tl, P5H)) >>> 0;
    tl = Math.imul(tl, P5L) >>> 0;
    hh = (hh ^ th) >>> 0; hl = (hl ^ tl) >>> 0;
    t = (hh << 11) | (hl >>> 21); hl = ((hl << 11) | (hh >>> 21)) >>> 0; hh = t >>> 0;
    // hh:hl *= P1
    a0 = hl & 0xffff; a1 = hl >>> 16; p01 = a0 * 0x85eb; p10 = a1 * 0xca87;
    t = ((a0 * 0xca87) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    hh = (a1 * 0x85eb + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(hh, P1L) + Math.imul(hl, P1H)) >>> 0;
    hl = Math.imul(hl, P1L) >>> 0;
  }
  hl = (hl ^ (hh >>> 1)) >>> 0;
  // hh:hl *= P2
  a0 = hl & 0xffff; a1 = hl >>> 16; p01 = a0 * 0x27d4; p10 = a1 * 0xeb4f;
  t = ((a0 * 0xeb4f) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  hh = (a1 * 0x27d4 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(hh, P2L) + Math.imul(hl, P2H)) >>> 0;
  hl = Math.imul(hl, P2L) >>> 0;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0; hh = (hh ^ (hh >>> 29)) >>> 0;
  // hh:hl *= P3
  a0 = hl & 0xffff; a1 = hl >>> 16; p01 = a0 * 0x9e37; p10 = a1 * 0x79f9;
  t = ((a0 * 0x79f9) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  hh = (a1 * 0x9e37 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(hh, P3L) + Math.imul(hl, P3H)) >>> 0;
  hl = Math.imul(hl, P3L) >>> 0;
  V[2 * HASH] = hl ^ hh;
  V[2 * HASH + 1] = hh;
}

// UTF-8 of one key: ASCII is copied unit by unit, anything else goes through TextEncoder
// (lone surrogates become U+FFFD, the contract).
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** V[HASH] = XXH64 of the UTF-8 of s. */
export function xxh64Text(s: string): void {
  const n = s.length;
  if (scratch.length < 3 * n) scratch = new Uint8Array(Math.max(3 * n, 2 * scratch.length));
  const b = scratch;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    b[i] = c;
  }
  xxh64(b, 0, i === n ? n : encoder.encodeInto(s, b).written);
}

// The last few views made, by array: a ring routing one key at a time passes the same
// key and seed arrays on every call, and a fresh view costs more than scoring 10 nodes.
const viewOf: BigUint64Array[] = [];
const views: Uint32Array[] = [];
let nextView = 0;

/** The 64-bit words of a BigUint64Array as (lo, hi) u32 pairs (little-endian, as every target is). */
function words(x: BigUint64Array): Uint32Array {
  for (let i = 0; i < viewOf.length; i++) {
    const v = views[i]!;
    if (viewOf[i] === x && v.buffer === x.buffer && v.byteOffset === x.byteOffset && v.length === 2 * x.length) return v;
  }
  const v = new Uint32Array(x.buffer, x.byteOffset, x.length * 2);
  if (x.length <= 4096) {
    viewOf[nextView] = x;
    views[nextView] = v;
    nextView = (nextView + 1) % 4;
  }
  return v;
}

function hashTexts(texts: readonly string[], out: BigUint64Array): void {
  const o = words(out);
  for (let t = 0; t < texts.length; t++) {
    xxh64Text(texts[t]!);
    o[2 * t] = V[0]!;
    o[2 * t + 1] = V[1]!;
  }
}

// Jump hash's multiplier 2862933555777941757 as [hi, lo].
const JH = 0x27bb2ee6, JL = 0x87b0b0fd;

function jumpHash(keys: BigUint64Array, buckets: number, out: Uint32Array): void {
  const k = words(keys);
  for (let i = 0; i < out.length; i++) {
    setv(KEY, k[2 * i + 1]!, k[2 * i]!);
    let b = -1, j = 0;
    while (j < buckets) {
      b = j;
      mulc(KEY, JH, JL);
      addc(KEY, 0, 1);
      j = Math.floor((b + 1) * (2147483648 / ((V[2 * KEY + 1]! >>> 1) + 1)));
    }
    out[i] = b;
  }
}

/** m = fmix64(key ^ seed) >>> 12 (a 52-bit integer, exact as a double), for keys[ki] and seeds[si] as u32 pairs. */
function top52(k: Uint32Array, ki: number, s: Uint32Array, si: number): number {
  V[2 * MIX] = k[2 * ki]! ^ s[2 * si]!;
  V[2 * MIX + 1] = k[2 * ki + 1]! ^ s[2 * si + 1]!;
  shrxor(MIX, 33);
  mulc(MIX, 0xff51afd7, 0xed558ccd);
  shrxor(MIX, 33);
  mulc(MIX, 0xc4ceb9fe, 0x1a85ec53);
  shrxor(MIX, 33);
  const h = V[2 * MIX + 1]!;
  return (h >>> 12) * 4294967296 + ((((h & 0xfff) << 20) | (V[2 * MIX]! >>> 12)) >>> 0);
}

const weighted = (m: number, w: number): number => w / -fdlibmLog((m + 0.5) * 2 ** -52);

function rendezvous(keys: BigUint64Array, seeds: BigUint64Array, weights: Float64Array, uniform: boolean, out: Uint32Array): void {
  const k = words(keys), s = words(seeds), nodes = seeds.length;
  for (let i = 0; i < out.length; i++) {
    let at = 0;
    let top = top52(k, i, s, 0);
    if (!uniform) top = weighted(top, weights[0]!);
    for (let n = 1; n < nodes; n++) {
      const m = top52(k, i, s, n);
      const x = uniform ? m : weighted(m, weights[n]!);
      if (x > top) {
        top = x;
        at = n;
      }
    }
    out[i] = at;
  }
}

function rendezvousScores(keys: BigUint64Array, seeds: BigUint64Array, weights: Float64Array, uniform: boolean, out: Float64Array): void {
  const k = words(keys), s = words(seeds), nodes = seeds.length;
  for (let i = 0, o = 0; i < keys.length; i++) {
    for (let n = 0; n < nodes; n++, o++) {
      const m = top52(k, i, s, n);
      out[o] = uniform ? (m + 0.5) * 2 ** -52 : weighted(m, weights[n]!);
    }
  }
}

/** The routing entries of the js kernel table. */
export const routingKernels: Pick<KernelSet, 'hashTexts' | 'jumpHash' | 'rendezvous' | 'rendezvousScores'> = { hashTexts, jumpHash, rendezvous, rendezvousScores };
