// node scripts/readme-bench.mjs [bench/results/latest.md] [--block matrix|gpu]
// Puts a bench run's markdown into README.md between the bench:<block> markers,
// so the README always shows the table that bench/results/ holds.
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const bi = args.indexOf('--block');
const block = bi >= 0 ? args.splice(bi, 2)[1] : 'matrix';
const src = args[0] ?? 'bench/results/latest.md';
const readme = new URL('../README.md', import.meta.url);
const START = `<!-- bench:${block}:start (written by scripts/readme-bench.mjs) -->`, END = `<!-- bench:${block}:end -->`;
const text = readFileSync(readme, 'utf8');
const a = text.indexOf(START), b = text.indexOf(END);
if (a < 0 || b < a) {
  console.error(`README.md has no ${START} ... ${END} block`);
  process.exit(1);
}
const table = readFileSync(src, 'utf8').trim();
writeFileSync(readme, `${text.slice(0, a + START.length)}\n${table}\n${text.slice(b)}`);
console.log(`README.md: benchmark table replaced from ${src}`);
