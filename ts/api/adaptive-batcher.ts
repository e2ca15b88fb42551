// AdaptiveBatcher: per-request calls in, batch kernel calls out, and only as
// large a batch as pays. The policy (./batch-policy.ts) picks the size; this
// file owns the queue, the one timer, error isolation, backpressure, abort
// and drain. No Node-only API: it runs the same in browsers.
import { checkFunction, checkKnownKeys, checkOptions, describe, quoted, rangeError, typeError } from '../contract/errors.js';
import { AimdPolicy, FixedPolicy, UcbPolicy, type BatchArmStats, type BatchPolicy } from './batch-policy.js';
import { QuantileSketch } from './quantile-sketch.js';
import { readClock } from './timing-wheel.js';

export type { BatchArmStats, BatchObservation, BatchPolicy } from './batch-policy.js';

/** Options of {@link AdaptiveBatcher}. */
export interface AdaptiveBatcherOptions<I, R> {
  /** Runs one batch: one result per item, in order (an array or array-like), or a promise of them. */
  run: (items: I[]) => ArrayLike<R> | PromiseLike<ArrayLike<R>>;
  /**
   * Runs one item alone, for batches of size 1 (e.g. `riskScore` where `run` calls
   * `riskScoreBatch`). Default: `run([item])[0]`.
   */
  runOne?: (item: I) => R | PromiseLike<R>;
  /** Largest batch, 1..65536 (default 256). The bandit's arms are 1, 2, 4, … maxBatch. */
  maxBatch?: number;
  /** Latency objective for the 99th percentile of submit-to-result, in ms (default 10). */
  targetP99Ms?: number;
  /** Items that may wait for a batch (default 10 000, at most 2^32 − 1). */
  maxQueue?: number;
  /** `'ucb'` (default), `'aimd'` or `{ fixed: n }`. */
  policy?: 'ucb' | 'aimd' | { fixed: number };
  /** What `submit` does when `maxQueue` items wait: `'reject'` (default, a RangeError at once) or `'wait'` for room. */
  onFull?: 'reject' | 'wait';
  /** Batches that may run at once when `run` is asynchronous (default 1, at most 1024). */
  concurrency?: number;
  /**
   * When `run` throws or rejects for a batch of several items: `'bisect'`
   * (default) reruns halves until the failing items are alone, `'each'` reruns
   * every item alone, `'none'` gives every item of the batch the error. Only
   * the items that fail alone get their error; the rest get results.
   */
  isolateErrors?: 'bisect' | 'each' | 'none';
  /** Clock in ms (default `performance.now`); read once at construction to check it. A later reading behind the last, or a bad one, counts as the last. */
  clock?: () => number;
}

/** Options of {@link AdaptiveBatcher.submit}. */
export interface SubmitOptions {
  /** Aborting it removes a queued item, which rejects with the signal's reason. An item already running completes. */
  signal?: AbortSignal;
  /** Overrides the batcher's `onFull` for this item. */
  onFull?: 'reject' | 'wait';
}

/** What {@link AdaptiveBatcher.stats} returns. */
export interface AdaptiveBatcherStats {
  /** Items that got a result or their own error. */
  items: number;
  /** Batches run (reruns that isolate errors not included). */
  batches: number;
  /** Submits refused: queue full with `onFull: 'reject'`, or after `close()`. */
  rejected: number;
  /** Reruns made to isolate failing items. */
  retries: number;
  /** Items waiting for a batch now (and for room, with `onFull: 'wait'`). */
  queued: number;
  /** Batches running now. */
  inFlight: number;
  /** Items per batch, over the batches run. */
  batchSize: { p50: number; p99: number; mean: number };
  /** Submit-to-result latency of the items, in ms (a QuantileSketch, 1% relative accuracy); NaN before the first. */
  latencyMs: { p50: number; p99: number; max: number };
  /** The policy's arms. */
  arms: BatchArmStats[];
}

const enum State {
  Queued,
  Waiting,
  Running,
  Settled,
}

