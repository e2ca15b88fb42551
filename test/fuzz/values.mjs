// The bad-input catalogue of the fuzz suite: value factories, fresh on every
// call (a detached buffer or a stateful Proxy cannot be reused). Plain ESM so
// the child processes import it as is, next to the built dist/index.js.
//
// A factory is [label, make] where make(good, ctx) builds the value; `good` is
// the slot's valid value (freshly built), so derived entries (a Proxy of it, a
// detached copy, the wrong element type) keep its shape.

/** The error a catalogue getter throws; the suite accepts it propagating unchanged. */
export class FuzzGetterError extends Error {
  constructor() {
    super('fuzz: getter threw');
    this.name = 'FuzzGetterError';
  }
}

const thrower = () => {
  throw new FuzzGetterError();
};

function circular() {
  const o = { a: 1 };
  o.self = o;
  return o;
}

function detach(ta) {
  structuredClone(ta.buffer, { transfer: [ta.buffer] });
  return ta;
}

const isTyped = (x) => ArrayBuffer.isView(x) && !(x instanceof DataView);
const ctorOf = (g) => (isTyped(g) ? g.constructor : Float64Array);
const toArray = (g) => (isTyped(g) ? Array.from(g, Number) : Array.isArray(g) ? [...g] : []);
const copyOf = (g) => (isTyped(g) ? g.slice() : toArray(g));

/** Same elements, in a typed array of type C (BigInt arrays get BigInts). */
function asType(C, g) {
  const a = toArray(g);
  if (C === BigInt64Array || C === BigUint64Array) return C.from(a, (v) => BigInt(Math.trunc(Math.abs(v))));
  return C.from(a);
}

/** Replace element 1 (or 0) of a copy of g by v, keeping the container kind. */
function withElement(g, v) {
  const c = copyOf(g);
  const i = c.length > 1 ? 1 : 0;
  if (c.length === 0) return isTyped(c) ? c : [v];
  c[i] = v;
  return c;
}

// --- scalars ---------------------------------------------------------------

/** Non-number junk, for any slot. */
export const JUNK = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['true', () => true],
  ['0n', () => 0n],
  ['2n**64n', () => 2n ** 64n],
  ['Symbol()', () => Symbol('fuzz')],
  ["'abc'", () => 'abc'],
  ["'3'", () => '3'],
  ["''", () => ''],
  ['{}', () => ({})],
  ['[]', () => []],
  ['{length:3}', () => ({ length: 3, 0: 1, 1: 2, 2: 3 })],
  ['function', () => function f() { return 1; }],
  ['new Date(0)', () => new Date(0)],
  ['new Map()', () => new Map()],
  ['Object.create(null)', () => Object.create(null)],
  ['circular object', circular],
  ['Proxy({}) throwing on every get', () => new Proxy({}, { get: thrower })],
  ['new Number(3)', () => new Number(3)],
  ['{valueOf:()=>3}', () => ({ valueOf: () => 3 })],
];

/** Numbers that are wrong for a size, count or finite real. */
export const NUMS = [
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['-0', () => -0],
  ['-1', () => -1],
  ['0', () => 0],
  ['0.5', () => 0.5],
  ['1.5', () => 1.5],
  ['2**24', () => 2 ** 24],
  ['2**24+1', () => 2 ** 24 + 1],
  ['2**31', () => 2 ** 31],
  ['2**32-1', () => 2 ** 32 - 1],
  ['2**32', () => 2 ** 32],
  ['2**53', () => 2 ** 53],
  ['2**53+2', () => 2 ** 53 + 2],
  ['1e308', () => 1e308],
  ['5e-324', () => 5e-324],
  ['-(2**31)', () => -(2 ** 31)],
  ['-1e-300', () => -1e-300],
];

// --- vectors ---------------------------------------------------------------

