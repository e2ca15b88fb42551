// The off-thread worker in browsers, bundled on its own by
// scripts/build-worker.mjs into dist/platform/hotpath-worker.js (and the
// string module dist/worker-source.js), so it needs no module resolution.
// Its first message names the wasm build the page loaded; messages that
// arrive while that compiles wait for it.
import { installTiers } from '../dispatch/dispatch.js';
import { failedTier } from '../contract/tier.js';
import { jsTier } from '../tiers/js/index.js';
import { instantiateWasm, type WasmSource } from '../tiers/wasm/instantiate.js';
import { wasmTier } from '../tiers/wasm/index.js';
import { workerHandler, type WorkerReply, type WorkerRequest } from './worker-core.js';

/** The first message offthread-browser.ts sends. */
export interface BrowserWorkerInit {
  t: 'init';
  wasm: WasmSource | null;
  label: string;
}

interface WorkerScope {
  postMessage(m: unknown, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
installTiers({ js: jsTier() });
const handle = workerHandler((m, transfer) => scope.postMessage(m, transfer));
let ready: Promise<void> | null = null;

scope.onmessage = (ev: MessageEvent) => {
  const m = ev.data as WorkerRequest | BrowserWorkerInit;
  if (m.t === 'init') {
    const init = m;
    ready = (async () => {
      if (init.wasm === null) return;
      try {
        installTiers({ wasm: wasmTier(await instantiateWasm(init.wasm), init.label) });
      } catch (e) {
        installTiers({ wasm: failedTier('wasm', `wasm did not load in the worker: ${(e as Error).message}`) });
      }
    })().then(() => scope.postMessage({ t: 'ready' } satisfies WorkerReply, []));
    return;
  }
  if (ready === null) handle(m);
  else void ready.then(() => handle(m));
};
