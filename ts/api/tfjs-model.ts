// loadTfjsModel: a DenseModel from what TensorFlow.js saves for a
// Sequential of Dense layers (`model.save(...)`, or `tensorflowjs_converter`
// from a Keras model): the topology JSON plus the weight bytes. Read here
// without TensorFlow.js: the format is the layers-model JSON (Keras'
// snake_case config) and a flat little-endian buffer the manifest slices.
import { describe, rangeError, typeError } from '../contract/errors.js';
import { fromHalf, type Activation } from '../contract/model.js';
import { DenseModel, type DenseLayer, type DenseModelOptions } from './dense-model.js';

/** One entry of a TensorFlow.js weights manifest. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** Present when the converter quantized the weight (`--quantize_float16`, `--quantize_uint8`, ...). */
  quantization?: { dtype: string; scale?: number; min?: number };
}

/**
 * What TensorFlow.js writes: `model.json`'s contents (with
 * `weightsManifest`), or the in-memory artifacts a save handler receives
 * (with `weightSpecs` and, usually, `weightData`).
 */
export interface TfjsModelJson {
  modelTopology: unknown;
  weightsManifest?: { paths?: string[]; weights: TfjsWeightSpec[] }[];
  weightSpecs?: TfjsWeightSpec[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  [key: string]: unknown;
}

const FN = 'loadTfjsModel';
/** Keras / TensorFlow.js activation names → ours. */
const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  linear: 'linear',
  relu: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  gelu: 'gelu',
  gelu_new: 'geluTanh',
};
/** Layers that are the identity at inference. */
const PASS_THROUGH = new Set(['InputLayer', 'Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'SpatialDropout1D']);

function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) {
    // tfjs 4 may split weights over several buffers (one per shard).
    const parts = data.map((d, i) => {
      if (!(d instanceof ArrayBuffer) && !ArrayBuffer.isView(d)) typeError(FN, `weightData[${i}]`, `must be an ArrayBuffer; got ${describe(d)}`);
      return bytesOf(d);
    });
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  return typeError(FN, 'weightData', `must be an ArrayBuffer, a view of one, or an array of them (the weight shards in manifest order); got ${describe(data)}`);
}

/** The Keras layer list of a topology: Sequential's `config.layers` (or `config` itself, Keras 2.2). */
function layerList(topology: unknown): { className: string; config: Record<string, unknown> }[] {
  let t = topology as Record<string, unknown> | null;
  if (typeof t === 'string') {
    try {
      t = JSON.parse(t) as Record<string, unknown>;
    } catch (e) {
      typeError(FN, 'modelJson.modelTopology', `is not JSON: ${(e as Error).message}`);
    }
  }
  if (t === null || typeof t !== 'object') typeError(FN, 'modelJson.modelTopology', `must be the model's topology object; got ${describe(t)}`);
  // A converted Keras model nests it: { keras_version, backend, model_config }.
  if (t.model_config !== undefined) t = t.model_config as Record<string, unknown>;
  const cls = t?.class_name;
  if (cls !== 'Sequential') {
    typeError(FN, 'modelJson.modelTopology', `is a '${String(cls)}' model; only a Sequential of Dense layers loads (rebuild it as tf.sequential / keras.Sequential)`);
  }
  const cfg = t.config as unknown;
  const layers = Array.isArray(cfg) ? cfg : (cfg as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers)) typeError(FN, 'modelJson.modelTopology', 'has no config.layers list');
  return layers.map((l: unknown, i: number) => {
    const o = l as { class_name?: unknown; config?: unknown } | null;
    if (o === null || typeof o !== 'object' || typeof o.class_name !== 'string') typeError(FN, `layer ${i}`, `has no class_name; got ${describe(l)}`);
    return { className: o.class_name, config: (o.config ?? {}) as Record<string, unknown> };
  });
}

/** Decodes a weight entry to f32 values (float32, or a quantized float16/uint8/uint16). */
function decode(spec: TfjsWeightSpec, bytes: Uint8Array, at: number, count: number): { values: Float32Array; next: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = spec.quantization;
  const kind = q ? q.dtype : spec.dtype;
  const size = kind === 'float32' || kind === 'int32' ? 4 : kind === 'float16' || kind === 'uint16' ? 2 : kind === 'uint8' ? 1 : 0;
  if (size === 0 || (!q && spec.dtype !== 'float32')) typeError(FN, `weight '${spec.name}'`, `has dtype ${kind}; Dense weights are float32 (or quantized float16, uint8, uint16)`);
  const end = at + count * size;
  if (end > bytes.length) rangeError(FN, 'weightData', `ends at byte ${bytes.length}; weight '${spec.name}' needs bytes ${at}..${end}`);
  const out = new Float32Array(count);
  if (kind === 'float32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
  } else if (kind === 'float16') {
    for (let i = 0; i < count; i++) out[i] = fromHalf(view.getUint16(at + 2 * i, true));
  } else {
    const scale = q?.scale ?? 1;
    const min = q?.min ?? 0;
    for (let i = 0; i < count; i++) out[i] = min + scale * (size === 1 ? view.getUint8(at + i) : view.getUint16(at + 2 * i, true));
  }
  return { values: out, next: end };
}

