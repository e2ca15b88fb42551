import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backend, cosineBatch, dot, setBackend } from '../ts/index.js';
import { KERNELS, KERNEL_NAMES } from '../ts/contract/kernels.js';
import { dispatchTier, missingKernels, tierKernels } from '../ts/dispatch/dispatch.js';
import { wasmMemoryBytes } from '../ts/tiers/wasm/index.js';
import { randomF32 } from './support/numeric.js';
import { ROOT, runChild } from './support/child.js';
import { ALL_TIERS, EXPECTED_ABSENT, TIERS } from './support/tiers.js';

describe('tiers', () => {
  it.each(ALL_TIERS)('%s tier loaded unless HOTPATH_EXPECT_ABSENT names it', (tier) => {
    const st = backend().tiers[tier];
    if (EXPECTED_ABSENT.has(tier)) expect(st.loaded, `${tier} was declared absent but loaded`).toBe(false);
    else expect(st.loaded, `${tier} did not load: ${st.error}`).toBe(true);
  });

  it.each(TIERS)('%s tier implements every kernel the table lists for it', (tier) => {
    expect(tierKernels(tier)).not.toBeNull();
    expect(missingKernels(tier)).toEqual([]);
    for (const k of KERNEL_NAMES) if (KERNELS[k].tiers.includes(tier)) expect(typeof tierKernels(tier)![k]).toBe('function');
  });

  it('backend() describes the tiers', () => {
    const b = backend();
    expect(b.backend).toBe('auto');
    expect(b.largeInputTier).toBe(TIERS.includes('native') ? 'native' : TIERS.includes('wasm') ? 'wasm' : 'js');
    expect(b.threads).toBeGreaterThanOrEqual(1);
    if (b.tiers.native.loaded) {
      expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(b.tiers.native.simd);
      expect(b.tiers.native.path).toMatch(/hotpath\..+\.node$/);
      expect(b.tiers.native.error).toBeNull();
    }
    if (b.tiers.wasm.loaded) expect(b.tiers.wasm.simd).toBe('simd128');
    expect(b.tiers.js).toMatchObject({ loaded: true, simd: 'none' });
  });

  it('auto keeps tiny inputs on js and sends large ones to the best tier', () => {
    expect(dispatchTier('cosine', 16)).toBe('js');
    expect(dispatchTier('cosineBatch', 100_000 * 384)).toBe(backend().largeInputTier);
  });

  it('setBackend rejects unknown names and forces a tier', () => {
    expect(() => setBackend('gpu' as never)).toThrow(RangeError);
    for (const t of TIERS) {
      setBackend(t);
      expect(backend().backend).toBe(t);
      expect(backend().largeInputTier).toBe(t);
      expect(dispatchTier('cosine', 4)).toBe(t);
    }
    setBackend('auto');
    expect(backend().backend).toBe('auto');
  });
});

describe('wasm memory', () => {
  it.runIf(TIERS.includes('wasm'))('repeated calls do not grow linear memory', () => {
    setBackend('wasm');
    try {
      const dim = 384, q = randomF32(dim, 1), m = randomF32(3000 * dim, 2);
      cosineBatch(q, m, dim);
      dot(m, m);
      const before = wasmMemoryBytes();
      for (let i = 0; i < 50; i++) {
        cosineBatch(q, m.subarray(0, (1 + (i % 7) * 400) * dim), dim);
        dot(m.subarray(i), m.subarray(i));
      }
      expect(wasmMemoryBytes()).toBe(before);
    } finally {
      setBackend('auto');
    }
  });
});

describe('loading in a fresh process', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hotpath-fallback-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  // A copy of the built package without the native binary.
  function packageCopy(name: string): string {
    const dir = join(tmp, name);
    mkdirSync(dir);
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    return join(dir, 'dist', 'index.js');
  }

  const probe = `
    const q = new Float32Array([1, 0]), m = new Float32Array([0, 1, 1, 0, 1, 1]);
    const big = new Float32Array(5000 * 4).fill(0.5);
    return { b: hp.backend(), top: Array.from(hp.topK(q, m, 2, 2).indices), big: hp.cosineBatch(big.subarray(0, 4), big, 4)[4999], topo: hp.topology().source };`;

  it.runIf(TIERS.includes('native'))('a script importing hotpath reports the native tier', () => {
    const r = runChild(probe);
    expect(r.b.largeInputTier).toBe('native');
    expect(r.topo).toBe('sysfs');
    expect(r.top).toEqual([1, 2]);
    expect(r.big).toBeCloseTo(1, 6);
  });

  it.runIf(TIERS.includes('wasm'))('without the native binary it runs on wasm and says why', () => {
    const r = runChild(probe, {}, packageCopy('no-native'));
    expect(r.b.largeInputTier).toBe('wasm');
    expect(r.b.tiers.native.loaded).toBe(false);
    expect(r.b.tiers.native.error).toMatch(/not found.*@hotpath\/native-linux-x64-gnu: package not installed/);
    expect(r.top).toEqual([1, 2]);
    expect(r.big).toBeCloseTo(1, 6);
    expect(r.topo).toBe('os');
  });

  it.runIf(TIERS.includes('wasm') && process.platform === 'linux' && process.arch === 'x64')('a corrupt binary falls back to wasm with the loader error', () => {
    const entry = packageCopy('corrupt');
    const dir = join(entry, '..', '..', 'native');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hotpath.linux-x64-gnu.node'), 'this is not an ELF file');
    const r = runChild(probe, {}, entry);
    expect(r.b.largeInputTier).toBe('wasm');
    expect(r.b.tiers.native.error).toMatch(/hotpath\.linux-x64-gnu\.node: .*(invalid ELF header|file too short)/);
    expect(r.big).toBeCloseTo(1, 6);
  });

  it('HOTPATH_BACKEND forces a tier, and an unavailable one throws on every call instead of falling back', () => {
    const r = runChild(`return hp.backend();`, { HOTPATH_BACKEND: 'js' });
    expect(r).toMatchObject({ backend: 'js', source: 'env', largeInputTier: 'js' });
    const entry = packageCopy('forced');
    const f = runChild(
      `let err = null; try { hp.dot([1], [2]); } catch (e) { err = e.message; } return { err, b: hp.backend() };`,
      { HOTPATH_BACKEND: 'native' },
      entry,
    );
    expect(f.err).toMatch(/HOTPATH_BACKEND=native: hotpath: backend 'native' is not available: native addon/);
    expect(f.b.error).toBe(f.err);
    const bad = runChild(`try { hp.dot([1], [2]); return null; } catch (e) { return e.message; }`, { HOTPATH_BACKEND: 'fast' });
    expect(bad).toMatch(/backend must be 'auto', 'native', 'wasm' or 'js'/);
  });
});
