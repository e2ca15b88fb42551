// The call table of the fuzz suite: every public function and structure
// method, its valid arguments (slots) and the pools of bad values each slot
// draws from. generate(seed, i) picks call i deterministically (a seeded
// generator over the table), so a batch can be re-run and a failure named.
//
// Spec fields:
//   fn       the name the error message must start with: `hotpath.${fn}:`
//   prefixes other accepted prefixes (documented per spec)
//   struct   the structure built on the tier first ('btreeNum', 'btreeStr', 'wheel', 'cache', 'cacheBadClock', 'sketch', 'perm', 'model')
//   slots    [{ name, good(ctx), pool }]
//   call     (hp, args, structure, ctx) => result (may be a promise)
//   compare  'value' (default: equal to the js reference), 'shape' (tier-specific value: same type only)
//   disposed the structure is disposed before the call: any Error/TypeError starting `hotpath.` is accepted
//   misuse   state misuse: an Error starting `hotpath.${fn}:` is accepted too
//   userMutates the call itself modifies the structure before it may fail (iteration modes)
//   check    (fixed cases) (after, threw) => a problem with the state the call left, or null
//   nondet   the input changes between reads (or user code re-enters): a named error or any result,
//            invariants must hold, no comparison with js
import { FLIPS, FuzzGetterError, JUNK, NUMS, STRS, VECS, optionPool } from './values.mjs';
import { mulberry32 } from '../../bench/lib/data.mjs';

export { FuzzGetterError };

const thrower = () => {
  throw new FuzzGetterError();
};

// --- good values -------------------------------------------------------------

const Q = () => Float32Array.of(1, 2, 3, 4, 5, 6); // 2 queries of dim 3
const M = () => Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1); // 4 rows
const Q1 = () => Float32Array.of(1, 2, 3);
const V5 = () => Float64Array.of(0.5, -1, 2, 3.25, 4);
const V5b = () => [1, 2, -0.5, 0, 7];
const SEV = () => Float64Array.of(1, 2, 3, 4, 5);
const CONF = () => [0.1, 0.5, 0.9, 1, 0.3];
const OFFS = () => Uint32Array.of(0, 2, 5);
const X = () => Float64Array.of(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 100);
const PS = () => [0, 25, 50, 99.5, 100];
const TEXTS = () => ['hello world', 'abc', 'GET /admin', '\u{1F600}\u{1F601}x'];
const MA = () => Float32Array.of(1, 2, 3, 4, 5, 6); // 2x3
const MB = () => Float32Array.of(1, 0, 0, 1, 1, 1); // 3x2
const MA64 = () => Float64Array.of(1, 2, 3, 4, 5, 6);
const MB64 = () => Float64Array.of(1, 0.5, 0, 1, 1, 1);

// DenseModel: 2 → 3 (relu) → 1 (sigmoid).
const MODEL_LAYERS = () => [{ weights: [1, -2, 0.5, 3, 1, -1], bias: [0.5, -1, 0], activation: 'relu' }, { weights: [1, 2, -3], bias: [0.25], activation: 'sigmoid' }];
/** Stands for a DenseModel built on the call's tier (a good value cannot build one: it has no hp). */
const GOOD_MODEL = Object.freeze({ goodModel: true });
const TFJS_WEIGHTS = () => new Float32Array([1, -2, 0.5, 3, 1, -1, 0.5, -1, 0, 1, 2, -3, 0.25]).buffer;
const TFJS_JSON = () => ({
  modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'd1', units: 3, activation: 'relu', use_bias: true } }, { class_name: 'Dense', config: { name: 'd2', units: 1, activation: 'sigmoid', use_bias: true } }] } },
  weightSpecs: [{ name: 'd1/kernel', shape: [2, 3], dtype: 'float32' }, { name: 'd1/bias', shape: [3], dtype: 'float32' }, { name: 'd2/kernel', shape: [3, 1], dtype: 'float32' }, { name: 'd2/bias', shape: [1], dtype: 'float32' }],
});

// --- pools -------------------------------------------------------------------

const VEC = [...VECS, ...JUNK, ...FLIPS.map(([l, f]) => [l, f, { nondet: true }])];
const SCALAR = [...NUMS, ...JUNK];
const BOOL = [['1', () => 1], ["'true'", () => 'true'], ['null', () => null], ['0n', () => 0n], ['Symbol()', () => Symbol('b')], ['{}', () => ({})]];
const METRIC = [["'cos'", () => 'cos'], ["'COSINE'", () => 'COSINE'], ["''", () => ''], ["'constructor'", () => 'constructor'], ["'toString'", () => 'toString'], ["'__proto__'", () => '__proto__'], ['1', () => 1], ['null', () => null], ['Symbol()', () => Symbol('m')], ['0n', () => 0n], ["new String('dot')", () => new String('dot')], ["'dot'", () => 'dot'], ["'euclidean'", () => 'euclidean']];
const BACKENDS = [["'gpu'", () => 'gpu'], ["'webgpu'", () => 'webgpu'], ["'JS'", () => 'JS'], ["' js'", () => ' js'], ["'auto\\0'", () => 'auto\0'], ["new String('js')", () => new String('js')], ["'__proto__'", () => '__proto__'], ["'toString'", () => 'toString']];
const MODEL_LAYER_POOL = [
  ['[]', () => []],
  ['layers [null]', () => [null]],
  ['weights not a multiple of bias', () => [{ weights: [1, 2, 3], bias: [0, 0] }]],
  ['dims that do not chain', () => [{ weights: [1, 2], bias: [0] }, { weights: [1, 2, 3], bias: [0, 0] }]],
  ['NaN weight', () => [{ weights: [1, NaN], bias: [0] }]],
  ['weight 1e39', () => [{ weights: [1e39, 1], bias: [0] }]],
  ['no bias, no units', () => [{ weights: [1, 2] }]],
  ['units 0', () => [{ weights: [1, 2], units: 0 }]],
  ['units 2**53', () => [{ weights: [1, 2], units: 2 ** 53 }]],
  ['softmax not last', () => [{ weights: [1], bias: [0], activation: 'softmax' }, { weights: [1], bias: [0] }]],
  ["activation 'elu'", () => [{ weights: [1, 2], bias: [0], activation: 'elu' }]],
  ["activation 'toString'", () => [{ weights: [1, 2], bias: [0], activation: 'toString' }]],
  ['weights a Proxy throwing at [1]', () => [{ weights: new Proxy([1, 2], { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) }), bias: [0] }]],
  ['weights Int32Array', () => [{ weights: Int32Array.of(1, 2), bias: [0] }]],
  ['unknown layer key', () => [{ weights: [1, 2], bias: [0], kernel: [1] }]],
  ['5000 layers', () => Array.from({ length: 5000 }, () => ({ weights: [1], bias: [0] }))],
];
const TFJS_POOL = [
  ["'{'", () => '{'],
  ['no modelTopology', () => ({ weightSpecs: [] })],
  ['Functional', () => ({ ...TFJS_JSON(), modelTopology: { class_name: 'Functional', config: { layers: [] } } })],
  ['a Conv2D layer', () => { const j = TFJS_JSON(); j.modelTopology.config.layers[1].class_name = 'Conv2D'; return j; }],
  ["activation 'elu'", () => { const j = TFJS_JSON(); j.modelTopology.config.layers[0].config.activation = 'elu'; return j; }],
  ['kernel missing', () => ({ ...TFJS_JSON(), weightSpecs: TFJS_JSON().weightSpecs.slice(1) })],
  ['dtype int32', () => ({ ...TFJS_JSON(), weightSpecs: TFJS_JSON().weightSpecs.map((w) => ({ ...w, dtype: 'int32' })) })],
  ['shape [-1, 3]', () => ({ ...TFJS_JSON(), weightSpecs: [{ name: 'd1/kernel', shape: [-1, 3], dtype: 'float32' }] })],
  ['shape [2**40, 2**20]', () => ({ ...TFJS_JSON(), weightSpecs: [{ name: 'd1/kernel', shape: [2 ** 40, 2 ** 20], dtype: 'float32' }] })],
  ['layers not an array', () => ({ ...TFJS_JSON(), modelTopology: { class_name: 'Sequential', config: { layers: 5 } } })],
];
const OFFSETS = [
  ['offsets [1,2,5] (first not 0)', () => Uint32Array.of(1, 2, 5)],
  ['offsets [0,3,2] (decreasing)', () => Uint32Array.of(0, 3, 2)],
  ['offsets [0,2,6] (last past the signals)', () => Uint32Array.of(0, 2, 6)],
  ['offsets [0,2,4] (last short)', () => Uint32Array.of(0, 2, 4)],
  ['offsets [0,2**32-1,5]', () => Uint32Array.of(0, 2 ** 32 - 1, 5)],
  ['offsets [0,5,2**32-1]', () => Uint32Array.of(0, 5, 2 ** 32 - 1)],
  ['offsets []', () => new Uint32Array(0)],
  ['offsets [0]', () => Uint32Array.of(0)],
  ['offsets [5]', () => Uint32Array.of(5)],
  ['offsets [0,0,0,5]', () => Uint32Array.of(0, 0, 0, 5)],
  ['offsets Int32Array [0,-1,5]', () => Int32Array.of(0, -1, 5)],
  ['offsets number[]', () => [0, 2, 5]],
];
const TEXT_POOL = [
  ['texts with a number at [1]', () => ['a', 5, 'c']],
  ['texts with a hole', () => { const a = ['abc', 'def', 'ghi']; delete a[1]; return a; }],
  ['texts [new String]', () => [new String('abc')]],
  ['texts with lone surrogates', () => ['\uD800abc', 'x\uDFFF', '\uDC00\uD800']],
  ['texts Proxy throwing at [1]', () => new Proxy(['a', 'b', 'c'], { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) })],
  ['texts array-like object', () => ({ length: 2, 0: 'a', 1: 'b' })],
  ['texts Set', () => new Set(['a'])],
  ['texts []', () => []],
  ["texts ['']", () => ['']],
  ['texts one 200000-char string', () => ['ab\u{1F600}'.repeat(50_000)]],
  ['texts flip Proxy: [1] a string on the first read, a number after', () => { let r = 0; return new Proxy(['a', 'b', 'c'], { get: (t, k) => (k === '1' ? (r++ === 0 ? 'b' : 7) : Reflect.get(t, k)) }); }, { nondet: true }],
  ...JUNK,
];
const VALUES = [
  ['values one shorter', (g) => g.slice(1)],
  ['values one longer', (g) => [...g, 'extra']],
  ['values {length: 2**32}', () => ({ length: 2 ** 32 })],
  ['values {length: -1}', () => ({ length: -1 })],
  ['values {length: NaN}', () => ({ length: NaN })],
  ['values {length: 1.5}', () => ({ length: 1.5 })],
  ["values 'abcd'", () => 'abcd'],
  ['values Proxy whose [1] getter throws', (g) => new Proxy([...g], { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) })],
  ['values whose length getter throws', (g) => new Proxy([...g], { get: (t, k) => (k === 'length' ? thrower() : Reflect.get(t, k)) })],
  ['values a typed array', (g) => Float64Array.from(g, (_, i) => i)],
  ...JUNK,
];
const KEYS_NUM = [
  ['keys [1, NaN]', () => [1, NaN]],
  ['keys [1, Infinity]', () => [1, Infinity]],
  ['keys Float64Array [1, -Infinity]', () => Float64Array.of(1, -Infinity)],
  ['keys [-0, 0]', () => [-0, 0]],
  ['keys Float64Array [-0, 5, -0]', () => Float64Array.of(-0, 5, -0)],
  ["keys [1, 'a']", () => [1, 'a']],
  ['keys [1, 1n]', () => [1, 1n]],
  ['keys duplicates [7, 7, 7]', () => [7, 7, 7]],
  ['keys [2**53, -(2**53), 5e-324]', () => [2 ** 53, -(2 ** 53), 5e-324]],
  ...VEC,
];
const KEYS_STR = [
  ["keys ['a', '\\uD800']", () => ['a', '\uD800']],
  ["keys ['a', 5]", () => ['a', 5]],
  ["keys ['a', undefined]", () => ['a', undefined]],
  ["keys ['a', new String('b')]", () => ['a', new String('b')]],
  ['keys with a 100000-char key', () => ['a', 'z'.repeat(100_000)]],
  ["keys ['', '\\0', '\\u{1F600}', '\\uE000']", () => ['', '\0', '\u{1F600}', '\uE000']],
  ['keys Float64Array', () => Float64Array.of(1, 2)],
  ['keys Proxy throwing at [1]', () => new Proxy(['a', 'b'], { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) })],
  ["keys flip Proxy: [1] 'b' on the first read, 5 after", () => { let r = 0; return new Proxy(['a', 'b', 'c'], { get: (t, k) => (k === '1' ? (r++ === 0 ? 'b' : 5) : Reflect.get(t, k)) }); }, { nondet: true }],
  ["keys flip Proxy: [1] 'b' on the first read, '\\uD800' after", () => { let r = 0; return new Proxy(['a', 'b', 'c'], { get: (t, k) => (k === '1' ? (r++ === 0 ? 'b' : '\uD800') : Reflect.get(t, k)) }); }, { nondet: true }],
  ['keys flip Proxy: length 2 on the first read, 3000 after', () => { let r = 0; return new Proxy(['a', 'b'], { get: (t, k) => (k === 'length' ? (r++ === 0 ? 2 : 3000) : Reflect.get(t, k)) }); }, { nondet: true }],
  ...JUNK,
];
const KEY_NUM = [...SCALAR, ...STRS];
const KEY_STR = [...STRS, ...SCALAR];
const ID_POOL = [...SCALAR, ['id 2**26+3 (another generation)', () => 2 ** 26 + 3], ['id of timer 2 plus one generation', (g, ctx) => ctx.ids[2] + 2 ** 26], ['id 2**53-1', () => 2 ** 53 - 1], ['id 2**52+5', () => 2 ** 52 + 5], ['id 2**26-1', () => 2 ** 26 - 1]];
const WHEELS = [
  ['[]', () => []],
  ['[1]', () => [1]],
  ['[65537]', () => [65537]],
  ['[2.5, 8]', () => [2.5, 8]],
  ["['8', 8]", () => ['8', 8]],
  ['[8, NaN]', () => [8, NaN]],
  ['9 levels', () => Array(9).fill(4)],
  ['[65536 x4] (span 2**64)', () => [65536, 65536, 65536, 65536]],
  ['[65536 x3] (span 2**48)', () => [65536, 65536, 65536]],
  ['[2]', () => [2]],
  ['sparse length 2**32-1', () => { const a = [8]; a.length = 2 ** 32 - 1; return a; }],
  ['with a hole', () => { const a = [8, 8, 8]; delete a[1]; return a; }],
  ['Proxy throwing at [0]', () => new Proxy([8, 8], { get: (t, k) => (k === '0' ? thrower() : Reflect.get(t, k)) })],
  ['Uint32Array [8, 8]', () => Uint32Array.of(8, 8)],
  ...JUNK,
];
const CLOCKS = [
  ['clock returning NaN', () => () => NaN],
  ['clock returning -1', () => () => -1],
  ['clock returning Infinity', () => () => Infinity],
  ["clock returning 'x'", () => () => 'x'],
  ['clock returning 1n', () => () => 1n],
  ['clock that throws', () => thrower],
  ['clock returning 1e300', () => () => 1e300],
  ['clock returning 2**53', () => () => 2 ** 53],
];
const CLOCK_VALUES = [
  ['NaN', () => NaN], ['-1', () => -1], ['0', () => 0], ['999 (backwards)', () => 999], ['Infinity', () => Infinity], ['1e300', () => 1e300],
  ['2**53', () => 2 ** 53], ["'2000'", () => '2000'], ['1n', () => 1n], ['undefined', () => undefined], ['null', () => null], ['1e15', () => 1e15], ['5000 (forward, expires some)', () => 5000],
];

