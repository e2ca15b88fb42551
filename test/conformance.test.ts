// One conformance harness for every kernel: each case of the bench matrix
// (bench/lib/cases/kernels.mjs) is called through the public API on every
// tier, at sizes that cross every tier's chunking, and compared with the js
// tier. A kernel with a bench case is checked here without a line of its
// own; the per-domain suites add fixed vectors, generated inputs and errors.
import { describe, expect, it } from 'vitest';
import * as hp from '../ts/index.js';
// @ts-expect-error -- plain JS module without types
import { KERNEL_CASES, callOf, workOf } from '../bench/lib/cases/kernels.mjs';
import { TIERS, onTier } from './support/tiers.js';

interface Case { name: string; minWork?: number; sizes: number[]; params(w: number): unknown; setup(p: unknown): unknown; args(x: unknown): unknown[] }

// f32 kernels accumulate in different orders per tier (SIMD lanes, threads,
// blocking); f64 kernels agree far closer. One bound, relative to scale.
const TOL = 2e-4;

function close(actual: unknown, expected: unknown, at: string): void {
  if (typeof expected === 'number') {
    expect(typeof actual, at).toBe('number');
    expect(Math.abs((actual as number) - expected), `${at}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL * (1 + Math.abs(expected)));
  } else if (ArrayBuffer.isView(expected) || Array.isArray(expected)) {
    const e = expected as ArrayLike<unknown>, a = actual as ArrayLike<unknown>;
    expect(a.constructor, at).toBe(e.constructor);
    expect(a.length, at).toBe(e.length);
    if (expected instanceof Uint32Array) expect(Array.from(a as Uint32Array), at).toEqual(Array.from(expected));
    else for (let i = 0; i < e.length; i++) close(a[i], e[i], `${at}[${i}]`);
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), at).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) close((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${at}.${k}`);
  } else {
    expect(actual, at).toEqual(expected);
  }
}

/** Work sizes from the case's smallest up past every tier's first dispatch step, a few per decade. */
function ladder(c: Case): number[] {
  const out: number[] = [];
  for (let w = c.minWork ?? 1; w <= Math.max(4 * (c.minWork ?? 1), Math.min(c.sizes[1], 300_000)); w = Math.ceil(w * 3.7)) out.push(w);
  return out;
}

describe.each(KERNEL_CASES as Case[])('$name', (c) => {
  it('every kernel has a record and a bench case', () => {
    expect(Object.hasOwn(hp.KERNELS, c.name)).toBe(true);
  });

  it.each(TIERS.filter((t) => t !== 'js'))('%s gives the js tier\'s results at every size', (tier) => {
    for (const w of ladder(c)) {
      const x = c.setup(c.params(w));
      const want = onTier('js', () => callOf(hp, c, x));
      const got = onTier(tier, () => callOf(hp, c, x));
      close(got, want, `${c.name} work=${workOf(hp, c, x)}`);
    }
  });
});

it('every public kernel has a bench case', () => {
  const cased = new Set((KERNEL_CASES as Case[]).map((c) => c.name));
  // firstNonFinite is internal: the finite scan behind the statistics kernels.
  expect(hp.KERNEL_NAMES.filter((k) => k !== 'firstNonFinite' && !cased.has(k))).toEqual([]);
});
