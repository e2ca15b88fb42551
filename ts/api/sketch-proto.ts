// DDSketch's protobuf wire format (DataDog/sketches-proto ddsketch.proto),
// written and read by hand so no protobuf library is needed at run time:
//
//   DDSketch     { IndexMapping mapping = 1; Store positiveValues = 2; Store negativeValues = 3; double zeroCount = 4; }
//   IndexMapping { double gamma = 1; double indexOffset = 2; Interpolation interpolation = 3; }  NONE 0, LINEAR 1, QUADRATIC 2, CUBIC 3
//   Store        { map<sint32, double> binCounts = 1; repeated double contiguousBinCounts = 2 [packed]; sint32 contiguousBinIndexOffset = 3; }
//
// hotpath adds the exact sum, min and max as doubles 1001–1003 of DDSketch,
// fields other decoders skip (protobuf ignores unknown fields). Stores are
// always written contiguously: @datadog/sketches-js reads only that form.
import { rangeError } from '../contract/errors.js';
import type { SketchBins } from '../contract/sketch.js';

/** Interpolation codes of IndexMapping. */
export const INTERPOLATION = { NONE: 0, LINEAR: 1, QUADRATIC: 2, CUBIC: 3 } as const;
const SUM_FIELD = 1001;
const MIN_FIELD = 1002;
const MAX_FIELD = 1003;

/** A decoded (or to-be-encoded) DDSketch message. */
export interface SketchMessage {
  gamma: number;
  indexOffset: number;
  interpolation: number;
  bins: SketchBins;
  /** hotpath's exact summary, when the bytes carry it. */
  summary: { sum: number; min: number; max: number } | null;
}

/** Bytes of x as a varint (x a non-negative integer below 2^53). */
function varintSize(x: number): number {
  let n = 1;
  while (x >= 0x80) {
    x = Math.floor(x / 0x80);
    n++;
  }
  return n;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Size of a Store message's body. */
function storeSize(offset: number, counts: Float64Array): number {
  if (counts.length === 0) return 0;
  return 1 + varintSize(counts.length * 8) + counts.length * 8 + (offset !== 0 ? 1 + varintSize(zigzag(offset)) : 0);
}

// One exact-size allocation and a DataView: ArrayBuffers are costly to make
// in V8 (~1 µs each), and a growing writer made a dozen per sketch.
class Writer {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  len = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  varint(x: number): void {
    while (x >= 0x80) {
      this.buf[this.len++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.buf[this.len++] = x;
  }
  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  double(x: number): void {
    this.view.setFloat64(this.len, x, true);
    this.len += 8;
  }
  doubles(a: Float64Array): void {
    // Protobuf doubles are little-endian, as typed arrays are on every platform JS runs on.
    this.buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), this.len);
    this.len += a.byteLength;
  }
  store(offset: number, counts: Float64Array): void {
    if (counts.length === 0) return;
    this.tag(2, 2);
    this.varint(counts.length * 8);
    this.doubles(counts);
    if (offset !== 0) {
      this.tag(3, 0);
      this.varint(zigzag(offset));
    }
  }
}

/** Encodes a sketch message (sizes are bounded by the sketch's bins). */
export function encodeSketch(m: SketchMessage): Uint8Array {
  const mapSize = 9 + (m.indexOffset !== 0 ? 9 : 0) + (m.interpolation !== 0 ? 1 + varintSize(m.interpolation) : 0);
  const pos = storeSize(m.bins.posOffset, m.bins.pos);
  const neg = storeSize(m.bins.negOffset, m.bins.neg);
  const size =
    1 + varintSize(mapSize) + mapSize + 1 + varintSize(pos) + pos + 1 + varintSize(neg) + neg +
    (m.bins.zeroCount !== 0 ? 9 : 0) + (m.summary !== null ? 3 * (varintSize(SUM_FIELD * 8 + 1) + 8) : 0);
  const w = new Writer(size);
  w.tag(1, 2);
  w.varint(mapSize);
  w.tag(1, 1);
  w.double(m.gamma);
  if (m.indexOffset !== 0) {
    w.tag(2, 1);
    w.double(m.indexOffset);
  }
  if (m.interpolation !== 0) {
    w.tag(3, 0);
    w.varint(m.interpolation);
  }
  w.tag(2, 2);
  w.varint(pos);
  w.store(m.bins.posOffset, m.bins.pos);
  w.tag(3, 2);
  w.varint(neg);
  w.store(m.bins.negOffset, m.bins.neg);
  if (m.bins.zeroCount !== 0) {
    w.tag(4, 1);
    w.double(m.bins.zeroCount);
  }
  if (m.summary !== null) {
    w.tag(SUM_FIELD, 1);
    w.double(m.summary.sum);
    w.tag(MIN_FIELD, 1);
    w.double(m.summary.min);
    w.tag(MAX_FIELD, 1);
    w.double(m.summary.max);
  }
  if (w.len !== size) throw new Error(`hotpath internal: sketch proto size ${w.len} != ${size}`);
  return w.buf;
}

class Reader {
  pos: number;
  private readonly view: DataView;
  constructor(
    readonly fn: string,
    readonly b: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  fail(what: string, at = this.pos): never {
    return rangeError(this.fn, 'bytes', `${what} at offset ${at}`);
  }
  varint(): number {
    const at = this.pos;
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint', at);
      const byte = this.b[this.pos++]!;
      x += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        if (x > Number.MAX_SAFE_INTEGER) this.fail('varint above 2^53', at);
        return x;
      }
      mul *= 128;
    }
    return this.fail('varint longer than 10 bytes', at);
  }
  double(): number {
    if (this.end - this.pos < 8) this.fail('truncated double');
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }
  /** A length-delimited field's [start, end). */
  sub(): [number, number] {
    const at = this.pos;
    const n = this.varint();
    if (n > this.end - this.pos) this.fail(`length ${n} runs past the end`, at);
    const s = this.pos;
    this.pos += n;
    return [s, this.pos];
  }
  skip(wire: number): void {
    const at = this.pos;
    if (wire === 0) this.varint();
    else if (wire === 1) this.double();
    else if (wire === 2) this.sub();
    else if (wire === 5) {
      if (this.end - this.pos < 4) this.fail('truncated fixed32');
      this.pos += 4;
    } else this.fail(`unsupported wire type ${wire}`, at);
  }
  /** A field key; returns [field, wire]. */
  key(): [number, number] {
    const at = this.pos;
    const k = this.varint();
    const field = Math.floor(k / 8);
    if (field === 0) this.fail('field number 0', at);
    return [field, k % 8];
  }
}

