// A bundle pays for what it uses: the browser build tree-shakes, so a page
// importing one kernel carries neither the WebGPU tier and its shaders nor
// the data structures (package.json's sideEffects names only the entries
// and the platform modules). Server-side bundles keep the wasm tier through
// hotpath/inline and say plainly why the native addon did not come along.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, bundleForBrowser } from '../scripts/demo-web.mjs';

// Inside the package, so 'hotpath' resolves to it as it does for a consumer.
const dir = join(ROOT, 'test', '.artifacts', 'bundle');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(name: string, source: string): Promise<string> {
  writeFileSync(join(dir, `${name}.mjs`), source);
  await bundleForBrowser(join(dir, `${name}.mjs`), join(dir, `${name}.js`), { minify: true });
  return readFileSync(join(dir, `${name}.js`), 'utf8');
}

describe('browser bundles', () => {
  it('one kernel: no WebGPU tier, no shaders, no data structures, a fraction of the whole API', async () => {
    const one = await bundle('one', "import { cosineBatch } from 'hotpath';\nglobalThis.r = cosineBatch(new Float32Array(4), new Float32Array(8), 4);\n");
    const all = await bundle('all', "import * as hp from 'hotpath';\nglobalThis.hp = hp;\n");
    for (const marker of ['hotpath.gpu.', '@compute', 'createComputePipeline', 'hotpath.BPlusTree', 'hotpath.TimingWheel', 'hotpath.TtlCache', 'hotpath.QuantileSketch', 'targetP99Ms', 'hotpath.PermissionIndex', 'hotpath.DenseModel', 'btreeNew', 'wheelNew', 'sketchNew', 'modelNew']) {
      expect(all, marker).toContain(marker);
      expect(one, marker).not.toContain(marker);
    }
    expect(one).toContain('"cosineBatch"');
    expect(one.length).toBeLessThan(all.length / 4);
  });
});