/** Vector-shaped inputs derived from the good vector g (any container kind). */
export const VECS = [
  ['array with a hole', (g) => { const a = toArray(g); if (a.length < 2) a.length = 2; delete a[1]; return a; }],
  ['array of length 2**32-1 with holes', (g) => { const a = toArray(g); a.length = 2 ** 32 - 1; return a; }],
  ["array with '1' at [1]", (g) => withElement(toArray(g), '1')],
  ['array with 1n at [1]', (g) => withElement(toArray(g), 1n)],
  ['array with null at [1]', (g) => withElement(toArray(g), null)],
  ['array with an object at [1]', (g) => withElement(toArray(g), { valueOf: () => 1 })],
  ['NaN at [1]', (g) => withElement(g, NaN)],
  ['Infinity at [1]', (g) => withElement(g, Infinity)],
  ['-Infinity at [1]', (g) => withElement(g, -Infinity)],
  ['-0 at [1]', (g) => withElement(g, -0)],
  ['1e38 at [1] (f32 overflow)', (g) => withElement(g, 1e38)],
  ['3e38 everywhere', (g) => { const c = copyOf(g); c.fill(3e38); return c; }],
  ['subnormals everywhere', (g) => { const c = copyOf(g); c.fill(1e-40); return c; }],
  ['Proxy of the typed array', (g) => new Proxy(isTyped(g) ? g.slice() : Float32Array.from(toArray(g)), {})],
  ['Proxy of a plain array', (g) => new Proxy(toArray(g), {})],
  ['Proxy of an array whose [1] getter throws', (g) => new Proxy(toArray(g).length < 2 ? [1, 2] : toArray(g), { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) })],
  ['Proxy of a typed array whose [1] getter throws', (g) => new Proxy(asType(isTyped(g) ? ctorOf(g) : Float64Array, toArray(g).length < 2 ? [1, 2] : g), { get: (t, k) => (k === '1' ? thrower() : Reflect.get(t, k)) })],
  ['Proxy of a typed array lying length+3', (g) => { const t = isTyped(g) ? g.slice() : Float64Array.from(toArray(g)); return new Proxy(t, { get: (o, k) => (k === 'length' ? o.length + 3 : Reflect.get(o, k)) }); }],
  ['Proxy of an array lying length 2**31', (g) => new Proxy(toArray(g), { get: (o, k) => (k === 'length' ? 2 ** 31 : Reflect.get(o, k)) })],
  ['typed array with own length lying x1000', (g) => { const t = isTyped(g) ? g.slice() : Float64Array.from(toArray(g)); Object.defineProperty(t, 'length', { value: t.length * 1000 }); return t; }],
  ['typed array with own length lying 2**20+3', (g) => { const t = isTyped(g) ? g.slice() : Float64Array.from(toArray(g)); Object.defineProperty(t, 'length', { value: 2 ** 20 + 3 }); return t; }],
  ['typed array with own length lying 1', (g) => { const t = isTyped(g) ? g.slice() : Float64Array.from(toArray(g)); Object.defineProperty(t, 'length', { value: 1 }); return t; }],
  ['typed array whose length getter throws', (g) => { const t = isTyped(g) ? g.slice() : Float64Array.from(toArray(g)); Object.defineProperty(t, 'length', { get: thrower }); return t; }],
  ['detached typed array', (g) => detach(isTyped(g) ? g.slice() : Float64Array.from(toArray(g)))],
  ['SharedArrayBuffer-backed', (g) => { const C = ctorOf(g); const a = toArray(g); const t = new C(new SharedArrayBuffer(Math.max(1, a.length) * C.BYTES_PER_ELEMENT), 0, a.length); t.set(a); return t; }],
  ['resizable-ArrayBuffer-backed (length-tracking)', (g) => { const C = ctorOf(g); const a = toArray(g); const b = new ArrayBuffer(a.length * C.BYTES_PER_ELEMENT, { maxByteLength: (a.length + 8) * C.BYTES_PER_ELEMENT }); const t = new C(b); t.set(a); return t; }],
  ['subarray at odd offset 1', (g) => { const C = ctorOf(g); const a = toArray(g); const big = new C(a.length + 3); big.set(a, 1); return big.subarray(1, 1 + a.length); }],
  ['subarray at odd offset 3', (g) => { const C = ctorOf(g); const a = toArray(g); const big = new C(a.length + 5); big.set(a, 3); return big.subarray(3, 3 + a.length); }],
  ['Float32Array subclass', (g) => { class F extends Float32Array {} return F.from(toArray(g)); }],
  ['Buffer', (g) => Buffer.from(Uint8Array.from(toArray(g)))],
  ['Int32Array', (g) => asType(Int32Array, g)],
  ['Uint32Array', (g) => asType(Uint32Array, g)],
  ['Float32Array', (g) => asType(Float32Array, g)],
  ['Float64Array', (g) => asType(Float64Array, g)],
  ['Uint8Array', (g) => asType(Uint8Array, g)],
  ['Int8Array', (g) => asType(Int8Array, g)],
  ['Uint8ClampedArray', (g) => asType(Uint8ClampedArray, g)],
  ['BigInt64Array', (g) => asType(BigInt64Array, g)],
  ['DataView', (g) => new DataView(asType(Float64Array, g).buffer)],
  ['ArrayBuffer', (g) => asType(ctorOf(g), g).buffer],
  ['empty, same type', (g) => (isTyped(g) ? new (ctorOf(g))(0) : [])],
  ['one element longer', (g) => { const a = toArray(g); a.push(1); return isTyped(g) ? ctorOf(g).from(a) : a; }],
  ['one element shorter', (g) => { const a = toArray(g); a.pop(); return isTyped(g) ? ctorOf(g).from(a) : a; }],
  ['plain number[] copy', (g) => toArray(g)],
];

