import type { Tier } from '../core/tier.js';
import type { TierName } from '../core/types.js';
import { loadJsTier } from './js/index.js';
import { loadNativeTier } from './native/index.js';
import { loadWasmTier } from './wasm/loader.js';

/** Loads every CPU tier once, synchronously (Node); failures are recorded, never thrown. */
export function loadTiers(): Record<TierName, Tier> {
  return { native: loadNativeTier(), wasm: loadWasmTier(), js: loadJsTier() };
}
