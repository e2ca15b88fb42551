// The `hotpath` command line, the benchmark report writers, `bench:compare`
// and the memory-bandwidth probe, run for real against the built package.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryBandwidth } from '../ts/index.js';
import { ROOT, runChild } from './support/child.js';
import { TIERS } from './support/tiers.js';
// @ts-expect-error plain ESM module without types
import { compare } from '../bench/lib/compare.mjs';
// @ts-expect-error plain ESM module without types
import { progress } from '../bench/lib/progress.mjs';
// @ts-expect-error plain ESM module without types
import { markdown, svg } from '../bench/lib/report.mjs';

const BIN = join(ROOT, 'bin', 'hotpath.mjs');
const dir = mkdtempSync(join(tmpdir(), 'hotpath-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, HOTPATH_BACKEND: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('hotpath (usage)', () => {
  it('--help and help <command> print usage and exit 0', () => {
    for (const args of [['--help'], ['-h'], ['help', 'bench'], ['bench', '--help'], ['calibrate', '-h'], ['info', '--help'], ['compare', '--help']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out).toMatch(/Usage: hotpath/);
    }
    expect(cli('bench', '--help').out).toContain('--kernel name');
  });

  it('bare hotpath prints usage on stderr and exits 2, so a script that lost its command fails', () => {
    const r = cli();
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Usage: hotpath <command>/);
    expect(r.out).toBe('');
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(cli('--version').out.trim()).toBe(pkg.version);
  });

  it('usage errors exit 2 and say what was wrong', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['bench', '--kernel', 'nope'], /unknown operation "nope"; choose from: .*cosineBatch/],
      [['bench', '--tier', 'gpu'], /--tier must be native, wasm or js/],
      [['bench', '--bogus'], /Unknown option '--bogus'/],
      [['bench', 'extra'], /unexpected argument "extra"/],
      [['calibrate', '--kernel', 'BPlusTree.get'], /unknown kernel "BPlusTree.get"/],
      [['compare', 'one.json'], /expected two JSON files, got 1/],
      [['compare', 'a.json', 'b.json', '--threshold', 'ten'], /--threshold must be a percentage >= 0; got "ten"/],
      [['compare', 'a.json', 'b.json', '--threshold=-5'], /--threshold must be a percentage >= 0/],
    ];
    for (const [args, msg] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });
});

