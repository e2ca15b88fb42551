// The native tier's DenseModel core (native/src/model/) on its own, against
// the float64 reference of ts/contract/model.ts: every activation, f32 and
// f16 weights, batches on both sides of the GEMV/gemm switch and across the
// bounded row blocks, predictAsync, dispose with a task in flight, and the
// class refusing bad input with an Error (never a crash).
import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODE, toHalf, type ModelConfig, type ModelCore, type ModelLayerShape } from '../ts/contract/model.js';
import { loadNativeAddon } from '../ts/tiers/native/loader.js';
import { nativeModel } from '../ts/tiers/native/model.js';
import { expectModelClose } from './support/model-reference.js';
import { rng } from './support/sketch-data.js';
import { EXPECTED_ABSENT } from './support/tiers.js';

const load = loadNativeAddon();
const addon = load.addon;

const ACTS = Object.values(ACTIVATION_CODE);
const NAME = Object.fromEntries(Object.entries(ACTIVATION_CODE).map(([k, v]) => [v, k]));

/** A model with these widths and activations; weights ~ U(-1, 1) / sqrt(fan-in) so activations stay in range. */
function makeModel(seed: number, widths: number[], acts: number[], f16: boolean): ModelConfig {
  const r = rng(seed);
  const layers: ModelLayerShape[] = acts.map((activation, i) => ({ inDim: widths[i]!, outDim: widths[i + 1]!, activation }));
  const nw = layers.reduce((s, l) => s + l.inDim * l.outDim, 0);
  const nb = layers.reduce((s, l) => s + l.outDim, 0);
  const w32 = new Float32Array(nw);
  let at = 0;
  for (const l of layers) {
    const g = 2 / Math.sqrt(l.inDim);
    for (let i = 0; i < l.inDim * l.outDim; i++) w32[at++] = (r() - 0.5) * g;
  }
  const biases = Float32Array.from({ length: nb }, () => r() - 0.5);
  const weights = f16 ? Uint16Array.from(w32, toHalf) : w32;
  return { layers, weights, biases };
}

function inputsFor(seed: number, batch: number, dim: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: batch * dim }, () => (r() - 0.5) * 4);
}

function run(core: ModelCore, cfg: ModelConfig, x: Float32Array, batch: number): Float32Array {
  const out = new Float32Array(batch * cfg.layers[cfg.layers.length - 1]!.outDim).fill(NaN);
  core.predict(x, batch, out);
  return out;
}

