// Headless Chromium for the browser suite, the demo report and anyone else,
// and the Vulkan driver Dawn (the `webgpu` package) uses without a GPU.
//
// Where they come from, in order:
//  1. HOTPATH_CHROMIUM (a Chromium executable) / VK_ICD_FILENAMES (a Vulkan driver), when set;
//  2. the npm devDependency @sparticuz/chromium: a headless Chromium, SwiftShader's Vulkan
//     driver, a Vulkan loader and the NSS libraries, unpacked once into
//     node_modules/.cache/hotpath-chromium/<version>/;
//  3. the system's: Debian's `chromium` (/usr/bin/chromium, with its SwiftShader ICD in
//     /usr/lib/chromium) and `libvulkan1`, or else the Vulkan drivers installed in icd.d;
//     npm test installs chromium + libvulkan1 when none of these is there and it may.
// HOTPATH_CHROMIUM_FROM=npm or =system restricts 2-3 to one source (to prove each path alone).
// Nothing is downloaded: playwright-core only drives the executable found here.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NPM_PACKAGE = join(ROOT, 'node_modules', '@sparticuz', 'chromium');
const CACHE = join(ROOT, 'node_modules', '.cache', 'hotpath-chromium');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const SYSTEM_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
// Where the Vulkan loader finds installed drivers (Mesa's, a GPU vendor's).
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

/** Debian packages that provide Chromium and a Vulkan driver when the npm-provided ones cannot run. */
export const APT_PACKAGES = ['chromium', 'libvulkan1'];

/** The one command that installs the fallback by hand. */
export const INSTALL_COMMAND = `sudo apt-get install -y ${APT_PACKAGES.join(' ')}`;

/** The flags the suite runs Chromium with (a fresh --user-data-dir is added per launch). */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // A WebGPU adapter even without a GPU (SwiftShader's Vulkan).
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
];

/**
 * Path of the Chromium executable used: null until resolveChromium() or
 * launchChromium() has run (a live binding), then the path it found.
 */
export let CHROMIUM = null;

/** Which of the npm-provided and system sources may be used (HOTPATH_CHROMIUM_FROM). */
function sources() {
  const from = process.env.HOTPATH_CHROMIUM_FROM ?? '';
  if (from === '') return { npm: true, system: true };
  if (from === 'npm' || from === 'system') return { npm: from === 'npm', system: from === 'system' };
  throw new Error(`HOTPATH_CHROMIUM_FROM must be "npm" or "system", not ${JSON.stringify(from)}`);
}

/** LD_LIBRARY_PATH with `dirs` first and the npm cache's folders removed from the rest. */
function libraryPath(dirs, current = process.env.LD_LIBRARY_PATH ?? '') {
  const rest = current.split(delimiter).filter((d) => d !== '' && !d.startsWith(CACHE));
  return [...dirs, ...new Set(rest)].join(delimiter);
}

// ---------------------------------------------------------------------------
// The npm-provided bundle

/**
 * Extracts an uncompressed tar (the ustar/GNU subset the package's archives use:
 * regular files and folders) into `into`. Refuses links, absolute paths and `..`.
 */
function untar(buf, into) {
  const field = (h, from, to) => {
    const s = h.subarray(from, to);
    const end = s.indexOf(0);
    return s.subarray(0, end < 0 ? s.length : end).toString('utf8');
  };
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (sum !== parseInt(field(h, 148, 156).trim(), 8)) throw new Error(`tar header checksum mismatch at byte ${off}`);
    // POSIX ustar keeps a path prefix at 345; GNU tar ("ustar  ") keeps other fields there.
    const prefix = h.subarray(257, 263).toString('latin1') === 'ustar\0' ? field(h, 345, 500) : '';
    const name = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const size = parseInt(field(h, 124, 136).trim() || '0', 8);
    const mode = parseInt(field(h, 100, 108).trim() || '644', 8) & 0o777;
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]);
    const body = off + 512;
    if (!Number.isSafeInteger(size) || body + size > buf.length) throw new Error(`tar entry ${name} runs past the archive`);
    off = body + Math.ceil(size / 512) * 512;
    const rel = normalize(name);
    if (rel === '.' || rel === './') continue;
    if (isAbsolute(rel) || rel.split(sep).includes('..')) throw new Error(`tar entry with an unsafe path: ${name}`);
    const out = join(into, rel);
    if (type === '5') mkdirSync(out, { recursive: true });
    else if (type === '0') {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, buf.subarray(body, body + size), { mode });
    } else throw new Error(`tar entry ${name} has unsupported type ${type}`);
  }
}

