// Demo entry: init() the wasm tier, show the runtime, run the benchmark on
// click (or at once with ?autorun), show the WebGPU adapter.
import * as hp from 'hotpath';
import { runBenchmark } from './bench.js';
import { barChart, formatMs } from './chart.js';
import { showGpu } from './gpu-section.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

function showRuntime(info) {
  const w = info.tiers.wasm;
  $('tier').textContent = w.loaded ? `wasm (${w.simd === 'simd128' ? 'simd128' : 'no SIMD'})` : `js (wasm: ${w.error})`;
  $('simd').textContent = w.simd === 'simd128' ? 'supported (simd128 build loaded)' : 'not supported: no-SIMD build loaded';
  $('wasm-path').textContent = w.path ?? '–';
  $('cpus').textContent = String(hp.topology().logicalCpus);
  $('ua').textContent = navigator.userAgent;
}

function showRow(row) {
  const tr = document.createElement('tr');
  tr.dataset.kernel = row.kernel;
  const cells = [row.kernel, row.input, formatMs(row.hotpathMs), formatMs(row.plainMs), `${row.speedup.toFixed(2)}x`];
  const classes = ['kernel', 'input', 'hotpath-ms', 'plain-ms', 'speedup'];
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.textContent = text;
    td.className = classes[i];
    if (i === 2) td.dataset.ms = String(row.hotpathMs);
    if (i === 3) td.dataset.ms = String(row.plainMs);
    tr.append(td);
  });
  $('results').tBodies[0].append(tr);
}

function showChart(rows) {
  $('chart').replaceChildren(barChart(rows.map((r) => ({
    label: r.kernel,
    bars: [{ name: 'hotpath wasm', ms: r.hotpathMs, cls: 'bar-wasm' }, { name: 'plain JS', ms: r.plainMs, cls: 'bar-js' }],
  }))));
}

async function run() {
  const button = $('run');
  button.disabled = true;
  $('results').tBodies[0].replaceChildren();
  $('chart').replaceChildren();
  $('status').textContent = 'running…';
  document.body.dataset.bench = 'running';
  try {
    const budget = Number(params.get('budget') ?? 300);
    const rows = await runBenchmark('wasm', (row, all) => {
      showRow(row);
      showChart(all);
      $('status').textContent = `ran ${row.kernel}…`;
    }, budget);
    globalThis.__hotpathDemo = { rows, backend: hp.backend(), userAgent: navigator.userAgent };
    $('status').textContent = 'done';
    document.body.dataset.bench = 'done';
  } catch (e) {
    $('status').textContent = `failed: ${e.message}`;
    document.body.dataset.bench = 'failed';
    throw e;
  } finally {
    button.disabled = false;
  }
}

const gpuShown = showGpu().catch((e) => { $('gpu-status').textContent = `WebGPU check failed: ${e.message}`; });
try {
  showRuntime(await hp.init());
  $('status').textContent = 'ready';
  $('run').disabled = false;
  $('run').addEventListener('click', () => void run());
  if (params.has('autorun')) await run();
} catch (e) {
  $('tier').textContent = `init() failed: ${e.message}`;
  $('status').textContent = 'init() failed';
}
await gpuShown;
