// node --expose-gc bench/ttl-memory.mjs: memory per 10^6 cache entries, each
// variant measured in a fresh process (RSS and V8 heap+external deltas).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const N = 1_000_000;
const variants = ['TtlCache native', 'TtlCache wasm', 'TtlCache js', 'lru-cache ttl', 'Map + setTimeout each'];

async function measure(name) {
  const hp = await import('../dist/index.js');
  const { LRUCache } = await import('lru-cache');
  const keys = Array.from({ length: N }, (_, i) => `session:${i}`);
  const snap = () => {
    globalThis.gc();
    const u = process.memoryUsage();
    return { rss: u.rss, js: u.heapUsed + u.external };
  };
  const before = snap();
  let c;
  if (name.startsWith('TtlCache')) {
    c = new hp.TtlCache({ maxSize: N, ttlMs: 600_000, backend: name.split(' ')[1], autoPurge: false });
    for (let i = 0; i < N; i++) c.set(keys[i], i);
  } else if (name === 'lru-cache ttl') {
    c = new LRUCache({ max: N, ttl: 600_000 });
    for (let i = 0; i < N; i++) c.set(keys[i], i);
  } else {
    c = new Map();
    for (let i = 0; i < N; i++) {
      const t = setTimeout(() => c.delete(keys[i]), 600_000);
      t.unref();
      c.set(keys[i], { value: i, timer: t });
    }
  }
  const after = snap();
  return { rssBytesPerEntry: (after.rss - before.rss) / N, heapBytesPerEntry: (after.js - before.js) / N, keep: typeof c };
}

if (process.argv[2]) {
  console.log(JSON.stringify(await measure(process.argv[2])));
} else {
  const self = fileURLToPath(import.meta.url);
  console.log('| variant | RSS bytes/entry | V8 heap+external bytes/entry |\n|---|---:|---:|');
  for (const v of variants) {
    let r;
    try {
      r = JSON.parse(execFileSync(process.execPath, ['--expose-gc', self, v], { encoding: 'utf8' }).trim().split('\n').pop());
    } catch (e) {
      console.log(`| ${v} | failed: ${e.message.split('\n')[0]} | |`);
      continue;
    }
    console.log(`| ${v} | ${r.rssBytesPerEntry.toFixed(0)} | ${r.heapBytesPerEntry.toFixed(0)} |`);
  }
}
