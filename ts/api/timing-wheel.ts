/// <reference lib="esnext.disposable" preserve="true" />
// TimingWheel: hierarchical timer wheel whose index lives in native or wasm
// memory while payloads stay in a JS slab, addressed by node index.
import { ownCopy, realView } from '../contract/checks.js';
import { coreRegistry } from '../contract/disposal.js';
import { structureTier } from '../dispatch/dispatch.js';
import { batchLength, checkFinite, checkFunction, checkOptions, describe, rangeError, typeError } from '../contract/errors.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import { WHEEL_GEN_UNIT, WHEEL_MAX_TICK, WHEEL_MAX_TIMERS, type WheelConfig, type WheelCore } from '../contract/wheel.js';

/** Options of {@link TimingWheel}. */
export interface TimingWheelOptions {
  /** Resolution of the finest level in ms (default 10; at least 0.001). */
  tickMs?: number;
  /** Slots per level, finest first (default [256, 64, 64, 24]: 2.56 s, ~164 s, ~2.9 h, ~70 h). 1–8 levels of 2–65536 slots. */
  wheels?: readonly number[];
  /** Wheel time at creation in ms (default 0). Times are any clock's ms, >= 0. */
  now?: number;
  /** Clock that {@link TimingWheel.start} advances to (default `performance.now`). */
  clock?: () => number;
  /** Tier holding the index; `'auto'` (default) follows setBackend, else the fastest loaded tier. */
  backend?: BackendChoice;
}

const DEFAULT_WHEELS: readonly number[] = [256, 64, 64, 24];
// Measured fastest for single schedule/cancel/advance calls (a wasm call is far
// cheaper than a napi class-method call); see README "Timing wheel".
const PREFERENCE: readonly TierName[] = ['wasm', 'native', 'js'];
const MAX_TIMEOUT = 0x7fff_ffff;

/**
 * Validated wheel configuration plus the largest time it accepts.
 * @internal
 */
export function wheelConfig(fn: string, o: { tickMs?: unknown; wheels?: unknown; now?: unknown }): WheelConfig & { maxTime: number } {
  const tickMs = o.tickMs === undefined ? 10 : checkFinite(fn, 'options.tickMs', o.tickMs, { min: 0.001 });
  const maxTime = Math.min(Number.MAX_SAFE_INTEGER, WHEEL_MAX_TICK * tickMs);
  let wheels = DEFAULT_WHEELS;
  if (o.wheels !== undefined) {
    if (!Array.isArray(o.wheels)) typeError(fn, 'options.wheels', `must be an array of slot counts; got ${describe(o.wheels)}`);
    const w = o.wheels as unknown[];
    if (w.length < 1 || w.length > 8) rangeError(fn, 'options.wheels', `must have 1 to 8 levels; got ${w.length}`);
    // At most 8 x 65536 = 2^19 slots in all, so only the span needs a bound.
    let span = 1;
    // An index loop, not forEach: forEach skips holes, which would let `[256, , 64]` through.
    for (let l = 0; l < w.length; l++) {
      const n = w[l];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 2 || n > 65536) rangeError(fn, `options.wheels[${l}]`, `must be an integer in [2, 65536]; got ${describe(n)}`);
      span *= n;
    }
    if (span > 2 ** 48) rangeError(fn, 'options.wheels', `spans ${span} ticks; the product of the sizes must be <= 2^48`);
    wheels = w.slice() as number[];
  }
  const now = o.now === undefined ? 0 : checkFinite(fn, 'options.now', o.now, { min: 0, max: maxTime });
  return { tickMs, wheels, now, maxTime };
}

/**
 * The wheel core of a tier.
 * @internal
 */
export function createWheelCore(fn: string, requested: BackendChoice, cfg: WheelConfig): { core: WheelCore; tier: TierName } {
  const { tier, make } = structureTier(fn, requested, PREFERENCE, 'wheel');
  return { core: make(cfg), tier };
}

/**
 * Node index of a valid id (gen * 2^26 + index); the quotient fits an int32, so no float modulo.
 * @internal
 */
