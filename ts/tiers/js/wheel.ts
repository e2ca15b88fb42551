// Reference timing wheel: the algorithm of ts/core/wheel-core.ts over typed
// arrays. Ticks are integers held in f64 (<= 2^52), so every division goes
// through idiv to stay exact.
import { grown } from '../../contract/disposal.js';
import type { StructureFactories } from '../../contract/tier.js';
import { idiv, wheelLayout, WHEEL_GEN_UNIT, WHEEL_MAX_TIMERS, type WheelConfig, type WheelCore } from '../../contract/wheel.js';

const NIL = 0xffff_ffff;
const FREE = 0xffff_ffff;
const GEN_LIMIT = 2 ** 27;
/** What an advance that expires nothing returns (length 0, so sharing it is safe). */
const EMPTY = new Uint32Array(0);

const bits = new Float64Array(1);
const bitsI = new BigInt64Array(bits.buffer);

/** The next double above a non-negative x. */
function nextUp(x: number): number {
  bits[0] = x;
  bitsI[0] += 1n;
  return bits[0];
}


export class JsWheel implements WheelCore {
  private readonly tickMs: number;
  private readonly sizes: number[];
  /** span[l] = ticks per slot of level l; span[L] = ticks of the whole wheel. */
  private readonly span: number[];
  /** First global slot index of each level; offset[L] is the overflow list. */
  private readonly offset: number[];
  private readonly levels: number;
  private readonly heads: Uint32Array;
  /** One word array per level; bit s set when slot s is non-empty. */
  private readonly bits: Uint32Array[];
  private deadline: Float64Array = new Float64Array(16);
  private seqs: Float64Array = new Float64Array(16);
  private next: Uint32Array = new Uint32Array(16);
  private prev: Uint32Array = new Uint32Array(16);
  private slot: Uint32Array = new Uint32Array(16).fill(FREE);
  private gen: Uint32Array = new Uint32Array(16);
  private used = 0;
  private freeHead = NIL;
  private count = 0;
  private cur: number;
  private nowMs: number;
  private seq = 0;
  private readonly expiredBuf: number[] = [];
  private readonly collectedBuf: number[] = [];

  constructor(cfg: WheelConfig) {
    this.tickMs = cfg.tickMs;
    this.sizes = [...cfg.wheels];
    this.levels = this.sizes.length;
    ({ span: this.span, offset: this.offset } = wheelLayout(this.sizes));
    this.heads = new Uint32Array(this.offset[this.levels] + 1).fill(NIL);
    this.bits = this.sizes.map((n) => new Uint32Array((n + 31) >>> 5));
    this.nowMs = cfg.now;
    this.cur = this.tick(cfg.now);
  }

  private tick(t: number): number {
    return Math.floor(t / this.tickMs);
  }

  now(): number {
    return this.nowMs;
  }

  size(): number {
    return this.count;
  }

  private grow(): void {
    const cap = this.deadline.length * 2;
    this.deadline = grown(this.deadline, cap);
    this.seqs = grown(this.seqs, cap);
    this.next = grown(this.next, cap);
    this.prev = grown(this.prev, cap);
    this.slot = grown(this.slot, cap, FREE);
    this.gen = grown(this.gen, cap);
  }

  private allocNode(): number {
    if (this.freeHead !== NIL) {
      const i = this.freeHead;
      this.freeHead = this.next[i];
      return i;
    }
    if (this.used >= WHEEL_MAX_TIMERS) return -1;
    if (this.used === this.deadline.length) this.grow();
    const i = this.used++;
    this.gen[i] = 1;
    return i;
  }

  private freeNode(i: number): void {
    this.slot[i] = FREE;
    const g = this.gen[i] + 1;
    this.gen[i] = g;
    this.count--;
    if (g >= GEN_LIMIT) return; // retired
    this.next[i] = this.freeHead;
    this.freeHead = i;
  }

  /** Links node i into the slot the placement rule gives relative to cur. */
  private place(i: number): void {
    const g = this.slotFor(i);
    if (g < this.offset[this.levels]) {
      let l = 0;
      while (g >= this.offset[l + 1]) l++;
      const s = g - this.offset[l];
      this.bits[l][s >>> 5] |= 1 << (s & 31);
    }
    const h = this.heads[g];
    this.next[i] = h;
    this.prev[i] = NIL;
    if (h !== NIL) this.prev[h] = i;
    this.heads[g] = i;
    this.slot[i] = g;
  }

