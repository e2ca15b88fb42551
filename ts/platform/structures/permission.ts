// PermissionIndex: its ordered index is a BPlusTree and its TTLs a
// TimingWheel, so importing it registers both structures' cores (and only
// those): a bundle that never checks a permission carries none of it.
import { PermissionIndex as PermissionIndexClass } from '../../api/permission-index.js';
import { BPlusTree } from './btree.js';
import { TimingWheel } from './wheel.js';

/** Returns `value`; its other arguments only make bundlers keep the modules they come from. */
function keeping<T>(value: T, ...structures: unknown[]): T {
  if (structures.length === 0) throw new Error('unreachable');
  return value;
}

// A bare `import './btree.js'` is dropped (with a warning from esbuild) when the
// package says "sideEffects"; using a binding of each keeps their provideStructure calls.
/** {@inheritDoc PermissionIndexClass} */
export const PermissionIndex = keeping(PermissionIndexClass, BPlusTree, TimingWheel);
export type PermissionIndex = PermissionIndexClass;
