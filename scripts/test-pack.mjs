// npm run test:pack (part of npm test): hotpath as a user installs it.
//  1. Lays out this machine's platform package (its binary into npm/<triple>, as
//     `napi artifacts` does in a release;
//     on linux-x64-gnu from the glibc-2.17 cross build, checked with objdump),
//     packs it and the main package with npm pack.
//  2. Installs both tarballs (and the runtime dependencies, packed from
//     node_modules) into a fresh project with npm --offline and an empty cache, runs an
//     ESM consumer calling a kernel of every kind: everything must run on native.
//  3. Type-checks a TypeScript consumer against the published .d.ts (tsc --strict).
//  4. Installs the main tarball alone: everything must run on wasm, and backend()
//     must name the missing platform package.
//  5. Corrupts the installed .node: the same graceful fallback, naming the file.
// Exits non-zero with the failing step on any mismatch.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformPackage, platformTriple } from '../dist/tiers/native/platform.js';

const esbuild = await import('esbuild');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WIN = process.platform === 'win32';
const triple = platformTriple();
if (triple === null) fail('setup', `no napi target for ${process.platform}-${process.arch}; nothing to pack`);
const pkg = platformPackage(triple);
const work = mkdtempSync(join(tmpdir(), 'hotpath-pack-'));
const t0 = performance.now();

