// The async helpers off the JS thread in Node: the native tier's AsyncTasks
// (ts/tiers/native/async.ts) for native calls, and for wasm and js calls a
// pool of worker_threads running
// worker-node.js, as many as the machine has cores less one (the calling
// thread keeps one), at least one, at most 8. Workers start on the first
// call that needs one; an idle worker is unref'd so it never keeps the
// process alive (a busy one does, like any pending I/O).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setNativeAsync, setOffThreadRunner } from '../api/offthread.js';
import type { TierName } from '../contract/types.js';
import { dispatchInfo } from '../dispatch/dispatch.js';
import { nativeAsyncKernels } from '../tiers/native/async.js';
import { WorkerPool, type PoolHost, type WorkerHandle } from './offthread.js';
import type { NodeWorkerData } from './worker-node.js';
import type { WorkerReply } from './worker-core.js';

/**
 * The compiled worker: beside this file in dist/, or dist/ of the checkout
 * when running from ts/ sources (tests); null inside a CommonJS bundle, whose
 * import.meta is empty and which carries no worker file (calls run inline).
 */
function workerFile(): string | null {
  const here = import.meta.url as string | undefined;
  if (!here) return null;
  const beside = fileURLToPath(new URL('./worker-node.js', here));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../dist/platform/worker-node.js', here));
}

/**
 * The parent's Node options less those a worker refuses: `node -e`/`-p`
 * code and `--input-type` (a worker inherits execArgv and would fail to
 * start with them).
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print' || a === '-pe' || a === '--input-type') {
      i++; // and its value
      continue;
    }
    if (/^--(eval|print|input-type)=/.test(a)) continue;
    out.push(a);
  }
  return out;
}

/** A worker with the parent's options, or with none when Node refuses some of them in a worker. */
function newWorker(file: string, data: NodeWorkerData): Worker {
  try {
    return new Worker(file, { workerData: data, execArgv: workerExecArgv() });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return new Worker(file, { workerData: data, execArgv: [] });
  }
}

/**
 * Installs the pool over the tiers the main thread loaded; returns null (the
 * helpers then run on the calling thread) when the worker file is not there,
 * e.g. inside a bundle that did not copy dist/platform/worker-node.js.
 * @internal
 */
export function installNodeOffThread(): WorkerPool | null {
  const info = dispatchInfo().tiers;
  // Native calls run as the addon's own AsyncTasks (no copy, no worker).
  const native = info.native.loaded ? nativeAsyncKernels() : null;
  setNativeAsync(native);
  const file = workerFile();
  if (file === null || !existsSync(file)) return null;
  const tiers = new Set<TierName>(['js']);
  // The worker reads the same wasm file. A build carried inside the JS (hotpath/inline) has no
  // file: the worker then loads the package's own copy of that build (the inline bytes are made
  // from it), and a worker that cannot makes wasm calls run inline.
  if (info.wasm.loaded) tiers.add('wasm');
  const wasmFile = info.wasm.path !== null && existsSync(info.wasm.path) ? info.wasm.path : null;
  // Only if the addon has no async kernels (an older build): the worker then loads it.
  if (info.native.loaded && native === null) tiers.add('native');
  const data: NodeWorkerData = { wasm: !tiers.has('wasm') ? null : wasmFile ?? 'package', native: tiers.has('native') };
  const host: PoolHost = {
    size: Math.min(8, Math.max(1, availableParallelism() - 1)),
    supports: (tier) => tiers.has(tier),
    spawn(onMessage: (m: WorkerReply) => void, onFailure: (e: Error) => void): WorkerHandle {
      let w: Worker;
      try {
        w = newWorker(file, data);
      } catch (e) {
        // Failing at once must not throw out of the helper: the pool then runs its calls inline.
        queueMicrotask(() => onFailure(e as Error));
        return { post: () => {}, terminate: () => {}, setBusy: () => {} };
      }
      w.unref();
      w.on('message', onMessage);
      w.on('error', onFailure);
      w.on('exit', (code) => onFailure(new Error(`worker exited with code ${code}`)));
      return {
        post: (m, transfer) => w.postMessage(m, transfer as never),
        terminate: () => void w.terminate(),
        setBusy: (busy) => (busy ? w.ref() : w.unref()),
      };
    },
    yieldNow: () => new Promise((r) => setImmediate(r)),
  };
  const pool = new WorkerPool(host);
  setOffThreadRunner(pool);
  return pool;
}
