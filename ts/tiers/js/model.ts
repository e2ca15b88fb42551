// DenseModel's js core: the reference semantics of ts/contract/model.ts,
// summed in float64 and stored in float32. f16 models keep their weights
// widened to f32 here (exactly the halves' values): plain JS has no 16-bit
// float arithmetic, and a per-weight table lookup would cost more than the
// memory it saves.
import { ABI } from '../../contract/abi.js';
import { fromHalf, layerOffsets, type ModelConfig, type ModelCore, type ModelLayerShape } from '../../contract/model.js';
import type { StructureFactories } from '../../contract/tier.js';

// Abramowitz and Stegun 7.1.26 (|error| <= 1.5e-7), as TensorFlow.js computes erf.
const ERF_P = 0.3275911;
const ERF_A1 = 0.254829592;
const ERF_A2 = -0.284496736;
const ERF_A3 = 1.421413741;
const ERF_A4 = -1.453152027;
const ERF_A5 = 1.061405429;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** erf(x) to within 1.5e-7 (Abramowitz and Stegun 7.1.26). */
export function erfApprox(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + ERF_P * a);
  const y = 1 - ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t * Math.exp(-a * a);
  return x < 0 ? -y : y;
}

/** Applies activation `act` to z[0..n) in place (softmax over all of it). */
export function activateRow(act: number, z: Float64Array, n: number): void {
  switch (act) {
    case ABI.ACT_LINEAR:
      return;
    case ABI.ACT_RELU:
      for (let j = 0; j < n; j++) if (!(z[j]! > 0)) z[j] = 0;
      return;
    case ABI.ACT_SIGMOID:
      for (let j = 0; j < n; j++) z[j] = 1 / (1 + Math.exp(-z[j]!));
      return;
    case ABI.ACT_TANH:
      for (let j = 0; j < n; j++) z[j] = Math.tanh(z[j]!);
      return;
    case ABI.ACT_GELU:
      for (let j = 0; j < n; j++) z[j] = 0.5 * z[j]! * (1 + erfApprox(z[j]! * Math.SQRT1_2));
      return;
    case ABI.ACT_GELU_TANH:
      for (let j = 0; j < n; j++) {
        const v = z[j]!;
        z[j] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
      return;
    case ABI.ACT_SOFTMAX: {
      let m = -Infinity;
      for (let j = 0; j < n; j++) if (z[j]! > m) m = z[j]!;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += z[j] = Math.exp(z[j]! - m);
      for (let j = 0; j < n; j++) z[j] = z[j]! / sum;
      return;
    }
    default:
      throw new Error(`hotpath internal: activation code ${act}`);
  }
}

export class JsModelCore implements ModelCore {
  private readonly layers: readonly ModelLayerShape[];
  private weights: Float32Array;
  private readonly biases: Float32Array;
  private readonly wOff: number[];
  private readonly bOff: number[];
  /** Two rows of the widest layer, ping-ponged (f64: the reference sums in double). */
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(cfg: ModelConfig) {
    this.layers = cfg.layers;
    const w = cfg.weights;
    if (w instanceof Uint16Array) {
      this.weights = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) this.weights[i] = fromHalf(w[i]!);
    } else {
      this.weights = w;
    }
    this.biases = cfg.biases;
    const off = layerOffsets(cfg.layers);
    this.wOff = off.weights;
    this.bOff = off.biases;
    this.a = new Float64Array(off.maxWidth);
    this.b = new Float64Array(off.maxWidth);
  }

  predict(inputs: Float32Array, batch: number, out: Float32Array): void {
    const layers = this.layers;
    const w = this.weights;
    const bias = this.biases;
    const inDim = layers[0]!.inDim;
    const outDim = layers[layers.length - 1]!.outDim;
    for (let r = 0; r < batch; r++) {
      let x = this.a;
      let z = this.b;
      for (let k = 0; k < inDim; k++) x[k] = inputs[r * inDim + k]!;
      for (let li = 0; li < layers.length; li++) {
        const l = layers[li]!;
        const n = l.outDim;
        const b0 = this.bOff[li]!;
        for (let j = 0; j < n; j++) z[j] = bias[b0 + j]!;
        // Row k of W is contiguous along the outputs: an axpy per input.
        let at = this.wOff[li]!;
        for (let k = 0; k < l.inDim; k++, at += n) {
          const xk = x[k]!;
          if (xk === 0) continue;
          for (let j = 0; j < n; j++) z[j] += xk * w[at + j]!;
        }
        activateRow(l.activation, z, n);
        const t = x;
        x = z;
        z = t;
      }
      for (let j = 0; j < outDim; j++) out[r * outDim + j] = x[j]!;
    }
  }

  dispose(): void {
    this.weights = new Float32Array(0);
  }
}

/** The js tier's model factory. */
export function jsModel(): StructureFactories['model'] {
  return (cfg) => new JsModelCore(cfg);
}
