// TreeCore over the Rust NativeBTree class: strings and batches cross as
// UTF-8 buffers with offsets. Addon errors are renamed after the public
// method (`hotpath.BPlusTree.<method>`) in the catch, off the hot path.
import type { Key, KeyKind, RangeQuery, RangeResult, TreeCore } from '../../contract/btree.js';
import { packTexts } from '../shared/utf8.js';
import { ABI } from '../../contract/abi.js';
import type { StructureFactories } from '../../contract/tier.js';
import type { NativeAddon, NativeBTreeHandle } from './addon.js';
import { rethrowNative } from './errors.js';

const MAX_LIMIT = 0xffff_ffff;

function fail(method: string, e: unknown, names: readonly string[] = [], args: readonly unknown[] = []): never {
  return rethrowNative(`BPlusTree.${method}`, e, names, args);
}

export class NativeTreeCore<K extends Key> implements TreeCore<K> {
  private readonly num: boolean;

  constructor(readonly t: NativeBTreeHandle, kind: KeyKind) {
    this.num = kind === 'number';
  }

  set(key: K, slot: number): number {
    try {
      return this.num ? this.t.setNum(key as number, slot) : this.t.setStr(key as string, slot);
    } catch (e) {
      return fail('set', e, ['key', 'slot'], [key, slot]);
    }
  }

  get(key: K): number {
    try {
      return this.num ? this.t.getNum(key as number) : this.t.getStr(key as string);
    } catch (e) {
      return fail('get', e, ['key'], [key]);
    }
  }

  delete(key: K): number {
    try {
      return this.num ? this.t.deleteNum(key as number) : this.t.deleteStr(key as string);
    } catch (e) {
      return fail('delete', e, ['key'], [key]);
    }
  }

  size(): number {
    try {
      return this.t.size();
    } catch (e) {
      return fail('size', e);
    }
  }

  clear(): void {
    try {
      this.t.clear();
    } catch (e) {
      fail('clear', e);
    }
  }

  range(q: RangeQuery<K>): RangeResult<K> {
    const limit = Math.min(q.limit, MAX_LIMIT);
    try {
      if (this.num) {
        return this.t.rangeNum((q.lo as number | null) ?? -Infinity, (q.hi as number | null) ?? Infinity, q.loInclusive, q.hiInclusive, limit, q.reverse) as RangeResult<K>;
      }
      return this.t.rangeStr(q.lo as string | null, q.hi as string | null, q.loInclusive, q.hiInclusive, limit, q.reverse) as RangeResult<K>;
    } catch (e) {
      return fail('range', e, ['lo', 'hi', 'options.limit'], [q.lo, q.hi, q.limit]);
    }
  }

  rangeSlots(q: RangeQuery<K>): Uint32Array {
    try {
      return this.t.rangeStrSlots(q.lo as string | null, q.hi as string | null, q.loInclusive, q.hiInclusive, Math.min(q.limit, MAX_LIMIT), q.reverse);
    } catch (e) {
      return fail('range', e, ['lo', 'hi', 'options.limit'], [q.lo, q.hi, q.limit]);
    }
  }

  prefixSlots(prefix: string, limit: number): Uint32Array {
    try {
      return this.t.prefixStrSlots(prefix, Math.min(limit, MAX_LIMIT));
    } catch (e) {
      return fail('prefix', e, ['prefix', 'options.limit'], [prefix, limit]);
    }
  }

  prefix(prefix: string, limit: number): RangeResult<K> {
    try {
      return this.t.prefixStr(prefix, Math.min(limit, MAX_LIMIT)) as RangeResult<K>;
    } catch (e) {
      return fail('prefix', e, ['prefix', 'options.limit'], [prefix, limit]);
    }
  }

  setMany(keys: K[] | Float64Array, slots: Uint32Array, out: Int32Array): void {
    try {
      if (keys instanceof Float64Array) this.t.setManyNum(keys, slots, out);
      else {
        const p = packTexts(keys as string[]);
        this.t.setManyStr(p.bytes, p.offsets, slots, out);
      }
    } catch (e) {
      fail('setMany', e, ['keys', 'slots', 'out'], [keys, slots, out]);
    }
  }

  getMany(keys: K[] | Float64Array, out: Int32Array): void {
    try {
      if (keys instanceof Float64Array) this.t.getManyNum(keys, out);
      else {
        const p = packTexts(keys as string[]);
        this.t.getManyStr(p.bytes, p.offsets, out);
      }
    } catch (e) {
      fail('getMany', e, ['keys', 'out'], [keys, out]);
    }
  }

  deleteMany(keys: K[] | Float64Array, out: Int32Array): void {
    try {
      if (keys instanceof Float64Array) this.t.deleteManyNum(keys, out);
      else {
        const p = packTexts(keys as string[]);
        this.t.deleteManyStr(p.bytes, p.offsets, out);
      }
    } catch (e) {
      fail('deleteMany', e, ['keys', 'out'], [keys, out]);
    }
  }

  bulkLoad(keys: K[] | Float64Array, slots: Uint32Array): void {
    try {
      if (keys instanceof Float64Array) this.t.bulkLoadNum(keys, slots);
      else {
        const p = packTexts(keys as string[]);
        this.t.bulkLoadStr(p.bytes, p.offsets, slots);
      }
    } catch (e) {
      fail('fromSorted', e, ['keys', 'slots'], [keys, slots]);
    }
  }

  check(): string | null {
    try {
      return this.t.check() || null;
    } catch (e) {
      return fail('check', e);
    }
  }

  memoryBytes(): number {
    try {
      return this.t.memoryBytes();
    } catch (e) {
      return fail('memoryBytes', e);
    }
  }

  dispose(): void {
    this.t.dispose();
  }
}

/** BPlusTree cores in native memory. */
export function nativeBTree(addon: NativeAddon): StructureFactories['btree'] {
  return (kind, order) => {
    let t: NativeBTreeHandle;
    try {
      t = new addon.NativeBTree(kind === 'number' ? ABI.KEY_NUMBER : ABI.KEY_STRING, order);
    } catch (e) {
      return rethrowNative('BPlusTree', e, ['options.keyType', 'options.order'], [kind, order]);
    }
    return new NativeTreeCore(t, kind);
  };
}
