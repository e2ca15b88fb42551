// Memory safety of the wasm tier: many structures share one linear memory with the
// kernels' scratch block. A bug in one (a stale per-tree offset, a size that wraps at
// 2 GiB, a batch half applied on out-of-memory) shows up as another structure's
// corruption, so every check below re-reads every live structure.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BPlusTree, matmul, ngramFeatures, TimingWheel, TtlCache } from '../ts/index.js';
import { wasmMemoryBytes, wasmRuntime } from '../ts/tiers/wasm/index.js';
import { onTier } from './support/tiers.js';

const rt = wasmRuntime();
if (rt === null) throw new Error('the wasm tier did not load');
const { heap, kernels } = rt;
const ex = heap.ex;

// ---- models ------------------------------------------------------------------------------

type Kind = 'number' | 'string';
/** ASCII keys only, so JS sort order is the tree's byte order. */
const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

interface TreeBox { kind: 'tree'; keyType: Kind; t: BPlusTree<number | string, number>; model: Map<number | string, number> }
interface WheelBox { kind: 'wheel'; w: TimingWheel<number>; model: { id: number; deadline: number; seq: number; payload: number }[]; now: number; seq: number }
interface CacheBox { kind: 'cache'; c: TtlCache<string, number>; model: Map<string, { value: number; deadline: number }>; clock: { now: number } }
type Box = TreeBox | WheelBox | CacheBox;

function verifyTree(b: TreeBox): void {
  const keys = [...b.model.keys()].sort(cmp);
  expect(b.t.size).toBe(keys.length);
  expect(b.t.checkInvariants()).toBeNull();
  expect([...b.t.keys()]).toEqual(keys);
  expect(b.t.getMany(keys)).toEqual(keys.map((k) => b.model.get(k)));
}

function verifyWheel(b: WheelBox): void {
  expect(b.w.size).toBe(b.model.length);
  expect(b.w.check()).toBeNull();
}

function verifyCache(b: CacheBox): void {
  for (const [k, e] of b.model) expect(b.c.peek(k)).toBe(e.deadline > b.clock.now ? e.value : undefined);
}

function verifyAll(boxes: Box[]): void {
  for (const b of boxes) {
    if (b.kind === 'tree') verifyTree(b);
    else if (b.kind === 'wheel') verifyWheel(b);
    else verifyCache(b);
  }
}

function dispose(b: Box): void {
  if (b.kind === 'tree') b.t.dispose();
  else if (b.kind === 'wheel') b.w.dispose();
  else b.c.dispose();
}

/** Keys that force splits, merges and (strings) out-of-node blocks and long separators. */
function keyOf(kind: Kind, i: number): number | string {
  if (kind === 'number') return i;
  return i % 3 === 0 ? `k${i}` : `a-long-shared-prefix-of-keys/${String(i).padStart(5, '0')}`;
}

// ---- (a) model-based interleavings --------------------------------------------------------

type Op =
  | { op: 'tree'; keyType: Kind; order: number }
  | { op: 'wheel' }
  | { op: 'cache' }
  | { op: 'fill'; at: number; from: number; n: number }
  | { op: 'setMany'; at: number; keys: number[] }
  | { op: 'delete'; at: number; key: number }
  | { op: 'deleteMany'; at: number; keys: number[] }
  | { op: 'clear'; at: number }
  | { op: 'dispose'; at: number }
  | { op: 'schedule'; at: number; delays: number[] }
  | { op: 'cancel'; at: number; pick: number }
  | { op: 'advance'; at: number; step: number };

const KEY = fc.integer({ min: 0, max: 700 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tree' as const), keyType: fc.constantFrom<Kind>('number', 'string'), order: fc.constantFrom(4, 5, 8, 64) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wheel' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cache' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fill' as const), at: fc.nat(), from: KEY, n: fc.integer({ min: 1, max: 800 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setMany' as const), at: fc.nat(), keys: fc.array(KEY, { maxLength: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), key: KEY }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('deleteMany' as const), at: fc.nat(), keys: fc.array(KEY, { maxLength: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dispose' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('schedule' as const), at: fc.nat(), delays: fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 120 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), at: fc.nat(), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), at: fc.nat(), step: fc.integer({ min: 0, max: 40 }) }) },
);

