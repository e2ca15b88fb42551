// The off-thread worker in Node (spawned by offthread-node.ts): loads the
// tiers the main thread named (the same wasm file; the addon) and answers
// the pool's messages (worker-core.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { installTiers } from '../dispatch/dispatch.js';
import { jsTier } from '../tiers/js/index.js';
import { loadNativeTier } from '../tiers/native/index.js';
import { loadWasmModule } from '../tiers/wasm/loader.js';
import { wasmTier } from '../tiers/wasm/index.js';
import { failedTier } from '../contract/tier.js';
import { workerHandler, type WorkerReply, type WorkerRequest } from './worker-core.js';

/** What offthread-node.ts passes as workerData. */
export interface NodeWorkerData {
  /** The wasm file the main thread loaded, 'package' for the package's own build files, or null for none. */
  wasm: string | null;
  native: boolean;
}

const data = workerData as NodeWorkerData;
const port = parentPort!;
const wasm = data.wasm === null ? null : loadWasmModule(data.wasm === 'package' ? {} : { HOTPATH_WASM_PATH: data.wasm });
installTiers({
  js: jsTier(),
  wasm: wasm === null ? failedTier('wasm', 'not loaded in this worker') : wasm.exports === null ? failedTier('wasm', wasm.error) : wasmTier(wasm.exports, wasm.path),
  ...(data.native ? { native: loadNativeTier() } : {}),
});
const handle = workerHandler((m, transfer) => port.postMessage(m, transfer as never));
port.on('message', (m: WorkerRequest) => handle(m));
port.postMessage({ t: 'ready' } satisfies WorkerReply);
