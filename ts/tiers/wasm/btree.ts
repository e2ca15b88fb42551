// TreeCore over the AssemblyScript tree in wasm linear memory. Long scans are
// paged: each page resumes after the last key returned.
import type { Key, KeyKind, RangeQuery, RangeResult, TreeCore } from '../../contract/btree.js';
import { packTexts } from '../shared/utf8.js';
import { ABI } from '../../contract/abi.js';
import type { StructureFactories } from '../../contract/tier.js';
import type { WasmHeap } from './heap.js';

const PAGE = 4096;
/** What the wasm tree returns when a node could not be allocated (nothing was changed). */
const OUT_OF_MEMORY = ABI.STATUS_OUT_OF_MEMORY;
const { RANGE_LO_INCL: LO_INCL, RANGE_HI_INCL: HI_INCL, RANGE_REVERSE: REVERSE, RANGE_LO_OPEN: LO_OPEN, RANGE_HI_OPEN: HI_OPEN } = ABI;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Smallest byte string above every string that starts with `p`, or null if none exists. */
function prefixUpperBound(p: Uint8Array): Uint8Array | null {
  for (let i = p.length - 1; i >= 0; i--) {
    if (p[i] !== 0xff) {
      const u = p.slice(0, i + 1);
      u[i]++;
      return u;
    }
  }
  return null;
}

