// Per-call tier selection. Kept tiny because it runs on every call, including
// 16-element dot products that must cost no more than a plain JS loop.
// Imports only the contract: the platform entries install the tiers here
// (the Node entry synchronously at import, the browser entry js at import
// and wasm from init()), so this module never names a tier's code.
import { resolveSteps, validateCalibration, type CalibrationTable, type DispatchStep } from './calibration.js';
import { DEFAULT_CALIBRATION } from './default-calibration.js';
import { checkBackendChoice, describe, rangeError } from '../contract/errors.js';
import { KERNELS, KERNEL_NAMES, type KernelName, type KernelSet } from '../contract/kernels.js';
import { failedTier, type HostProbe, type StructureFactories, type StructureName, type StructureProvider, type Tier, type TierStatus } from '../contract/tier.js';
import type { BackendChoice, TierName } from '../contract/types.js';

const tiers: Record<TierName, Tier> = { native: failedTier('native', 'not loaded'), wasm: failedTier('wasm', 'not loaded'), js: failedTier('js', 'not loaded') };
const TIER_ORDER: readonly TierName[] = ['native', 'wasm', 'js'];
// Set by installTiers; every entry installs js before any call can run.
let jsKernels = null as unknown as KernelSet;
const firstLoaded = (): Tier => TIER_ORDER.map((n) => tiers[n]).find((t) => t.kernels !== null) ?? tiers.js;
let bestTier: Tier = firstLoaded();
const isLoaded = (t: TierName): boolean => tiers[t].kernels !== null;

// Per kernel, the resolved steps as parallel arrays: from stepWork[i] up, run stepSets[i].
interface Route { work: number[]; names: TierName[]; sets: KernelSet[] }
const routes = {} as Record<KernelName, Route>;
let calibration: { table: CalibrationTable; source: 'default' | 'env' | 'setCalibration'; path: string | null } = {
  table: DEFAULT_CALIBRATION, source: 'default', path: null,
};
// A HOTPATH_CALIBRATION that cannot be read or parsed: every call throws it.
let calibrationError: Error | null = null;

function applyCalibration(table: CalibrationTable): void {
  for (const k of KERNEL_NAMES) {
    const entry = table.kernels[k] ?? DEFAULT_CALIBRATION.kernels[k] ?? { beatsJs: {}, steps: [] };
    const steps: DispatchStep[] = resolveSteps(entry, isLoaded);
    routes[k] = { work: steps.map((s) => s.work), names: steps.map((s) => s.tier), sets: steps.map((s) => tiers[s.tier].kernels as KernelSet) };
  }
}
applyCalibration(DEFAULT_CALIBRATION);

let choice: BackendChoice = 'auto';
let choiceSource: 'default' | 'env' | 'setBackend' = 'default';
let forced: KernelSet | null = null;
// When HOTPATH_BACKEND names a tier that cannot run, every call throws this
// instead of silently running elsewhere.
let forcedError: Error | null = null;

function unavailable(name: TierName): Error {
  return new Error(`hotpath: backend '${name}' is not available: ${tiers[name].status.error ?? 'unknown reason'}`);
}

function applyChoice(value: unknown, source: 'env' | 'setBackend'): void {
  const c = checkBackendChoice('setBackend', 'backend', value);
  if (c !== 'auto' && tiers[c].kernels === null) throw unavailable(c);
  choice = c;
  choiceSource = source;
  forced = c === 'auto' ? null : tiers[c].kernels;
  forcedError = null;
}

/**
 * Puts the tiers a platform entry loaded in place of their placeholders and
 * re-resolves the dispatch table against them.
 * @internal
 */
export function installTiers(loaded: Partial<Record<TierName, Tier>>): void {
  Object.assign(tiers, loaded);
  if (tiers.js.kernels !== null) jsKernels = tiers.js.kernels;
  bestTier = firstLoaded();
  applyCalibration(calibration.table);
}

