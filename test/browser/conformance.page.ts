// Page entry of the browser suite: the Node conformance and model test files,
// unchanged, bundled against the browser build (see bundles.ts), run after
// init(); page-env.ts reads the page's query.
import { SIMD } from './page-env.js';
import { init } from '../../ts/index.js';
import { runRegistered } from './vitest-shim.js';
import '../similarity.test.js';
import '../analytics.test.js';
import '../btree.test.js';
import '../timing-wheel.test.js';
import '../ttl-cache.test.js';
import '../quantile-sketch.test.js';
import '../routing.test.js';
import '../batcher.test.js';
import '../permission-index.test.js';

const g = globalThis as Record<string, unknown>;
try {
  const info = await init({ simd: SIMD });
  const results = await runRegistered();
  g.__hotpathSuite = { backend: info, results };
} catch (e) {
  g.__hotpathSuite = { error: String((e as Error)?.stack ?? e) };
}