let payloadSeq = 0;

function apply(boxes: Box[], o: Op): void {
  if (o.op === 'tree') {
    boxes.push({ kind: 'tree', keyType: o.keyType, t: new BPlusTree({ keyType: o.keyType, order: o.order, backend: 'wasm' }), model: new Map() });
    return;
  }
  if (o.op === 'wheel') {
    boxes.push({ kind: 'wheel', w: new TimingWheel<number>({ tickMs: 1, wheels: [4, 4, 2], now: 0, backend: 'wasm' }), model: [], now: 0, seq: 0 });
    return;
  }
  if (o.op === 'cache') {
    const clock = { now: 0 };
    boxes.push({ kind: 'cache', c: new TtlCache<string, number>({ maxSize: 10_000, ttlMs: 30, clock: () => clock.now, autoPurge: false, backend: 'wasm' }), model: new Map(), clock });
    return;
  }
  if (boxes.length === 0) return;
  const at = o.at % boxes.length, b = boxes[at];
  if (o.op === 'dispose') {
    dispose(b);
    boxes.splice(at, 1);
    return;
  }
  if (b.kind === 'tree') {
    const k = (i: number) => keyOf(b.keyType, i);
    switch (o.op) {
      case 'fill': {
        const keys = Array.from({ length: o.n }, (_, i) => k(o.from + i));
        const vals = keys.map(() => payloadSeq++);
        b.t.setMany(keys, vals);
        keys.forEach((key, i) => b.model.set(key, vals[i]));
        break;
      }
      case 'setMany': {
        const keys = o.keys.map(k), vals = keys.map(() => payloadSeq++);
        b.t.setMany(keys, vals);
        keys.forEach((key, i) => b.model.set(key, vals[i]));
        break;
      }
      case 'delete':
        expect(b.t.delete(k(o.key))).toBe(b.model.delete(k(o.key)));
        break;
      case 'deleteMany': {
        const keys = o.keys.map(k);
        let n = 0;
        for (const key of keys) if (b.model.delete(key)) n++;
        expect(b.t.deleteMany(keys)).toBe(n);
        break;
      }
      case 'clear':
        b.t.clear();
        b.model.clear();
        break;
      case 'schedule':
        // On a tree, a run of single sets (the numbers read as keys).
        for (const key of o.delays) {
          const v = payloadSeq++;
          b.t.set(k(key), v);
          b.model.set(k(key), v);
        }
        break;
      default:
        break;
    }
    return;
  }
  if (b.kind === 'wheel') {
    switch (o.op) {
      case 'fill':
      case 'schedule': {
        const delays = o.op === 'fill' ? Array.from({ length: o.n }, (_, i) => (o.from + i) % 97) : o.delays;
        const payloads = delays.map(() => payloadSeq++);
        const ids = b.w.scheduleMany(delays, payloads);
        delays.forEach((d, i) => b.model.push({ id: ids[i], deadline: b.now + d, seq: b.seq++, payload: payloads[i] }));
        break;
      }
      case 'cancel':
      case 'delete': {
        if (b.model.length === 0) break;
        const i = (o.op === 'cancel' ? o.pick : o.key) % b.model.length;
        expect(b.w.cancel(b.model[i].id)).toBe(true);
        b.model.splice(i, 1);
        break;
      }
      case 'advance': {
        b.now += o.step;
        const due = b.model.filter((t) => t.deadline <= b.now).sort((x, y) => x.deadline - y.deadline || x.seq - y.seq);
        b.model = b.model.filter((t) => t.deadline > b.now);
        expect(b.w.advance(b.now)).toEqual(due.map((t) => t.payload));
        break;
      }
      case 'clear':
        b.w.clear();
        b.model = [];
        break;
      default:
        break;
    }
    return;
  }
  switch (o.op) {
    case 'fill':
    case 'setMany': {
      const keys = o.op === 'fill' ? Array.from({ length: Math.min(o.n, 200) }, (_, i) => `c${o.from + i}`) : o.keys.map((x) => `c${x}`);
      for (const key of keys) {
        const v = payloadSeq++;
        b.c.set(key, v, { ttlMs: 1 + (v % 50) });
        b.model.set(key, { value: v, deadline: b.clock.now + 1 + (v % 50) });
      }
      break;
    }
    case 'delete': {
      // An expired entry not yet purged may still be removed (true) or already gone (false).
      const key = `c${o.key}`, e = b.model.get(key);
      const removed = b.c.delete(key);
      if (e === undefined) expect(removed).toBe(false);
      else if (e.deadline > b.clock.now) expect(removed).toBe(true);
      b.model.delete(key);
      break;
    }
    case 'advance':
      b.clock.now += o.step;
      break;
    case 'clear':
      b.c.clear();
      b.model.clear();
      break;
    default:
      break;
  }
}

