// hotpath/inline's worker pool in browsers: the same worker as
// offthread-browser.ts, started from a Blob URL of its code (WORKER_SOURCE,
// generated into dist/platform/worker-source.js by scripts/build-worker.mjs),
// so the page needs no worker file either.
import type { WorkerPool } from './offthread.js';
import { WORKER_SOURCE } from './worker-source.js';
import { installWorkerPool } from './worker-pool-browser.js';

export { setWorkerWasm } from './worker-pool-browser.js';

let url: string | null = null;

/** A worker over a Blob URL of the bundled worker code (one URL for the page's lifetime). */
function blobWorker(): Worker {
  url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  return new Worker(url, { type: 'module' });
}

/**
 * Installs the async helpers' Web Worker pool for hotpath/inline. Give the
 * workers the wasm with setWorkerWasm (bytes or the compiled module), else
 * wasm-tier calls run inline. @internal
 */
export function installInlineBrowserOffThread(): WorkerPool | null {
  return installWorkerPool(blobWorker);
}