describe.skipIf(EXPECTED_ABSENT.has('native'))('native DenseModel core', () => {
  const factory = addon === null ? null : nativeModel(addon);

  it('the addon loaded and has the class', () => {
    expect(addon, load.error ?? '').not.toBeNull();
    expect(factory).not.toBeNull();
  });

  it('every activation, f32 and f16, batch 0 / 1 / 7 / 300, matches the float64 reference', () => {
    let seed = 1;
    for (const f16 of [false, true]) {
      for (const act of ACTS) {
        // Odd widths (not multiples of any SIMD width); the activation under
        // test last (softmax may only be last) after a hidden one.
        const hidden = act === ACTIVATION_CODE.softmax ? ACTIVATION_CODE.tanh : act;
        const cfg = makeModel(seed++, [13, 37, 9], [hidden, act], f16);
        const core = factory!(cfg);
        for (const batch of [0, 1, 7, 300]) {
          const x = inputsFor(seed++, batch, 13);
          const got = run(core, cfg, x, batch);
          try {
            expectModelClose(got, cfg, x, batch);
          } catch (e) {
            throw new Error(`${NAME[act]} ${f16 ? 'f16' : 'f32'} batch ${batch}: ${(e as Error).message}`);
          }
        }
        core.dispose();
      }
    }
  });

  it('row counts around the GEMV / gemm switch and a wide MLP', () => {
    for (const f16 of [false, true]) {
      const cfg = makeModel(f16 ? 7 : 8, [64, 129, 130, 1], [ACTIVATION_CODE.relu, ACTIVATION_CODE.gelu, ACTIVATION_CODE.sigmoid], f16);
      const core = factory!(cfg);
      for (const batch of [2, 8, 15, 16, 17, 33, 64]) {
        const x = inputsFor(batch, batch, 64);
        expectModelClose(run(core, cfg, x, batch), cfg, x, batch);
      }
      core.dispose();
    }
  });

  it('batches that cross the bounded row blocks (4097-wide layer: 255 rows a block)', () => {
    for (const f16 of [false, true]) {
      const cfg = makeModel(f16 ? 11 : 12, [5, 4097, 3], [ACTIVATION_CODE.geluTanh, ACTIVATION_CODE.softmax], f16);
      const core = factory!(cfg);
      for (const batch of [256, 520]) {
        const x = inputsFor(batch, batch, 5);
        expectModelClose(run(core, cfg, x, batch), cfg, x, batch);
      }
      core.dispose();
    }
  });

  it('a single layer, and a deep stack of width-1 layers', () => {
    const one = makeModel(21, [3, 2], [ACTIVATION_CODE.linear], false);
    const deep = makeModel(22, Array(12).fill(1), Array(11).fill(ACTIVATION_CODE.tanh), true);
    for (const cfg of [one, deep]) {
      const core = factory!(cfg);
      const d = cfg.layers[0]!.inDim;
      for (const batch of [1, 5, 40]) {
        const x = inputsFor(batch + 100, batch, d);
        expectModelClose(run(core, cfg, x, batch), cfg, x, batch);
      }
      core.dispose();
    }
  });

  it('predictAsync equals predict; dispose() with tasks in flight is safe', async () => {
    const cfg = makeModel(31, [256, 512, 512, 1], [ACTIVATION_CODE.relu, ACTIVATION_CODE.relu, ACTIVATION_CODE.sigmoid], false);
    const core = factory!(cfg);
    const x = inputsFor(32, 128, 256);
    const sync = run(core, cfg, x, 128);
    expectModelClose(sync, cfg, x, 128);
    // One row takes the GEMV path (another summation order): its own predict.
    const sync1 = run(core, cfg, x.subarray(0, 256), 1);
    const tasks = [core.predictAsync!(x, 128), core.predictAsync!(x.subarray(0, 256), 1), core.predictAsync!(new Float32Array(0), 0)];
    // The tasks hold the inputs (not copied), so they must not change in flight; the model's parameters outlive dispose().
    core.dispose();
    const [a, b, c] = await Promise.all(tasks);
    x.fill(1e30);
    expect(a).toEqual(sync);
    expect(b).toEqual(sync1);
    expect(c!.length).toBe(0);
    expect(() => core.predict(x, 128, new Float32Array(128))).toThrow(/hotpath\.DenseModel\.predict: .*disposed/);
    await expect(core.predictAsync!(x, 128)).rejects.toThrow(/hotpath\.DenseModel\.predictAsync: .*disposed/);
    core.dispose(); // twice is harmless
  });

  it('the core names the method in its errors', () => {
    const cfg = makeModel(41, [4, 3], [ACTIVATION_CODE.relu], false);
    const core = factory!(cfg);
    expect(() => core.predict(new Float32Array(7), 2, new Float32Array(6))).toThrow(/^hotpath\.DenseModel\.predict: inputs/);
    expect(() => core.predict(new Float32Array(8), 2, new Float32Array(5))).toThrow(/^hotpath\.DenseModel\.predict: out/);
    expect(() => core.predict(new Float32Array(8), -1, new Float32Array(6))).toThrow(/^hotpath\.DenseModel\.predict: batch/);
    expect(() => factory!({ ...cfg, biases: new Float32Array(2) })).toThrow(/^hotpath\.DenseModel: biases/);
    core.dispose();
  });

  it('the class refuses bad parameters and calls with an Error', () => {
    const C = addon!.NativeDenseModel;
    const L = (...t: number[]) => Uint32Array.from(t);
    const f = (n: number) => new Float32Array(n).fill(0.5);
    const none = new Float32Array(0);
    const noHalves = new Uint16Array(0);
    const bad: Array<[string, () => unknown]> = [
      ['no layers', () => new C(L(), f(0), noHalves, f(0))],
      ['not triples', () => new C(L(2, 3), f(6), noHalves, f(3))],
      ['zero dim', () => new C(L(0, 3, 0), f(0), noHalves, f(3))],
      ['dims do not chain', () => new C(L(2, 3, 0, 4, 1, 0), f(6 + 4), noHalves, f(4))],
      ['unknown activation', () => new C(L(2, 3, 7), f(6), noHalves, f(3))],
      ['softmax not last', () => new C(L(2, 3, 6, 3, 1, 0), f(9), noHalves, f(4))],
      ['weights short', () => new C(L(2, 3, 0), f(5), noHalves, f(3))],
      ['weights long', () => new C(L(2, 3, 0), f(7), noHalves, f(3))],
      ['biases short', () => new C(L(2, 3, 0), f(6), noHalves, f(2))],
      ['NaN weight', () => new C(L(2, 3, 0), Float32Array.of(0, 0, NaN, 0, 0, 0), noHalves, f(3))],
      ['Infinity bias', () => new C(L(2, 3, 0), f(6), noHalves, Float32Array.of(0, Infinity, 0))],
      ['infinite half', () => new C(L(1, 2, 0), none, Uint16Array.of(0x3c00, 0x7c00), f(2))],
      ['NaN half', () => new C(L(1, 2, 0), none, Uint16Array.of(0x7e00, 0), f(2))],
      ['both weights and halves', () => new C(L(1, 2, 0), f(2), Uint16Array.of(0, 0), f(2))],
      ['neither weights nor halves', () => new C(L(1, 2, 0), none, noHalves, f(2))],
      ['overflowing dims', () => new C(L(0xffffffff, 0xffffffff, 0), f(1), noHalves, f(1))],
    ];
    for (const [what, make] of bad) expect(make, what).toThrow(Error);

    const m = new C(L(4, 3, 1, 3, 2, 6), f(12 + 6), noHalves, f(5));
    const x = f(8);
    const calls: Array<[string, () => unknown]> = [
      ['inputs short', () => m.predict(f(7), 2, new Float32Array(4))],
      ['out short', () => m.predict(x, 2, new Float32Array(3))],
      ['out long', () => m.predict(x, 2, new Float32Array(5))],
      ['batch negative', () => m.predict(x, -2, new Float32Array(4))],
      ['batch fractional', () => m.predict(x, 1.5, new Float32Array(4))],
      ['batch NaN', () => m.predict(x, NaN, new Float32Array(4))],
      ['batch huge', () => m.predict(x, 2 ** 53, new Float32Array(4))],
      ['out overlaps inputs', () => m.predict(x, 1, x.subarray(4, 6))],
      ['async inputs short', () => m.predictAsync(f(7), 2)],
      ['async batch huge', () => m.predictAsync(x, 2 ** 60)],
    ];
    for (const [what, call] of calls) expect(call, what).toThrow(Error);
    // Still usable after all of that.
    const out = new Float32Array(4);
    m.predict(x, 2, out);
    expect(out[0]! + out[1]!).toBeCloseTo(1, 6);
    m.dispose();
    expect(() => m.predict(x, 2, out)).toThrow(/disposed/);
  });

  it('inputs on a SharedArrayBuffer are read in place', () => {
    const cfg = makeModel(51, [6, 10, 4], [ACTIVATION_CODE.sigmoid, ACTIVATION_CODE.softmax], true);
    const core = factory!(cfg);
    const x = new Float32Array(new SharedArrayBuffer(6 * 9 * 4));
    x.set(inputsFor(52, 9, 6));
    expectModelClose(run(core, cfg, x, 9), cfg, x, 9);
    core.dispose();
  });
});