  /** Global slot of node i under the placement rule (offset[L]: overflow). */
  private slotFor(i: number): number {
    const p = Math.max(this.tick(this.deadline[i]), this.cur);
    for (let l = 0; l < this.levels; l++) {
      if (idiv(p, this.span[l + 1]) === idiv(this.cur, this.span[l + 1])) {
        const b = idiv(p, this.span[l]);
        return this.offset[l] + (b - idiv(b, this.sizes[l]) * this.sizes[l]);
      }
    }
    return this.offset[this.levels];
  }

  private unlink(i: number): void {
    const g = this.slot[i];
    const n = this.next[i];
    const p = this.prev[i];
    if (p !== NIL) this.next[p] = n;
    else {
      this.heads[g] = n;
      if (n === NIL && g < this.offset[this.levels]) this.clearBit(g);
    }
    if (n !== NIL) this.prev[n] = p;
  }

  private clearBit(g: number): void {
    let l = 0;
    while (g >= this.offset[l + 1]) l++;
    const s = g - this.offset[l];
    this.bits[l][s >>> 5] &= ~(1 << (s & 31));
  }

  private idOf(i: number): number {
    return this.gen[i] * WHEEL_GEN_UNIT + i;
  }

  /** Index of the pending node `id` names, or -1. */
  private indexOf(id: number): number {
    if (!Number.isInteger(id) || id < WHEEL_GEN_UNIT || id > Number.MAX_SAFE_INTEGER) return -1;
    const i = id % WHEEL_GEN_UNIT;
    if (i >= this.used || this.slot[i] === FREE || this.gen[i] !== (id - i) / WHEEL_GEN_UNIT) return -1;
    return i;
  }

  schedule(deadline: number): number {
    const i = this.allocNode();
    if (i < 0) return -1;
    this.deadline[i] = deadline;
    this.seqs[i] = this.seq++;
    this.count++;
    this.place(i);
    return this.idOf(i);
  }

  scheduleMany(deadlines: Float64Array, outIds: Float64Array): void {
    for (let k = 0; k < deadlines.length; k++) outIds[k] = this.schedule(deadlines[k]);
  }

  cancel(id: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.unlink(i);
    this.freeNode(i);
    return true;
  }

  cancelMany(ids: Float64Array, out: Uint8Array): void {
    for (let k = 0; k < ids.length; k++) out[k] = this.cancel(ids[k]) ? 1 : 0;
  }

  reschedule(id: number, deadline: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.unlink(i);
    this.deadline[i] = deadline;
    this.seqs[i] = this.seq++;
    this.place(i);
    return true;
  }

  /** Detaches slot g's whole list and appends its nodes to `into`. */
  private takeSlot(g: number, into: number[]): void {
    for (let i = this.heads[g]; i !== NIL; i = this.next[i]) into.push(i);
    this.heads[g] = NIL;
  }

  advance(now: number): Uint32Array {
    const T = this.tick(now);
    const old = this.cur;
    const L = this.levels;
    // Reused between calls: an idle advance allocates nothing.
    const expired = this.expiredBuf;
    const collected = this.collectedBuf;
    expired.length = 0;
    collected.length = 0;
    const top = this.span[L];
    const tTop = idiv(T, top);
    if (tTop > idiv(old, top)) {
      const g = this.offset[L];
      for (let i = this.heads[g]; i !== NIL; ) {
        const n = this.next[i];
        if (idiv(this.tick(this.deadline[i]), top) <= tTop) {
          this.unlink(i);
          collected.push(i);
        }
        i = n;
      }
    }
    for (let l = 0; l < L; l++) {
      const bOld = idiv(old, this.span[l]);
      const bT = idiv(T, this.span[l]);
      if (l > 0 && bT === bOld) continue;
      const n = this.sizes[l];
      const base = idiv(old, this.span[l + 1]) * n;
      const last = Math.min(bT, base + n - 1) - base;
      const words = this.bits[l];
      for (let s = bOld - base; s <= last; ) {
        const w = words[s >>> 5] >>> (s & 31);
        if (w === 0) {
          s = (s | 31) + 1;
          continue;
        }
        s += 31 - Math.clz32(w & -w);
        if (s > last) break;
        words[s >>> 5] &= ~(1 << (s & 31));
        this.takeSlot(this.offset[l] + s, base + s < bT ? expired : collected);
        s++;
      }
    }
    this.cur = T;
    this.nowMs = now;
    for (const i of collected) {
      if (this.deadline[i] <= now) expired.push(i);
      else this.place(i);
    }
    const d = this.deadline;
    const q = this.seqs;
    if (expired.length === 0) return EMPTY;
    expired.sort((a, b) => d[a] - d[b] || q[a] - q[b]);
    const out = Uint32Array.from(expired);
    for (const i of expired) this.freeNode(i);
    return out;
  }

