// SketchCore over the AssemblyScript sketch in wasm linear memory (ABI in
// asm/README.md, "Quantile sketch"). Values, bins to add and merge lists go
// through the heap's scratch regions; summary() and bins() read the sketch
// through one small block per heap (sketchBinsInfo gives the addresses of the
// counts in the stores, which bins() copies straight out). Those calls do not
// grow memory, so views are re-derived only when a growth has detached them.
import { ABI } from '../../contract/abi.js';
import { SUMMARY, type SketchBins, type SketchConfig, type SketchCore } from '../../contract/sketch.js';
import type { StructureFactories } from '../../contract/tier.js';
import { STREAM_BUDGET, type WasmHeap } from './heap.js';

/** What the wasm sketch returns when a store could not grow (nothing was changed). */
const OUT_OF_MEMORY = ABI.STATUS_OUT_OF_MEMORY;
/** Values per sketchAdd call; a larger batch is split (and rolled back as a whole on failure). */
const CHUNK = STREAM_BUDGET / 8;
/** f64 slots of sketchBinsInfo: zeroCount, negOffset, negLen, posOffset, posLen, negAt, posAt. */
const INFO = 7;

/** Per heap: a block of INFO f64 for sketchBinsInfo / sketchSummary, allocated once and kept. */
const infoBlocks = new WeakMap<WasmHeap, number>();

/** The heap's info block, or 0 when it cannot be had. */
function infoBlock(h: WasmHeap): number {
  let p = infoBlocks.get(h);
  if (p === undefined) {
    p = h.ex.alloc(INFO * 8) >>> 0;
    if (p === 0) return 0;
    infoBlocks.set(h, p);
  }
  return p;
}

/** The heap's f64 view, re-derived only when a memory growth detached it. */
function f64Of(h: WasmHeap): Float64Array {
  if (h.f64.length === 0) h.refresh();
  return h.f64;
}

function outOfMemory(fn: string): never {
  throw new RangeError(`hotpath.QuantileSketch.${fn}: wasm memory exhausted; nothing changed`);
}

export class WasmSketchCore implements SketchCore {
  private s: number;
  /** The heap's info block (byte address). */
  private readonly info: number;

  constructor(private readonly h: WasmHeap, cfg: SketchConfig) {
    this.info = infoBlock(h);
    this.s = this.info === 0 ? 0 : h.ex.sketchNew(cfg.mapping, cfg.multiplier, cfg.offset, cfg.scale, cfg.maxBins);
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
    const p = this.info;
    this.h.ex.sketchSummary(this.s, p);
    const f = f64Of(this.h);
    const i = p >>> 3;
    out[0] = f[i]!;
    out[1] = f[i + 1]!;
    out[2] = f[i + 2]!;
    out[3] = f[i + 3]!;
    out[4] = f[i + 4]!;
  }

  bins(): SketchBins {
    const p = this.info;
    this.h.ex.sketchBinsInfo(this.s, p);
    const f = f64Of(this.h);
    const i = p >>> 3;
    const negLen = f[i + 2]!, posLen = f[i + 4]!;
    const na = f[i + 5]! / 8, pa = f[i + 6]! / 8;
    // The counts' copies are what bins() costs (an ArrayBuffer is ~0.5-1 µs to make, more
    // than copying a few hundred counts): both stores share one. N holds negated keys, so
    // its counts come highest magnitude key first.
    let neg: Float64Array, pos: Float64Array;
    if (negLen === 0) {
      neg = new Float64Array(0);
      pos = f.slice(pa, pa + posLen);
    } else if (posLen === 0) {
      neg = f.slice(na, na + negLen).reverse();
      pos = new Float64Array(0);
    } else {
      const both = new Float64Array(negLen + posLen);
      both.set(f.subarray(na, na + negLen));
      both.set(f.subarray(pa, pa + posLen), negLen);
      neg = both.subarray(0, negLen).reverse();
      pos = both.subarray(negLen);
    }
    return { zeroCount: f[i]!, negOffset: f[i + 1]!, neg, posOffset: f[i + 3]!, pos };
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
    if (other instanceof WasmSketchCore && other.h === this.h) {
      if (this.h.ex.sketchMerge(this.s, other.s) === OUT_OF_MEMORY) outOfMemory('merge');
      return;
    }
    this.mergeForeign(other);
  }

  /** merge() of a core of another tier or instance: its bins and summary through addBins. */
  private mergeForeign(other: SketchCore): void {
    const s = new Float64Array(SUMMARY.length);
    other.summary(s);
    this.addBins(other.bins(), s[SUMMARY.count]!, s[SUMMARY.sum]!, s[SUMMARY.min]!, s[SUMMARY.max]!);
  }

  mergeMany(others: readonly SketchCore[]): void {
    const n = others.length;
    let foreign = false;
    for (let i = 0; i < n; i++) {
      const o = others[i];
      if (!(o instanceof WasmSketchCore && o.h === this.h)) {
        foreign = true;
        break;
      }
    }
    if (!foreign) {
      this.mergeRun(others, 0, n);
      return;
    }
    // Runs of this instance's cores in one call each, the others through addBins, in
    // order (the sum is added in order). All or nothing: on a failure put back what the
    // sketch held (as in add: the stores need no memory for it, and the scratch block is
    // sized for it here, before anything changes).
    const bins = this.bins();
    const sum = new Float64Array(SUMMARY.length);
    this.summary(sum);
    this.h.regions('QuantileSketch.mergeMany', bins.neg.length * 8, bins.pos.length * 8);
    try {
      let from = 0;
      for (let i = 0; i <= n; i++) {
        const o = others[i];
        if (i < n && o instanceof WasmSketchCore && o.h === this.h) continue;
        this.mergeRun(others, from, i);
        if (i < n) this.mergeForeign(o!);
        from = i + 1;
      }
    } catch (e) {
      this.restore(bins, sum);
      throw e;
    }
  }

  /** sketchMergeMany over others[from, to), all cores of this instance. */
  private mergeRun(others: readonly SketchCore[], from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    const [p] = this.h.regions('QuantileSketch.mergeMany', n * 4);
    const u = this.h.u32;
    const b = p! >>> 2;
    for (let i = 0; i < n; i++) u[b + i] = (others[from + i] as WasmSketchCore).s;
    if (this.h.ex.sketchMergeMany(this.s, p!, n) === OUT_OF_MEMORY) outOfMemory('mergeMany');
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