/**
 * Inputs whose contents change between reads: the TOCTOU of a second read
 * after validation, in one thread. The suite asserts only a named error or
 * any result, with structure invariants holding (they are not deterministic).
 */
export const FLIPS = [
  ['flip Proxy: [1] is a number on the first read, a string after', (g) => flip(toArray(g), 'x')],
  ['flip Proxy: [1] is a number on the first read, NaN after', (g) => flip(toArray(g), NaN)],
  ['flip Proxy: [1] is a number on the first read, undefined after', (g) => flip(toArray(g), undefined)],
  ['flip Proxy: length grows by 1000 after the first read', (g) => {
    let reads = 0;
    return new Proxy(toArray(g), { get: (o, k) => (k === 'length' ? (reads++ === 0 ? o.length : o.length + 1000) : Reflect.get(o, k)) });
  }],
];

function flip(arr, later) {
  if (arr.length < 2) arr.push(1, 2);
  let reads = 0;
  return new Proxy(arr, { get: (o, k) => (k === '1' ? (reads++ === 0 ? o[1] : later) : Reflect.get(o, k)) });
}

// --- options ---------------------------------------------------------------

/**
 * Options-object corruptions. `fields` maps each option to its pool of bad
 * values; `good` is the valid options object.
 */
export function optionPool(fields) {
  const pool = [
    ['options null', () => null],
    ['options 0n', () => 0n],
    ["options 'x'", () => 'x'],
    ['options []', () => []],
    ['options new Map()', () => new Map()],
    ['options Symbol()', () => Symbol('o')],
    ['options with an unknown key', (good) => ({ ...good, bogus: 1, __proto__x: 2 })],
    ['options circular', (good) => { const o = { ...good }; o.self = o; return o; }],
    ['options inheriting its fields', (good) => Object.create({ ...good })],
    ['options frozen', (good) => Object.freeze({ ...good })],
    ['options Proxy throwing on every get', () => new Proxy({}, { get: thrower })],
  ];
  for (const [field, values] of Object.entries(fields)) {
    pool.push([`options.${field} getter throws`, (good) => Object.defineProperty({ ...good }, field, { get: thrower, enumerable: true })]);
    pool.push([`options.${field} BigInt 1n`, (good) => ({ ...good, [field]: 1n })]);
    for (const [label, make] of values) pool.push([`options.${field} = ${label}`, (good, ctx) => ({ ...good, [field]: make(good?.[field], ctx) })]);
  }
  return pool;
}

export const STRS = [
  ["lone surrogate '\\uD800'", () => '\uD800'],
  ["lone surrogate 'a\\uDC00b'", () => 'a\uDC00b'],
  ["'\\0'", () => '\0'],
  ['empty string', () => ''],
  ['100000 chars', () => 'k'.repeat(100_000)],
  ['astral + BMP private use', () => '\u{1F600}\uE000'],
  ["new String('a')", () => new String('a')],
];
