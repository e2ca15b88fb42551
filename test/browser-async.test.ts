// cosineBatchAsync in real Chromium: the page's 1 ms timers keep firing while
// a 200k × 384 call runs in a Web Worker, on the wasm and js tiers, and the
// result equals the sync call; once with inputs copied into a
// SharedArrayBuffer (a crossOriginIsolated page) and once as transferred
// slices (a plain page). Fails, never skips, when Chromium is missing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
// @ts-expect-error plain ESM module without types
import { launchChromium } from '../scripts/chromium.mjs';

const ROOT = join(import.meta.dirname, '..');
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };

/** Serves the checkout; under /iso/ with the headers that make a page crossOriginIsolated. */
function serve(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const iso = path.startsWith('/iso/');
    if (iso) path = path.slice('/iso'.length);
    const file = normalize(join(ROOT, path));
    if (!file.startsWith(ROOT + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (iso) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.writeHead(200, headers).end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

let browser: { context: BrowserContext; close(): Promise<void> } | null = null;
let served: { url: string; server: Server } | null = null;
let setupError: Error | null = null;

beforeAll(async () => {
  try {
    for (const f of ['dist/index.browser.js', 'dist/platform/offthread-browser.js', 'dist/platform/hotpath-worker.js', 'dist/hotpath.wasm']) {
      if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build:ts`);
    }
    served = await serve();
    browser = await launchChromium();
  } catch (e) {
    setupError = e as Error;
  }
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => served?.server.close(r) ?? r(undefined));
});

interface TierRun { ratio: number; idle: number; ticks: number; ms: number; returnedAfter: number; equal: boolean; lastChoice: string | null }
interface Outcome {
  error?: string; done?: boolean; installedByEntry: boolean; crossOriginIsolated: boolean; supports: Record<string, boolean>;
  wasm: TierRun; js: TierRun; preAbort: string; inFlightAbort: string; afterAbort: number; badInput: string;
}

async function run(prefix: string, query = ''): Promise<Outcome> {
  if (setupError !== null) throw setupError;
  const page = await browser!.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  try {
    await page.goto(`${served!.url}${prefix}/test/browser/async.page.html${query}`);
    await page.waitForFunction(() => '__hotpathAsync' in globalThis, undefined, { timeout: 200_000 });
    const o = (await page.evaluate(() => (globalThis as unknown as { __hotpathAsync: Outcome }).__hotpathAsync)) as Outcome;
    if (o.error) throw new Error(`${o.error}\n${problems.join('\n')}`);
    return o;
  } finally {
    await page.close();
  }
}

describe.each([
  ['a plain page (transferred slices)', '', '', false],
  ['a crossOriginIsolated page (SharedArrayBuffer)', '/iso', '', true],
  ['a Blob-URL worker handed a compiled module (hotpath/inline\'s pool)', '', '?blob', false],
] as const)('cosineBatchAsync 200k × 384 in Chromium, %s', (_label, prefix, query, isolated) => {
  let o: Outcome;
  beforeAll(async () => {
    o = await run(prefix, query);
  }, 240_000);

  it('the browser entry installs the worker pool and its workers load wasm and js', () => {
    expect(o.crossOriginIsolated).toBe(isolated);
    expect(o.supports).toEqual({ wasm: true, js: true });
    expect(o.installedByEntry, 'ts/index.browser.ts (or platform/browser.ts) must call installBrowserOffThread()').toBe(true);
  });

  it.each(['wasm', 'js'] as const)('on %s: timers keep firing (>= 80%% of an idle page\'s ticks) and the result equals the sync call', (tier) => {
    const r = o[tier];
    expect(r.lastChoice).toBe(tier);
    expect(r.equal).toBe(true);
    expect(r.returnedAfter).toBeLessThan(50);
    expect(r.ratio, `${tier}: ${r.ticks} ticks in ${r.ms.toFixed(0)} ms (idle ${r.idle.toFixed(2)}/ms)`).toBeGreaterThanOrEqual(0.8);
  });

  it('rejects with the abort reason before and in flight, keeps working, names bad input', () => {
    expect(o.preAbort).toBe('reason');
    expect(o.inFlightAbort).toBe('reason');
    expect(o.afterAbort).toBe(1000 * 2);
    expect(o.badInput).toBe('RangeError: hotpath.cosineBatchAsync: matrix[400] is NaN; inputs must be finite');
  });
});