// What a complete unpacked bundle holds (lib/: NSS, NSPR and expat from al2023.tar.br).
const BUNDLE_FILES = ['chromium', 'vk_swiftshader_icd.json', 'libvk_swiftshader.so', 'libvulkan.so.1', 'libEGL.so', 'libGLESv2.so', 'lib/libnss3.so', 'fonts.conf'];

/** Unpacks the package's archives into `into` (a fresh folder). */
function unpackInto(bin, into, finalDir) {
  writeFileSync(join(into, 'chromium'), brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))), { mode: 0o755 });
  // libvk_swiftshader.so, vk_swiftshader_icd.json, libvulkan.so.1, libEGL.so, libGLESv2.so:
  // next to the executable, where Chromium looks for them.
  untar(brotliDecompressSync(readFileSync(join(bin, 'swiftshader.tar.br'))), into);
  untar(brotliDecompressSync(readFileSync(join(bin, 'al2023.tar.br'))), into);
  untar(brotliDecompressSync(readFileSync(join(bin, 'fonts.tar.br'))), into);
  // The package's fonts.conf names Lambda's folders; this one names ours (at the final path).
  writeFileSync(join(into, 'fonts.conf'), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(finalDir, 'fonts')}</dir>\n  <cachedir>${join(finalDir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`);
}

let bundleMemo = null;

/**
 * The npm-provided bundle, unpacked once: `{ dir, version, unpacked }` (unpacked: true when
 * this call did it) or `{ error }`. Unpacks into a temporary folder beside the cache and
 * renames it into place, so processes racing here (vitest's workers, two test runs) never
 * see half a tree; the loser of the race drops its copy.
 */
export function npmBundle() {
  if (bundleMemo) return bundleMemo;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return (bundleMemo = { error: `@sparticuz/chromium is built for Linux x64, not ${process.platform}-${process.arch}` });
  }
  if (!process.report?.getReport().header.glibcVersionRuntime) return (bundleMemo = { error: '@sparticuz/chromium is built for glibc, and this is not a glibc system' });
  const bin = join(NPM_PACKAGE, 'bin');
  if (!existsSync(join(bin, 'chromium.br'))) return (bundleMemo = { error: `${join(NPM_PACKAGE, 'bin', 'chromium.br')} is missing (run npm install)` });
  let version;
  try {
    version = JSON.parse(readFileSync(join(NPM_PACKAGE, 'package.json'), 'utf8')).version;
  } catch (e) {
    return (bundleMemo = { error: `cannot read @sparticuz/chromium's package.json: ${e.message}` });
  }
  const dir = join(CACHE, version);
  const complete = () => BUNDLE_FILES.every((f) => existsSync(join(dir, f)));
  if (complete()) return (bundleMemo = { dir, version, unpacked: false });
  let tmp = null;
  try {
    mkdirSync(CACHE, { recursive: true });
    // Temporary trees of unpacks that were killed midway (an hour old: no live unpack takes that long).
    for (const name of readdirSync(CACHE)) {
      const p = join(CACHE, name);
      try {
        if (name.startsWith('.') && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
      } catch { /* removed by another process meanwhile */ }
    }
    // A folder left incomplete (files deleted by hand): move it aside, then unpack afresh.
    if (existsSync(dir)) {
      const old = mkdtempSync(join(CACHE, `.${version}-old-`));
      try { renameSync(dir, join(old, 'tree')); } catch { /* another process moved it first */ }
      rmSync(old, { recursive: true, force: true });
    }
    tmp = mkdtempSync(join(CACHE, `.${version}-`));
    unpackInto(bin, tmp, dir);
    chmodSync(tmp, 0o755); // mkdtemp made it private
    try {
      renameSync(tmp, dir);
      tmp = null;
    } catch (e) {
      // Another process renamed its complete copy first.
      if (!(e.code === 'ENOTEMPTY' || e.code === 'EEXIST') || !complete()) throw e;
    }
    return (bundleMemo = { dir, version, unpacked: true });
  } catch (e) {
    return (bundleMemo = { error: `unpacking @sparticuz/chromium into ${dir} failed: ${e.message}` });
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Chromium

/** Runs `exe --version` (10 s at most): the version line, or throws with why it did not start. */
function startsAs(exe, env) {
  const r = spawnSync(exe, ['--version'], { env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`${exe} --version: ${r.error.message}`);
  const out = `${r.stdout}`.trim();
  if (r.status !== 0 || !/Chrom/.test(out)) throw new Error(`${exe} --version exited ${r.status ?? r.signal}: ${`${r.stderr}`.trim().split('\n').slice(-3).join(' | ') || out}`);
  return out;
}

let chromiumMemo = null;

/**
 * Finds a Chromium that starts: HOTPATH_CHROMIUM, else the npm-provided one (unpacked on
 * first use), else /usr/bin/chromium. Returns `{ path, env, from, version, unpacked }`
 * (`env`: the environment to start it with; `from`: 'HOTPATH_CHROMIUM', 'npm' or 'system').
 * Throws, saying what each source lacked and the command that installs the fallback.
 */
export function resolveChromium() {
  if (chromiumMemo) return chromiumMemo;
  const tried = [];
  const found = (r) => {
    CHROMIUM = r.path;
    return (chromiumMemo = r);
  };
  if (process.env.HOTPATH_CHROMIUM) {
    const path = process.env.HOTPATH_CHROMIUM;
    if (!existsSync(path)) throw new Error(`Chromium not found at HOTPATH_CHROMIUM=${path}`);
    // Not started to check: Windows' chrome.exe prints no --version.
    return found({ path, env: { ...process.env }, from: 'HOTPATH_CHROMIUM', version: null, unpacked: false });
  }
  const use = sources();
  if (use.npm) {
    const b = npmBundle();
    if (b.error) tried.push(`npm: ${b.error}`);
    else {
      const path = join(b.dir, 'chromium');
      const env = { ...process.env, LD_LIBRARY_PATH: libraryPath([b.dir, join(b.dir, 'lib')]), FONTCONFIG_PATH: b.dir };
      try {
        return found({ path, env, from: 'npm', version: startsAs(path, env), unpacked: b.unpacked });
      } catch (e) {
        tried.push(`npm: ${e.message}`);
      }
    }
  }
  if (use.system) {
    if (!existsSync(SYSTEM_CHROMIUM)) tried.push(`system: ${SYSTEM_CHROMIUM} is missing`);
    else {
      const env = { ...process.env, LD_LIBRARY_PATH: libraryPath([]) };
      if (env.LD_LIBRARY_PATH === '') delete env.LD_LIBRARY_PATH;
      try {
        return found({ path: SYSTEM_CHROMIUM, env, from: 'system', version: startsAs(SYSTEM_CHROMIUM, env), unpacked: false });
      } catch (e) {
        tried.push(`system: ${e.message}`);
      }
    }
  }
  const fix = process.platform === 'linux' ? `Run \`${INSTALL_COMMAND}\` (npm test does it itself as root or with passwordless sudo), or set` : 'Set';
  throw Object.assign(new Error(`Chromium not found (${tried.join('; ')}). ${fix} HOTPATH_CHROMIUM to a Chrome or Chromium executable`), { tried });
}

/**
 * Launches Chromium (resolveChromium()) headless with a fresh profile, through
 * playwright-core. Throws (never skips) when none is found. Returns the playwright
 * BrowserContext and a close() that also removes the profile.
 */
export async function launchChromium() {
  const c = resolveChromium();
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'hotpath-chromium-'));
  let context;
  try {
    // launchPersistentContext is playwright's way to pass --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: c.path,
      env: c.env,
      headless: false, // --headless=new is in the flags, spelled as the suite requires
      args: CHROMIUM_FLAGS,
      viewport: { width: 1100, height: 900 },
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Vulkan for Dawn

/** The ICD's driver library, resolved as the Vulkan loader does (relative to the manifest), or null. */
function icdLibrary(icd) {
  try {
    const lib = JSON.parse(readFileSync(icd, 'utf8'))?.ICD?.library_path;
    if (typeof lib !== 'string' || lib === '') return null;
    // A bare name is searched by dlopen; a path is relative to the manifest's folder.
    const path = lib.includes('/') ? resolve(dirname(icd), lib) : lib;
    return !lib.includes('/') || existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** The system's Vulkan loader (Debian's libvulkan1), or null. */
function systemLoader() {
  const triplet = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch] ?? '';
  const dirs = [`/usr/lib/${triplet}`, `/lib/${triplet}`, '/usr/lib64', '/usr/lib'];
  return dirs.map((d) => join(d, 'libvulkan.so.1')).find((p) => existsSync(p)) ?? null;
}

/**
 * The environment that gives Dawn a Vulkan driver without a GPU. `env` holds the variables
 * to set in a process **before it starts** (glibc reads LD_LIBRARY_PATH at start-up, so
 * setting it in a running process does not reach Dawn's dlopen of the loader):
 *  - from 'user': VK_ICD_FILENAMES, VK_DRIVER_FILES or HOTPATH_GPU_NATIVE_DRIVER is set
 *    (a real GPU's driver), nothing is changed;
 *  - from 'npm': VK_ICD_FILENAMES at the unpacked vk_swiftshader_icd.json, LD_LIBRARY_PATH
 *    at the folder with the unpacked libvulkan.so.1;
 *  - from 'system': VK_ICD_FILENAMES at Debian chromium's SwiftShader ICD (libvulkan1's
 *    loader);
 *  - from 'system-drivers': the system's loader with the drivers installed in icd.d (Mesa's
 *    lavapipe on Ubuntu 24.04; Debian 12's is too old for Dawn), nothing is changed;
 *  - from 'platform': not Linux, where Dawn uses Metal or D3D12, nothing is changed;
 *  - from null: none found; `reason` says why.
 * `env.HOTPATH_TEST_VULKAN_LOADER` names the loader expected in the process, which the
 * WebGPU suites check against /proc/self/maps.
 */
export function gpuEnvironment() {
  const env = { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir() };
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.HOTPATH_GPU_NATIVE_DRIVER) {
    return { from: 'user', env, icd: process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || null, loader: null };
  }
  if (process.platform !== 'linux') return { from: 'platform', env, icd: null, loader: null };
  const tried = [];
  const use = sources();
  if (use.npm) {
    const b = npmBundle();
    if (b.error) tried.push(`npm: ${b.error}`);
    else {
      const icd = join(b.dir, 'vk_swiftshader_icd.json');
      const loader = join(b.dir, 'libvulkan.so.1');
      if (!icdLibrary(icd)) tried.push(`npm: ${icd}'s library_path does not resolve`);
      else {
        Object.assign(env, { VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: libraryPath([b.dir]), HOTPATH_TEST_VULKAN_LOADER: loader });
        return { from: 'npm', env, icd, loader, unpacked: b.unpacked };
      }
    }
  }
  if (use.system) {
    const loader = systemLoader();
    // The npm cache's folder out of LD_LIBRARY_PATH, so the system's loader is the one opened.
    const ld = libraryPath([]);
    if (ld !== (process.env.LD_LIBRARY_PATH ?? '')) env.LD_LIBRARY_PATH = ld;
    const drivers = ICD_DIRS.flatMap((d) => {
      try {
        return readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f));
      } catch {
        return [];
      }
    });
    if (!loader) tried.push("system: no libvulkan.so.1 (Debian's libvulkan1)");
    else if (existsSync(SYSTEM_ICD) && icdLibrary(SYSTEM_ICD)) {
      Object.assign(env, { VK_ICD_FILENAMES: SYSTEM_ICD, HOTPATH_TEST_VULKAN_LOADER: realpathSync(loader) });
      return { from: 'system', env, icd: SYSTEM_ICD, loader };
    } else if (drivers.length > 0) {
      env.HOTPATH_TEST_VULKAN_LOADER = realpathSync(loader);
      return { from: 'system-drivers', env, icd: drivers.join(', '), loader };
    } else tried.push(`system: no SwiftShader ICD at ${SYSTEM_ICD} (Debian's chromium) and no driver in ${ICD_DIRS.join(', ')}`);
  }
  const fix = process.platform === 'linux' ? `Run \`${INSTALL_COMMAND}\`, or set` : 'Set';
  return { from: null, env, icd: null, loader: null, tried, reason: `no Vulkan driver for Dawn (${tried.join('; ')}). ${fix} VK_ICD_FILENAMES to a Vulkan driver's ICD` };
}

/**
 * For scripts that load Dawn themselves (bench/gpu.mjs, bench/model.mjs): when
 * gpuEnvironment() needs variables this process did not start with (LD_LIBRARY_PATH only
 * counts from a process's start), runs the same script again in a child process with them
 * (same node flags and arguments) and exits with its status; otherwise returns at once.
 */
export function withGpuEnvironment() {
  const { env } = gpuEnvironment();
  const differs = Object.entries(env).some(([k, v]) => k !== 'XDG_RUNTIME_DIR' && process.env[k] !== v);
  // HOTPATH_GPU_ENV_SET: the re-run itself never re-runs again.
  if (!differs || process.env.HOTPATH_GPU_ENV_SET) {
    for (const [k, v] of Object.entries(env)) process.env[k] ??= v;
    return;
  }
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...env, HOTPATH_GPU_ENV_SET: '1' } });
  process.exit(r.status ?? 1);
}

