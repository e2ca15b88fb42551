// The GitHub Actions workflows: actionlint (scripts/lint-workflows.mjs) finds nothing in
// them and does catch the mistakes it is there for; ci.yml builds and tests on every
// platform the addon ships for, on every supported Node line.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { formatFinding, lintFiles, workflowFiles, ROOT, WORKFLOW_DIR } from '../scripts/lint-workflows.mjs';

const SCRIPT = join(ROOT, 'scripts', 'lint-workflows.mjs');

type Finding = { file: string; line: number; column: number; kind: string; message: string };

function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      if (err && code === null) fail(err);
      else done({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotpath-workflows-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a workflow into the temp dir and lints it as a file. */
async function lintTemp(name: string, text: string): Promise<Finding[]> {
  const file = join(dir, name);
  writeFileSync(file, text);
  return (await lintFiles([file])) as Finding[];
}

const GOOD = `name: probe
on: [push]
permissions:
  contents: read
jobs:
  build:
    runs-on: \${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, macos-15-intel]
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 1
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - run: npm test
`;

describe('workflow lint', () => {
  it('finds nothing in .github/workflows', async () => {
    const files = workflowFiles(WORKFLOW_DIR);
    expect(files.map((f: string) => f.replace(/\\/g, '/'))).toContainEqual(expect.stringMatching(/\/ci\.yml$/));
    expect(await lintFiles(files)).toEqual([]);
  });

  it('accepts a correct workflow (including runner labels newer than its table)', async () => {
    expect(await lintTemp('good.yml', GOOD)).toEqual([]);
  });

  it('catches misspelled inputs of popular actions', async () => {
    const bad = GOOD.replace('fetch-depth', 'fetch-deph').replace('node-version', 'node-versoin');
    const findings = await lintTemp('typo.yml', bad);
    expect(findings.map((f) => f.kind)).toEqual(['action', 'action']);
    expect(findings[0].message).toMatch(/input "fetch-deph" is not defined in action "actions\/checkout@v4"/);
    expect(findings[1].message).toMatch(/input "node-versoin" is not defined in action "actions\/setup-node@v4"/);
    expect(findings[0].line).toBe(14);
  });

  it('catches invalid YAML', async () => {
    const findings = await lintTemp('broken.yml', 'on: push\njobs:\n  a: [\n');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0].kind).toBe('syntax-check');
    expect(findings[0].message).toMatch(/could not parse as YAML/);
  });

  it('catches an unknown top-level key, an unknown runner label and a bad matrix reference', async () => {
    const bad = GOOD.replace('permissions:', 'permisions:')
      .replace('macos-15-intel', 'macos-41')
      .replace('run: npm test', 'run: echo ${{ matrix.nod }}');
    const messages = (await lintTemp('keys.yml', bad)).map((f) => `${f.kind}: ${f.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^syntax-check: unexpected key "permisions" for "workflow" section/));
    expect(messages).toContainEqual(expect.stringMatching(/^runner-label: label "macos-41" is unknown/));
    expect(messages).toContainEqual(expect.stringMatching(/^expression: property "nod" is not defined/));
  });

  it('the script exits 0 on the real workflows and 1 on findings', async () => {
    const file = join(dir, 'cli.yml');
    writeFileSync(file, GOOD.replace('fetch-depth', 'fetch-deph'));
    // Two processes at once: each starts its own wasm runtime (about a second).
    const [ok, bad] = await Promise.all([runScript([]), runScript(['--json', file])]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/no findings/);
    expect(ok.code).toBe(0);
    expect(bad.code).toBe(1);
    const findings = JSON.parse(bad.stdout) as Finding[];
    expect(findings).toMatchObject([{ line: 14, column: 11, kind: 'action' }]);
    expect(formatFinding(findings[0])).toMatch(/cli\.yml:14:11: input "fetch-deph" is not defined .*\[action\]$/);
  });
});

// ---- ci.yml: platforms x Node versions ----

type Job = {
  name?: string;
  'runs-on'?: string;
  container?: string;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
};
type Workflow = {
  permissions?: Record<string, string>;
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown };
  jobs: Record<string, Job>;
};

/** GitHub's matrix expansion: the cross product of the keys, then `include`. */
function expand(matrix: Record<string, unknown> | undefined): Record<string, unknown>[] {
  if (!matrix) return [{}];
  const { include = [], exclude = [], ...axes } = matrix as Record<string, unknown> & {
    include?: Record<string, unknown>[];
    exclude?: Record<string, unknown>[];
  };
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    combos = combos.flatMap((c) => (values as unknown[]).map((v) => ({ ...c, [key]: v })));
  }
  const matches = (c: Record<string, unknown>, pattern: Record<string, unknown>) =>
    Object.entries(pattern).every(([k, v]) => c[k] === v);
  combos = combos.filter((c) => !exclude.some((e) => matches(c, e)));
  const original = Object.keys(axes);
  for (const inc of include) {
    const onOriginal = Object.fromEntries(Object.entries(inc).filter(([k]) => original.includes(k)));
    const targets = combos.filter((c) => matches(c, onOriginal));
    if (targets.length === 0 || Object.keys(onOriginal).length === 0) combos.push({ ...inc });
    else for (const t of targets) Object.assign(t, inc);
  }
  return combos;
}

const RUNNERS: Record<string, string> = {
  'linux-x64-gnu': 'ubuntu-latest',
  'linux-x64-musl': 'ubuntu-latest', // in a node:<ver>-alpine container
  'linux-arm64-gnu': 'ubuntu-24.04-arm',
  'darwin-arm64': 'macos-14',
  'darwin-x64': 'macos-15-intel',
  'win32-x64-msvc': 'windows-latest',
};

/** [platform, runner, node] of every leg of the jobs whose id starts with `prefix`. */
function legs(wf: Workflow, prefix: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (!id.startsWith(prefix)) continue;
    for (const combo of expand(job.strategy?.matrix)) {
      const sub = (s: string | undefined) => (s ?? '').replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k) => String(combo[k]));
      const container = sub(job.container);
      const runner = sub(job['runs-on']);
      const platform = container ? (/alpine/.test(container) ? 'linux-x64-musl' : container) : String(combo.name);
      const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
      const node = setupNode ? sub(String(setupNode.with?.['node-version'])) : /^node:(\d+)-/.exec(container)?.[1] ?? '?';
      out.push([platform, runner, node]);
    }
  }
  return out;
}

describe('ci.yml', () => {
  const wf = load(readFileSync(join(WORKFLOW_DIR, 'ci.yml'), 'utf8')) as Workflow;

  it('tests all six platforms on Node 20, 22 and 24, each on its runner', () => {
    const got = legs(wf, 'test');
    const want = Object.entries(RUNNERS).flatMap(([p, r]) => ['20', '22', '24'].map((n) => [p, r, n]));
    expect(got.map((l) => l.join(' ')).sort()).toEqual(want.map((l) => l.join(' ')).sort());
  });

  it('benchmarks all six platforms on Node 22', () => {
    const got = legs(wf, 'bench');
    expect(got.map((l) => l.join(' ')).sort()).toEqual(Object.entries(RUNNERS).map(([p, r]) => `${p} ${r} 22`).sort());
  });

  it('test and bench jobs install, test, build and upload as intended', () => {
    for (const [id, job] of Object.entries(wf.jobs)) {
      expect(job.name, id).toBeTruthy();
      const runs = job.steps.map((s) => s.run ?? '').join('\n');
      const uses = job.steps.map((s) => s.uses ?? '');
      expect(uses[0] === 'actions/checkout@v4' || uses.includes('actions/checkout@v4'), id).toBe(true);
      expect(runs, id).toMatch(/^npm install$/m);
      if (job.strategy) expect(job.strategy['fail-fast'], id).toBe(false);
      if (job.strategy?.matrix) expect(job.name, id).toMatch(/\$\{\{\s*matrix\./);
      if (id.startsWith('test')) expect(runs, id).toMatch(/^npm test$/m);
      if (id.startsWith('bench')) {
        expect(runs, id).toMatch(/^npm run build$/m);
        // The gate runs `hotpath bench --quick --json` and `hotpath compare` against the committed baseline.
        expect(runs, id).toMatch(/^node scripts\/bench-gate\.mjs --out ("bench-results\/[^"\n]+"|bench-results\/\S+)( --baseline bench\/baseline\/\S+\.json)?$/m);
        const upload = job.steps.find((s) => s.uses === 'actions/upload-artifact@v4');
        expect(upload?.if, id).toBe('always()');
        expect(upload?.with, id).toMatchObject({ 'if-no-files-found': 'error' });
        const paths = String(upload?.with?.path).trim().split('\n');
        expect(paths.map((p) => p.replace(/^.*\./, '')).sort(), id).toEqual(['json', 'md', 'svg']);
        for (const p of paths) expect(p, id).toMatch(/^bench-results\//);
        expect(upload?.with?.name, id).toBeTruthy();
      }
      if (!job.container && (id.startsWith('test') || id.startsWith('bench'))) {
        expect(uses, id).toContain('dtolnay/rust-toolchain@stable');
      }
      if (id.startsWith('test') || id.startsWith('bench')) {
        const cache = job.steps.find((s) => s.uses === 'Swatinem/rust-cache@v2');
        expect(cache?.with, id).toEqual({ workspaces: 'native' });
      }
    }
    expect(wf.jobs.lint.steps.map((s) => s.run).filter(Boolean)).toEqual(['npm install', 'npm run lint:workflows']);
  });

  it('reads only, and cancels superseded pull-request runs', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.concurrency?.group).toMatch(/pull_request/);
    expect(String(wf.concurrency?.['cancel-in-progress'])).toMatch(/pull_request/);
  });
});
