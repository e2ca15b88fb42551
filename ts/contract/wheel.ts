// The storage contract of TimingWheel: what each tier's wheel implements.
// Payloads never cross into native or wasm memory; a timer is a node index
// into a JS-side slab. Arguments arrive validated by the API layer.
//
// Every tier runs the same algorithm, so ids, expiry order and nextWake are
// identical across tiers (the tests compare them):
//
// Time. A deadline is a time in ms (finite, >= 0, <= maxTime). Its tick is
// floor(deadline / tickMs) computed in f64 and taken as an integer. `cur` is
// the tick of the wheel's `now`. Level l has N[l] slots of S[l] ticks, S[0] = 1,
// S[l+1] = S[l] * N[l]; the wheel spans S[L] ticks. Block b of level l is the
// tick range [b*S[l], (b+1)*S[l]).
//
// Placement relative to cur. p = max(tick(deadline), cur). The node goes to the
// lowest level l with floor(p / S[l+1]) == floor(cur / S[l+1]), slot
// floor(p / S[l]) mod N[l]; if no level qualifies, to the overflow list. So a
// level holds only blocks of cur's parent block: slots never alias, level-l
// entries are all later than level-(l-1) entries, and level l >= 1 never holds
// cur's own block. Lists are doubly linked; new nodes go at the head.
//
// advance(now), now >= the wheel's now. T = tick(now), old = cur.
//  1. Overflow, if floor(T/S[L]) > floor(old/S[L]): detach every overflow node
//     with floor(tick(deadline)/S[L]) <= floor(T/S[L]) into `collected`.
//  2. Each level l: bOld = floor(old/S[l]), bT = floor(T/S[l]); skip l >= 1
//     when bT == bOld. base = floor(old/S[l+1]) * N[l]; for each occupied slot s
//     with base+s in [bOld, min(bT, base+N[l]-1)] (a bitmap scan): detach its
//     list; if base+s < bT every node expires, else (== bT) nodes go to
//     `collected`.
//  3. cur = T. Each collected node: expires if deadline <= now, else is placed
//     relative to the new cur (keeping its seq).
//  4. Expired nodes are ordered by (deadline, seq), freed, and their indices
//     returned.
// Cost: O(levels + bitmap words + occupied slots in the passed range + nodes
// touched), plus a walk of the overflow list once per top-level rotation.
//
// Ids. id = gen * 2^26 + index, index < 2^26, gen in [1, 2^27). A node's gen
// starts at 1 and is bumped when the node is freed (fired, cancelled,
// cleared); a node whose gen reaches 2^27 is retired, never reused. Freed
// nodes go on a LIFO free list; a new node takes the free list's head, else
// the next fresh index. `seq` is a per-wheel counter, bumped by schedule and
// reschedule.
//
// nextWake: -1 when empty; else for the lowest non-empty level l: l == 0, the
// least deadline in its first occupied slot (at or after cur's slot); l >= 1,
// the start in ms of its first occupied slot, start((base+s) * S[l]); overflow
// only, the start of the next top-level rotation, start((floor(cur/S[L]) + 1) *
// S[L]). start(t) is the least double x >= t * tickMs (f64 product) with
// floor(x / tickMs) >= t: the product stepped up an ulp at a time, because for
// a tickMs like 0.7 the rounded product can fall one tick short, and a driver
// advancing to it would never cascade. A driver that advances at nextWake
// fires every timer within one tick at most, cascading at coarse slot starts.
// nextDeadline: -1 when empty, else the least pending deadline (exact: scans
// the first occupied slot of the lowest non-empty level, or the overflow list).
import { ABI } from './abi.js';


/** Largest node index + 1: ids carry the index in their low 26 bits. */
export const WHEEL_MAX_TIMERS = ABI.WHEEL_MAX_TIMERS;
/** Multiplier of the generation in an id. */
export const WHEEL_GEN_UNIT = ABI.WHEEL_GEN_UNIT;
/** Largest tick a deadline may map to (integer math stays exact in f64). */
export const WHEEL_MAX_TICK = 2 ** 52;

/**
 * floor(a / b) for non-negative integers below 2^53, exact in f64 (the
 * quotient of the division can round across an integer).
 * @internal
 */
export function idiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q--;
  else if (r >= b) q++;
  return q;
}

/**
 * The level geometry of a wheel with `wheels[l]` slots per level: span[l] =
 * ticks per slot of level l (span[L] = the whole wheel), offset[l] = the
 * first global slot of level l (offset[L] = the overflow list).
 * @internal
 */
export function wheelLayout(wheels: readonly number[]): { span: number[]; offset: number[] } {
  const span = [1];
  const offset = [0];
  for (let l = 0; l < wheels.length; l++) {
    span.push(span[l]! * wheels[l]!);
    offset.push(offset[l]! + wheels[l]!);
  }
  return { span, offset };
}

/** The wheel's index structure on one tier. */
export interface WheelCore {
  /** Wheel time in ms: the last `advance` argument, or the initial `now`. */
  now(): number;
  /** Pending timers. */
  size(): number;
  /** Adds a timer; returns its id, or -1 when WHEEL_MAX_TIMERS are pending. */
  schedule(deadline: number): number;
  /** `schedule` for each deadline in order; outIds[i] as `schedule` returns (-1 once full, and for every later one). */
  scheduleMany(deadlines: Float64Array, outIds: Float64Array): void;
  /** Removes a pending timer; false for an unknown, fired or cancelled id. */
  cancel(id: number): boolean;
  /** `cancel` for each id in order; out[i] = 1 if it cancelled, else 0. */
  cancelMany(ids: Float64Array, out: Uint8Array): void;
  /** Moves a pending timer to a new deadline with a new seq; false if not pending. */
  reschedule(id: number, deadline: number): boolean;
  /** Moves time to `now` and returns the node indices that expired, ordered by (deadline, seq). */
  advance(now: number): Uint32Array;
  /** See the header; -1 when empty. */
  nextDeadline(): number;
  /** See the header; -1 when empty. */
  nextWake(): number;
  /** Cancels every timer (generations bump as for cancel); time stays. */
  clear(): void;
  /** Bytes held by the index structure. */
  memoryBytes(): number;
  /** Structural invariants: null when they hold, else what is broken. */
  check(): string;
  /** Frees the wheel's memory; the core is unusable afterwards. */
  dispose(): void;
}

/** Validated construction parameters of a core. */
export interface WheelConfig {
  tickMs: number;
  /** Slots per level, finest first. */
  wheels: readonly number[];
  now: number;
}
