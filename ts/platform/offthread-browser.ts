// The browser entry's worker pool (worker-pool-browser.ts) over the worker
// file beside the package's JavaScript: dist/platform/hotpath-worker.js,
// named by the literal `new URL('./hotpath-worker.js', import.meta.url)`
// that Vite and webpack 5 recognise and emit (esbuild leaves it alone: the
// file must then sit beside the bundle, as the .wasm files do). Kept apart
// from the pool so hotpath/inline (offthread-inline.ts) never names the file.
import type { WorkerPool } from './offthread.js';
import { installWorkerPool } from './worker-pool-browser.js';

export { setWorkerWasm } from './worker-pool-browser.js';

/** The bundle beside this module. */
function defaultWorker(): Worker {
  return new Worker(new URL('./hotpath-worker.js', import.meta.url), { type: 'module' });
}

/**
 * Installs the async helpers' Web Worker pool (workers start on first use).
 * `spawn` makes one worker; default: `hotpath-worker.js` beside this module.
 * Does nothing where there is no `Worker`.
 * @internal
 */
export function installBrowserOffThread(spawn: () => Worker = defaultWorker): WorkerPool | null {
  return installWorkerPool(spawn);
}