/**
 * Applies HOTPATH_CALIBRATION (a file, read with `readFile`) and
 * HOTPATH_BACKEND; the Node entry calls this once its tiers are installed.
 * @internal
 */
export function applyEnvironment(env: Readonly<Record<string, string | undefined>>, readFile: (path: string) => string): void {
  const envCalibration = env.HOTPATH_CALIBRATION;
  if (envCalibration) {
    try {
      const table = validateCalibration(JSON.parse(readFile(envCalibration)));
      applyCalibration(table);
      calibration = { table, source: 'env', path: envCalibration };
    } catch (e) {
      calibrationError = new Error(`HOTPATH_CALIBRATION=${envCalibration}: ${(e as Error).message}`, { cause: e });
    }
  }
  const envChoice = env.HOTPATH_BACKEND;
  if (envChoice) {
    try {
      applyChoice(envChoice, 'env');
    } catch (e) {
      choice = envChoice as BackendChoice;
      choiceSource = 'env';
      forcedError = new Error(`HOTPATH_BACKEND=${envChoice}: ${(e as Error).message}`, { cause: e });
    }
  }
}

/**
 * Kernels of the tier that runs a call of `kernel` over `work` units
 * (`KERNELS[kernel].work` of its arguments): the forced tier if any, else
 * the calibrated step for that size (js below the first).
 * @internal
 */
export function kernelsFor(kernel: KernelName, work: number): KernelSet {
  if (forced !== null) return forced;
  if (forcedError !== null) throw forcedError;
  if (calibrationError !== null) throw calibrationError;
  const r = routes[kernel];
  for (let i = r.work.length - 1; i >= 0; i--) if (work >= r.work[i]) return r.sets[i];
  return jsKernels;
}

/**
 * The tier a call of `kernel` with `work` units runs on under the current
 * setting: the forced backend, or the calibration table's step for that
 * size. Work is what `KERNELS[kernel].work` computes from the call's
 * arguments: the element count the kernel reads (Q·N·dim for batch kernels,
 * m·k·n for matmul, UTF-16 units for ngramFeatures).
 * @throws RangeError for an unknown kernel or a work that is not a non-negative number.
 */
export function dispatchTier(kernel: KernelName, work: number): TierName {
  if (typeof kernel !== 'string' || !Object.hasOwn(KERNELS, kernel)) rangeError('dispatchTier', 'kernel', `must be one of ${KERNEL_NAMES.join(', ')}; got ${typeof kernel === 'string' ? JSON.stringify(kernel) : describe(kernel)}`);
  if (typeof work !== 'number' || !(work >= 0)) rangeError('dispatchTier', 'work', `must be a non-negative number; got ${describe(work)}`);
  if (forced !== null) return choice as TierName;
  const r = routes[kernel];
  for (let i = r.work.length - 1; i >= 0; i--) if (work >= r.work[i]) return r.names[i];
  return 'js';
}

/**
 * Replaces the crossover table \`auto\` dispatch follows (a parsed
 * \`hotpath calibrate\` file), or restores the built-in one with \`null\`.
 * Kernels the table leaves out keep the built-in steps. Steps on a tier that
 * did not load here fall back as {@link CalibrationTable} describes. Clears
 * an error left by a bad HOTPATH_CALIBRATION.
 * @throws TypeError / RangeError naming the bad field; the current table is then kept.
 */
export function setCalibration(table: CalibrationTable | null): void {
  const t = table === null ? DEFAULT_CALIBRATION : validateCalibration(table);
  applyCalibration(t);
  calibration = { table: t, source: table === null ? 'default' : 'setCalibration', path: null };
  calibrationError = null;
}

/**
 * Forces every kernel onto one tier (`'native' | 'wasm' | 'js'`), or returns
 * to per-call selection with `'auto'`. Throws an Error carrying the load
 * failure when the tier is unavailable; it never falls back silently.
 */
