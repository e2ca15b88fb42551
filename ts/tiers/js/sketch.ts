// Reference sketch core: the algorithm of ts/contract/sketch.ts over
// Float64Arrays. The negative store is a collapsing-lowest store over negated
// keys (min(k, L + M - 1) is max(-k, -L - M + 1) negated), so one store type
// serves both.
import { ABI } from '../../contract/abi.js';
import { CUBIC_A, CUBIC_B, CUBIC_C, SKETCH_MIN_INDEXABLE, SUMMARY, type SketchBins, type SketchConfig, type SketchCore } from '../../contract/sketch.js';
import type { StructureFactories } from '../../contract/tier.js';

// Little-endian word views of one double (every platform JS runs on is LE
// for typed arrays; the tests compare keys with the other tiers). Only read
// the words: writing one half and reading the double back stalls store
// forwarding (~17 ns a value against ~6 here), so exponents are changed by
// multiplying with an exact power of two from POW2 instead.
const lf = new Float64Array(1);
const lu = new Uint32Array(lf.buffer);
const kf = new Float64Array(1);
const ku = new Uint32Array(kf.buffer);
const POW2_BIAS = 1050;
/** POW2[j] = 2^(j - 1050), exact (subnormal at the low end). */
const POW2 = Float64Array.from({ length: 2100 }, (_, j) => 2 ** (j - POW2_BIAS));

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const TWO54 = 1.8014398509481984e16;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/**
 * fdlibm 5.3's __ieee754_log, op for op. The wasm and native tiers carry the
 * same transcription, so keys agree on every engine; Node 20's Math.log (V8
 * 11.3) is this same code, newer V8s differ by an ulp on ~0.06% of doubles.
 */
export function fdlibmLog(x: number): number {
  lf[0] = x;
  let hx = lu[1]! | 0;
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lu[0]!) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    lf[0] = x;
    hx = lu[1]! | 0;
  }
  if (hx >= 0x7ff00000) return x + x;
  const kx = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  // fdlibm sets the high word to hx | (i0 ^ 0x3ff00000): x scaled by 2^-(kx + i0>>20), exactly.
  x *= POW2[POW2_BIAS - kx - (i0 >> 20)]!;
  k += kx + (i0 >> 20);
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : k * LN2_HI - ((r - k * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  let i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const r = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - r) : k * LN2_HI - ((s * (f - r) - k * LN2_LO) - f);
}

/** The key of v (normal, > 0) under a config: the contract's key(v). */
export function sketchKey(cfg: SketchConfig, v: number): number {
  kf[0] = v;
  const hi = ku[1]!;
  const e = hi >>> 20;
  if (cfg.mapping === ABI.SKETCH_CUBIC) {
    // The contract's s (mantissa bits under exponent 0, minus 1), by an exact scaling.
    const s = v * POW2[POW2_BIAS + 1023 - e]! - 1.0;
    return Math.ceil((((CUBIC_A * s + CUBIC_B) * s + CUBIC_C) * s + (e - 1023)) * cfg.multiplier) + cfg.offset;
  }
  if (cfg.mapping === ABI.SKETCH_LOG) return Math.ceil(fdlibmLog(v) * cfg.multiplier) + cfg.offset;
  const unit = 2 ** cfg.scale;
  if ((hi & 0xfffff) === 0 && ku[0] === 0) return (e - 1023) * unit + cfg.offset;
  const idx = Math.min(Math.floor(fdlibmLog(v) * cfg.multiplier), 1024 * unit - 1);
  return idx + 1 + cfg.offset;
}

/** A collapsing-lowest dense store: key k counts in bin max(k, top - maxBins + 1). */
class Store {
  counts = new Float64Array(0);
  /** Key of counts[0]. */
  base = 0;
  /** Non-zero range [lo, hi]; empty when lo > hi. */
  lo = 0;
  hi = -1;
  top = -Infinity;

  constructor(private readonly maxBins: number) {}

  add(key: number, c: number): void {
    // Inside the current range nothing moves (lo >= the collapse floor, hi <= top).
    if (key >= this.lo && key <= this.hi) {
      this.counts[key - this.base]! += c;
      return;
    }
    let k = key;
    if (k > this.top) this.top = k;
    const floor = this.top - this.maxBins + 1;
    if (k < floor) k = floor;
    if (this.lo > this.hi) {
      this.fit(k, k);
      this.lo = this.hi = k;
    } else if (k > this.hi) {
      let folded = 0;
      const newLo = Math.max(this.lo, floor);
      if (newLo > this.lo) {
        const end = Math.min(newLo, this.hi + 1);
        for (let j = this.lo; j < end; j++) {
          folded += this.counts[j - this.base]!;
          this.counts[j - this.base] = 0;
        }
        this.lo = newLo;
      }
      this.fit(this.lo, k);
      this.hi = k;
      this.counts[this.lo - this.base]! += folded;
    } else if (k < this.lo) {
      this.fit(k, this.hi);
      this.lo = k;
    }
    this.counts[k - this.base]! += c;
  }