interface Entry<I, R> {
  readonly item: I;
  readonly t: number;
  state: State;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Largest maxBatch: the size histogram is one Uint32Array of maxBatch + 1. */
const MAX_BATCH_SIZE = 65_536;
/**
 * A size-1 run that the policy keeps choosing is timed (and the policy asked
 * again) once per at most this many items, and at least once per
 * INLINE_BUDGET_MS of untimed runs: two clock reads are ~150 ns, nothing
 * beside a 50 µs share of work, while a slow kernel gets a decision per item.
 */
const INLINE_SAMPLE = 256;
const INLINE_BUDGET_MS = 0.05;
/**
 * What a queued item costs that no clock reading inside the batcher sees (its
 * promise's continuation, the garbage its entry leaves), beyond what a size-1
 * run costs: ~150 ns measured on a 2-vCPU Xeon with Node 20 (420 ns per item
 * through the queue against 200 ns inline, for the same kernel work, while the
 * spans differed by 50 ns). Charged in each batch's span, so a kernel that
 * saves less than this per item by batching is not batched.
 */
const QUEUE_COST_MS = 0.00015;
const KEYS = ['run', 'runOne', 'maxBatch', 'targetP99Ms', 'maxQueue', 'policy', 'onFull', 'concurrency', 'isolateErrors', 'clock'] as const;
/** Option names of other batching libraries, and the one meant here. @internal */
export const BATCHER_RENAMES: Readonly<Record<string, string>> = {
  maxBatchSize: 'maxBatch',
  batchSize: 'maxBatch',
  maxSize: 'maxBatch',
  batchLoadFn: 'run',
  batch: 'run',
  fn: 'run',
  handler: 'run',
  maxLatencyMs: 'targetP99Ms',
  targetLatencyMs: 'targetP99Ms',
  timeoutMs: 'targetP99Ms',
  sloMs: 'targetP99Ms',
  maxPending: 'maxQueue',
  queueSize: 'maxQueue',
  parallelism: 'concurrency',
};

const NAME = 'AdaptiveBatcher';

/**
 * Options key under which a ready-made batcher gives its own name for messages
 * (`hotpath.riskBatcher: …`, `hotpath.riskBatcher.submit: …`).
 * @internal
 */
export const BATCHER_NAME: unique symbol = Symbol('hotpath.batcherName');

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as PromiseLike<unknown>).then === 'function';
}

function checkSignal(fn: string, arg: string, x: unknown): AbortSignal | undefined {
  if (x === undefined) return undefined;
  const s = x as AbortSignal;
  if (x === null || typeof x !== 'object' || typeof s.addEventListener !== 'function' || typeof s.removeEventListener !== 'function' || typeof s.aborted !== 'boolean') {
    typeError(fn, arg, `must be an AbortSignal; got ${describe(x)}`);
  }
  return x as AbortSignal;
}

function checkOnFull(fn: string, arg: string, x: unknown): 'reject' | 'wait' | undefined {
  if (x === undefined || x === 'reject' || x === 'wait') return x;
  return rangeError(fn, arg, `must be 'reject' or 'wait'; got ${quoted(x)}`);
}

function checkInt(fn: string, arg: string, x: unknown, min: number, max: number): number {
  if (typeof x !== 'number') typeError(fn, arg, `must be a number; got ${describe(x)}`);
  if (!Number.isInteger(x) || x < min || x > max) rangeError(fn, arg, `must be an integer in [${min}, ${max}]; got ${x}`);
  return x;
}

/**
 * Gathers single requests into batches for a batch kernel, sizing the
 * batches by what the kernel gains from them.
 *
 * - `policy: 'ucb'` (default) is a discounted UCB bandit over the sizes 1, 2,
 *   4, … maxBatch. Its reward is the throughput a batch delivered counting the
 *   time its items waited (items / the oldest item's latency), cut when more
 *   than 1% of an arm's items exceed `targetP99Ms` (that arm's p99 is over the
 *   target). Size 1 runs an item inside `submit`, so a kernel that gains
 *   nothing from batching converges to direct calls. `'aimd'` is Clipper's
 *   additive-increase / multiplicative-decrease; `{ fixed: n }` a constant.
 * - A batch runs when it has the chosen size, or when its oldest item has
 *   waited half of what the target leaves after the predicted (EWMA) service time.
 * - A batch whose `run` fails is bisected (see `isolateErrors`): only the
 *   items that fail alone get the error. A result of the wrong length rejects
 *   that batch's items with a TypeError naming `options.run`.
 * - At most `maxQueue` items wait; `concurrency` batches run at once.
 * - Re-entrant: `run` may call `submit` (the item joins the queue).
 *
 * @example
 * const b = new AdaptiveBatcher({ run: (qs) => scoreAll(qs), maxBatch: 64, targetP99Ms: 5 });
 * const score = await b.submit(query);
 * await b.close();
 */
