#!/usr/bin/env node
// The `hotpath` command: info, bench, calibrate, compare.
// Exit codes: 0 success, 1 failure (or regressions for compare), 2 usage error.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const DEFAULT_THRESHOLD = 25;

const USAGE = {
  main: `Usage: hotpath <command> [options]

Commands:
  info        tiers (loaded or why not), SIMD levels, threads, topology, dispatch table
  bench       run the benchmark matrix (every kernel x tier x size, plus npm peers)
  calibrate   measure where each tier starts beating js; write a dispatch table
  compare     per-row ratios between two bench JSON files; flags regressions

Options:
  -h, --help     help for hotpath or a command (hotpath <command> --help)
  -v, --version  print the version

Environment: HOTPATH_BACKEND, HOTPATH_CALIBRATION, HOTPATH_THREADS, HOTPATH_SIMD (see README).`,
  info: `Usage: hotpath info [--json]

Prints the tiers (loaded, or why not), their SIMD levels and threads, the CPU
and memory topology, and the dispatch table auto selection follows.
  --json   print the same as JSON`,
  bench: `Usage: hotpath bench [--quick] [--kernel name]... [--tier name] [--json path]

Runs the benchmark matrix with tinybench and ends with the table.
  --quick         short samples (under a minute on 2 cores); numbers are rougher
  --kernel name   only this operation, family or prefix; repeatable or comma-separated
                  (e.g. cosineBatch, statistics, BPlusTree, TtlCache.get)
  --tier name     only this hotpath tier (native, wasm, js); the baseline stays
  --json path     write the run to path, with .md and .svg beside it
  --list          list the operations and families, then exit`,
  calibrate: `Usage: hotpath calibrate [--out path] [--kernel name]... [--quick]

Times every loaded tier against js on a doubling ladder of input sizes per
kernel and writes the crossover table. Load it with HOTPATH_CALIBRATION=path.
  --out path      where to write it (default: hotpath-calibration.json)
  --kernel name   only these kernels (others keep the built-in table)
  --quick         shorter samples and a lower size ceiling`,
  compare: `Usage: hotpath compare <old.json> <new.json> [--threshold percent] [--all]

Prints new/old speed per row present in both runs. A row is SLOWER only when
it is slower beyond both the threshold and the measured spread (the runs' 95%
intervals do not overlap); faster likewise. Exits 1 when any row is SLOWER, so
it can gate CI.
  --threshold p   percent of time a row may grow before it counts (default ${DEFAULT_THRESHOLD}: back-to-back
                  runs of the same code on a noisy 2-core VM stay under it; 100 flags only 2x slower)
  --all           print every row, not only the changed ones`,
};

function usageError(cmd, msg) {
  process.stderr.write(`hotpath${cmd ? ` ${cmd}` : ''}: ${msg}\n\n${USAGE[cmd] ?? USAGE.main}\n`);
  process.exit(2);
}

function parse(cmd, argv, options) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    usageError(cmd, e.message);
  }
}

