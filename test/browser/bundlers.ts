// Builds one consumer page with each bundler the README names, the way its
// users are told to (zero config: only the entry, an output folder and, for
// Rollup, @rollup/plugin-node-resolve with `browser: true`), in a temp dir
// holding a copy of the built package in node_modules/hotpath, and serves
// each result. Every bundler runs in this process, one after the other.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
// @ts-expect-error plain ESM module without types
import { ROOT, serveStatic } from '../../scripts/demo-web.mjs';

/** One bundler case: what it imported, what it warned, what it emitted, and where its page is. */
export interface BundlerCase {
  name: string;
  entry: 'hotpath' | 'hotpath/inline';
  /** The page to open (each case has its own server root). */
  url: string;
  warnings: string[];
  /** Files in the output folder, relative to it. */
  files: string[];
  /** The emitted JavaScript, concatenated (empty for the dev server). */
  js: string;
}

/** The cases, in the order they are built. */
export const CASES = [
  { name: 'vite build', entry: 'hotpath' },
  { name: 'vite dev server', entry: 'hotpath' },
  { name: 'webpack 5', entry: 'hotpath' },
  { name: 'rollup + node-resolve (browser: true)', entry: 'hotpath/inline' },
  { name: 'esbuild --bundle --format=esm', entry: 'hotpath/inline' },
  { name: 'esbuild --bundle (default iife)', entry: 'hotpath/inline' },
] as const;

/** What test/browser/bundler-consumer.js uses of the package. */
const USED = ['init', 'backend', 'setBackend', 'cosine', 'cosineBatch', 'cosineBatchAsync', 'topK', 'stats', 'BPlusTree', 'TtlCache', 'QuantileSketch'];

type CaseName = (typeof CASES)[number]['name'];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name)));
}

