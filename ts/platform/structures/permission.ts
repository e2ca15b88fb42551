// PermissionIndex: its ordered index is a BPlusTree and its TTLs a
// TimingWheel, so importing it registers both structures' cores (and only
// those): a bundle that never checks a permission carries none of it.
import './btree.js';
import './wheel.js';
import { PermissionIndex } from '../../api/permission-index.js';

export { PermissionIndex };
