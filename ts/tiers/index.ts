import type { Tier } from '../core/tier.js';
import type { TierName } from '../core/types.js';
import { loadJsTier } from './js/index.js';
import { loadNativeTier } from './native/index.js';
import { loadWasmTier } from './wasm/index.js';

/** Loads every CPU tier once; failures are recorded, never thrown. */
export function loadTiers(): Record<TierName, Tier> {
  return { native: loadNativeTier(), wasm: loadWasmTier(), js: loadJsTier() };
}
