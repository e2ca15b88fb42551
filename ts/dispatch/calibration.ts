// The crossover table `auto` dispatch follows: per kernel, from which work
// size on each tier runs. Produced by `hotpath calibrate`, loaded from
// HOTPATH_CALIBRATION or setCalibration(), with a built-in default measured
// on the machine named in default-calibration.ts.
import { KERNELS, type KernelName } from '../contract/kernels.js';
import { describe, rangeError, typeError } from '../contract/errors.js';
import type { TierName } from '../contract/types.js';

/** One dispatch step: inputs of at least `work` units run on `tier`. */
export interface DispatchStep {
  work: number;
  tier: TierName;
}

/** What calibration measured for one kernel. */
export interface KernelCalibration {
  /**
   * Smallest measured work at which each accelerated tier beat js and kept
   * beating it at every larger size measured; null when it never did.
   */
  beatsJs: Partial<Record<Exclude<TierName, 'js'>, number | null>>;
  /** Ascending by work; below the first step the call stays on js. */
  steps: DispatchStep[];
}

/** A calibration file (`hotpath calibrate` writes one). */
export interface CalibrationTable {
  schema: 1;
  /** One line naming the machine it was measured on. */
  machine: string;
  /** ISO date of the run. */
  date: string;
  /** Kernels absent here keep the built-in default. */
  kernels: Partial<Record<KernelName, KernelCalibration>>;
}

const TIERS: readonly TierName[] = ['native', 'wasm', 'js'];

const FN = 'setCalibration';

function bad(where: string, what: string, value: unknown): never {
  typeError(FN, where, `${what}; got ${describe(value)}`);
}

function isWork(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= Number.MAX_SAFE_INTEGER;
}

/**
 * Checks a parsed calibration table and returns a normalised copy. Errors
 * name the offending path (`table.kernels.cosine.steps[1].work`).
 */
export function validateCalibration(table: unknown): CalibrationTable {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) bad('table', 'must be an object', table);
  const t = table as Record<string, unknown>;
  if (t.schema !== 1) rangeError(FN, 'table.schema', `must be 1; got ${describe(t.schema)}`);
  if (typeof t.machine !== 'string') bad('table.machine', 'must be a string', t.machine);
  if (typeof t.date !== 'string') bad('table.date', 'must be a string', t.date);
  const ks = t.kernels;
  if (ks === null || typeof ks !== 'object' || Array.isArray(ks)) bad('table.kernels', 'must be an object', ks);
  const kernels: Partial<Record<KernelName, KernelCalibration>> = {};
  for (const [name, entry] of Object.entries(ks as object)) {
    const at = `table.kernels.${name}`;
    if (!Object.hasOwn(KERNELS, name)) rangeError(FN, at, `is not a kernel (known: ${Object.keys(KERNELS).join(', ')})`);
    if (entry === null || typeof entry !== 'object') bad(at, 'must be an object', entry);
    const e = entry as Record<string, unknown>;
    if (!Array.isArray(e.steps)) bad(`${at}.steps`, 'must be an array', e.steps);
    const steps: DispatchStep[] = [];
    // An index loop, not forEach: forEach skips holes.
    const list = e.steps as unknown[];
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      const sp = `${at}.steps[${i}]`;
      if (s === null || typeof s !== 'object') bad(sp, 'must be an object { work, tier }', s);
      const { work, tier } = s as Record<string, unknown>;
      if (!isWork(work)) rangeError(FN, `${sp}.work`, `must be a non-negative integer; got ${describe(work)}`);
      if (!TIERS.includes(tier as TierName)) rangeError(FN, `${sp}.tier`, `must be 'native', 'wasm' or 'js'; got ${describe(tier)}`);
      if (i > 0 && work <= steps[i - 1].work) rangeError(FN, `${sp}.work`, `must be greater than the previous step's (${steps[i - 1].work}); got ${work}`);
      steps.push({ work, tier: tier as TierName });
    }
    const beatsJs: KernelCalibration['beatsJs'] = {};
    if (e.beatsJs !== undefined) {
      if (e.beatsJs === null || typeof e.beatsJs !== 'object') bad(`${at}.beatsJs`, 'must be an object', e.beatsJs);
      for (const [tier, w] of Object.entries(e.beatsJs as object)) {
        if (tier !== 'native' && tier !== 'wasm') rangeError(FN, `${at}.beatsJs.${tier}`, "is not an accelerated tier ('native' or 'wasm')");
        if (w !== null && !isWork(w)) rangeError(FN, `${at}.beatsJs.${tier}`, `must be a non-negative integer or null; got ${describe(w)}`);
        beatsJs[tier] = w as number | null;
      }
    }
    kernels[name as KernelName] = { beatsJs, steps };
  }
  return { schema: 1, machine: t.machine as string, date: t.date as string, kernels };
}

/**
 * The steps a kernel follows given the tiers that loaded here. A step on a
 * tier that did not load moves to the first loaded accelerated tier (native,
 * then wasm) that the table says beats js at that size, else to js; equal
 * neighbours merge and leading js steps drop (js is the floor anyway).
 */
export function resolveSteps(k: KernelCalibration, loaded: (t: TierName) => boolean): DispatchStep[] {
  const out: DispatchStep[] = [];
  for (const s of k.steps) {
    let tier = s.tier;
    if (!loaded(tier)) {
      tier = (['native', 'wasm'] as const).find((t) => loaded(t) && k.beatsJs[t] != null && (k.beatsJs[t] as number) <= s.work) ?? 'js';
    }
    const prev = out.length > 0 ? out[out.length - 1].tier : 'js';
    if (tier !== prev) out.push({ work: s.work, tier });
  }
  return out;
}