export function setBackend(backend: BackendChoice): void {
  applyChoice(backend, 'setBackend');
}

/** The dispatch part of {@link backend}'s snapshot. */
export interface DispatchInfo {
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
  /** Work size below which `auto` keeps each kernel on js (the first dispatch step). */
  thresholds: Record<KernelName, number>;
  /** The steps `auto` follows per kernel, after falling back from tiers that did not load. */
  dispatch: Record<KernelName, DispatchStep[]>;
  /** Where the crossover table came from and the machine it was measured on. */
  calibration: { source: 'default' | 'env' | 'setCalibration'; path: string | null; machine: string; date: string; error: string | null };
}

/** Tiers, setting and dispatch table in force (backend() adds the GPU). @internal */
export function dispatchInfo(): DispatchInfo {
  const large = forced !== null ? (choice as TierName) : bestTier.name;
  return {
    backend: choice,
    source: choiceSource,
    error: forcedError?.message ?? null,
    largeInputTier: large,
    threads: tiers[large].status.threads,
    tiers: { native: { ...tiers.native.status }, wasm: { ...tiers.wasm.status }, js: { ...tiers.js.status } },
    thresholds: Object.fromEntries(KERNEL_NAMES.map((k) => [k, routes[k].work[0] ?? Infinity])) as Record<KernelName, number>,
    dispatch: Object.fromEntries(KERNEL_NAMES.map((k) => [k, routes[k].work.map((w, i) => ({ work: w, tier: routes[k].names[i] }))])) as Record<KernelName, DispatchStep[]>,
    calibration: { source: calibration.source, path: calibration.path, machine: calibration.table.machine, date: calibration.table.date, error: calibrationError?.message ?? null },
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

const providers: { [S in StructureName]?: StructureProvider<S> } = {};

/**
 * Registers how each tier makes `structure`'s storage core; the module of
 * the structure's public class calls this (platform/structures), so only
 * bundles that use the structure contain its cores.
 * @internal
 */
export function provideStructure<S extends StructureName>(structure: S, provider: StructureProvider<S>): void {
  (providers as Record<S, StructureProvider<S>>)[structure] = provider;
}

function factory<S extends StructureName>(t: Tier, structure: S): StructureFactories[S] | null {
  if (t.kernels === null) return null;
  return (providers[structure] as StructureProvider<S> | undefined)?.[t.name]?.(t.runtime) ?? null;
}

/**
 * The loaded tier a data structure is created on, and its factory there.
 * `requested` 'auto' follows a forced backend (setBackend /
 * HOTPATH_BACKEND), else takes the first tier of `preference` that is
 * loaded and holds `structure`. An unavailable explicit tier throws.
 * @internal
 */
export function structureTier<S extends StructureName>(fn: string, requested: unknown, preference: readonly TierName[], structure: S): { tier: TierName; make: StructureFactories[S] } {
  const r = checkBackendChoice(fn, 'options.backend', requested);
  if (r === 'auto' && forcedError !== null) throw forcedError;
  const want = r === 'auto' && forced !== null ? (choice as TierName) : r;
  if (want !== 'auto') {
    const t = tiers[want];
    if (t.kernels === null) throw unavailable(want);
    const make = factory(t, structure);
    if (make === null) throw new Error(`hotpath.${fn}: backend '${want}' loaded but lacks this structure (stale build?)`);
    return { tier: want, make };
  }
  for (const name of preference) {
    const make = factory(tiers[name], structure);
    if (make !== null) return { tier: name, make };
  }
  throw new Error(`hotpath.${fn}: no tier holds this structure (import it from 'hotpath', not from an internal module)`);
}

/** The probe of the first loaded tier that has one (native), or null. @internal */
export function hostProbe(): HostProbe | null {
  return TIER_ORDER.map((n) => tiers[n].host).find((h) => h !== undefined) ?? null;
}