export class AdaptiveBatcher<I, R> {
  readonly #run: (items: I[]) => ArrayLike<R> | PromiseLike<ArrayLike<R>>;
  readonly #runOne: ((item: I) => R | PromiseLike<R>) | undefined;
  readonly #policy: BatchPolicy;
  readonly #target: number;
  readonly #maxQueue: number;
  readonly #onFull: 'reject' | 'wait';
  readonly #concurrency: number;
  readonly #isolate: 'bisect' | 'each' | 'none';
  readonly #clock: (() => number) | undefined;
  /** Name in messages: AdaptiveBatcher, or the ready-made batcher's. */
  readonly #name: string;
  #last = 0;

  /** Queue of entries from #head; cancelled ones stay as holes until they reach the head. */
  #queue: (Entry<I, R> | undefined)[] = [];
  #head = 0;
  #queued = 0;
  #waiting: (Entry<I, R> | undefined)[] = [];
  #waitHead = 0;
  #waitingCount = 0;

  #inflight = 0;
  /** Size the gathering batch aims at; 0 when no batch is gathering. */
  #size = 0;
  #due = 0;
  /** The gathering batch's timer fired: run it at the next pump. */
  #overdue = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Infinity;
  #inlineLeft = 0;
  /** Items run by the size-1 path (each one batch); counted apart to keep that path short. */
  #inlineRuns = 0;
  /** Size-1 runs per timed one, as last set from the kernel's time. */
  #inlineGap = 1;
  #closed = false;
  #drained: (() => void)[] = [];

  #items = 0;
  #batches = 0;
  #rejected = 0;
  #retries = 0;
  readonly #sizes: Uint32Array;
  readonly #latency = new QuantileSketch({ relativeAccuracy: 0.01, backend: 'js' });

  /** Largest batch this batcher runs. */
  readonly maxBatch: number;

