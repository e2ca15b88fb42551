// Expiry indexes of TtlCache: which entries are due, in O(1) per entry.
//
// The js tier's index is a hierarchical timing wheel threaded through the
// cache's own arrays: it reads the cache's `deadlines` and keeps two Int32
// links per entry, so an entry costs 8 bytes of expiry bookkeeping and no
// object. It is lazy: an entry whose deadline moves later (a set that
// refreshes the TTL, a reused slot, a TTL dropped to Infinity) stays where it
// is, and is re-placed or dropped when its slot comes up. Only a deadline that
// moves earlier relinks. So the cache's hot path (set of an existing key, set
// of a new key over an evicted one) does no wheel work at all.
//
// Invariant: a linked node sits in a slot whose start is <= its entry's
// deadline; `advance` re-checks every node it detaches.
//
// The wasm and native tiers' index is a WheelCore (the TimingWheel's storage)
// behind the same interface, with one timer per entry.
import { grown } from '../contract/disposal.js';
import { rangeError } from '../contract/errors.js';
import { idiv, wheelLayout, type WheelConfig, type WheelCore } from '../contract/wheel.js';
import { nodeIndex } from './timing-wheel.js';

/** Node link value of an entry that is in no list. */
const UNLINKED = -2;

/**
 * What TtlCache needs from an expiry index. Deadlines live in the cache's
 * `deadlines` array; the index is told when one changes.
 * @internal
 */
export interface ExpiryIndex {
  /** Entry e's deadline is now `d`; it was `prev` (for a reused slot, the freed entry's deadline). */
  place(e: number, prev: number, d: number): void;
  /** Entry e was freed (its deadline stays in `deadlines` until reuse). */
  drop(e: number): void;
  /** Moves time to `now`; pushes each live entry whose deadline is <= now onto `out`. */
  advance(now: number, out: number[]): void;
  /** The earliest time an entry may be due; Infinity when none can be. */
  nextWake(): number;
  /** Forgets every entry. */
  clear(): void;
  /** The cache's arrays grew to `cap` entries. */
  grow(cap: number, deadlines: Float64Array): void;
  /** Bytes held beyond the cache's own arrays. */
  memoryBytes(): number;
  /** Invariants over slots 0 … used-1: null when they hold. */
  check(used: number, live: (e: number) => boolean): string | null;
  dispose(): void;
}

/**
 * The js tier's index: circular doubly linked lists whose sentinels are
 * nodes 0 … S-1 (one per slot, the last the overflow list); entry e is node
 * S + e. Placement follows contract/wheel.ts: a deadline goes to the lowest
 * level whose parent block is the current one.
 * @internal
 */
export class IntrusiveWheel implements ExpiryIndex {
  private readonly tickMs: number;
  private readonly sizes: number[];
  private readonly span: number[];
  private readonly offset: number[];
  private readonly levels: number;
  /** Sentinels: slots then the overflow list. */
  private readonly S: number;
  private next: Int32Array;
  private prev: Int32Array;
  private deadlines: Float64Array;
  /** Tick of the wheel's time. */
  private cur: number;
  private nowMs: number;
  private readonly collected: number[] = [];

  constructor(cfg: WheelConfig, deadlines: Float64Array, private readonly live: (e: number) => boolean) {
    this.tickMs = cfg.tickMs;
    this.sizes = [...cfg.wheels];
    this.levels = this.sizes.length;
    ({ span: this.span, offset: this.offset } = wheelLayout(this.sizes));
    this.S = this.offset[this.levels]! + 1;
    this.deadlines = deadlines;
    this.next = new Int32Array(this.S + deadlines.length);
    this.prev = new Int32Array(this.S + deadlines.length);
    this.resetLinks();
    this.nowMs = cfg.now;
    this.cur = Math.floor(cfg.now / this.tickMs);
  }

  private resetLinks(): void {
    for (let s = 0; s < this.S; s++) this.next[s] = this.prev[s] = s;
    this.prev.fill(UNLINKED, this.S);
  }

  grow(cap: number, deadlines: Float64Array): void {
    this.deadlines = deadlines;
    this.next = grown(this.next, this.S + cap);
    this.prev = grown(this.prev, this.S + cap, UNLINKED);
  }