export function nodeIndex(id: number): number {
  return id - ((id / WHEEL_GEN_UNIT) | 0) * WHEEL_GEN_UNIT;
}

/**
 * A reading of a user clock: a finite number >= 0, else a TypeError (the
 * callback broke its contract) naming it, the same on every tier. A clock behind the wheel is the caller's to clamp.
 * @internal
 */
export function readClock(fn: string, clock: () => number): number {
  const t = clock();
  if (typeof t !== 'number') typeError(fn, 'options.clock', `must return a number of ms; returned ${describe(t)}`);
  if (!(t >= 0) || t === Infinity) typeError(fn, 'options.clock', `must return a finite time >= 0; returned ${t}`);
  return t;
}

function tooMany(fn: string): never {
  rangeError(`TimingWheel.${fn}`, 'timers', `exceed the wheel's capacity of ${WHEEL_MAX_TIMERS} pending timers`);
}

/**
 * A hierarchical timing wheel: O(1) schedule and cancel, and an `advance`
 * whose cost follows what expires, not how many timers wait.
 *
 * Guarantees:
 * - A timer never fires before its deadline, and fires at the first
 *   `advance(now)` with `now >= deadline`, at every level: coarse slots
 *   cascade into finer ones as time approaches, nothing fires early.
 * - `advance` returns payloads ordered by deadline, then by scheduling order
 *   (`reschedule` counts as scheduling anew).
 * - Delays beyond the top level's span wait in an overflow list, walked once
 *   per top-level rotation, and still fire on time.
 * - A jump in time costs O(expired + levels + occupied slots passed), not one
 *   step per elapsed tick.
 * - Ids are `gen * 2^26 + index`: a fired or cancelled id never matches a
 *   later timer (a slot whose generation counter would wrap is retired).
 *
 * Payloads are any JS values, kept in a JS slab; the slot lists and
 * generations live in native or wasm memory (or JS on the js tier). Call
 * `dispose()` (or `using`) to free that memory at once; a
 * FinalizationRegistry frees it after garbage collection otherwise.
 */
export class TimingWheel<P = unknown> {
  private readonly core: WheelCore;
  private slab: (P | undefined)[] = [];
  private readonly maxTime: number;
  private readonly clock: () => number;
  private nowMs: number;
  private disposed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Time the armed timer is aimed at (Infinity when none). */
  private aimAt = Infinity;
  private onExpire: ((payload: P) => void) | null = null;
  /** Tier holding the index. */
  readonly backend: TierName;
  /** Finest resolution in ms. */
  readonly tickMs: number;
  /** Slots per level, finest first. */
  readonly wheels: readonly number[];

  constructor(options?: TimingWheelOptions) {
    const o = checkOptions<TimingWheelOptions>('TimingWheel', options);
    checkFunction('TimingWheel', 'options.clock', o.clock);
    const cfg = wheelConfig('TimingWheel', o);
    const { core, tier } = createWheelCore('TimingWheel', o.backend ?? 'auto', cfg);
    this.core = core;
    this.backend = tier;
    this.tickMs = cfg.tickMs;
    this.wheels = Object.freeze([...cfg.wheels]);
    this.maxTime = cfg.maxTime;
    this.nowMs = cfg.now;
    this.clock = o.clock ?? (() => performance.now());
    coreRegistry.register(this, core, this);
  }

  private live(fn: string): void {
    if (this.disposed) throw new TypeError(`hotpath.TimingWheel.${fn}: wheel is disposed`);
  }

  private deadlineOf(fn: string, delayMs: unknown, arg = 'delayMs'): number {
    if (typeof delayMs !== 'number') typeError(`TimingWheel.${fn}`, arg, `must be a number; got ${describe(delayMs)}`);
    if (!(delayMs >= 0) || delayMs === Infinity) rangeError(`TimingWheel.${fn}`, arg, `must be a finite number >= 0; got ${delayMs}`);
    const d = this.nowMs + delayMs;
    if (d > this.maxTime) rangeError(`TimingWheel.${fn}`, arg, `puts the deadline at ${d}, beyond the largest time ${this.maxTime}`);
    return d;
  }

