// Binary-interface codes shared with the TypeScript glue (ts/contract/abi.ts, their one
// definition) and the Rust addon (native/src/abi.rs). The ABI test (test/abi.test.ts) reads
// this file line by line, so keep each code on one line as
// `@inline export const NAME: type = value;`.
//
// Import this file where a code is needed; never re-export it from index.ts (see there):
// the module's export list must stay functions and `memory`.

// topKF32 / topKFinishF32 `metric`.
// @ts-ignore: decorator
@inline export const METRIC_COSINE: i32 = 0;
// @ts-ignore: decorator
@inline export const METRIC_DOT: i32 = 1;
// @ts-ignore: decorator
@inline export const METRIC_EUCLIDEAN: i32 = 2;

// btreeNew `keyType` (stored in the tree header).
// @ts-ignore: decorator
@inline export const KEY_NUMBER: i32 = 0;
// @ts-ignore: decorator
@inline export const KEY_STRING: i32 = 1;

// Flags temporalDecayF64 returns (or-ed).
// @ts-ignore: decorator
@inline export const DECAY_NONFINITE: i32 = 1;
// @ts-ignore: decorator
@inline export const DECAY_NEGATIVE_AGE: i32 = 2;

// btreeRangeNum / btreeRangeStr `flags`.
// @ts-ignore: decorator
@inline export const RANGE_LO_INCL: i32 = 1;
// @ts-ignore: decorator
@inline export const RANGE_HI_INCL: i32 = 2;
// @ts-ignore: decorator
@inline export const RANGE_REVERSE: i32 = 4;
// @ts-ignore: decorator
@inline export const RANGE_LO_OPEN: i32 = 8;
// @ts-ignore: decorator
@inline export const RANGE_HI_OPEN: i32 = 16;

// What a tree write, a wheel schedule or advance returns when a block could not be
// allocated; the structure is unchanged. (btreeBulkLoad* report that case as -3: their -2
// means keys out of order.)
// @ts-ignore: decorator
@inline export const STATUS_OUT_OF_MEMORY: i32 = -2;

// btreeNew `order` bounds (max keys per leaf = max children per internal node).
// @ts-ignore: decorator
@inline export const TREE_MIN_ORDER: i32 = 4;
// @ts-ignore: decorator
@inline export const TREE_MAX_ORDER: i32 = 1024;

// Timer ids are gen * WHEEL_GEN_UNIT + index with index < WHEEL_MAX_TIMERS (both 2^26), so
// an id is exact in an f64 while gen < 2^27.
// @ts-ignore: decorator
@inline export const WHEEL_GEN_UNIT: f64 = 67108864;
// @ts-ignore: decorator
@inline export const WHEEL_MAX_TIMERS: u32 = 67108864;

// sketchNew `mapping` (ts/contract/sketch.ts: the key function).
// @ts-ignore: decorator
@inline export const SKETCH_CUBIC: i32 = 0;
// @ts-ignore: decorator
@inline export const SKETCH_LOG: i32 = 1;
// @ts-ignore: decorator
@inline export const SKETCH_EXP: i32 = 2;

// DenseModel activations (ts/contract/model.ts).
// @ts-ignore: decorator
@inline export const ACT_LINEAR: i32 = 0;
// @ts-ignore: decorator
@inline export const ACT_RELU: i32 = 1;
// @ts-ignore: decorator
@inline export const ACT_SIGMOID: i32 = 2;
// @ts-ignore: decorator
@inline export const ACT_TANH: i32 = 3;
// @ts-ignore: decorator
@inline export const ACT_GELU: i32 = 4;
// @ts-ignore: decorator
@inline export const ACT_GELU_TANH: i32 = 5;
// @ts-ignore: decorator
@inline export const ACT_SOFTMAX: i32 = 6;
