// npm run bench:sketch: QuantileSketch beside every peer a user would pick,
// side by side in one process: ns per recorded value (single calls and one
// batch of 10^6), a p50+p99+p99.9 query, merging 1000 sketches of 10^4
// values plus a query, serialized size, worst relative error, and the sample
// count below which keeping raw values plus percentiles() is cheaper.
// Writes bench/results/sketch.json and .md (the README's table).
import { best } from './lib/timing.mjs';
import { createHistogram } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DDSketch } from '@datadog/sketches-js';
import * as hdr from 'hdr-histogram-js';
import * as hp from '../dist/index.js';
import { mulberry32 } from './lib/data.mjs';

const require = createRequire(import.meta.url);
const { TDigest } = require('tdigest');
const quick = process.argv.includes('--quick');
const N = quick ? 200_000 : 1_000_000;
const QS = [0.5, 0.99, 0.999];

function lognormal(n, seed) {
  const r = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
    out[i] = Math.exp(Math.log(5) + 0.8 * z); // ms, median 5
  }
  return out;
}

const x = lognormal(N, 1);
const xs = x.slice().sort();
const truth = QS.map((q) => xs[Math.floor(q * (N - 1))]);
const relErr = (est) => Math.max(...est.map((e, i) => Math.abs(e - truth[i]) / truth[i]));
// HDR histograms take integers: record microseconds.
const micros = Uint32Array.from(x, (v) => Math.max(1, Math.round(v * 1000)));
await hdr.initWebAssembly();