describe('hotpath info', () => {
  it('lists every tier with its state, SIMD and threads, the topology and the dispatch table', () => {
    const r = cli('info');
    expect(r.code).toBe(0);
    for (const t of TIERS) expect(r.out).toMatch(new RegExp(`^  ${t}\\s+loaded\\s+SIMD \\S+, \\d+ threads?`, 'm'));
    expect(r.out).toMatch(/\d+ logical CPUs, \d+ physical cores/);
    expect(r.out).toMatch(/^  cosineBatch\s+/m);
    expect(r.out).toContain('Dispatch (auto): calibration default');
  });

  it('says why a tier did not load', () => {
    const r = spawnSync(process.execPath, [BIN, 'info'], { encoding: 'utf8', env: { ...process.env, HOTPATH_NATIVE_PATH: join(dir, 'absent.node') } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/native\s+not loaded: native addon .* did not load: .*absent\.node/);
  });

  it('--json is machine-readable', () => {
    const j = JSON.parse(cli('info', '--json').out);
    expect(Object.keys(j.backend.tiers).sort()).toEqual(['js', 'native', 'wasm']);
    expect(j.topology.logicalCpus).toBeGreaterThan(0);
  });
});

describe('hotpath bench', () => {
  it('runs one kernel on every tier, three sizes, with peers; writes JSON, markdown and SVG', () => {
    const json = join(dir, 'dot.json');
    const r = cli('bench', '--quick', '--kernel', 'dot', '--json', json);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(json, 'utf8'));
    expect(rep).toMatchObject({ schema: 1, profile: 'quick' });
    expect(rep.machine.cpu).toBeTypeOf('string');
    expect(rep.bandwidth.gbPerSec).toBeGreaterThan(0);
    for (const size of ['small', 'medium', 'large']) {
      const rows = rep.rows.filter((x: { size: string }) => x.size === size);
      const tasks = rows.map((x: { task: string }) => x.task);
      expect(tasks).toEqual(expect.arrayContaining(['plain JS', ...TIERS, 'auto']));
      // simsimd is a devDependency with prebuilt binaries: measured, or its skip recorded with a reason.
      expect(tasks.includes('simsimd') || rep.skipped.some((s: { module: string }) => s.module === 'simsimd')).toBe(true);
      for (const row of rows) {
        expect(row.nsPerOp).toBeGreaterThan(0);
        expect(row.samples).toBeGreaterThan(0);
        expect(row.speedup).toBeCloseTo(rows.find((b: { taskKind: string }) => b.taskKind === 'baseline').nsPerOp / row.nsPerOp, 6);
      }
      const auto = rows.find((x: { task: string }) => x.task === 'auto');
      expect(TIERS).toContain(auto.tier);
    }
    expect(readFileSync(json.replace('.json', '.md'), 'utf8')).toMatch(/^\| dot \| large: dim=4096 \| plain JS \|/m);
    const s = readFileSync(json.replace('.json', '.svg'), 'utf8');
    expect(s.startsWith('<svg')).toBe(true);
    expect((s.match(/<rect /g) ?? []).length).toBeGreaterThanOrEqual(TIERS.length + 1);
    // The table ends the output.
    expect(r.out).toContain('| dot | small: dim=16 |');
  });

  it('--tier keeps the baseline and that tier only; a structure op runs through the same matrix', () => {
    const json = join(dir, 'tree.json');
    const r = cli('bench', '--quick', '--kernel', 'BPlusTree.get', '--tier', 'wasm', '--json', json);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(json, 'utf8'));
    expect([...new Set(rep.rows.map((x: { task: string }) => x.task))].sort()).toEqual(['sorted-btree', 'wasm']);
    expect(rep.rows.every((x: { case: string }) => x.case === 'BPlusTree.get')).toBe(true);
  });

  it('--tier on a tier that did not load exits 1 with the reason', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', '--quick', '--kernel', 'dot', '--tier', 'native'], { encoding: 'utf8', env: { ...process.env, HOTPATH_NATIVE_PATH: join(dir, 'absent.node') } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tier native is not loaded here: .*absent\.node/);
  });
});

describe('hotpath calibrate', () => {
  it('writes a table that HOTPATH_CALIBRATION loads', () => {
    const out = join(dir, 'cal.json');
    const r = cli('calibrate', '--quick', '--kernel', 'cosine,temporalDecay', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^cosine\s+/m);
    const t = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(t.kernels).sort()).toEqual(['cosine', 'temporalDecay']);
    const child = runChild(`return hp.backend().calibration;`, { HOTPATH_CALIBRATION: out });
    expect(child).toMatchObject({ source: 'env', error: null, machine: t.machine });
  });
});

// Two synthetic runs: one row clearly slower, one within noise, one faster.
function run(ns: number[], rme: number[]) {
  const base = { case: 'stats', size: 'large', params: 'n=1000000', taskKind: 'tier', samples: 10 };
  return {
    machine: { summary: 'm' },
    rows: ['js', 'wasm', 'native'].map((task, i) => ({ ...base, task, nsPerOp: ns[i], rmePct: rme[i] })),
  };
}