describe('wasm structures sharing one memory', () => {
  it('random interleavings of trees, wheels and TtlCaches match their models after every step', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 50, size: 'max' }), (ops) => {
        const boxes: Box[] = [];
        const start: Op[] = [{ op: 'tree', keyType: 'number', order: 4 }, { op: 'tree', keyType: 'string', order: 5 }, { op: 'wheel' }, { op: 'cache' }];
        try {
          for (const o of [...start, ...ops]) {
            apply(boxes, o);
            verifyAll(boxes);
          }
        } finally {
          for (const b of boxes) dispose(b);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('reproducer: disposing or clearing a number tree after a string tree was used', () => {
    for (const end of ['dispose', 'clear'] as const) {
      const t = new BPlusTree<number, number>({ keyType: 'number', backend: 'wasm' });
      for (let i = 0; i < 800; i++) t.set(i, i);
      const s = new BPlusTree<string, number>({ keyType: 'string', backend: 'wasm' });
      s.set('a', 1);
      if (end === 'dispose') {
        t.dispose();
      } else {
        t.clear();
        expect(t.size).toBe(0);
        expect([...t.keys()]).toEqual([]);
        for (let i = 0; i < 800; i++) t.set(i, i * 2);
        expect(t.size).toBe(800);
        expect([...t.keys()]).toEqual(Array.from({ length: 800 }, (_, i) => i));
        for (let i = 0; i < 800; i++) expect(t.get(i)).toBe(i * 2);
        expect(t.checkInvariants()).toBeNull();
        t.dispose();
      }
      expect(s.get('a')).toBe(1);
      expect(s.checkInvariants()).toBeNull();
      s.dispose();
    }
  });

  it('wasm linear memory stays flat over repeated create / fill / dispose of mixed structures', () => {
    let peak = 0;
    for (let round = 0; round < 12; round++) {
      const boxes: Box[] = [];
      apply(boxes, { op: 'tree', keyType: 'number', order: 8 });
      apply(boxes, { op: 'tree', keyType: 'string', order: 16 });
      apply(boxes, { op: 'wheel' });
      apply(boxes, { op: 'cache' });
      apply(boxes, { op: 'fill', at: 0, from: 0, n: 3000 });
      apply(boxes, { op: 'fill', at: 1, from: 0, n: 2000 });
      apply(boxes, { op: 'fill', at: 2, from: 0, n: 2000 });
      apply(boxes, { op: 'fill', at: 3, from: 0, n: 150 });
      apply(boxes, { op: 'deleteMany', at: 1, keys: Array.from({ length: 700 }, (_, i) => i) });
      apply(boxes, { op: 'advance', at: 2, step: 50 });
      verifyAll(boxes);
      for (const b of boxes) dispose(b);
      if (round === 1) peak = wasmMemoryBytes();
      if (round > 1) expect(wasmMemoryBytes()).toBe(peak);
    }
  });
});

function filled(n: number, f: (i: number) => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = f(i);
  return x;
}

/** Positions where two equally long arrays differ (toEqual on 10^7 elements is too slow). */
function mismatches(x: Float32Array, y: Float32Array): number {
  expect(x.length).toBe(y.length);
  let bad = 0;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) bad++;
  return bad;
}

// ---- (b) kernels whose outputs pass 2 GiB, with a populated tree alongside -----------------

