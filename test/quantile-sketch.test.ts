// QuantileSketch and SlidingQuantileSketch: the relative-error guarantee,
// exact merging, bit-identical bins on every tier against a naive model, and
// bad input. Runs in Node and in the browser page (no Node-only imports);
// interoperability with Datadog's and OpenTelemetry's libraries is in
// sketch-interop.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantileSketch, SlidingQuantileSketch, type TierName } from '../ts/index.js';
import { decodeSketch } from '../ts/api/sketch-proto.js';
import { ABI } from '../ts/contract/abi.js';
import { fdlibmLog, sketchKey } from '../ts/tiers/js/sketch.js';
import { latencies, MAPPINGS, QS, rng, wide } from './support/sketch-data.js';
import { TIERS } from './support/tiers.js';

const FDLIBM_CHECKSUM = 2967872400;

/** Seeded generator (mulberry32). */

/** n values: mixed signs, zeros, magnitudes over ~30 decades. */

/** Latency-like: lognormal around 5 ms. */

function sorted(x: Float64Array): Float64Array {
  return x.slice().sort();
}

/** The sample value at rank floor(q (n-1)). */
function exact(s: Float64Array, q: number): number {
  return s[Math.floor(q * (s.length - 1))]!;
}

function bins(s: QuantileSketch): ReturnType<typeof decodeSketch>['bins'] {
  return decodeSketch('test', s.toProto()).bins;
}

/** The naive model of the contract: keys per value, then each store's collapse rule. */
function modelBins(opts: { code: number; multiplier: number; maxBins: number; scale?: number }, values: Float64Array): { pos: Map<number, number>; neg: Map<number, number>; zero: number } {
  const cfg = { mapping: opts.code, multiplier: opts.multiplier, offset: 0, scale: opts.scale ?? 0, maxBins: opts.maxBins };
  const pk: number[] = [];
  const nk: number[] = [];
  let zero = 0;
  for (const v of values) {
    if (v > 2 ** -1022) pk.push(sketchKey(cfg, v));
    else if (v < -(2 ** -1022)) nk.push(sketchKey(cfg, -v));
    else zero++;
  }
  const pos = new Map<number, number>();
  const neg = new Map<number, number>();
  const hi = Math.max(...pk);
  const lo = Math.min(...nk);
  for (const k of pk) {
    const b = Math.max(k, hi - opts.maxBins + 1);
    pos.set(b, (pos.get(b) ?? 0) + 1);
  }
  for (const k of nk) {
    const b = Math.min(k, lo + opts.maxBins - 1);
    neg.set(b, (neg.get(b) ?? 0) + 1);
  }
  return { pos, neg, zero };
}

function asMap(offset: number, counts: Float64Array): Map<number, number> {
  const m = new Map<number, number>();
  counts.forEach((c, i) => c !== 0 && m.set(offset + i, c));
  return m;
}

describe('fdlibm log (the key mappings\' logarithm)', () => {
  it('gives fdlibm 5.3\'s results on every engine (a checksum of 2·10^5 results, fixed special values)', () => {
    const r = rng(7);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    const out = new Float64Array(1);
    const ou = new Uint32Array(out.buffer);
    let h = 0x811c9dc5;
    for (let i = 0; i < 200_000; i++) {
      u[0] = (r() * 2 ** 32) >>> 0;
      u[1] = (((r() * 0x7fe00000) >>> 0) + 0x100000) & 0x7fffffff;
      out[0] = fdlibmLog(i % 2 === 0 ? f[0]! : 1 + (r() - 0.5) * 1e-4);
      h = Math.imul(h ^ ou[0]!, 0x01000193) >>> 0;
      h = Math.imul(h ^ ou[1]!, 0x01000193) >>> 0;
    }
    // Recorded with Node 20 (V8 11.3, whose Math.log is fdlibm's: equal on all 2·10^5).
    expect(h).toBe(FDLIBM_CHECKSUM);
    expect(fdlibmLog(1)).toBe(0);
    expect(fdlibmLog(2)).toBe(0.6931471805599453);
    expect(fdlibmLog(10)).toBe(2.302585092994046);
    expect(fdlibmLog(2 ** -1074)).toBe(-744.4400719213812);
    expect(fdlibmLog(Number.MAX_VALUE)).toBe(709.782712893384);
    expect(fdlibmLog(0)).toBe(-Infinity);
    expect(fdlibmLog(-1)).toBeNaN();
  });
});

