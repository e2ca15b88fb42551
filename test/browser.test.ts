// The browser build in a real headless Chromium (Debian's chromium via
// playwright-core): the conformance and model test files run inside a page on
// the SIMD and the no-SIMD wasm builds, a page bundled the way an app would
// bundle `hotpath` runs every kernel, and the demo page renders and finishes
// its benchmark, and each bundler the README names builds a consumer page
// with zero configuration that runs on the wasm tier. Fails, never skips,
// when Chromium is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
// @ts-expect-error plain ESM module without types
import { launchChromium } from '../scripts/chromium.mjs';
// @ts-expect-error plain ESM module without types
import { ROOT, serveStatic } from '../scripts/demo-web.mjs';
import { CASES, buildBundlerCases } from './browser/bundlers.js';
import { WWW, buildPages } from './browser/bundles.js';
import type { TestResult } from './browser/vitest-shim.js';

let browser: { context: BrowserContext; close(): Promise<void> } | null = null;
let server: { url: string; close(): Promise<void> } | null = null;
let built: Awaited<ReturnType<typeof buildPages>>;
// A missing Chromium must fail every test (vitest would report a throwing beforeAll's tests as skipped).
let setupError: Error | null = null;

beforeAll(async () => {
  try {
    built = await buildPages();
    server = await serveStatic(WWW);
    browser = await launchChromium();
  } catch (e) {
    setupError = e as Error;
  }
});

