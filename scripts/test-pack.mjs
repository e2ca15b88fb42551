// npm run test:pack (part of npm test): hotpath as a user installs it.
//  1. Lays out this machine's platform package (its binary into npm/<triple>, as
//     `napi artifacts` does in a release;
//     on linux-x64-gnu from the glibc-2.17 cross build, checked with objdump),
//     packs it and the main package with npm pack.
//  2. Installs both tarballs (and the runtime dependencies, packed from
//     node_modules) into a fresh project with npm --offline and an empty cache, runs an
//     ESM consumer calling a kernel of every kind: everything must run on native.
//     Then a CommonJS consumer (require('hotpath') and 'hotpath/inline': require(esm),
//     which also proves the Node entries' module graphs have no top-level await)
//     and the `hotpath` command from node_modules/.bin.
//  3. Type-checks TypeScript consumers (test/fixtures/pack-consumer/) against the
//     published .d.ts with skipLibCheck false, strict, exactOptionalPropertyTypes and
//     noUncheckedIndexedAccess: lib es2022 + @types/node under module nodenext (an ESM
//     .ts and a .cts) and bundler, lib es2022 + dom without @types/node; and that the
//     .cts is TS1479 under node16, as the README says. BPlusTree's type-level tests
//     (@ts-expect-error lines) are among them.
//  4. Installs the main tarball alone: everything must run on wasm, and backend()
//     must name the missing platform package.
//  5. Corrupts the installed .node: the same graceful fallback, naming the file.
// Exits non-zero with the failing step on any mismatch.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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
async function step(name, fn) {
  const t = performance.now();
  try {
    await fn();
  } catch (e) {
    fail(name, `${e.message}${e.stderr ? `\n${e.stderr}` : ''}${e.stdout ? `\n${e.stdout}` : ''}`);
  }
  console.log(`test:pack ok  ${name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

// ---- 1. platform package and tarballs ---------------------------------------
let binaryDir = join(ROOT, 'native');
await step(`build the ${triple} binary for release`, () => {
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
await step('npm pack: main package and platform package', () => {
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

function project(name, tarballs) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  // --offline with an empty cache of its own: every byte comes from the tarballs.
  run('npm', ['install', '--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs, ...depTgzs], { cwd: dir });
  writeFileSync(join(dir, 'consumer.mjs'), CONSUMER);
  return dir;
}
const CLEAN_ENV = { ...process.env, HOTPATH_BACKEND: '', HOTPATH_NATIVE_PATH: '', HOTPATH_WASM_PATH: '' };
const consume = (dir, tier) => JSON.parse(run(process.execPath, ['consumer.mjs', tier], { cwd: dir, env: CLEAN_ENV }).trim().split('\n').pop());
const FIXTURES = join(ROOT, 'test', 'fixtures', 'pack-consumer');
const execFileAsync = promisify(execFile);

let full;
await step(`fresh install of hotpath + ${pkg}: every kind of kernel and structure on native`, () => {
  full = project('with-native', [mainTgz, platformTgz]);
  const r = consume(full, 'native');
  if (!r.native.loaded) throw new Error(`native did not load: ${r.native.error}`);
  if (!r.native.path.replaceAll('\\', '/').includes(`node_modules/${pkg}/`)) throw new Error(`native loaded from ${r.native.path}, not from ${pkg}`);
  if (r.large !== 'native' || r.treeTier !== 'native' || r.wheelTier !== 'native') throw new Error(JSON.stringify(r));
  consume(full, 'wasm'); // the same consumer on wasm, from the same install
});

await step('CommonJS consumer: require(\'hotpath\') and require(\'hotpath/inline\') run kernels and structures', () => {
  for (const f of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, f), join(full, f));
  const required = (arg) => JSON.parse(run(process.execPath, ['consumer.cjs', ...arg], { cwd: full, env: CLEAN_ENV }).trim().split('\n').pop());
  const r = required([]);
  if (!r.native || !r.wasm || r.treeTier !== 'wasm') throw new Error(`require('hotpath'): ${JSON.stringify(r)}`);
  // Its own process: in one with hotpath loaded, the inline entry would find the tiers already loaded.
  if (JSON.parse(readFileSync(join(full, 'node_modules', 'hotpath', 'package.json'), 'utf8')).exports?.['./inline'] !== undefined) {
    const i = required(['inline']);
    if (!i.wasm) throw new Error(`require('hotpath/inline'): ${JSON.stringify(i)}`);
  } else {
    console.log("            (this package has no 'hotpath/inline' export; that require was skipped)");
  }
});

await step('the hotpath command from node_modules/.bin (--version, info --json)', () => {
  const bin = join(full, 'node_modules', '.bin', WIN ? 'hotpath.cmd' : 'hotpath');
  const want = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const v = run(bin, ['--version'], { cwd: full, env: CLEAN_ENV }).trim();
  if (v !== want) throw new Error(`hotpath --version printed ${v}, want ${want}`);
  const info = JSON.parse(run(bin, ['info', '--json'], { cwd: full, env: CLEAN_ENV }));
  const native = info.backend.tiers.native;
  if (!native.loaded || !native.path.replaceAll('\\', '/').includes(`node_modules/${pkg}/`)) throw new Error(`hotpath info: native ${JSON.stringify(native)}`);
});

// The strict consumer of the issue: every published .d.ts must compile for it.
const STRICT = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false, noEmit: true, target: 'es2022' };
// The repo's @types/node (the consumer installs nothing else); no other @types leak in.
const NODE_TYPES = { types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] };
const TS_CONSUMERS = [
  { name: 'nodenext', files: ['types.ts', 'types.cts', 'btree-types.ts'], options: { lib: ['es2022'], ...NODE_TYPES, module: 'nodenext', moduleResolution: 'nodenext' } },
  { name: 'bundler', files: ['types.ts', 'btree-types.ts'], options: { lib: ['es2022'], ...NODE_TYPES, module: 'esnext', moduleResolution: 'bundler' } },
  { name: 'dom', files: ['browser.ts', 'btree-types.ts'], options: { lib: ['es2022', 'dom'], types: [], module: 'esnext', moduleResolution: 'bundler' } },
  // node16 models a Node without require(esm): a .cts importing hotpath must fail there, and only so.
  { name: 'node16', files: ['types.cts'], options: { lib: ['es2022'], ...NODE_TYPES, module: 'node16', moduleResolution: 'node16' }, fails: /TS1479/, only: /error TS(1479|1471):/ },
];
await step(`TypeScript consumers type-check against the published .d.ts (${TS_CONSUMERS.map((c) => c.name).join(', ')}; strict flags, skipLibCheck false)`, async () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Concurrently: each program is seconds of single-threaded type checking.
  await Promise.all(TS_CONSUMERS.map(async (c) => {
    const config = `tsconfig.${c.name}.json`;
    writeFileSync(join(full, config), JSON.stringify({ compilerOptions: { ...STRICT, ...c.options }, files: c.files }, null, 2));
    let out;
    try {
      await execFileAsync(process.execPath, [tsc, '-p', config], { cwd: full, encoding: 'utf8' });
      out = null;
    } catch (e) {
      out = `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
    }
    if (!c.fails && out !== null) throw new Error(`tsc -p ${config} (${c.files.join(', ')}):\n${out}`);
    if (c.fails) {
      if (out === null || !c.fails.test(out)) throw new Error(`tsc -p ${config} should fail with ${c.fails}; got:\n${out ?? '(no errors)'}`);
      const other = out.split('\n').filter((l) => /error TS\d+/.test(l) && !c.only.test(l));
      if (other.length > 0) throw new Error(`tsc -p ${config}: errors besides ${c.only}:\n${other.join('\n')}`);
    }
  }));
});