const opts = (fields) => optionPool(fields);
const slot = (name, good, pool) => ({ name, good, pool });

// --- specs -------------------------------------------------------------------

const kernelSpecs = [];
function kernel(fn, slots, call, extra = {}) {
  kernelSpecs.push({ fn, slots, call, ...extra });
}
const pair = (fn) => kernel(fn, [slot('a', V5, VEC), slot('b', V5b, VEC)], (hp, [a, b]) => hp[fn](a, b));
pair('dot');
pair('cosine');
pair('euclidean');
for (const fn of ['cosineBatch', 'euclideanBatch']) {
  kernel(fn, [slot('queries', Q, VEC), slot('matrix', M, VEC), slot('dim', () => 3, SCALAR)], (hp, [q, m, d]) => hp[fn](q, m, d));
}
// The *Async helpers take the sync arguments plus an options argument with `signal`.
const ASYNC_OPTS = slot('options', () => ({}), opts({ signal: JUNK }));
for (const fn of ['cosineBatchAsync', 'euclideanBatchAsync']) {
  kernel(fn, [slot('queries', Q, VEC), slot('matrix', M, VEC), slot('dim', () => 3, SCALAR), ASYNC_OPTS], (hp, a) => hp[fn](...a));
}
kernel('topK', [slot('query', Q1, VEC), slot('matrix', M, VEC), slot('dim', () => 3, SCALAR), slot('k', () => 2, SCALAR), slot('options', () => ({ metric: 'cosine' }), opts({ metric: METRIC }))], (hp, a) => hp.topK(...a));
kernel('topKAsync', [slot('query', Q1, VEC), slot('matrix', M, VEC), slot('dim', () => 3, SCALAR), slot('k', () => 2, SCALAR), slot('options', () => ({ metric: 'cosine' }), opts({ metric: METRIC, signal: JUNK }))], (hp, a) => hp.topKAsync(...a));
kernel('riskScore', [slot('severities', SEV, VEC), slot('confidences', CONF, VEC), slot('options', () => ({ maxSeverity: 5 }), opts({ maxSeverity: NUMS }))], (hp, a) => hp.riskScore(...a));
for (const [fn, extra] of [['riskScoreBatch', {}], ['riskScoreBatchAsync', { signal: JUNK }]]) {
  kernel(fn, [slot('severities', SEV, VEC), slot('confidences', CONF, VEC), slot('offsets', OFFS, [...OFFSETS, ...VEC]), slot('options', () => ({ maxSeverity: 4 }), opts({ maxSeverity: NUMS, ...extra }))], (hp, a) => hp[fn](...a));
}
for (const [fn, more] of [['temporalDecay', []], ['temporalDecayAsync', [ASYNC_OPTS]]]) {
  kernel(fn, [slot('scores', () => Float64Array.of(0.5, 1, 0.25, 0.9, 0), VEC), slot('ages', () => [0, 1, 24, 48, 1e6], [['ages [-1]', () => [0, -1, 0, 0, 0]], ...VEC]), slot('halfLife', () => 24, SCALAR), ...more], (hp, a) => hp[fn](...a));
}
for (const [fn, extra] of [['stats', {}], ['statsAsync', { signal: JUNK }]]) {
  kernel(fn, [slot('x', X, VEC), slot('options', () => ({ ddof: 1 }), opts({ ddof: [...NUMS, ['12 (= count)', () => 12], ['11', () => 11]], ...extra }))], (hp, a) => hp[fn](...a));
}
kernel('percentiles', [slot('x', X, VEC), slot('ps', PS, [['ps [-1]', () => [-1]], ['ps [100.0001]', () => [100.0001]], ['ps []', () => []], ...VEC])], (hp, a) => hp.percentiles(...a));
kernel('quantiles', [slot('x', X, VEC), slot('qs', () => [0, 0.25, 0.5, 0.995, 1], [['qs [-0.1]', () => [-0.1]], ['qs [1.0001]', () => [1.0001]], ['qs []', () => []], ...VEC])], (hp, a) => hp.quantiles(...a));
kernel('movingAverage', [slot('x', X, VEC), slot('window', () => 3, [...SCALAR, ['12 (= n)', () => 12], ['13', () => 13]])], (hp, a) => hp.movingAverage(...a));
kernel('outliersIQR', [slot('x', X, VEC), slot('options', () => ({ k: 1.5 }), opts({ k: NUMS }))], (hp, a) => hp.outliersIQR(...a));
kernel('outliersZScore', [slot('x', X, VEC), slot('options', () => ({ threshold: 1 }), opts({ threshold: NUMS }))], (hp, a) => hp.outliersZScore(...a));
// dims 2^24 (the documented maximum) is valid and slow for four texts (a 256 MB output per tier), so it is left out.
kernel('ngramFeatures', [slot('texts', TEXTS, TEXT_POOL), slot('options', () => ({ n: 3, dims: 64, normalize: true }), opts({ n: NUMS, dims: NUMS.filter(([l]) => l !== '2**24'), normalize: BOOL }))], (hp, a) => hp.ngramFeatures(...a));
for (const [fn, more] of [['matmul', []], ['matmulAsync', [ASYNC_OPTS]]]) {
  kernel(fn, [slot('a', MA, VEC), slot('b', MB, VEC), slot('m', () => 2, SCALAR), slot('k', () => 3, SCALAR), slot('n', () => 2, SCALAR), ...more], (hp, a) => hp[fn](...a));
  kernel(fn, [slot('a', MA64, VEC), slot('b', MB64, VEC), slot('m', () => 2, SCALAR), slot('k', () => 3, SCALAR), slot('n', () => 2, SCALAR), ...more], (hp, a) => hp[fn](...a), { variant: 'f64' });
}

// Routing. A ring is built inside the call: the methods' arguments are what is fuzzed.
const RKEYS = () => ['user:1:session', '', '\u{1F600}x', 'k\uD800'];
const RING = (hp) => new hp.HashRing(['a', ['b', 2], 'c\u{1F600}']);
const U64 = [
  ['keys Float64Array [1, 2.5]', () => Float64Array.of(1, 2.5)],
  ['keys Float64Array [-1]', () => Float64Array.of(-1)],
  ['keys Float64Array [2**64]', () => Float64Array.of(2 ** 64)],
  ['keys Float64Array [NaN]', () => Float64Array.of(NaN)],
  ['keys BigInt64Array [-1n]', () => BigInt64Array.of(-1n)],
  ['keys BigUint64Array [0n, 2n**64n-1n]', () => BigUint64Array.of(0n, 2n ** 64n - 1n)],
  ['keys -1n', () => -1n],
  ['keys 2n**64n', () => 2n ** 64n],
];
const BUCKETS = [...SCALAR, ['2**31', () => 2 ** 31], ['2**31+1', () => 2 ** 31 + 1]];
kernel('jumpHash', [slot('keys', () => BigUint64Array.of(0n, 1n, 0xdeadbeefn, 2n ** 64n - 1n), [...U64, ...KEYS_STR]), slot('buckets', () => 1000, BUCKETS)], (hp, a) => hp.jumpHash(...a));
kernel('jumpHash', [slot('keys', RKEYS, [...TEXT_POOL, ...KEYS_STR]), slot('buckets', () => 7, BUCKETS)], (hp, a) => hp.jumpHash(...a), { variant: 'strings' });
kernel('hashKeys', [slot('keys', RKEYS, [...TEXT_POOL, ...KEYS_STR])], (hp, a) => Array.from(hp.hashKeys(...a), String));
kernel('xxh64', [slot('text', () => 'abc', KEY_STR)], (hp, a) => String(hp.xxh64(...a)));
kernel('HashRing.routeMany', [slot('keys', RKEYS, [...TEXT_POOL, ...KEYS_STR, ...U64])], (hp, [k]) => RING(hp).routeMany(k));
kernel('HashRing.route', [slot('key', () => 'user:1', KEY_STR)], (hp, [k]) => RING(hp).route(k));
kernel('HashRing.routeN', [slot('key', () => 'user:1', KEY_STR), slot('n', () => 2, [...SCALAR, ['2**32', () => 2 ** 32]])], (hp, [k, n]) => RING(hp).routeN(k, n));
kernel('HashRing.add', [slot('node', () => 'd', [...KEY_STR, ["''", () => '']]), slot('weight', () => 3, [...SCALAR, ['2**33', () => 2 ** 33], ['1e-12', () => 1e-12]])], (hp, [n, w]) => RING(hp).add(n, w).nodes);
for (const m of ['remove', 'has']) kernel(`HashRing.${m}`, [slot('node', () => 'b', KEY_STR)], (hp, [n]) => { const r = RING(hp); return [r[m](n), r.size]; });
kernel('HashRing', [slot('nodes', () => ['a', ['b', 2]], [['nodes [5]', () => [5]], ["nodes [['a', 0]]", () => [['a', 0]]], ["nodes [['a']]", () => [['a']]], ["nodes ['']", () => ['']], ["nodes 'abc'", () => 'abc'], ['nodes a throwing iterator', () => ({ [Symbol.iterator]: thrower })], ...TEXT_POOL, ...JUNK]), slot('options', (ctx) => ({ backend: ctx.backendOpt }), opts({ backend: [...BACKENDS, ...JUNK] }))], (hp, [n, o]) => new hp.HashRing(n, o).nodes);

