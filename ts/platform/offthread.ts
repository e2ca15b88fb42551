// The worker pool behind the async helpers on the wasm and js tiers (and on
// native until its own async kernels exist), shared by Node (worker_threads,
// offthread-node.ts) and browsers (Web Workers, offthread-browser.ts); each
// platform supplies how to spawn a worker, how to yield and whether a
// SharedArrayBuffer can be used.
//
// A call is queued, then given to an idle worker: only then are its inputs
// staged (so at most one copy per worker exists at a time). A typed array on
// a SharedArrayBuffer goes as it is; any other typed array over 256 KiB is
// copied in 256 KiB slices with the JS thread yielding between them
// (structured clone of a 300 MB array would block it for ~100 ms, more
// under load). The slices travel in a few recycled buffers that the worker
// copies out and transfers back: the JS thread only copies into memory it
// already touched, and the destination's fresh pages (page faults cost ~5x
// the copy itself, measured in Chromium) are the worker's to fault in. The
// worker runs the sync public function on the tier the main thread chose
// and transfers the result back.
//
// Abort: a queued call leaves the queue; a call being staged stops staging;
// a call on a worker terminates that worker (nothing else can interrupt a
// running kernel) and the next call spawns a replacement. A worker that
// dies rejects its call and is replaced the same way.
import { RunInline, type OffThreadKernel, type OffThreadRunner } from '../api/offthread.js';
import { MAX_ARRAY_BYTES } from '../contract/errors.js';
import type { ModelConfig } from '../contract/model.js';
import type { TierName } from '../contract/types.js';
import type { WorkerReply, WorkerRequest, WireError } from './worker-core.js';

/** One worker as the pool drives it. */
export interface WorkerHandle {
  post(message: WorkerRequest, transfer: Transferable[]): void;
  terminate(): void;
  /** Lets an idle worker not keep the process alive (Node); no-op in browsers. */
  setBusy(busy: boolean): void;
}

/** What a platform tells the pool. */
export interface PoolHost {
  /** Workers at most. */
  size: number;
  /** Whether a worker spawned now can load `tier`. */
  supports(tier: TierName): boolean;
  /**
   * Changes when what a new worker would load changes (a browser's wasm
   * tier arrives with init()): idle workers of an older generation are
   * replaced. Default: always 0.
   */
  generation?(): number;
  spawn(onMessage: (m: WorkerReply) => void, onFailure: (e: Error) => void): WorkerHandle;
  /** Resolves on a later turn of the event loop, letting timers and I/O run. */
  yieldNow(): Promise<void>;
}

/** Bytes copied between yields: ~25-100 µs of memcpy. */
const SLICE_BYTES = 256 * 1024;
/** Slice buffers in flight per worker. */
const SLICE_BUFFERS = 8;
/** Elements of a number[] converted between yields. */
const SLICE_ELEMENTS = 32 * 1024;

interface Slot {
  handle: WorkerHandle;
  job: Job | null;
  models: Set<number>;
  dead: boolean;
  generation: number;
  /** Slice buffers back from the worker, and the stagers waiting for one. */
  spare: ArrayBuffer[];
  made: number;
  waiting: (() => void)[];
}

interface Job {
  kernel: string;
  request: (slot: Slot, id: number) => Promise<{ message: WorkerRequest; transfer: Transferable[] }>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  signal: AbortSignal | undefined;
  settled: boolean;
  slot: Slot | null;
  /** Posted to its worker (staging done). */
  posted: boolean;
  id: number;
}

type TypedArray = Float32Array | Float64Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array | Int8Array | Uint8ClampedArray | BigInt64Array | BigUint64Array;
const CTORS: Record<string, new (b: ArrayBufferLike, offset?: number, length?: number) => TypedArray> = {
  Float32Array, Float64Array, Uint32Array, Int32Array, Uint16Array, Int16Array, Uint8Array, Int8Array, Uint8ClampedArray, BigInt64Array, BigUint64Array,
};

function typedName(x: ArrayBufferView): string | null {
  for (const name of Object.keys(CTORS)) if (x instanceof CTORS[name]!) return name;
  return null;
}

/** An error as it crossed from the worker, rebuilt with its class and message. */
export function rebuildError(e: WireError): Error {
  if (e.name === 'RunInline') return new RunInline(e.message);
  const C = e.name === 'TypeError' ? TypeError : e.name === 'RangeError' ? RangeError : Error;
  const err = new C(e.message);
  if (C === Error && e.name !== 'Error') err.name = e.name;
  return err;
}

/** The pool; install it with setOffThreadRunner. */
export class WorkerPool implements OffThreadRunner {
  readonly #host: PoolHost;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #nextStage = 1;
  /** Why workers cannot start here (set by the first failure before any reply), else null. */
  #broken: string | null = null;
  #everReplied = false;

