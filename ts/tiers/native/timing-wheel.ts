// WheelCore over the Rust NativeTimingWheel class (native/src/wheel).
import type { WheelConfig, WheelCore } from '../../core/wheel-core.js';

/** Methods of the addon's NativeTimingWheel class: the WheelCore contract, with check() giving '' when sound. */
export type NativeTimingWheelHandle = Omit<WheelCore, 'check'> & { check(): string };

/** Constructor exported by the addon. */
export type NativeTimingWheelClass = new (tickMs: number, wheels: Uint32Array, now: number) => NativeTimingWheelHandle;

export class NativeWheel implements WheelCore {
  private readonly w: NativeTimingWheelHandle;

  constructor(Cls: NativeTimingWheelClass, cfg: WheelConfig) {
    this.w = new Cls(cfg.tickMs, Uint32Array.from(cfg.wheels), cfg.now);
  }

  now(): number {
    return this.w.now();
  }
  size(): number {
    return this.w.size();
  }
  schedule(deadline: number): number {
    return this.w.schedule(deadline);
  }
  scheduleMany(deadlines: Float64Array, outIds: Float64Array): void {
    this.w.scheduleMany(deadlines, outIds);
  }
  cancel(id: number): boolean {
    return this.w.cancel(id);
  }
  cancelMany(ids: Float64Array, out: Uint8Array): void {
    this.w.cancelMany(ids, out);
  }
  reschedule(id: number, deadline: number): boolean {
    return this.w.reschedule(id, deadline);
  }
  advance(now: number): Uint32Array {
    return this.w.advance(now);
  }
  nextDeadline(): number {
    return this.w.nextDeadline();
  }
  nextWake(): number {
    return this.w.nextWake();
  }
  clear(): void {
    this.w.clear();
  }
  memoryBytes(): number {
    return this.w.memoryBytes();
  }
  check(): string | null {
    const s = this.w.check();
    return s === '' ? null : s;
  }
  dispose(): void {
    this.w.dispose();
  }
}