  /**
   * @throws TypeError / RangeError naming the option (`hotpath.AdaptiveBatcher: options.…`), unknown options included.
   */
  constructor(options: AdaptiveBatcherOptions<I, R>) {
    if (options === undefined) typeError(NAME, 'options', 'must be an object with a run function; got undefined');
    const o = checkOptions<AdaptiveBatcherOptions<I, R>>(NAME, options);
    const own = (o as { [BATCHER_NAME]?: unknown })[BATCHER_NAME];
    this.#name = typeof own === 'string' ? own : NAME;
    checkKnownKeys(this.#name, 'options', o, KEYS, BATCHER_RENAMES);
    const run = checkFunction<(items: I[]) => ArrayLike<R>>(this.#name, 'options.run', o.run);
    if (run === undefined) typeError(this.#name, 'options.run', 'must be a function; got undefined');
    this.#run = run;
    this.#runOne = checkFunction<(item: I) => R>(this.#name, 'options.runOne', o.runOne);
    this.maxBatch = o.maxBatch === undefined ? 256 : checkInt(this.#name, 'options.maxBatch', o.maxBatch, 1, MAX_BATCH_SIZE);
    const target = o.targetP99Ms ?? 10;
    if (typeof target !== 'number') typeError(this.#name, 'options.targetP99Ms', `must be a number; got ${describe(target)}`);
    if (!(target > 0) || !Number.isFinite(target)) rangeError(this.#name, 'options.targetP99Ms', `must be finite and > 0; got ${target}`);
    this.#target = target;
    this.#maxQueue = o.maxQueue === undefined ? 10_000 : checkInt(this.#name, 'options.maxQueue', o.maxQueue, 1, 0xffff_ffff);
    this.#onFull = checkOnFull(this.#name, 'options.onFull', o.onFull) ?? 'reject';
    this.#concurrency = o.concurrency === undefined ? 1 : checkInt(this.#name, 'options.concurrency', o.concurrency, 1, 1024);
    const iso = o.isolateErrors ?? 'bisect';
    if (iso !== 'bisect' && iso !== 'each' && iso !== 'none') rangeError(this.#name, 'options.isolateErrors', `must be 'bisect', 'each' or 'none'; got ${quoted(iso)}`);
    this.#isolate = iso;
    this.#clock = checkFunction<() => number>(this.#name, 'options.clock', o.clock);
    if (this.#clock !== undefined) this.#last = readClock(this.#name, this.#clock);
    this.#policy = this.#policyOf(o.policy);
    this.#sizes = new Uint32Array(this.maxBatch + 1);
  }

  #policyOf(p: unknown): BatchPolicy {
    if (p === undefined || p === 'ucb') return new UcbPolicy(this.maxBatch, this.#target);
    if (p === 'aimd') return new AimdPolicy(this.maxBatch, this.#target);
    if (p !== null && typeof p === 'object' && !Array.isArray(p)) {
      checkKnownKeys(this.#name, 'options.policy', p, ['fixed'], {});
      const n = checkInt(this.#name, 'options.policy.fixed', (p as { fixed: unknown }).fixed, 1, this.maxBatch);
      return new FixedPolicy(this.maxBatch, this.#target, n);
    }
    return rangeError(this.#name, 'options.policy', `must be 'ucb', 'aimd' or { fixed: n }; got ${quoted(p)}`);
  }

  #now(): number {
    if (this.#clock === undefined) return performance.now();
    let t: number;
    try {
      t = readClock(this.#name, this.#clock);
    } catch {
      // Read from a timer or a completion, where no caller could catch it: a bad reading counts as the last good one.
      return this.#last;
    }
    return t > this.#last ? (this.#last = t) : this.#last;
  }

  /**
   * Queues one item; resolves with its result (or rejects with its own error)
   * once its batch ran.
   * @throws never: bad options, a full queue (RangeError) and a closed batcher reject the promise, by name.
   */
  submit(item: I, options?: SubmitOptions): Promise<R> {
    // Fast path: the policy chose size 1 and nothing waits, so the item runs
    // here, untimed (see INLINE_SAMPLE for which ones are timed and ask the policy again).
    // #inlineLeft is 0 whenever an item waits, a batch fills the concurrency or the batcher closed.
    // Kept small so the engine inlines it into the caller; the rest is #enqueue.
    return this.#inlineLeft > 0 && options === undefined && this.#runOne !== undefined ? this.#runFast(item) : this.#enqueue(item, options);
  }

  #runFast(item: I): Promise<R> {
    const left = this.#inlineLeft;
    // 0 while runOne runs: a submit from inside it queues instead of nesting.
    this.#inlineLeft = 0;
    this.#inflight++;
    let out: R | PromiseLike<R>;
    try {
      out = this.#runOne!(item);
    } catch (err) {
      this.#inlineEnd(left - 1);
      return Promise.reject(err);
    }
    if (!isThenable(out)) {
      this.#inlineEnd(left - 1);
      return Promise.resolve(out);
    }
    this.#inflight--;
    return this.#inlineAsync(out, -1);
  }

  #enqueue(item: I, options: SubmitOptions | undefined): Promise<R> {
    const left = this.#inlineLeft;
    let signal: AbortSignal | undefined;
    let onFull = this.#onFull;
    if (options !== undefined) {
      try {
        const o = checkOptions<SubmitOptions>(`${this.#name}.submit`, options);
        checkKnownKeys(`${this.#name}.submit`, 'options', o, ['signal', 'onFull'], {});
        signal = checkSignal(`${this.#name}.submit`, 'options.signal', o.signal);
        onFull = checkOnFull(`${this.#name}.submit`, 'options.onFull', o.onFull) ?? onFull;
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (this.#closed) {
      this.#rejected++;
      return Promise.reject(new Error(`hotpath.${this.#name}.submit: the batcher is closed`));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    // Idle: the policy picks the size of the batch this item starts; size 1 runs it here.
    if (this.#queued === 0 && this.#waitingCount === 0 && this.#inflight < this.#concurrency) {
      if (left > 0) {
        this.#inlineLeft = left - 1;
        return this.#runInline(item, -1);
      }
      const size = this.#policy.next();
      if (size <= 1) {
        this.#inlineLeft = 0;
        return this.#runInline(item, this.#now());
      }
      this.#size = size;
    }
    this.#inlineLeft = 0;
    const full = this.#queued >= this.#maxQueue;
    if (full && onFull === 'reject') {
      this.#rejected++;
      return Promise.reject(new RangeError(`hotpath.${this.#name}.submit: the queue is full (options.maxQueue ${this.#maxQueue} items wait)`));
    }
    const now = this.#now();
    let resolve!: (r: R) => void;
    let reject!: (e: unknown) => void;
    const p = new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const e: Entry<I, R> = { item, t: now, state: full ? State.Waiting : State.Queued, resolve, reject, signal, onAbort: undefined };
    if (signal !== undefined) {
      e.onAbort = () => this.#abort(e);
      signal.addEventListener('abort', e.onAbort, { once: true });
    }
    if (full) {
      this.#waiting.push(e);
      this.#waitingCount++;
      return p;
    }
    this.#queue.push(e);
    if (this.#queued++ === 0 && this.#size === 0 && this.#inflight < this.#concurrency) this.#size = this.#policy.next();
    this.#pump(now);
    return p;
  }

  /** After a fast-path run: counts it, keeps the fast path if nothing queued meanwhile, else runs what did. */
  #inlineEnd(left: number): void {
    this.#inflight--;
    this.#inlineRuns++;
    if (this.#queued === 0 && this.#waitingCount === 0 && !this.#closed) this.#inlineLeft = left;
    else this.#pump(this.#now());
  }

  /** A size-1 run inside submit; `t0` < 0 means not timed. */
  #runInline(item: I, t0: number): Promise<R> {
    const left = this.#inlineLeft;
    this.#inlineLeft = 0;
    this.#inflight++;
    let out: R | PromiseLike<R>;
    try {
      if (this.#runOne !== undefined) out = this.#runOne(item);
      else {
        const r = this.#run([item]);
        out = isThenable(r) ? (r as PromiseLike<ArrayLike<R>>).then((v) => this.#single(v)) : this.#single(r as ArrayLike<R>);
      }
    } catch (err) {
      this.#inlineDone(t0, left);
      return Promise.reject(err);
    }
    if (isThenable(out)) {
      this.#inflight--;
      return this.#inlineAsync(out, t0);
    }
    this.#inlineDone(t0, left);
    return Promise.resolve(out);
  }

  /** An asynchronous size-1 run: holds a slot until it settles; no fast path meanwhile. */
  #inlineAsync(out: PromiseLike<R>, t0: number): Promise<R> {
    this.#inflight++;
    return Promise.resolve(out).then(
      (v) => {
        this.#inlineDone(t0, 0);
        return v;
      },
      (err: unknown) => {
        this.#inlineDone(t0, 0);
        throw err;
      },
    );
  }

  #single(r: ArrayLike<R>): R {
    if (r === null || typeof r !== 'object' || r.length !== 1) this.#badLength(r, 1);
    return r[0]!;
  }

  #inlineDone(t0: number, left: number): void {
    if (t0 >= 0) {
      const ms = this.#now() - t0;
      // This sample stands for itself and the untimed runs before it.
      this.#latency.record(ms, this.#inlineGap);
      this.#policy.observe({ size: 1, items: 1, serviceMs: ms, spanMs: ms, overTarget: ms > this.#target ? 1 : 0 });
      this.#inlineGap = ms > 0 ? Math.max(1, Math.min(INLINE_SAMPLE, Math.floor(INLINE_BUDGET_MS / ms))) : INLINE_SAMPLE;
      left = this.#inlineGap - 1;
    }
    this.#inlineEnd(left);
  }

  #badLength(r: unknown, n: number): never {
    const got = r !== null && typeof r === 'object' && typeof (r as ArrayLike<unknown>).length === 'number' ? `${(r as ArrayLike<unknown>).length} results` : describe(r);
    return typeError(this.#name, 'options.run', `returned ${got} for a batch of ${n} item${n === 1 ? '' : 's'}; it must return one result per item, in order`);
  }

  /** Runs what is due, arms the timer for what is not. */
  #pump(now: number): void {
    while (this.#inflight < this.#concurrency && this.#queued > 0) {
      if (this.#size === 0) this.#size = this.#policy.next();
      const size = this.#size;
      // A full queue cannot grow, and a closing batcher does not wait.
      if (this.#queued < size && this.#queued < this.#maxQueue && !this.#closed) {
        if (this.#due === 0) this.#due = this.#oldest().t + this.#policy.waitMs(size);
        if (now < this.#due && !this.#overdue) {
          this.#arm(now);
          return;
        }
      }
      this.#dispatch(Math.min(size, this.#queued), size);
      now = this.#now();
    }
    if (this.#closed) this.#checkDrained();
  }

  #oldest(): Entry<I, R> {
    const q = this.#queue;
    let h = this.#head;
    while (q[h] === undefined || q[h]!.state !== State.Queued) h++;
    this.#head = h;
    return q[h]!;
  }

  /**
   * One timer at most: it is re-armed only when the gathering batch is due
   * before it fires. When it fires for the gathering batch's deadline, that
   * batch is overdue whatever the clock says (a user clock need not advance
   * with real time; waiting for it could wait forever).
   */
  #arm(now: number): void {
    if (this.#timer !== undefined) {
      if (this.#timerDue <= this.#due) return;
      clearTimeout(this.#timer);
    }
    this.#armIn(this.#due - now);
  }

  #armIn(ms: number): void {
    this.#timerDue = this.#due;
    this.#timer = setTimeout(() => {
      const firedFor = this.#timerDue;
      this.#timer = undefined;
      this.#timerDue = Infinity;
      if (this.#due === 0 || this.#queued === 0) return;
      if (firedFor >= this.#due) this.#overdue = true;
      // Armed for an earlier batch that filled in time: wait out the rest of this one's deadline.
      else return this.#armIn(this.#due - firedFor);
      this.#pump(this.#now());
    }, Math.max(0, ms));
  }

  #take(n: number): Entry<I, R>[] {
    const out: Entry<I, R>[] = [];
    const q = this.#queue;
    let h = this.#head;
    while (out.length < n) {
      const e = q[h];
      q[h++] = undefined;
      if (e === undefined || e.state !== State.Queued) continue;
      e.state = State.Running;
      if (e.onAbort !== undefined) e.signal!.removeEventListener('abort', e.onAbort);
      out.push(e);
    }
    this.#queued -= n;
    if (h === q.length) {
      this.#queue = [];
      h = 0;
    } else if (h > 1024 && h * 2 > q.length) {
      this.#queue = q.slice(h);
      h = 0;
    }
    this.#head = h;
    this.#admit();
    return out;
  }

  /** Moves waiting items into the queue while it has room. */
  #admit(): void {
    const w = this.#waiting;
    while (this.#waitingCount > 0 && this.#queued < this.#maxQueue) {
      const e = w[this.#waitHead];
      w[this.#waitHead++] = undefined;
      if (e === undefined || e.state !== State.Waiting) continue;
      e.state = State.Queued;
      this.#waitingCount--;
      this.#queue.push(e);
      this.#queued++;
    }
    if (this.#waitHead === w.length) {
      this.#waiting = [];
      this.#waitHead = 0;
    }
  }

  #abort(e: Entry<I, R>): void {
    if (e.state === State.Queued) this.#queued--;
    else if (e.state === State.Waiting) this.#waitingCount--;
    else return;
    e.state = State.Settled;
    e.reject(e.signal!.reason);
    if (this.#queued === 0) {
      this.#size = 0;
      this.#due = 0;
      this.#overdue = false;
    }
    if (this.#closed) this.#checkDrained();
  }

  #dispatch(n: number, size: number): void {
    const batch = this.#take(n);
    this.#size = 0;
    this.#due = 0;
    this.#overdue = false;
    this.#inflight++;
    const items = batch.map((e) => e.item);
    const t0 = this.#now();
    let out: ArrayLike<R> | PromiseLike<ArrayLike<R>>;
    try {
      if (n === 1 && this.#runOne !== undefined) {
        const one = this.#runOne(items[0]!);
        out = isThenable(one) ? Promise.resolve(one).then((v) => [v]) : [one];
      } else out = this.#run(items);
    } catch (err) {
      this.#failed(batch, err);
      return;
    }
    if (isThenable(out)) {
      out.then(
        (r) => {
          this.#finish(batch, r, size, t0);
          this.#pump(this.#now());
        },
        (err: unknown) => this.#failed(batch, err),
      );
    } else this.#finish(batch, out, size, t0);
  }

  #finish(batch: Entry<I, R>[], out: ArrayLike<R>, size: number, t0: number): void {
    const t1 = this.#now();
    this.#inflight--;
    const n = batch.length;
    let results: R[];
    try {
      if (out === null || typeof out !== 'object' || out.length !== n) this.#badLength(out, n);
      results = Array.from(out);
    } catch (err) {
      for (const e of batch) this.#settle(e, err, false);
      return;
    }
    let over = 0;
    for (let i = 0; i < n; i++) {
      const e = batch[i]!;
      const ms = t1 - e.t;
      if (ms > this.#target) over++;
      this.#latency.record(ms);
      this.#settle(e, results[i], true);
    }
    this.#batches++;
    this.#sizes[n]!++;
    this.#policy.observe({ size, items: n, serviceMs: t1 - t0, spanMs: t1 - batch[0]!.t + n * QUEUE_COST_MS, overTarget: over });
  }

  #settle(e: Entry<I, R>, v: unknown, ok: boolean): void {
    e.state = State.Settled;
    this.#items++;
    if (ok) e.resolve(v as R);
    else e.reject(v);
  }

  /** A batch's run failed: isolate the failing items, keeping the batch's slot until done. */
  #failed(batch: Entry<I, R>[], err: unknown): void {
    this.#batches++;
    this.#sizes[batch.length]!++;
    const done = (): void => {
      this.#inflight--;
      this.#pump(this.#now());
    };
    if (batch.length === 1 || this.#isolate === 'none') {
      for (const e of batch) this.#settle(e, err, false);
      done();
      return;
    }
    const parts = this.#isolate === 'each' ? batch.map((e) => [e]) : [batch.slice(0, batch.length >> 1), batch.slice(batch.length >> 1)];
    void Promise.all(parts.map((p) => this.#retry(p))).then(done);
  }

  /** Reruns `part`; splits it again on failure until single items carry their own errors. */
  async #retry(part: Entry<I, R>[]): Promise<void> {
    this.#retries++;
    let out: ArrayLike<R>;
    try {
      // Alone, an item runs as a size-1 batch does (runOne's errors are the single-call kernel's).
      out = part.length === 1 && this.#runOne !== undefined ? [await this.#runOne(part[0]!.item)] : await this.#run(part.map((e) => e.item));
    } catch (err) {
      if (part.length === 1) {
        this.#settle(part[0]!, err, false);
        return;
      }
      const h = part.length >> 1;
      await this.#retry(part.slice(0, h));
      await this.#retry(part.slice(h));
      return;
    }
    try {
      if (out === null || typeof out !== 'object' || out.length !== part.length) this.#badLength(out, part.length);
      const results = Array.from(out);
      part.forEach((e, i) => this.#settle(e, results[i], true));
    } catch (e2) {
      for (const e of part) this.#settle(e, e2, false);
    }
  }

  #checkDrained(): void {
    if (this.#queued > 0 || this.#waitingCount > 0 || this.#inflight > 0) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerDue = Infinity;
    }
    const d = this.#drained;
    this.#drained = [];
    for (const f of d) f();
  }

  /**
   * Stops taking items and runs every queued one without waiting for batches
   * to fill; resolves once every item has its result. Later submits reject
   * with an Error naming `AdaptiveBatcher.submit`.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#inlineLeft = 0;
    const p = new Promise<void>((res) => this.#drained.push(res));
    this.#admit();
    this.#pump(this.#now());
    this.#checkDrained();
    return p;
  }

  /** `await using b = new AdaptiveBatcher(…)` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Counts, batch sizes, latency percentiles and the policy's arms. */
  stats(): AdaptiveBatcherStats {
    const sizes = this.#sizes;
    sizes[1]! += this.#inlineRuns;
    this.#items += this.#inlineRuns;
    this.#batches += this.#inlineRuns;
    this.#inlineRuns = 0;
    let batches = 0;
    let items = 0;
    for (let s = 1; s < sizes.length; s++) {
      batches += sizes[s]!;
      items += s * sizes[s]!;
    }
    const rank = (q: number): number => {
      if (batches === 0) return NaN;
      const want = Math.max(1, Math.ceil(q * batches));
      let seen = 0;
      for (let s = 1; s < sizes.length; s++) if ((seen += sizes[s]!) >= want) return s;
      return sizes.length - 1;
    };
    const lat = this.#latency;
    const none = lat.count === 0;
    return {
      items: this.#items,
      batches: this.#batches,
      rejected: this.#rejected,
      retries: this.#retries,
      queued: this.#queued + this.#waitingCount,
      inFlight: this.#inflight,
      batchSize: { p50: rank(0.5), p99: rank(0.99), mean: batches === 0 ? NaN : items / batches },
      latencyMs: { p50: none ? NaN : lat.quantile(0.5), p99: none ? NaN : lat.quantile(0.99), max: none ? NaN : lat.max },
      arms: this.#policy.arms(),
    };
  }
}
