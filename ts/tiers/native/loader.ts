// Finds the addon the napi-rs way: an explicit HOTPATH_NATIVE_PATH, the
// platform-suffixed file beside the package (a source build), then the
// @hotpath/native-<triple> platform package that npm installs as an optional
// dependency. Every failed attempt is kept so backend() can say why.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../shared/paths.js';
import type { NativeAddon } from './addon.js';
import { NATIVE_EXPORTS } from './binding-exports.generated.js';
import { platformPackage, platformTriple } from './platform.js';

/** Outcome of a load attempt. */
export type NativeLoad = { addon: NativeAddon; path: string } | { addon: null; error: string };

const require = createRequire(import.meta.url);

function tryLoad(path: string): NativeAddon {
  const mod = require(path) as Partial<NativeAddon>;
  const missing = NATIVE_EXPORTS.filter((k) => typeof mod[k] !== 'function');
  if (missing.length > 0) throw new Error(`missing exports ${missing.join(', ')} (stale or foreign binary)`);
  return mod as NativeAddon;
}

/** Loads the native addon, or explains why it could not. */
export function loadNativeAddon(env: NodeJS.ProcessEnv = process.env): NativeLoad {
  const triple = platformTriple();
  const explicit = env.HOTPATH_NATIVE_PATH;
  const tried: string[] = [];
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  else if (triple === null) {
    return { addon: null, error: `no prebuilt binary exists for ${process.platform}-${process.arch}` };
  } else {
    const local = join(PACKAGE_ROOT, 'native', `hotpath.${triple}.node`);
    if (existsSync(local)) candidates.push(local);
    else tried.push(`${local}: not found`);
    try {
      candidates.push(require.resolve(platformPackage(triple)));
    } catch {
      tried.push(`${platformPackage(triple)}: package not installed`);
    }
  }
  for (const path of candidates) {
    try {
      return { addon: tryLoad(path), path };
    } catch (e) {
      tried.push(`${path}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const hint = explicit || triple === null
    ? ''
    : ` — the optional dependency ${platformPackage(triple)} should provide it; if npm skipped it (a lockfile made on another platform can drop it), delete package-lock.json and node_modules and run npm install again`;
  return { addon: null, error: `native addon for ${triple ?? 'this platform'} did not load: ${tried.join('; ')}${hint}` };
}
