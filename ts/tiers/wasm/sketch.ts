// SketchCore over the AssemblyScript sketch in wasm linear memory (ABI in
// asm/README.md, "Quantile sketch"). Values and bins go through the heap's
// scratch regions; views are re-derived after every call that may grow memory.
import { ABI } from '../../contract/abi.js';
import { SUMMARY, type SketchBins, type SketchConfig, type SketchCore } from '../../contract/sketch.js';
import type { StructureFactories } from '../../contract/tier.js';
import { STREAM_BUDGET, type WasmHeap } from './heap.js';

/** What the wasm sketch returns when a store could not grow (nothing was changed). */
const OUT_OF_MEMORY = ABI.STATUS_OUT_OF_MEMORY;
/** Values per sketchAdd call; a larger batch is split (and rolled back as a whole on failure). */
const CHUNK = STREAM_BUDGET / 8;
/** f64 slots of sketchBinsInfo: zeroCount, negOffset, negLen, posOffset, posLen. */
const INFO = 5;

function outOfMemory(fn: string): never {
  throw new RangeError(`hotpath.QuantileSketch.${fn}: wasm memory exhausted; nothing changed`);
}

export class WasmSketchCore implements SketchCore {
  private s: number;

  constructor(private readonly h: WasmHeap, cfg: SketchConfig) {
    this.s = h.ex.sketchNew(cfg.mapping, cfg.multiplier, cfg.offset, cfg.scale, cfg.maxBins);
    if (this.s === 0) throw new RangeError('hotpath.QuantileSketch: wasm sketch could not be created (memory exhausted)');
  }

  /** The sketch pointer (for merge within one instance). */
  get pointer(): number {
    return this.s;
  }

  /** The wasm heap this core lives in. */
  get heap(): WasmHeap {
    return this.h;
  }

  add(values: Float64Array): number {
    const n = values.length;
    if (n === 0) return -1;
    if (n <= CHUNK) return this.addChunk(values, 'add');
    // Chunks commit one by one: keep what the sketch holds, and put it back if a later
    // chunk has a non-finite value or runs out of memory (the restore needs no memory:
    // the stores only ever grew, and clear keeps their blocks).
    const bins = this.bins();
    const sum = new Float64Array(SUMMARY.length);
    this.summary(sum);
    for (let from = 0; from < n; from += CHUNK) {
      let r: number;
      try {
        r = this.addChunk(values.subarray(from, Math.min(n, from + CHUNK)), 'add');
      } catch (e) {
        this.restore(bins, sum);
        throw e;
      }
      if (r >= 0) {
        this.restore(bins, sum);
        return from + r;
      }
    }
    return -1;
  }

  private addChunk(values: Float64Array, fn: string): number {
    const n = values.length;
    const [p] = this.h.regions(`QuantileSketch.${fn}`, n * 8);
    this.h.f64.set(values, p! >>> 3);
    // sketchAdd overwrites the region with keys (it is scratch).
    const r = this.h.ex.sketchAdd(this.s, p!, n);
    if (r === OUT_OF_MEMORY) outOfMemory(fn);
    return r;
  }

  private restore(bins: SketchBins, sum: Float64Array): void {
    this.h.ex.sketchClear(this.s);
    this.addBins(bins, sum[SUMMARY.count]!, sum[SUMMARY.sum]!, sum[SUMMARY.min]!, sum[SUMMARY.max]!);
  }

  addWeighted(value: number, weight: number): void {
    const r = this.h.ex.sketchAddWeighted(this.s, value, weight);
    if (r === OUT_OF_MEMORY) outOfMemory('addWeighted');
    if (r >= 0) throw new RangeError('hotpath.QuantileSketch.addWeighted: value is not finite; nothing changed');
  }

  summary(out: Float64Array): void {
    const [p] = this.h.regions('QuantileSketch.summary', SUMMARY.length * 8);
    this.h.ex.sketchSummary(this.s, p!);
    out.set(this.h.f64.subarray(p! >>> 3, (p! >>> 3) + SUMMARY.length));
  }

  bins(): SketchBins {
    const [ip] = this.h.regions('QuantileSketch.bins', INFO * 8);
    this.h.ex.sketchBinsInfo(this.s, ip!);
    const i = ip! >>> 3;
    const f = this.h.f64;
    const zeroCount = f[i]!, negOffset = f[i + 1]!, negLen = f[i + 2]!, posOffset = f[i + 3]!, posLen = f[i + 4]!;
    const [np, pp] = this.h.regions('QuantileSketch.bins', negLen * 8, posLen * 8);
    this.h.ex.sketchBinsCopy(this.s, np!, pp!);
    this.h.refresh();
    return {
      zeroCount,
      negOffset,
      neg: this.h.f64.slice(np! >>> 3, (np! >>> 3) + negLen),
      posOffset,
      pos: this.h.f64.slice(pp! >>> 3, (pp! >>> 3) + posLen),
    };
  }

  addBins(bins: SketchBins, count: number, sum: number, min: number, max: number): void {
    const nl = bins.neg.length, pl = bins.pos.length;
    const [np, pp] = this.h.regions('QuantileSketch.addBins', nl * 8, pl * 8);
    this.h.f64.set(bins.neg, np! >>> 3);
    this.h.f64.set(bins.pos, pp! >>> 3);
    const r = this.h.ex.sketchAddBins(this.s, bins.zeroCount, bins.negOffset, np!, nl, bins.posOffset, pp!, pl, count, sum, min, max);
    if (r === OUT_OF_MEMORY) outOfMemory('addBins');
  }

  merge(other: SketchCore): void {
    if (other instanceof WasmSketchCore && other.heap === this.h) {
      if (this.h.ex.sketchMerge(this.s, other.pointer) === OUT_OF_MEMORY) outOfMemory('merge');
      return;
    }
    const s = new Float64Array(SUMMARY.length);
    other.summary(s);
    this.addBins(other.bins(), s[SUMMARY.count]!, s[SUMMARY.sum]!, s[SUMMARY.min]!, s[SUMMARY.max]!);
  }

  clear(): void {
    this.h.ex.sketchClear(this.s);
  }

  /** Bytes of wasm memory the sketch holds (header and store blocks). */
  memoryBytes(): number {
    return this.h.ex.sketchMemoryBytes(this.s);
  }

  free(): void {
    if (this.s !== 0) this.h.ex.sketchFree(this.s);
    this.s = 0;
  }
}

/** QuantileSketch cores in this wasm instance's memory. */
export function wasmSketch(h: WasmHeap): StructureFactories['sketch'] {
  return (cfg) => new WasmSketchCore(h, cfg);
}
