// Copies the wasm builds into dist/ so the published package is self-contained.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
for (const f of ['hotpath.wasm', 'hotpath-nosimd.wasm']) {
  const src = `asm/build/${f}`;
  if (!existsSync(src)) {
    console.error(`copy-assets: ${src} is missing; run npm run build:wasm first`);
    process.exit(1);
  }
  copyFileSync(src, `dist/${f}`);
}