const VALID_TABLE = () => ({ schema: 1, machine: 'fuzz', date: '2026-01-01', kernels: { dot: { beatsJs: { native: 64 }, steps: [{ work: 64, tier: 'native' }] } } });
const CAL_POOL = [
  ['table.schema 2', () => ({ ...VALID_TABLE(), schema: 2 })],
  ['table.kernels.gpu', () => ({ ...VALID_TABLE(), kernels: { gpu: { steps: [] } } })],
  ['table.kernels.__proto__ (own key)', () => JSON.parse('{"schema":1,"machine":"m","date":"d","kernels":{"__proto__":{"steps":[]}}}')],
  ['step work NaN', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: [{ work: NaN, tier: 'js' }] } } })],
  ['step work -1', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: [{ work: -1, tier: 'js' }] } } })],
  ['step work 2**53+2', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: [{ work: 2 ** 53 + 2, tier: 'wasm' }] } } })],
  ['step work 1n', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: [{ work: 1n, tier: 'wasm' }] } } })],
  ["step tier 'gpu'", () => ({ ...VALID_TABLE(), kernels: { dot: { steps: [{ work: 1, tier: 'gpu' }] } } })],
  ['steps not ascending', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: [{ work: 10, tier: 'wasm' }, { work: 10, tier: 'native' }] } } })],
  ['steps an object', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: { 0: {} } } } })],
  ['steps with a hole', () => { const s = [{ work: 1, tier: 'wasm' }, , { work: 9, tier: 'js' }]; return { ...VALID_TABLE(), kernels: { dot: { steps: s } } }; }],
  ['steps Proxy throwing at [0]', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: new Proxy([{ work: 1, tier: 'js' }], { get: (t, k) => (k === '0' ? thrower() : Reflect.get(t, k)) }) } } })],
  ['beatsJs.js', () => ({ ...VALID_TABLE(), kernels: { dot: { beatsJs: { js: 1 }, steps: [] } } })],
  ['beatsJs.native -5', () => ({ ...VALID_TABLE(), kernels: { dot: { beatsJs: { native: -5 }, steps: [] } } })],
  ['circular table', () => { const t = VALID_TABLE(); t.kernels.dot.self = t; return t; }],
  ['table with a throwing machine getter', () => Object.defineProperty(VALID_TABLE(), 'machine', { get: thrower })],
  ['10000 steps', () => ({ ...VALID_TABLE(), kernels: { dot: { steps: Array.from({ length: 10000 }, (_, i) => ({ work: i, tier: i % 2 ? 'wasm' : 'native' })) } } })],
  ['every kernel on wasm from work 0', () => ({ ...VALID_TABLE(), kernels: Object.fromEntries(['dot', 'cosineBatch', 'stats', 'matmul', 'topK', 'firstNonFinite'].map((k) => [k, { steps: [{ work: 0, tier: 'wasm' }] }])) })],
  ...JUNK,
];
const miscSpecs = [
  { fn: 'setBackend', slots: [slot('backend', () => 'wasm', [...BACKENDS, ...JUNK])], call: (hp, [b]) => hp.setBackend(b) },
  { fn: 'dispatchTier', slots: [slot('kernel', () => 'cosineBatch', [["'gpu'", () => 'gpu'], ["'constructor'", () => 'constructor'], ["'__proto__'", () => '__proto__'], ["'hasOwnProperty'", () => 'hasOwnProperty'], ...JUNK]), slot('work', () => 1000, SCALAR)], call: (hp, [k, w]) => hp.dispatchTier(k, w), compare: 'shape', compareNote: 'the tier it names follows the forced backend' },
  { fn: 'setCalibration', resetCalibration: true, slots: [slot('table', VALID_TABLE, CAL_POOL)], call: (hp, [t]) => hp.setCalibration(t) },
  {
    fn: 'gpu.init', gpu: true,
    slots: [slot('options', () => ({ calibrate: false }), optionPool({
      powerPreference: [["'fast'", () => 'fast'], ['1n', () => 1n], ['Symbol()', () => Symbol('p')], ['circular', () => { const o = {}; o.o = o; return o; }], ['null', () => null], ['1', () => 1]],
      adapter: [['{}', () => ({})], ['null', () => null], ['{requestDevice: 1}', () => ({ requestDevice: 1 })], ['{requestDevice() throws}', () => ({ requestDevice: thrower })], ['{requestDevice: async () => null}', () => ({ requestDevice: async () => null })]],
      maxChunkBytes: NUMS,
      cutoffs: [['null', () => null], ["'x'", () => 'x'], ['{gpu: 1}', () => ({ gpu: 1 })], ['{dot: 1}', () => ({ dot: 1 })], ['{cosineBatch: -1}', () => ({ cosineBatch: -1 })], ['{cosineBatch: NaN}', () => ({ cosineBatch: NaN })], ['{cosineBatch: 1n}', () => ({ cosineBatch: 1n })], ['{cosineBatch: getter throws}', () => Object.defineProperty({}, 'cosineBatch', { get: thrower, enumerable: true })]],
      calibrate: [['1', () => 1], ["'false'", () => 'false'], ['null', () => null]],
    }))],
    call: (hp, [o]) => hp.gpu.init(o),
  },
  { fn: 'memoryBandwidth', compare: 'shape', slots: [slot('options', () => ({ arrayBytes: 4096, passes: 2 }), opts({ arrayBytes: [...NUMS.filter(([l]) => !['2**24', '2**24+1', '2**31', '2**32-1'].includes(l)), ['7', () => 7]], passes: [...NUMS.filter(([l]) => !['2**24', '2**24+1', '2**31', '2**32-1'].includes(l)), ['1001', () => 1001]] }).filter(([l]) => l !== 'options new Map()'))], call: (hp, [o]) => hp.memoryBandwidth(o), note: 'options that leave arrayBytes to its default (64 MiB x 3, 5 passes) are left out: valid and slow' },
];

// Structures: method specs on a structure built (and filled) on the tier.
const structSpecs = [];
function method(struct, fn, slots, call, extra = {}) {
  structSpecs.push({ fn, struct, slots, call, ...extra });
}
const ANY = [['undefined', () => undefined], ['a Symbol', () => Symbol('v')], ['an object', () => ({ a: 1 })]];

const ITER_MODES_TREE = [
  ['delete the current key', () => 'deleteCurrent'],
  ['delete the next keys', () => 'deleteAhead'],
  ['insert a key ahead (first 50 steps)', () => 'insertAhead'],
  ['insert a key behind', () => 'insertBehind'],
  ['clear at step 3', () => 'clear'],
  ['dispose at step 3', () => 'dispose'],
  ['overwrite every value', () => 'overwrite'],
  ['setMany 300 keys ahead at step 1', () => 'bulkAhead'],
  ['deleteMany everything at step 2', () => 'deleteAll'],
];
const TREE_METHODS = ['get', 'set', 'has', 'delete', 'clear', 'setMany', 'getMany', 'deleteMany', 'min', 'max', 'range', 'prefix', 'entries', 'keys', 'values', 'iterator', 'size', 'checkInvariants', 'memoryBytes', 'dispose', 'Symbol.dispose'];

function nextKey(t, k, i) {
  return t.keyType === 'number' ? k + 0.5 + i / 1000 : `${k}~${i}`;
}

/** Iterates with a modification per mode; more than 5000 steps is reported as endless. */
function iterateTree(t, mode, ctx, how) {
  const out = [];
  const it = how === 'iterator' ? t[Symbol.iterator]() : t[how]();
  let step = 0;
  for (let r = it.next(); !r.done; r = it.next()) {
    const e = r.value;
    out.push(e);
    if (++step > 5000) return { endless: true, steps: step };
    const k = how === 'values' ? null : how === 'keys' ? e : e[0];
    switch (mode) {
      case 'deleteCurrent': if (k !== null) t.delete(k); break;
      case 'deleteAhead': if (k !== null) t.deleteMany(t.range(k, null, { loInclusive: false, limit: 2 }).map((x) => x[0])); break;
      case 'insertAhead': if (k !== null && step <= 50) t.set(nextKey(t, k, step), `ins${step}`); break;
      case 'insertBehind': t.set(t.keyType === 'number' ? -1000 - step : `\0${step}`, 'behind'); break;
      case 'clear': if (step === 3) t.clear(); break;
      case 'dispose': if (step === 3) t.dispose(); break;
      case 'overwrite': if (k !== null) t.set(k, `over${step}`); break;
      case 'bulkAhead': if (step === 1) { const ks = Array.from({ length: 300 }, (_, i) => (t.keyType === 'number' ? 1000 + i : `zz${String(i).padStart(3, '0')}`)); t.setMany(ks, ks.map((_, i) => i)); } break;
      case 'deleteAll': if (step === 2) t.deleteMany(t.range(null, null).map((x) => x[0])); break;
      default: break;
    }
  }
  return out;
}

function callDisposed(t, m, num) {
  t.dispose();
  const k = num ? 7 : 'k07';
  switch (m) {
    case 'set': return t.set(k, 1);
    case 'setMany': return t.setMany([k], [1]);
    case 'getMany': return t.getMany([k]);
    case 'deleteMany': return t.deleteMany([k]);
    case 'range': return t.range(null, null);
    case 'prefix': return t.prefix('k');
    case 'entries': case 'keys': case 'values': return [...t[m]()];
    case 'iterator': return [...t];
    case 'size': return t.size;
    case 'dispose': return t.dispose();
    case 'Symbol.dispose': return t[Symbol.dispose]();
    case 'get': case 'has': case 'delete': return t[m](k);
    default: return t[m]();
  }
}

