// The async helpers' worker pool in browsers: Web Workers running the
// self-contained bundle of worker-browser.ts (built by
// scripts/build-worker.mjs), as many as navigator.hardwareConcurrency less
// one, at least one, at most 8. Inputs already on a SharedArrayBuffer
// (crossOriginIsolated pages) go as they are, others in transferred slices.
// A worker loads the wasm build the page loaded: by its URL, or the source
// an entry handed over with setWorkerWasm (bytes or a compiled module, e.g.
// hotpath/inline's); without either the wasm tier's calls run inline.
import { setOffThreadRunner } from '../api/offthread.js';
import type { TierName } from '../contract/types.js';
import { dispatchInfo } from '../dispatch/dispatch.js';
import type { WasmSource } from '../tiers/wasm/instantiate.js';
import { WorkerPool, type PoolHost, type WorkerHandle } from './offthread.js';
import type { BrowserWorkerInit } from './worker-browser.js';
import type { WorkerReply } from './worker-core.js';

let wasmForWorkers: { source: WasmSource; label: string } | null = null;
let generation = 0;

/**
 * The wasm source workers load (what init() loaded, when that is not a URL a
 * worker can fetch: bytes, a `WebAssembly.Module`). @internal
 */
export function setWorkerWasm(source: WasmSource, label: string): void {
  wasmForWorkers = { source, label };
  generation++;
}

/** What a worker spawned now should load: the given source, else the page's wasm URL. */
function workerWasm(): { source: WasmSource; label: string } | null {
  const st = dispatchInfo().tiers.wasm;
  if (!st.loaded) return null;
  if (wasmForWorkers !== null) return wasmForWorkers;
  if (st.path !== null && /^(https?|blob|data|file):/.test(st.path)) return { source: st.path, label: st.path };
  return null;
}

/** A later turn of the event loop without setTimeout's 4 ms clamp. */
function yielder(): () => Promise<void> {
  const ch = new MessageChannel();
  const waiting: (() => void)[] = [];
  ch.port1.onmessage = () => waiting.shift()?.();
  return () => new Promise<void>((r) => {
    waiting.push(r);
    ch.port2.postMessage(0);
  });
}

/**
 * Installs the pool; `spawn` makes one worker (offthread-browser.ts: the file
 * beside the package's JS; offthread-inline.ts: a Blob URL of the same code).
 * Does nothing where there is no `Worker`.
 * @internal
 */
export function installWorkerPool(spawn: () => Worker): WorkerPool | null {
  if (typeof Worker !== 'function' || typeof MessageChannel !== 'function') return null;
  let lastPath: string | null = null;
  const host: PoolHost = {
    size: Math.min(8, Math.max(1, ((globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2) - 1)),
    supports: (tier: TierName) => tier === 'js' || (tier === 'wasm' && workerWasm() !== null),
    generation: () => {
      const path = dispatchInfo().tiers.wasm.path;
      if (path !== lastPath) {
        lastPath = path;
        generation++;
      }
      return generation;
    },
    spawn(onMessage: (m: WorkerReply) => void, onFailure: (e: Error) => void): WorkerHandle {
      let w: Worker;
      try {
        w = spawn();
      } catch (e) {
        queueMicrotask(() => onFailure(e as Error));
        return { post: () => {}, terminate: () => {}, setBusy: () => {} };
      }
      w.onmessage = (ev) => onMessage(ev.data as WorkerReply);
      w.onerror = (ev) => {
        ev.preventDefault();
        onFailure(new Error(ev.message || 'the worker script did not load'));
      };
      w.onmessageerror = () => onFailure(new Error('a message could not be deserialised'));
      const wasm = workerWasm();
      w.postMessage({ t: 'init', wasm: wasm?.source ?? null, label: wasm?.label ?? '' } satisfies BrowserWorkerInit);
      return {
        post: (m, transfer) => w.postMessage(m, transfer),
        terminate: () => w.terminate(),
        setBusy: () => {},
      };
    },
    yieldNow: yielder(),
  };
  const pool = new WorkerPool(host);
  setOffThreadRunner(pool);
  return pool;
}
