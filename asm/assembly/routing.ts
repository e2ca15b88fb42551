// Consistent hashing: XXH64 (seed 0) of UTF-8 texts, Lamping & Veach's jump consistent hash,
// and rendezvous (highest-random-weight) scores. The definitions are ts/api/routing.ts's;
// the JS and native tiers compute the same bits:
//  - jump hash runs in f64 exactly as the paper writes it (b + 1 and 2^31 / ((key >> 33) + 1)
//    are exact; one division, one multiply, floor);
//  - a node's score for a key: m = fmix64(key ^ seed) >> 12, u = (m + 0.5)·2^-52 in (0, 1);
//    u itself when every weight is equal (compared as m), else w / -fdlibmLog(u);
//  - the highest score wins, the lowest index (name order) on a tie.
// Regions that would not lie inside memory make a call write nothing (no trap).

import { fdlibmLog } from "./sketch/core";

// @ts-ignore: decorator
@inline const P1: u64 = 0x9e3779b185ebca87;
// @ts-ignore: decorator
@inline const P2: u64 = 0xc2b2ae3d27d4eb4f;
// @ts-ignore: decorator
@inline const P3: u64 = 0x165667b19e3779f9;
// @ts-ignore: decorator
@inline const P4: u64 = 0x85ebca77c2b2ae63;
// @ts-ignore: decorator
@inline const P5: u64 = 0x27d4eb2f165667c5;

// @ts-ignore: decorator
@inline function round(acc: u64, lane: u64): u64 {
  return rotl<u64>(acc + lane * P2, 31) * P1;
}

// @ts-ignore: decorator
@inline function merge(h: u64, v: u64): u64 {
  return (h ^ round(0, v)) * P1 + P4;
}