function int32(r: Reader, raw: number, at: number): number {
  // sint32: zigzag-decoded, within i32.
  const n = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  if (n < -(2 ** 31) || n >= 2 ** 31) r.fail(`sint32 out of range (${n})`, at);
  return n;
}

function count(r: Reader, c: number, at: number): number {
  if (!(c >= 0) || c === Infinity) r.fail(`bin count ${c} is not a finite number >= 0`, at);
  return c;
}

interface RawStore {
  offset: number;
  contiguous: number[];
  sparse: Map<number, number>;
}

function readStore(r: Reader, [s, e]: [number, number]): RawStore {
  const out: RawStore = { offset: 0, contiguous: [], sparse: new Map() };
  const sr = new Reader(r.fn, r.b, s, e);
  while (sr.pos < e) {
    const [field, wire] = sr.key();
    const at = sr.pos;
    if (field === 1 && wire === 2) {
      const [ms, me] = sr.sub();
      const er = new Reader(r.fn, r.b, ms, me);
      let key = 0;
      let value = 0;
      while (er.pos < me) {
        const [f2, w2] = er.key();
        const at2 = er.pos;
        if (f2 === 1 && w2 === 0) key = int32(er, er.varint(), at2);
        else if (f2 === 2 && w2 === 1) value = count(er, er.double(), at2);
        else er.skip(w2);
      }
      out.sparse.set(key, (out.sparse.get(key) ?? 0) + value);
    } else if (field === 2 && wire === 2) {
      const [ps, pe] = sr.sub();
      if ((pe - ps) % 8 !== 0) sr.fail('packed doubles whose length is not a multiple of 8', at);
      const pr = new Reader(r.fn, r.b, ps, pe);
      while (pr.pos < pe) {
        const at2 = pr.pos;
        out.contiguous.push(count(pr, pr.double(), at2));
      }
    } else if (field === 2 && wire === 1) {
      out.contiguous.push(count(sr, sr.double(), at)); // unpacked repeated double
    } else if (field === 3 && wire === 0) {
      out.offset = int32(sr, sr.varint(), at);
    } else sr.skip(wire);
  }
  return out;
}

