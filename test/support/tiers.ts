// Which tiers this run must exercise. A tier that failed to load fails the
// suite unless HOTPATH_EXPECT_ABSENT names it (e.g. "native" on a platform
// with no Rust toolchain); nothing is skipped silently.
import { backend, setBackend } from '../../ts/index.js';
import type { TierName } from '../../ts/index.js';

export const ALL_TIERS: TierName[] = ['js', 'wasm', 'native'];

export const EXPECTED_ABSENT = new Set(
  (process.env.HOTPATH_EXPECT_ABSENT ?? '').split(',').map((s) => s.trim()).filter(Boolean) as TierName[],
);

/** Tiers the conformance suite runs on: every tier not declared absent. */
export const TIERS: TierName[] = ALL_TIERS.filter((t) => !EXPECTED_ABSENT.has(t));

/** Runs `fn` with every call forced onto `tier` (nesting restores the outer choice); the tier must be loaded. */
export function onTier<T>(tier: TierName, fn: () => T): T {
  const st = backend().tiers[tier];
  if (!st.loaded) throw new Error(`tier ${tier} did not load: ${st.error}`);
  const outer = backend().backend;
  setBackend(tier);
  try {
    return fn();
  } finally {
    setBackend(outer);
  }
}
