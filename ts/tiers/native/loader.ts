// Finds the addon the napi-rs way: an explicit HOTPATH_NATIVE_PATH, the
// platform-suffixed file beside the package (a source build), then the
// @hotpath/native-<triple> platform package that npm installs as an optional
// dependency. Every failed attempt is kept so backend() can say why.
// Bundled into another file (a server-side bundle), the package's own folder
// is unknown: the addon is then looked for beside the bundle and through the
// bundle's node_modules, and the error says to keep hotpath out of the bundle.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './addon.js';
import { NATIVE_EXPORTS } from './binding-exports.generated.js';
import { platformPackage, platformTriple } from './platform.js';

/** Outcome of a load attempt. */
export type NativeLoad = { addon: NativeAddon; path: string } | { addon: null; error: string };

/**
 * The package's root while this module is still its own file; else the
 * bundle it was copied into (null when a CommonJS bundle hides even that).
 */
function whereAmI(): { root: string; bundle: null } | { root: null; bundle: string | null } {
  const url = import.meta.url as string | undefined;
  if (url && /\/(?:dist|ts)\/tiers\/native\/loader\.[jt]s$/.test(url)) return { root: fileURLToPath(new URL('../../../', url)), bundle: null };
  if (url?.startsWith('file:')) return { root: null, bundle: fileURLToPath(url) };
  return { root: null, bundle: typeof __filename === 'string' ? __filename : null };
}

// import.meta is empty in a CommonJS bundle, whose own require is the one to use.
const require = import.meta.url ? createRequire(import.meta.url) : typeof __filename === 'string' ? createRequire(__filename) : null;

function tryLoad(require: NodeJS.Require, path: string): NativeAddon {
  const mod = require(path) as Partial<NativeAddon>;
  const missing = NATIVE_EXPORTS.filter((k) => typeof mod[k] !== 'function');
  if (missing.length > 0) throw new Error(`missing exports ${missing.join(', ')} (stale or foreign binary)`);
  return mod as NativeAddon;
}

/** Loads the native addon, or explains why it could not. */
export function loadNativeAddon(env: NodeJS.ProcessEnv = process.env): NativeLoad {
  const triple = platformTriple();
  const explicit = env.HOTPATH_NATIVE_PATH;
  const where = whereAmI();
  const tried: string[] = [];
  const candidates: string[] = [];
  if (require === null) {
    return { addon: null, error: `native addon did not load: hotpath was bundled into a CommonJS file without require, so no .node file can be loaded — keep hotpath out of the bundle (esbuild --packages=external or --external:hotpath)` };
  }
  if (explicit) candidates.push(explicit);
  else if (triple === null) {
    return { addon: null, error: `no prebuilt binary exists for ${process.platform}-${process.arch}` };
  } else {
    const dir = where.root !== null ? join(where.root, 'native') : where.bundle !== null ? dirname(where.bundle) : null;
    if (dir !== null) {
      const local = join(dir, `hotpath.${triple}.node`);
      if (existsSync(local)) candidates.push(local);
      else tried.push(`${local}: not found`);
    }
    try {
      candidates.push(require.resolve(platformPackage(triple)));
    } catch {
      tried.push(`${platformPackage(triple)}: package not installed${where.root === null ? ' where the bundle can resolve it' : ''}`);
    }
  }
  for (const path of candidates) {
    try {
      return { addon: tryLoad(require, path), path };
    } catch (e) {
      tried.push(`${path}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  let hint = '';
  if (!explicit && triple !== null) {
    // Bundled, the cause is the bundle (a .node file cannot be inlined), not the install.
    hint = where.root === null
      ? ` — hotpath was bundled into ${where.bundle ?? 'a CommonJS bundle'}, and a bundler cannot carry the native addon (a .node file): keep hotpath out of the bundle (esbuild --packages=external or --external:hotpath, webpack externals, Rollup external) so it loads from node_modules, or set HOTPATH_NATIVE_PATH to the addon's file`
      : ` — the optional dependency ${platformPackage(triple)} should provide it; if npm skipped it (a lockfile made on another platform can drop it), delete package-lock.json and node_modules and run npm install again`;
  }
  return { addon: null, error: `native addon for ${triple ?? 'this platform'} did not load: ${tried.join('; ')}${hint}` };
}
