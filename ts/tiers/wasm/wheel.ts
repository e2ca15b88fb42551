// WheelCore over the AssemblyScript wheel in wasm linear memory (ABI in
// asm/README.md, "Timing wheel"). Batches go through the heap's scratch block.
import type { WheelConfig, WheelCore } from '../../contract/wheel.js';
import { ABI } from '../../contract/abi.js';
import type { StructureFactories } from '../../contract/tier.js';
import type { WasmHeap } from './heap.js';

/** What the wasm wheel returns when it could not grow its arrays (nothing was changed). */
const OUT_OF_MEMORY = ABI.STATUS_OUT_OF_MEMORY;
/** What an advance that expires nothing returns (length 0, so sharing it is safe). */
const EMPTY = new Uint32Array(0);

function outOfMemory(fn: string): never {
  throw new RangeError(`hotpath.TimingWheel.${fn}: wasm memory exhausted; nothing changed`);
}

export class WasmWheel implements WheelCore {
  private w: number;

  constructor(private readonly h: WasmHeap, cfg: WheelConfig) {
    const [lv] = h.regions('TimingWheel', cfg.wheels.length * 4);
    h.u32.set(cfg.wheels, lv >>> 2);
    this.w = h.ex.wheelNew(cfg.tickMs, lv, cfg.wheels.length, cfg.now);
    if (this.w === 0) throw new RangeError('hotpath.TimingWheel: wasm wheel could not be created (memory exhausted)');
  }

  now(): number {
    return this.h.ex.wheelNow(this.w);
  }
  size(): number {
    return this.h.ex.wheelSize(this.w);
  }
  schedule(deadline: number): number {
    const id = this.h.ex.wheelSchedule(this.w, deadline);
    if (id === OUT_OF_MEMORY) outOfMemory('schedule');
    return id;
  }
  scheduleMany(deadlines: Float64Array, outIds: Float64Array): void {
    const n = deadlines.length;
    const [d, o] = this.h.regions('TimingWheel.scheduleMany', n * 8, n * 8);
    this.h.f64.set(deadlines, d >>> 3);
    // All or nothing in wasm: on failure nothing was scheduled.
    if (this.h.ex.wheelScheduleMany(this.w, d, n, o) === OUT_OF_MEMORY) outOfMemory('scheduleMany');
    this.h.refresh();
    outIds.set(this.h.f64.subarray(o >>> 3, (o >>> 3) + n));
  }
  cancel(id: number): boolean {
    return this.h.ex.wheelCancel(this.w, id) === 1;
  }
  cancelMany(ids: Float64Array, out: Uint8Array): void {
    const n = ids.length;
    const [p, o] = this.h.regions('TimingWheel.cancelMany', n * 8, n);
    this.h.f64.set(ids, p >>> 3);
    this.h.ex.wheelCancelMany(this.w, p, n, o);
    this.h.refresh();
    out.set(this.h.u8.subarray(o, o + n));
  }
  reschedule(id: number, deadline: number): boolean {
    return this.h.ex.wheelReschedule(this.w, id, deadline) === 1;
  }
  advance(now: number): Uint32Array {
    const n = this.h.ex.wheelAdvance(this.w, now);
    if (n === OUT_OF_MEMORY) outOfMemory('advance');
    if (n === 0) return EMPTY;
    const p = this.h.ex.wheelResult(this.w);
    this.h.refresh();
    return this.h.u32.slice(p >>> 2, (p >>> 2) + n);
  }
  nextDeadline(): number {
    return this.h.ex.wheelNextDeadline(this.w);
  }
  nextWake(): number {
    return this.h.ex.wheelNextWake(this.w);
  }
  clear(): void {
    this.h.ex.wheelClear(this.w);
  }
  memoryBytes(): number {
    return this.h.ex.wheelMemoryBytes(this.w);
  }
  check(): string {
    const code = this.h.ex.wheelCheck(this.w);
    return code === 0 ? '' : `wasm wheel invariant ${code} broken (codes in asm/README.md)`;
  }
  dispose(): void {
    if (this.w !== 0) this.h.ex.wheelFree(this.w);
    this.w = 0;
  }
}

/** TimingWheel cores in this wasm instance's memory. */
export function wasmWheel(h: WasmHeap): StructureFactories['wheel'] {
  return (cfg) => new WasmWheel(h, cfg);
}
