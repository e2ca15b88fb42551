// TreeCore over the Rust NativeBTree class: strings and batches cross as
// UTF-8 buffers with offsets.
import type { Key, KeyKind, RangeQuery, RangeResult, TreeCore } from '../../contract/btree.js';
import { packTexts } from '../shared/utf8.js';
import { ABI } from '../../contract/abi.js';
import type { StructureFactories } from '../../contract/tier.js';
import type { NativeAddon, NativeBTreeHandle } from './addon.js';

const MAX_LIMIT = 0xffff_ffff;

export class NativeTreeCore<K extends Key> implements TreeCore<K> {
  private readonly num: boolean;

  constructor(readonly t: NativeBTreeHandle, kind: KeyKind) {
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

/** BPlusTree cores in native memory. */
export function nativeBTree(addon: NativeAddon): StructureFactories['btree'] {
  return (kind, order) => new NativeTreeCore(new addon.NativeBTree(kind === 'number' ? ABI.KEY_NUMBER : ABI.KEY_STRING, order), kind);
}
