// Stand-in for test/support/child.ts in the page: a fresh Node process cannot
// be spawned from a browser, so those tests report as needing Node.
import { NodeOnly } from './vitest-shim.js';

export const ROOT = '/';

export function runChild(): never {
  throw new NodeOnly('spawns a Node child process');
}