function fail(step, msg) {
  console.error(`test:pack FAILED at ${step}: ${msg}`);
  process.exit(1);
}
function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: WIN, ...opts });
}
function step(name, fn) {
  const t = performance.now();
  try {
    fn();
  } catch (e) {
    fail(name, `${e.message}${e.stderr ? `\n${e.stderr}` : ''}${e.stdout ? `\n${e.stdout}` : ''}`);
  }
  console.log(`test:pack ok  ${name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

// ---- 1. platform package and tarballs ---------------------------------------
let binaryDir = join(ROOT, 'native');
step(`build the ${triple} binary for release`, () => {
  if (triple !== 'linux-x64-gnu') return; // other hosts pack their own build
  run('npm', ['run', 'build:native:compat'], { cwd: ROOT });
  binaryDir = join(ROOT, 'native', 'compat');
  let floor = null;
  try {
    const syms = run('objdump', ['-T', join(binaryDir, `hotpath.${triple}.node`)]);
    floor = [...syms.matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [+m[1], +m[2]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).pop();
  } catch (e) {
    throw new Error(`objdump is needed to check the glibc floor: ${e.message}`);
  }
  if (!floor || floor[0] > 2 || floor[1] > 17) throw new Error(`binary needs GLIBC_${floor?.join('.')}; the floor is 2.17`);
  console.log(`            highest glibc symbol version: GLIBC_${floor.join('.')}`);
});

let mainTgz, platformTgz;
const depTgzs = [];
step('npm pack: main package and platform package', () => {
  // What `napi artifacts` does for each target in a release (it insists on all
  // of them, so a one-platform check places the one binary itself).
  copyFileSync(join(binaryDir, `hotpath.${triple}.node`), join(ROOT, 'npm', triple, `hotpath.${triple}.node`));
  const out = join(work, 'tarballs');
  mkdirSync(out);
  run('npm', ['pack', '--pack-destination', out], { cwd: ROOT });
  run('npm', ['pack', join(ROOT, 'npm', triple), '--pack-destination', out], { cwd: ROOT });
  // Runtime dependencies go in as tarballs too (packed from this checkout's
  // node_modules), so the installs below need neither the network nor a warm cache.
  const deps = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies ?? {});
  const depOut = join(work, 'deps');
  mkdirSync(depOut);
  for (const d of deps) run('npm', ['pack', join(ROOT, 'node_modules', d), '--pack-destination', depOut], { cwd: ROOT });
  depTgzs.push(...readdirSync(depOut).map((f) => join(depOut, f)));
  const files = readdirSync(out);
  mainTgz = join(out, files.find((f) => f.startsWith('hotpath-')));
  platformTgz = join(out, files.find((f) => f.startsWith('hotpath-native-')));
  for (const tgz of [mainTgz, platformTgz]) {
    const manifest = JSON.parse(run('tar', ['-xzOf', tgz, 'package/package.json']));
    const hooks = ['preinstall', 'install', 'postinstall'].filter((h) => manifest.scripts?.[h]);
    if (hooks.length > 0) throw new Error(`${manifest.name} has install scripts (${hooks.join(', ')}); installing must never build or download`);
  }
  const listing = run('tar', ['-tzf', mainTgz]);
  if (/\.node\b/.test(listing)) throw new Error('the main package must not carry a .node binary');
  if (!/package\/dist\/hotpath\.wasm/.test(listing) || !/package\/dist\/hotpath-nosimd\.wasm/.test(listing)) throw new Error('the main package must carry both .wasm builds');
  if (!/package\/dist\/index\.browser\.js/.test(listing) || !/package\/dist\/wasm-urls\.js/.test(listing)) throw new Error('the main package must carry the browser entry');
});

// ---- 2-5. consumers -----------------------------------------------------------
const CONSUMER = `
import * as hp from 'hotpath';
const near = (a, b, what) => { if (Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(b))) throw new Error(what + ': got ' + a + ', want ' + b); };
const tier = process.argv[2];
hp.setBackend(tier);                                      // every call below must run there
const q = new Float32Array([1, 0, 0, 1]), m = new Float32Array([1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1]);
near(hp.dot([1, 2, 3], [4, 5, 6]), 32, 'dot');
near(hp.cosineBatch(q, m, 4)[0], 1, 'cosineBatch');
const top = hp.topK(q, m, 4, 2); if (top.indices[0] !== 0) throw new Error('topK ' + top.indices);
near(hp.riskScoreBatch([5, 5], [1, 0.5], new Uint32Array([0, 1, 2]))[1], 0.5, 'riskScoreBatch');
near(hp.temporalDecay([8], [2], 1)[0], 2, 'temporalDecay');
near(hp.stats([1, 2, 3, 4]).mean, 2.5, 'stats');
near(hp.percentiles([1, 2, 3, 4, 5], [50])[0], 3, 'percentiles');
if (hp.outliersIQR([1, 2, 3, 2, 1, 100]).join() !== '5') throw new Error('outliersIQR');
if (hp.ngramFeatures('abcd', { n: 2, dims: 16, normalize: false }).reduce((a, b) => a + b, 0) !== 3) throw new Error('ngramFeatures');
near(hp.matmul(new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 2, 2, 2)[3], 50, 'matmul');
const t = new hp.BPlusTree({ keyType: 'number', backend: tier }); t.setMany(new Float64Array([3, 1, 2]), ['c', 'a', 'b']);
if (t.range(null, null).map(([k]) => k).join() !== '1,2,3') throw new Error('BPlusTree');
const w = new hp.TimingWheel({ backend: tier }); w.schedule(5, 'x'); if (w.advance(10).join() !== 'x') throw new Error('TimingWheel');
const c = new hp.TtlCache({ maxSize: 2, ttlMs: 1000, backend: tier, clock: () => 0, autoPurge: false }); c.set('k', 1); if (c.get('k') !== 1) throw new Error('TtlCache');
const acl = new hp.PermissionIndex({ backend: tier, autoPurge: false }); acl.grant('r', 'doc:*', 'read'); acl.addRole('u', 'r'); if (!acl.check('u', 'doc:1', 'read') || acl.check('u', 'img:1', 'read')) throw new Error('PermissionIndex'); acl.dispose();
const dm = new hp.DenseModel([{ weights: [1, -1, 2, 1], bias: [0.5, -4], activation: 'relu' }, { weights: [2, 7], bias: [-1] }], { backend: tier });
if (dm.backend !== tier || dm.predict(new Float32Array([1, 2]), 1)[0] !== 10) throw new Error('DenseModel');
if ((await dm.predictAsync([1, 2]))[0] !== 10) throw new Error('DenseModel.predictAsync'); dm.dispose();
// webgpu is an optional peer, not installed here: the GPU tier says why and the async helpers run on the CPU.
const g = await hp.gpu.init();
if (g.available || !/'webgpu' package did not load/.test(g.reason)) throw new Error('gpu.init without the webgpu package: ' + g.reason);
near((await hp.cosineBatchAsync(q, m, 4))[0], 1, 'cosineBatchAsync');
const b = hp.backend();
if (b.gpu.lastChoice.tier !== tier) throw new Error('cosineBatchAsync ran on ' + b.gpu.lastChoice.tier);
console.log(JSON.stringify({ native: b.tiers.native, wasm: b.tiers.wasm.loaded, large: b.largeInputTier, treeTier: t.backend, wheelTier: w.backend }));
`;
const TS_CONSUMER = `
import { cosineBatch, cosineBatchAsync, gpu, stats, BPlusTree, TtlCache, PermissionIndex, DenseModel, backend, type Activation, type PermissionRule, type Stats, type BackendInfo, type TierName, type Gpu, type GpuAdapterInfo } from 'hotpath';
const s: Stats = stats(new Float64Array([1, 2, 3]));
const scores: Float32Array = cosineBatch(new Float32Array(4), new Float32Array(8), 4);
const tree = new BPlusTree<string, number>({ keyType: 'number' });
const v: string | undefined = tree.set(1, 'a').get(1);
const cache = new TtlCache<string, { id: number }>({ maxSize: 10, ttlMs: 1000 });
const hit: { id: number } | undefined = cache.get('x');
const acl = new PermissionIndex({ maxRoleDepth: 4 });
const allowed: boolean = acl.check('u', 'doc:1', 'read');
const model = new DenseModel([{ weights: new Float32Array(6), bias: [0, 0, 0], activation: 'relu' }], { precision: 'f16' });
const out: Float32Array = model.predict(new Float32Array(2), 1);
const act: Activation = model.layers[0]!.activation;
// @ts-expect-error not an activation
new DenseModel([{ weights: [1], bias: [0], activation: 'elu' }]);
const rules: PermissionRule[] = acl.resourcesOf('u', { prefix: 'doc:' });
const info: BackendInfo = backend();
const t: TierName = info.largeInputTier;
// @ts-expect-error dim must be a number
cosineBatch(new Float32Array(4), new Float32Array(8), '4');
const g: Gpu = await gpu.init({ calibrate: false, powerPreference: 'high-performance' });
const adapter: GpuAdapterInfo | null = g.adapterInfo;
const gpuScores: Promise<Float32Array> = g.available ? g.cosineBatch(new Float32Array(4), new Float32Array(8), 4) : cosineBatchAsync(new Float32Array(4), new Float32Array(8), 4);
// @ts-expect-error powerPreference is a fixed set
void gpu.init({ powerPreference: 'fastest' });
export { s, scores, v, hit, t, adapter, gpuScores };
`;

function project(name, tarballs) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  // --offline with an empty cache of its own: every byte comes from the tarballs.
  run('npm', ['install', '--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs, ...depTgzs], { cwd: dir });
  writeFileSync(join(dir, 'consumer.mjs'), CONSUMER);
  return dir;
}
const consume = (dir, tier) => JSON.parse(run(process.execPath, ['consumer.mjs', tier], { cwd: dir, env: { ...process.env, HOTPATH_BACKEND: '', HOTPATH_NATIVE_PATH: '', HOTPATH_WASM_PATH: '' } }).trim().split('\n').pop());

let full;
step(`fresh install of hotpath + ${pkg}: every kind of kernel and structure on native`, () => {
  full = project('with-native', [mainTgz, platformTgz]);
  const r = consume(full, 'native');
  if (!r.native.loaded) throw new Error(`native did not load: ${r.native.error}`);
  if (!r.native.path.replaceAll('\\', '/').includes(`node_modules/${pkg}/`)) throw new Error(`native loaded from ${r.native.path}, not from ${pkg}`);
  if (r.large !== 'native' || r.treeTier !== 'native' || r.wheelTier !== 'native') throw new Error(JSON.stringify(r));
  consume(full, 'wasm'); // the same consumer on wasm, from the same install
});

step('TypeScript consumer type-checks against the published .d.ts (tsc --noEmit --strict)', () => {
  writeFileSync(join(full, 'consumer.ts'), TS_CONSUMER);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'consumer.ts'], { cwd: full });
});

step('main package alone: everything runs on wasm and backend() names the missing binary', () => {
  const dir = project('wasm-only', [mainTgz]);
  const r = consume(dir, 'wasm');
  if (r.native.loaded || !r.native.error.includes(`${pkg}: package not installed`)) throw new Error(`native: ${JSON.stringify(r.native)}`);
  if (!r.wasm || r.large !== 'wasm' || r.treeTier !== 'wasm') throw new Error(JSON.stringify(r));
});

step('browser bundle of the installed package: the browser entry, no Node built-ins (esbuild, platform browser)', () => {
  const dir = join(work, 'wasm-only');
  writeFileSync(join(dir, 'page.mjs'), "import * as hp from 'hotpath';\nawait hp.init();\nconsole.log(hp.cosineBatch(new Float32Array(2), new Float32Array(4), 2));\n");
  const r = esbuild.buildSync({ entryPoints: [join(dir, 'page.mjs')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, absWorkingDir: dir, logLevel: 'silent' });
  const inputs = Object.keys(r.metafile.inputs);
  if (!inputs.includes('node_modules/hotpath/dist/index.browser.js')) throw new Error(`the bundle did not take the browser entry: ${inputs.join(', ')}`);
  if (/["'](?:node:[a-z_/]+|fs|os|module|path)["']/.test(r.outputFiles[0].text)) throw new Error('the browser bundle imports a Node built-in');
});

step('corrupt .node: the same fallback, naming the file', () => {
  const bin = join(full, 'node_modules', ...pkg.split('/'), `hotpath.${triple}.node`);
  writeFileSync(bin, 'not an ELF / Mach-O / PE file');
  const r = consume(full, 'wasm');
  if (r.native.loaded || !r.native.error.includes(`hotpath.${triple}.node`)) throw new Error(`native: ${JSON.stringify(r.native)}`);
  if (r.large !== 'wasm') throw new Error(JSON.stringify(r));
});

rmSync(work, { recursive: true, force: true });
console.log(`test:pack passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
