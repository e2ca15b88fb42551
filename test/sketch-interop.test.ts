// Interoperability of QuantileSketch on every tier: DDSketch protobuf read by
// @datadog/sketches-js and written by it, and OpenTelemetry exponential
// histogram buckets equal to @opentelemetry/sdk-metrics' own aggregation.
import { DDSketch } from '@datadog/sketches-js';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { QuantileSketch, type TierName } from '../ts/index.js';
import { fdlibmLog } from '../ts/tiers/js/sketch.js';
import { latencies, MAPPINGS, QS, rng, wide } from './support/sketch-data.js';
import { TIERS } from './support/tiers.js';

// OpenTelemetry's JS SDK computes bucket indices with Math.log; the sketch
// uses fdlibm's log on every tier. Node 20's V8 (11.3) Math.log is fdlibm's;
// newer V8s (Chromium 14x) differ by one ulp on ~0.06% of doubles, which can
// move a value lying within an ulp of a bucket boundary.
describe('fdlibm log against this engine\'s Math.log', () => {
  it('agrees bit for bit on Node 20, and within one ulp on ~99.9% or more elsewhere', () => {
    const r = rng(9);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    let differ = 0;
    for (let i = 0; i < 1_000_000; i++) {
      u[0] = (r() * 2 ** 32) >>> 0;
      u[1] = (((r() * 0x7fe00000) >>> 0) + 0x100000) & 0x7fffffff;
      const x = i % 2 === 0 ? f[0]! : 1 + (r() - 0.5) * 1e-4;
      const a = fdlibmLog(x);
      const b = Math.log(x);
      if (a !== b) {
        differ++;
        expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(b) * 2 ** -52);
      }
    }
    if (process.versions.node.startsWith('20.')) expect(differ).toBe(0);
    expect(differ).toBeLessThan(1000);
  });
});

describe.each(TIERS)('QuantileSketch interoperability on %s tier', (tier: TierName) => {
  describe.each(MAPPINGS)('%s', (_name, opts) => {
    it('decodes with @datadog/sketches-js to the same quantiles, and reads its bytes back', () => {
      const x = latencies(20_000, 3);
      const s = new QuantileSketch({ ...opts, backend: tier });
      s.recordMany(x);
      const theirs = DDSketch.fromProto(s.toProto());
      for (const q of QS) expect(theirs.getValueAtQuantile(q), `q=${q}`).toBe(s.quantile(q));
      const back = QuantileSketch.fromProto(s.toProto(), { backend: tier });
      expect(back.quantiles(QS)).toEqual(s.quantiles(QS));
      expect([back.count, back.sum, back.min, back.max]).toEqual([s.count, s.sum, s.min, s.max]);
      expect(back.mapping).toBe(s.mapping);
      back.merge(s); // same mapping after a round trip
    });
  });

  it('reads sketches-js DDSketch bytes (logarithmic mapping) with the same quantiles', () => {
    for (const alpha of [0.01, 0.02, 0.05]) {
      const d = new DDSketch({ relativeAccuracy: alpha });
      const x = wide(5000, 21);
      for (const v of x) d.accept(v);
      const s = QuantileSketch.fromProto(d.toProto(), { backend: tier });
      expect(s.mapping).toBe('logarithmic');
      expect(s.count).toBe(d.count);
      // Exactly what sketches-js itself decodes from the bytes; within 1e-12 of
      // the original (decoding rebuilds gamma's mantissa from the accuracy).
      const decoded = DDSketch.fromProto(d.toProto());
      for (const q of QS) {
        expect(s.quantile(q), `alpha=${alpha} q=${q}`).toBe(decoded.getValueAtQuantile(q));
        expect(Math.abs(s.quantile(q) - d.getValueAtQuantile(q))).toBeLessThanOrEqual(1e-12 * Math.abs(d.getValueAtQuantile(q)));
      }
      expect(s.toProto().length).toBeLessThanOrEqual(d.toProto().length);
    }
  });

  it('toOtlp at a base-2 scale gives the buckets of OpenTelemetry sdk-metrics', async () => {
    for (const [scale, seed] of [[4, 1], [6, 2], [8, 3], [3, 4]] as const) {
      const x = latencies(5000, seed);
      x[7] = 0;
      x[8] = 1024; // a power of two, on a bucket boundary
      x[9] = 2 ** -10;
      const s = new QuantileSketch({ scale, backend: tier, maxBins: 1 << 14 }); // no collapsing: 20 octaves at scale 8 are 5120 bins
      s.recordMany(x);
      const theirs = await otel(x, 160);
      const ours = s.toOtlp({ maxSize: 160 });
      expect(ours.scale).toBe(theirs.scale);
      expect(ours.positive).toEqual(theirs.positive);
      expect(ours.zeroCount).toBe(theirs.zeroCount);
      expect(ours.count).toBe(theirs.count);
      expect([ours.min, ours.max]).toEqual([theirs.min, theirs.max]);
      expect(ours.sum).toBeCloseTo(theirs.sum, 6);
    }
  });

});

async function otel(values: Float64Array, maxSize: number): Promise<{ scale: number; zeroCount: number; count: number; sum: number; min: number; max: number; positive: { offset: number; bucketCounts: number[] } }> {
  class Reader extends MetricReader {
    protected async onForceFlush(): Promise<void> {}
    protected async onShutdown(): Promise<void> {}
  }
  const reader = new Reader();
  const mp = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'h', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize } } }] });
  const h = mp.getMeter('t').createHistogram('h');
  for (const v of values) h.record(v);
  const r = await reader.collect();
  const dp = r.resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints[0]!;
  await mp.shutdown();
  return dp.value as never;
}