const list = (v) => (v ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

async function loadLib() {
  return import('../dist/index.js');
}

async function info(argv) {
  const { values } = parse('info', argv, { json: { type: 'boolean' } });
  if (values.help) return console.log(USAGE.info);
  const hp = await loadLib();
  const b = hp.backend(), t = hp.topology();
  if (values.json) return console.log(JSON.stringify({ backend: b, topology: t }, null, 2));
  const lines = [`hotpath ${version()} on ${process.platform}-${process.arch}, Node ${process.version}`, '', 'Tiers:'];
  for (const [name, s] of Object.entries(b.tiers)) {
    lines.push(s.loaded
      ? `  ${name.padEnd(7)} loaded   SIMD ${s.simd}, ${s.threads} thread${s.threads === 1 ? '' : 's'}${s.path ? `, ${s.path}` : ''}`
      : `  ${name.padEnd(7)} not loaded: ${s.error}`);
  }
  lines.push(`  backend: ${b.backend} (${b.source})${b.error ? `; ERROR: ${b.error}` : ''}; large inputs run on ${b.largeInputTier}`);
  lines.push('', 'Topology:',
    `  ${t.logicalCpus} logical CPUs, ${t.physicalCores} physical cores, ${t.packages} package${t.packages === 1 ? '' : 's'}, ${t.numaNodes.length} NUMA node${t.numaNodes.length === 1 ? '' : 's'} (source: ${t.source})`,
    `  caches: L1d ${kib(t.caches.l1d)}, L2 ${kib(t.caches.l2)}, L3 ${kib(t.caches.l3)}`,
    `  CPU features: ${t.simd.join(' ') || 'none detected'}`,
    `  affinity: ${t.affinityCpus.length} CPUs; cgroup limit: ${t.cgroupCpuLimit ?? 'none'}; recommended threads: ${t.recommendedThreads}`);
  for (const n of t.numaNodes) lines.push(`  node ${n.id}: CPUs ${ranges(n.cpus)}, ${(n.memoryBytes / 2 ** 30).toFixed(1)} GiB`);
  const c = b.calibration;
  lines.push('', `Dispatch (auto): calibration ${c.source}${c.path ? ` ${c.path}` : ''}, measured on ${c.machine} (${c.date.slice(0, 10)})${c.error ? `; ERROR: ${c.error}` : ''}`);
  for (const [k, steps] of Object.entries(b.dispatch)) {
    lines.push(`  ${k.padEnd(16)} ${steps.length === 0 ? 'js always' : `js below ${steps[0].work}, ${steps.map((s) => `${s.tier} from ${s.work}`).join(', ')}`}`);
  }
  console.log(lines.join('\n'));
}

const kib = (b) => (b === 0 ? 'unknown' : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(b % 2 ** 20 ? 1 : 0)} MiB` : `${b / 1024} KiB`);
function ranges(ids) {
  const out = [];
  for (let i = 0; i < ids.length; i++) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out.push(j > i ? `${ids[i]}-${ids[j]}` : `${ids[i]}`);
    i = j;
  }
  return out.join(',');
}

function selectOrFail(cmd, matrix, names, kernelsOnly) {
  if (names.length === 0) return kernelsOnly ? matrix.CASES.filter((c) => c.kind === 'kernel') : undefined;
  const pool = kernelsOnly ? matrix.CASES.filter((c) => c.kind === 'kernel') : matrix.CASES;
  const unknown = names.filter((n) => !pool.some((c) => matrix.matchesCase(c, n)));
  if (unknown.length > 0) usageError(cmd, `unknown ${kernelsOnly ? 'kernel' : 'operation'} ${unknown.map((u) => JSON.stringify(u)).join(', ')}; choose from: ${[...new Set(pool.flatMap((c) => [c.family, c.name]))].join(', ')}`);
  return pool.filter((c) => names.some((n) => matrix.matchesCase(c, n)));
}

async function bench(argv) {
  const { values, positionals } = parse('bench', argv, {
    quick: { type: 'boolean' }, kernel: { type: 'string', multiple: true }, tier: { type: 'string' }, json: { type: 'string' }, list: { type: 'boolean' },
  });
  if (values.help) return console.log(USAGE.bench);
  if (positionals.length > 0) usageError('bench', `unexpected argument ${JSON.stringify(positionals[0])}`);
  const matrix = await import('../bench/lib/matrix.mjs');
  if (values.list) {
    for (const c of matrix.CASES) console.log(`${c.family.padEnd(12)} ${c.name}`);
    return;
  }
  if (values.tier !== undefined && !['native', 'wasm', 'js'].includes(values.tier)) usageError('bench', `--tier must be native, wasm or js; got ${JSON.stringify(values.tier)}`);
  const cases = selectOrFail('bench', matrix, list(values.kernel), false);
  const hp = await loadLib();
  if (values.tier && !hp.backend().tiers[values.tier].loaded) {
    console.error(`hotpath bench: tier ${values.tier} is not loaded here: ${hp.backend().tiers[values.tier].error}`);
    process.exit(1);
  }
  const { progress } = await import('../bench/lib/progress.mjs');
  const { markdown, writeReport } = await import('../bench/lib/report.mjs');
  const prog = progress(process.stderr);
  prog.note(`hotpath bench${values.quick ? ' --quick' : ''}: ${matrix.describeMachine(hp).summary}`);
  const report = await matrix.runMatrix(hp, { quick: values.quick, cases, tiers: values.tier ? [values.tier] : undefined, progress: prog, version: version() });
  console.log(`\n${markdown(report)}`);
  if (values.json) {
    const files = writeReport(report, resolve(values.json));
    prog.note(`wrote ${files.json}, ${files.md}, ${files.svg}`);
  }
}

async function calibrateCmd(argv) {
  const { values, positionals } = parse('calibrate', argv, { out: { type: 'string' }, kernel: { type: 'string', multiple: true }, quick: { type: 'boolean' } });
  if (values.help) return console.log(USAGE.calibrate);
  if (positionals.length > 0) usageError('calibrate', `unexpected argument ${JSON.stringify(positionals[0])}`);
  const matrix = await import('../bench/lib/matrix.mjs');
  const cases = selectOrFail('calibrate', matrix, list(values.kernel), true);
  const hp = await loadLib();
  const { calibrate } = await import('../bench/lib/calibrate.mjs');
  console.error(`hotpath calibrate: ${matrix.describeMachine(hp).summary}`);
  const table = calibrate(hp, { cases, quick: values.quick, log: (l) => console.log(l) });
  const out = resolve(values.out ?? 'hotpath-calibration.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(table, null, 1)}\n`);
  console.log(`\nwrote ${out}\nuse it with: HOTPATH_CALIBRATION=${out} node your-app.js`);
}

