// Binary-interface codes shared by the TypeScript glue, the Rust addon
// (native/src/abi.rs) and the AssemblyScript module (asm/assembly/abi.ts).
// This file is their one definition; test/abi.test.ts fails when either
// copy disagrees with it or lacks a code.

/** Every code, by the name the Rust and AssemblyScript constants carry. */
export const ABI = {
  /** topK metric codes. */
  METRIC_COSINE: 0,
  METRIC_DOT: 1,
  METRIC_EUCLIDEAN: 2,
  /** BPlusTree key kinds. */
  KEY_NUMBER: 0,
  KEY_STRING: 1,
  /** Flags temporalDecay returns: a non-finite input, a negative age. */
  DECAY_NONFINITE: 1,
  DECAY_NEGATIVE_AGE: 2,
  /** Range-scan flags of the wasm tree (the addon takes booleans). */
  RANGE_LO_INCL: 1,
  RANGE_HI_INCL: 2,
  RANGE_REVERSE: 4,
  RANGE_LO_OPEN: 8,
  RANGE_HI_OPEN: 16,
  /** What a wasm structure returns when a node could not be allocated (nothing changed). */
  STATUS_OUT_OF_MEMORY: -2,
  /** B+ tree order bounds. */
  TREE_MIN_ORDER: 4,
  TREE_MAX_ORDER: 1024,
  /** Timer ids are gen * WHEEL_GEN_UNIT + index, index < WHEEL_MAX_TIMERS. */
  WHEEL_GEN_UNIT: 2 ** 26,
  WHEEL_MAX_TIMERS: 2 ** 26,
  /** QuantileSketch index mappings (ts/contract/sketch.ts). */
  SKETCH_CUBIC: 0,
  SKETCH_LOG: 1,
  SKETCH_EXP: 2,
  /** DenseModel activation codes (ts/contract/model.ts). */
  ACT_LINEAR: 0,
  ACT_RELU: 1,
  ACT_SIGMOID: 2,
  ACT_TANH: 3,
  ACT_GELU: 4,
  ACT_GELU_TANH: 5,
  ACT_SOFTMAX: 6,
} as const;

/** Codes only the wasm module uses (the addon takes booleans or throws instead). */
export const WASM_ONLY_ABI: readonly (keyof typeof ABI)[] = ['RANGE_LO_INCL', 'RANGE_HI_INCL', 'RANGE_REVERSE', 'RANGE_LO_OPEN', 'RANGE_HI_OPEN', 'STATUS_OUT_OF_MEMORY'];

/** The metric code of each {@link Metric} name. */
export const METRIC_CODE = { cosine: ABI.METRIC_COSINE, dot: ABI.METRIC_DOT, euclidean: ABI.METRIC_EUCLIDEAN } as const;
