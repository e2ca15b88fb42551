#!/usr/bin/env node
// npm test [-- <vitest args>]: everything, with no other step on a fresh machine.
//  1. Finds Chromium and a Vulkan driver for Dawn (scripts/chromium.mjs): the npm-provided
//     ones first, unpacked once; Debian's chromium + libvulkan1 as the fallback, installed
//     here when this process may (root or passwordless sudo); otherwise it stops now, within
//     seconds and before the build, with the command to run.
//  2. npm run build (every tier from source).
//  3. vitest run, with this script's arguments.
//  4. npm run test:pack, whether or not vitest passed (chained with && it never ran after a
//     failing test).
// Prints a summary and exits non-zero when any step failed. Reads no stdin.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBrowserAndGpu } from './chromium.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => console.log(line);

// npm's own CLI when run by npm (npm_execpath), else `npm` on the PATH.
const NPM = process.env.npm_execpath && /npm-cli\.[cm]?js$/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ['npm'];
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/** Runs a step with inherited output; returns { ok, seconds, how }. */
function step(name, cmd) {
  log(`\ntest: ${name}: ${cmd.map((c) => (c === process.execPath ? 'node' : c)).join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' && cmd[0] === 'npm' });
  const seconds = (performance.now() - t0) / 1000;
  const how = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  return { name, ok: r.status === 0, seconds, how };
}

function summary(results) {
  log('\ntest: summary');
  for (const r of results) log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(0)} s${r.ok ? '' : `, ${r.how}`})`);
  const failed = results.filter((r) => !r.ok);
  log(failed.length === 0 ? 'test: all passed' : `test: failed: ${failed.map((r) => r.name).join(', ')}`);
  process.exit(failed.length === 0 ? 0 : 1);
}

const t0 = performance.now();
try {
  prepareBrowserAndGpu({ log });
} catch (e) {
  console.error(`\ntest: the browser and WebGPU suites cannot run here:\n${e.message}`);
  process.exit(1);
}
const results = [{ name: 'Chromium and Vulkan', ok: true, seconds: (performance.now() - t0) / 1000, how: '' }];

const build = step('build', [...NPM, 'run', 'build']);
results.push(build);
if (!build.ok) summary(results); // nothing to test without a build

if (!existsSync(VITEST)) {
  results.push({ name: 'vitest', ok: false, seconds: 0, how: `${VITEST} is missing (run npm install)` });
} else {
  results.push(step('vitest', [process.execPath, VITEST, 'run', ...process.argv.slice(2)]));
}
results.push(step('test:pack', [...NPM, 'run', 'test:pack']));
summary(results);