describe('wasm kernels at 2 GiB outputs leave the structures alone', () => {
  const N = 3000;
  let canary: BPlusTree<string, number>;
  const canaryKey = (i: number) => `canary-key-${i}-with-a-tail-past-16-bytes`;

  function canaryIntact(): void {
    expect(canary.size).toBe(N);
    expect(canary.checkInvariants()).toBeNull();
    for (let i = 0; i < N; i += 7) expect(canary.get(canaryKey(i))).toBe(i);
    expect([...canary.keys()].length).toBe(N);
  }

  beforeAll(() => {
    canary = new BPlusTree<string, number>({ keyType: 'string', order: 8, backend: 'wasm' });
    for (let i = 0; i < N; i++) canary.set(canaryKey(i), i);
  });
  afterAll(() => canary.dispose());

  // One 2^29-element output (2 GiB) shared by the three kernels, so it is paged in once.
  let out: Float32Array;

  it('matmul(a, b, 2^15, 1, 2^14) runs (row blocks) and is right', () => {
    const m = 2 ** 15, n = 2 ** 14;
    const a = Float32Array.from({ length: m }, (_, i) => (i % 5) - 2);
    const b = Float32Array.from({ length: n }, (_, j) => (j % 7) + 1);
    out = onTier('wasm', () => matmul(a, b, m, 1, n));
    expect(out.length).toBe(2 ** 29);
    for (const i of [0, 1, 4097, m - 1]) for (const j of [0, 3, 8191, n - 1]) expect(out[i * n + j]).toBe(a[i] * b[j]);
    canaryIntact();
  });

  it('matmul with k = 0 writes zeros (no wasm call), and the kernel export refuses extents past memory', () => {
    out.fill(7);
    kernels.matmul(new Float32Array(0), new Float32Array(0), 2 ** 15, 0, 2 ** 14, out);
    for (const i of [0, 12345, out.length - 1]) expect(out[i]).toBe(0);
    const small = new Float32Array(15).fill(Number.NaN);
    onTier('wasm', () => expect(matmul(new Float32Array(0), new Float32Array(0), 3, 0, 5)).toEqual(new Float32Array(15)));
    kernels.matmul(new Float32Array(0), new Float32Array(0), 3, 0, 5, small);
    expect(small).toEqual(new Float32Array(15));
    // The reproducer's shape straight into the export: 2^15 × (2^15 + 1) f32 wraps a u32 extent.
    const p = heap.scratch(64, 'test');
    ex.matmulF32(p, p, 2 ** 15, 0, 2 ** 15 + 1, p);
    canaryIntact();
  });

  it('cosineBatch of 8192 queries × 65536 rows at dim 1 streams its output and is right', () => {
    const q = Float32Array.from({ length: 8192 }, (_, i) => (i % 2 ? -1 : 1) * (1 + (i % 3)));
    const rows = Float32Array.from({ length: 65536 }, (_, j) => (j % 3 ? 2 : -0.5));
    kernels.cosineBatch(q, rows, 1, out);
    for (const i of [0, 1, 4095, 8191]) for (const j of [0, 1, 2, 65534, 65535]) expect(out[i * 65536 + j]).toBe(Math.sign(q[i]) * Math.sign(rows[j]));
    canaryIntact();
  });

  it('ngramFeatures of 32 texts at 2^24 dims runs in groups and matches js', () => {
    kernels.ngramFeatures(Array(32).fill('abcd'), 3, 2 ** 24, true, out);
    const row = onTier('js', () => ngramFeatures('abcd', { dims: 2 ** 24 }));
    const hot: number[] = [];
    for (let j = 0; j < row.length; j++) if (row[j] !== 0) hot.push(j);
    expect(hot.length).toBeGreaterThan(0);
    for (const t of [0, 15, 31]) {
      const base = t * 2 ** 24;
      for (const j of hot) expect(out[base + j]).toBe(row[j]);
      let nonzero = 0;
      for (let j = 0; j < 2 ** 24; j += 1) if (out[base + j] !== 0) nonzero++;
      expect(nonzero).toBe(hot.length);
    }
    canaryIntact();
  });

  it('the streamed paths (query blocks, row blocks, text groups) give what one block gives', () => {
    // cosineBatch / euclideanBatch: 256 KiB rows put 256 queries in a block, so 300 queries take two.
    const dim = 2 ** 16, nq = 300, n = 3;
    const q = filled(nq * dim, (i) => ((i * 37) % 101) / 50 - 1);
    const rows = filled(n * dim, (i) => ((i * 11) % 89) / 44 - 1);
    for (const [batch, pair] of [[kernels.cosineBatch, kernels.cosine], [kernels.euclideanBatch, kernels.euclidean]] as const) {
      const got = new Float32Array(nq * n);
      batch(q, rows, dim, got);
      for (const i of [0, 1, 255, 256, 299]) {
        for (let j = 0; j < n; j++) expect(got[i * n + j]).toBe(Math.fround(pair(q.subarray(i * dim, (i + 1) * dim), rows.subarray(j * dim, (j + 1) * dim))));
      }
    }
    // matmul: a 32 MiB b leaves room for 4-row blocks of 4 MiB rows; compare with one row at a time.
    const m = 10, k = 8, nn = 2 ** 20;
    const a = filled(m * k, (i) => (i % 11) - 5.5);
    const b = filled(k * nn, (i) => ((i * 7) % 13) / 8);
    const whole = new Float32Array(m * nn);
    kernels.matmul(a, b, m, k, nn, whole);
    const one = new Float32Array(nn);
    for (let i = 0; i < m; i++) {
      kernels.matmul(a.subarray(i * k, (i + 1) * k), b, 1, k, nn, one);
      expect(mismatches(whole.subarray(i * nn, (i + 1) * nn), one)).toBe(0);
    }
    // ngramFeatures: 2^20 dims put 16 texts in a group; 40 texts take three.
    const texts = Array.from({ length: 40 }, (_, i) => `text ${i} ${'é'.repeat(i % 4)} ${String.fromCodePoint(0x1f600 + i)}`);
    const grouped = new Float32Array(40 * 2 ** 20);
    kernels.ngramFeatures(texts, 3, 2 ** 20, true, grouped);
    expect(mismatches(grouped, onTier('js', () => ngramFeatures(texts, { dims: 2 ** 20 })))).toBe(0);
    canaryIntact();
  });

  it('a working set that cannot fit is refused by name before anything is allocated', () => {
    const before = wasmMemoryBytes();
    // b is k·n = 2^28 f32 (1 GiB): more than one scratch block can hold with a row of a.
    expect(() => kernels.matmul(new Float32Array(2 ** 14), new Float32Array(2 ** 28), 1, 2 ** 14, 2 ** 14, new Float32Array(2 ** 14)))
      .toThrow(/^hotpath\.matmul: no room in wasm memory for b .*wasm memory exhausted \(needs \d+ bytes\)$/);
    expect(() => kernels.dot(new Float64Array(2 ** 26), new Float64Array(2 ** 26))).toThrow(/^hotpath\.dot: no room in wasm memory for a and b; wasm memory exhausted \(needs \d+ bytes\)$/);
    expect(wasmMemoryBytes()).toBe(before);
    canaryIntact();
  });
});