/** XXH64 with seed 0 of [p, p + len). */
function xxh64(p: usize, len: usize): u64 {
  const e = p + len;
  let h: u64;
  if (len >= 32) {
    let v1: u64 = P1 + P2, v2: u64 = P2, v3: u64 = 0, v4: u64 = 0 - P1;
    const limit = e - 32;
    do {
      v1 = round(v1, load<u64>(p));
      v2 = round(v2, load<u64>(p, 8));
      v3 = round(v3, load<u64>(p, 16));
      v4 = round(v4, load<u64>(p, 24));
      p += 32;
    } while (p <= limit);
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = P5;
  }
  h += <u64>len;
  while (p + 8 <= e) {
    h = rotl<u64>(h ^ round(0, load<u64>(p)), 27) * P1 + P4;
    p += 8;
  }
  if (p + 4 <= e) {
    h = rotl<u64>(h ^ (<u64>load<u32>(p) * P1), 23) * P2 + P3;
    p += 4;
  }
  while (p < e) {
    h = rotl<u64>(h ^ (<u64>load<u8>(p) * P5), 11) * P1;
    p++;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  return h ^ (h >> 32);
}

/** murmur3's fmix64. */
// @ts-ignore: decorator
@inline function fmix64(x: u64): u64 {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccd;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53;
  return x ^ (x >> 33);
}

// @ts-ignore: decorator
@inline function weighted(m: u64, w: f64): f64 {
  return w / -fdlibmLog((<f64>m + 0.5) * 2.220446049250313e-16);
}

/** XXH64 of each text bytes[offsets[t], offsets[t + 1]) into out (u64[texts]). */
export function hashTexts(bytes: usize, offsets: usize, texts: i32, out: usize): void {
  if (texts <= 0) return;
  const mem = <u64>memory.size() << 16;
  if (<u64>offsets + (<u64>texts << 2) + 4 > mem || <u64>out + (<u64>texts << 3) > mem) return;
  for (let t = 0; t < texts; t++) {
    const at = offsets + (<usize>t << 2);
    const s = <u64>bytes + <u64>load<u32>(at);
    const e = <u64>bytes + <u64>load<u32>(at, 4);
    // Offsets are data: a range outside memory (or reversed) hashes as empty rather than trapping.
    const ok = s <= e && e <= mem;
    store<u64>(out + (<usize>t << 3), ok ? xxh64(<usize>s, <usize>(e - s)) : xxh64(0, 0));
  }
}

/** Jump consistent hash of each key (u64[n]) into out (u32[n]); buckets an integer in [1, 2^31]. */
export function jumpHash(keys: usize, n: i32, buckets: f64, out: usize): void {
  if (n <= 0 || !(buckets >= 1 && buckets <= 2147483648.0)) return;
  const mem = <u64>memory.size() << 16;
  if (<u64>keys + (<u64>n << 3) > mem || <u64>out + (<u64>n << 2) > mem) return;
  for (let i = 0; i < n; i++) {
    let key = load<u64>(keys + (<usize>i << 3));
    let b: f64 = -1, j: f64 = 0;
    while (j < buckets) {
      b = j;
      key = key * 2862933555777941757 + 1;
      j = Math.floor((b + 1) * (2147483648.0 / <f64>((key >> 33) + 1)));
    }
    store<u32>(out + (<usize>i << 2), <u32>b);
  }
}

/** Node regions (seeds u64[nodes], weights f64[nodes]) inside memory. */
function nodesFit(seeds: usize, weights: usize, nodes: i32, mem: u64): bool {
  return nodes > 0 && <u64>seeds + (<u64>nodes << 3) <= mem && <u64>weights + (<u64>nodes << 3) <= mem;
}

/** Index of each key's (u64[n]) winning node into out (u32[n]). */
export function rendezvous(keys: usize, n: i32, seeds: usize, nodes: i32, weights: usize, uniform: i32, out: usize): void {
  const mem = <u64>memory.size() << 16;
  if (n <= 0 || !nodesFit(seeds, weights, nodes, mem)) return;
  if (<u64>keys + (<u64>n << 3) > mem || <u64>out + (<u64>n << 2) > mem) return;
  for (let k = 0; k < n; k++) {
    const key = load<u64>(keys + (<usize>k << 3));
    let at = 0;
    if (uniform) {
      let top = fmix64(key ^ load<u64>(seeds)) >> 12;
      for (let i = 1; i < nodes; i++) {
        const m = fmix64(key ^ load<u64>(seeds + (<usize>i << 3))) >> 12;
        if (m > top) { top = m; at = i; }
      }
    } else {
      let top = weighted(fmix64(key ^ load<u64>(seeds)) >> 12, load<f64>(weights));
      for (let i = 1; i < nodes; i++) {
        const x = weighted(fmix64(key ^ load<u64>(seeds + (<usize>i << 3))) >> 12, load<f64>(weights + (<usize>i << 3)));
        if (x > top) { top = x; at = i; }
      }
    }
    store<u32>(out + (<usize>k << 2), <u32>at);
  }
}

/** Every node's score for each key into out (f64[n · nodes], key-major). */
export function rendezvousScores(keys: usize, n: i32, seeds: usize, nodes: i32, weights: usize, uniform: i32, out: usize): void {
  const mem = <u64>memory.size() << 16;
  if (n <= 0 || !nodesFit(seeds, weights, nodes, mem)) return;
  if (<u64>keys + (<u64>n << 3) > mem || <u64>out + ((<u64>n * <u64>nodes) << 3) > mem) return;
  let o = out;
  for (let k = 0; k < n; k++) {
    const key = load<u64>(keys + (<usize>k << 3));
    for (let i = 0; i < nodes; i++, o += 8) {
      const m = fmix64(key ^ load<u64>(seeds + (<usize>i << 3))) >> 12;
      store<f64>(o, uniform ? (<f64>m + 0.5) * 2.220446049250313e-16 : weighted(m, load<f64>(weights + (<usize>i << 3))));
    }
  }
}