/** Folds a raw store into one trimmed range; keys must fit in i32. */
function toRange(r: Reader, raw: RawStore, at: number): { offset: number; counts: Float64Array } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < raw.contiguous.length; i++) {
    if (raw.contiguous[i] !== 0) {
      lo = Math.min(lo, raw.offset + i);
      hi = Math.max(hi, raw.offset + i);
    }
  }
  for (const [k, c] of raw.sparse) {
    if (c !== 0) {
      lo = Math.min(lo, k);
      hi = Math.max(hi, k);
    }
  }
  if (lo > hi) return { offset: 0, counts: new Float64Array(0) };
  if (hi >= 2 ** 31) r.fail(`bin key ${hi} beyond 32 bits`, at);
  // A sparse map can span any key range with few entries; the caller caps
  // what it keeps (maxBins), but the dense copy here must stay bounded too.
  if (hi - lo + 1 > 2 ** 24) r.fail(`bins span ${hi - lo + 1} keys (at most 2^24)`, at);
  const counts = new Float64Array(hi - lo + 1);
  for (let i = 0; i < raw.contiguous.length; i++) if (raw.contiguous[i] !== 0) counts[raw.offset + i - lo]! += raw.contiguous[i]!;
  for (const [k, c] of raw.sparse) counts[k - lo]! += c;
  return { offset: lo, counts };
}

/** Decodes DDSketch bytes; RangeError naming the offset on anything malformed. */
export function decodeSketch(fn: string, b: Uint8Array): SketchMessage {
  const r = new Reader(fn, b, 0, b.length);
  let gamma = NaN;
  let indexOffset = 0;
  let interpolation = 0;
  let sawMapping = false;
  let pos: RawStore = { offset: 0, contiguous: [], sparse: new Map() };
  let neg: RawStore = { offset: 0, contiguous: [], sparse: new Map() };
  let posAt = 0;
  let negAt = 0;
  let zeroCount = 0;
  const summary = { sum: NaN, min: NaN, max: NaN };
  let sawSummary = 0;
  while (r.pos < r.end) {
    const [field, wire] = r.key();
    const at = r.pos;
    if (field === 1 && wire === 2) {
      sawMapping = true;
      const [s, e] = r.sub();
      const mr = new Reader(fn, b, s, e);
      while (mr.pos < e) {
        const [f2, w2] = mr.key();
        if (f2 === 1 && w2 === 1) gamma = mr.double();
        else if (f2 === 2 && w2 === 1) indexOffset = mr.double();
        else if (f2 === 3 && w2 === 0) interpolation = mr.varint();
        else mr.skip(w2);
      }
    } else if (field === 2 && wire === 2) {
      posAt = at;
      pos = readStore(r, r.sub());
    } else if (field === 3 && wire === 2) {
      negAt = at;
      neg = readStore(r, r.sub());
    } else if (field === 4 && wire === 1) {
      zeroCount = count(r, r.double(), at);
    } else if (field >= SUM_FIELD && field <= MAX_FIELD && wire === 1) {
      const x = r.double();
      if (field === SUM_FIELD) summary.sum = x;
      else if (field === MIN_FIELD) summary.min = x;
      else summary.max = x;
      sawSummary |= 1 << (field - SUM_FIELD);
    } else r.skip(wire);
  }
  if (!sawMapping) r.fail('no index mapping (field 1)', 0);
  if (!(gamma > 1) || gamma === Infinity) r.fail(`mapping gamma ${gamma} is not a finite number > 1`, 0);
  if (!Number.isInteger(indexOffset) || Math.abs(indexOffset) >= 2 ** 31) r.fail(`mapping indexOffset ${indexOffset} is not a 32-bit integer`, 0);
  const p = toRange(r, pos, posAt);
  const n = toRange(r, neg, negAt);
  return {
    gamma,
    indexOffset,
    interpolation,
    bins: { zeroCount, posOffset: p.offset, pos: p.counts, negOffset: n.offset, neg: n.counts },
    summary: sawSummary === 7 ? summary : null,
  };
}