async function compareCmd(argv) {
  const { values, positionals } = parse('compare', argv, { all: { type: 'boolean' }, threshold: { type: 'string' } });
  if (values.help) return console.log(USAGE.compare);
  if (positionals.length !== 2) usageError('compare', `expected two JSON files, got ${positionals.length}`);
  const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : Number(values.threshold);
  if (!(Number.isFinite(threshold) && threshold >= 0) || values.threshold?.trim() === '') usageError('compare', `--threshold must be a percentage >= 0; got ${JSON.stringify(values.threshold)}`);
  const { compare, formatComparison } = await import('../bench/lib/compare.mjs');
  const [a, b] = positionals.map((p) => {
    try {
      return JSON.parse(readFileSync(p, 'utf8'));
    } catch (e) {
      console.error(`hotpath compare: cannot read ${p}: ${e.message}`);
      process.exit(1);
    }
  });
  let result;
  try {
    result = compare(a, b, { thresholdPct: threshold });
  } catch (e) {
    console.error(`hotpath compare: ${e.message}`);
    process.exit(1);
  }
  console.log(formatComparison(result, { all: values.all, oldName: positionals[0], newName: positionals[1] }));
  if (result.regressions > 0) process.exitCode = 1;
}

function version() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

const COMMANDS = { info, bench, calibrate: calibrateCmd, compare: compareCmd };
const [cmd, ...rest] = process.argv.slice(2);
if (cmd === undefined) {
  // No command is a usage error (as git and npm treat it), so a script that lost its argument fails.
  process.stderr.write(`${USAGE.main}\n`);
  process.exit(2);
} else if (cmd === '-h' || cmd === '--help' || cmd === 'help') {
  console.log(rest[0] && USAGE[rest[0]] ? USAGE[rest[0]] : USAGE.main);
} else if (cmd === '-v' || cmd === '--version') {
  console.log(version());
} else if (!Object.hasOwn(COMMANDS, cmd)) {
  usageError(null, `unknown command ${JSON.stringify(cmd)}`);
} else {
  try {
    await COMMANDS[cmd](rest);
  } catch (e) {
    console.error(`hotpath ${cmd}: ${e?.stack ?? e}`);
    process.exit(1);
  }
}