  /** The slot (sentinel) a deadline belongs in, relative to the current tick. */
  private slotOf(d: number): number {
    let p = Math.floor(d / this.tickMs);
    if (p < this.cur) p = this.cur;
    const cur = this.cur;
    for (let l = 0; l < this.levels; l++) {
      const up = this.span[l + 1]!;
      if (idiv(p, up) === idiv(cur, up)) return this.offset[l]! + (idiv(p, this.span[l]!) % this.sizes[l]!);
    }
    return this.S - 1;
  }

  private link(n: number, s: number): void {
    const h = this.next[s]!;
    this.next[n] = h;
    this.prev[n] = s;
    this.prev[h] = n;
    this.next[s] = n;
  }

  private unlink(n: number): void {
    const p = this.prev[n]!;
    const x = this.next[n]!;
    this.next[p] = x;
    this.prev[x] = p;
    this.prev[n] = UNLINKED;
  }

  place(e: number, prev: number, d: number): void {
    const n = this.S + e;
    if (this.prev[n] === UNLINKED) {
      if (d !== Infinity) this.link(n, this.slotOf(d));
    } else if (d < prev) {
      // Earlier than the place it holds (a reused node's place was chosen for
      // the freed entry's deadline, which `prev` is): move it.
      this.unlink(n);
      if (d !== Infinity) this.link(n, this.slotOf(d));
    }
  }

  drop(_e: number): void {
    // Lazy: the node stays linked under its old deadline; advance drops it.
  }

  /** Detaches slot s's list onto `collected`. */
  private take(s: number): void {
    let n = this.next[s]!;
    while (n !== s) {
      const x = this.next[n]!;
      this.prev[n] = UNLINKED;
      this.collected.push(n);
      n = x;
    }
    this.next[s] = this.prev[s] = s;
  }

  advance(now: number, out: number[]): void {
    if (now < this.nowMs) return;
    const T = Math.floor(now / this.tickMs);
    const old = this.cur;
    const L = this.levels;
    const c = this.collected;
    c.length = 0;
    if (idiv(T, this.span[L]!) > idiv(old, this.span[L]!)) this.take(this.S - 1);
    for (let l = 0; l < L; l++) {
      const sl = this.span[l]!;
      const bOld = idiv(old, sl);
      const bT = idiv(T, sl);
      if (l >= 1 && bT === bOld) continue;
      const N = this.sizes[l]!;
      const base = idiv(old, this.span[l + 1]!) * N;
      const last = Math.min(bT, base + N - 1);
      for (let b = bOld; b <= last; b++) {
        const s = this.offset[l]! + (b - base);
        if (this.next[s] !== s) this.take(s);
      }
    }
    this.cur = T;
    this.nowMs = now;
    const S = this.S;
    for (let i = 0; i < c.length; i++) {
      const n = c[i]!;
      const e = n - S;
      const d = this.deadlines[e]!;
      if (!this.live(e) || d === Infinity) continue;
      if (d <= now) out.push(e);
      else this.link(n, this.slotOf(d));
    }
    c.length = 0;
  }

  nextWake(): number {
    // Level 0 from the current slot on: the current slot's least deadline, or
    // the start of the next occupied slot. Higher levels: the start of the
    // lowest level's first occupied slot. A lazy node can only make a wake
    // early (its real deadline is later), never late.
    const N0 = this.sizes[0]!;
    const base0 = idiv(this.cur, N0) * N0;
    let best = Infinity;
    const cs = this.offset[0]! + (this.cur - base0);
    for (let n = this.next[cs]!; n !== cs; n = this.next[n]!) {
      const d = this.deadlines[n - this.S]!;
      if (d < best) best = d;
    }
    for (let b = this.cur + 1; b < base0 + N0; b++) {
      const s = this.offset[0]! + (b - base0);
      if (this.next[s] !== s) return Math.min(best, this.start(b));
    }
    for (let l = 1; l < this.levels; l++) {
      const sl = this.span[l]!;
      const N = this.sizes[l]!;
      const base = idiv(this.cur, this.span[l + 1]!) * N;
      for (let b = idiv(this.cur, sl) + 1; b < base + N; b++) {
        const s = this.offset[l]! + (b - base);
        if (this.next[s] !== s) return Math.min(best, this.start(b * sl));
      }
    }
    const o = this.S - 1;
    if (this.next[o] !== o) return Math.min(best, this.start((idiv(this.cur, this.span[this.levels]!) + 1) * this.span[this.levels]!));
    return best;
  }