const contenders = {
  'hotpath QuantileSketch (auto)': () => {
    const s = new hp.QuantileSketch({ relativeAccuracy: 0.01 });
    return {
      recordAll: (a) => { for (let i = 0; i < a.length; i++) s.record(a[i]); },
      many: (a) => s.recordMany(a),
      query: () => s.quantiles(QS),
      size: () => s.toProto().length,
      tier: s.backend,
      done: () => s.dispose(),
    };
  },
  ...Object.fromEntries(['native', 'wasm', 'js'].filter((t) => hp.backend().tiers[t].loaded).map((t) => [`hotpath QuantileSketch (${t})`, () => {
    const s = new hp.QuantileSketch({ relativeAccuracy: 0.01, backend: t });
    // A loop per tier (new Function): one shared loop would see several record methods and stop inlining.
    return { recordAll: new Function('s', 'a', 'for (let i = 0; i < a.length; i++) s.record(a[i]);').bind(null, s), many: (a) => s.recordMany(a), query: () => s.quantiles(QS), size: () => s.toProto().length, done: () => s.dispose() };
  }])),
  'node perf_hooks.createHistogram (HDR, C++)': () => {
    const h = createHistogram({ lowest: 1, highest: 3_600_000_000, figures: 3 });
    return { recordAll: (a) => { if (a === x) for (let i = 0; i < micros.length; i++) h.record(micros[i]); else for (const v of a) h.record(Math.max(1, Math.round(v * 1000))); }, query: () => QS.map((q) => h.percentile(q * 100) / 1000), done: () => {} };
  },
  'hdr-histogram-js (WebAssembly)': () => {
    const h = hdr.build({ useWebAssembly: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
    return { recordAll: (a) => { if (a === x) for (let i = 0; i < micros.length; i++) h.recordValue(micros[i]); else for (const v of a) h.recordValue(Math.max(1, Math.round(v * 1000))); }, query: () => QS.map((q) => h.getValueAtPercentile(q * 100) / 1000), size: () => hdr.encodeIntoCompressedBase64(h).length * 0.75, done: () => h.destroy() };
  },
  '@datadog/sketches-js DDSketch 1%': () => {
    const d = new DDSketch({ relativeAccuracy: 0.01 });
    return { recordAll: (a) => { for (let i = 0; i < a.length; i++) d.accept(a[i]); }, query: () => QS.map((q) => d.getValueAtQuantile(q)), size: () => d.toProto().length, done: () => {} };
  },
  tdigest: () => {
    const t = new TDigest();
    return { recordAll: (a) => { for (let i = 0; i < a.length; i++) t.push(a[i]); }, query: () => { t.compress(); return QS.map((q) => t.percentile(q)); }, done: () => {} };
  },
  'exact (Float64Array + hotpath.percentiles)': () => {
    let buf = new Float64Array(1024);
    let n = 0;
    return {
      recordAll: (a) => {
        for (let i = 0; i < a.length; i++) {
          if (n === buf.length) { const b = new Float64Array(n * 2); b.set(buf); buf = b; }
          buf[n++] = a[i];
        }
      },
      query: () => Array.from(hp.percentiles(buf.subarray(0, n), QS.map((q) => q * 100))),
      size: () => n * 8,
      done: () => {},
    };
  },
};

const rows = [];
for (const [name, make] of Object.entries(contenders)) {
  // Single calls: every value through record(), in the contender's own loop, timed over all N (a fresh structure per rep).
  let c;
  const perValue = best(() => {
    c?.done();
    c = make();
    c.recordAll(x);
  }, quick ? 2 : 3) * 1e6 / N;
  const est = Array.from(c.query());
  const query = best(() => { for (let i = 0; i < 1000; i++) c.query(); }) * 1000 / 1000;
  // A dashboard's pattern: one new value, then the query (a sketch rebuilds its view after a change).
  const requery = best(() => { for (let i = 0; i < 200; i++) { c.recordAll(x.subarray(i, i + 1)); c.query(); } }) * 1000 / 200;
  const size = c.size ? c.size() : null;
  c.done();
  let many = null;
  if (make().many) {
    let m;
    many = best(() => { m?.done(); m = make(); m.many(x); }, 3);
    m.done();
  }
  rows.push({ name, nsPerValue: perValue, recordManyMs: many, queryUs: query, requeryUs: requery, bytes: size, maxRelErr: relErr(est) });
  console.log(`${name}: ${perValue.toFixed(1)} ns/value, recordMany ${many?.toFixed(2) ?? '-'} ms, query ${query.toFixed(2)} µs, ${size ?? '-'} B, err ${(relErr(est) * 100).toFixed(3)}%`);
}

// Merging 1000 sketches of 10^4 values plus one query (the federated case).
const P = quick ? 200 : 1000;
const parts = Array.from({ length: P }, (_, i) => lognormal(10_000, 100 + i));
const ours = parts.map((p) => { const s = new hp.QuantileSketch(); s.recordMany(p); return s; });
const dds = parts.map((p) => { const d = new DDSketch({ relativeAccuracy: 0.01 }); for (const v of p) d.accept(v); return d; });
const hdrs = parts.map((p) => { const h = hdr.build({ useWebAssembly: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 }); for (const v of p) h.recordValue(Math.max(1, Math.round(v * 1000))); return h; });
// Warm both up first: V8 tiers wasm and JS up over the first dozen calls.
const mergeOurs = () => { const m = hp.QuantileSketch.mergeAll(ours); m.quantiles(QS); m.dispose(); };
const mergeDD = () => { const d = new DDSketch({ relativeAccuracy: 0.01 }); for (const s of dds) d.merge(s); QS.map((q) => d.getValueAtQuantile(q)); };
for (let i = 0; i < 20; i++) { mergeOurs(); mergeDD(); }
const merge = {
  'hotpath QuantileSketch.mergeAll': best(mergeOurs, 15),
  'DDSketch merge loop': best(mergeDD, 15),
  'hdr-histogram-js add loop': best(() => { const h = hdr.build({ useWebAssembly: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 }); for (const s of hdrs) h.add(s); QS.map((q) => h.getValueAtPercentile(q * 100)); h.destroy(); }, 3),
  'exact: concatenate + percentiles': best(() => { const all = new Float64Array(P * 10_000); parts.forEach((p, i) => all.set(p, i * 10_000)); hp.percentiles(all, QS.map((q) => q * 100)); }, 3),
};
for (const s of ours) s.dispose();
for (const h of hdrs) h.destroy();
for (const [k, v] of Object.entries(merge)) console.log(`merge ${P}: ${k} ${v.toFixed(2)} ms`);

// Crossing point: record n values and answer three quantiles, sketch vs raw values.
const cross = [];
for (const n of [100, 1000, 10_000, 100_000, ...(quick ? [] : [1_000_000])]) {
  const v = x.subarray(0, n);
  const reps = Math.max(3, Math.round(2e5 / n));
  const sk = best(() => { for (let r = 0; r < reps; r++) { const s = new hp.QuantileSketch(); for (let i = 0; i < n; i++) s.record(v[i]); s.quantiles(QS); s.dispose(); } }) / reps;
  const raw = best(() => { for (let r = 0; r < reps; r++) { const b = new Float64Array(n); for (let i = 0; i < n; i++) b[i] = v[i]; hp.percentiles(b, [50, 99, 99.9]); } }) / reps;
  cross.push({ n, sketchUs: sk * 1000, rawUs: raw * 1000 });
  console.log(`n=${n}: sketch ${(sk * 1000).toFixed(1)} µs, raw+percentiles ${(raw * 1000).toFixed(1)} µs`);
}

const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ');
const fmt = (v, d = 1) => (v === null || v === undefined ? '–' : v.toFixed(d));
const dd = rows.find((r) => r.name.startsWith('@datadog'));
const bare = best(() => { const b = new Float64Array(1024); let n = 0; for (let i = 0; i < N; i++) { b[n] = x[i]; if (++n === 1024) n = 0; } }) * 1e6 / N;
const md = [
  `Node ${process.version}, ${N.toLocaleString('en-US')} lognormal latencies (median 5 ms), load ${load}; \`npm run bench:sketch\`.`,
  '',
  '| contender | ns/value (record) | recordMany 10^6 (ms) | p50+p99+p99.9 query (µs) | record 1 + query (µs) | serialized bytes | worst error (p50/p99/p99.9) |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${fmt(r.nsPerValue)} | ${fmt(r.recordManyMs, 2)} | ${fmt(r.queryUs, 2)} | ${fmt(r.requeryUs, 2)} | ${r.bytes === null ? '–' : Math.round(r.bytes)} | ${(r.maxRelErr * 100).toFixed(3)}% |`),
  '',
  `Merging ${P} sketches of 10^4 values plus one query: ${Object.entries(merge).map(([k, v]) => `${k} ${fmt(v, 2)} ms`).join('; ')} (mergeAll is ${fmt(merge['DDSketch merge loop'] / merge['hotpath QuantileSketch.mergeAll'])}× the DDSketch loop).`,
  '',
  '| values | sketch: record + 3 quantiles (µs) | raw Float64Array + percentiles (µs) |',
  '|---:|---:|---:|',
  ...cross.map((c) => `| ${c.n.toLocaleString('en-US')} | ${fmt(c.sketchUs)} | ${fmt(c.rawUs)} |`),
  '',
  `DDSketch's serialized size for the same data: ${dd?.bytes ?? '–'} B. A bare loop storing each value into a 1024-slot Float64Array takes ${fmt(bare, 2)} ns/value on this machine (the floor under any record()).`,
].join('\n');
writeFileSync(new URL(`./results/sketch${quick ? '-quick' : ''}.json`, import.meta.url), JSON.stringify({ node: process.version, load, n: N, rows, merge, cross }, null, 2));
writeFileSync(new URL(`./results/sketch${quick ? '-quick' : ''}.md`, import.meta.url), md + '\n');
console.log(`\n${md}`);
