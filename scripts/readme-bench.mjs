// node scripts/readme-bench.mjs [bench/results/latest.md]
// Puts a bench run's markdown into README.md between the bench:matrix markers,
// so the README always shows the table that bench/results/ holds.
import { readFileSync, writeFileSync } from 'node:fs';

const src = process.argv[2] ?? 'bench/results/latest.md';
const readme = new URL('../README.md', import.meta.url);
const START = '<!-- bench:matrix:start (written by scripts/readme-bench.mjs) -->', END = '<!-- bench:matrix:end -->';
const text = readFileSync(readme, 'utf8');
const a = text.indexOf(START), b = text.indexOf(END);
if (a < 0 || b < a) {
  console.error(`README.md has no ${START} ... ${END} block`);
  process.exit(1);
}
const table = readFileSync(src, 'utf8').trim();
writeFileSync(readme, `${text.slice(0, a + START.length)}\n${table}\n${text.slice(b)}`);
console.log(`README.md: benchmark table replaced from ${src}`);
