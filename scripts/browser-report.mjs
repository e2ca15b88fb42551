// npm run report:browser: the browser build's bundle size (minified esbuild
// bundles of a page importing all of `hotpath` and of one importing one
// kernel, and the two wasm files; raw
// and gzip) and the demo's benchmark in headless Chromium, as markdown for
// the README. Needs npm run build first.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHROMIUM, launchChromium } from './chromium.mjs';
import { ROOT, buildDemo, bundleForBrowser, serveStatic } from './demo-web.mjs';

const out = join(ROOT, 'test', '.artifacts', 'report');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const entry = join(out, 'entry.js');
writeFileSync(entry, "import * as hp from 'hotpath';\nglobalThis.hp = hp;\n");
await bundleForBrowser(entry, join(out, 'bundle.js'), { minify: true });
// What a page pays for one kernel: tree-shaking drops the WebGPU tier, its shaders and the structures.
const one = join(out, 'one-kernel.js');
writeFileSync(one, "import { init, cosineBatch } from 'hotpath';\nawait init();\nglobalThis.f = cosineBatch;\n");
await bundleForBrowser(one, join(out, 'one-kernel.bundle.js'), { minify: true });

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const size = (label, bytes) => `| ${label} | ${kib(bytes.length)} | ${kib(gzipSync(bytes, { level: 9 }).length)} |`;
const lines = ['| file | raw | gzip -9 |', '|---|---:|---:|'];
lines.push(size('JS (whole API, esbuild --minify)', readFileSync(join(out, 'bundle.js'))));
lines.push(size('JS (`init` + `cosineBatch` only)', readFileSync(join(out, 'one-kernel.bundle.js'))));
for (const f of ['hotpath.wasm', 'hotpath-nosimd.wasm']) lines.push(size(f, readFileSync(join(ROOT, 'dist', f))));
console.log(lines.join('\n'));

const dir = await buildDemo(join(out, 'demo'));
const server = await serveStatic(dir);
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}?autorun&budget=${process.env.BUDGET ?? 1000}`);
  await page.waitForSelector('body[data-bench="done"]', { timeout: 300_000 });
  const r = await page.evaluate(() => globalThis.__hotpathDemo);
  const ms = (x) => (x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(0)} µs`);
  console.log(`\n${r.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0]} (${CHROMIUM}), wasm ${r.backend.tiers.wasm.simd}\n`);
  console.log(['| kernel | input | hotpath wasm | plain JS | speed-up |', '|---|---|---:|---:|---:|', ...r.rows.map((x) => `| ${x.kernel} | ${x.input} | ${ms(x.hotpathMs)} | ${ms(x.plainMs)} | ${x.speedup.toFixed(1)}x |`)].join('\n'));
} finally {
  await browser.close();
  await server.close();
}