  private timeArg(fn: string, t: unknown, arg: string): number {
    return checkFinite(`TimingWheel.${fn}`, arg, t, { min: 0, max: this.maxTime });
  }

  private idArg(fn: string, id: unknown, arg = 'id'): number {
    if (typeof id !== 'number') typeError(`TimingWheel.${fn}`, arg, `must be a number (a timer id); got ${describe(id)}`);
    if (!Number.isSafeInteger(id) || id < 0) rangeError(`TimingWheel.${fn}`, arg, `must be a non-negative integer (a timer id); got ${id}`);
    return id;
  }

  private added(fn: string, id: number, payload: P, deadline: number): number {
    if (id < 0) tooMany(fn);
    this.slab[nodeIndex(id)] = payload;
    if (deadline < this.aimAt && this.onExpire !== null) this.arm();
    return id;
  }

  /** The slab, grown to hold index `top` in one step: a presized array takes a batch's stores far faster than growth by appends. */
  private slabFor(top: number): (P | undefined)[] {
    const old = this.slab;
    if (top < old.length) return old;
    const grown = new Array<P | undefined>(Math.max(top + 1, old.length * 2));
    for (let i = 0; i < old.length; i++) grown[i] = old[i];
    this.slab = grown;
    return grown;
  }

  /** Wheel time in ms: the last `advance` argument, or the initial `now`. */
  get now(): number {
    return this.nowMs;
  }

  /** Pending timers. */
  get size(): number {
    this.live('size');
    return this.core.size();
  }

  /** Whether {@link start} is driving the wheel. */
  get running(): boolean {
    return this.onExpire !== null;
  }

  /** Schedules `payload` to expire `delayMs` after the wheel's `now`; returns the timer's id. O(1). */
  schedule(delayMs: number, payload: P): number {
    this.live('schedule');
    const d = this.deadlineOf('schedule', delayMs);
    return this.added('schedule', this.core.schedule(d), payload, d);
  }

  /** Schedules `payload` at absolute time `timeMs` (a time already past fires at the next `advance`). */
  scheduleAt(timeMs: number, payload: P): number {
    this.live('scheduleAt');
    const d = this.timeArg('scheduleAt', timeMs, 'timeMs');
    return this.added('scheduleAt', this.core.schedule(d), payload, d);
  }

  /**
   * Schedules `payloads[i]` after `delays[i]` for every i, in one crossing
   * into the wheel's tier; returns the ids in order. Every delay is checked
   * before any timer is added.
   */
  scheduleMany(delays: Float64Array | readonly number[], payloads: ArrayLike<P>): Float64Array {
    this.live('scheduleMany');
    const fn = 'TimingWheel.scheduleMany';
    if (!(delays instanceof Float64Array) && !Array.isArray(delays)) typeError(fn, 'delays', `must be a Float64Array or number[]; got ${describe(delays)}`);
    if (delays instanceof Float64Array) realView(fn, 'delays', delays);
    if (payloads === null || typeof payloads !== 'object' || typeof payloads.length !== 'number') typeError(fn, 'payloads', `must be an array-like; got ${describe(payloads)}`);
    const n = batchLength(fn, 'delays', delays);
    if (payloads.length !== n) rangeError(fn, 'payloads', `length ${payloads.length} does not match delays length ${n}`);
    if (this.core.size() + n > WHEEL_MAX_TIMERS) tooMany('scheduleMany');
    // Read once, before the wheel changes: a throwing getter then fails the call with nothing scheduled.
    const items = Array.prototype.slice.call(payloads) as P[];
    const deadlines = new Float64Array(n);
    const now = this.nowMs;
    const max = this.maxTime;
    let min = Infinity;
    // Monomorphic loops per input type: the batch path is meant for 10^6 timers.
    if (delays instanceof Float64Array) {
      for (let i = 0; i < n; i++) {
        const x = delays[i];
        const d = now + x;
        if (!(x >= 0 && d <= max)) this.badDelay(fn, i, x, d);
        deadlines[i] = d;
        if (d < min) min = d;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = delays[i];
        if (typeof x !== 'number') this.badDelay(fn, i, x, NaN); // before `now + x`, which throws for a BigInt
        const d = now + x;
        if (!(x >= 0 && d <= max)) this.badDelay(fn, i, x, d);
        deadlines[i] = d;
        if (d < min) min = d;
      }
    }
    const ids = new Float64Array(n);
    this.core.scheduleMany(deadlines, ids);
    if (n > 0 && ids[n - 1] < 0) {
      // Only retired node indices can exhaust the id space below the size check; undo the batch.
      this.core.cancelMany(ids, new Uint8Array(n));
      tooMany('scheduleMany');
    }
    let top = 0;
    for (let i = 0; i < n; i++) top = Math.max(top, nodeIndex(ids[i]));
    const slab = this.slabFor(top);
    for (let i = 0; i < n; i++) slab[nodeIndex(ids[i])] = items[i];
    if (min < this.aimAt && this.onExpire !== null) this.arm();
    return ids;
  }

