// The slice of vitest's API the conformance and model test files use, for
// running those same files inside a Chromium page (bundled by esbuild with
// `vitest` aliased here). Assertions are vitest's own (@vitest/expect on
// chai), so a test means in the page exactly what it means under Node.
import * as chai from 'chai';
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's `expect`, as far as these files need it (matchers and `expect.fail`). */
export const expect = chai.expect as unknown as typeof import('vitest').expect;

type Fn = (...args: any[]) => unknown;
interface Registered { name: string; fn: Fn | null; skip: string | null }

const registered: Registered[] = [];
const scope: string[] = [];

/** Thrown by stand-ins for Node-only helpers (child processes): the runner reports the test as needing Node. */
export class NodeOnly extends Error {}

// vitest's printf-style titles: %s %i %d %f %j %o, %% for a percent sign.
function title(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%[sidfjo%]/g, (m) => {
    if (m === '%%') return '%';
    const v = args[i++];
    if (m === '%i') return String(Math.trunc(Number(v)));
    if (m === '%d' || m === '%f') return String(Number(v));
    if (m === '%j' || m === '%o') return JSON.stringify(v);
    return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  });
}

const spread = (c: unknown): unknown[] => (Array.isArray(c) ? c : [c]);

function register(name: string, fn: Fn | null, skip: string | null): void {
  registered.push({ name: [...scope, name].join(' > '), fn, skip });
}

interface ItFn {
  (name: string, fn: Fn, timeout?: number): void;
  each(cases: readonly unknown[]): (name: string, fn: Fn, timeout?: number) => void;
  skip(name: string, fn?: Fn): void;
  runIf(cond: unknown): ItFn | ((name: string, fn?: Fn) => void);
  skipIf(cond: unknown): ItFn | ((name: string, fn?: Fn) => void);
}

const skipped = (name: string): void => register(name, null, 'condition false (runIf/skipIf)');

export const it: ItFn = Object.assign((name: string, fn: Fn) => register(name, fn, null), {
  each: (cases: readonly unknown[]) => (name: string, fn: Fn) => {
    for (const c of cases) register(title(name, spread(c)), () => fn(...spread(c)), null);
  },
  skip: (name: string) => register(name, null, 'it.skip'),
  runIf: (cond: unknown) => (cond ? it : skipped),
  skipIf: (cond: unknown) => (cond ? skipped : it),
});
export const test = it;

interface DescribeFn {
  (name: string, fn: () => void): void;
  each(cases: readonly unknown[]): (name: string, fn: Fn) => void;
}

export const describe: DescribeFn = Object.assign(
  (name: string, fn: () => void) => {
    scope.push(name);
    try {
      fn();
    } finally {
      scope.pop();
    }
  },
  {
    each: (cases: readonly unknown[]) => (name: string, fn: Fn) => {
      for (const c of cases) describe(title(name, spread(c)), () => fn(...spread(c)));
    },
  },
);

/** One test's outcome, as the page reports it to the Node side. */
export interface TestResult { name: string; status: 'pass' | 'fail' | 'skip'; reason?: string; ms: number }

/** Runs every registered test in order, one at a time. */
export async function runRegistered(onResult?: (r: TestResult) => void): Promise<TestResult[]> {
  const out: TestResult[] = [];
  for (const t of registered) {
    const t0 = performance.now();
    let r: TestResult;
    if (t.fn === null) r = { name: t.name, status: 'skip', reason: t.skip ?? '', ms: 0 };
    else {
      try {
        await t.fn();
        r = { name: t.name, status: 'pass', ms: performance.now() - t0 };
      } catch (e) {
        r = e instanceof NodeOnly
          ? { name: t.name, status: 'skip', reason: `needs Node: ${e.message}`, ms: 0 }
          : { name: t.name, status: 'fail', reason: String((e as Error)?.stack ?? e).slice(0, 2000), ms: performance.now() - t0 };
      }
    }
    out.push(r);
    onResult?.(r);
  }
  return out;
}
