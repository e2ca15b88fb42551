import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { backend, topology } from '../ts/index.js';
import { runChild } from './support/child.js';

const linuxNative = process.platform === 'linux' && backend().tiers.native.loaded;

function sysCpus(): number[] {
  return readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d)).map((d) => Number(d.slice(3)));
}

function parseSize(s: string): number {
  const m = /^(\d+)([KMG]?)/.exec(s.trim())!;
  return Number(m[1]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2]];
}

describe('topology', () => {
  it('is internally consistent', () => {
    const t = topology();
    expect(t.logicalCpus).toBeGreaterThanOrEqual(1);
    expect(t.physicalCores).toBeGreaterThanOrEqual(1);
    expect(t.physicalCores).toBeLessThanOrEqual(t.logicalCpus);
    expect(t.recommendedThreads).toBeGreaterThanOrEqual(1);
    expect(t.recommendedThreads).toBeLessThanOrEqual(t.affinityCpus.length);
    expect(t.numaNodes.length).toBeGreaterThanOrEqual(1);
  });

  it.runIf(linuxNative)('matches what the machine reports (nproc, /sys)', () => {
    const t = topology();
    expect(t.source).toBe('sysfs');
    const nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    expect(t.affinityCpus.length).toBe(nproc);
    expect(t.logicalCpus).toBe(sysCpus().length);
    expect(t.sources!.availableParallelism).toBe(availableParallelism());
    const idx = '/sys/devices/system/cpu/cpu0/cache';
    if (existsSync(idx)) {
      for (const d of readdirSync(idx).filter((x) => x.startsWith('index'))) {
        const level = readFileSync(`${idx}/${d}/level`, 'utf8').trim();
        const type = readFileSync(`${idx}/${d}/type`, 'utf8').trim();
        const size = parseSize(readFileSync(`${idx}/${d}/size`, 'utf8'));
        if (level === '1' && type === 'Data') expect(t.caches.l1d).toBe(size);
        if (level === '2') expect(t.caches.l2).toBe(size);
        if (level === '3') expect(t.caches.l3).toBe(size);
      }
    }
    const nodes = existsSync('/sys/devices/system/node') ? readdirSync('/sys/devices/system/node').filter((d) => /^node\d+$/.test(d)) : [];
    expect(t.numaNodes.length).toBe(Math.max(1, nodes.length));
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    if (process.arch === 'x64') expect(t.simd.includes('avx2')).toBe(/\bavx2\b/.test(cpuinfo));
  });

  it.runIf(linuxNative)('recommendedThreads follows the affinity mask and HOTPATH_THREADS caps the pool', () => {
    const r = runChild(`return { t: hp.topology(), b: hp.backend() };`, { HOTPATH_THREADS: '1' });
    expect(r.b.tiers.native.threads).toBe(1);
    expect(r.t.recommendedThreads).toBe(topology().recommendedThreads);
    // taskset narrows the affinity mask; the probe must see it.
    let pinned: any = null;
    try {
      execFileSync('taskset', ['--version']);
      pinned = JSON.parse(
        execFileSync('taskset', ['-c', '0', process.execPath, '--input-type=module', '-e',
          `const hp = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)}); console.log(JSON.stringify(hp.topology()))`], { encoding: 'utf8' }),
      );
    } catch {
      pinned = null;
    }
    if (pinned !== null) {
      expect(pinned.affinityCpus).toEqual([0]);
      expect(pinned.recommendedThreads).toBe(1);
    }
  });
});
