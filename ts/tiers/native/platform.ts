// napi-rs platform triples, e.g. linux-x64-gnu, darwin-arm64, win32-x64-msvc.
import { readFileSync } from 'node:fs';

function isMusl(): boolean {
  // glibc reports its runtime version in the process report; musl does not.
  try {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    if (header) return !header.glibcVersionRuntime;
  } catch {
    // fall through to the ldd probe
  }
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    return false;
  }
}

/** The napi-rs platform suffix of this process, or null when the platform has no target. */
export function platformTriple(platform: string = process.platform, arch: string = process.arch): string | null {
  if (platform === 'linux') {
    if (arch !== 'x64' && arch !== 'arm64') return null;
    return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  }
  if (platform === 'darwin') return arch === 'x64' || arch === 'arm64' ? `darwin-${arch}` : null;
  if (platform === 'win32') return arch === 'x64' ? 'win32-x64-msvc' : null;
  return null;
}

/**
 * The npm package that carries the prebuilt addon for a triple: napi-rs's
 * `<napi.packageName>-<triple>` (package.json `napi.packageName`), listed in
 * the main package's optionalDependencies at publish time.
 */
export function platformPackage(triple: string): string {
  return `@hotpath/native-${triple}`;
}