describe.each(TIERS)('QuantileSketch on %s tier', (tier: TierName) => {
  describe.each(MAPPINGS)('%s', (_name, opts) => {
    it('keeps every quantile within the relative accuracy (positive, negative, mixed)', () => {
      for (const sign of ['pos', 'neg', 'mixed'] as const) {
        const x = wide(20_000, 11, sign);
        const s = new QuantileSketch({ ...opts, backend: tier, maxBins: 1 << 17 });
        s.recordMany(x);
        const xs = sorted(x);
        const a = s.relativeAccuracy;
        for (const q of [...QS, ...Array.from({ length: 50 }, (_, i) => i / 49)]) {
          const want = exact(xs, q);
          const got = s.quantile(q);
          expect(Math.abs(got - want), `${sign} q=${q}: ${got} vs ${want}`).toBeLessThanOrEqual(a * Math.abs(want) * (1 + 1e-9));
        }
        expect(s.count).toBe(x.length);
        expect(s.min).toBe(xs[0]);
        expect(s.max).toBe(xs[xs.length - 1]);
        s.dispose();
      }
    });

    it('keeps the guarantee above the collapsed range when maxBins forces collapsing', () => {
      for (const sign of ['pos', 'neg', 'mixed'] as const) {
        const x = wide(20_000, 17, sign);
        const probe = new QuantileSketch({ ...opts, backend: tier, maxBins: 1 << 17 });
        probe.recordMany(x);
        const full = bins(probe);
        probe.dispose();
        const maxBins = Math.ceil(Math.max(full.pos.length, full.neg.length) / 2); // about half the range collapses
        const s = new QuantileSketch({ ...opts, backend: tier, maxBins });
        s.recordMany(x);
        const code = s.mapping === 'cubic' ? ABI.SKETCH_CUBIC : s.mapping === 'logarithmic' ? ABI.SKETCH_LOG : ABI.SKETCH_EXP;
        const cfg = { mapping: code, multiplier: multiplierOf(s), offset: 0, scale: s.scale ?? 0, maxBins };
        const pk = Array.from(x, (v) => (v > 2 ** -1022 ? sketchKey(cfg, v) : -Infinity));
        const nk = Array.from(x, (v) => (v < -(2 ** -1022) ? sketchKey(cfg, -v) : Infinity));
        const floor = Math.max(...pk) - maxBins + 1; // positive keys below it were collapsed into it
        const ceil = Math.min(...nk) + maxBins - 1; // negative magnitudes above it likewise
        const xs = sorted(x);
        let checked = 0;
        for (let i = 0; i <= 200; i++) {
          const q = i / 200;
          const want = exact(xs, q);
          const collapsed = (want > 2 ** -1022 && sketchKey(cfg, want) <= floor) || (want < -(2 ** -1022) && sketchKey(cfg, -want) >= ceil);
          if (collapsed) continue;
          checked++;
          expect(Math.abs(s.quantile(q) - want), `${sign} q=${q}`).toBeLessThanOrEqual(s.relativeAccuracy * Math.abs(want) * (1 + 1e-9));
        }
        expect(checked).toBeGreaterThan(20);
        s.dispose();
      }
    });

    it('has the bins of the naive model, collapsing included (fast-check)', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), { maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (arr, maxBins) => {
          const x = Float64Array.from(arr);
          const s = new QuantileSketch({ ...opts, backend: tier, maxBins });
          for (const v of x) s.record(v);
          const cfgSketch = s as unknown as { relativeAccuracy: number };
          void cfgSketch;
          const code = s.mapping === 'cubic' ? ABI.SKETCH_CUBIC : s.mapping === 'logarithmic' ? ABI.SKETCH_LOG : ABI.SKETCH_EXP;
          const b = bins(s);
          const multiplier = multiplierOf(s);
          const m = modelBins({ code, multiplier, maxBins, scale: s.scale ?? 0 }, x);
          expect(asMap(b.posOffset, b.pos)).toEqual(m.pos);
          expect(asMap(b.negOffset, b.neg)).toEqual(m.neg);
          expect(b.zeroCount).toBe(m.zero);
          expect(s.count).toBe(x.length);
          s.dispose();
        }),
        { numRuns: 60 },
      );
    });

    it('gives the same bytes as the js tier, bit for bit', () => {
      const x = wide(30_000, 5);
      const ref = new QuantileSketch({ ...opts, backend: 'js', maxBins: 200 });
      const s = new QuantileSketch({ ...opts, backend: tier, maxBins: 200 });
      for (let i = 0; i < 5000; i++) {
        ref.record(x[i]!);
        s.record(x[i]!);
      }
      ref.recordMany(x.subarray(5000));
      s.recordMany(x.subarray(5000));
      ref.record(3.25, 7);
      s.record(3.25, 7);
      expect(s.toProto()).toEqual(ref.toProto());
      expect([s.count, s.sum, s.min, s.max]).toEqual([ref.count, ref.sum, ref.min, ref.max]);
    });

    it('merges exactly: merge and mergeAll give the bins of one sketch fed everything', () => {
      const parts = Array.from({ length: 7 }, (_, i) => wide(3000, 100 + i));
      const one = new QuantileSketch({ ...opts, backend: tier, maxBins: 300 });
      const each = parts.map((p) => {
        const s = new QuantileSketch({ ...opts, backend: tier === 'js' ? 'wasm' : 'js', maxBins: 300 });
        s.recordMany(p);
        one.recordMany(p);
        return s;
      });
      const all = QuantileSketch.mergeAll(each, { backend: tier });
      const acc = new QuantileSketch({ ...opts, backend: tier, maxBins: 300 });
      for (const s of each) acc.merge(s);
      for (const m of [all, acc]) {
        expect(bins(m)).toEqual(bins(one));
        expect([m.count, m.min, m.max]).toEqual([one.count, one.min, one.max]);
        expect(Math.abs(m.sum - one.sum)).toBeLessThanOrEqual(1e-12 * Math.abs(one.sum));
        expect(m.quantiles(QS)).toEqual(one.quantiles(QS));
      }
      // Self-merge doubles every count.
      const before = bins(acc);
      acc.merge(acc);
      const after = bins(acc);
      expect(Array.from(after.pos)).toEqual(Array.from(before.pos, (c) => c * 2));
      expect(after.zeroCount).toBe(before.zeroCount * 2);
    });

  });

  it('toOtlp of a cubic sketch keeps every count', () => {
    const s = new QuantileSketch({ backend: tier });
    s.recordMany(wide(4000, 8));
    const o = s.toOtlp();
    const total = o.zeroCount + o.positive.bucketCounts.reduce((a, b) => a + b, 0) + o.negative.bucketCounts.reduce((a, b) => a + b, 0);
    expect(total).toBe(4000);
    expect(Math.max(o.positive.bucketCounts.length, o.negative.bucketCounts.length)).toBeLessThanOrEqual(160);
  });

  it('mergeAll over sketches on its own tier (one crossing) equals merging one by one, collapsing included', () => {
    for (const maxBins of [2048, 40]) {
      const parts = Array.from({ length: 12 }, (_, i) => wide(800, 300 + i));
      const each = parts.map((p, i) => {
        const s = new QuantileSketch({ backend: i % 3 === 0 ? 'js' : tier, maxBins });
        s.recordMany(p);
        return s;
      });
      const one = new QuantileSketch({ backend: 'js', maxBins });
      for (const p of parts) one.recordMany(p);
      const all = QuantileSketch.mergeAll([...each, each[1]!], { backend: tier });
      one.recordMany(parts[1]!);
      expect(bins(all)).toEqual(bins(one));
      expect([all.count, all.min, all.max]).toEqual([one.count, one.min, one.max]);
      expect(Math.abs(all.sum - one.sum)).toBeLessThanOrEqual(1e-12 * Math.abs(one.sum));
    }
  });

  it('records all or nothing, and names the bad index', () => {
    const s = new QuantileSketch({ backend: tier });
    s.recordMany([1, 2, 3]);
    const before = s.toProto();
    const x = Float64Array.from([4, 5, NaN, 6]);
    expect(() => s.recordMany(x)).toThrow(/^hotpath\.QuantileSketch\.recordMany: values\[2\] must be finite; got NaN/);
    expect(() => s.recordMany([1, Infinity])).toThrow(RangeError);
    expect(() => s.recordMany([1, '2' as unknown as number])).toThrow(/values\[1\] must be a number/);
    expect(s.toProto()).toEqual(before);
    expect(s.count).toBe(3);
  });

  it('record(v, count) equals count records', () => {
    const a = new QuantileSketch({ backend: tier });
    const b = new QuantileSketch({ backend: tier });
    a.record(-2.5, 1000);
    a.record(7, 3);
    for (let i = 0; i < 1000; i++) b.record(-2.5);
    for (let i = 0; i < 3; i++) b.record(7);
    expect(bins(a)).toEqual(bins(b));
    expect([a.count, a.min, a.max]).toEqual([b.count, b.min, b.max]);
  });
});