  private badDelay(fn: string, i: number, x: unknown, d: number): never {
    if (typeof x !== 'number') typeError(fn, `delays[${i}]`, `must be a number; got ${describe(x)}`);
    if (!(x >= 0) || x === Infinity) rangeError(fn, `delays[${i}]`, `must be a finite number >= 0; got ${x}`);
    rangeError(fn, `delays[${i}]`, `puts the deadline at ${d}, beyond the largest time ${this.maxTime}`);
  }

  /** Cancels a pending timer; true if it was pending. O(1). A fired or cancelled id returns false. */
  cancel(id: number): boolean {
    this.live('cancel');
    const i = this.idArg('cancel', id);
    if (!this.core.cancel(i)) return false;
    this.slab[nodeIndex(i)] = undefined;
    return true;
  }

  /** `cancel` for each id in one crossing; out[i] = 1 where it cancelled a pending timer. */
  cancelMany(ids: Float64Array | readonly number[]): Uint8Array {
    this.live('cancelMany');
    let f: Float64Array;
    if (ids instanceof Float64Array) {
      // Checked and used as one snapshot: a shared buffer could change in between.
      f = ownCopy(realView('TimingWheel.cancelMany', 'ids', ids));
      batchLength('TimingWheel.cancelMany', 'ids', f);
      for (let i = 0; i < f.length; i++) {
        const x = f[i];
        if (!Number.isSafeInteger(x) || x < 0) rangeError('TimingWheel.cancelMany', `ids[${i}]`, `must be a non-negative integer (a timer id); got ${x}`);
      }
    } else {
      if (!Array.isArray(ids)) typeError('TimingWheel.cancelMany', 'ids', `must be a Float64Array or number[]; got ${describe(ids)}`);
      const n = batchLength('TimingWheel.cancelMany', 'ids', ids);
      if (n > 0) this.idArg('cancelMany', ids[0], 'ids[0]');
      f = new Float64Array(n);
      for (let i = 0; i < n; i++) f[i] = this.idArg('cancelMany', ids[i], `ids[${i}]`);
    }
    const out = new Uint8Array(f.length);
    this.core.cancelMany(f, out);
    for (let i = 0; i < f.length; i++) if (out[i] === 1) this.slab[nodeIndex(f[i])] = undefined;
    return out;
  }

  /** Moves a pending timer to `delayMs` after `now`, keeping its id and payload; true if it was pending. */
  reschedule(id: number, delayMs: number): boolean {
    this.live('reschedule');
    const i = this.idArg('reschedule', id);
    const d = this.deadlineOf('reschedule', delayMs);
    if (!this.core.reschedule(i, d)) return false;
    if (d < this.aimAt && this.onExpire !== null) this.arm();
    return true;
  }

  /**
   * Moves wheel time to `nowMs` (never backwards) and returns the payloads of
   * every timer with deadline <= nowMs, ordered by deadline then scheduling order.
   */
  advance(nowMs: number): P[] {
    this.live('advance');
    const now = this.timeArg('advance', nowMs, 'nowMs');
    if (now < this.nowMs) rangeError('TimingWheel.advance', 'nowMs', `must not go backwards: got ${now}, wheel is at ${this.nowMs}`);
    return this.collect(now);
  }