  /** Makes [lo, hi] addressable, keeping what the store holds. */
  private fit(lo: number, hi: number): void {
    const cap = this.counts.length;
    if (lo >= this.base && hi < this.base + cap) return;
    const need = hi - lo + 1;
    let size = cap;
    if (size < need) size = Math.min(Math.max(need, 2 * cap, 32), this.maxBins);
    const base = lo - Math.floor((size - need) / 2);
    const next = size === cap ? this.counts : new Float64Array(size);
    if (this.lo <= this.hi) {
      const part = this.counts.slice(this.lo - this.base, this.hi - this.base + 1);
      if (next === this.counts) next.fill(0);
      next.set(part, this.lo - base);
    }
    this.counts = next;
    this.base = base;
  }

  /** Bins [lo, hi] with the key of the first. */
  range(): { offset: number; counts: Float64Array } {
    if (this.lo > this.hi) return { offset: 0, counts: new Float64Array(0) };
    return { offset: this.lo, counts: this.counts.slice(this.lo - this.base, this.hi - this.base + 1) };
  }

  clear(): void {
    this.counts = new Float64Array(0);
    this.base = 0;
    this.lo = 0;
    this.hi = -1;
    this.top = -Infinity;
  }
}

export class JsSketchCore implements SketchCore {
  private readonly pos: Store;
  /** Magnitude keys negated (see the header). */
  private readonly neg: Store;
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private zero = 0;

  constructor(private readonly cfg: SketchConfig) {
    this.pos = new Store(cfg.maxBins);
    this.neg = new Store(cfg.maxBins);
  }

  add(values: Float64Array): number {
    const n = values.length;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v - v !== 0) return i;
    }
    // Summary in locals, stores per value: the same operations, in order, as one() per value.
    let count = this.count;
    let sum = this.sum;
    let min = this.min;
    let max = this.max;
    let zero = this.zero;
    const cfg = this.cfg;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      count += 1;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v > SKETCH_MIN_INDEXABLE) this.pos.add(sketchKey(cfg, v), 1);
      else if (v < -SKETCH_MIN_INDEXABLE) this.neg.add(-sketchKey(cfg, -v), 1);
      else zero += 1;
    }
    this.count = count;
    this.sum = sum;
    this.min = min;
    this.max = max;
    this.zero = zero;
    return -1;
  }

  addWeighted(value: number, weight: number): void {
    this.one(value, weight);
  }

  private one(v: number, w: number): void {
    this.count += w;
    this.sum += v * w;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v > SKETCH_MIN_INDEXABLE) this.pos.add(sketchKey(this.cfg, v), w);
    else if (v < -SKETCH_MIN_INDEXABLE) this.neg.add(-sketchKey(this.cfg, -v), w);
    else this.zero += w;
  }

  summary(out: Float64Array): void {
    out[SUMMARY.count] = this.count;
    out[SUMMARY.sum] = this.sum;
    out[SUMMARY.min] = this.min;
    out[SUMMARY.max] = this.max;
    out[SUMMARY.zeroCount] = this.zero;
  }

  bins(): SketchBins {
    const p = this.pos.range();
    const n = this.neg.range();
    // Negated keys [lo, hi] are magnitude keys [-hi, -lo], reversed.
    const neg = n.counts.reverse();
    return { zeroCount: this.zero, negOffset: neg.length === 0 ? 0 : -(n.offset + neg.length - 1), neg, posOffset: p.offset, pos: p.counts };
  }

  addBins(b: SketchBins, count: number, sum: number, min: number, max: number): void {
    for (let i = 0; i < b.pos.length; i++) if (b.pos[i] !== 0) this.pos.add(b.posOffset + i, b.pos[i]!);
    for (let i = 0; i < b.neg.length; i++) if (b.neg[i] !== 0) this.neg.add(-(b.negOffset + i), b.neg[i]!);
    this.zero += b.zeroCount;
    this.count += count;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  merge(other: SketchCore): void {
    const s = new Float64Array(SUMMARY.length);
    other.summary(s);
    this.addBins(other.bins(), s[SUMMARY.count]!, s[SUMMARY.sum]!, s[SUMMARY.min]!, s[SUMMARY.max]!);
  }

  mergeMany(others: readonly SketchCore[]): void {
    for (const o of others) this.merge(o);
  }

  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.zero = 0;
  }

  free(): void {
    this.clear();
  }
}

export function jsSketch(): StructureFactories['sketch'] {
  return (cfg) => new JsSketchCore(cfg);
}
