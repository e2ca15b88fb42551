// Runs a snippet in a fresh Node process against the built package, so load
// time behaviour (env variables, missing or broken addons) is tested for real.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `body` (an async function body with `hp` bound to the package) and returns what it prints as JSON. */
export function runChild(body: string, env: Record<string, string> = {}, entry = join(ROOT, 'dist', 'index.js')): any {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first (npm test does)`);
  const script = `const hp = await import(${JSON.stringify(entry)}); const out = await (async () => { ${body} })(); console.log(JSON.stringify(out));`;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, HOTPATH_BACKEND: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
