#!/usr/bin/env node
// Builds the AssemblyScript tier (asm/assembly/index.ts) twice from the same sources:
//   asm/build/hotpath.wasm         -O3 --runtime minimal --enable simd
//   asm/build/hotpath-nosimd.wasm  -O3 --runtime minimal   (ASC_FEATURE_SIMD = false)
// plus .wat text next to each for inspection. Options live in asm/asconfig.json.
// Exits non-zero on any compile error, if the no-SIMD build contains v128 code, or if a
// module exports anything but functions and `memory` (the glue in ts/tiers/wasm/ calls
// functions only; an `export const` reaching asm/assembly/index.ts, e.g. from abi.ts,
// would add a global export).
import asc from 'assemblyscript/asc';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = join(root, 'asm', 'asconfig.json');
const targets = [
  { name: 'simd', wasm: 'asm/build/hotpath.wasm', wat: 'asm/build/hotpath.wat' },
  { name: 'nosimd', wasm: 'asm/build/hotpath-nosimd.wasm', wat: 'asm/build/hotpath-nosimd.wat' },
];

await mkdir(join(root, 'asm', 'build'), { recursive: true });

let failed = false;
for (const t of targets) {
  const started = performance.now();
  // Never leave a stale module behind a failed build.
  await rm(join(root, t.wasm), { force: true });
  await rm(join(root, t.wat), { force: true });
  const { error, stdout, stderr } = await asc.main(
    ['--config', relative(root, config), '--target', t.name, '--baseDir', root],
    {},
  );
  const out = stdout.toString();
  const err = stderr.toString();
  if (out) process.stdout.write(out);
  if (err) process.stderr.write(err);
  if (error) {
    console.error(`build-wasm: ${t.name} build failed: ${error.message}`);
    failed = true;
    continue;
  }
  const wasm = await readFile(join(root, t.wasm));
  if (!WebAssembly.validate(wasm)) {
    console.error(`build-wasm: ${t.wasm} does not validate`);
    failed = true;
    continue;
  }
  if (t.name === 'nosimd') {
    const wat = await readFile(join(root, t.wat), 'utf8');
    if (/\bv128\b|[if](8x16|16x8|32x4|64x2)\./.test(wat)) {
      console.error(`build-wasm: ${t.wasm} unexpectedly contains SIMD instructions`);
      failed = true;
      continue;
    }
  }
  const mod = new WebAssembly.Module(wasm);
  const stray = WebAssembly.Module.exports(mod).filter(
    (e) => e.kind !== 'function' && !(e.kind === 'memory' && e.name === 'memory'),
  );
  if (stray.length > 0) {
    console.error(`build-wasm: ${t.wasm} exports non-functions: ${stray.map((e) => `${e.name} (${e.kind})`).join(', ')}`);
    failed = true;
    continue;
  }
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
  const ms = (performance.now() - started).toFixed(0);
  const watSize = (await stat(join(root, t.wat))).size;
  console.log(
    `${t.wasm}  ${wasm.length} bytes  (wat ${watSize} bytes, ` +
      `${WebAssembly.Module.exports(mod).length} exports, imports: ${imports.join(', ') || 'none'}, ${ms} ms)`,
  );
}
process.exit(failed ? 1 : 0);