for (const struct of ['btreeNum', 'btreeStr']) {
  const num = struct === 'btreeNum';
  const K = num ? () => 7 : () => 'k07';
  const KP = num ? KEY_NUM : KEY_STR;
  const KS = num ? () => Float64Array.of(100, 2, 101, -5) : () => ['zz', 'k02', 'k99', 'a'];
  const KSP = num ? KEYS_NUM : KEYS_STR;
  const vals = () => ['a', 'b', 'c', 'd'];
  const valsFor = (ks) => Array.from({ length: ks?.length ?? 0 }, (_, i) => `v${i}`);
  const tag = { variant: num ? 'number tree' : 'string tree' };
  method(struct, 'BPlusTree.set', [slot('key', K, KP), slot('value', () => 'new', ANY)], (hp, [k, v], t) => t.set(k, v) === t, tag);
  for (const m of ['get', 'has', 'delete']) method(struct, `BPlusTree.${m}`, [slot('key', K, KP)], (hp, [k], t) => t[m](k), tag);
  method(struct, 'BPlusTree.setMany', [slot('keys', KS, KSP), slot('values', vals, VALUES)], (hp, [k, v], t) => t.setMany(k, v) === t, tag);
  method(struct, 'BPlusTree.setMany', [slot('keys', KS, KSP)], (hp, [k], t) => { let n; try { n = k?.length; } catch { n = 0; } return t.setMany(k, valsFor({ length: typeof n === 'number' && n >= 0 && n < 1e6 ? n : 0 })) === t; }, { ...tag, variant: `${tag.variant}, values sized to keys` });
  method(struct, 'BPlusTree.getMany', [slot('keys', KS, KSP)], (hp, [k], t) => t.getMany(k), tag);
  method(struct, 'BPlusTree.deleteMany', [slot('keys', KS, KSP)], (hp, [k], t) => t.deleteMany(k), tag);
  const bound = num ? [...SCALAR, ...STRS] : [...STRS, ...SCALAR];
  method(struct, 'BPlusTree.range', [slot('lo', num ? () => 3 : () => 'k03', bound), slot('hi', num ? () => 40 : () => 'k20', bound), slot('options', () => ({ loInclusive: true, hiInclusive: false, limit: 10, reverse: false }), opts({ loInclusive: BOOL, hiInclusive: BOOL, reverse: BOOL, limit: NUMS }))], (hp, a, t) => t.range(...a), tag);
  method(struct, 'BPlusTree.prefix', [slot('prefix', () => 'k1', KEY_STR), slot('options', () => ({ limit: 5 }), opts({ limit: NUMS }))], (hp, a, t) => t.prefix(...a), tag);
  method(struct, 'BPlusTree.fromSorted', [slot('keys', num ? () => Float64Array.of(-5, 2, 100, 101) : () => ['a', 'k02', 'k99', 'zz'], [['keys not ascending', () => (num ? [3, 2, 5, 6] : ['b', 'a', 'c', 'd'])], ['keys with a duplicate', () => (num ? [1, 1, 2, 3] : ['a', 'a', 'b', 'c'])], ...KSP]), slot('values', vals, VALUES), slot('options', (ctx) => ({ keyType: num ? 'number' : 'string', backend: ctx.backendOpt }), opts({ keyType: [["'Number'", () => 'Number'], ["'str'", () => 'str'], ...JUNK], order: [...NUMS, ['3', () => 3], ['1025', () => 1025]], backend: [...BACKENDS, ...JUNK] }))], (hp, [k, v, o], t, ctx) => ctx.keep(hp.BPlusTree.fromSorted(k, v, o)), { ...tag, prefixes: ['BPlusTree'], prefixNote: 'fromSorted passes its options to the constructor, whose errors name hotpath.BPlusTree' });
  for (const m of ['min', 'max', 'clear', 'checkInvariants']) method(struct, `BPlusTree.${m}`, [], (hp, a, t) => t[m](), tag);
  method(struct, 'BPlusTree.size', [], (hp, a, t) => t.size, tag);
  method(struct, 'BPlusTree.memoryBytes', [], (hp, a, t) => t.memoryBytes(), { ...tag, compare: 'shape' });
  method(struct, 'BPlusTree.entries', [slot('mode', () => 'plain', ITER_MODES_TREE)], (hp, [mode], t, ctx) => iterateTree(t, mode, ctx, 'entries'), { ...tag, userMutates: true });
  method(struct, 'BPlusTree.entries', [slot('mode', () => 'plain', ITER_MODES_TREE)], (hp, [mode], t, ctx) => iterateTree(t, mode, ctx, 'keys'), { ...tag, userMutates: true, variant: `${tag.variant}, keys()` });
  method(struct, 'BPlusTree.entries', [slot('mode', () => 'plain', ITER_MODES_TREE)], (hp, [mode], t, ctx) => iterateTree(t, mode, ctx, 'values'), { ...tag, userMutates: true, variant: `${tag.variant}, values()` });
  method(struct, 'BPlusTree.entries', [slot('mode', () => 'plain', ITER_MODES_TREE)], (hp, [mode], t, ctx) => iterateTree(t, mode, ctx, 'iterator'), { ...tag, userMutates: true, variant: `${tag.variant}, for...of` });
  method(struct, 'BPlusTree', [slot('method', () => 'get', TREE_METHODS.map((m) => [m, () => m]))], (hp, [m], t) => callDisposed(t, m, num), { ...tag, disposed: true });
}

// Constructors.
const ctorSpecs = [
  { fn: 'BPlusTree', ctor: true, slots: [slot('options', (ctx) => ({ keyType: 'number', order: 8, backend: ctx.backendOpt }), opts({ keyType: [["'Number'", () => 'Number'], ["'str'", () => 'str'], ...JUNK], order: [...NUMS, ['3', () => 3], ['1025', () => 1025]], backend: [...BACKENDS, ...JUNK] }))], call: (hp, [o], s, ctx) => ctx.keep(new hp.BPlusTree(o)) },
  { fn: 'TimingWheel', ctor: true, slots: [slot('options', (ctx) => ({ tickMs: 10, wheels: [8, 8], now: 5, backend: ctx.backendOpt }), opts({ tickMs: [...NUMS, ['0.0001', () => 0.0001], ['1e300', () => 1e300]], wheels: WHEELS, now: NUMS, clock: JUNK, backend: [...BACKENDS, ...JUNK] }))], call: (hp, [o], s, ctx) => ctx.keep(new hp.TimingWheel(o)) },
  { fn: 'QuantileSketch', ctor: true, slots: [slot('options', (ctx) => ({ relativeAccuracy: 0.02, maxBins: 64, backend: ctx.backendOpt }), opts({ relativeAccuracy: [...NUMS, ['1e-12', () => 1e-12], ['1', () => 1]], maxBins: [...NUMS, ['2**20+1', () => 2 ** 20 + 1]], scale: [...NUMS, ['21', () => 21]], mapping: [["'linear'", () => 'linear'], ...JUNK], backend: [...BACKENDS, ...JUNK] }))], call: (hp, [o], s, ctx) => { const q = ctx.keep(new hp.QuantileSketch(o)); return [q.mapping, q.relativeAccuracy, q.maxBins, q.count]; } },
  { fn: 'SlidingQuantileSketch', ctor: true, slots: [slot('options', (ctx) => ({ windowMs: 1000, slices: 4, clock: () => 5, backend: ctx.backendOpt }), opts({ windowMs: NUMS, slices: [...NUMS, ['1025', () => 1025]], relativeAccuracy: NUMS, clock: [...CLOCKS, ...JUNK], backend: [...BACKENDS, ...JUNK] }))], call: (hp, [o], s, ctx) => { const w = ctx.keep(new hp.SlidingQuantileSketch(o)); return [w.windowMs, w.slices, w.relativeAccuracy, w.count]; } },
  { fn: 'AdaptiveBatcher', ctor: true, slots: [slot('options', () => ({ run: (xs) => xs, maxBatch: 8, targetP99Ms: 5, clock: () => 5 }), opts({ run: JUNK, runOne: JUNK, maxBatch: [...NUMS, ['65537', () => 65537]], targetP99Ms: NUMS, maxQueue: [...NUMS, ['2**32', () => 2 ** 32]], policy: [["'greedy'", () => 'greedy'], ['{ fixed: 0 }', () => ({ fixed: 0 })], ['{ fixed: 9 }', () => ({ fixed: 9 })], ...JUNK], onFull: JUNK, concurrency: NUMS, isolateErrors: JUNK, clock: [...CLOCKS, ...JUNK] }))], call: (hp, [o]) => { const b = new hp.AdaptiveBatcher(o); void b.close(); return [b.maxBatch, b.closed]; } },
  { fn: 'riskBatcher', ctor: true, slots: [slot('options', () => ({ maxSeverity: 5, maxBatch: 4 }), opts({ maxSeverity: NUMS, maxBatch: NUMS, policy: JUNK, clock: [...CLOCKS, ...JUNK] }))], call: (hp, [o]) => { const b = hp.riskBatcher(o); void b.close(); return b.maxBatch; } },
  { fn: 'topKBatcher', ctor: true, slots: [slot('matrix', () => Float32Array.of(1, 0, 0, 1), VEC), slot('dim', () => 2, SCALAR), slot('k', () => 1, SCALAR), slot('options', () => ({ metric: 'dot', maxBatch: 4 }), opts({ metric: METRIC, maxBatch: NUMS, targetP99Ms: NUMS }))], call: (hp, [m, d, k, o]) => { const b = hp.topKBatcher(m, d, k, o); void b.close(); return b.maxBatch; } },
  { fn: 'TtlCache', ctor: true, slots: [slot('options', (ctx) => ({ maxSize: 4, ttlMs: 100, clock: () => 1000, autoPurge: false, backend: ctx.backendOpt }), opts({ maxSize: NUMS, ttlMs: NUMS, onEvict: JUNK, clock: [...CLOCKS, ...JUNK], autoPurge: BOOL, tickMs: [...NUMS, ['0.0001', () => 0.0001], ['1e300', () => 1e300]], backend: [...BACKENDS, ...JUNK], maxBytes: NUMS, maxEntryBytes: NUMS, sizeCalculation: JUNK, allowStale: BOOL, updateAgeOnGet: BOOL, noUpdateTTL: BOOL, ttlResolution: NUMS, fetchMethod: JUNK, memoMethod: JUNK, cacheMissesMs: NUMS, max: [['10', () => 10]], ttl: [['5', () => 5]] }))], call: (hp, [o], s, ctx) => ctx.keep(new hp.TtlCache(o)) },
  { fn: 'DenseModel', ctor: true, slots: [slot('layers', MODEL_LAYERS, [...MODEL_LAYER_POOL, ...JUNK]), slot('options', (ctx) => ({ precision: 'f32', backend: ctx.backendOpt }), opts({ precision: [["'f64'", () => 'f64'], ["'F16'", () => 'F16'], ...JUNK], backend: [...BACKENDS, ...JUNK] }))], call: (hp, [l, o], s, ctx) => { const m = ctx.keep(new hp.DenseModel(l, o)); return [m.inputDim, m.outputDim, m.macsPerRow, Array.from(m.predict([1, 2]))]; } },
  { fn: 'loadTfjsModel', ctor: true, slots: [slot('modelJson', TFJS_JSON, [...TFJS_POOL, ...JUNK]), slot('weightData', TFJS_WEIGHTS, [['8 bytes', () => new ArrayBuffer(8)], ['[junk]', () => [1, 2]], ...JUNK])], call: (hp, [j, w], s, ctx) => { const m = ctx.keep(hp.loadTfjsModelSync(j, w)); return [m.inputDim, m.outputDim, Array.from(m.predict([1, 2]))]; } },
  { fn: 'modelBatcher', ctor: true, slots: [slot('model', () => GOOD_MODEL, [['{}', () => ({})], ['{ inputDim: 2 }', () => ({ inputDim: 2 })], ...JUNK]), slot('options', () => ({ maxBatch: 4 }), opts({ maxBatch: NUMS, targetP99Ms: NUMS, policy: JUNK }))], call: (hp, [m, o], s, ctx) => { const b = hp.modelBatcher(m === GOOD_MODEL ? ctx.keep(new hp.DenseModel(MODEL_LAYERS(), { backend: ctx.backendOpt })) : m, o); void b.close(); return b.maxBatch; } },
  { fn: 'PermissionIndex', ctor: true, slots: [slot('options', (ctx) => ({ backend: ctx.backendOpt, clock: () => 1000, autoPurge: false, tickMs: 10, maxRoleDepth: 4 }), opts({ backend: [...BACKENDS, ...JUNK], clock: [...CLOCKS, ...JUNK], onExpire: JUNK, autoPurge: BOOL, tickMs: [...NUMS, ['0.0001', () => 0.0001], ['1e300', () => 1e300]], maxRoleDepth: [...NUMS, ['65', () => 65]] }))], call: (hp, [o], s, ctx) => { const p = ctx.keep(new hp.PermissionIndex(o)); return [p.size]; } },
];