// A server-side bundle (esbuild --platform=node --bundle) written to a folder
// outside the package, as an app's build does: hotpath/inline brings the wasm
// tier with it; the native addon cannot travel in a bundle, and the errors
// say so and what to do instead of blaming the lockfile.
describe('server-side bundles', () => {
  const outside = mkdtempSync(join(tmpdir(), 'hotpath-server-bundle-'));
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  const CONSUMER = (entry: string, format: 'esm' | 'cjs'): string => `${format === 'esm' ? `import { backend, setBackend, cosineBatch, stats, BPlusTree } from '${entry}';` : `const { backend, setBackend, cosineBatch, stats, BPlusTree } = require('${entry}');`}
const b = backend();
const q = Float32Array.from([1, 0, 0.5, 2]), m = Float32Array.from([1, 0, 0.5, 2, 0, 1, 1, 0]);
const run = (tier) => { setBackend(tier); const r = { cosineBatch: Array.from(cosineBatch(q, m, 4)), mean: stats([1, 2, 3, 10]).mean }; setBackend('auto'); return r; };
const wasm = b.tiers.wasm.loaded ? run('wasm') : null;
console.log(JSON.stringify({ wasm: b.tiers.wasm, native: b.tiers.native, onWasm: wasm, onJs: run('js'), tree: new BPlusTree({ keyType: 'number' }).backend }));
`;

  const built: { name: string; format: 'esm' | 'cjs'; warnings: string[] }[] = [];

  interface Outcome { wasm: { loaded: boolean; path: string | null; error: string | null }; native: { loaded: boolean; error: string | null }; onWasm: unknown; onJs: unknown; tree: string }

  /** Bundles a consumer of `entry` into `outdir` and runs it; returns esbuild's warnings and what the program printed. */
  async function bundleAndRun(name: string, entry: string, format: 'esm' | 'cjs', outdir: string, extra: Record<string, unknown> = {}): Promise<{ warnings: string[]; out: Outcome }> {
    const esbuild = await import('esbuild');
    const src = join(dir, `${name}.${format === 'esm' ? 'mjs' : 'cjs'}`);
    writeFileSync(src, CONSUMER(entry, format));
    const outfile = join(outdir, `${name}.${format === 'esm' ? 'mjs' : 'cjs'}`);
    // esbuild's own default format for --platform=node is cjs.
    const r = await esbuild.build({ entryPoints: [src], outfile, bundle: true, platform: 'node', ...(format === 'esm' ? { format } : {}), absWorkingDir: ROOT, logLevel: 'silent', ...extra });
    const env = { ...process.env };
    delete env.HOTPATH_WASM_PATH;
    delete env.HOTPATH_NATIVE_PATH;
    delete env.HOTPATH_BACKEND;
    const out = JSON.parse(execFileSync(process.execPath, [outfile], { cwd: outdir, env, encoding: 'utf8' })) as Outcome;
    return { warnings: r.warnings.map((w) => `${w.id}: ${w.text}`), out };
  }

  it.each(['esm', 'cjs'] as const)('hotpath/inline bundled (%s) into another folder: the wasm tier loads from the bundle itself', async (format) => {
    const { warnings, out } = await bundleAndRun(`inline-${format}`, 'hotpath/inline', format, outside);
    built.push({ name: `hotpath/inline (${format})`, format, warnings });
    expect(out.wasm).toMatchObject({ loaded: true, path: 'inline:hotpath.wasm', error: null });
    expect(out.onWasm).toEqual(out.onJs);
    expect(out.tree).toBe('wasm');
    expect(out.native.loaded).toBe(false);
    expect(out.native.error).toContain(`hotpath was bundled into ${join(outside, `inline-${format}.${format === 'esm' ? 'mjs' : 'cjs'}`)}`);
    expect(out.native.error).toMatch(/cannot carry the native addon .*--packages=external or --external:hotpath/);
    expect(out.native.error).not.toMatch(/package-lock/);
  });

  it('hotpath (the default entry) bundled into another folder: both errors say what happened and what to do', async () => {
    const { warnings, out } = await bundleAndRun('default-esm', 'hotpath', 'esm', outside);
    built.push({ name: 'hotpath (esm)', format: 'esm', warnings });
    expect(out.wasm.loaded).toBe(false);
    expect(out.wasm.error).toContain(`${join(outside, 'hotpath.wasm')}: not found`);
    expect(out.wasm.error).toMatch(/hotpath was bundled into .*default-esm\.mjs.*import hotpath\/inline.*--packages=external/);
    expect(out.native.error).toMatch(/hotpath was bundled into .*--packages=external/);
    expect(out.native.error).not.toMatch(/package-lock/);
    expect(out.tree).toBe('js');
  });

  it('the default entry finds the wasm copied beside the bundle', async () => {
    const beside = join(outside, 'beside');
    mkdirSync(beside, { recursive: true });
    for (const f of ['hotpath.wasm', 'hotpath-nosimd.wasm']) copyFileSync(join(ROOT, 'dist', f), join(beside, f));
    const { out } = await bundleAndRun('beside', 'hotpath', 'esm', beside);
    expect(out.wasm).toMatchObject({ loaded: true, path: join(beside, 'hotpath.wasm') });
    expect(out.onWasm).toEqual(out.onJs);
  });

  it('--packages=external keeps hotpath in node_modules: every tier loads as unbundled', async () => {
    // Inside the package, where `hotpath` resolves at run time as it does from an app's node_modules.
    const outdir = join(dir, 'server');
    mkdirSync(outdir, { recursive: true });
    const { warnings, out } = await bundleAndRun('external', 'hotpath', 'esm', outdir, { packages: 'external' });
    built.push({ name: 'hotpath (esm, --packages=external)', format: 'esm', warnings });
    expect(out.wasm).toMatchObject({ loaded: true, error: null });
    expect(out.wasm.path).toMatch(/hotpath\.wasm$/);
    expect(out.native).toMatchObject({ loaded: true, error: null });
    expect(out.tree).toBe('wasm'); // BPlusTree prefers wasm to native
  });

  it('unbundled, hotpath/inline in Node loads the native addon and the wasm it carries, synchronously at import', () => {
    const env = { ...process.env };
    delete env.HOTPATH_WASM_PATH;
    delete env.HOTPATH_NATIVE_PATH;
    delete env.HOTPATH_BACKEND;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', CONSUMER('hotpath/inline', 'esm')], { cwd: ROOT, env, encoding: 'utf8' })) as Outcome;
    expect(out.wasm).toMatchObject({ loaded: true, path: 'inline:hotpath.wasm' });
    expect(out.native).toMatchObject({ loaded: true, error: null });
    expect(out.onWasm).toEqual(out.onJs);
  });

  it('esbuild warns about nothing in those builds (a CommonJS one: only that import.meta is empty)', () => {
    expect(built.map((b) => b.name).sort()).toEqual(['hotpath (esm)', 'hotpath (esm, --packages=external)', 'hotpath/inline (cjs)', 'hotpath/inline (esm)']);
    for (const b of built) {
      // In a CommonJS bundle esbuild empties import.meta (the loaders then use __filename) and says so.
      expect(b.warnings.filter((w) => b.format === 'esm' || !w.startsWith('empty-import-meta:')), b.name).toEqual([]);
    }
  });
});
