// Quantile sketch exports (ABI in asm/README.md, "Quantile sketch"). s is a sketch pointer
// from sketchNew; every export tolerates s = 0 (nothing happens, an error code or 0 comes
// back).

import { STATUS_OUT_OF_MEMORY } from "../abi";
import {
  newSketch, freeSketch, clearSketch, memoryBytes, addValues, addWeighted, summary,
  binsInfo, binsCopy, addBins, mergeSketch, mergeMany,
} from "./core";

export function sketchNew(mapping: i32, multiplier: f64, offset: i32, scale: i32, maxBins: i32): usize {
  return newSketch(mapping, multiplier, offset, scale, maxBins);
}

export function sketchFree(s: usize): void {
  if (s) freeSketch(s);
}

export function sketchClear(s: usize): void {
  if (s) clearSketch(s);
}

export function sketchMemoryBytes(s: usize): f64 {
  return s ? <f64>memoryBytes(s) : 0;
}

export function sketchAdd(s: usize, values: usize, n: i32): i32 {
  return s ? addValues(s, values, n) : STATUS_OUT_OF_MEMORY;
}

export function sketchAddWeighted(s: usize, value: f64, weight: f64): i32 {
  return s ? addWeighted(s, value, weight) : STATUS_OUT_OF_MEMORY;
}

export function sketchSummary(s: usize, out: usize): void {
  if (s) summary(s, out);
  else {
    store<f64>(out, 0);
    store<f64>(out, 0, 8);
    store<f64>(out, Infinity, 16);
    store<f64>(out, -Infinity, 24);
    store<f64>(out, 0, 32);
  }
}

export function sketchBinsInfo(s: usize, out: usize): void {
  if (s) binsInfo(s, out);
  else memory.fill(out, 0, 56);
}

export function sketchBinsCopy(s: usize, negOut: usize, posOut: usize): void {
  if (s) binsCopy(s, negOut, posOut);
}

export function sketchAddBins(
  s: usize, zeroCount: f64, negOffset: f64, neg: usize, negLen: i32,
  posOffset: f64, pos: usize, posLen: i32, count: f64, sum: f64, min: f64, max: f64,
): i32 {
  return s ? addBins(s, zeroCount, negOffset, neg, negLen, posOffset, pos, posLen, count, sum, min, max) : STATUS_OUT_OF_MEMORY;
}

export function sketchMerge(s: usize, other: usize): i32 {
  if (!s) return STATUS_OUT_OF_MEMORY;
  return other ? mergeSketch(s, other) : -1;
}

export function sketchMergeMany(s: usize, ptrs: usize, n: i32): i32 {
  return s ? mergeMany(s, ptrs, n) : STATUS_OUT_OF_MEMORY;
}
