// loadTfjsModel against TensorFlow.js itself: models built and saved by
// @tensorflow/tfjs-layers (to memory, through tf.io.withSaveHandler) load on
// every tier and predict what tfjs's own model.predict does (cpu backend),
// within the accuracy contract; the model.json + shards form, a converted
// Keras topology, float16-quantized weights, and what is refused.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTfjsModel, loadTfjsModelSync, type TfjsModelJson } from '../ts/index.js';
import { ACTIVATION_CODE, fromHalf, toHalf, type ModelConfig } from '../ts/contract/model.js';
import { expectModelClose, referenceModel } from './support/model-reference.js';
import { TIERS } from './support/tiers.js';

type Act = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'gelu' | 'gelu_new';
const OURS: Record<Act, keyof typeof ACTIVATION_CODE> = { linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', gelu: 'gelu', gelu_new: 'geluTanh' };

interface Saved {
  artifacts: tf.io.ModelArtifacts;
  model: tfl.Sequential;
  cfg: ModelConfig;
}

/** A tfjs Sequential of Dense layers with non-zero biases, saved to memory; and the config the reference evaluates. */
async function saved(inDim: number, layers: { units: number; activation: Act; useBias?: boolean }[]): Promise<Saved> {
  const model = tfl.sequential();
  layers.forEach((l, i) =>
    model.add(tfl.layers.dense({ units: l.units, activation: l.activation, useBias: l.useBias ?? true, biasInitializer: 'randomUniform', ...(i === 0 ? { inputShape: [inDim] } : {}) })),
  );
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const shapes = [];
  const ws: number[] = [];
  const bs: number[] = [];
  let d = inDim;
  for (const [i, l] of layers.entries()) {
    const [kernel, bias] = model.layers[i]!.getWeights();
    for (const v of kernel!.dataSync()) ws.push(v);
    const b = bias?.dataSync();
    for (let j = 0; j < l.units; j++) bs.push(b ? b[j]! : 0);
    shapes.push({ inDim: d, outDim: l.units, activation: ACTIVATION_CODE[OURS[l.activation]] });
    d = l.units;
  }
  return { artifacts: artifacts!, model, cfg: { layers: shapes, weights: Float32Array.from(ws), biases: Float32Array.from(bs) } };
}

function rows(n: number, seed: number): Float32Array {
  let a = seed;
  return new Float32Array(n).map(() => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return (a / 2 ** 31) * 4 - 2;
  });
}

function tfPredict(s: Saved, x: Float32Array, batch: number): Float32Array {
  return tf.tidy(() => (s.model.predict(tf.tensor2d(x, [batch, s.cfg.layers[0]!.inDim])) as tf.Tensor).dataSync() as Float32Array);
}

/** Ours within the contract of the reference, and within twice that of tfjs. */
function expectLikeTfjs(got: Float32Array, s: Saved, x: Float32Array, batch: number): void {
  expectModelClose(got, s.cfg, x, batch);
  const want = tfPredict(s, x, batch);
  const { scales } = referenceModel(s.cfg, x, batch);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i]! - want[i]!), `output ${i}: ours ${got[i]}, tfjs ${want[i]}`).toBeLessThanOrEqual(2e-5 * scales[i]! + 1e-30);
  }
}

const MODELS: [string, number, { units: number; activation: Act; useBias?: boolean }[]][] = [
  ['relu → tanh (no bias) → softmax', 5, [{ units: 8, activation: 'relu' }, { units: 4, activation: 'tanh', useBias: false }, { units: 3, activation: 'softmax' }]],
  ['sigmoid → gelu → gelu_new → linear', 7, [{ units: 6, activation: 'sigmoid' }, { units: 5, activation: 'gelu' }, { units: 4, activation: 'gelu_new' }, { units: 2, activation: 'linear' }]],
  ['the 256 → 512 → 512 → 1 scorer', 256, [{ units: 512, activation: 'relu' }, { units: 512, activation: 'relu' }, { units: 1, activation: 'sigmoid' }]],
];

let models: Saved[];
beforeAll(async () => {
  await tf.setBackend('cpu');
  models = [];
  for (const [, inDim, layers] of MODELS) models.push(await saved(inDim, layers));
}, 60_000);

describe.each(TIERS)('loadTfjsModel on %s', (tier) => {
  it.each(MODELS.map((m, i) => [m[0], i] as const))('%s predicts what tfjs predicts', async (_, i) => {
    const s = models[i]!;
    const m = await loadTfjsModel(s.artifacts as TfjsModelJson, undefined, { backend: tier });
    expect(m.backend).toBe(tier);
    expect(m.layers.map((l) => [l.inputDim, l.outputDim, l.bias])).toEqual(MODELS[i]![2].map((l, j) => [s.cfg.layers[j]!.inDim, l.units, l.useBias ?? true]));
    for (const batch of [1, 9, 64]) {
      const x = rows(batch * m.inputDim, batch + i);
      expectLikeTfjs(m.predict(x, batch), s, x, batch);
    }
    m.dispose();
  });
});