// TimingWheel methods.
const DELAYS = () => Float64Array.of(0, 10, 1e4, 1e8);
const PAYLOADS = () => ['q0', 'q1', 'q2', 'q3'];
method('wheel', 'TimingWheel.schedule', [slot('delayMs', () => 25, SCALAR), slot('payload', () => 'new', ANY)], (hp, [d, p], w) => w.schedule(d, p));
method('wheel', 'TimingWheel.scheduleAt', [slot('timeMs', () => 1234, SCALAR), slot('payload', () => 'new', ANY)], (hp, [d, p], w) => w.scheduleAt(d, p));
method('wheel', 'TimingWheel.scheduleMany', [slot('delays', DELAYS, [['delays [0, -1]', () => [0, -1]], ['delays [2**53]', () => [2 ** 53]], ...VEC]), slot('payloads', PAYLOADS, VALUES)], (hp, [d, p], w) => w.scheduleMany(d, p));
method('wheel', 'TimingWheel.scheduleMany', [slot('delays', DELAYS, [['delays [0, -1]', () => [0, -1]], ['delays [2**53]', () => [2 ** 53]], ...VEC])], (hp, [d], w) => { let n; try { n = d?.length; } catch { n = 0; } return w.scheduleMany(d, Array.from({ length: typeof n === 'number' && n >= 0 && n < 1e6 ? n : 0 }, (_, i) => i)); }, { variant: 'payloads sized to delays' });
method('wheel', 'TimingWheel.cancel', [slot('id', (ctx) => ctx.ids[2], ID_POOL)], (hp, [id], w) => w.cancel(id));
method('wheel', 'TimingWheel.cancelMany', [slot('ids', (ctx) => Float64Array.of(ctx.ids[0], ctx.ids[3], ctx.ids[0]), [['ids of a fired timer and next generation', (g, ctx) => [ctx.ids[1] + 2 ** 26, 2 ** 53 - 1]], ...VEC])], (hp, [ids], w) => w.cancelMany(ids));
method('wheel', 'TimingWheel.reschedule', [slot('id', (ctx) => ctx.ids[4], ID_POOL), slot('delayMs', () => 77, SCALAR)], (hp, [id, d], w) => w.reschedule(id, d));
method('wheel', 'TimingWheel.advance', [slot('nowMs', () => 1500, [...SCALAR, ['999 (backwards)', () => 999], ['2**52*10', () => 2 ** 52 * 10], ['MAX_SAFE_INTEGER', () => Number.MAX_SAFE_INTEGER], ['1e15', () => 1e15]])], (hp, [t], w) => w.advance(t));
for (const m of ['nextDeadline', 'nextWake', 'clear', 'check', 'stop']) method('wheel', `TimingWheel.${m}`, [], (hp, a, w) => w[m]());
method('wheel', 'TimingWheel.size', [], (hp, a, w) => w.size);
method('wheel', 'TimingWheel.memoryBytes', [], (hp, a, w) => w.memoryBytes(), { compare: 'shape' });
method('wheel', 'TimingWheel.start', [slot('onExpire', () => () => {}, JUNK)], (hp, [f], w) => { w.start(f); const r = w.running; w.stop(); return r; });
method('wheel', 'TimingWheel.start', [], (hp, a, w) => { w.start(() => {}); try { w.start(() => {}); } finally { w.stop(); } }, { misuse: true, variant: 'started twice' });
const WHEEL_METHODS = ['schedule', 'scheduleAt', 'scheduleMany', 'cancel', 'cancelMany', 'reschedule', 'advance', 'nextDeadline', 'nextWake', 'clear', 'check', 'size', 'memoryBytes', 'start', 'stop', 'dispose', 'now', 'running'];
method('wheel', 'TimingWheel', [slot('method', () => 'schedule', WHEEL_METHODS.map((m) => [m, () => m]))], (hp, [m], w, ctx) => {
  w.dispose();
  switch (m) {
    case 'schedule': return w.schedule(1, 'x');
    case 'scheduleAt': return w.scheduleAt(2000, 'x');
    case 'scheduleMany': return w.scheduleMany([1], ['x']);
    case 'cancel': return w.cancel(ctx.ids[0]);
    case 'cancelMany': return w.cancelMany([ctx.ids[0]]);
    case 'reschedule': return w.reschedule(ctx.ids[0], 5);
    case 'advance': return w.advance(2000);
    case 'start': return w.start(() => {});
    case 'size': case 'now': case 'running': return w[m];
    default: return w[m]();
  }
}, { disposed: true });

// TtlCache methods.
const CKEY = [...SCALAR, ...STRS];
for (const m of ['get', 'peek', 'has', 'delete']) method('cache', `TtlCache.${m}`, [slot('key', () => 'k1', CKEY)], (hp, [k], c) => c[m](k));
method('cache', 'TtlCache.set', [slot('key', () => 'k9', CKEY), slot('value', () => 'v9', ANY), slot('options', () => ({ ttlMs: 50 }), opts({ ttlMs: [...NUMS, ['2**53', () => 2 ** 53]] }))], (hp, a, c) => c.set(...a) === c);
for (const m of ['clear', 'stats', 'pop', 'purgeStale', 'dump']) method('cache', `TtlCache.${m}`, [], (hp, a, c) => c[m]());
method('cache', 'TtlCache.getRemainingTTL', [slot('key', () => 'k1', CKEY)], (hp, [k], c) => c.getRemainingTTL(k));
method('cache', 'TtlCache.get', [slot('key', () => 'k1', CKEY), slot('options', () => ({ updateAgeOnGet: true }), opts({ allowStale: BOOL, updateAgeOnGet: BOOL, noDeleteOnStaleGet: BOOL, ttl: [['5', () => 5]] }))], (hp, a, c) => c.get(...a), { variant: 'with options' });
method('cache', 'TtlCache.getMany', [slot('keys', () => ['k1', 'zz', 'k2'], KEYS_STR)], (hp, [ks], c) => c.getMany(ks));
method('cache', 'TtlCache.setMany', [slot('keys', () => ['k1', 'n1', 'n2'], KEYS_STR), slot('values', () => [1, 2, 3], [['values of another length', () => [1]], ['one value for all', () => 7], ['values with undefined', () => [1, undefined, 3]], ...JUNK]), slot('options', () => ({ ttlMs: 50 }), opts({ ttlMs: [...NUMS, ['2**53', () => 2 ** 53]], size: NUMS, noUpdateTTL: BOOL }))], (hp, a, c) => c.setMany(...a) === c);
method('cache', 'TtlCache.load', [slot('entries', () => [['k7', { value: 7, ttl: 50, start: Date.now() }], ['k8', { value: 8 }]], [['entries with a NaN ttl', () => [['a', { value: 1, ttl: NaN }]]], ['entries with a bad key', () => [[{}, { value: 1 }]]], ['entries not pairs', () => [1, 2]], ['entries with a null entry', () => [['a', null]]], ['entries with start 1e300', () => [['a', { value: 1, ttl: 5, start: 1e300 }]]], ...JUNK], { nondet: true })], (hp, [e], c) => { c.load(e); return c.size; }, { nondet: true });
method('cache', 'TtlCache.fetch', [slot('key', () => 'k1', CKEY), slot('options', () => ({ forceRefresh: false }), opts({ signal: JUNK, forceRefresh: BOOL, allowStale: BOOL, ttlMs: NUMS, size: NUMS }))], async (hp, a, c) => c.fetch(...a));
method('cache', 'TtlCache.memo', [slot('key', () => 'k1', CKEY)], (hp, [k], c) => c.memo(k));
method('cache', 'TtlCache.forEach', [slot('fn', () => () => {}, JUNK)], (hp, [f], c) => c.forEach(f));
method('cache', 'TtlCache.size', [], (hp, a, c) => c.size);
const ITER_MODES_CACHE = [
  ['delete the current key', () => 'deleteCurrent'], ['get (touch) the current key', () => 'touch'], ['set a new key for 20 steps', () => 'setNew'],
  ['clear at step 2', () => 'clear'], ['dispose at step 2', () => 'dispose'], ['clock jumps past every TTL at step 2', () => 'expire'],
];
for (const it of ['keysLru', 'keys', 'rkeys', 'entries']) method('cache', `TtlCache.${it}`, [slot('mode', () => 'plain', ITER_MODES_CACHE)], (hp, [mode], c, ctx) => {
  const out = [];
  let step = 0;
  for (const x of c[it]()) {
    const k = it === 'entries' ? x[0] : x;
    out.push(k);
    if (++step > 5000) return { endless: true };
    if (mode === 'deleteCurrent') c.delete(k);
    else if (mode === 'touch') c.get(k);
    else if (mode === 'setNew' && step <= 20) c.set(`new${step}`, step);
    else if (mode === 'clear' && step === 2) c.clear();
    else if (mode === 'dispose' && step === 2) c.dispose();
    else if (mode === 'expire' && step === 2) { ctx.now = 1e7; c.size; }
  }
  return out;
}, { userMutates: true });
const CACHE_METHODS = ['get', 'peek', 'has', 'set', 'delete', 'clear', 'size', 'stats', 'keysLru', 'dispose', 'getMany', 'setMany', 'fetch', 'pop', 'dump', 'load', 'getRemainingTTL', 'entries', 'forEach', 'purgeStale'];
method('cache', 'TtlCache', [slot('method', () => 'get', CACHE_METHODS.map((m) => [m, () => m]))], (hp, [m], c) => {
  c.dispose();
  switch (m) {
    case 'set': return c.set('k1', 1);
    case 'size': return c.size;
    case 'keysLru': return [...c.keysLru()];
    case 'entries': return [...c.entries()];
    case 'getMany': return c.getMany(['k1']);
    case 'setMany': return c.setMany(['k1'], [1]);
    case 'load': return c.load([]);
    case 'forEach': return c.forEach(() => {});
    case 'getRemainingTTL': return c.getRemainingTTL('k1');
    case 'get': case 'peek': case 'has': case 'delete': return c[m]('k1');
    default: return c[m]();
  }
}, { disposed: true });
// A clock that was fine at construction and then returns junk.
method('cacheBadClock', 'TtlCache', [slot('clock', () => 1100, CLOCK_VALUES), slot('op', () => 'get', [['get', () => 'get'], ['set', () => 'set'], ['has', () => 'has'], ['size', () => 'size'], ['keysLru', () => 'keysLru'], ['delete', () => 'delete']])], (hp, [v, op], c, ctx) => {
  ctx.now = v;
  switch (op) {
    case 'set': return c.set('kNew', 'vNew', { ttlMs: 10 }) === c;
    case 'size': return c.size;
    case 'keysLru': return [...c.keysLru()];
    default: return c[op]('k1');
  }
}, { anyMethod: true, prefixNote: 'the clock option goes bad after construction; the error may come from any method' });

// Sequences: 40 random method calls on one structure, each valid or with a
// bad argument (deterministic pools only), so damage a bad call leaves behind
// shows in later calls. Every call's outcome must equal the js tier's, and an
// error that is not a named hotpath error (or the catalogue's getter error)
// fails the sequence at that call.
const plain = (v, d = 0) => {
  if (d > 6) return '…';
  if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? '-0' : v) : String(v);
  if (v === undefined || typeof v === 'symbol' || typeof v === 'function' || typeof v === 'bigint') return `<${typeof v}>`;
  if (ArrayBuffer.isView(v)) return Array.from(v.length > 2000 ? v.subarray(0, 2000) : v, (x) => plain(Number(x)));
  if (Array.isArray(v)) return v.slice(0, 2000).map((x) => plain(x, d + 1));
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().slice(0, 50).map((k) => [k, plain(v[k], d + 1)]));
  return v;
};
const SEQ_STEPS = 40;
// QuantileSketch methods.
const SK_VALUES = () => Float64Array.of(0.5, -3, 0, 1e300, 2 ** -1060, 42);
const SK_QS = () => [0, 0.5, 0.99, 1];
method('sketch', 'QuantileSketch.record', [slot('value', () => 12.5, SCALAR)], (hp, [v], s) => (s.record(v), s.count));
method('sketch', 'QuantileSketch.record', [slot('value', () => -7, SCALAR), slot('count', () => 3, [...SCALAR, ['2**53', () => 2 ** 53], ['1.5', () => 1.5]])], (hp, [v, c], s) => (s.record(v, c), s.count));
method('sketch', 'QuantileSketch.recordMany', [slot('values', SK_VALUES, VEC)], (hp, [v], s) => (s.recordMany(v), [s.count, s.sum, s.min, s.max]));
method('sketch', 'QuantileSketch.quantile', [slot('q', () => 0.99, [...SCALAR, ['1.5', () => 1.5], ['-0.1', () => -0.1]])], (hp, [q], s) => s.quantile(q));
method('sketch', 'QuantileSketch.quantiles', [slot('qs', SK_QS, VEC)], (hp, [q], s) => s.quantiles(q));
method('sketch', 'QuantileSketch.percentile', [slot('p', () => 99, [...SCALAR, ['101', () => 101]])], (hp, [p], s) => s.percentile(p));
method('sketch', 'QuantileSketch.merge', [slot('other', (ctx) => ctx.other, [['a sketch of another accuracy', (g, ctx) => ctx.otherMapping], ['itself', (g, ctx) => ctx.self], ...JUNK])], (hp, [o], s) => (s.merge(o), [s.count, s.quantile(0.5)]));
method('sketch', 'QuantileSketch.mergeAll', [slot('sketches', (ctx) => [ctx.self, ctx.other], [['[]', () => []], ['a sketch of another accuracy', (g, ctx) => [ctx.self, ctx.otherMapping]], ['[1]', () => [1]], ...JUNK])], (hp, [l], s, ctx) => { const m = ctx.keep(hp.QuantileSketch.mergeAll(l)); return [m.count, m.quantile(0.5)]; });
method('sketch', 'QuantileSketch.fromProto', [slot('bytes', (ctx) => ctx.self.toProto(), [['truncated bytes', (g, ctx) => ctx.self.toProto().subarray(0, 7)], ['bytes 0a ff', () => Uint8Array.of(0x0a, 0xff)], ['garbage bytes', () => Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 255)], ['a Float64Array', () => new Float64Array(2)], ...JUNK])], (hp, [b], s, ctx) => { const d = ctx.keep(hp.QuantileSketch.fromProto(b)); return [d.count, d.quantile(0.5)]; });
method('sketch', 'QuantileSketch.toOtlp', [slot('options', () => ({ maxSize: 160 }), opts({ maxSize: [...NUMS, ['1', () => 1]] }))], (hp, [o], s) => s.toOtlp(o));
for (const m of ['toProto', 'clear']) method('sketch', `QuantileSketch.${m}`, [], (hp, a, s) => s[m]());
method('sketch', 'QuantileSketch', [slot('method', () => 'record', ['record', 'recordMany', 'quantile', 'merge', 'toProto', 'count'].map((m) => [m, () => m]))], (hp, [m], s) => {
  s.dispose();
  switch (m) {
    case 'record': return s.record(1);
    case 'recordMany': return s.recordMany([1]);
    case 'quantile': return s.quantile(0.5);
    case 'merge': return s.merge(s);
    case 'count': return s.count;
    default: return s[m]();
  }
}, { disposed: true });

