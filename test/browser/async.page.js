// The browser half of test/browser-async.test.ts: cosineBatchAsync of
// n × 384 (default 200k) on the wasm and js tiers while a 1 ms interval
// counts ticks, against the sync result; AbortSignal before and in flight.
// Publishes globalThis.__hotpathAsync.
// Relative, so the crossOriginIsolated copy under /iso/ loads everything with its headers.
import * as h from '../../dist/index.browser.js';
import { offThreadRunner } from '../../dist/api/offthread.js';
import { installBrowserOffThread } from '../../dist/platform/offthread-browser.js';
import { installInlineBrowserOffThread, setWorkerWasm } from '../../dist/platform/offthread-inline.js';

const out = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function idleRate(ms = 300) {
  let ticks = 0;
  const iv = setInterval(() => ticks++, 1);
  const t0 = performance.now();
  await sleep(ms);
  clearInterval(iv);
  return ticks / (performance.now() - t0);
}

function floats(n, seed) {
  const x = new URLSearchParams(location.search).has('sab') ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

if (new URLSearchParams(location.search).has('yieldprobe')) {
  // How often a 1 ms interval fires while the loop yields through a MessageChannel, against setTimeout(0).
  const ch = new MessageChannel();
  let wake = null;
  ch.port1.onmessage = () => wake();
  for (const kind of ['channel', 'timeout']) {
    const idle = await idleRate();
    let ticks = 0;
    const iv = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    while (performance.now() - t0 < 500) {
      const a = performance.now();
      while (performance.now() - a < 0.1);
      await (kind === 'channel' ? new Promise((r) => { wake = r; ch.port2.postMessage(0); }) : sleep(0));
    }
    clearInterval(iv);
    out[kind] = ticks / (idle * (performance.now() - t0));
  }
}
try {
  await h.init();
  out.installedByEntry = offThreadRunner() !== null;
  if (!out.installedByEntry) installBrowserOffThread();
  if (new URLSearchParams(location.search).has('blob')) {
    // hotpath/inline's pool: the worker from a Blob URL, the wasm handed over as a compiled module.
    installInlineBrowserOffThread();
    setWorkerWasm(await WebAssembly.compile(await (await fetch('../../dist/hotpath.wasm')).arrayBuffer()), '(module)');
  }
  out.crossOriginIsolated = globalThis.crossOriginIsolated === true;
  out.supports = { wasm: offThreadRunner().supports('wasm'), js: offThreadRunner().supports('js') };
  const dim = 384;
  const n = Number(new URLSearchParams(location.search).get('n') ?? 200000);
  const m = floats(n * dim, 1), q = floats(2 * dim, 2);
  for (const tier of ['wasm', 'js']) {
    h.setBackend(tier);
    const sync = h.cosineBatch(q, m, dim);
    // Warm: the first call spawns the worker and compiles the wasm there.
    await h.cosineBatchAsync(q, m.subarray(0, 1000 * dim), dim);
    const idle = await idleRate();
    let ticks = 0;
    const iv = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    const p = h.cosineBatchAsync(q, m, dim);
    const returnedAfter = performance.now() - t0;
    const r = await p;
    const ms = performance.now() - t0;
    clearInterval(iv);
    let equal = r.length === sync.length;
    for (let i = 0; equal && i < r.length; i++) equal = Object.is(r[i], sync[i]);
    out[tier] = { failure: offThreadRunner().failure, ratio: ticks / (idle * ms), idle, ticks, ms, returnedAfter, equal, lastChoice: h.backend().gpu.lastChoice?.tier ?? null };
  }
  h.setBackend('wasm');
  const reason = new Error('stop');
  const pre = new AbortController();
  pre.abort(reason);
  out.preAbort = await h.cosineBatchAsync(q, m, dim, { signal: pre.signal }).then(() => 'resolved', (e) => (e === reason ? 'reason' : String(e)));
  const during = new AbortController();
  const p = h.cosineBatchAsync(q, m, dim, { signal: during.signal });
  await sleep(20);
  during.abort(reason);
  out.inFlightAbort = await p.then(() => 'resolved', (e) => (e === reason ? 'reason' : String(e)));
  const again = await h.cosineBatchAsync(q, m.subarray(0, 1000 * dim), dim);
  out.afterAbort = again.length;
  out.badInput = await h.cosineBatchAsync(q, Float32Array.from(m.subarray(0, 1000 * dim), (v, i) => (i === 400 ? NaN : v)), dim).then(() => 'resolved', (e) => `${e.constructor.name}: ${e.message}`);
  out.done = true;
} catch (e) {
  out.error = String(e?.stack ?? e);
}
globalThis.__hotpathAsync = out;
