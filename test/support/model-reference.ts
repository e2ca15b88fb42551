// The float64 evaluation of a dense model and each output's natural scale,
// the yardstick of ts/contract/model.ts's accuracy contract: every tier's
// output must be within REL × scale of the reference.
//
// Scale: per layer, s_j = |bias_j| + sum_k |x_k w_kj| + sum_k s_in_k |w_kj|
// bounds how far f32 rounding of this layer and the ones before it can move
// z_j (each term's relative rounding is at most a few f32 ulps). Through an
// activation it scales by the activation's largest slope (relu, linear, tanh
// 1; sigmoid 1/4; gelu 1.13). Softmax's outputs move by at most
// 2 max_j s_j (y_j (dz_j - sum y dz)), so that is their scale. Every scale
// also counts |y| itself: the activation's own f32 rounding.
import { ACTIVATION_CODE, fromHalf, layerOffsets, type ModelConfig } from '../../ts/contract/model.js';

export const MODEL_REL = 1e-5;

const SLOPE: Record<number, number> = {
  [ACTIVATION_CODE.linear]: 1,
  [ACTIVATION_CODE.relu]: 1,
  [ACTIVATION_CODE.sigmoid]: 0.25,
  [ACTIVATION_CODE.tanh]: 1,
  [ACTIVATION_CODE.gelu]: 1.13,
  [ACTIVATION_CODE.geluTanh]: 1.13,
};

/** erf to ~1e-15 (series for small |x|, continued fraction beyond). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  if (ax < 2.5) {
    // Maclaurin series: converges fast here.
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz).
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? tiny : 1 / d;
    c = ax + an / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

export function activate(code: number, z: number): number {
  switch (code) {
    case ACTIVATION_CODE.linear:
      return z;
    case ACTIVATION_CODE.relu:
      return z > 0 ? z : 0;
    case ACTIVATION_CODE.sigmoid:
      return 1 / (1 + Math.exp(-z));
    case ACTIVATION_CODE.tanh:
      return Math.tanh(z);
    case ACTIVATION_CODE.gelu:
      return 0.5 * z * (1 + erf(z / Math.SQRT2));
    case ACTIVATION_CODE.geluTanh:
      return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
    default:
      throw new Error(`no activation ${code}`);
  }
}

/** The reference outputs (batch × outDim) and their scales. */
export function referenceModel(cfg: ModelConfig, inputs: ArrayLike<number>, batch: number): { values: Float64Array; scales: Float64Array } {
  const { weights: wOff, biases: bOff, maxWidth } = layerOffsets(cfg.layers);
  const w = Float64Array.from(cfg.weights as ArrayLike<number>, (v) => (cfg.weights instanceof Uint16Array ? fromHalf(v) : v));
  const inDim = cfg.layers[0]!.inDim;
  const outDim = cfg.layers[cfg.layers.length - 1]!.outDim;
  const values = new Float64Array(batch * outDim);
  const scales = new Float64Array(batch * outDim);
  let x = new Float64Array(maxWidth);
  let s = new Float64Array(maxWidth);
  let z = new Float64Array(maxWidth);
  let sz = new Float64Array(maxWidth);
  for (let r = 0; r < batch; r++) {
    for (let k = 0; k < inDim; k++) {
      x[k] = inputs[r * inDim + k]!;
      s[k] = 0;
    }
    cfg.layers.forEach((l, li) => {
      const n = l.outDim;
      for (let j = 0; j < n; j++) {
        const b = cfg.biases[bOff[li]! + j]!;
        z[j] = b;
        sz[j] = Math.abs(b);
      }
      for (let k = 0; k < l.inDim; k++) {
        const xk = x[k]!;
        const ax = Math.abs(xk) + s[k]!;
        const at = wOff[li]! + k * n;
        for (let j = 0; j < n; j++) {
          const wk = w[at + j]!;
          z[j] += xk * wk;
          sz[j] += ax * Math.abs(wk);
        }
      }
      if (l.activation === ACTIVATION_CODE.softmax) {
        let m = -Infinity;
        let smax = 0;
        for (let j = 0; j < n; j++) {
          m = Math.max(m, z[j]!);
          smax = Math.max(smax, sz[j]!);
        }
        let sum = 0;
        for (let j = 0; j < n; j++) sum += z[j] = Math.exp(z[j]! - m);
        for (let j = 0; j < n; j++) {
          z[j] = z[j]! / sum;
          sz[j] = 2 * smax + z[j]!;
        }
      } else {
        const slope = SLOPE[l.activation]!;
        for (let j = 0; j < n; j++) {
          z[j] = activate(l.activation, z[j]!);
          sz[j] = sz[j]! * slope + Math.abs(z[j]!);
        }
      }
      [x, z] = [z, x];
      [s, sz] = [sz, s];
    });
    for (let j = 0; j < outDim; j++) {
      values[r * outDim + j] = x[j]!;
      scales[r * outDim + j] = s[j]!;
    }
  }
  return { values, scales };
}

/** Fails with the first output beyond REL × its scale (plus a denormal floor). */
export function expectModelClose(got: Float32Array, cfg: ModelConfig, inputs: ArrayLike<number>, batch: number, rel = MODEL_REL): void {
  const { values, scales } = referenceModel(cfg, inputs, batch);
  if (got.length !== values.length) throw new Error(`length ${got.length}, want ${values.length}`);
  for (let i = 0; i < values.length; i++) {
    const tol = rel * scales[i]! + 1e-30;
    if (!(Math.abs(got[i]! - values[i]!) <= tol)) {
      throw new Error(`output ${i}: got ${got[i]}, want ${values[i]} (scale ${scales[i]}, tolerance ${tol})`);
    }
  }
}
