// The Rust NativeTimingWheel implements the WheelCore contract as it is.
import type { StructureFactories } from '../../contract/tier.js';
import type { NativeAddon } from './addon.js';

/** TimingWheel cores in native memory. */
export function nativeWheel(addon: NativeAddon): StructureFactories['wheel'] {
  return (cfg) => new addon.NativeTimingWheel(cfg.tickMs, Uint32Array.from(cfg.wheels), cfg.now);
}