function multiplierOf(s: QuantileSketch): number {
  if (s.mapping === 'exponential') return Math.LOG2E * 2 ** s.scale!;
  // The stable gamma the sketch wrote into its proto gives the multiplier.
  const { gamma } = decodeSketch('test', s.toProto());
  const alpha = (gamma - 1) / (gamma + 1);
  const gm = (2 * alpha) / (1 - alpha);
  return s.mapping === 'cubic' ? 1 / Math.log1p(gm) / (10 / 7) : 1 / Math.log1p(gm);
}

describe('QuantileSketch input checks', () => {
  it('rejects bad options, naming them', () => {
    expect(() => new QuantileSketch({ relativeAccuracy: 0 })).toThrow(/^hotpath\.QuantileSketch: options\.relativeAccuracy must be in \(0, 1\); got 0/);
    expect(() => new QuantileSketch({ relativeAccuracy: 1 })).toThrow(RangeError);
    expect(() => new QuantileSketch({ relativeAccuracy: NaN })).toThrow(RangeError);
    expect(() => new QuantileSketch({ relativeAccuracy: 1e-12 })).toThrow(/must fit in 32 bits/);
    expect(() => new QuantileSketch({ maxBins: 0 })).toThrow(/^hotpath\.QuantileSketch: options\.maxBins must be an integer in \[1, 2\^20\]/);
    expect(() => new QuantileSketch({ scale: 0 })).toThrow(RangeError);
    expect(() => new QuantileSketch({ scale: 4, relativeAccuracy: 0.01 })).toThrow(TypeError);
    expect(() => new QuantileSketch({ alpha: 0.01 } as never)).toThrow(/^hotpath\.QuantileSketch: options has unknown option "alpha" \(did you mean "relativeAccuracy"\?\)/);
    expect(() => new QuantileSketch({ mapping: 'linear' } as never)).toThrow(TypeError);
  });

  it('rejects bad values and quantiles', () => {
    const s = new QuantileSketch();
    expect(() => s.record(NaN)).toThrow(/^hotpath\.QuantileSketch\.record: value must be finite; got NaN/);
    expect(() => s.record(-Infinity)).toThrow(RangeError);
    expect(() => s.record('1' as unknown as number)).toThrow(TypeError);
    expect(() => s.record(1, 0)).toThrow(/count must be a positive safe integer/);
    expect(() => s.record(1, 1.5)).toThrow(RangeError);
    expect(() => s.recordMany({} as never)).toThrow(TypeError);
    expect(s.quantile(0.5)).toBeNaN();
    expect(s.min).toBeNaN();
    expect(s.count).toBe(0);
    expect(() => s.quantile(1.5)).toThrow(/^hotpath\.QuantileSketch\.quantile: q must be in \[0, 1\]; got 1\.5/);
    expect(() => s.quantiles([0.5, -1])).toThrow(/qs\[1\] must be in \[0, 1\]/);
    expect(() => s.percentile(101)).toThrow(RangeError);
  });

  it('refuses to merge different mappings, saying which', () => {
    const a = new QuantileSketch({ relativeAccuracy: 0.01 });
    const b = new QuantileSketch({ relativeAccuracy: 0.02 });
    const c = new QuantileSketch({ scale: 6 });
    expect(() => a.merge(b)).toThrow(/^hotpath\.QuantileSketch\.merge: other has mapping cubic relativeAccuracy 0\.02.*this sketch has cubic relativeAccuracy 0\.01/);
    expect(() => a.merge(c)).toThrow(/exponential scale 6/);
    expect(() => a.merge({} as never)).toThrow(TypeError);
    expect(() => QuantileSketch.mergeAll([])).toThrow(RangeError);
    expect(() => QuantileSketch.mergeAll([a, b])).toThrow(/sketches\[1\] has mapping/);
  });

  it('toOtlp of 3·10^5 buckets (no spread of them onto the call stack)', () => {
    const s = new QuantileSketch({ scale: 20, maxBins: 1 << 20 });
    const x = Float64Array.from({ length: 300_000 }, (_, i) => 1 + i * 2e-6);
    s.recordMany(x);
    const o = s.toOtlp({ maxSize: 1 << 24 });
    expect(o.scale).toBe(20);
    expect(o.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(300_000);
    expect(o.positive.bucketCounts.length).toBeGreaterThan(250_000);
  });

  it('throws a TypeError after dispose', () => {
    const s = new QuantileSketch();
    s.record(1);
    s.dispose();
    s.dispose();
    expect(() => s.record(1)).toThrow(/^hotpath\.QuantileSketch\.record: sketch is disposed/);
    expect(() => s.quantile(0.5)).toThrow(TypeError);
    expect(() => s.count).toThrow(TypeError);
  });

  it('fromProto: malformed bytes give a RangeError naming the offset, never another error', () => {
    const s = new QuantileSketch();
    s.recordMany(wide(500, 2));
    const good = s.toProto();
    for (let cut = 0; cut < good.length; cut++) {
      try {
        QuantileSketch.fromProto(good.subarray(0, cut)).dispose();
      } catch (e) {
        expect(e, `cut ${cut}`).toBeInstanceOf(RangeError);
        expect((e as Error).message).toMatch(/^hotpath\.QuantileSketch\.fromProto: bytes .* at offset \d+/);
      }
    }
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (flips) => {
        const b = good.slice();
        for (const [i, v] of flips) b[i] = v;
        try {
          const d = QuantileSketch.fromProto(b);
          expect(d.count).toBeGreaterThanOrEqual(0);
          d.quantiles(QS);
          d.dispose();
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
      }),
      { numRuns: 400 },
    );
    expect(() => QuantileSketch.fromProto(new Uint8Array([0x0a, 0x05, 1]))).toThrow(/length 5 runs past the end at offset 1/);
    expect(() => QuantileSketch.fromProto('x' as never)).toThrow(TypeError);
  });
});

