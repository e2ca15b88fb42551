// WheelCore over the Rust NativeTimingWheel class, which implements the
// contract as it is; this only renames addon errors after the public method
// (`hotpath.TimingWheel.<method>`), in the catch, off the hot path.
import type { StructureFactories } from '../../contract/tier.js';
import type { WheelConfig, WheelCore } from '../../contract/wheel.js';
import type { NativeAddon, NativeWheelHandle } from './addon.js';
import { rethrowNative } from './errors.js';

function fail(method: string, e: unknown, names: readonly string[] = [], args: readonly unknown[] = []): never {
  return rethrowNative(`TimingWheel.${method}`, e, names, args);
}

export class NativeWheelCore implements WheelCore {
  constructor(readonly w: NativeWheelHandle) {}

  now(): number {
    try {
      return this.w.now();
    } catch (e) {
      return fail('now', e);
    }
  }

  size(): number {
    try {
      return this.w.size();
    } catch (e) {
      return fail('size', e);
    }
  }

  schedule(deadline: number): number {
    try {
      return this.w.schedule(deadline);
    } catch (e) {
      return fail('schedule', e, ['deadline'], [deadline]);
    }
  }

  scheduleMany(deadlines: Float64Array, outIds: Float64Array): void {
    try {
      this.w.scheduleMany(deadlines, outIds);
    } catch (e) {
      fail('scheduleMany', e, ['deadlines', 'outIds'], [deadlines, outIds]);
    }
  }

  cancel(id: number): boolean {
    try {
      return this.w.cancel(id);
    } catch (e) {
      return fail('cancel', e, ['id'], [id]);
    }
  }

  cancelMany(ids: Float64Array, out: Uint8Array): void {
    try {
      this.w.cancelMany(ids, out);
    } catch (e) {
      fail('cancelMany', e, ['ids', 'out'], [ids, out]);
    }
  }

  reschedule(id: number, deadline: number): boolean {
    try {
      return this.w.reschedule(id, deadline);
    } catch (e) {
      return fail('reschedule', e, ['id', 'deadline'], [id, deadline]);
    }
  }

  advance(now: number): Uint32Array {
    try {
      return this.w.advance(now);
    } catch (e) {
      return fail('advance', e, ['now'], [now]);
    }
  }

  nextDeadline(): number {
    try {
      return this.w.nextDeadline();
    } catch (e) {
      return fail('nextDeadline', e);
    }
  }

  nextWake(): number {
    try {
      return this.w.nextWake();
    } catch (e) {
      return fail('nextWake', e);
    }
  }

  clear(): void {
    try {
      this.w.clear();
    } catch (e) {
      fail('clear', e);
    }
  }

  memoryBytes(): number {
    try {
      return this.w.memoryBytes();
    } catch (e) {
      return fail('memoryBytes', e);
    }
  }

  check(): string {
    try {
      return this.w.check();
    } catch (e) {
      return fail('check', e);
    }
  }

  dispose(): void {
    this.w.dispose();
  }
}

/** The level sizes as the addon takes them; a size a Uint32Array would change (a hole, a fraction, 2^32 + 256) is refused, not wrapped. */
function levelSizes(wheels: readonly number[]): Uint32Array {
  const w = Uint32Array.from(wheels);
  for (let l = 0; l < w.length; l++) {
    if (w[l] !== wheels[l]) throw new RangeError(`hotpath.TimingWheel: options.wheels[${l}] must be an integer in [2, 65536]; got ${wheels[l]}`);
  }
  return w;
}

/** TimingWheel cores in native memory. */
export function nativeWheel(addon: NativeAddon): StructureFactories['wheel'] {
  return (cfg: WheelConfig) => {
    try {
      return new NativeWheelCore(new addon.NativeTimingWheel(cfg.tickMs, levelSizes(cfg.wheels), cfg.now));
    } catch (e) {
      return rethrowNative('TimingWheel', e, ['options.tickMs', 'options.wheels', 'options.now'], [cfg.tickMs, cfg.wheels, cfg.now]);
    }
  };
}