describe('bench:compare', () => {
  const old = run([100, 100, 100], [2, 2, 2]);
  const cur = run([120, 101, 70], [2, 2, 2]);

  it('flags rows slower beyond both runs\' spread, and only those', () => {
    const c = compare(old, cur);
    expect(c.thresholdPct).toBe(0);
    expect(c.rows.map((r: { verdict: string }) => r.verdict)).toEqual(['slower', 'same', 'faster']);
    expect(c.regressions).toBe(1);
    expect(c.rows[0].ratio).toBeCloseTo(100 / 120, 9);
    // The same change with a wide spread is noise.
    expect(compare(run([100, 100, 100], [15, 2, 2]), run([120, 101, 70], [15, 2, 2])).rows[0].verdict).toBe('same');
  });

  it('a threshold: a row counts only beyond both it and the spread, each way', () => {
    // 20% slower and 30% faster, tight intervals.
    expect(compare(old, cur, { thresholdPct: 25 }).rows.map((r: { verdict: string }) => r.verdict)).toEqual(['same', 'same', 'faster']);
    expect(compare(old, cur, { thresholdPct: 19 }).rows.map((r: { verdict: string }) => r.verdict)).toEqual(['slower', 'same', 'faster']);
    expect(compare(old, cur, { thresholdPct: 50 }).rows.map((r: { verdict: string }) => r.verdict)).toEqual(['same', 'same', 'same']);
    // At 100% only more than 2x slower counts: 200 ns against 100 is not, 250 is.
    expect(compare(old, run([200, 250, 100], [2, 2, 2]), { thresholdPct: 100 }).rows.map((r: { verdict: string }) => r.verdict)).toEqual(['same', 'slower', 'same']);
    expect(() => compare(old, cur, { thresholdPct: -1 })).toThrow(RangeError);
    // With medians in the report it judges on them: a mean dragged up by one pause is not a regression.
    const withMedian = (mean: number, median: number) => ({ machine: { summary: 'm' }, rows: [{ case: 'stats', size: 'large', params: 'n', task: 'js', taskKind: 'tier', nsPerOp: mean, rmePct: 1, medianNsPerOp: median, madNsPerOp: 1, samples: 50 }] });
    const paused = compare(withMedian(100, 100), withMedian(400, 101), { thresholdPct: 25 });
    expect(paused.rows[0]).toMatchObject({ verdict: 'same', oldNs: 100, newNs: 101 });
    expect(compare(withMedian(100, 100), withMedian(130, 130), { thresholdPct: 25 }).rows[0].verdict).toBe('slower');
  });

  it('the command prints ratios and exits 1 on a regression, 0 without', () => {
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    writeFileSync(a, JSON.stringify(old));
    writeFileSync(b, JSON.stringify(cur));
    // The default threshold (25%) does not flag 20% slower; --threshold 10 does.
    const dflt = cli('compare', a, b);
    expect(dflt.code).toBe(0);
    expect(dflt.out).toContain('0 slower beyond spread and 25%, 1 faster beyond spread and 25%, 2 within noise');
    const bad = cli('compare', a, b, '--threshold', '10');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/stats\s+large\s+js\s+100\.0 ns\s+120\.0 ns\s+0\.83x\s+SLOWER/);
    expect(bad.out).toContain('1 slower beyond spread and 10%, 1 faster beyond spread and 10%, 1 within noise');
    const good = cli('compare', a, a);
    expect(good.code).toBe(0);
    const notReport = join(dir, 'c.json');
    writeFileSync(notReport, '{"hello": 1}');
    expect(cli('compare', a, notReport)).toMatchObject({ code: 1 });
    expect(cli('compare', a, join(dir, 'missing.json')).err).toMatch(/cannot read/);
  });
});

describe('bench gate (scripts/bench-gate.mjs)', () => {
  const GATE = join(ROOT, 'scripts', 'bench-gate.mjs');
  const gate = (...args: string[]) => {
    const r = spawnSync(process.execPath, [GATE, '--out', join(dir, 'gate'), ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout + r.stderr };
  };

  it('fails only beyond the threshold (2x by default), through hotpath compare; says so when there is no baseline', () => {
    const base = join(dir, 'base.json'), same = join(dir, 'same.json'), slow = join(dir, 'slow.json'), twice = join(dir, 'twice.json');
    writeFileSync(base, JSON.stringify(run([100, 100, 100], [2, 2, 2])));
    writeFileSync(same, JSON.stringify(run([150, 90, 190], [2, 2, 2])));
    writeFileSync(slow, JSON.stringify(run([100, 230, 100], [2, 2, 2])));
    writeFileSync(twice, JSON.stringify(run([100, 100, 199], [2, 2, 2])));
    expect(gate('--baseline', base, '--from', same)).toMatchObject({ code: 0, out: expect.stringContaining('0 slower beyond spread and 100%') });
    expect(gate('--baseline', base, '--from', twice).code).toBe(0);
    const bad = gate('--baseline', base, '--from', slow);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/stats\s+large\s+wasm\s+100\.0 ns\s+230\.0 ns\s+0\.43x\s+SLOWER/);
    expect(gate('--baseline', base, '--from', slow, '--threshold', '150').code).toBe(0);
    const none = gate('--baseline', join(dir, 'no-such-baseline.json'), '--from', slow);
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/no baseline for .* nothing compared/);
    expect(gate('--baseline', base, '--from', slow, '--threshold', 'x').code).toBe(2);
  });

  it('the committed baseline for this platform is a quick report the gate can read', () => {
    const file = join(ROOT, 'bench', 'baseline', `quick-${process.platform}-${process.arch}.json`);
    const rep = JSON.parse(readFileSync(file, 'utf8'));
    expect(rep.profile).toBe('quick');
    expect(rep.rows.length).toBeGreaterThan(100);
  });
});

