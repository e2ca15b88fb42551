//! Binary-interface codes shared with the TypeScript glue and the
//! AssemblyScript module. Their one definition is `ts/contract/abi.ts`;
//! `test/abi.test.ts` reads this file line by line, so each code stays on
//! one line as `pub const NAME: TYPE = VALUE;` in plain decimal.

// topKF32's `metric`.
pub const METRIC_COSINE: u32 = 0;
pub const METRIC_DOT: u32 = 1;
pub const METRIC_EUCLIDEAN: u32 = 2;

// NativeBTree's `keyType`.
pub const KEY_NUMBER: u32 = 0;
pub const KEY_STRING: u32 = 1;

// Flags temporalDecayF64 returns: a non-finite score or age, a negative age.
pub const DECAY_NONFINITE: u32 = 1;
pub const DECAY_NEGATIVE_AGE: u32 = 2;

// NativeBTree's `order` bounds: max keys per leaf, max children per node.
pub const TREE_MIN_ORDER: usize = 4;
pub const TREE_MAX_ORDER: usize = 1024;

// Timer id = generation * WHEEL_GEN_UNIT + node index, index below
// WHEEL_MAX_TIMERS; both are 2^26.
pub const WHEEL_GEN_UNIT: u64 = 67108864;
pub const WHEEL_MAX_TIMERS: u32 = 67108864;

// NativeQuantileSketch's `mapping` (ts/contract/sketch.ts).
pub const SKETCH_CUBIC: u32 = 0;
pub const SKETCH_LOG: u32 = 1;
pub const SKETCH_EXP: u32 = 2;
// DenseModel activations (ts/contract/model.ts).
pub const ACT_LINEAR: u32 = 0;
pub const ACT_RELU: u32 = 1;
pub const ACT_SIGMOID: u32 = 2;
pub const ACT_TANH: u32 = 3;
pub const ACT_GELU: u32 = 4;
pub const ACT_GELU_TANH: u32 = 5;
pub const ACT_SOFTMAX: u32 = 6;

const _: () = assert!(WHEEL_GEN_UNIT.is_power_of_two() && WHEEL_MAX_TIMERS as u64 <= WHEEL_GEN_UNIT);
