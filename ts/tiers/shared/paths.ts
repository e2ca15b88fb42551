// Locating files that ship beside the compiled code. Source (ts/tiers/shared) and build
// output (dist/) sit at the same depth, so one relative hop reaches the root.
import { fileURLToPath } from 'node:url';

/** Absolute path of the package root. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