describe('progress bar', () => {
  it('counts what runs: when peers turn out missing the total shrinks and the bar ends full', () => {
    let text = '';
    const p = progress({ write: (t: string) => { text += t; } }, { tty: true });
    p.begin('dot', 18); // 3 sizes x 6 tasks, two of them peers that will not load
    for (let size = 0; size < 3; size++) {
      p.remaining(4 * (3 - size));
      for (let t = 0; t < 4; t++) p.step(`size ${size} task ${t}`);
    }
    p.end();
    const last = text.split('\r\x1b[2K').filter(Boolean).pop() ?? '';
    expect(last).toMatch(/\[#{24}\]\s+12\/12 done/);
    expect(text).not.toMatch(/\/18 done/);
  });
});

describe('report writers', () => {
  it('markdown: one line per operation and size; svg: one bar per non-baseline row at the chosen size', () => {
    const rep = {
      date: '2026-11-22T00:00:00Z', profile: 'full', machine: { summary: 'test box' }, bandwidth: { gbPerSec: 20, threads: 2, source: 'native' }, skipped: [{ case: 'dot', task: 'simsimd', module: 'simsimd', reason: 'not installed' }],
      rows: ['small', 'large'].flatMap((size) => [
        { case: 'dot', size, params: 'dim=16', task: 'plain JS', taskKind: 'baseline', tier: null, nsPerOp: 100, rmePct: 1, speedup: 1, baseline: 'plain JS', bandwidthFraction: null, gflops: null },
        { case: 'dot', size, params: 'dim=16', task: 'wasm', taskKind: 'tier', tier: 'wasm', nsPerOp: 25, rmePct: 1, speedup: 4, baseline: 'plain JS', bandwidthFraction: 0.5, gbPerSec: 10, gflops: null },
        { case: 'dot', size, params: 'dim=16', task: 'auto', taskKind: 'auto', tier: 'wasm', nsPerOp: 26, rmePct: 1, speedup: 100 / 26, baseline: 'plain JS', bandwidthFraction: null, gflops: null },
      ]),
    };
    const md = markdown(rep);
    expect(md.match(/^\| dot \|/gm)).toHaveLength(2);
    expect(md).toContain('25.0 ns ±1% **4.00x**');
    expect(md).toContain('[wasm]');
    expect(md).toContain('wasm 10.0 GB/s (50%)');
    expect(md).toContain('`simsimd`: not installed');
    const s = svg(rep, 'large');
    expect(s).toContain('<title>dot wasm: 4.00x');
    expect(s).toContain('auto→wasm');
  });
});

describe('memoryBandwidth', () => {
  it('measures a positive bandwidth on the native pool', () => {
    const r = memoryBandwidth({ arrayBytes: 8 << 20, passes: 2 });
    expect(r.gbPerSec).toBeGreaterThan(0.1);
    expect(r.bytesPerPass).toBe(24 * (1 << 20));
    expect(r.source).toBe(TIERS.includes('native') ? 'native' : 'js');
  });

  it('falls back to a js triad without the addon', () => {
    const r = runChild(`return hp.memoryBandwidth({ arrayBytes: 4 << 20, passes: 2 });`, { HOTPATH_NATIVE_PATH: join(dir, 'absent.node') });
    expect(r).toMatchObject({ source: 'js', threads: 1, bytesPerPass: 24 * (1 << 19) });
    expect(r.gbPerSec).toBeGreaterThan(0.1);
  });

  it('rejects bad options by name', () => {
    expect(() => memoryBandwidth({ passes: 0 })).toThrow(/options\.passes must be >= 1/);
    expect(() => memoryBandwidth({ passes: 2000 })).toThrow(RangeError);
    expect(() => memoryBandwidth({ arrayBytes: 'big' as never })).toThrow(TypeError);
    expect(() => memoryBandwidth({ arrayBytes: 4 })).toThrow(/options\.arrayBytes must be >= 8/);
    expect(() => memoryBandwidth(5 as never)).toThrow(/options must be an object/);
  });
});