// PermissionIndex methods.
const PNAME = [...STRS, ...JUNK, ["'a\\u0000b'", () => 'a\u0000b'], ['4097 chars', () => 'n'.repeat(4097)]];
const PRES = [...PNAME, ["'a*b' (star inside)", () => 'a*b'], ["'**'", () => '**']];
const PACT = [...PNAME, ["'re*d'", () => 're*d']];
const PREQ = [...STRS, ...JUNK];
const PCOL = [
  ["['u1', 5]", () => ['u1', 5]], ["['u1', '']", () => ['u1', '']], ["['u1', '\\uD800']", () => ['u1', '\uD800']], ['[] (length differs)', () => []],
  ['Proxy throwing at [1]', () => new Proxy(['u1', 'u2'], { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) })],
  ["flip Proxy: [1] 'u2' on the first read, 5 after", () => { let r = 0; return new Proxy(['u1', 'u2'], { get: (t, k) => (k === '1' ? (r++ === 0 ? 'u2' : 5) : Reflect.get(t, k)) }); }, { nondet: true }],
  ['sparse length 2**32-1', () => { const a = ['u1']; a.length = 2 ** 32 - 1; return a; }],
  ...JUNK,
];
const TTL_OPTS = opts({ ttlMs: [...NUMS, ['2**60', () => 2 ** 60]] });
const EFFECT = [["'any'", () => 'any'], ["'Allow'", () => 'Allow'], ...JUNK];
// DenseModel methods (on MODEL_LAYERS: 2 → 3 → 1).
const MODEL_INPUTS = [...VEC, ['inputs of 3', () => [1, 2, 3]], ['inputs [1, NaN]', () => Float32Array.of(1, NaN)], ['inputs [3e38, 3e38] (overflow)', () => Float32Array.of(3e38, 3e38)]];
method('model', 'DenseModel.predict', [slot('inputs', () => Float32Array.of(1, 2, -1, 0.5), MODEL_INPUTS), slot('batch', () => 2, [...SCALAR, ['1', () => 1], ['3', () => 3]])], (hp, [x, b], m) => Array.from(m.predict(x, b)));
method('model', 'DenseModel.predictAsync', [slot('inputs', () => Float32Array.of(1, 2), MODEL_INPUTS), slot('batch', () => 1, SCALAR), slot('options', () => ({}), opts({ signal: JUNK }))], async (hp, [x, b, o], m) => Array.from(await m.predictAsync(x, b, o)));
method('model', 'DenseModel', [slot('method', () => 'predict', [['predict', () => 'predict'], ['predictAsync', () => 'predictAsync'], ['dispose', () => 'dispose']])], async (hp, [k], m) => { m.dispose(); return k === 'dispose' ? m.dispose() : k === 'predict' ? m.predict([1, 2]) : m.predictAsync([1, 2]); }, { disposed: true });

for (const m of ['grant', 'deny']) method('perm', `PermissionIndex.${m}`, [slot('subject', () => 'u9', PNAME), slot('resource', () => 'doc:9/*', PRES), slot('action', () => 'read', PACT), slot('options', () => ({ ttlMs: 50 }), TTL_OPTS)], (hp, a, p) => p[m](...a));
method('perm', 'PermissionIndex.revoke', [slot('subject', () => 'u1', PNAME), slot('resource', () => 'doc:1/*', PRES), slot('action', () => 'read', PACT), slot('options', () => ({ effect: 'allow' }), opts({ effect: EFFECT }))], (hp, a, p) => p.revoke(...a));
for (const m of ['addRole', 'removeRole']) method('perm', `PermissionIndex.${m}`, [slot('subject', () => 'u9', PNAME), slot('role', () => 'role:a', PNAME)], (hp, a, p) => p[m](...a));
for (const m of ['check', 'explain']) method('perm', `PermissionIndex.${m}`, [slot('subject', () => 'u1', PREQ), slot('resource', () => 'doc:1/x', PREQ), slot('action', () => 'read', PREQ)], (hp, a, p) => p[m](...a));
method('perm', 'PermissionIndex.checkMany', [slot('subjects', () => ['u1', 'u2'], PCOL), slot('resources', () => ['doc:1/x', 'img:3'], PCOL), slot('actions', () => 'read', PCOL)], (hp, a, p) => Array.from(p.checkMany(...a)));
method('perm', 'PermissionIndex.grantMany', [slot('subjects', () => ['u7', 'u8'], PCOL), slot('resources', () => ['doc:7', 'doc:8/*'], PCOL), slot('actions', () => 'write', PCOL), slot('options', () => ({ ttlMs: 20, effect: 'allow' }), opts({ ttlMs: NUMS, effect: EFFECT }))], (hp, a, p) => p.grantMany(...a));
method('perm', 'PermissionIndex.resourcesOf', [slot('subject', () => 'u1', PREQ), slot('options', () => ({ action: 'read', prefix: 'doc:', limit: 5, inherited: true, effect: 'any' }), opts({ action: PREQ, prefix: PREQ, limit: NUMS, inherited: BOOL, effect: EFFECT }))], (hp, a, p) => p.resourcesOf(...a));
method('perm', 'PermissionIndex.subjectsOf', [slot('resource', () => 'doc:1/x', PREQ), slot('options', () => ({ action: 'read', limit: 5, inherited: true }), opts({ action: PREQ, limit: NUMS, inherited: BOOL }))], (hp, a, p) => p.subjectsOf(...a));
method('perm', 'PermissionIndex.rolesOf', [slot('subject', () => 'u1', PREQ), slot('options', () => ({ inherited: true }), opts({ inherited: BOOL }))], (hp, a, p) => p.rolesOf(...a));
for (const m of ['purge', 'clear', 'checkInvariants']) method('perm', `PermissionIndex.${m}`, [], (hp, a, p) => p[m]());
method('perm', 'PermissionIndex.size', [], (hp, a, p) => p.size);
method('perm', 'PermissionIndex.snapshot', [], (hp, a, p) => Array.from(p.snapshot()));
const SNAP_DAMAGE = [
  ['truncated by 1', () => (b) => b.subarray(0, b.length - 1)], ['first 15 bytes', () => (b) => b.subarray(0, 15)], ['byte 20 flipped', () => (b) => { const c = b.slice(); c[20] ^= 1; return c; }],
  ['rule count 2**31 (CRC fixed up)', () => (b, fix) => fix(b, 8, 0x7fffffff)], ['string count 2**32-1 (CRC fixed up)', () => (b, fix) => fix(b, 8, 0xffffffff)],
  ['a Float64Array', () => () => new Float64Array(4)], ['a plain array', () => (b) => Array.from(b)], ['on a SharedArrayBuffer', () => (b) => { const c = new Uint8Array(new SharedArrayBuffer(b.length)); c.set(b); return c; }],
  ...JUNK.map(([l, v]) => [l, () => () => v()]),
];
method('perm', 'PermissionIndex.restore', [slot('bytes', () => (b) => b, SNAP_DAMAGE), slot('options', (ctx) => ({ backend: ctx.backendOpt, clock: () => ctx.now, autoPurge: false }), opts({ maxRoleDepth: NUMS, tickMs: NUMS, clock: [...CLOCKS, ...JUNK], onExpire: JUNK, autoPurge: BOOL, backend: [...BACKENDS, ...JUNK] }))], (hp, [damage, o], p, ctx) => {
  const fix = (b, at, v) => { const c = b.slice(); new DataView(c.buffer).setUint32(at, v, true); return c; };
  const q = ctx.keep(hp.PermissionIndex.restore(damage(p.snapshot(), fix), o));
  return [q.size, q.resourcesOf('u1', { effect: 'any' }).map((r) => [r.subject, r.resource, r.action, r.effect, r.expiresAt === Infinity]), q.checkInvariants()];
}, { prefixes: ['PermissionIndex'], prefixNote: 'restore passes its options to the constructor, whose errors name hotpath.PermissionIndex' });
const PERM_METHODS = ['grant', 'deny', 'revoke', 'addRole', 'removeRole', 'check', 'checkMany', 'explain', 'grantMany', 'resourcesOf', 'subjectsOf', 'rolesOf', 'size', 'purge', 'clear', 'snapshot', 'checkInvariants', 'dispose'];
method('perm', 'PermissionIndex', [slot('method', () => 'check', PERM_METHODS.map((m) => [m, () => m]))], (hp, [m], p) => {
  p.dispose();
  switch (m) {
    case 'grant': case 'deny': case 'revoke': case 'check': case 'explain': return p[m]('u1', 'doc:1/x', 'read');
    case 'checkMany': case 'grantMany': return p[m](['u1'], ['doc:1/x'], 'read');
    case 'addRole': case 'removeRole': return p[m]('u1', 'role:a');
    case 'resourcesOf': case 'rolesOf': return p[m]('u1');
    case 'subjectsOf': return p[m]('doc:1/x');
    case 'size': return p.size;
    default: return p[m]();
  }
}, { disposed: true });

const sequenceSpecs = ['btreeNum', 'btreeStr', 'wheel', 'cache', 'sketch', 'perm'].map((kind) => ({
  fn: 'sequence', struct: kind, variant: kind,
  slots: [slot('seed', () => 0, Array.from({ length: 97 }, (_, k) => [`sequence ${k}`, () => k + 1]))],
  call: (hp, [seed], st, ctx) => {
    const ops = structSpecs.filter((sp) => sp.struct === kind && !sp.disposed && !sp.userMutates && !sp.misuse && sp.compare !== 'shape' && sp.fn !== 'BPlusTree.fromSorted' && sp.fn !== 'QuantileSketch.mergeAll' && sp.fn !== 'QuantileSketch.fromProto' && sp.fn !== 'PermissionIndex.restore');
    const r = rng(seed * 7919 + kind.length);
    const outcomes = [];
    for (let step = 0; step < SEQ_STEPS; step++) {
      const sp = ops[Math.floor(r() * ops.length)];
      const choices = sp.slots.map((sl) => {
        if (r() < 0.5) return null;
        const j = Math.floor(r() * sl.pool.length);
        return sl.pool[j][2]?.nondet ? null : j;
      });
      const label = describeCall(sp, choices);
      try {
        const v = sp.call(hp, materialize(sp, choices, ctx), st, ctx);
        // An async op (TtlCache.fetch) is not awaited in a sequence; its rejection must not go unhandled.
        if (v && typeof v.then === 'function') v.then(undefined, () => {});
        outcomes.push([label, plain(v)]);
      } catch (e) {
        const name = e?.constructor?.name, msg = String(e?.message);
        const named = ((name === 'TypeError' || name === 'RangeError') && msg.startsWith(`hotpath.${sp.fn}:`)) || name === 'FuzzGetterError';
        if (!named) throw new Error(`step ${step}, ${label}: threw ${name}: ${msg}`);
        outcomes.push([label, `${name}: ${msg}`]);
      }
    }
    return outcomes;
  },
}));