// ---- (c) out of memory: every batch is all or nothing ------------------------------------
// Last in the file: it grows this process's wasm memory to its 4 GiB limit for good.

describe('out of wasm memory', () => {
  /** Blocks that fill wasm memory up to its 4 GiB limit (largest first, down to 1 byte). */
  let held: [number, number][] = [];
  function exhaust(): void {
    for (let size = 2 ** 30 - 256; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        const p = ex.alloc(size) >>> 0;
        if (p === 0) break;
        held.push([p, size]);
      }
    }
  }
  /** Frees held blocks of about `bytes` in total (a gap some of a batch fits into). */
  function gap(bytes: number): void {
    held.sort((x, y) => x[1] - y[1]);
    let left = bytes;
    for (let i = held.length - 1; i >= 0 && left > 0; i--) {
      if (held[i][1] <= left) {
        ex.free(held[i][0]);
        left -= held[i][1];
        held.splice(i, 1);
      }
    }
  }
  function release(): void {
    for (const [p] of held) ex.free(p);
    held = [];
  }

  it('setMany, fromSorted and scheduleMany fail by name and change nothing; all work once memory is back', () => {
    const str = new BPlusTree<string, number>({ keyType: 'string', order: 8, backend: 'wasm' });
    const num = new BPlusTree<number, number>({ keyType: 'number', order: 4, backend: 'wasm' });
    const wheel = new TimingWheel<number>({ tickMs: 1, now: 0, backend: 'wasm' });
    const cache = new TtlCache<string, number>({ maxSize: 100, ttlMs: 1000, clock: () => 0, autoPurge: false, backend: 'wasm' });
    const strBox: TreeBox = { kind: 'tree', keyType: 'string', t: str, model: new Map() };
    const numBox: TreeBox = { kind: 'tree', keyType: 'number', t: num, model: new Map() };
    for (let i = 0; i < 500; i++) {
      str.set(keyOf('string', i * 2) as string, i);
      strBox.model.set(keyOf('string', i * 2), i);
      num.set(i * 2, i);
      numBox.model.set(i * 2, i);
    }
    wheel.scheduleMany([5, 6, 7], [1, 2, 3]);
    cache.set('kept', 1);
    // A fresh scratch block big enough for the batches below, taken while memory is free.
    heap.scratch(4 << 20, 'test');
    try {
      exhaust();
      expect(ex.alloc(16)).toBe(0);
      const strKeys = Array.from({ length: 4000 }, (_, i) => keyOf('string', 2 * i + 1) as string);
      const numKeys = Float64Array.from({ length: 4000 }, (_, i) => 2 * i + 1);
      for (const room of [0, 8 << 10, 64 << 10]) {
        gap(room);
        expect(() => str.setMany(strKeys, strKeys.map((_, i) => -i))).toThrow(/^hotpath\.BPlusTree\.setMany: keys: wasm memory exhausted/);
        verifyTree(strBox);
        expect(() => num.setMany(numKeys, Array.from(numKeys, (x) => -x))).toThrow(/^hotpath\.BPlusTree\.setMany: keys: wasm memory exhausted/);
        verifyTree(numBox);
        expect(() => BPlusTree.fromSorted(strKeys.slice().sort(), strKeys.map((_, i) => i), { keyType: 'string', backend: 'wasm' }))
          .toThrow(/^hotpath\.BPlusTree(\.fromSorted)?: /);
        expect(() => wheel.scheduleMany(new Float64Array(20_000).fill(9), new Array(20_000).fill(0))).toThrow(/^hotpath\.TimingWheel\.scheduleMany: wasm memory exhausted/);
        expect(wheel.size).toBe(3);
        expect(wheel.check()).toBeNull();
        expect(cache.peek('kept')).toBe(1);
      }
      // The last gap holds part of each failed batch: a short one fits, so the long ones
      // above failed part-way and were rolled back.
      const few = [1, 3, 5, 7, 9, 11, 13, 15];
      num.setMany(few, few.map((x) => -x));
      few.forEach((x) => numBox.model.set(x, -x));
      verifyTree(numBox);
      str.setMany(few.map((x) => keyOf('string', x) as string), few);
      few.forEach((x) => strBox.model.set(keyOf('string', x), x));
      verifyTree(strBox);
      expect(() => str.set('x'.repeat(1 << 20), 1)).toThrow(/^hotpath\.BPlusTree\.set: key: wasm memory exhausted/);
      verifyTree(strBox);
    } finally {
      release();
    }
    // Memory has grown to 4 GiB, yet freed blocks are served again.
    const odd = Array.from({ length: 4000 }, (_, i) => keyOf('string', 2 * i + 1) as string);
    str.setMany(odd, odd.map((_, i) => -i));
    odd.forEach((k, i) => strBox.model.set(k, -i));
    verifyTree(strBox);
    verifyTree(numBox);
    const loaded = BPlusTree.fromSorted(odd.slice().sort(), odd.map((_, i) => i), { keyType: 'string', backend: 'wasm' });
    expect(loaded.size).toBe(4000);
    expect(loaded.checkInvariants()).toBeNull();
    wheel.scheduleMany(new Float64Array(20_000).fill(9), new Array(20_000).fill(0));
    expect(wheel.size).toBe(20_003);
    expect(wheel.check()).toBeNull();
    for (const x of [str, num, loaded]) x.dispose();
    wheel.dispose();
    cache.dispose();
  });
});
