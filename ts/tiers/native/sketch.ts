// SketchCore over the Rust NativeQuantileSketch class, which implements the
// contract as it is; this only renames addon errors after the public class
// (`hotpath.QuantileSketch.<method>`), in the catch, off the hot path.
import type { SketchBins, SketchConfig, SketchCore } from '../../contract/sketch.js';
import type { StructureFactories } from '../../contract/tier.js';
import type { NativeAddon, NativeSketchHandle } from './addon.js';
import { rethrowNative } from './errors.js';

function fail(method: string, e: unknown): never {
  return rethrowNative(`QuantileSketch.${method}`, e, [], []);
}

export class NativeSketchCore implements SketchCore {
  constructor(readonly s: NativeSketchHandle) {}

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
      this.s.summary(out);
    } catch (e) {
      fail('summary', e);
    }
  }
  bins(): SketchBins {
    try {
      return this.s.bins();
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
      this.s.merge((other as NativeSketchCore).s);
    } catch (e) {
      fail('merge', e);
    }
  }
  mergeMany(others: readonly SketchCore[]): void {
    try {
      this.s.mergeMany(others.map((o) => (o as NativeSketchCore).s));
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
}

export function nativeSketch(addon: NativeAddon): StructureFactories['sketch'] {
  return (cfg: SketchConfig) => {
    try {
      return new NativeSketchCore(new addon.NativeQuantileSketch(cfg.mapping, cfg.multiplier, cfg.offset, cfg.scale, cfg.maxBins));
    } catch (e) {
      return fail('constructor', e);
    }
  };
}
