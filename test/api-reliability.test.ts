// Bad input at the public edge, on every tier: hostile views (Proxies,
// detached buffers, shared memory), throwing getters, hostile option values,
// outputs no engine can allocate, configuration that cannot be one. Each
// gets a TypeError or RangeError starting `hotpath.<function>` and naming
// the argument, and a failed batch leaves its structure as it was.
import { describe, expect, it } from 'vitest';
import * as hp from '../ts/index.js';
import { BPlusTree, TimingWheel, cosineBatch, dispatchTier, dot, matmul, memoryBandwidth, riskScoreBatch, setBackend } from '../ts/index.js';
import { runChild } from './support/child.js';
import { TIERS, onTier } from './support/tiers.js';

function detached(n: number): Float64Array {
  const buf = new ArrayBuffer(n * 8);
  const view = new Float64Array(buf);
  structuredClone(buf, { transfer: [buf] });
  return view;
}

const throwingValues = (n: number, at: number): ArrayLike<number> =>
  new Proxy(Array.from({ length: n }, (_, i) => i), {
    get(target, p, r) {
      if (p === String(at)) throw new Error('getter failed');
      return Reflect.get(target, p, r);
    },
  });

describe.each(TIERS)('on the %s tier', (tier) => {
  it('a Proxy of a typed array is refused by name, not failed deep in a tier', () => {
    onTier(tier, () => {
      const p = new Proxy(new Float32Array(8), {});
      expect(() => dot(p, new Float32Array(8))).toThrow(/^hotpath\.dot: a must be a Float32Array itself, not a Proxy of one$/);
      expect(() => cosineBatch(new Float32Array(4), p, 4)).toThrow(TypeError);
      expect(() => riskScoreBatch([1], [1], new Proxy(Uint32Array.of(0, 1), {}))).toThrow(/^hotpath\.riskScoreBatch: offsets must be a Uint32Array itself/);
      expect(() => matmul(new Proxy(new Float64Array(4), {}), new Float64Array(4), 2, 2, 2)).toThrow(/^hotpath\.matmul: a must be/);
    });
  });

  it('a detached buffer is refused by name (not read as empty)', () => {
    onTier(tier, () => {
      expect(() => dot(detached(4), new Float64Array(4))).toThrow(/^hotpath\.dot: a is a view of a detached ArrayBuffer$/);
      expect(() => hp.stats(detached(2))).toThrow(/^hotpath\.stats: x is a view of a detached ArrayBuffer$/);
      expect(() => riskScoreBatch([], [], new Uint32Array(detached(1).buffer))).toThrow(TypeError);
    });
  });

  it('shared-memory inputs give the same results as private ones', () => {
    onTier(tier, () => {
      const off = new Uint32Array(new SharedArrayBuffer(12));
      off.set([0, 1, 2]);
      expect(Array.from(riskScoreBatch([5, 0], [1, 1], off))).toEqual([1, 0]);
      const t = new BPlusTree<number, number>({ keyType: 'number', backend: tier });
      const keys = new Float64Array(new SharedArrayBuffer(24));
      keys.set([3, 1, 2]);
      t.setMany(keys, [30, 10, 20]);
      expect([...t.keys()]).toEqual([1, 2, 3]);
      expect(t.getMany(keys)).toEqual([30, 10, 20]);
      t.dispose();
    });
  });

  it.each(['number', 'string'] as const)('setMany with a throwing value getter changes nothing (%s keys)', (keyType) => {
    const t = new BPlusTree<number | string, number>({ keyType, backend: tier });
    const k = (i: number): number | string => (keyType === 'number' ? i : `k${i}`);
    t.setMany([k(1), k(2)], [1, 2]);
    const keys = Array.from({ length: 50 }, (_, i) => k(i + 10));
    expect(() => t.setMany(keys, throwingValues(50, 25))).toThrow('getter failed');
    expect(t.size).toBe(2);
    expect([...t.entries()]).toEqual([[k(1), 1], [k(2), 2]]);
    expect(t.checkInvariants()).toBeNull();
    t.setMany(keys, Array.from({ length: 50 }, (_, i) => i));
    expect(t.size).toBe(52);
    expect(t.get(k(35))).toBe(25);
    t.dispose();
  });

  it('TimingWheel: wheels with a hole, a BigInt or NaN clock, payloads whose getter throws', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => new TimingWheel({ wheels: [256, , 64] as number[], backend: tier })).toThrow(/^hotpath\.TimingWheel: options\.wheels\[1\] must be an integer in \[2, 65536\]; got undefined$/);
    const w = new TimingWheel<number>({ backend: tier, clock: () => 5n as unknown as number });
    expect(() => w.start(() => {})).toThrow(/^hotpath\.TimingWheel\.start: options\.clock must return a number of ms; returned bigint 5$/);
    w.stop();
    expect(() => w.scheduleMany([1, 2, 3], throwingValues(3, 1))).toThrow('getter failed');
    expect(w.size).toBe(0);
    expect(w.check()).toBeNull();
    w.dispose();
    const n = new TimingWheel({ backend: tier, clock: () => NaN });
    expect(() => n.start(() => {})).toThrow(/^hotpath\.TimingWheel\.start: options\.clock must return a finite time >= 0; returned NaN$/);
    n.dispose();
  });

  it('outputs no engine can allocate are refused by name before any tier runs', () => {
    onTier(tier, () => {
      expect(() => matmul(new Float32Array(0), new Float32Array(0), 2 ** 31, 0, 2 ** 31)).toThrow(/^hotpath\.matmul: the output \(m × n\) needs 4611686018427388000 elements/);
      expect(() => hp.ngramFeatures(Array(2 ** 12).fill('abcd'), { dims: 2 ** 24 })).toThrow(RangeError);
    });
  });
});

