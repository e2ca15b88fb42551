// npm run demo:web: bundles demo/web with esbuild (resolving `hotpath` through
// the package's `browser` export condition, as an app's bundler would),
// copies the wasm builds beside the bundle (esbuild leaves
// `new URL('./hotpath.wasm', import.meta.url)` as is, so they must sit there),
// and serves the result on 127.0.0.1 (PORT, or a free port).
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** Copies dist's two wasm builds into `outdir`; they must exist (npm run build). */
export function copyWasm(outdir) {
  for (const f of ['hotpath.wasm', 'hotpath-nosimd.wasm']) {
    const src = join(ROOT, 'dist', f);
    if (!existsSync(src)) throw new Error(`${src} is missing: run npm run build first`);
    copyFileSync(src, join(outdir, f));
  }
}

/**
 * Bundles an ES module entry for browsers with esbuild. `hotpath` resolves
 * through package.json's exports (a package may import itself by name), with
 * the `browser` condition. Returns esbuild's metafile.
 */
export async function bundleForBrowser(entry, outfile, options = {}) {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
    ...options.esbuild,
  });
  return r.metafile;
}

/** Builds the demo into `outdir` (default demo/web/build): index.html, style.css, app.js and the wasm files. */
export async function buildDemo(outdir = join(ROOT, 'demo', 'web', 'build')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await bundleForBrowser(join(ROOT, 'demo', 'web', 'main.js'), join(outdir, 'app.js'), { minify: true });
  for (const f of ['index.html', 'style.css']) cpSync(join(ROOT, 'demo', 'web', f), join(outdir, f));
  copyWasm(outdir);
  return outdir;
}

/**
 * A static file server over `root` on 127.0.0.1 with the right MIME types
 * (application/wasm for streaming compilation). Paths under `/octet/` serve
 * the same files as application/octet-stream, to exercise the buffered
 * fallback for servers with the wrong MIME type.
 */
export function serveStatic(root, port = 0) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const octet = path.startsWith('/octet/');
    if (octet) path = path.slice('/octet'.length);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if ((file !== base && !file.startsWith(base + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = octet ? 'application/octet-stream' : (MIME[extname(file)] ?? 'application/octet-stream');
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      ok({ url: `http://127.0.0.1:${p}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = await buildDemo();
  const port = process.env.PORT ? Number(process.env.PORT) : 0;
  const { url } = await serveStatic(dir, port);
  console.log(`hotpath demo: ${url}  (Ctrl-C stops it)`);
}
