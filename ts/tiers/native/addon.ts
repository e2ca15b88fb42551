// The addon's interface is napi's own declaration of it: binding.d.ts is
// generated from the Rust sources by `napi build` and committed, so a Rust
// signature change that the glue does not follow fails tsc, not a call.
import type * as Binding from './binding.js';

/** The functions and classes the Rust addon exports. */
export type NativeAddon = typeof Binding;
/** A NativeBTree instance. */
export type NativeBTreeHandle = Binding.NativeBTree;
/** A NativeTimingWheel instance. */
export type NativeWheelHandle = Binding.NativeTimingWheel;
/** A NativeQuantileSketch instance. */
export type NativeSketchHandle = Binding.NativeQuantileSketch;
/** A NativeDenseModel instance. */
export type NativeModelHandle = Binding.NativeDenseModel;