describe('SlidingQuantileSketch', () => {
  it('answers over the last window and forgets expired slices', () => {
    let now = 1000;
    const w = new SlidingQuantileSketch({ windowMs: 60_000, slices: 6, clock: () => now });
    for (let i = 0; i < 100; i++) w.record(100);
    expect(w.count).toBe(100);
    now += 30_000;
    for (let i = 0; i < 100; i++) w.record(1);
    expect(w.count).toBe(200);
    expect(w.quantile(0.99)).toBeCloseTo(100, -1);
    now += 35_000; // the first slice is now more than a window old
    expect(w.count).toBe(100);
    expect(w.quantile(0.99)).toBeCloseTo(1, 1);
    now += 10 * 60_000;
    expect(w.count).toBe(0);
    expect(w.quantile(0.5)).toBeNaN();
    w.record(5);
    expect(w.snapshot().count).toBe(1);
    w.dispose();
    expect(() => w.record(1)).toThrow(/^hotpath\.SlidingQuantileSketch\.record: sketch is disposed/);
  });

  it('works on a Date.now-scale clock with a short window, and a clock that steps back', () => {
    let now = 1.7e12;
    const w = new SlidingQuantileSketch({ windowMs: 1, slices: 4, clock: () => now });
    w.record(3);
    now += 0.5;
    w.record(4);
    expect(w.count).toBe(2);
    now -= 10; // a clock stepping back rotates nothing
    w.record(5);
    expect(w.count).toBe(3);
    now += 20;
    expect(w.count).toBe(0);
    w.dispose();
  });

  it('rejects bad options', () => {
    expect(() => new SlidingQuantileSketch({} as never)).toThrow(/options\.windowMs must be a number/);
    expect(() => new SlidingQuantileSketch({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new SlidingQuantileSketch({ windowMs: 10, slices: 0 })).toThrow(RangeError);
    expect(() => new SlidingQuantileSketch({ windowMs: 1e-3, slices: 4 })).toThrow(/slices of .* must be >= 0\.001 ms/);
    expect(() => new SlidingQuantileSketch({ windowMs: 10, relativeAccuracy: 2 })).toThrow(/^hotpath\.SlidingQuantileSketch: options\.relativeAccuracy must be in \(0, 1\)/);
    expect(() => new SlidingQuantileSketch({ windowMs: 10, window: 5 } as never)).toThrow(/did you mean "windowMs"/);
  });
});