await step('main package alone: everything runs on wasm and backend() names the missing binary', () => {
  const dir = project('wasm-only', [mainTgz]);
  const r = consume(dir, 'wasm');
  if (r.native.loaded || !r.native.error.includes(`${pkg}: package not installed`)) throw new Error(`native: ${JSON.stringify(r.native)}`);
  if (!r.wasm || r.large !== 'wasm' || r.treeTier !== 'wasm') throw new Error(JSON.stringify(r));
});

await step('browser bundle of the installed package: the browser entry, no Node built-ins (esbuild, platform browser)', () => {
  const dir = join(work, 'wasm-only');
  writeFileSync(join(dir, 'page.mjs'), "import * as hp from 'hotpath';\nawait hp.init();\nconsole.log(hp.cosineBatch(new Float32Array(2), new Float32Array(4), 2));\n");
  const r = esbuild.buildSync({ entryPoints: [join(dir, 'page.mjs')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, absWorkingDir: dir, logLevel: 'silent' });
  const inputs = Object.keys(r.metafile.inputs);
  if (!inputs.includes('node_modules/hotpath/dist/index.browser.js')) throw new Error(`the bundle did not take the browser entry: ${inputs.join(', ')}`);
  // An import or require of a built-in, not any string that names one (a Worker's { type: "module" }).
  const builtin = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'](?:node:[a-z_/]+|fs|os|module|path|url|worker_threads|child_process)["']/.exec(r.outputFiles[0].text);
  if (builtin) throw new Error(`the browser bundle imports a Node built-in: ${builtin[0]}`);
});

await step('corrupt .node: the same fallback, naming the file', () => {
  const bin = join(full, 'node_modules', ...pkg.split('/'), `hotpath.${triple}.node`);
  writeFileSync(bin, 'not an ELF / Mach-O / PE file');
  const r = consume(full, 'wasm');
  if (r.native.loaded || !r.native.error.includes(`hotpath.${triple}.node`)) throw new Error(`native: ${JSON.stringify(r.native)}`);
  if (r.large !== 'wasm') throw new Error(JSON.stringify(r));
});

rmSync(work, { recursive: true, force: true });
console.log(`test:pack passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