describe('loadTfjsModel formats', () => {
  it('model.json with a weightsManifest and its shard bytes (as files would hold them)', () => {
    const s = models[0]!;
    const a = s.artifacts;
    const json = JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] });
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    const m = loadTfjsModelSync(json, bytes);
    const x = rows(5 * 4, 1);
    expectLikeTfjs(m.predict(x, 4), s, x, 4);
    // Two shards, as an array of buffers.
    const cut = 40;
    const m2 = loadTfjsModelSync(json, [bytes.slice(0, cut).buffer, bytes.slice(cut).buffer]);
    expect(Array.from(m2.predict(x, 4))).toEqual(Array.from(m.predict(x, 4)));
  });

  it('a converted Keras topology (model_config) with InputLayer, Dropout and an Activation layer', () => {
    const s = models[1]!;
    const topo = s.artifacts.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const layers = structuredClone(topo.config.layers);
    // Split the last Dense's activation into an Activation layer (identity here: linear → linear).
    const keras = {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: { name: 'seq', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 7] } }, layers[0], { class_name: 'Dropout', config: { rate: 0.5 } }, ...layers.slice(1), { class_name: 'Activation', config: { activation: 'linear' } }] },
      },
    };
    const m = loadTfjsModelSync({ modelTopology: keras, weightSpecs: s.artifacts.weightSpecs!, weightData: s.artifacts.weightData as ArrayBuffer });
    const x = rows(7 * 3, 2);
    expectLikeTfjs(m.predict(x, 3), s, x, 3);
  });

  it('float16-quantized weights (tensorflowjs_converter --quantize_float16) load exactly as halves', () => {
    const s = models[0]!;
    const specs = s.artifacts.weightSpecs!;
    const f32 = new Float32Array(s.artifacts.weightData as ArrayBuffer);
    const halves = Uint16Array.from(f32, toHalf);
    const q = specs.map((w) => ({ ...w, quantization: { dtype: 'float16' } }));
    const m = loadTfjsModelSync({ modelTopology: s.artifacts.modelTopology, weightSpecs: q }, halves, { precision: 'f16' });
    // The reference over the same halves: kernels as halves, biases widened from halves.
    const half = (v: number): number => fromHalf(toHalf(v));
    const cfg: ModelConfig = { ...s.cfg, weights: Uint16Array.from(s.cfg.weights as Float32Array, toHalf), biases: s.cfg.biases.map(half) };
    const x = rows(5 * 6, 3);
    expectModelClose(m.predict(x, 6), cfg, x, 6);
  });

  it('refuses what it cannot run, naming the layer index and class', () => {
    const s = models[0]!;
    const topo = s.artifacts.modelTopology as { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const withLayer = (i: number, patch: object): TfjsModelJson => {
      const t = structuredClone(topo);
      Object.assign(t.config.layers[i]!, patch);
      return { modelTopology: t, weightSpecs: s.artifacts.weightSpecs!, weightData: s.artifacts.weightData as ArrayBuffer };
    };
    expect(() => loadTfjsModelSync(withLayer(1, { class_name: 'LayerNormalization' }))).toThrow(TypeError);
    expect(() => loadTfjsModelSync(withLayer(1, { class_name: 'LayerNormalization' }))).toThrow(/^hotpath\.loadTfjsModel: layer 1 \(LayerNormalization\) is not supported/);
    expect(() => loadTfjsModelSync(withLayer(0, { config: { ...topo.config.layers[0]!.config, activation: 'elu' } }))).toThrow(/layer 0 \(Dense\) has activation 'elu'; supported: /);
    expect(() => loadTfjsModelSync({ modelTopology: { ...topo, class_name: 'Functional' }, weightSpecs: s.artifacts.weightSpecs!, weightData: s.artifacts.weightData as ArrayBuffer })).toThrow(/is a 'Functional' model; only a Sequential/);
    expect(() => loadTfjsModelSync({ modelTopology: topo, weightSpecs: s.artifacts.weightSpecs! }, new ArrayBuffer(8))).toThrow(/weightData ends at byte 8; weight '.*' needs bytes/);
    expect(() => loadTfjsModelSync('{')).toThrow(/^hotpath\.loadTfjsModel: modelJson is not JSON/);
    expect(() => loadTfjsModelSync({} as TfjsModelJson)).toThrow(/modelJson must be model\.json's contents/);
  });
});
