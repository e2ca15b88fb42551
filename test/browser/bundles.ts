// Builds what the browser suite serves: the conformance page (the Node test
// files bundled against dist/index.browser.js), a consumer page importing
// `hotpath` by name, and the demo, all in one directory beside the wasm files.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'esbuild';
// @ts-expect-error plain ESM module without types
import { ROOT, buildDemo, bundleForBrowser, copyWasm } from '../../scripts/demo-web.mjs';

const HERE = join(ROOT, 'test', 'browser');

/**
 * Points the test files' imports at what the page can run: ts/ sources at
 * their compiled dist/ twins (index.js at the browser entry, so the tests
 * exercise what ships), vitest at the shim, the child-process helper at a
 * stub, and node:fs at the fixture files, inlined.
 */
function pageRedirects(): Plugin {
  const fixtures = Object.fromEntries(readdirSync(join(ROOT, 'test', 'fixtures')).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(join(ROOT, 'test', 'fixtures', f), 'utf8')]));
  return {
    name: 'hotpath-page-redirects',
    setup(build) {
      build.onResolve({ filter: /^vitest$/ }, () => ({ path: join(HERE, 'vitest-shim.ts') }));
      build.onResolve({ filter: /\/support\/child\.js$/ }, () => ({ path: join(HERE, 'child-stub.ts') }));
      build.onResolve({ filter: /^node:fs$/ }, () => ({ path: 'fixtures', namespace: 'hotpath-fixtures' }));
      build.onLoad({ filter: /.*/, namespace: 'hotpath-fixtures' }, () => ({
        loader: 'js',
        contents: `const FILES = ${JSON.stringify(fixtures)};
export function readFileSync(p) {
  const name = String(p instanceof URL ? p.pathname : p).split('/').pop();
  if (!(name in FILES)) throw new Error('test page: no inlined fixture ' + name);
  return FILES[name];
}`,
      }));
      build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
        const abs = join(args.resolveDir, args.path);
        const rel = relative(join(ROOT, 'ts'), abs);
        if (rel.startsWith('..')) {
          // Test files import each other's siblings as .js; the sources are .ts.
          return abs.startsWith(join(ROOT, 'test') + sep) ? { path: abs.replace(/\.js$/, '.ts') } : undefined;
        }
        return { path: join(ROOT, 'dist', rel === 'index.js' ? 'index.browser.js' : rel) };
      });
    },
  };
}

/** Output directory of the built pages. */
export const WWW = join(ROOT, 'test', '.artifacts', 'www');

/** Builds every page the suite loads into WWW; returns the consumer bundle's path and the inputs it pulled in. */
export async function buildPages(): Promise<{ consumerJs: string; consumerInputs: string[] }> {
  rmSync(WWW, { recursive: true, force: true });
  mkdirSync(WWW, { recursive: true });
  copyWasm(WWW);
  await bundleForBrowser(join(HERE, 'conformance.page.ts'), join(WWW, 'conformance.js'), {
    esbuild: {
      plugins: [pageRedirects()],
      define: { 'process.env.HOTPATH_EXPECT_ABSENT': 'globalThis.__HOTPATH_EXPECT_ABSENT__', 'process.env.HOTPATH_WASM_PATH': 'globalThis.__HOTPATH_WASM_PATH__' },
      inject: [join(HERE, 'buffer-shim.ts')],
    },
  });
  const consumerJs = join(WWW, 'consumer.js');
  const meta = await bundleForBrowser(join(HERE, 'consumer.page.js'), consumerJs, { minify: true });
  for (const page of ['conformance', 'consumer']) {
    writeFileSync(join(WWW, `${page}.html`), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${page}</title><script type="module" src="${page}.js"></script>`);
  }
  await buildDemo(join(WWW, 'demo'));
  return { consumerJs, consumerInputs: Object.keys(meta.inputs) };
}
