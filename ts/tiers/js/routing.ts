// Consistent hashing, reference semantics: XXH64 (seed 0) over UTF-8, jump
// consistent hash, rendezvous scores (definitions in ts/api/routing.ts).
// 64-bit arithmetic runs on 32-bit halves held in two module registers (H, L)
// with Math.imul and 16-bit partial products: a BigInt per key would cost
// more than the whole hash of a short key.
import type { KernelSet } from '../../contract/kernels.js';
import { fdlibmLog } from './sketch.js';

let H = 0;
let L = 0;

/** (H, L) = (ah, al) · (bh, bl) mod 2^64; all halves unsigned. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p01 = a0 * b1, p10 = a1 * b0;
  const t = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const hi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16);
  L = Math.imul(al, bl) >>> 0;
  H = (hi + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (H, L) = (ah, al) + (bh, bl) mod 2^64. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  L = lo >>> 0;
  H = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** (H, L) = rotl64((h, l), r) for 0 < r < 32. */
function rotl(h: number, l: number, r: number): void {
  H = ((h << r) | (l >>> (32 - r))) >>> 0;
  L = ((l << r) | (h >>> (32 - r))) >>> 0;
}

// XXH64's primes as [hi, lo].
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

/** (H, L) = rotl(acc + lane·P2, 31)·P1. */
function round(ah: number, al: number, xh: number, xl: number): void {
  mul(xh, xl, P2H, P2L);
  add(ah, al, H, L);
  rotl(H, L, 31);
  mul(H, L, P1H, P1L);
}