// ---------------------------------------------------------------------------
// The fallback: Debian packages

/** How this process may run apt-get as root: [] (is root), ['sudo', '-n'], or null (may not). */
function aptRunner() {
  if (process.platform !== 'linux') return null;
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  if (!has('apt-get')) return null;
  if (process.getuid?.() === 0) return [];
  if (has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0) return ['sudo', '-n'];
  return null;
}

/**
 * What `npm test` runs before building: finds Chromium and Dawn's Vulkan driver (unpacking
 * the npm-provided ones on first use) and prints what it found. When neither the npm-provided
 * nor the system's can be used and this process may install packages (root, or passwordless
 * sudo, with apt-get), installs APT_PACKAGES, saying so; otherwise throws at once with the
 * command to run. A Vulkan driver is not required where HOTPATH_EXPECT_ABSENT names webgpu.
 * Returns `{ chromium, gpu }`.
 */
export function prepareBrowserAndGpu({ log = console.log, install = true } = {}) {
  const gpuAbsent = (process.env.HOTPATH_EXPECT_ABSENT ?? '').split(',').map((s) => s.trim()).includes('webgpu');
  // What is missing, one line per need, saying what each source lacked.
  const problems = () => {
    const out = [];
    try {
      resolveChromium();
    } catch (e) {
      out.push(`Chromium: ${e.tried ? e.tried.join('; ') : e.message}`);
    }
    const gpu = gpuEnvironment();
    if (gpu.from === null && !gpuAbsent) out.push(`Vulkan driver for Dawn: ${gpu.tried.join('; ')}`);
    return out;
  };
  const stop = (missing) => {
    const only = process.env.HOTPATH_CHROMIUM_FROM ? [`(HOTPATH_CHROMIUM_FROM=${process.env.HOTPATH_CHROMIUM_FROM}: no other source was looked at)`] : [];
    const fix = process.platform === 'linux'
      ? [`Run: ${INSTALL_COMMAND}`, '(npm test runs it itself as root or with passwordless sudo; HOTPATH_CHROMIUM and VK_ICD_FILENAMES name a Chromium and a Vulkan driver of your own)']
      : ['Set HOTPATH_CHROMIUM to a Chrome or Chromium executable.'];
    return new Error([...missing.map((m) => `  ${m}`), ...only, ...fix].join('\n'));
  };
  let missing = problems();
  if (missing.length > 0) {
    const runner = install && sources().system && !process.env.HOTPATH_CHROMIUM ? aptRunner() : null;
    if (runner === null) throw stop(missing);
    for (const m of missing) log(`test: ${m}`);
    log(`test: installing the fallback, Debian's ${APT_PACKAGES.join(' ')}, with ${[...runner, 'apt-get'].join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update', '-q'], ['install', '-y', '-q', ...APT_PACKAGES]]) {
      const cmd = [...runner, 'apt-get', ...args];
      log(`test: $ ${cmd.join(' ')}`);
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env });
      if (r.status !== 0) throw new Error(`\`${cmd.join(' ')}\` failed (${r.status ?? r.error?.message ?? r.signal}); run \`${INSTALL_COMMAND}\` by hand`);
    }
    chromiumMemo = null;
    missing = problems();
    if (missing.length > 0) throw stop(missing);
  }
  const chromium = resolveChromium();
  const gpu = gpuEnvironment();
  const where = { npm: 'npm (@sparticuz/chromium)', system: 'the system', 'system-drivers': "the system's installed drivers", platform: "Dawn's own backend on this platform", HOTPATH_CHROMIUM: 'HOTPATH_CHROMIUM', user: 'VK_ICD_FILENAMES / HOTPATH_GPU_NATIVE_DRIVER (yours)' };
  log(`test: Chromium from ${where[chromium.from]}${chromium.unpacked ? ', unpacked now' : ''}: ${chromium.path}${chromium.version ? ` (${chromium.version})` : ''}`);
  if (gpu.from === null) log(`test: no Vulkan driver for Dawn; HOTPATH_EXPECT_ABSENT names webgpu`);
  else log(`test: Vulkan for Dawn from ${where[gpu.from]}${gpu.icd ? `: ICD ${gpu.icd}` : ''}${gpu.loader ? `, loader ${gpu.loader}` : ''}`);
  return { chromium, gpu };
}