  private collect(now: number): P[] {
    const idx = this.core.advance(now);
    this.nowMs = now;
    const slab = this.slab;
    const out = new Array<P>(idx.length);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k];
      out[k] = slab[i] as P;
      slab[i] = undefined;
    }
    return out;
  }

  /** Earliest pending deadline in ms, or null when none (scans one slot). */
  nextDeadline(): number | null {
    this.live('nextDeadline');
    const d = this.core.nextDeadline();
    return d < 0 ? null : d;
  }

  /**
   * When `advance` next has work, or null when empty: the earliest deadline if
   * it sits in the finest level, else the start of the next coarse slot to
   * cascade (never later than the earliest deadline). For driving the wheel
   * from your own loop; O(levels + bitmap words + one finest slot).
   */
  nextWake(): number | null {
    this.live('nextWake');
    const d = this.core.nextWake();
    return d < 0 ? null : d;
  }

  /**
   * Drives the wheel from the event loop: one unref'd timer aimed at the
   * next non-empty slot (re-aimed when an earlier timer is scheduled), which
   * advances to the clock and calls `onExpire` for each expired payload in
   * order. The wheel first catches up to the clock; a clock behind the
   * wheel's `now` is treated as `now`. An error thrown by `onExpire` is
   * rethrown from the timer callback after the batch and re-arming.
   *
   * `onExpire` may call any method of the wheel (schedule, cancel, clear,
   * advance, stop, start…). Each wake expires one batch, as `advance` does:
   * every timer of the batch has left the wheel before the first callback
   * runs, so cancelling or rescheduling a later timer of the same batch
   * returns false and its callback still runs; a timer scheduled from a
   * callback, even one already due, fires on a later wake.
   */
  start(onExpire: (payload: P) => void): void {
    this.live('start');
    if (typeof onExpire !== 'function') typeError('TimingWheel.start', 'onExpire', `must be a function; got ${describe(onExpire)}`);
    if (this.onExpire !== null) throw new Error('hotpath.TimingWheel.start: already started; call stop() first');
    this.onExpire = onExpire;
    this.fire();
  }

  /** Stops {@link start}'s timer; pending timers stay and `advance` works as before. */
  stop(): void {
    this.onExpire = null;
    this.disarm();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.aimAt = Infinity;
  }

  private arm(): void {
    this.disarm();
    const wake = this.core.nextWake();
    if (wake < 0) return;
    this.aimAt = wake;
    const delay = Math.min(MAX_TIMEOUT, Math.max(0, wake - readClock('TimingWheel.start', this.clock)));
    const t = setTimeout(() => this.fire(), delay);
    (t as { unref?: () => void }).unref?.();
    this.timer = t;
  }

  private fire(): void {
    this.timer = null;
    const cb = this.onExpire;
    if (cb === null || this.disposed) return;
    const now = Math.min(this.maxTime, Math.max(this.nowMs, readClock('TimingWheel.start', this.clock)));
    const expired = this.collect(now);
    let error: unknown = null;
    let failed = false;
    for (const p of expired) {
      try {
        cb(p);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
    if (this.onExpire !== null && !this.disposed) this.arm();
    if (failed) throw error;
  }

  /** Cancels every timer and drops the payloads; time stays. */
  clear(): void {
    this.live('clear');
    this.core.clear();
    this.slab = [];
    if (this.onExpire !== null) this.arm();
  }

  /** Bytes of the index structure in its tier's memory (the JS payload slab not included). */
  memoryBytes(): number {
    this.live('memoryBytes');
    return this.core.memoryBytes();
  }

  /**
   * Structural invariants of the index; null when they hold, else what is broken.
   * @internal
   */
  check(): string | null {
    this.live('check');
    return this.core.check() || null;
  }

  /** Stops the driver and frees the index; any later call throws a TypeError. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.stop();
    this.disposed = true;
    coreRegistry.unregister(this);
    this.core.dispose();
    this.slab = [];
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
