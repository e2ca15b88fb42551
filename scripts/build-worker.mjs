// Bundles the browser worker of the async helpers (ts/platform/worker-browser.ts)
// into one self-contained file, dist/platform/hotpath-worker.js, which
// dist/platform/offthread-browser.js names as new URL('./hotpath-worker.js',
// import.meta.url), and into dist/worker-source.js, the same code as a string
// (export default) for entries that make the worker from a Blob URL.
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const out = await build({
  entryPoints: ['ts/platform/worker-browser.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const code = out.outputFiles[0].text;
mkdirSync('dist/platform', { recursive: true });
writeFileSync('dist/platform/hotpath-worker.js', code);
writeFileSync('dist/worker-source.js', `// The async helpers' browser worker (dist/platform/hotpath-worker.js) as a string, for a Blob URL.\nexport default ${JSON.stringify(code)};\n`);
writeFileSync('dist/worker-source.d.ts', '/** Source of the async helpers\' browser worker (self-contained, no imports), for `new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" })`. */\ndeclare const source: string;\nexport default source;\n');
console.log(`build-worker: dist/platform/hotpath-worker.js ${(code.length / 1024).toFixed(1)} KiB`);