  /** The least time whose tick is >= t (the product can round one tick short). */
  private start(t: number): number {
    let x = t * this.tickMs;
    while (Math.floor(x / this.tickMs) < t) x = x + Math.max(Number.MIN_VALUE, Math.abs(x) * Number.EPSILON);
    return x;
  }

  clear(): void {
    this.resetLinks();
  }

  check(used: number, live: (e: number) => boolean): string | null {
    const S = this.S;
    for (let s = 0; s < S; s++) {
      let steps = 0;
      for (let n = this.next[s]!, p = s; n !== s; p = n, n = this.next[n]!) {
        if (n < S || n >= S + used) return `slot ${s} links node ${n}, not an entry`;
        if (this.prev[n] !== p) return `node ${n} has prev ${this.prev[n]}, not ${p}`;
        if (++steps > used) return `slot ${s} has a cycle`;
        const d = this.deadlines[n - S]!;
        if (s === S - 1 || d === Infinity || !live(n - S)) continue;
        const lvl = this.offset.findIndex((o, l) => l < this.levels && s >= o && s < this.offset[l + 1]!);
        const sl = this.span[lvl]!;
        // The slot's block is the one of cur's parent block with this index; its start must not be after d.
        const base = idiv(this.cur, this.span[lvl + 1]!) * this.sizes[lvl]!;
        const b = base + (s - this.offset[lvl]!);
        if (b * sl > Math.max(Math.floor(d / this.tickMs), this.cur)) return `node ${n} (deadline ${d}) sits in a slot starting at tick ${b * sl}`;
      }
    }
    for (let e = 0; e < used; e++) {
      if (live(e) && this.deadlines[e] !== Infinity && this.prev[S + e] === UNLINKED) return `live slot ${e} (deadline ${this.deadlines[e]}) is in no expiry list`;
    }
    return null;
  }

  memoryBytes(): number {
    return this.next.byteLength + this.prev.byteLength;
  }

  dispose(): void {
    this.next = new Int32Array(0);
    this.prev = new Int32Array(0);
  }
}

/**
 * The wasm and native tiers' index: a WheelCore with one timer per entry.
 * @internal
 */
export class CoreExpiry implements ExpiryIndex {
  /** Timer id per entry, 0 when it has none. */
  private timers: Float64Array;
  /** Entry of each wheel node. */
  private entryOf = new Int32Array(16);

  constructor(private readonly core: WheelCore, cap: number) {
    this.timers = new Float64Array(cap);
  }

  grow(cap: number): void {
    this.timers = grown(this.timers, cap);
  }

  place(e: number, prev: number, d: number): void {
    const id = this.timers[e]!;
    if (id !== 0) {
      if (d === prev) return;
      if (d === Infinity) {
        this.core.cancel(id);
        this.timers[e] = 0;
      } else this.core.reschedule(id, d);
      return;
    }
    if (d === Infinity) return;
    const nid = this.core.schedule(d);
    if (nid < 0) rangeError('TtlCache.set', 'entries', 'exceed the expiry wheel capacity');
    const node = nodeIndex(nid);
    if (node >= this.entryOf.length) this.entryOf = grown(this.entryOf, Math.max(node + 1, this.entryOf.length * 2));
    this.entryOf[node] = e;
    this.timers[e] = nid;
  }

  drop(e: number): void {
    const id = this.timers[e]!;
    if (id !== 0) this.core.cancel(id);
    this.timers[e] = 0;
  }

  advance(now: number, out: number[]): void {
    if (now < this.core.now()) return;
    const nodes = this.core.advance(now);
    for (let k = 0; k < nodes.length; k++) {
      const e = this.entryOf[nodes[k]!]!;
      this.timers[e] = 0;
      out.push(e);
    }
  }

  nextWake(): number {
    const w = this.core.nextWake();
    return w < 0 ? Infinity : w;
  }

  clear(): void {
    this.core.clear();
    this.timers.fill(0);
  }

  memoryBytes(): number {
    return this.core.memoryBytes() + this.timers.byteLength + this.entryOf.byteLength;
  }

  check(used: number, live: (e: number) => boolean): string | null {
    for (let e = 0; e < used; e++) {
      if (!live(e) && this.timers[e] !== 0) return `freed slot ${e} still has timer ${this.timers[e]}`;
    }
    return this.core.check() || null;
  }

  dispose(): void {
    this.core.dispose();
  }
}