/** Joins scan pages; a single page is returned as is. */
function concat<T extends Float64Array | Uint32Array>(parts: T[], make: (n: number) => T): T {
  if (parts.length === 1) return parts[0];
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class WasmTreeCore<K extends Key> implements TreeCore<K> {
  private t: number;
  private readonly num: boolean;
  private bytesCap = 64 * 1024;

  constructor(private readonly h: WasmHeap, kind: KeyKind, order: number) {
    this.num = kind === 'number';
    this.t = h.ex.btreeNew(this.num ? ABI.KEY_NUMBER : ABI.KEY_STRING, order);
    if (this.t === 0) throw new RangeError(`hotpath.BPlusTree: wasm memory exhausted; the tree (options.order ${order}) could not be created`);
  }

  /** UTF-8 of `key` in scratch; returns [ptr, len]. */
  private keyBytes(key: string, fn: string): [number, number] {
    const cap = key.length * 3;
    const p = this.h.scratch(cap + 16, fn, 'key');
    const { written } = encoder.encodeInto(key, this.h.u8.subarray(p, p + cap));
    return [p, written];
  }

  set(key: K, slot: number): number {
    let r: number;
    if (this.num) r = this.h.ex.btreeSetNum(this.t, key as number, slot);
    else {
      const [p, n] = this.keyBytes(key as string, 'BPlusTree.set');
      r = this.h.ex.btreeSetStr(this.t, p, n, slot);
    }
    if (r === OUT_OF_MEMORY) throw new RangeError('hotpath.BPlusTree.set: key: wasm memory exhausted; the key was not inserted');
    return r;
  }
  get(key: K): number {
    if (this.num) return this.h.ex.btreeGetNum(this.t, key as number);
    const [p, n] = this.keyBytes(key as string, 'BPlusTree.get');
    return this.h.ex.btreeGetStr(this.t, p, n);
  }
  delete(key: K): number {
    if (this.num) return this.h.ex.btreeDeleteNum(this.t, key as number);
    const [p, n] = this.keyBytes(key as string, 'BPlusTree.delete');
    return this.h.ex.btreeDeleteStr(this.t, p, n);
  }
  size(): number {
    return this.h.ex.btreeSize(this.t);
  }
  clear(): void {
    this.h.ex.btreeClear(this.t);
  }

  private batch(keys: K[] | Float64Array, slots: Uint32Array | null, out: Int32Array, op: 'set' | 'get' | 'delete'): void {
    const { h } = this, ex = h.ex, n = out.length;
    const fn = op === 'set' ? 'BPlusTree.setMany' : op === 'get' ? 'BPlusTree.getMany' : 'BPlusTree.deleteMany';
    let status = 0;
    if (keys instanceof Float64Array) {
      const [pk, ps, po] = h.regions(fn, n * 8, n * 4, n * 4);
      h.f64.set(keys, pk >>> 3);
      if (slots) h.u32.set(slots, ps >>> 2);
      if (op === 'set') status = ex.btreeSetManyNum(this.t, pk, ps, n, po);
      else if (op === 'get') ex.btreeGetManyNum(this.t, pk, n, po);
      else ex.btreeDeleteManyNum(this.t, pk, n, po);
      this.readOut(po, out, status, fn);
      return;
    }
    const p = packTexts(keys as string[]);
    const [pb, poff, ps, po] = h.regions(fn, p.bytes.length, p.offsets.length * 4, n * 4, n * 4);
    h.u8.set(p.bytes, pb);
    h.u32.set(p.offsets, poff >>> 2);
    if (slots) h.u32.set(slots, ps >>> 2);
    if (op === 'set') status = ex.btreeSetManyStr(this.t, pb, poff, n, ps, po);
    else if (op === 'get') ex.btreeGetManyStr(this.t, pb, poff, n, po);
    else ex.btreeDeleteManyStr(this.t, pb, poff, n, po);
    this.readOut(po, out, status, fn);
  }

  /** Copies a batch result out; inserts may have grown memory, so views are re-derived first. */
  private readOut(po: number, out: Int32Array, status: number, fn: string): void {
    // A failed insert batch was rolled back in wasm: the tree is as it was before the call.
    if (status === OUT_OF_MEMORY) throw new RangeError(`hotpath.${fn}: keys: wasm memory exhausted; no key was inserted (the tree is unchanged)`);
    this.h.refresh();
    out.set(this.h.i32.subarray(po >>> 2, (po >>> 2) + out.length));
  }

  setMany(keys: K[] | Float64Array, slots: Uint32Array, out: Int32Array): void {
    this.batch(keys, slots, out, 'set');
  }
  getMany(keys: K[] | Float64Array, out: Int32Array): void {
    this.batch(keys, null, out, 'get');
  }
  deleteMany(keys: K[] | Float64Array, out: Int32Array): void {
    this.batch(keys, null, out, 'delete');
  }

  bulkLoad(keys: K[] | Float64Array, slots: Uint32Array): void {
    const { h } = this, ex = h.ex, n = slots.length;
    let rc: number;
    if (keys instanceof Float64Array) {
      const [pk, ps] = h.regions('BPlusTree.fromSorted', n * 8, n * 4);
      h.f64.set(keys, pk >>> 3);
      h.u32.set(slots, ps >>> 2);
      rc = ex.btreeBulkLoadNum(this.t, pk, ps, n);
    } else {
      const p = packTexts(keys as string[]);
      const [pb, poff, ps] = h.regions('BPlusTree.fromSorted', p.bytes.length, p.offsets.length * 4, n * 4);
      h.u8.set(p.bytes, pb);
      h.u32.set(p.offsets, poff >>> 2);
      h.u32.set(slots, ps >>> 2);
      rc = ex.btreeBulkLoadStr(this.t, pb, poff, n, ps);
    }
    h.refresh();
    if (rc === -1) throw new RangeError('hotpath.BPlusTree.fromSorted: bulk load needs an empty tree');
    if (rc === -2) throw new RangeError('hotpath.BPlusTree.fromSorted: keys must be strictly ascending');
    if (rc === -3) throw new RangeError('hotpath.BPlusTree.fromSorted: keys: wasm memory exhausted; nothing was loaded');
    if (rc !== 0) throw new RangeError(`hotpath.BPlusTree.fromSorted: bulk load failed (${rc})`);
  }

  range(q: RangeQuery<K>): RangeResult<K> {
    return this.num ? (this.rangeNum(q as RangeQuery<number>) as RangeResult<K>) : (this.rangeStr(q as RangeQuery<string>) as RangeResult<K>);
  }

  private rangeNum(q: RangeQuery<number>): RangeResult<number> {
    const { h } = this, ex = h.ex;
    let lo = q.lo ?? 0, hi = q.hi ?? 0;
    let flags = (q.loInclusive ? LO_INCL : 0) | (q.hiInclusive ? HI_INCL : 0) | (q.reverse ? REVERSE : 0) | (q.lo === null ? LO_OPEN : 0) | (q.hi === null ? HI_OPEN : 0);
    const keys: Float64Array[] = [], slots: Uint32Array[] = [];
    let left = q.limit;
    while (left > 0) {
      const page = Math.min(PAGE, left);
      const [pk, ps] = h.regions('BPlusTree.range', page * 8, page * 4);
      const got = ex.btreeRangeNum(this.t, lo, hi, flags, page, pk, ps);
      h.refresh();
      keys.push(h.f64.slice(pk >>> 3, (pk >>> 3) + got));
      slots.push(h.u32.slice(ps >>> 2, (ps >>> 2) + got));
      left -= got;
      if (got < page) break;
      // Resume strictly after the last key returned.
      const last = keys[keys.length - 1][got - 1];
      if (q.reverse) {
        hi = last;
        flags = (flags & ~(HI_INCL | HI_OPEN));
      } else {
        lo = last;
        flags = (flags & ~(LO_INCL | LO_OPEN));
      }
    }
    return { keys: keys.length ? concat(keys, (n) => new Float64Array(n)) : new Float64Array(0), slots: slots.length ? concat(slots, (n) => new Uint32Array(n)) : new Uint32Array(0) };
  }

  /** Pages a string scan; a prefix scan's first page uses btreePrefixStr, later pages continue as a range after the last key. */
  private pagedStr(limit: number, loB: Uint8Array | null, hiB: Uint8Array | null, flags: number, prefix: Uint8Array | null, decode = true): RangeResult<string> {
    const { h } = this, ex = h.ex;
    const keys: string[] = [], slots: Uint32Array[] = [];
    let left = limit, first = prefix !== null;
    while (left > 0) {
      const page = Math.min(PAGE, left);
      const lo = loB ?? new Uint8Array(0), hi = hiB ?? new Uint8Array(0), pre = prefix ?? new Uint8Array(0);
      const [plo, phi, ppre, pb, poff, ps] = h.regions(prefix === null ? 'BPlusTree.range' : 'BPlusTree.prefix', lo.length, hi.length, pre.length, this.bytesCap, (page + 1) * 4, page * 4);
      h.u8.set(lo, plo);
      h.u8.set(hi, phi);
      h.u8.set(pre, ppre);
      const got = first
        ? ex.btreePrefixStr(this.t, ppre, pre.length, page, pb, this.bytesCap, poff, ps)
        : ex.btreeRangeStr(this.t, plo, lo.length, phi, hi.length, flags, page, pb, this.bytesCap, poff, ps);
      if (got < 0) {
        this.bytesCap = Math.max(this.bytesCap * 2, -got);
        continue;
      }
      h.refresh();
      const u8 = h.u8, u32 = h.u32, o = poff >>> 2;
      let lastBytes: Uint8Array | null = null;
      if (decode) for (let i = 0; i < got; i++) keys.push(decoder.decode(u8.subarray(pb + u32[o + i], pb + u32[o + i + 1])));
      if (got > 0) lastBytes = u8.slice(pb + u32[o + got - 1], pb + u32[o + got]);
      slots.push(u32.slice(ps >>> 2, (ps >>> 2) + got));
      left -= got;
      // A short page means the range ended or the byte buffer filled; only an empty page ends the scan.
      if (got === 0) break;
      // Resume strictly after the last key; a prefix scan continues as the range below its upper bound.
      if (first) {
        first = false;
        hiB = prefixUpperBound(prefix!);
        flags = hiB === null ? HI_OPEN : 0;
      }
      if (flags & REVERSE) {
        hiB = lastBytes;
        flags &= ~(HI_INCL | HI_OPEN);
      } else {
        loB = lastBytes;
        flags &= ~(LO_INCL | LO_OPEN);
      }
    }
    return { keys, slots: slots.length ? concat(slots, (n) => new Uint32Array(n)) : new Uint32Array(0) };
  }

  private rangeStr(q: RangeQuery<string>): RangeResult<string> {
    const flags = (q.loInclusive ? LO_INCL : 0) | (q.hiInclusive ? HI_INCL : 0) | (q.reverse ? REVERSE : 0) | (q.lo === null ? LO_OPEN : 0) | (q.hi === null ? HI_OPEN : 0);
    return this.pagedStr(q.limit, q.lo === null ? null : encoder.encode(q.lo), q.hi === null ? null : encoder.encode(q.hi), flags, null);
  }

  prefix(prefix: string, limit: number): RangeResult<K> {
    return this.pagedStr(limit, null, null, 0, encoder.encode(prefix)) as RangeResult<K>;
  }

  rangeSlots(q: RangeQuery<K>): Uint32Array {
    if (this.num) return this.rangeNum(q as RangeQuery<number>).slots;
    const flags = (q.loInclusive ? LO_INCL : 0) | (q.hiInclusive ? HI_INCL : 0) | (q.reverse ? REVERSE : 0) | (q.lo === null ? LO_OPEN : 0) | (q.hi === null ? HI_OPEN : 0);
    const lo = q.lo as string | null, hi = q.hi as string | null;
    return this.pagedStr(q.limit, lo === null ? null : encoder.encode(lo), hi === null ? null : encoder.encode(hi), flags, null, false).slots;
  }

  prefixSlots(prefix: string, limit: number): Uint32Array {
    return this.pagedStr(limit, null, null, 0, encoder.encode(prefix), false).slots;
  }

  check(): string | null {
    const c = this.h.ex.btreeCheck(this.t);
    return c === 0 ? null : `wasm tree invariant ${c} violated (see asm/README.md)`;
  }
  memoryBytes(): number {
    return this.h.ex.btreeMemoryBytes(this.t);
  }
  dispose(): void {
    if (this.t !== 0) this.h.ex.btreeFree(this.t);
    this.t = 0;
  }
}

/** BPlusTree cores in this wasm instance's memory. */
export function wasmBTree(h: WasmHeap): StructureFactories['btree'] {
  return (kind, order) => new WasmTreeCore(h, kind, order);
}
