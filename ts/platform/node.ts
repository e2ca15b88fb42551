// Node side of the platform split: loads the native and wasm tiers
// synchronously while the entry module is imported, honours HOTPATH_*
// variables, and answers topology() from the os module without the addon.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { backend, type BackendInfo } from '../api/backend.js';
import { setHostTopology } from '../api/topology.js';
import { flatTopology } from '../contract/topology.js';
import { applyEnvironment, dispatchInfo, installTiers } from '../dispatch/dispatch.js';
import { jsTier } from '../tiers/js/index.js';
import { loadNativeTier } from '../tiers/native/index.js';
import { loadWasmTier } from '../tiers/wasm/loader.js';
import type { InitOptions } from './init-options.js';
import { installNodeOffThread } from './offthread-node.js';

/** A calibration table is a few KiB; anything past this is not one (e.g. /dev/zero). */
const MAX_CALIBRATION_BYTES = 1 << 20;

/** Reads a calibration file, refusing at once what cannot be one: a device, a FIFO, a huge or endless file. */
function readCalibrationFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('is not a regular file');
    if (st.size > MAX_CALIBRATION_BYTES) throw new Error(`is ${st.size} bytes; a calibration table is at most ${MAX_CALIBRATION_BYTES}`);
    // Bounded read: the file may grow after the stat.
    const buf = Buffer.alloc(MAX_CALIBRATION_BYTES + 1);
    let n = 0;
    for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
    if (n > MAX_CALIBRATION_BYTES) throw new Error(`is over ${MAX_CALIBRATION_BYTES} bytes; a calibration table is at most that`);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

installTiers({ js: jsTier(), native: loadNativeTier(), wasm: loadWasmTier() });
applyEnvironment(process.env, readCalibrationFile);
// After the tiers: the pool runs wasm/js *Async calls on the tier the main thread loaded.
installNodeOffThread();
setHostTopology(() => flatTopology('os', availableParallelism(), cpus().length || availableParallelism(), totalmem(), dispatchInfo().tiers.wasm.simd));

/**
 * Resolves once the tiers are loaded. On Node they load synchronously when
 * `hotpath` is imported, so this resolves at once and `options` are ignored
 * (HOTPATH_WASM_PATH picks another wasm file); it exists so code shared with
 * browsers can `await init()` unconditionally.
 */
export function init(options?: InitOptions): Promise<BackendInfo> {
  void options;
  return Promise.resolve(backend());
}