export const SPECS = [...kernelSpecs, ...miscSpecs, ...ctorSpecs, ...structSpecs, ...sequenceSpecs];

// --- fixed cases: huge allocations and TOCTOU through getters ----------------------

const GIB = 2 ** 30;
function rab(C, values, extra = 64) {
  const b = new ArrayBuffer(values.length * C.BYTES_PER_ELEMENT, { maxByteLength: (values.length + extra) * C.BYTES_PER_ELEMENT });
  const t = new C(b);
  t.set(values);
  return t;
}
function detachNow(ta) {
  structuredClone(ta.buffer, { transfer: [ta.buffer] });
}

export const FIXED = [
  { fn: 'HashRing.routeMany', label: 'HashRing.routeMany of key hashes on a SharedArrayBuffer', call: (hp) => { const k = new BigUint64Array(new SharedArrayBuffer(80)); k[3] = 5n; k[9] = 2n ** 64n - 1n; return new hp.HashRing(['a', ['b', 3]]).routeMany(k); } },
  { fn: 'jumpHash', label: 'jumpHash of a Float64Array on a SharedArrayBuffer', call: (hp) => { const k = new Float64Array(new SharedArrayBuffer(80)); k[3] = 2 ** 63; return Array.from(hp.jumpHash(k, 2 ** 31)); } },
  { fn: 'HashRing.routeMany', label: 'HashRing.routeMany of 70000 keys (past the wasm chunks)', call: (hp) => new hp.HashRing(['a', 'b', 'c']).routeMany(Array.from({ length: 70_000 }, (_, i) => `k${i}`)).join('').length },
  // Calls whose output alone would exceed 4 GiB (or V8's limits).
  { fn: 'matmul', label: 'matmul f32 m·n = 2^31 (k = 0): 8 GiB output', call: (hp) => hp.matmul(new Float32Array(0), new Float32Array(0), 2 ** 16, 0, 2 ** 15) },
  { fn: 'matmul', label: 'matmul f64 m·n = 2^30 (k = 0): 8 GiB output', call: (hp) => hp.matmul(new Float64Array(0), new Float64Array(0), 2 ** 15, 0, 2 ** 15) },
  { fn: 'matmul', label: 'matmul f32 m = n = 2^32-1 (k = 0)', call: (hp) => hp.matmul(new Float32Array(0), new Float32Array(0), 2 ** 32 - 1, 0, 2 ** 32 - 1) },
  { fn: 'matmulAsync', label: 'matmulAsync f32 m·n = 2^31 (k = 0)', call: (hp) => hp.matmulAsync(new Float32Array(0), new Float32Array(0), 2 ** 16, 0, 2 ** 15) },
  { fn: 'cosineBatch', label: 'cosineBatch Q·N = 2^31 (dim 1): 8 GiB output', call: (hp) => hp.cosineBatch(new Float32Array(2 ** 16).fill(1), new Float32Array(2 ** 15).fill(1), 1) },
  { fn: 'cosineBatch', label: 'cosineBatch Q·N = 2^40 (dim 1)', call: (hp) => hp.cosineBatch(new Float32Array(2 ** 20).fill(1), new Float32Array(2 ** 20).fill(1), 1) },
  { fn: 'euclideanBatch', label: 'euclideanBatch Q·N = 2^31 (dim 1)', call: (hp) => hp.euclideanBatch(new Float32Array(2 ** 16).fill(1), new Float32Array(2 ** 15).fill(1), 1) },
  { fn: 'cosineBatchAsync', label: 'cosineBatchAsync Q·N = 2^31 (dim 1)', call: (hp) => hp.cosineBatchAsync(new Float32Array(2 ** 16).fill(1), new Float32Array(2 ** 15).fill(1), 1) },
  { fn: 'euclideanBatchAsync', label: 'euclideanBatchAsync Q·N = 2^40 (dim 1)', call: (hp) => hp.euclideanBatchAsync(new Float32Array(2 ** 20).fill(1), new Float32Array(2 ** 20).fill(1), 1) },
  { fn: 'ngramFeatures', label: 'ngramFeatures 128 texts x dims 2^24: 8 GiB output', call: (hp) => hp.ngramFeatures(Array(128).fill('abcd'), { dims: 2 ** 24 }) },
  { fn: 'ngramFeatures', label: 'ngramFeatures 4096 texts x dims 2^24', call: (hp) => hp.ngramFeatures(Array(4096).fill('abcd'), { dims: 2 ** 24 }) },
  { fn: 'ngramFeatures', label: 'ngramFeatures 2^20 empty texts x dims 2^12: 16 GiB output', call: (hp) => hp.ngramFeatures(Array(2 ** 20).fill(''), { dims: 2 ** 12 }) },
  { fn: 'topK', label: 'topK k = 2^32-1 over 4 rows', call: (hp) => hp.topK(Float32Array.of(1, 2, 3), Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1), 3, 2 ** 32 - 1) },
  { fn: 'topK', label: 'topK: matrix with an own length property of 2^32-1 (a multiple of dim 3)', call: (hp) => { const m = Float32Array.of(1, 0, 0, 0, 1, 0); Object.defineProperty(m, 'length', { value: 2 ** 32 - 1 }); return hp.topK(Float32Array.of(1, 2, 3), m, 3, 2); } },
  { fn: 'cosineBatch', label: 'cosineBatch: matrix with an own length property of 2^32-1 (a multiple of dim 3)', call: (hp) => { const m = Float32Array.of(1, 0, 0, 0, 1, 0); Object.defineProperty(m, 'length', { value: 2 ** 32 - 1 }); return hp.cosineBatch(Float32Array.of(1, 2, 3), m, 3); } },
  { fn: 'TimingWheel', label: 'TimingWheel wheels [65536 x3] (span 2^48)', call: (hp, ctx) => ctx.keep(new hp.TimingWheel({ wheels: [65536, 65536, 65536], backend: ctx.backendOpt })) },
  { fn: 'TtlCache', label: 'TtlCache maxSize 2^32-1', call: (hp, ctx) => { const c = ctx.keep(new hp.TtlCache({ maxSize: 2 ** 32 - 1, ttlMs: 10, clock: () => 0, autoPurge: false, backend: ctx.backendOpt })); c.set('a', 1); return c.size; } },
  { fn: 'memoryBandwidth', label: 'memoryBandwidth arrayBytes 2^32-1 (3 x 4 GiB)', compare: 'shape', call: (hp) => hp.memoryBandwidth({ arrayBytes: 2 ** 32 - 1, passes: 1 }) },
  // An options getter that runs after the arrays were validated and changes them.
  { fn: 'stats', label: 'stats: options.ddof getter detaches x after the finite scan', call: (hp) => { const x = Float64Array.of(1, 2, 3, 4); return hp.stats(x, { get ddof() { detachNow(x); return 0; } }); } },
  { fn: 'stats', label: 'stats: options.ddof getter shrinks a resizable x to 1 element', call: (hp) => { const x = rab(Float64Array, [5, 1, 4, 2, 3]); return hp.stats(x, { get ddof() { x.buffer.resize(8); return 0; } }); } },
  { fn: 'stats', label: 'stats: options.ddof getter grows a resizable x with NaN', call: (hp) => { const x = rab(Float64Array, [5, 1, 4, 2, 3]); return hp.stats(x, { get ddof() { x.buffer.resize(80); x.fill(NaN, 5); return 0; } }); } },
  { fn: 'stats', label: 'stats: options.ddof = 3 getter shrinks x to 2 (ddof >= count after the check)', call: (hp) => { const x = rab(Float64Array, [5, 1, 4, 2, 3]); return hp.stats(x, { get ddof() { x.buffer.resize(16); return 1; } }); } },
  { fn: 'percentiles', label: 'percentiles: ps getter detaches x', call: (hp) => { const x = Float64Array.of(1, 2, 3, 4); return hp.percentiles(x, new Proxy([50], { get: (t, k) => { if (k === '0') detachNow(x); return Reflect.get(t, k); } })); } },
  { fn: 'percentiles', label: 'percentiles: ps getter shrinks a resizable x to 0', call: (hp) => { const x = rab(Float64Array, [1, 2, 3, 4]); return hp.percentiles(x, new Proxy([50, 90], { get: (t, k) => { if (k === '0') x.buffer.resize(0); return Reflect.get(t, k); } })); } },
  { fn: 'outliersIQR', label: 'outliersIQR: options.k getter shrinks a resizable x to 0', call: (hp) => { const x = rab(Float64Array, [1, 2, 3, 400]); return hp.outliersIQR(x, { get k() { x.buffer.resize(0); return 1.5; } }); } },
  { fn: 'outliersIQR', label: 'outliersIQR: options.k getter grows x with Infinity', call: (hp) => { const x = rab(Float64Array, [1, 2, 3, 400]); return hp.outliersIQR(x, { get k() { x.buffer.resize(64); x.fill(Infinity, 4); return 1.5; } }); } },
  { fn: 'outliersZScore', label: 'outliersZScore: options.threshold getter detaches x', call: (hp) => { const x = Float64Array.of(1, 2, 3, 400); return hp.outliersZScore(x, { get threshold() { detachNow(x); return 1; } }); } },
  { fn: 'outliersZScore', label: 'outliersZScore: options.threshold getter writes NaN into x', call: (hp) => { const x = Float64Array.of(1, 2, 3, 400); return hp.outliersZScore(x, { get threshold() { x[1] = NaN; return 1; } }); } },
  { fn: 'riskScoreBatch', label: 'riskScoreBatch: options getter shrinks a resizable confidences below the signal count', call: (hp) => { const c = rab(Float64Array, [0.1, 0.5, 0.9, 1, 0.3]); return hp.riskScoreBatch(Float64Array.of(1, 2, 3, 4, 5), c, Uint32Array.of(0, 2, 5), { get maxSeverity() { c.buffer.resize(8); return 5; } }); } },
  { fn: 'riskScoreBatch', label: 'riskScoreBatch: options getter detaches confidences', call: (hp) => { const c = Float64Array.of(0.1, 0.5, 0.9, 1, 0.3); return hp.riskScoreBatch(Float64Array.of(1, 2, 3, 4, 5), c, Uint32Array.of(0, 2, 5), { get maxSeverity() { detachNow(c); return 5; } }); } },
  { fn: 'riskScoreBatch', label: 'riskScoreBatch: options getter pops confidences (number[])', call: (hp) => { const c = [0.1, 0.5, 0.9, 1, 0.3]; return hp.riskScoreBatch([1, 2, 3, 4, 5], c, Uint32Array.of(0, 2, 5), { get maxSeverity() { c.length = 1; return 5; } }); } },
  { fn: 'riskScore', label: 'riskScore: options getter shrinks confidences', call: (hp) => { const c = rab(Float64Array, [0.1, 0.5, 0.9]); return hp.riskScore(Float64Array.of(1, 2, 3), c, { get maxSeverity() { c.buffer.resize(0); return 5; } }); } },
  { fn: 'riskScore', label: 'riskScore: options getter writes a string into confidences (number[])', call: (hp) => { const c = [0.1, 0.5, 0.9]; return hp.riskScore([1, 2, 3], c, { get maxSeverity() { c[1] = 'x'; return 5; } }); } },
  { fn: 'topK', label: 'topK: options.metric getter shrinks a resizable matrix to one row', call: (hp) => { const m = rab(Float32Array, [1, 0, 0, 0, 1, 0, 0, 0, 1]); return hp.topK(Float32Array.of(1, 2, 3), m, 3, 3, { get metric() { m.buffer.resize(12); return 'dot'; } }); } },
  { fn: 'topK', label: 'topK: options.metric getter makes the matrix length not a multiple of dim', call: (hp) => { const m = rab(Float32Array, [1, 0, 0, 0, 1, 0, 0, 0, 1]); return hp.topK(Float32Array.of(1, 2, 3), m, 3, 3, { get metric() { m.buffer.resize(20); return 'dot'; } }); } },
  { fn: 'topK', label: 'topK: options.metric getter detaches the query (number[] copied first?)', call: (hp) => { const q = Float32Array.of(1, 2, 3); return hp.topK(q, Float32Array.of(1, 0, 0, 0, 1, 0), 3, 2, { get metric() { detachNow(q); return 'cosine'; } }); } },
  { fn: 'ngramFeatures', label: 'ngramFeatures: options.dims getter puts a number into texts', call: (hp) => { const t = ['abc', 'def']; return hp.ngramFeatures(t, { get dims() { t[1] = 42; return 16; } }); } },
  { fn: 'ngramFeatures', label: "ngramFeatures: options.dims getter puts a lone surrogate into texts", call: (hp) => { const t = ['abc', 'def']; return hp.ngramFeatures(t, { get dims() { t[1] = '\uD800x'; return 16; } }); } },
  { fn: 'ngramFeatures', label: 'ngramFeatures: options.n getter appends 1000 texts', call: (hp) => { const t = ['abc', 'def']; return hp.ngramFeatures(t, { get n() { for (let i = 0; i < 1000; i++) t.push('xyz'); return 2; }, dims: 8 }); } },
  { fn: 'ngramFeatures', label: 'ngramFeatures: options.n getter empties texts', call: (hp) => { const t = ['abc', 'def']; return hp.ngramFeatures(t, { get n() { t.length = 0; return 2; }, dims: 8 }); } },
  { fn: 'BPlusTree.setMany', label: "BPlusTree.setMany (string tree): values.length getter puts 42 into keys", call: (hp, ctx) => { const t = ctx.keep(new hp.BPlusTree({ keyType: 'string', backend: ctx.backendOpt })); const ks = ['a', 'b', 'c']; const r = (() => { try { return t.setMany(ks, { get length() { ks[1] = 42; return 3; }, 0: 1, 1: 2, 2: 3 }); } catch (e) { ctx.after = treeState(t); throw e; } })(); ctx.after = treeState(t); return r === t; } },
  { fn: 'BPlusTree.setMany', label: "BPlusTree.setMany (string tree): values.length getter puts '\\uD800' into keys", call: (hp, ctx) => { const t = ctx.keep(new hp.BPlusTree({ keyType: 'string', backend: ctx.backendOpt })); const ks = ['a', 'b', 'c']; try { t.setMany(ks, { get length() { ks[1] = '\uD800'; return 3; }, 0: 1, 1: 2, 2: 3 }); } finally { ctx.after = treeState(t); } return true; } },
  { fn: 'BPlusTree.setMany', label: 'BPlusTree.setMany (string tree): values.length getter empties keys', call: (hp, ctx) => { const t = ctx.keep(new hp.BPlusTree({ keyType: 'string', backend: ctx.backendOpt })); const ks = ['a', 'b', 'c']; try { t.setMany(ks, { get length() { ks.length = 0; return 3; }, 0: 1, 1: 2, 2: 3 }); } finally { ctx.after = treeState(t); } return true; } },
  { fn: 'BPlusTree.fromSorted', label: 'BPlusTree.fromSorted (string tree): values.length getter unsorts keys', call: (hp, ctx) => { const ks = ['a', 'b', 'c']; const t = ctx.keep(hp.BPlusTree.fromSorted(ks, { get length() { ks.reverse(); return 3; }, 0: 1, 1: 2, 2: 3 }, { keyType: 'string', backend: ctx.backendOpt })); ctx.after = treeState(t); return true; } },
  { fn: 'BPlusTree.fromSorted', label: 'BPlusTree.fromSorted (number tree): a values getter throws mid-load', call: (hp, ctx) => hp.BPlusTree.fromSorted([1, 2, 3], new Proxy([1, 2, 3], { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) }), { keyType: 'number', backend: ctx.backendOpt }) },
  { fn: 'BPlusTree.setMany', label: 'BPlusTree.setMany: a values getter throws mid-batch (number tree with 3 keys)', check: (after, threw) => (threw && JSON.stringify(after?.entries) !== JSON.stringify([[2, 'old']]) ? `half-applied batch: the tree holds ${JSON.stringify(after)} after the failed setMany (it held [[2, "old"]])` : null), call: (hp, ctx) => { const t = ctx.keep(new hp.BPlusTree({ keyType: 'number', backend: ctx.backendOpt })); t.set(2, 'old'); try { t.setMany([1, 2, 3], new Proxy(['a', 'b', 'c'], { get: (o, k) => (k === '1' ? thrower() : Reflect.get(o, k)) })); } finally { ctx.after = treeState(t); } } },
  { fn: 'TimingWheel.scheduleMany', label: 'TimingWheel.scheduleMany: a payloads getter throws mid-batch', check: (after, threw) => (threw && (after?.size !== 0 || after?.fired?.length !== 0) ? `half-applied batch: ${JSON.stringify(after)} after the failed scheduleMany (the wheel was empty)` : null), call: (hp, ctx) => { const w = ctx.keep(new hp.TimingWheel({ backend: ctx.backendOpt })); try { w.scheduleMany([1, 2, 3], new Proxy(['a', 'b', 'c'], { get: (o, k) => (k === '1' ? thrower() : Reflect.get(o, k)) })); } finally { ctx.after = { size: w.size, check: w.check(), fired: w.advance(1000) }; } } },
  { fn: 'TimingWheel.scheduleMany', label: 'TimingWheel.scheduleMany: payloads.length getter rewrites delays to -1', call: (hp, ctx) => { const w = ctx.keep(new hp.TimingWheel({ backend: ctx.backendOpt })); const d = Float64Array.of(1, 2, 3); try { return w.scheduleMany(d, { get length() { d[1] = -1; return 3; } }); } finally { ctx.after = { size: w.size, check: w.check(), fired: w.advance(1000).length }; } } },
  { fn: 'TimingWheel.scheduleMany', label: 'TimingWheel.scheduleMany: payloads.length getter rewrites delays to NaN', call: (hp, ctx) => { const w = ctx.keep(new hp.TimingWheel({ backend: ctx.backendOpt })); const d = Float64Array.of(1, 2, 3); try { return w.scheduleMany(d, { get length() { d[1] = NaN; return 3; } }); } finally { ctx.after = { size: w.size, check: w.check(), fired: w.advance(1000).length }; } } },
  { fn: 'TimingWheel.cancelMany', label: 'TimingWheel.cancelMany with 2^20 ids of one pending timer', call: (hp, ctx) => { const w = ctx.keep(new hp.TimingWheel({ backend: ctx.backendOpt })); const id = w.schedule(5, 'x'); const r = w.cancelMany(new Float64Array(2 ** 20).fill(id)); ctx.after = { size: w.size, check: w.check() }; return [r.length, r.reduce((a, b) => a + b, 0)]; } },
  { fn: 'TtlCache', label: 'TtlCache: onEvict throws during an LRU eviction', nondet: true, call: (hp, ctx) => { const c = ctx.keep(new hp.TtlCache({ maxSize: 2, ttlMs: 100, clock: () => 0, autoPurge: false, backend: ctx.backendOpt, onEvict: thrower })); c.set('a', 1); c.set('b', 2); try { c.set('c', 3); } finally { ctx.after = { size: c.size, keys: [...c.keysLru()], check: c.check() }; } } },
  { fn: 'TtlCache', label: 'TtlCache: onEvict re-enters set() during expiry', nondet: true, call: (hp, ctx) => { let now = 0; let n = 0; const c = ctx.keep(new hp.TtlCache({ maxSize: 4, ttlMs: 10, clock: () => now, autoPurge: false, backend: ctx.backendOpt, onEvict: (k) => { if (n++ < 50) c.set(`${k}+`, 1); } })); for (const k of ['a', 'b', 'c', 'd']) c.set(k, 1); now = 100; const s = c.size; ctx.after = { size: c.size, keys: [...c.keysLru()], check: c.check() }; return s; } },
  { fn: 'TtlCache', label: 'TtlCache: onEvict disposes the cache during expiry', nondet: true, call: (hp, ctx) => { let now = 0; const c = ctx.keep(new hp.TtlCache({ maxSize: 4, ttlMs: 10, clock: () => now, autoPurge: false, backend: ctx.backendOpt, onEvict: () => c.dispose() })); for (const k of ['a', 'b', 'c']) c.set(k, 1); now = 100; return c.size; } },
  { fn: 'TtlCache', label: 'TtlCache: onEvict deletes other keys during clear()', nondet: true, call: (hp, ctx) => { const c = ctx.keep(new hp.TtlCache({ maxSize: 4, ttlMs: 10, clock: () => 0, autoPurge: false, backend: ctx.backendOpt, onEvict: (k) => { if (k === 'a') c.delete('c'); } })); for (const k of ['a', 'b', 'c', 'd']) c.set(k, 1); c.clear(); ctx.after = { size: c.size, check: c.check() }; return c.size; } },
];