  constructor(host: PoolHost) {
    this.#host = host;
  }

  supports(tier: TierName): boolean {
    return this.#broken === null && this.#host.supports(tier);
  }

  /** Why workers cannot start here (the first one failed before it replied), else null. */
  get failure(): string | null {
    return this.#broken;
  }

  /** Workers alive now (for tests). */
  get workers(): number {
    return this.#slots.length;
  }

  call(tier: TierName, fn: OffThreadKernel, args: readonly unknown[], signal?: AbortSignal): Promise<unknown> {
    return this.#submit(fn, signal, async (slot, id) => {
      const transfer: Transferable[] = [];
      const staged: unknown[] = [];
      for (const a of args) staged.push(await this.#stage(slot, a, transfer, signal));
      return { message: { t: 'call', id, tier, fn, args: staged }, transfer };
    });
  }

  predict(model: number, tier: TierName, config: ModelConfig, x: Float32Array, batch: number, signal?: AbortSignal): Promise<Float32Array> {
    return this.#submit('DenseModel.predict', signal, async (slot, id) => {
      const transfer: Transferable[] = [];
      if (!slot.models.has(model)) {
        const weights = await this.#stage(slot, config.weights, transfer, signal);
        const biases = await this.#stage(slot, config.biases, transfer, signal);
        slot.handle.post({ t: 'model', model, tier, layers: config.layers.map((l) => ({ ...l })), weights, biases }, transfer.splice(0));
        slot.models.add(model);
      }
      const input = await this.#stage(slot, x, transfer, signal);
      return { message: { t: 'predict', id, model, x: input, batch }, transfer };
    }) as Promise<Float32Array>;
  }

  freeModel(model: number): void {
    for (const s of this.#slots) {
      if (s.models.delete(model)) s.handle.post({ t: 'free', model }, []);
    }
  }

  #submit(kernel: string, signal: AbortSignal | undefined, request: Job['request']): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const job: Job = { kernel, request, resolve, reject, signal, settled: false, slot: null, posted: false, id: this.#nextId++ };
      const settle = (ok: boolean, v: unknown): void => {
        if (job.settled) return;
        job.settled = true;
        signal?.removeEventListener('abort', onAbort);
        (ok ? resolve : reject)(v);
      };
      job.resolve = (v) => settle(true, v);
      job.reject = (e) => settle(false, e);
      const onAbort = (): void => {
        const slot = job.slot;
        job.reject(signal!.reason);
        const q = this.#queue.indexOf(job);
        if (q >= 0) this.#queue.splice(q, 1);
        // Only terminating stops a kernel mid-run; the next call spawns a
        // replacement. A call still staging stops at its next slice.
        if (slot !== null && slot.job === job && job.posted) this.#retire(slot);
        this.#pump();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  #pump(): void {
    const gen = this.#host.generation?.() ?? 0;
    for (const s of this.#slots.slice()) if (s.job === null && s.generation !== gen) this.#retire(s);
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.job === null && !s.dead);
      if (slot === undefined) {
        if (this.#slots.length >= this.#host.size) return;
        slot = this.#spawn();
      }
      const job = this.#queue.shift()!;
      this.#start(slot, job);
    }
  }

  #spawn(): Slot {
    const slot: Slot = { handle: null as unknown as WorkerHandle, job: null, models: new Set(), dead: false, generation: this.#host.generation?.() ?? 0, spare: [], made: 0, waiting: [] };
    slot.handle = this.#host.spawn(
      (m) => this.#onReply(slot, m),
      (e) => {
        if (slot.dead) return;
        if (!this.#everReplied) this.#broken = e.message;
        const job = slot.job;
        this.#retire(slot);
        if (this.#broken !== null) {
          // Workers cannot start here at all (no worker file, a CSP): this call and the queued ones run on the calling thread.
          for (const j of [...(job ? [job] : []), ...this.#queue.splice(0)]) j.reject(new RunInline(this.#broken));
        } else {
          job?.reject(new Error(`hotpath.${job.kernel}Async: the worker running the call failed: ${e.message}`, { cause: e }));
        }
        this.#pump();
      },
    );
    this.#slots.push(slot);
    return slot;
  }

  #retire(slot: Slot): void {
    slot.dead = true;
    slot.job = null;
    for (const w of slot.waiting.splice(0)) w();
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    slot.handle.terminate();
  }

  #start(slot: Slot, job: Job): void {
    slot.job = job;
    job.slot = slot;
    slot.handle.setBusy(true);
    job.request(slot, job.id).then(
      ({ message, transfer }) => {
        if (slot.dead) return;
        if (job.settled) {
          this.#free(slot);
          this.#pump();
          return;
        }
        job.posted = true;
        try {
          slot.handle.post(message, transfer);
        } catch (e) {
          // An argument structured clone refuses (DataCloneError): the sync call, inline, decides.
          this.#free(slot);
          job.reject(new RunInline((e as Error).message));
          this.#pump();
        }
      },
      (e: unknown) => {
        // Staging stopped: aborted (already rejected), or an argument that must run inline.
        if (slot.job === job) this.#free(slot);
        job.reject(e);
        this.#pump();
      },
    );
  }

  #free(slot: Slot): void {
    slot.job = null;
    slot.handle.setBusy(false);
    slot.handle.post({ t: 'drop' }, []);
  }

  #onReply(slot: Slot, m: WorkerReply): void {
    this.#everReplied = true;
    if (m.t === 'slice') {
      slot.spare.push(m.buffer);
      slot.waiting.shift()?.();
      return;
    }
    if (m.t !== 'done') return;
    const job = slot.job;
    if (job === null || job.id !== m.id) return;
    slot.job = null;
    slot.handle.setBusy(false);
    if (m.ok) job.resolve(m.value);
    else job.reject(rebuildError(m.error));
    this.#pump();
  }

  /** What to put in the message for argument `a`, copying large non-shared arrays in slices. */
  async #stage(slot: Slot, a: unknown, transfer: Transferable[], signal: AbortSignal | undefined): Promise<unknown> {
    if (Array.isArray(a)) return this.#stageNumbers(slot, a, transfer, signal);
    if (!ArrayBuffer.isView(a)) {
      if (a !== null && typeof a === 'object' && Object.getPrototypeOf(a) !== Object.prototype) throw new RunInline('not a plain object');
      return a;
    }
    const name = typedName(a);
    if (name === null) throw new RunInline('not a typed array');
    const view = a as TypedArray;
    if (typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer) return view;
    if (view.byteLength <= SLICE_BYTES) return view;
    const src = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const key = this.#nextStage++;
    slot.handle.post({ t: 'stage', key, bytes: view.byteLength }, []);
    for (let off = 0; off < src.length; off += SLICE_BYTES) {
      const buffer = await this.#sliceBuffer(slot, signal);
      const part = src.subarray(off, off + SLICE_BYTES);
      new Uint8Array(buffer).set(part);
      slot.handle.post({ t: 'chunk', key, offset: off, length: part.length, buffer }, [buffer]);
      await this.#pause(signal, slot);
    }
    return { $staged: key, type: name, length: view.length };
  }

  /** A number[] as the sync call would convert it (a Float64Array); anything else there runs inline, where the sync call names it. */
  async #stageNumbers(slot: Slot, a: readonly unknown[], transfer: Transferable[], signal: AbortSignal | undefined): Promise<unknown> {
    const n = a.length;
    // Past the API's cap (or what the engine gives) the sync call refuses it with a named RangeError: let it.
    if (n * Float64Array.BYTES_PER_ELEMENT > MAX_ARRAY_BYTES) throw new RunInline('larger than one call may allocate');
    let f: Float64Array;
    try {
      f = new Float64Array(n);
    } catch {
      throw new RunInline('the engine refused the conversion buffer');
    }
    for (let i = 0; i < n; i += SLICE_ELEMENTS) {
      const end = Math.min(n, i + SLICE_ELEMENTS);
      for (let j = i; j < end; j++) {
        const v = a[j];
        if (typeof v !== 'number') throw new RunInline('non-number element');
        f[j] = v;
      }
      if (end < n) await this.#pause(signal, slot);
    }
    return n * 8 > SLICE_BYTES ? this.#stage(slot, f, transfer, signal) : f;
  }

  /** A slice buffer: a spare one, a new one while fewer than SLICE_BUFFERS exist, else the next one the worker sends back. */
  async #sliceBuffer(slot: Slot, signal: AbortSignal | undefined): Promise<ArrayBuffer> {
    for (;;) {
      const b = slot.spare.pop();
      if (b !== undefined) return b;
      if (slot.made < SLICE_BUFFERS) {
        slot.made++;
        return new ArrayBuffer(SLICE_BYTES);
      }
      await new Promise<void>((r) => slot.waiting.push(r));
      if (signal?.aborted || slot.dead) throw signal?.reason ?? new Error('worker gone');
    }
  }

  async #pause(signal: AbortSignal | undefined, slot: Slot): Promise<void> {
    await this.#host.yieldNow();
    if (signal?.aborted || slot.dead) throw signal?.reason ?? new Error('worker gone');
  }
}