describe('hostile option values', () => {
  it('BigInts, Symbols and cycles in options give named errors, never a JSON.stringify failure', async () => {
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => setBackend(5n as never)).toThrow(/^hotpath\.setBackend: backend must be 'auto', 'native', 'wasm' or 'js'; got bigint 5$/);
    expect(() => setBackend(cyc as never)).toThrow(/^hotpath\.setBackend: backend must be .*; got Object$/);
    expect(() => dispatchTier(Symbol('k') as never, 1)).toThrow(/^hotpath\.dispatchTier: kernel must be one of .*; got symbol Symbol\(k\)$/);
    expect(() => new BPlusTree({ keyType: 'number', backend: 1n as never })).toThrow(/^hotpath\.BPlusTree: options\.backend must be .*; got bigint 1$/);
    await expect(hp.gpu.init({ powerPreference: 7n as never, calibrate: false })).rejects.toThrow(/^hotpath\.gpu\.init: options\.powerPreference must be 'low-power' or 'high-performance'; got bigint 7$/);
  });
});

describe('bounded defaults and configuration', () => {
  it('memoryBandwidth() by default streams at most 3 x 128 MiB', () => {
    const r = memoryBandwidth({ passes: 1 });
    expect(r.bytesPerPass).toBeLessThanOrEqual(3 * 128 * 2 ** 20);
    expect(r.gbPerSec).toBeGreaterThan(0);
  });

  it('HOTPATH_CALIBRATION=/dev/zero (or any non-regular file) is refused at once, by name', () => {
    const t0 = performance.now();
    const out = runChild(`let err = null; try { hp.dot([1, 2], [3, 4]); } catch (e) { err = e.message; } return { err, cal: hp.backend().calibration.error };`, { HOTPATH_CALIBRATION: '/dev/zero' });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(out.err).toMatch(/HOTPATH_CALIBRATION=\/dev\/zero: is not a regular file/);
    expect(out.cal).toMatch(/not a regular file/);
  });
});