export function treeState(t) {
  try {
    return { size: t.size, inv: t.checkInvariants(), entries: t.range(null, null).slice(0, 50) };
  } catch (e) {
    if (/^hotpath\.[\w.]+: \w+ is disposed/.test(String(e?.message))) return { disposed: true };
    return { stateError: { name: e?.constructor?.name, msg: String(e?.message) } };
  }
}

// --- generation --------------------------------------------------------------

/** mulberry32 (bench/lib/data.mjs). */
export const rng = mulberry32;

/**
 * Every single-argument corruption once, plus one valid call per spec: calls
 * [0, COMBOS.length) of a run walk this list (in a seed-shuffled order), so
 * each catalogue entry meets each slot it fits; later calls are random.
 */
export const COMBOS = [];
SPECS.forEach((spec, si) => {
  COMBOS.push([si, -1, -1]);
  spec.slots.forEach((sl, j) => sl.pool.forEach((_, k) => COMBOS.push([si, j, k])));
});

/**
 * Call i of a run: its spec and, per slot, null (the good value) or an index
 * into the slot's pool. Past the sweep, every call corrupts at least one slot
 * when it has one (two in a quarter of them), except one in 16 (valid calls
 * anchor the comparison with js).
 */
export function generate(seed, i) {
  if (i < COMBOS.length) {
    // A fixed permutation of the sweep (multiplier coprime with its length), so batches mix specs.
    let mult = 7919;
    while (gcd(mult, COMBOS.length) !== 1) mult += 2;
    const [si, j, k] = COMBOS[(i * mult + seed) % COMBOS.length];
    const spec = SPECS[si];
    const choices = spec.slots.map((_, jj) => (jj === j ? k : null));
    return { spec, choices, label: describeCall(spec, choices) };
  }
  const spec = SPECS[i % SPECS.length];
  const r = rng((seed * 0x9e3779b1) ^ (i * 0x85ebca6b) ^ 0x1234567);
  const choices = spec.slots.map(() => null);
  if (spec.slots.length > 0 && r() >= 1 / 16) {
    const n = spec.slots.length > 1 && r() < 0.25 ? 2 : 1;
    for (let j = 0; j < n; j++) {
      const s = Math.floor(r() * spec.slots.length);
      choices[s] = Math.floor(r() * spec.slots[s].pool.length);
    }
  }
  return { spec, choices, label: describeCall(spec, choices) };
}

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

export function describeCall(spec, choices) {
  const parts = spec.slots.map((s, j) => `${s.name}=${choices[j] === null ? 'valid' : s.pool[choices[j]][0]}`);
  return `${spec.fn}${spec.variant ? ` [${spec.variant}]` : ''}${spec.disposed ? ' [disposed]' : ''}(${parts.join(', ')})`;
}

/** Whether the call's inputs change between reads (see FLIPS) or run user code that re-enters. */
export function isNondet(spec, choices) {
  return !!spec.nondet || spec.slots.some((s, j) => choices[j] !== null && s.pool[choices[j]][2]?.nondet);
}

/** Whether a chosen input throws FuzzGetterError from a getter. */
export function mayThrowGetter(spec, choices) {
  return spec.slots.some((s, j) => choices[j] !== null && /throw/.test(s.pool[choices[j]][0]));
}

/** Builds the call's arguments, fresh. */
export function materialize(spec, choices, ctx) {
  return spec.slots.map((s, j) => {
    const good = s.good(ctx);
    return choices[j] === null ? good : s.pool[choices[j]][1](good, ctx);
  });
}
