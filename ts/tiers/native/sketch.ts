// SketchCore over the Rust NativeQuantileSketch class, which implements the
// contract as it is; this renames addon errors after the public class
// (`hotpath.QuantileSketch.<method>`), in the catch, off the hot path.
//
// The calls that run once per query or name other sketches are the class's
// static functions over sketch ids (napi's conversion of a class instance,
// `this` included, costs more than their work): merge(id, otherId),
// mergeMany(id, ids), summary(id, out) and binsInto(id, out, at). bins() copies into an arena,
// one ArrayBuffer shared by the bins() of every native core: making an
// ArrayBuffer costs ~1 µs, more than the rest of bins(), while views of one
// cost ~0.05 µs. The bins arrays are views into it (neg.buffer holds other
// calls' copies too); the arena lives while any of them does.
import { SUMMARY, type SketchBins, type SketchConfig, type SketchCore } from '../../contract/sketch.js';
import type { StructureFactories } from '../../contract/tier.js';
import type { NativeAddon, NativeSketchHandle } from './addon.js';
import { rethrowNative } from './errors.js';

type SketchClass = NativeAddon['NativeQuantileSketch'];

/** f64 per arena; a sketch whose bins take more than a quarter of one gets its own buffer. */
const ARENA = 8192;
/** The arena bins() copies into next (made on the first call), and where its free part starts. */
let arena = new Float64Array(0);
let arenaAt = 0;

function fail(method: string, e: unknown): never {
  return rethrowNative(`QuantileSketch.${method}`, e, [], []);
}

export class NativeSketchCore implements SketchCore {
  /** The sketch's id, for the static calls. */
  readonly id: number;

  constructor(
    readonly s: NativeSketchHandle,
    private readonly cls: SketchClass,
  ) {
    this.id = s.id;
  }

  add(values: Float64Array): number {
    try {
      return this.s.add(values);
    } catch (e) {
      return fail('recordMany', e);
    }
  }
  addWeighted(value: number, weight: number): void {
    try {
      this.s.addWeighted(value, weight);
    } catch (e) {
      fail('record', e);
    }
  }
  summary(out: Float64Array): void {
    try {
      this.cls.summary(this.id, out);
    } catch (e) {
      fail('summary', e);
    }
  }
  bins(): SketchBins {
    try {
      if (arenaAt + 5 > arena.length) {
        arena = new Float64Array(ARENA);
        arenaAt = 0;
      }
      let out = arena;
      let at = arenaAt;
      // [zeroCount, negOffset, negLen, posOffset, posLen, neg..., pos...] at `at`.
      const need = this.cls.binsInto(this.id, out, at);
      if (at + need > out.length) {
        if (need > ARENA / 4) out = new Float64Array(need);
        else out = arena = new Float64Array(ARENA);
        at = 0;
        this.cls.binsInto(this.id, out, at);
      }
      if (out === arena) arenaAt = at + need;
      const from = at + 5;
      const negEnd = from + out[at + 2]!;
      return {
        zeroCount: out[at]!,
        negOffset: out[at + 1]!,
        neg: out.subarray(from, negEnd),
        posOffset: out[at + 3]!,
        pos: out.subarray(negEnd, at + need),
      };
    } catch (e) {
      return fail('bins', e);
    }
  }
  addBins(b: SketchBins, count: number, sum: number, min: number, max: number): void {
    try {
      this.s.addBins(b.zeroCount, b.negOffset, b.neg, b.posOffset, b.pos, count, sum, min, max);
    } catch (e) {
      fail('merge', e);
    }
  }
  merge(other: SketchCore): void {
    try {
      if (this.sameAddon(other)) this.cls.merge(this.id, other.id);
      else this.mergeForeign(other);
    } catch (e) {
      fail('merge', e);
    }
  }
  mergeMany(others: readonly SketchCore[]): void {
    try {
      const n = others.length;
      const ids = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const o = others[i]!;
        if (!this.sameAddon(o)) return this.mergeEach(others);
        ids[i] = o.id;
      }
      this.cls.mergeMany(this.id, ids);
    } catch (e) {
      fail('mergeAll', e);
    }
  }
  clear(): void {
    try {
      this.s.clear();
    } catch (e) {
      fail('clear', e);
    }
  }
  free(): void {
    this.s.dispose();
  }

  /** Whether other's id names a sketch of this addon (a copy loaded from elsewhere has its own registry). */
  private sameAddon(other: SketchCore): other is NativeSketchCore {
    return other instanceof NativeSketchCore && other.cls === this.cls;
  }

  /** mergeMany with a core of another addon among others: one by one, in order. */
  private mergeEach(others: readonly SketchCore[]): void {
    for (const o of others) {
      if (this.sameAddon(o)) this.cls.merge(this.id, o.id);
      else this.mergeForeign(o);
    }
  }

  /** merge() of a core whose id this addon cannot read: its bins and summary through addBins. */
  private mergeForeign(other: SketchCore): void {
    const s = new Float64Array(SUMMARY.length);
    other.summary(s);
    this.addBins(other.bins(), s[SUMMARY.count]!, s[SUMMARY.sum]!, s[SUMMARY.min]!, s[SUMMARY.max]!);
  }
}

export function nativeSketch(addon: NativeAddon): StructureFactories['sketch'] {
  const cls = addon.NativeQuantileSketch;
  return (cfg: SketchConfig) => {
    try {
      return new NativeSketchCore(new cls(cfg.mapping, cfg.multiplier, cfg.offset, cfg.scale, cfg.maxBins), cls);
    } catch (e) {
      return fail('constructor', e);
    }
  };
}
