// A bundle pays for what it uses: the browser build tree-shakes, so a page
// importing one kernel carries neither the WebGPU tier and its shaders nor
// the data structures (package.json's sideEffects names only the entries
// and the platform modules).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, bundleForBrowser } from '../scripts/demo-web.mjs';

// Inside the package, so 'hotpath' resolves to it as it does for a consumer.
const dir = join(ROOT, 'test', '.artifacts', 'bundle');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(name: string, source: string): Promise<string> {
  writeFileSync(join(dir, `${name}.mjs`), source);
  await bundleForBrowser(join(dir, `${name}.mjs`), join(dir, `${name}.js`), { minify: true });
  return readFileSync(join(dir, `${name}.js`), 'utf8');
}

describe('browser bundles', () => {
  it('one kernel: no WebGPU tier, no shaders, no data structures, a fraction of the whole API', async () => {
    const one = await bundle('one', "import { cosineBatch } from 'hotpath';\nglobalThis.r = cosineBatch(new Float32Array(4), new Float32Array(8), 4);\n");
    const all = await bundle('all', "import * as hp from 'hotpath';\nglobalThis.hp = hp;\n");
    for (const marker of ['hotpath.gpu.', '@compute', 'createComputePipeline', 'hotpath.BPlusTree', 'hotpath.TimingWheel', 'hotpath.TtlCache', 'hotpath.QuantileSketch', 'targetP99Ms', 'hotpath.PermissionIndex', 'hotpath.DenseModel', 'btreeNew', 'wheelNew', 'sketchNew', 'modelNew']) {
      expect(all, marker).toContain(marker);
      expect(one, marker).not.toContain(marker);
    }
    expect(one).toContain('"cosineBatch"');
    expect(one.length).toBeLessThan(all.length / 4);
  });
});