/**
 * A {@link DenseModel} from a TensorFlow.js layers model: a `Sequential` of
 * `Dense` layers (with or without bias; activations linear, relu, sigmoid,
 * tanh, softmax, gelu (exact) and gelu_new (tanh approximation)), with
 * `InputLayer` and dropout layers passed through and a standalone
 * `Activation` layer folded into the Dense before it. Keras models load once
 * converted with `tensorflowjs_converter --input_format keras`.
 * @param modelJson - model.json's parsed contents, or the artifacts a `tf.io.withSaveHandler` handler receives
 * @param weightData - the weight bytes (model.json's `paths` concatenated in order); optional when `modelJson.weightData` holds them
 * @param options - as {@link DenseModel}'s (`precision: 'f16'` stores the weights as halves; a model the converter quantized to float16 keeps its values exactly)
 * @throws TypeError naming the layer index and its class for a layer or activation this cannot run; RangeError for weights that do not match the shapes.
 * @example
 * const json = JSON.parse(fs.readFileSync('model/model.json', 'utf8'));
 * const model = await loadTfjsModel(json, fs.readFileSync('model/group1-shard1of1.bin'));
 */
export async function loadTfjsModel(modelJson: TfjsModelJson | string, weightData?: ArrayBuffer | ArrayBufferView | ArrayBuffer[], options?: DenseModelOptions): Promise<DenseModel> {
  return loadTfjsModelSync(modelJson, weightData, options);
}

/** {@link loadTfjsModel}, synchronously. */
export function loadTfjsModelSync(modelJson: TfjsModelJson | string, weightData?: ArrayBuffer | ArrayBufferView | ArrayBuffer[], options?: DenseModelOptions): DenseModel {
  let j = modelJson as TfjsModelJson;
  if (typeof modelJson === 'string') {
    try {
      j = JSON.parse(modelJson) as TfjsModelJson;
    } catch (e) {
      typeError(FN, 'modelJson', `is not JSON: ${(e as Error).message}`);
    }
  }
  if (j === null || typeof j !== 'object' || j.modelTopology === undefined) typeError(FN, 'modelJson', `must be model.json's contents (with modelTopology); got ${describe(j)}`);
  const specs: TfjsWeightSpec[] = j.weightSpecs ?? (j.weightsManifest ?? []).flatMap((g) => g.weights);
  if (!Array.isArray(specs) || specs.length === 0) typeError(FN, 'modelJson', 'has no weightsManifest (or weightSpecs)');
  const bytes = bytesOf(weightData ?? j.weightData);
  // Each weight's values, by name, sliced in manifest order.
  const byName = new Map<string, { spec: TfjsWeightSpec; values: Float32Array }>();
  let at = 0;
  for (const spec of specs) {
    const count = (spec.shape ?? []).reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count) || count < 0) rangeError(FN, `weight '${spec.name}'`, `has shape ${JSON.stringify(spec.shape)}`);
    const d = decode(spec, bytes, at, count);
    byName.set(spec.name, { spec, values: d.values });
    at = d.next;
  }
  const find = (name: string, what: 'kernel' | 'bias'): { spec: TfjsWeightSpec; values: Float32Array } | undefined => {
    const exact = byName.get(`${name}/${what}`);
    if (exact) return exact;
    // Savers may prefix scopes (`sequential/dense/kernel`).
    for (const [k, v] of byName) if (k.endsWith(`/${name}/${what}`)) return v;
    return undefined;
  };
  const layers: DenseLayer[] = [];
  layerList(j.modelTopology).forEach(({ className, config }, i) => {
    if (PASS_THROUGH.has(className)) return;
    const act = config.activation;
    const actName = typeof act === 'string' ? act : (act as { class_name?: string } | null)?.class_name ?? (act === undefined ? 'linear' : String(act));
    const mapped = ACTIVATIONS[actName];
    if (className === 'Activation') {
      const last = layers[layers.length - 1];
      if (mapped === undefined) typeError(FN, `layer ${i} (Activation)`, `has activation '${actName}'; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
      if (last === undefined || (last.activation ?? 'linear') !== 'linear') typeError(FN, `layer ${i} (Activation)`, 'follows no linear Dense layer to fold into');
      last.activation = mapped;
      return;
    }
    if (className !== 'Dense') typeError(FN, `layer ${i} (${className})`, `is not supported: only Dense layers (with InputLayer, Dropout and Activation) load`);
    if (mapped === undefined) typeError(FN, `layer ${i} (Dense)`, `has activation '${actName}'; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
    const name = String(config.name);
    const kernel = find(name, 'kernel');
    if (kernel === undefined) rangeError(FN, `layer ${i} (Dense '${name}')`, `has no '${name}/kernel' in the weights manifest`);
    const shape = kernel.spec.shape;
    if (shape.length !== 2) rangeError(FN, `layer ${i} (Dense '${name}')`, `kernel has shape ${JSON.stringify(shape)}; want [inputDim, units]`);
    const units = shape[1]!;
    if (typeof config.units === 'number' && config.units !== units) rangeError(FN, `layer ${i} (Dense '${name}')`, `kernel has ${units} columns; config.units is ${config.units}`);
    const useBias = config.use_bias !== false;
    const bias = useBias ? find(name, 'bias') : undefined;
    if (useBias && bias === undefined) rangeError(FN, `layer ${i} (Dense '${name}')`, `has use_bias but no '${name}/bias' in the weights manifest`);
    layers.push({ weights: kernel.values, bias: bias?.values ?? null, activation: mapped, units });
  });
  if (layers.length === 0) typeError(FN, 'modelJson.modelTopology', 'holds no Dense layer');
  return new DenseModel(layers, options);
}
