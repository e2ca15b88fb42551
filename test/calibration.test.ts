// Calibrated dispatch: the dispatcher follows whatever crossover table it is
// given (setCalibration or HOTPATH_CALIBRATION), falls back sensibly when a
// table names a tier that did not load, and rejects malformed tables with
// errors that name the field. Also the ladder analysis `hotpath calibrate` uses.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backend, dispatchTier, setCalibration, type CalibrationTable, type TierName } from '../ts/index.js';
import { kernelsFor, tierKernels } from '../ts/dispatch/dispatch.js';
import { resolveSteps, validateCalibration } from '../ts/dispatch/calibration.js';
import { DEFAULT_CALIBRATION } from '../ts/dispatch/default-calibration.js';
import { KERNEL_NAMES } from '../ts/contract/kernels.js';
import { runChild } from './support/child.js';
import { TIERS } from './support/tiers.js';
// @ts-expect-error plain ESM module without types
import { beatsJsFrom, calibrate, stepsFromLadder } from '../bench/lib/calibrate.mjs';
// @ts-expect-error plain ESM module without types
import { KERNEL_CASES } from '../bench/lib/cases/kernels.mjs';

const accelerated = TIERS.filter((t) => t !== 'js');

function table(kernels: CalibrationTable['kernels']): CalibrationTable {
  return { schema: 1, machine: 'test machine', date: '2026-11-22T00:00:00.000Z', kernels };
}

afterEach(() => setCalibration(null));

describe('dispatcher follows a calibration table', () => {
  it('routes each work size to the step that covers it, and calls really run there', () => {
    // js below 100, wasm from 100, native from 1000 (using what this run has loaded).
    const [lo, hi] = accelerated.length === 2 ? (['wasm', 'native'] as TierName[]) : [accelerated[0], accelerated[0]];
    setCalibration(table({ cosine: { beatsJs: { [lo]: 100, [hi]: 1000 }, steps: [{ work: 100, tier: lo }, { work: 1000, tier: hi }] } }));
    for (const [work, tier] of [[0, 'js'], [99, 'js'], [100, lo], [999, lo], [1000, hi], [1e9, hi]] as const) {
      expect(dispatchTier('cosine', work)).toBe(tier);
      expect(kernelsFor('cosine', work)).toBe(tierKernels(tier));
    }
    expect(backend().calibration).toMatchObject({ source: 'setCalibration', machine: 'test machine', error: null });
    expect(backend().thresholds.cosine).toBe(100);
    // Kernels the table leaves out keep the built-in steps.
    const def = resolveSteps(DEFAULT_CALIBRATION.kernels.stats!, (t) => backend().tiers[t].loaded);
    expect(backend().dispatch.stats).toEqual(def);
  });

  it('follows arbitrary generated tables exactly', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 1 << 20 }), { minLength: 0, maxLength: 4 }).map((ws) => ws.sort((a, b) => a - b)),
      fc.array(fc.constantFrom<TierName>(...TIERS), { minLength: 4, maxLength: 4 }),
      fc.integer({ min: 0, max: 1 << 21 }),
      (works, tiers, probe) => {
        const steps = works.map((w, i) => ({ work: w, tier: tiers[i] }));
        setCalibration(table({ dot: { beatsJs: {}, steps } }));
        let want: TierName = 'js';
        for (const s of steps) if (probe >= s.work) want = s.tier;
        expect(dispatchTier('dot', probe)).toBe(want);
        expect(kernelsFor('dot', probe)).toBe(tierKernels(want));
      },
    ), { numRuns: 300 });
  });

  it('a forced backend still wins over the table', () => {
    setCalibration(table({ dot: { beatsJs: {}, steps: [] } }));
    expect(dispatchTier('dot', 1e6)).toBe('js');
  });

  it('setCalibration(null) restores the built-in table', () => {
    setCalibration(table({ dot: { beatsJs: {}, steps: [] } }));
    setCalibration(null);
    expect(backend().calibration.source).toBe('default');
    expect(backend().calibration.machine).toBe(DEFAULT_CALIBRATION.machine);
  });

  it('the built-in table is a valid calibration covering every kernel', () => {
    expect(validateCalibration(DEFAULT_CALIBRATION)).toEqual(DEFAULT_CALIBRATION);
    for (const k of KERNEL_NAMES) expect(DEFAULT_CALIBRATION.kernels[k], k).toBeDefined();
  });
});

describe('steps on a tier that did not load', () => {
  const k = { beatsJs: { native: 64, wasm: 256 }, steps: [{ work: 64, tier: 'native' as const }, { work: 4096, tier: 'wasm' as const }] };
  it('move to the first loaded tier that beats js there, else js', () => {
    expect(resolveSteps(k, () => true)).toEqual(k.steps);
    expect(resolveSteps(k, (t) => t !== 'native')).toEqual([{ work: 4096, tier: 'wasm' }]);
    expect(resolveSteps(k, (t) => t !== 'wasm')).toEqual([{ work: 64, tier: 'native' }]);
    expect(resolveSteps(k, (t) => t === 'js')).toEqual([]);
    expect(resolveSteps({ beatsJs: { native: 64, wasm: 64 }, steps: [{ work: 64, tier: 'native' }] }, (t) => t !== 'native')).toEqual([{ work: 64, tier: 'wasm' }]);
  });
});

