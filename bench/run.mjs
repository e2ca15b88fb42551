// npm run bench [-- --quick] [--filter text]: runs every suite, prints the
// table, writes bench/results/latest.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import * as hp from '../dist/index.js';
import { Harness, markdown } from './harness.mjs';
import analytics from './suites/analytics.mjs';
import btree from './suites/btree.mjs';
import similarity from './suites/similarity.mjs';
import timers from './suites/timers.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, filter: { type: 'string' }, out: { type: 'string' } } });
const h = new Harness(hp, { time: values.quick ? 300 : 1500, iterations: values.quick ? 3 : 10, filter: values.filter ?? null });
const b = hp.backend();
const t = hp.topology();
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${t.logicalCpus} logical CPUs (${t.recommendedThreads} usable), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, native SIMD ${b.tiers.native.simd}, wasm ${b.tiers.wasm.simd}`;
console.log(`hotpath bench on ${machine}\n`);

similarity(h);
analytics(h);
btree(h);
timers(h);
const rows = await h.run();

const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const report = { date: new Date().toISOString(), machine, backend: b, topology: t, rows };
writeFileSync(new URL(values.out ?? 'latest.json', dir), JSON.stringify(report, null, 2));
const md = `Machine: ${machine}\n\n${markdown(rows)}\n`;
writeFileSync(new URL((values.out ?? 'latest.json').replace(/\.json$/, '') + '.md', dir), md);
console.log(`\n${md}`);
