// The compute contract of DenseModel: what each tier's model core
// implements. Arguments arrive validated by the API layer (dims chain, every
// weight and bias finite, inputs of length batch × inputDim and finite).
//
// A model is L layers; layer l maps inDim(l) → outDim(l), and
// inDim(l + 1) = outDim(l). Parameters arrive packed:
//  - weights: each layer's (inDim × outDim, row-major: W[k * outDim + j] is
//    input k's weight into output j, the layout Keras and TensorFlow.js
//    save) one after another. A Float32Array for precision f32; for f16 a
//    Uint16Array of IEEE binary16 bit patterns (toHalf below), which the
//    core keeps as halves and widens to f32 exactly (fromHalf) when it
//    computes: the arithmetic is f32 either way.
//  - biases: each layer's outDim biases one after another, f32 (0 where the
//    layer has none: adding 0 changes nothing).
//
// predict(inputs, batch, out), inputs batch × inDim(0), out batch ×
// outDim(L - 1), both row-major. For each row and layer:
//   z_j = bias_j + sum_k x_k * W[k * outDim + j]     (any order, FMA allowed)
//   y_j = act(z_j)
// act by code (ABI.ACT_*):
//   LINEAR z; RELU max(z, 0); SIGMOID 1 / (1 + exp(-z)); TANH tanh(z);
//   GELU 0.5 z (1 + erf(z / sqrt 2)), the exact form (Keras' default and
//     TensorFlow.js' 'gelu'), erf to within 2e-7 absolute (Abramowitz and
//     Stegun 7.1.26, which TensorFlow.js uses, is enough);
//   GELU_TANH 0.5 z (1 + tanh(sqrt(2 / pi) (z + 0.044715 z^3))) (Keras'
//     approximate=True, TensorFlow.js' 'gelu_new');
//   SOFTMAX over the row: m = max_j z_j, e_j = exp(z_j - m), y_j = e_j / sum e.
//     The API allows it on the last layer only.
// Accuracy: every output within 1e-5 of its natural scale of the float64
// evaluation of the same (f16-rounded, for f16) parameters; the scale is
// what test/support/model-reference.ts propagates (sum of |terms| per
// layer). Tiers may sum in any order; no tier may lose more than f32
// rounding per term.
//
// Cores process rows in blocks so their scratch (two buffers of block ×
// max width) stays bounded whatever the batch; `out` is written, never read.
// A core never reads `inputs` or writes `out` outside their lengths, even
// if a SharedArrayBuffer under them is rewritten mid-call (values may then
// be anything; the API checks the output).

/** Activation codes by their public names. */
export const ACTIVATION_CODE = {
  linear: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
  gelu: 4,
  geluTanh: 5,
  softmax: 6,
} as const;

/** A public activation name. */
export type Activation = keyof typeof ACTIVATION_CODE;

/** One layer's shape (validated). */
export interface ModelLayerShape {
  readonly inDim: number;
  readonly outDim: number;
  /** ABI.ACT_* code. */
  readonly activation: number;
}

/** What a model core is made from (validated; the arrays are the core's own, never shared). */
export interface ModelConfig {
  readonly layers: readonly ModelLayerShape[];
  /** Packed weights: Float32Array (f32) or binary16 bits (f16). */
  readonly weights: Float32Array | Uint16Array;
  /** Packed biases (sum of outDim). */
  readonly biases: Float32Array;
}

/** A model on one tier: parameters resident in that tier's memory. */
export interface ModelCore {
  /** out (batch × outDim) = the model applied to each row of inputs (batch × inDim). */
  predict(inputs: Float32Array, batch: number, out: Float32Array): void;
  /**
   * As predict, off the JS thread (the native tier's libuv pool), resolving
   * with a new array; absent where the tier cannot leave the thread.
   */
  predictAsync?(inputs: Float32Array, batch: number): Promise<Float32Array>;
  /** Frees the parameters and scratch; the core is not used again. */
  dispose(): void;
}

/** Offsets of each layer's weights and biases in the packed arrays. */
export function layerOffsets(layers: readonly ModelLayerShape[]): { weights: number[]; biases: number[]; maxWidth: number } {
  const weights: number[] = [];
  const biases: number[] = [];
  let w = 0;
  let b = 0;
  let maxWidth = layers.length > 0 ? layers[0]!.inDim : 0;
  for (const l of layers) {
    weights.push(w);
    biases.push(b);
    w += l.inDim * l.outDim;
    b += l.outDim;
    if (l.outDim > maxWidth) maxWidth = l.outDim;
  }
  return { weights, biases, maxWidth };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The binary16 bits nearest to `x` (round to nearest, ties to even), with
 * subnormals; a finite `x` beyond the largest half (65504) rounds to ±Infinity,
 * which the API refuses. NaN → a quiet NaN.
 */
export function toHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  // Rebias 127 → 15. Work on the f32's value so the rounding is exact: the
  // f32 already rounded x once; halves are a subset of f32, so rounding
  // the f32 to a half is what rounding x would give except at double
  // ties, which cannot occur for inputs that are f32 already (weights are).
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand down.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rem > mid || (rem === mid && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to Infinity: right.
  return sign | (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

/** The value of binary16 bits `h` (exact). */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}
