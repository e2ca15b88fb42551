// Per-call tier selection. Kept tiny because it runs on every call, including
// 16-element dot products that must cost no more than a plain JS loop.
import { KERNELS, KERNEL_NAMES, type KernelName, type KernelSet } from './kernels.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import type { Tier, TierStatus } from './tier.js';
import type { BackendChoice, TierName } from './types.js';
import { loadTiers } from '../tiers/index.js';

const tiers = loadTiers();
const TIER_ORDER: readonly TierName[] = ['native', 'wasm', 'js'];
const jsKernels = tiers.js.kernels as KernelSet;
const bestTier: Tier = TIER_ORDER.map((n) => tiers[n]).find((t) => t.kernels !== null) as Tier;

const thresholds: Record<KernelName, number> = { ...DEFAULT_THRESHOLDS };

let choice: BackendChoice = 'auto';
let choiceSource: 'default' | 'env' | 'setBackend' = 'default';
let forced: KernelSet | null = null;
// When HOTPATH_BACKEND names a tier that cannot run, every call throws this
// instead of silently running elsewhere.
let forcedError: Error | null = null;

function unavailable(name: TierName): Error {
  return new Error(`hotpath: backend '${name}' is not available: ${tiers[name].status.error ?? 'unknown reason'}`);
}

function applyChoice(c: string, source: 'env' | 'setBackend'): void {
  if (c !== 'auto' && c !== 'native' && c !== 'wasm' && c !== 'js') {
    throw new RangeError(`hotpath.setBackend: backend must be 'auto', 'native', 'wasm' or 'js'; got ${JSON.stringify(c)}`);
  }
  if (c !== 'auto' && tiers[c].kernels === null) throw unavailable(c);
  choice = c;
  choiceSource = source;
  forced = c === 'auto' ? null : tiers[c].kernels;
  forcedError = null;
}

const envChoice = typeof process !== 'undefined' ? process.env.HOTPATH_BACKEND : undefined;
if (envChoice) {
  try {
    applyChoice(envChoice, 'env');
  } catch (e) {
    choice = envChoice as BackendChoice;
    choiceSource = 'env';
    forcedError = new Error(`HOTPATH_BACKEND=${envChoice}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Kernels of the tier that runs a call of `kernel` over `work` elements:
 * the forced tier if any, js below the kernel's threshold, else the best
 * loaded tier (native, then wasm).
 * @internal
 */
export function pick(kernel: KernelName, work: number): KernelSet {
  if (forced !== null) return forced;
  if (forcedError !== null) throw forcedError;
  return work < thresholds[kernel] ? jsKernels : (bestTier.kernels as KernelSet);
}

/**
 * Name of the tier {@link pick} would choose.
 * @internal
 */
export function pickName(kernel: KernelName, work: number): TierName {
  if (forced !== null) return choice as TierName;
  return work < thresholds[kernel] ? 'js' : bestTier.name;
}

/**
 * Forces every kernel onto one tier (`'native' | 'wasm' | 'js'`), or returns
 * to per-call selection with `'auto'`. Throws an Error carrying the load
 * failure when the tier is unavailable; it never falls back silently.
 */
export function setBackend(backend: BackendChoice): void {
  applyChoice(backend, 'setBackend');
}

/** Snapshot returned by {@link backend}. */
export interface BackendInfo {
  /** Current setting: 'auto' or a forced tier. */
  backend: BackendChoice;
  /** Where the setting came from. */
  source: 'default' | 'env' | 'setBackend';
  /** Error that every call throws because HOTPATH_BACKEND named an unavailable tier, else null. */
  error: string | null;
  /** Tier that a large input runs on under the current setting. */
  largeInputTier: TierName;
  /** Threads used by batch kernels on that tier. */
  threads: number;
  /** Per-tier load status, SIMD level, thread count and path. */
  tiers: Record<TierName, TierStatus>;
  /** Work size below which `auto` keeps each kernel on js. */
  thresholds: Record<KernelName, number>;
}

/** Which tiers loaded (and why not), their SIMD levels, threads, and the tier `auto` picks for large inputs. */
export function backend(): BackendInfo {
  const large = forced !== null ? (choice as TierName) : bestTier.name;
  return {
    backend: choice,
    source: choiceSource,
    error: forcedError?.message ?? null,
    largeInputTier: large,
    threads: tiers[large].status.threads,
    tiers: { native: { ...tiers.native.status }, wasm: { ...tiers.wasm.status }, js: { ...tiers.js.status } },
    thresholds: { ...thresholds },
  };
}

/**
 * Kernels registered by a loaded tier, for conformance tests.
 * @internal
 */
export function tierKernels(name: TierName): KernelSet | null {
  return tiers[name].kernels;
}

/**
 * Kernels of the table that a loaded tier is missing (empty when complete).
 * @internal
 */
export function missingKernels(name: TierName): KernelName[] {
  const k = tiers[name].kernels;
  if (k === null) return [];
  return KERNEL_NAMES.filter((n) => KERNELS[n].tiers.includes(name) && typeof k[n] !== 'function');
}

/**
 * The tier a data structure is created on. `requested` 'auto' follows a
 * forced backend (setBackend / HOTPATH_BACKEND), else takes the first tier of
 * `preference` that is loaded and `supports`. An unavailable explicit tier throws.
 * @internal
 */
export function structureTier(fn: string, requested: BackendChoice, preference: readonly TierName[], supports: (t: TierName) => boolean): TierName {
  if (requested !== 'auto' && requested !== 'native' && requested !== 'wasm' && requested !== 'js') {
    throw new RangeError(`hotpath.${fn}: options.backend must be 'auto', 'native', 'wasm' or 'js'; got ${JSON.stringify(requested)}`);
  }
  if (requested === 'auto' && forcedError !== null) throw forcedError;
  const want = requested === 'auto' && forced !== null ? (choice as TierName) : requested;
  if (want !== 'auto') {
    if (tiers[want].kernels === null) throw unavailable(want);
    if (!supports(want)) throw new Error(`hotpath.${fn}: backend '${want}' loaded but lacks this structure (stale build?)`);
    return want;
  }
  return preference.find((t) => tiers[t].kernels !== null && supports(t)) ?? 'js';
}