function ready(): void {
  if (setupError !== null) throw setupError;
}

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Loads a page and waits for the global it publishes its outcome in. */
async function outcome<T>(path: string, global: string, timeout = 60_000): Promise<T> {
  ready();
  const page = await browser!.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  try {
    await page.goto(server!.url + path);
    await page.waitForFunction((g) => g in globalThis, global, { timeout });
    return (await page.evaluate((g) => JSON.parse(JSON.stringify((globalThis as Record<string, unknown>)[g])), global)) as T;
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}\n${problems.join('\n')}`, { cause: e });
  } finally {
    await page.close();
  }
}

interface Suite { error?: string; backend: { tiers: Record<string, { loaded: boolean; simd: string; path: string | null }> }; results: TestResult[] }

// The js tier does not depend on which wasm build loaded, so the no-SIMD page runs the wasm tier's tests only.
describe.each([['simd128', '', ['wasm', 'js']], ['no-SIMD', '?simd=0&tiers=wasm', ['wasm']]] as const)('conformance and model tests in Chromium, %s wasm build', (build, query, tiers) => {
  it(`every test file passes in the page on the ${tiers.join(' and ')} tier(s)`, async () => {
    // Both tiers' files take ~100 s in the page when the 2-vCPU VM is shared with other jobs.
    const suite = await outcome<Suite>(`conformance.html${query}`, '__hotpathSuite', 280_000);
    expect(suite.error).toBeUndefined();
    expect(suite.backend.tiers.wasm).toMatchObject({ loaded: true, simd: build === 'simd128' ? 'simd128' : 'none' });
    expect(suite.backend.tiers.wasm.path).toMatch(build === 'simd128' ? /\/hotpath\.wasm$/ : /\/hotpath-nosimd\.wasm$/);
    const failed = suite.results.filter((r) => r.status === 'fail');
    expect(failed.map((r) => `${r.name}\n${r.reason}`).join('\n\n')).toBe('');
    const passed = suite.results.filter((r) => r.status === 'pass');
    // Every file contributed tests on every tier the page ran.
    for (const tier of tiers) {
      for (const block of ['similarity', 'statistics', 'risk scoring', 'n-gram features', 'matmul', 'analytics bad input', 'BPlusTree', 'TimingWheel', 'TtlCache', 'QuantileSketch']) {
        const name = `${block} on ${tier} tier`;
        expect(passed.filter((r) => r.name.startsWith(name)).length, name).toBeGreaterThan(0);
      }
    }
    expect(passed.length).toBeGreaterThan(tiers.length * 60);
    // What did not run is only native-tier or child-process tests, by name.
    for (const s of suite.results.filter((r) => r.status === 'skip')) {
      expect(`${s.name}: ${s.reason}`).toMatch(/native|needs Node/);
    }
    const slow = [...passed].sort((a, b) => b.ms - a.ms).slice(0, 8).map((r) => `${Math.round(r.ms)} ms ${r.name}`);
    console.log(slow.join('\n'));
    console.log(`browser conformance (${build}): ${passed.length} passed, ${suite.results.length - passed.length} skipped (native tier or child processes), ${Math.round(passed.reduce((t, r) => t + r.ms, 0))} ms in the page`);
  }, 300_000);
});

describe('a page bundled against `hotpath` by name', () => {
  interface Consumer {
    preInit: { wasm: { loaded: boolean; error: string }; native: { error: string }; dot: number };
    forcedBeforeInit: string | null;
    info: { tiers: { wasm: { loaded: boolean; path: string; simd: string } }; largeInputTier: string };
    calls: Record<string, unknown>;
    treeTier: string; treeKeys: number[]; wheelTier: string; wheelDue: string[];
    topology: { source: string; logicalCpus: number; recommendedThreads: number; simd: string[] };
    errors: Record<string, string | null>;
    exports: string[];
  }
  let c: Consumer;
  let consumerError: Error | null = null;
  beforeAll(async () => {
    try {
      c = await outcome<Consumer>('consumer.html', '__hotpathConsumer');
    } catch (e) {
      consumerError = e as Error;
    }
  });
  beforeEach(() => {
    if (consumerError !== null) throw consumerError;
  });

  it('resolves to the browser build and pulls in no Node built-in or native loader', () => {
    expect(built.consumerInputs).toContain('dist/index.browser.js');
    expect(built.consumerInputs.filter((p) => /dist\/(index\.js|platform\/node|tiers\/native\/(loader|platform|index)|tiers\/wasm\/loader|tiers\/paths)/.test(p))).toEqual([]);
    const js = readFileSync(built.consumerJs, 'utf8');
    // Any import/require of a Node built-in, with or without the node: prefix.
    expect(js).not.toMatch(/\b(?:from|import|require)\s*\(?\s*["'](?:node:[a-z_/]+|fs|os|module|path|url|child_process|worker_threads)["']/);
    expect(js).not.toMatch(/createRequire|process\.dlopen|\.node["']/);
  });

  it('before init(): kernels answer on js, the wasm tier names init(), native is not available in browsers', () => {
    expect(c.preInit.dot).toBe(32);
    expect(c.preInit.wasm.loaded).toBe(false);
    expect(c.preInit.wasm.error).toMatch(/await init\(\)/);
    expect(c.preInit.native.error).toBe('not available in browsers');
    expect(c.forcedBeforeInit).toMatch(/backend 'wasm' is not available: .*init\(\)/);
  });

  it('init() loads the wasm by URL even from a server with the wrong MIME type, and every kernel runs on it', async () => {
    expect(c.info.tiers.wasm).toMatchObject({ loaded: true, simd: 'simd128' });
    expect(c.info.tiers.wasm.path).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/octet\/hotpath\.wasm$/);
    expect(c.info.largeInputTier).toBe('wasm');
    const s = Math.fround(Math.SQRT1_2), r2 = Math.fround(Math.SQRT2);
    expect(c.calls).toMatchObject({
      dot: 2, euclidean: 5, cosineBatch: [1, 0, s, 0, 0, 1, s, 0], euclideanBatch: [0, r2, 1, 1, r2, 0, 1, 1], topK: [0, 2],
      stats: 22, percentiles: [3], movingAverage: [1.5, 2.5, 3.5, 52], outliersIQR: [4], outliersZScore: [4], ngramFeatures: 8, matmul: [19, 22, 43, 50],
    });
    expect(c.calls.cosine as number).toBeCloseTo(32 / Math.sqrt(14 * 77), 12);
    for (const k of ['riskScore', 'riskScoreBatch', 'temporalDecay']) expect(c.calls[k], k).toBeDefined();
    expect(c.calls.temporalDecay).toEqual([1, 0.5]);
    // Routing (wasm in the page) answers as the Node build does.
    const node = await import('../dist/index.js');
    expect(c.calls.jumpHash).toEqual(Array.from(node.jumpHash(BigUint64Array.of(256n, 42n), 1024)));
    expect(c.calls.jumpHash).toEqual([520, expect.any(Number)]);
    expect(c.calls.xxh64).toBe('4952883123889572249');
    expect(c.calls.routeMany).toEqual(new node.HashRing(['a', ['b', 2], 'c\u{1F600}']).routeMany(['k1', 'k2', 'k3', 'k4', 'k5', 'k\uD800']));
    expect(c.calls.routeN).toEqual(new node.HashRing(['a', 'b', 'c', 'd']).routeN('key', 4));
    expect(c.treeTier).toBe('wasm');
    expect(c.treeKeys).toEqual([1, 2]);
    expect(c.wheelTier).toBe('wasm');
    expect(c.wheelDue).toEqual(['x']);
  });

  it('errors stay TypeError / RangeError naming the argument', () => {
    expect(c.errors.dotType).toMatch(/^TypeError: hotpath\.dot: a /);
    expect(c.errors.topKRange).toMatch(/^RangeError: hotpath\.topK: k must be >= 0/);
    expect(c.errors.matmulShape).toMatch(/^(RangeError|TypeError): hotpath\.matmul: /);
  });

  it('topology() answers from navigator with source browser', () => {
    expect(c.topology).toMatchObject({ source: 'browser', simd: ['simd128'] });
    expect(c.topology.logicalCpus).toBeGreaterThanOrEqual(1);
    expect(c.topology.recommendedThreads).toBe(c.topology.logicalCpus);
  });

  it('exports the same names as the Node entry', async () => {
    const node = await import('../dist/index.js');
    expect(c.exports).toEqual(Object.keys(node).sort());
  });
});

describe('zero-config bundlers: a consumer page built by each runs on the wasm tier', () => {
  interface Run { kernels: { cosine: number; cosineBatch: number[]; topK: { indices: number[]; scores: number[] }; stats: Record<string, number> }; structures: { tiers: string[]; tree: [number, string][]; cache: Record<string, number | null>; sketch: number[] } }
  interface Published { name: string; error?: string; before: boolean; asyncSame: boolean; wasmTier: { loaded: boolean; path: string; simd: string }; largeInputTier: string; autoTree: string; wasm: Run; js: Run }
  let built: Awaited<ReturnType<typeof buildBundlerCases>> | null = null;
  let buildError: Error | null = null;
  beforeAll(async () => {
    try {
      built = await buildBundlerCases();
    } catch (e) {
      buildError = e as Error;
    }
  }, 300_000);
  afterAll(async () => {
    await built?.close();
  });

  /** Numbers within `rel` of each other (wasm SIMD sums in another order than js), everything else equal. */
  function expectClose(a: unknown, b: unknown, rel: number, at = ''): void {
    if (typeof a === 'number' && typeof b === 'number') {
      expect(Math.abs(a - b), `${at}: ${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
    } else if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      expect(Object.keys(a).sort(), at).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(a)) expectClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rel, `${at}.${k}`);
    } else {
      expect(a, at).toEqual(b);
    }
  }

  it.each(CASES.map((c) => [c.name, c.entry]))('%s (importing %s)', async (name) => {
    if (buildError !== null) throw buildError;
    ready();
    const c = built!.cases[name as keyof NonNullable<typeof built>['cases']];
    expect(c.warnings, `${name} warned`).toEqual([]);
    const inline = c.entry === 'hotpath/inline';
    if (c.files.length > 0) {
      // The URL entry's bundlers emit both builds; the inline entry needs none.
      expect(c.files.filter((f) => f.endsWith('.wasm')).length, c.files.join(', ')).toBe(inline ? 0 : 2);
      expect(c.js).not.toMatch(/\b(?:from|import|require)\s*\(?\s*["'](?:node:[a-z_/]+|fs|os|module|path|url)["']/);
      expect(c.js).not.toMatch(/createRequire|process\.dlopen/);
    }
    const page = await browser!.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    let p: Published;
    try {
      await page.goto(c.url);
      await page.waitForFunction(() => '__bundlerCase' in globalThis, null, { timeout: 60_000 });
      p = (await page.evaluate(() => (globalThis as { __bundlerCase?: unknown }).__bundlerCase)) as Published;
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}\n${problems.join('\n')}`, { cause: e });
    } finally {
      await page.close();
    }
    expect(p.error, problems.join('\n')).toBeUndefined();
    expect(problems).toEqual([]);
    expect(p.name).toBe(name);
    expect(p.before).toBe(false);
    // cosineBatchAsync agreed with cosineBatch, computed on a Web Worker: for hotpath the script
    // the bundler emitted (a 404 would be in problems), for hotpath/inline a Blob URL of the code it carries.
    expect(p.asyncSame).toBe(true);
    expect(workers.length, 'no worker started').toBeGreaterThan(0);
    for (const w of workers) expect(w).toMatch(inline ? /^blob:/ : new RegExp(`^${c.url.replace(/[.]/g, '\\.')}`));
    expect(p.wasmTier).toMatchObject({ loaded: true, simd: 'simd128' });
    if (inline) expect(p.wasmTier.path).toBe('inline:hotpath.wasm');
    else expect(p.wasmTier.path).toMatch(new RegExp(`^${c.url.replace(/[.]/g, '\\.')}.*\\.wasm(\\?.*)?$`));
    expect(p.largeInputTier).toBe('wasm');
    expect(p.autoTree).toBe('wasm');
    expect(p.wasm.structures.tiers).toEqual(['wasm', 'wasm', 'wasm']);
    expect(p.js.structures.tiers).toEqual(['js', 'js', 'js']);
    // What the page computed is right, and the same on both tiers.
    expect(p.wasm.kernels.topK.indices).toEqual([0, 2]);
    expect(p.wasm.kernels.stats).toMatchObject({ count: 7, sum: 122, min: 1, max: 100, median: 4 });
    expect(p.wasm.kernels.cosine).toBeCloseTo(32 / Math.sqrt(14 * 77), 12);
    expectClose(p.wasm.kernels, p.js.kernels, 1e-6, 'kernels');
    expect(p.wasm.structures.tree).toEqual([[1, 'v1'], [3, 'v3'], [5, 'v5'], [7, 'v7']]);
    expect(p.wasm.structures.cache).toEqual({ a: null, c: null, d: 4 });
    expect(p.js.structures.tree).toEqual(p.wasm.structures.tree);
    expect(p.js.structures.cache).toEqual(p.wasm.structures.cache);
    expectClose(p.wasm.structures.sketch, [500, 990], 0.02, 'sketch');
    expectClose(p.wasm.structures.sketch, p.js.structures.sketch, 1e-9, 'sketch vs js');
  });

  it('hotpath/inline without SIMD: init({ simd: false }) compiles the other build it carries', async () => {
    if (buildError !== null) throw buildError;
    ready();
    const page = await browser!.context.newPage();
    try {
      await page.goto(`${built!.cases['esbuild --bundle --format=esm'].url}?simd=0`);
      await page.waitForFunction(() => '__bundlerCase' in globalThis, null, { timeout: 60_000 });
      const p = (await page.evaluate(() => (globalThis as { __bundlerCase?: unknown }).__bundlerCase)) as Published;
      expect(p.error).toBeUndefined();
      expect(p.wasmTier).toMatchObject({ loaded: true, simd: 'none', path: 'inline:hotpath-nosimd.wasm' });
      expect(p.wasm.structures.tiers).toEqual(['wasm', 'wasm', 'wasm']);
      expectClose(p.wasm.kernels, p.js.kernels, 1e-6, 'kernels');
      expect(p.wasm.structures.tree).toEqual(p.js.structures.tree);
    } finally {
      await page.close();
    }
  });
});

describe('the demo page', () => {
  it('renders, runs its benchmark to completion and draws the chart', async () => {
    ready();
    const page = await browser!.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${server!.url}demo/?budget=100`);
      await page.waitForSelector('#run:not([disabled])', { timeout: 30_000 });
      await page.click('#run');
      await page.waitForSelector('body[data-bench="done"], body[data-bench="failed"]', { timeout: 60_000 });
      expect(await page.getAttribute('body', 'data-bench')).toBe('done');
      expect(await page.textContent('#tier')).toBe('wasm (simd128)');
      expect(await page.textContent('#simd')).toMatch(/simd128/);
      const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => ({
        kernel: (tr as HTMLElement).dataset.kernel,
        hotpath: Number((tr.querySelector('.hotpath-ms') as HTMLElement).dataset.ms),
        plain: Number((tr.querySelector('.plain-ms') as HTMLElement).dataset.ms),
        speedup: tr.querySelector('.speedup')!.textContent,
      })));
      expect(rows.map((r) => r.kernel)).toEqual(['cosineBatch', 'topK', 'stats', 'matmul']);
      for (const r of rows) {
        expect(r.hotpath, r.kernel).toBeGreaterThan(0);
        expect(r.plain, r.kernel).toBeGreaterThan(0);
        expect(r.speedup).toMatch(/^\d+\.\d\dx$/);
      }
      expect(await page.$$eval('#chart svg rect', (rs) => rs.length)).toBe(8);
      // SwiftShader gives an adapter with --enable-unsafe-webgpu; either way the section says something definite.
      expect(await page.textContent('#gpu-status')).toMatch(/adapter available|not available|no adapter|failed/);
      if ((await page.textContent('#gpu-status'))!.includes('adapter available')) {
        // hotpath's own WebGPU tier ran a kernel in the page and agreed with the CPU.
        await page.waitForFunction(() => document.getElementById('gpu-run')!.textContent !== '', null, { timeout: 60_000 });
        const maxDiff = Number(await page.getAttribute('#gpu-run', 'data-max-diff'));
        expect(await page.textContent('#gpu-run')).toMatch(/^cosineBatch 1×20000×384: WebGPU [\d.]+ ms/);
        expect(maxDiff).toBeLessThan(1e-5);
      }
      const shot = join(ROOT, 'test', '.artifacts', 'demo.png');
      const png = await page.screenshot({ path: shot, fullPage: true });
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeGreaterThan(20_000);
      expect(errors).toEqual([]);
      console.log(`demo benchmark in Chromium: ${rows.map((r) => `${r.kernel} ${r.speedup}`).join(', ')}`);
    } finally {
      await page.close();
    }
  });
});
