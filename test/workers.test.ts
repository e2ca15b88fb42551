// worker_threads: the tiers from several threads at once, termination
// mid-call, and inputs on SharedArrayBuffers that another thread rewrites
// mid-call. Each part runs in its own child process against the built
// dist/index.js (scripts in test/workers/), so a segfault or abort fails the
// part instead of killing the test runner.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/child.js';

const ENTRY = join(ROOT, 'dist', 'index.js');

function part(script: string, args: string[], timeoutMs: number): Promise<any> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build:ts first`);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', join(ROOT, 'test', 'workers', script), ENTRY, ...args], { timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, HOTPATH_BACKEND: '' }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let report: any = null;
      try { report = JSON.parse(last); } catch { /* no report */ }
      if (report === null) {
        const how = err ? ((err as { signal?: string }).signal ? `killed by ${(err as { signal?: string }).signal}` : `exit code ${(err as { code?: number }).code}`) : 'no report';
        resolve({ ok: false, problems: [`${script} ${args.join(' ')} died (${how}) without a report; stderr: ${stderr.slice(-2000)}`] });
      } else resolve(report);
    });
  });
}

describe('worker_threads', () => {
  it('4 workers run every kernel and structure on native and wasm while the main thread does: bit-identical to a single-threaded run', async () => {
    const r = await part('threads.mjs', ['identical'], 60_000);
    expect(r.problems).toEqual([]);
    expect(r.tiers.length).toBeGreaterThan(0);
    expect(r.results).toBeGreaterThanOrEqual(23);
  });

  it('workers terminated mid-call (big kernels, structure batches) do not crash the process; the main thread stays correct', async () => {
    const r = await part('threads.mjs', ['terminate'], 60_000);
    expect(r.problems).toEqual([]);
    expect(r.terminated).toBe(8);
  });

  it('a worker rewriting SharedArrayBuffer inputs mid-call: every call returns or throws a named error, riskScoreBatch stays in [0, 1], structures stay sound', async () => {
    const r = await part('shared.mjs', ['2500'], 60_000);
    console.log(`workers/shared: ${r.calls} calls (${JSON.stringify(r.byTier)}), ${r.rewrites} rewrite passes`);
    expect(r.problems).toEqual([]);
    // The calls must also get past validation, so the rewrites hit running kernels.
    for (const fn of ['riskScoreBatch', 'cosineBatch', 'topK', 'stats', 'BPlusTree.setMany', 'BPlusTree.getMany', 'BPlusTree.deleteMany', 'TimingWheel.scheduleMany', 'TimingWheel.cancelMany']) expect(r.returned[fn] ?? 0, fn).toBeGreaterThan(10);
  });
});