describe('malformed tables', () => {
  const good = table({ dot: { beatsJs: { native: 8 }, steps: [{ work: 8, tier: 'native' }] } });
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    ['x', TypeError, /table must be an object/],
    [{ ...good, schema: 2 }, RangeError, /table\.schema must be 1/],
    [{ ...good, machine: 3 }, TypeError, /table\.machine must be a string/],
    [{ ...good, kernels: [] }, TypeError, /table\.kernels must be an object/],
    [table({ nope: { beatsJs: {}, steps: [] } } as never), RangeError, /table\.kernels\.nope is not a kernel/],
    [table({ dot: { beatsJs: {}, steps: 'x' } } as never), TypeError, /table\.kernels\.dot\.steps must be an array/],
    [table({ dot: { beatsJs: {}, steps: [{ work: -1, tier: 'js' }] } }), RangeError, /steps\[0\]\.work must be a non-negative integer/],
    [table({ dot: { beatsJs: {}, steps: [{ work: 1.5, tier: 'js' }] } }), RangeError, /steps\[0\]\.work/],
    [table({ dot: { beatsJs: {}, steps: [{ work: 1, tier: 'gpu' }] } } as never), RangeError, /steps\[0\]\.tier must be 'native', 'wasm' or 'js'/],
    [table({ dot: { beatsJs: {}, steps: [{ work: 5, tier: 'js' }, { work: 5, tier: 'wasm' }] } }), RangeError, /steps\[1\]\.work must be greater than the previous/],
    [table({ dot: { beatsJs: { js: 3 }, steps: [] } } as never), RangeError, /beatsJs\.js is not an accelerated tier/],
    [table({ dot: { beatsJs: { wasm: 'x' }, steps: [] } } as never), RangeError, /beatsJs\.wasm must be a non-negative integer or null/],
  ];
  it.each(cases)('%#: rejected with a message naming the field, table unchanged', (bad, Err, msg) => {
    setCalibration(good);
    expect(() => setCalibration(bad as CalibrationTable)).toThrow(Err);
    expect(() => setCalibration(bad as CalibrationTable)).toThrow(msg);
    expect(backend().calibration.source).toBe('setCalibration');
    expect(backend().dispatch.dot.length).toBe(backend().tiers.native.loaded ? 1 : 0);
  });

  it('dispatchTier rejects unknown kernels and bad work', () => {
    expect(() => dispatchTier('nope' as never, 1)).toThrow(RangeError);
    expect(() => dispatchTier('dot', -1)).toThrow(/work must be a non-negative number/);
    expect(() => dispatchTier('dot', NaN)).toThrow(RangeError);
  });
});

describe('HOTPATH_CALIBRATION', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotpath-cal-'));
  it('loads a calibration file at start-up and dispatch follows it', () => {
    const file = join(dir, 'cal.json');
    writeFileSync(file, JSON.stringify(table({ matmul: { beatsJs: { wasm: 50 }, steps: [{ work: 50, tier: 'wasm' }] } })));
    const out = runChild(`return { cal: hp.backend().calibration, t: [hp.dispatchTier('matmul', 49), hp.dispatchTier('matmul', 50)] };`, { HOTPATH_CALIBRATION: file });
    expect(out.cal).toMatchObject({ source: 'env', path: file, machine: 'test machine', error: null });
    expect(out.t).toEqual(['js', 'wasm']);
  });

  it('an unreadable or invalid file makes every dispatched call throw, naming the file', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 1, machine: 'x', date: 'y', kernels: { dot: { steps: [{ work: 1, tier: 'tpu' }] } } }));
    for (const file of [bad, join(dir, 'missing.json')]) {
      const out = runChild(`let err = null; try { hp.dot([1, 2], [3, 4]); } catch (e) { err = e.message; } return { err, cal: hp.backend().calibration };`, { HOTPATH_CALIBRATION: file });
      expect(out.err).toContain(`HOTPATH_CALIBRATION=${file}`);
      expect(out.cal.error).toContain(file);
    }
  });
});

describe('hotpath calibrate: ladder analysis', () => {
  const rung = (work: number, js: number, wasm: number, native: number) => ({ work, ns: { js, wasm, native } });
  it('finds the crossovers and ignores a one-rung flap', () => {
    const ladder = [rung(1, 10, 50, 90), rung(2, 20, 50, 90), rung(4, 40, 30, 90), rung(8, 80, 40, 60), rung(16, 160, 60, 58), rung(32, 320, 100, 40), rung(64, 640, 180, 60)];
    expect(stepsFromLadder(ladder, ['native', 'wasm', 'js'])).toEqual([{ work: 4, tier: 'wasm' }, { work: 32, tier: 'native' }]);
    expect(beatsJsFrom(ladder, 'wasm')).toBe(4);
    expect(beatsJsFrom(ladder, 'native')).toBe(8);
    // wasm wins a single rung by noise: no step.
    const flap = [rung(1, 10, 50, 9), rung(2, 20, 15, 8), rung(4, 40, 30, 20)];
    expect(stepsFromLadder(flap, ['native', 'wasm', 'js'])).toEqual([{ work: 1, tier: 'native' }]);
    expect(beatsJsFrom([rung(1, 10, 5, 5), rung(2, 10, 20, 5)], 'wasm')).toBeNull();
  });

  it('a real (quick) calibration of two kernels yields a table the dispatcher accepts', async () => {
    const hp = await import('../ts/index.js');
    const cases = KERNEL_CASES.filter((c: { name: string }) => c.name === 'dot' || c.name === 'riskScore');
    const t = calibrate(hp, { cases, quick: true });
    expect(Object.keys(t.kernels).sort()).toEqual(['dot', 'riskScore']);
    for (const k of ['dot', 'riskScore']) {
      expect(t.measurements[k].length).toBeGreaterThan(3);
      for (const r of t.measurements[k]) for (const tier of TIERS) expect(r.ns[tier]).toBeGreaterThan(0);
    }
    setCalibration(t);
    expect(backend().calibration.source).toBe('setCalibration');
    expect(backend().backend).toBe('auto');
  });
});
