// TreeCore over the Rust NativeBTree class.
import type { Key, KeyKind, RangeQuery, RangeResult, TreeCore } from '../../core/btree-core.js';
import { packTexts } from '../utf8.js';

interface RangeOut<K> {
  keys: K;
  slots: Uint32Array;
}

/** Methods of the addon's NativeBTree class (native/src/btree). */
export interface NativeBTreeHandle {
  setNum(key: number, slot: number): number;
  getNum(key: number): number;
  deleteNum(key: number): number;
  setStr(key: string, slot: number): number;
  getStr(key: string): number;
  deleteStr(key: string): number;
  setManyNum(keys: Float64Array, slots: Uint32Array, out: Int32Array): void;
  getManyNum(keys: Float64Array, out: Int32Array): void;
  deleteManyNum(keys: Float64Array, out: Int32Array): void;
  setManyStr(bytes: Uint8Array, offsets: Uint32Array, slots: Uint32Array, out: Int32Array): void;
  getManyStr(bytes: Uint8Array, offsets: Uint32Array, out: Int32Array): void;
  deleteManyStr(bytes: Uint8Array, offsets: Uint32Array, out: Int32Array): void;
  bulkLoadNum(keys: Float64Array, slots: Uint32Array): void;
  bulkLoadStr(bytes: Uint8Array, offsets: Uint32Array, slots: Uint32Array): void;
  rangeNum(lo: number, hi: number, loInclusive: boolean, hiInclusive: boolean, limit: number, reverse: boolean): RangeOut<Float64Array>;
  rangeStr(lo: string | null, hi: string | null, loInclusive: boolean, hiInclusive: boolean, limit: number, reverse: boolean): RangeOut<string[]>;
  prefixStr(prefix: string, limit: number): RangeOut<string[]>;
  rangeStrSlots(lo: string | null, hi: string | null, loInclusive: boolean, hiInclusive: boolean, limit: number, reverse: boolean): Uint32Array;
  prefixStrSlots(prefix: string, limit: number): Uint32Array;
  size(): number;
  clear(): void;
  dispose(): void;
  check(): string;
  memoryBytes(): number;
}

/** Constructor exported by the addon. */
export type NativeBTreeClass = new (keyType: number, order: number) => NativeBTreeHandle;

const MAX_LIMIT = 0xffff_ffff;

export class NativeTreeCore<K extends Key> implements TreeCore<K> {
  readonly t: NativeBTreeHandle;
  private readonly num: boolean;

  constructor(Cls: NativeBTreeClass, kind: KeyKind, order: number) {
    this.t = new Cls(kind === 'number' ? 0 : 1, order);
    this.num = kind === 'number';
  }

  set(key: K, slot: number): number {
    return this.num ? this.t.setNum(key as number, slot) : this.t.setStr(key as string, slot);
  }
  get(key: K): number {
    return this.num ? this.t.getNum(key as number) : this.t.getStr(key as string);
  }
  delete(key: K): number {
    return this.num ? this.t.deleteNum(key as number) : this.t.deleteStr(key as string);
  }
  size(): number {
    return this.t.size();
  }
  clear(): void {
    this.t.clear();
  }
  range(q: RangeQuery<K>): RangeResult<K> {
    const limit = Math.min(q.limit, MAX_LIMIT);
    if (this.num) {
      return this.t.rangeNum((q.lo as number | null) ?? -Infinity, (q.hi as number | null) ?? Infinity, q.loInclusive, q.hiInclusive, limit, q.reverse) as RangeResult<K>;
    }
    return this.t.rangeStr(q.lo as string | null, q.hi as string | null, q.loInclusive, q.hiInclusive, limit, q.reverse) as RangeResult<K>;
  }
  rangeSlots(q: RangeQuery<K>): Uint32Array {
    return this.t.rangeStrSlots(q.lo as string | null, q.hi as string | null, q.loInclusive, q.hiInclusive, Math.min(q.limit, MAX_LIMIT), q.reverse);
  }
  prefixSlots(prefix: string, limit: number): Uint32Array {
    return this.t.prefixStrSlots(prefix, Math.min(limit, MAX_LIMIT));
  }
  prefix(prefix: string, limit: number): RangeResult<K> {
    return this.t.prefixStr(prefix, Math.min(limit, MAX_LIMIT)) as RangeResult<K>;
  }
  setMany(keys: K[] | Float64Array, slots: Uint32Array, out: Int32Array): void {
    if (keys instanceof Float64Array) this.t.setManyNum(keys, slots, out);
    else {
      const p = packTexts(keys as string[]);
      this.t.setManyStr(p.bytes, p.offsets, slots, out);
    }
  }
  getMany(keys: K[] | Float64Array, out: Int32Array): void {
    if (keys instanceof Float64Array) this.t.getManyNum(keys, out);
    else {
      const p = packTexts(keys as string[]);
      this.t.getManyStr(p.bytes, p.offsets, out);
    }
  }
  deleteMany(keys: K[] | Float64Array, out: Int32Array): void {
    if (keys instanceof Float64Array) this.t.deleteManyNum(keys, out);
    else {
      const p = packTexts(keys as string[]);
      this.t.deleteManyStr(p.bytes, p.offsets, out);
    }
  }
  bulkLoad(keys: K[] | Float64Array, slots: Uint32Array): void {
    if (keys instanceof Float64Array) this.t.bulkLoadNum(keys, slots);
    else {
      const p = packTexts(keys as string[]);
      this.t.bulkLoadStr(p.bytes, p.offsets, slots);
    }
  }
  check(): string | null {
    return this.t.check() || null;
  }
  memoryBytes(): number {
    return this.t.memoryBytes();
  }
  dispose(): void {
    this.t.dispose();
  }
}