function jsOf(dir: string): string {
  return listFiles(dir).filter((f) => /\.m?js$/.test(f)).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

/** Builds and serves every case; close() stops the servers and removes the temp dir. */
export async function buildBundlerCases(): Promise<{ cases: Record<CaseName, BundlerCase>; close(): Promise<void> }> {
  const tmp = mkdtempSync(join(tmpdir(), 'hotpath-bundlers-'));
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    // What an install puts in node_modules: package.json and dist/ (a copy, not a link, so no bundler treats it as source).
    const pkg = join(tmp, 'node_modules', 'hotpath');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    const consumer = readFileSync(join(ROOT, 'test', 'browser', 'bundler-consumer.js'), 'utf8');

    const cases = {} as Record<CaseName, BundlerCase>;
    const serve = async (name: CaseName, entry: BundlerCase['entry'], out: string, warnings: string[]): Promise<void> => {
      const server = await serveStatic(out);
      closers.push(server.close);
      cases[name] = { name, entry, url: server.url, warnings, files: listFiles(out), js: jsOf(out) };
    };
    /** A case's source folder: the consumer, an entry handing it the module, and a page loading the entry. */
    const source = (slug: string, entry: BundlerCase['entry'], name: CaseName, script: 'module' | 'classic', src = './main.js'): string => {
      const dir = join(tmp, slug);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'consumer.js'), consumer);
      // Named imports, as an app writes them, so each bundler tree-shakes what the page does not use.
      writeFileSync(join(dir, 'main.js'), `import { ${USED.join(', ')} } from '${entry}';\nimport { run } from './consumer.js';\nrun({ ${USED.join(', ')} }, ${JSON.stringify(name)});\n`);
      writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title><script${script === 'module' ? ' type="module"' : ''} src="${src}"></script>`);
      return dir;
    };

    // Vite: build, then the dev server (which pre-bundles the dependency and serves the wasm from it).
    const vite = await import('vite');
    const viteLogger = (warnings: string[]): import('vite').Logger => {
      const logger = vite.createLogger('warn', { allowClearScreen: false });
      return { ...logger, warn: (msg) => warnings.push(msg), warnOnce: (msg) => warnings.push(msg), error: (msg) => warnings.push(`error: ${msg}`) };
    };
    {
      const dir = source('vite', 'hotpath', 'vite build', 'module');
      const warnings: string[] = [];
      await vite.build({ root: dir, configFile: false, logLevel: 'warn', customLogger: viteLogger(warnings), build: { outDir: join(dir, 'out') } });
      await serve('vite build', 'hotpath', join(dir, 'out'), warnings);
    }
    {
      const dir = source('vite-dev', 'hotpath', 'vite dev server', 'module', '/main.js');
      const warnings: string[] = [];
      const server = await vite.createServer({ root: dir, configFile: false, logLevel: 'warn', customLogger: viteLogger(warnings), server: { host: '127.0.0.1', port: 0, hmr: false } });
      await server.listen();
      closers.push(() => server.close());
      const url = server.resolvedUrls?.local[0];
      if (!url) throw new Error('vite dev server: no local URL');
      cases['vite dev server'] = { name: 'vite dev server', entry: 'hotpath', url, warnings, files: [], js: '' };
    }

    // webpack 5, production mode, no configuration beyond entry and output.
    {
      const dir = source('webpack', 'hotpath', 'webpack 5', 'classic');
      const { default: webpack } = await import('webpack');
      const stats = await new Promise<import('webpack').Stats>((ok, fail) => {
        webpack({ mode: 'production', context: dir, entry: './main.js', output: { path: join(dir, 'out'), filename: 'main.js' } }, (err, s) => (err || !s ? fail(err ?? new Error('webpack: no stats')) : ok(s)));
      });
      const json = stats.toJson({ all: false, warnings: true, errors: true });
      if (stats.hasErrors()) throw new Error(`webpack: ${json.errors?.map((e) => e.message).join('\n')}`);
      writeFileSync(join(dir, 'out', 'index.html'), readFileSync(join(dir, 'index.html')));
      await serve('webpack 5', 'hotpath', join(dir, 'out'), (json.warnings ?? []).map((w) => w.message));
    }

    // Rollup with only @rollup/plugin-node-resolve({ browser: true }).
    {
      const dir = source('rollup', 'hotpath/inline', 'rollup + node-resolve (browser: true)', 'module');
      const { rollup } = await import('rollup');
      const { nodeResolve } = await import('@rollup/plugin-node-resolve');
      const warnings: string[] = [];
      const bundle = await rollup({ input: join(dir, 'main.js'), plugins: [nodeResolve({ browser: true })], onwarn: (w) => { warnings.push(w.message); } });
      await bundle.write({ dir: join(dir, 'out'), format: 'es' });
      await bundle.close();
      writeFileSync(join(dir, 'out', 'index.html'), readFileSync(join(dir, 'index.html')));
      await serve('rollup + node-resolve (browser: true)', 'hotpath/inline', join(dir, 'out'), warnings);
    }

    // esbuild: --bundle --format=esm, and --bundle alone (an IIFE, loaded by a classic script).
    const esbuild = await import('esbuild');
    for (const [slug, name, format] of [['esbuild-esm', 'esbuild --bundle --format=esm', 'esm'], ['esbuild-iife', 'esbuild --bundle (default iife)', undefined]] as const) {
      const dir = source(slug, 'hotpath/inline', name, format === 'esm' ? 'module' : 'classic');
      const r = await esbuild.build({ entryPoints: [join(dir, 'main.js')], bundle: true, ...(format ? { format } : {}), outfile: join(dir, 'out', 'main.js'), absWorkingDir: dir, logLevel: 'silent' });
      writeFileSync(join(dir, 'out', 'index.html'), readFileSync(join(dir, 'index.html')));
      await serve(name, 'hotpath/inline', join(dir, 'out'), r.warnings.map((w) => w.text));
    }
    return { cases, close };
  } catch (e) {
    await close();
    throw e;
  }
}