const u32At = (b: Uint8Array, p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;

/** (H, L) = XXH64 with seed 0 of b[p, e). */
function xxh64(b: Uint8Array, p: number, e: number): void {
  const len = e - p;
  let hh: number, hl: number;
  if (len >= 32) {
    let v1h = 0x60ea27ee, v1l = 0xadc0b5d6; // P1 + P2
    let v2h = P2H, v2l = P2L;
    let v3h = 0, v3l = 0;
    let v4h = 0x61c8864e, v4l = 0x7a143579; // -P1
    for (; p + 32 <= e; p += 32) {
      round(v1h, v1l, u32At(b, p + 4), u32At(b, p)); v1h = H; v1l = L;
      round(v2h, v2l, u32At(b, p + 12), u32At(b, p + 8)); v2h = H; v2l = L;
      round(v3h, v3l, u32At(b, p + 20), u32At(b, p + 16)); v3h = H; v3l = L;
      round(v4h, v4l, u32At(b, p + 28), u32At(b, p + 24)); v4h = H; v4l = L;
    }
    rotl(v1h, v1l, 1); hh = H; hl = L;
    rotl(v2h, v2l, 7); add(hh, hl, H, L); hh = H; hl = L;
    rotl(v3h, v3l, 12); add(hh, hl, H, L); hh = H; hl = L;
    rotl(v4h, v4l, 18); add(hh, hl, H, L); hh = H; hl = L;
    for (const [vh, vl] of [[v1h, v1l], [v2h, v2l], [v3h, v3l], [v4h, v4l]] as const) {
      round(0, 0, vh, vl);
      mul((hh ^ H) >>> 0, (hl ^ L) >>> 0, P1H, P1L);
      add(H, L, P4H, P4L); hh = H; hl = L;
    }
  } else {
    hh = P5H; hl = P5L;
  }
  add(hh, hl, Math.floor(len / 4294967296), len >>> 0); hh = H; hl = L;
  for (; p + 8 <= e; p += 8) {
    round(0, 0, u32At(b, p + 4), u32At(b, p));
    rotl((hh ^ H) >>> 0, (hl ^ L) >>> 0, 27);
    mul(H, L, P1H, P1L);
    add(H, L, P4H, P4L); hh = H; hl = L;
  }
  if (p + 4 <= e) {
    mul(0, u32At(b, p), P1H, P1L);
    rotl((hh ^ H) >>> 0, (hl ^ L) >>> 0, 23);
    mul(H, L, P2H, P2L);
    add(H, L, P3H, P3L); hh = H; hl = L;
    p += 4;
  }
  for (; p < e; p++) {
    mul(0, b[p]!, P5H, P5L);
    rotl((hh ^ H) >>> 0, (hl ^ L) >>> 0, 11);
    mul(H, L, P1H, P1L); hh = H; hl = L;
  }
  hl = (hl ^ (hh >>> 1)) >>> 0; // h ^= h >> 33
  mul(hh, hl, P2H, P2L); hh = H; hl = L;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0; hh = (hh ^ (hh >>> 29)) >>> 0; // h ^= h >> 29
  mul(hh, hl, P3H, P3L);
  L = (L ^ H) >>> 0; // h ^= h >> 32
}

// UTF-8 of one key: ASCII is copied unit by unit, anything else goes through TextEncoder
// (lone surrogates become U+FFFD, the contract).
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** (H, L) = XXH64 of the UTF-8 of s. */
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

/** The 64-bit words of a BigUint64Array as (lo, hi) u32 pairs (little-endian, as every target is). */
const words = (x: BigUint64Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length * 2);

function hashTexts(texts: readonly string[], out: BigUint64Array): void {
  const o = words(out);
  for (let t = 0; t < texts.length; t++) {
    xxh64Text(texts[t]!);
    o[2 * t] = L;
    o[2 * t + 1] = H;
  }
}

// Jump hash's multiplier 2862933555777941757 as [hi, lo].
const JH = 0x27bb2ee6, JL = 0x87b0b0fd;

function jumpHash(keys: BigUint64Array, buckets: number, out: Uint32Array): void {
  const k = words(keys);
  for (let i = 0; i < out.length; i++) {
    let kh = k[2 * i + 1]!, kl = k[2 * i]!;
    let b = -1, j = 0;
    while (j < buckets) {
      b = j;
      mul(kh, kl, JH, JL);
      add(H, L, 0, 1);
      kh = H; kl = L;
      j = Math.floor((b + 1) * (2147483648 / ((kh >>> 1) + 1)));
    }
    out[i] = b;
  }
}

/** m = fmix64(key ^ seed) >>> 12, a 52-bit integer (exact as a double). */
function top52(kh: number, kl: number, sh: number, sl: number): number {
  let h = (kh ^ sh) >>> 0, l = (kl ^ sl) >>> 0;
  l = (l ^ (h >>> 1)) >>> 0;
  mul(h, l, 0xff51afd7, 0xed558ccd);
  h = H; l = (L ^ (H >>> 1)) >>> 0;
  mul(h, l, 0xc4ceb9fe, 0x1a85ec53);
  h = H; l = (L ^ (H >>> 1)) >>> 0;
  return (h >>> 12) * 4294967296 + ((((h & 0xfff) << 20) | (l >>> 12)) >>> 0);
}

const weighted = (m: number, w: number): number => w / -fdlibmLog((m + 0.5) * 2 ** -52);

function rendezvous(keys: BigUint64Array, seeds: BigUint64Array, weights: Float64Array, uniform: boolean, out: Uint32Array): void {
  const k = words(keys), s = words(seeds), nodes = seeds.length;
  for (let i = 0; i < out.length; i++) {
    const kh = k[2 * i + 1]!, kl = k[2 * i]!;
    let at = 0;
    let top = top52(kh, kl, s[1]!, s[0]!);
    if (!uniform) top = weighted(top, weights[0]!);
    for (let n = 1; n < nodes; n++) {
      const m = top52(kh, kl, s[2 * n + 1]!, s[2 * n]!);
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
    const kh = k[2 * i + 1]!, kl = k[2 * i]!;
    for (let n = 0; n < nodes; n++, o++) {
      const m = top52(kh, kl, s[2 * n + 1]!, s[2 * n]!);
      out[o] = uniform ? (m + 0.5) * 2 ** -52 : weighted(m, weights[n]!);
    }
  }
}

/** The routing entries of the js kernel table. */
export const routingKernels: Pick<KernelSet, 'hashTexts' | 'jumpHash' | 'rendezvous' | 'rendezvousScores'> = { hashTexts, jumpHash, rendezvous, rendezvousScores };
