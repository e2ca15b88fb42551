// Timing wheel exports (ABI in asm/README.md, "Timing wheel"). w is a wheel pointer from
// wheelNew; every export tolerates w = 0 (nothing happens, an error code or 0 comes back).

import {
  H_SIZE, H_NOW, H_RES, STATUS_INVALID_TIME,
  newWheel, freeWheel, clearWheel, memoryBytes, schedule, scheduleMany, cancel, reschedule,
  advance, nextWake, nextDeadline, checkWheel, ptr, at64,
} from "./core";

export function wheelNew(tickMs: f64, levelsPtr: usize, nLevels: i32, now: f64): usize {
  return newWheel(tickMs, levelsPtr, nLevels, now);
}

export function wheelFree(w: usize): void {
  if (w) freeWheel(w);
}

export function wheelClear(w: usize): void {
  if (w) clearWheel(w);
}

export function wheelSize(w: usize): i32 {
  return w ? load<i32>(w, H_SIZE) : 0;
}

export function wheelNow(w: usize): f64 {
  return w ? load<f64>(w, H_NOW) : 0;
}

export function wheelMemoryBytes(w: usize): f64 {
  return w ? <f64>memoryBytes(w) : 0;
}

export function wheelSchedule(w: usize, deadline: f64): f64 {
  return w ? schedule(w, deadline) : STATUS_INVALID_TIME;
}

export function wheelScheduleMany(w: usize, deadlines: usize, n: i32, out: usize): i32 {
  if (!w) {
    for (let k = 0; k < n; k++) store<f64>(at64(out, <u32>k), STATUS_INVALID_TIME);
    return 0;
  }
  return scheduleMany(w, deadlines, n, out);
}

export function wheelCancel(w: usize, id: f64): i32 {
  return w ? cancel(w, id) : 0;
}

export function wheelCancelMany(w: usize, ids: usize, n: i32, out: usize): void {
  for (let k = 0; k < n; k++) {
    store<u8>(out + <usize>k, w ? <u8>cancel(w, load<f64>(at64(ids, <u32>k))) : 0);
  }
}

export function wheelReschedule(w: usize, id: f64, deadline: f64): i32 {
  return w ? reschedule(w, id, deadline) : 0;
}

export function wheelAdvance(w: usize, now: f64): i32 {
  return w ? advance(w, now) : STATUS_INVALID_TIME;
}

export function wheelResult(w: usize): usize {
  return w ? ptr(w, H_RES) : 0;
}

export function wheelNextDeadline(w: usize): f64 {
  return w ? nextDeadline(w) : -1;
}

export function wheelNextWake(w: usize): f64 {
  return w ? nextWake(w) : -1;
}

export function wheelCheck(w: usize): i32 {
  return w ? checkWheel(w) : 1;
}