  /** Lowest non-empty level and its first occupied slot at or after cur's, or [L, -1] for overflow only, or null. */
  private firstOccupied(): [number, number] | null {
    if (this.count === 0) return null;
    for (let l = 0; l < this.levels; l++) {
      const n = this.sizes[l];
      const words = this.bits[l];
      const b = idiv(this.cur, this.span[l]);
      for (let s = b - idiv(b, n) * n; s < n; ) {
        const w = words[s >>> 5] >>> (s & 31);
        if (w === 0) {
          s = (s | 31) + 1;
          continue;
        }
        return [l, s + 31 - Math.clz32(w & -w)];
      }
    }
    return [this.levels, -1];
  }

  private minDeadline(g: number): number {
    let m = Infinity;
    for (let i = this.heads[g]; i !== NIL; i = this.next[i]) m = Math.min(m, this.deadline[i]);
    return m;
  }

  nextWake(): number {
    const f = this.firstOccupied();
    if (f === null) return -1;
    const [l, s] = f;
    if (l === 0) return this.minDeadline(this.offset[0] + s);
    if (l === this.levels) return this.startTime((idiv(this.cur, this.span[l]) + 1) * this.span[l]);
    const base = idiv(this.cur, this.span[l + 1]) * this.sizes[l];
    return this.startTime((base + s) * this.span[l]);
  }

  /**
   * The least time whose tick is `tick`: tick * tickMs, stepped up an ulp at a
   * time where rounding put it one tick short (tickMs like 0.7), so a driver
   * advancing to nextWake always reaches the slot.
   */
  private startTime(tick: number): number {
    let x = tick * this.tickMs;
    while (Math.floor(x / this.tickMs) < tick) x = nextUp(x);
    return x;
  }

  nextDeadline(): number {
    const f = this.firstOccupied();
    if (f === null) return -1;
    const [l, s] = f;
    return this.minDeadline(l === this.levels ? this.offset[l] : this.offset[l] + s);
  }

  clear(): void {
    for (let i = 0; i < this.used; i++) if (this.slot[i] !== FREE) this.freeNode(i);
    this.heads.fill(NIL);
    for (const w of this.bits) w.fill(0);
  }

  memoryBytes(): number {
    return this.deadline.length * (8 + 8 + 4 * 4) + this.heads.byteLength + this.bits.reduce((a, w) => a + w.byteLength, 0);
  }

  check(): string {
    const L = this.levels;
    let linked = 0;
    for (let l = 0; l <= L; l++) {
      const n = l < L ? this.sizes[l] : 1;
      for (let s = 0; s < n; s++) {
        const g = this.offset[l] + s;
        const h = this.heads[g];
        if (l < L && (h !== NIL) !== ((this.bits[l][s >>> 5] >>> (s & 31)) & 1) > 0) return `bitmap of level ${l} slot ${s} disagrees with its list`;
        let prev = NIL;
        for (let i = h; i !== NIL; i = this.next[i]) {
          if (++linked > this.used) return 'a slot list has a cycle';
          if (this.prev[i] !== prev) return `node ${i}: prev link broken`;
          if (this.slot[i] !== g) return `node ${i}: slot field ${this.slot[i]} but linked in ${g}`;
          const want = this.slotFor(i);
          if (want !== g) return `node ${i}: in slot ${g} but placement gives ${want}`;
          prev = i;
        }
      }
    }
    if (linked !== this.count) return `size ${this.count} but ${linked} linked nodes`;
    let free = 0;
    for (let i = this.freeHead; i !== NIL; i = this.next[i]) {
      if (++free > this.used) return 'free list has a cycle';
      if (this.slot[i] !== FREE) return `free node ${i} is linked`;
      if (this.gen[i] >= GEN_LIMIT) return `retired node ${i} on the free list`;
    }
    return '';
  }

  dispose(): void {
    this.deadline = new Float64Array(0);
    this.used = 0;
  }
}

/** TimingWheel cores on the js tier. */
export function jsWheel(): StructureFactories['wheel'] {
  return (cfg) => new JsWheel(cfg);
}
