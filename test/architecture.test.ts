// The import rules of ARCHITECTURE.md, enforced with dependency-cruiser over
// ts/ (type-only imports included): no cycle, each layer imports only from
// below, tiers do not import one another, and the browser entry reaches no
// Node built-in.
import { cruise } from 'dependency-cruiser';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/child.js';

const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs');

type Summary = { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[]; totalCruised: number };

async function violations(root: string, options: object = config.options): Promise<{ summary: Summary }> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const r = await cruise(['ts'], { ...options, validate: true, ruleSet: { forbidden: config.forbidden } });
    return r.output as never;
  } finally {
    process.chdir(cwd);
  }
}

describe('module graph of ts/', () => {
  it('has no import cycle and no import against the layering', async () => {
    const { summary } = await violations(ROOT);
    expect(summary.totalCruised).toBeGreaterThan(60);
    const found = summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`);
    expect(found).toEqual([]);
  });

  it('the rules catch a cycle, an upward import, a tier importing another and Node in the browser graph', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hotpath-layers-'));
    const files: Record<string, string> = {
      'ts/contract/a.ts': "import type { B } from '../api/b.js';\nexport type A = B | 1;\n",
      'ts/api/b.ts': "import type { A } from '../contract/a.js';\nexport type B = A | 2;\n",
      'ts/tiers/js/c.ts': "import { d } from '../wasm/d.js';\nexport const c = d;\n",
      'ts/tiers/wasm/d.ts': 'export const d = 1;\n',
      'ts/index.browser.ts': "import { readFileSync } from 'node:fs';\nexport const e = readFileSync;\n",
    };
    try {
      for (const [f, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, f)), { recursive: true });
        writeFileSync(join(root, f), text);
      }
      const { summary } = await violations(root, { tsPreCompilationDeps: true });
      const rules = new Set(summary.violations.map((v) => v.rule.name));
      expect([...rules].sort()).toEqual(['browser-graph-node-free', 'layer-contract', 'no-circular', 'tiers-independent']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
