/// <reference lib="esnext.disposable" preserve="true" />
// PermissionIndex: allow/deny rules of (subject, resource pattern, action)
// with roles and TTLs. Checks run on hash maps held per subject (exact
// resources, and wildcard prefixes probed at the few lengths the subject
// uses); the ordered views (resourcesOf, snapshot) come from a BPlusTree
// keyed subject\0resource\0action\0effect, and TTLs from a TimingWheel, so
// the `backend` option picks the tier of both.
import { checkBackendChoice, checkBoolean, checkCount, checkFunction, checkKnownKeys, checkOptions, describe, rangeError, typeError, batchLength, allocate } from '../contract/errors.js';
import { drainQueue } from '../contract/callbacks.js';
import { compareCodePoints, hasHighUnit } from '../contract/strings.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import { BPlusTree } from './btree.js';
import { TimingWheel, readClock, wheelConfig } from './timing-wheel.js';

/** Whether a rule grants or denies. */
export type PermissionEffect = 'allow' | 'deny';

/** One rule as {@link PermissionIndex} reports it. */
export interface PermissionRule {
  /** The subject (user or role) that holds the rule. */
  subject: string;
  /** The resource, or a pattern ending in `*` that covers every resource starting with the text before it. */
  resource: string;
  /** The action, or `*` for every action. */
  action: string;
  /** `'allow'` (a grant) or `'deny'`. */
  effect: PermissionEffect;
  /** When the rule expires, in the index's clock ms; `Infinity` when it never does. */
  expiresAt: number;
}

/** What decided a {@link PermissionIndex.explain} request. */
export interface PermissionExplanation {
  /** The decision `check` gives. */
  allowed: boolean;
  /** The deciding rule: a covering deny if there is one, else the first covering grant found, else null. */
  rule: PermissionRule | null;
  /** Role path from the subject to `rule.subject`, both included (`[subject]` for a rule of its own); empty when `rule` is null. */
  via: string[];
}

/** Options of {@link PermissionIndex}. */
export interface PermissionIndexOptions {
  /** Tier of the ordered index (a BPlusTree) and the expiry wheel; `'auto'` (default) picks the fastest loaded tier. */
  backend?: BackendChoice;
  /** Clock in ms (default `performance.now`); TTLs count on it. It must return a finite number >= 0; a reading behind the previous one counts as the previous one. */
  clock?: () => number;
  /**
   * Called once for each rule whose TTL ran out, after it left the index
   * (it may call any method of the index). An error it throws propagates
   * from the call that expired the rule, or from the background timer.
   */
  onExpire?: (rule: PermissionRule) => void;
  /** Remove expired rules from a background unref'd timer even when the index is idle (default true). Expired rules never decide a check either way. */
  autoPurge?: boolean;
  /** Resolution of the expiry wheel in ms (default 10); expiry itself is exact, as checks compare each rule's deadline. */
  tickMs?: number;
  /** How many role links a check follows from the subject, 0..64 (default 10, casbin's `maxHierarchyLevel`). */
  maxRoleDepth?: number;
}

/** Options of {@link PermissionIndex.grant} and {@link PermissionIndex.deny}. */
export interface RuleOptions {
  /** Time to live in ms (> 0; `Infinity`, the default, never expires). Granting an existing rule again sets its TTL anew. */
  ttlMs?: number;
}

/** Options of {@link PermissionIndex.grantMany}. */
export interface GrantManyOptions extends RuleOptions {
  /** `'allow'` (default) or `'deny'`. */
  effect?: PermissionEffect;
}

/** Options of {@link PermissionIndex.revoke}. */
export interface RevokeOptions {
  /** Which rule to remove: `'allow'` (default) or `'deny'`. */
  effect?: PermissionEffect;
}

/** Options of {@link PermissionIndex.resourcesOf}. */
export interface ResourcesOfOptions {
  /** Only rules that cover this action (its own and `*` rules). */
  action?: string;
  /** Only rules whose resource (pattern) text starts with this. */
  prefix?: string;
  /** At most this many rules (default unlimited). */
  limit?: number;
  /** Include the rules of the subject's roles, transitively (default true). */
  inherited?: boolean;
  /** `'allow'` (default), `'deny'` or `'any'`. */
  effect?: PermissionEffect | 'any';
}

/** Options of {@link PermissionIndex.subjectsOf}. */
export interface SubjectsOfOptions {
  /** Only subjects allowed this action (default: allowed some action a covering grant names). */
  action?: string;
  /** At most this many subjects (default unlimited). */
  limit?: number;
  /** Include subjects that reach a grant through their roles (default true); false lists only the holders of covering grants. */
  inherited?: boolean;
}

/** Longest subject, resource or action, in UTF-16 code units; the ordered index's keys stay far below the tree's 1 MiB limit. */
export const MAX_PERMISSION_NAME = 4096;

const OPTION_KEYS = ['backend', 'clock', 'onExpire', 'autoPurge', 'tickMs', 'maxRoleDepth'] as const;
// What a casbin user might pass.
const OPTION_RENAMES: Readonly<Record<string, string>> = { maxHierarchyLevel: 'maxRoleDepth', ttl: 'ttlMs (per rule)' };
const DEFAULT_DEPTH = 10;
const MAX_DEPTH = 64;
const PAGE = 256;
const NO_LENS: number[] = [];
const NO_LIST: string[] = [];
/** Up to this many wildcard prefixes a subject scans them with startsWith. */
const SMALL_WILD = 8;
const MAGIC = 0x4950_5048; // "HPPI" little-endian
const FORMAT = 1;

/** A rule with a TTL. A rule without one is held as its action string alone, so the common case allocates nothing. */
class Rule {
  constructor(
    readonly holder: Subject,
    readonly resource: string,
    readonly action: string,
    readonly deny: boolean,
    public expiresAt: number,
    /** Wheel id; 0 once fired or cancelled. */
    public timer: number,
    public live = true,
  ) {}
}

/** One rule under a resource text: its action (no TTL) or its Rule. */
type Entry = string | Rule;
/** The rules of one subject under one resource text: one entry, or action → entry. */
type Slot = Entry | Map<string, Entry>;

const actionOf = (e: Entry): string => (typeof e === 'string' ? e : e.action);

function slotGet(s: Slot | undefined, action: string): Entry | undefined {
  if (s === undefined) return undefined;
  if (typeof s === 'string') return s === action ? s : undefined;
  if (s instanceof Rule) return s.action === action ? s : undefined;
  return s.get(action);
}

/** Sets the entry of `e`'s action under `text`, replacing one of the same action. */
function slotPut(m: Map<string, Slot>, text: string, e: Entry): void {
  const s = m.get(text);
  const a = actionOf(e);
  if (s === undefined) m.set(text, e);
  else if (s instanceof Map) s.set(a, e);
  else if (actionOf(s) === a) m.set(text, e);
  else m.set(text, new Map<string, Entry>([[actionOf(s), s], [a, e]]));
}

/** Removes the entry of `action` under `text`; true when the text holds nothing more. */
function slotDel(m: Map<string, Slot>, text: string, action: string): boolean {
  const s = m.get(text);
  if (s instanceof Map) {
    s.delete(action);
    if (s.size === 1) m.set(text, s.values().next().value!);
    return false;
  }
  m.delete(text);
  return true;
}

function slotActions(s: Slot | undefined, out: Set<string>): void {
  if (s === undefined) return;
  if (s instanceof Map) for (const a of s.keys()) out.add(a);
  else out.add(actionOf(s));
}

/**
 * A subject (user or role). It *is* the map of its exact-resource grants, so
 * the common check (an own exact grant) costs one lookup in the index's
 * subject map and one here.
 */
class Subject extends Map<string, Slot> {
  /** Wildcard grants: prefix (the pattern without its `*`) → slot. */
  aw: Map<string, Slot> | null = null;
  /** Exact-resource and wildcard denies. */
  dx: Map<string, Slot> | null = null;
  dw: Map<string, Slot> | null = null;
  /**
   * How `aw` / `dw` are probed, rebuilt after a change (null: stale): a
   * subject with few wildcard rules lists its prefixes for `startsWith`
   * (no substring, no hashing); one with many has `NO_LIST` here and probes
   * the map at each distinct prefix length (`alens` / `dlens`, ascending).
   */
  alist: string[] | null = null;
  dlist: string[] | null = null;
  alens: number[] = NO_LENS;
  dlens: number[] = NO_LENS;
  nAllow = 0;
  nDeny = 0;
  readonly roles: Subject[] = [];
  readonly members: Subject[] = [];
  /** Itself, then the roles it reaches breadth-first; valid while `closureVer` is the index's version. */
  closure: Subject[] | null = null;
  closureVer = -1;
  /** Whether some subject of the closure holds a deny (else an own grant decides alone), and which. */
  closureDeny = false;
  denyHolders: Subject[] = [];
  mark = 0;
  constructor(readonly name: string) {
    super();
  }
}

/** Exact-resource (`wild` false) or wildcard map of one effect, made on demand. */
function mapOf(s: Subject, deny: boolean, wild: boolean, make: boolean): Map<string, Slot> | null {
  if (!deny) {
    if (!wild) return s;
    if (s.aw === null && make) s.aw = new Map();
    return s.aw;
  }
  if (wild) {
    if (s.dw === null && make) s.dw = new Map();
    return s.dw;
  }
  if (s.dx === null && make) s.dx = new Map();
  return s.dx;
}

function sortedLens(m: Map<string, Slot>): number[] {
  if (m.size === 0) return NO_LENS;
  const set = new Set<number>();
  for (const k of m.keys()) set.add(k.length);
  return [...set].sort((a, b) => a - b);
}

function addHolder(m: Map<string, Subject | Subject[]>, text: string, s: Subject): boolean {
  const cur = m.get(text);
  if (cur === undefined) {
    m.set(text, s);
    return true;
  }
  if (Array.isArray(cur)) cur.push(s);
  else m.set(text, [cur, s]);
  return false;
}

/** True when the text has no holder left. */
function dropHolder(m: Map<string, Subject | Subject[]>, text: string, s: Subject): boolean {
  const cur = m.get(text);
  if (cur === s) {
    m.delete(text);
    return true;
  }
  if (Array.isArray(cur)) {
    cur.splice(cur.indexOf(s), 1);
    if (cur.length === 1) m.set(text, cur[0]);
  }
  return false;
}

/** The names in an ordered-index key subject\0resource\0action\0a|d. */
function parseKey(k: string): [string, string, string, boolean] {
  const i = k.indexOf('\u0000');
  const j = k.indexOf('\u0000', i + 1);
  return [k.slice(0, i), k.slice(i + 1, j), k.slice(j + 1, k.length - 2), k.charCodeAt(k.length - 1) === 100];
}

function ruleKey(subject: string, resource: string, action: string, deny: boolean): string {
  return `${subject}\u0000${resource}\u0000${action}\u0000${deny ? 'd' : 'a'}`;
}

/** What {@link PermissionIndex} `name` accepts beyond a non-empty well-formed string. */
function storable(x: string, kind: 0 | 1 | 2): boolean {
  if (x.length > MAX_PERMISSION_NAME || x.includes('\u0000')) return false;
  if (kind === 1) {
    const star = x.indexOf('*');
    return star < 0 || star === x.length - 1;
  }
  return kind === 0 || x === '*' || !x.includes('*');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

let crcTable: Uint32Array | null = null;
/** CRC-32 (IEEE, zlib's), four bytes per step ("slicing by 4"). */
function crc32(b: Uint8Array, from: number, to: number): number {
  let t = crcTable;
  if (t === null) {
    t = crcTable = new Uint32Array(1024);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb8_8320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    for (let k = 1; k < 4; k++) for (let n = 0; n < 256; n++) t[256 * k + n] = (t[256 * (k - 1) + n] >>> 8) ^ t[t[256 * (k - 1) + n] & 0xff];
  }
  let c = 0xffff_ffff;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    c ^= b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < to; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffff_ffff) >>> 0;
}

/**
 * An authorization index: allow and deny rules of (subject, resource,
 * action), role membership, TTLs, and queries both ways.
 *
 * Semantics (casbin's RBAC-with-deny model with `keyMatch` resources):
 * - A resource pattern ending in `*` covers every resource that starts with
 *   the text before the `*` (`doc:9/*` covers `doc:9/` and everything under
 *   it); `*` may appear nowhere else in a rule's resource. An action `*`
 *   covers every action. In checked requests `*` is an ordinary character.
 *   Matching is exact, on code points.
 * - A subject inherits the rules of its roles, transitively, up to
 *   `maxRoleDepth` links (default 10); cycles are allowed.
 * - `check` is true iff some live grant held by the subject or a role covers
 *   the request and no live deny does (deny overrides allow).
 * - A rule with a TTL never decides a check once its deadline has passed
 *   (checks compare deadlines), and leaves the index through the expiry
 *   wheel, reported to `onExpire`.
 *
 * Names (subjects, resources, actions) are non-empty well-formed UTF-16 of at
 * most {@link MAX_PERMISSION_NAME} units without U+0000; anything else is a
 * TypeError or RangeError naming the argument.
 *
 * Call `dispose()` (or `using`) to stop the expiry timer and free the tiers'
 * memory at once.
 */
export class PermissionIndex {
  private readonly subjects = new Map<string, Subject>();
  /** Ordered view: subject\0resource\0action\0a|d → the Rule, or 0 for a rule without TTL. */
  private tree: BPlusTree<string, Rule | 0>;
  private readonly wheel: TimingWheel<Rule>;
  /** Holders of exact-resource grants by resource, and of wildcard grants by prefix: for subjectsOf. */
  private readonly grantsAt = new Map<string, Subject | Subject[]>();
  /**
   * The ordered index and the reverse maps are built on first use (resourcesOf,
   * subjectsOf) and kept up to date from then on, so loading rules costs only
   * the hash maps until a query needs them.
   */
  private ordered = false;
  private reversed = false;
  private readonly grantsUnder = new Map<string, Subject | Subject[]>();
  /** Prefix length → how many prefixes of that length `grantsUnder` holds. */
  private readonly underLens = new Map<number, number>();
  private readonly clock: () => number;
  private readonly onExpire: ((rule: PermissionRule) => void) | undefined;
  private readonly maxDepth: number;
  /** The latest deadline the expiry wheel takes. */
  private readonly maxTime: number;
  private lastNow: number;
  /** Below this time no rule can have expired. */
  private wakeAt = Infinity;
  /** Clock reading of the current check, -1 until a TTL rule needs it. */
  private checkNow = -1;
  /** Bumped by every change to roles or denies: cached closures are stale then. */
  private ver = 0;
  private epoch = 0;
  private count = 0;
  private ttlCount = 0;
  private pending: Rule[] = [];
  private delivering = false;
  private disposed = false;
  /** Text and kind of the rule the last `covering` call found (for explain). */
  private hitText = '';
  private hitWild = false;
  /** Tier of the ordered index and the expiry wheel. */
  readonly backend: TierName;

  constructor(options?: PermissionIndexOptions) {
    const o = checkOptions<PermissionIndexOptions>('PermissionIndex', options);
    checkKnownKeys('PermissionIndex', 'options', o, OPTION_KEYS, OPTION_RENAMES);
    const backend = o.backend === undefined ? 'auto' : checkBackendChoice('PermissionIndex', 'options.backend', o.backend);
    checkFunction('PermissionIndex', 'options.clock', o.clock);
    checkFunction('PermissionIndex', 'options.onExpire', o.onExpire);
    checkBoolean('PermissionIndex', 'options.autoPurge', o.autoPurge);
    this.maxDepth = o.maxRoleDepth === undefined ? DEFAULT_DEPTH : checkCount('PermissionIndex', 'options.maxRoleDepth', o.maxRoleDepth);
    if (this.maxDepth > MAX_DEPTH) rangeError('PermissionIndex', 'options.maxRoleDepth', `must be <= ${MAX_DEPTH}; got ${this.maxDepth}`);
    this.clock = o.clock ?? (() => performance.now());
    this.onExpire = o.onExpire;
    this.lastNow = readClock('PermissionIndex', this.clock);
    const cfg = wheelConfig('PermissionIndex', { tickMs: o.tickMs, now: this.lastNow });
    this.maxTime = cfg.maxTime;
    this.tree = new BPlusTree<string, Rule | 0>({ keyType: 'string', backend });
    try {
      this.wheel = new TimingWheel<Rule>({ backend, clock: this.clock, now: cfg.now, tickMs: cfg.tickMs });
    } catch (e) {
      this.tree.dispose();
      throw e;
    }
    this.backend = this.tree.backend;
    if (o.autoPurge ?? true) this.wheel.start((r) => this.expired(r));
  }

  // ---- validation -------------------------------------------------------

  private live(fn: string): void {
    if (this.disposed) throw new TypeError(`hotpath.PermissionIndex.${fn}: index is disposed`);
  }

  /** A name that may be stored: non-empty, well-formed, bounded, no U+0000; `*` only ending a resource or as the whole action. */
  private name(fn: string, arg: string, x: unknown, kind: 0 | 1 | 2): string {
    if (typeof x !== 'string') typeError(`PermissionIndex.${fn}`, arg, `must be a string; got ${describe(x)}`);
    if (x.length === 0) rangeError(`PermissionIndex.${fn}`, arg, 'must not be empty');
    if (x.length > MAX_PERMISSION_NAME) rangeError(`PermissionIndex.${fn}`, arg, `has ${x.length} UTF-16 units; at most ${MAX_PERMISSION_NAME}`);
    if (!x.isWellFormed()) rangeError(`PermissionIndex.${fn}`, arg, 'contains a lone surrogate; names must be well-formed UTF-16');
    if (x.includes('\u0000')) rangeError(`PermissionIndex.${fn}`, arg, 'must not contain U+0000');
    if (kind === 1) {
      const star = x.indexOf('*');
      if (star >= 0 && star !== x.length - 1) rangeError(`PermissionIndex.${fn}`, arg, `may hold '*' only as its last character (a prefix pattern); got ${JSON.stringify(x)}`);
    } else if (kind === 2 && x !== '*' && x.includes('*')) {
      rangeError(`PermissionIndex.${fn}`, arg, `must be '*' (every action) or hold no '*'; got ${JSON.stringify(x)}`);
    }
    return x;
  }

  /** A name in a request: any non-empty well-formed string (`*` is literal there). */
  private request(fn: string, arg: string, x: unknown): string {
    if (typeof x !== 'string') typeError(`PermissionIndex.${fn}`, arg, `must be a string; got ${describe(x)}`);
    if (x.length === 0) rangeError(`PermissionIndex.${fn}`, arg, 'must not be empty');
    if (!x.isWellFormed()) rangeError(`PermissionIndex.${fn}`, arg, 'contains a lone surrogate; names must be well-formed UTF-16');
    return x;
  }

  private ttl(fn: string, options: unknown, extra: readonly string[] = []): { ttlMs: number; o: GrantManyOptions } {
    const o = checkOptions<GrantManyOptions>(`PermissionIndex.${fn}`, options);
    checkKnownKeys(`PermissionIndex.${fn}`, 'options', o, ['ttlMs', ...extra], { ttl: 'ttlMs' });
    const t = o.ttlMs;
    if (t === undefined) return { ttlMs: Infinity, o };
    if (typeof t !== 'number') typeError(`PermissionIndex.${fn}`, 'options.ttlMs', `must be a number; got ${describe(t)}`);
    if (!(t > 0)) rangeError(`PermissionIndex.${fn}`, 'options.ttlMs', `must be > 0 (or Infinity); got ${t}`);
    return { ttlMs: t, o };
  }

  private effectArg(fn: string, x: unknown, any = false): PermissionEffect | 'any' {
    if (x === undefined) return 'allow';
    if (x === 'allow' || x === 'deny' || (any && x === 'any')) return x;
    return rangeError(`PermissionIndex.${fn}`, 'options.effect', `must be 'allow', 'deny'${any ? " or 'any'" : ''}; got ${describe(x)}`);
  }

  // ---- time -------------------------------------------------------------

  private now(): number {
    const t = readClock('PermissionIndex', this.clock);
    return t < this.lastNow ? this.lastNow : (this.lastNow = t);
  }

  /** Expires every rule due by now and reports them; called by every mutation and query. */
  private sweep(): void {
    if (this.ttlCount === 0) return;
    const t = this.now();
    if (t < this.wakeAt) return;
    const due = this.wheel.advance(Math.max(t, this.wheel.now));
    const w = this.wheel.nextWake();
    this.wakeAt = w === null ? Infinity : w;
    for (const r of due) {
      if (!r.live) continue;
      r.timer = 0;
      this.remove(r.holder, r.resource, r.action, r.deny, r, true);
      this.pending.push(r);
    }
    this.deliver();
  }

  /** The background driver's expiry of one rule. */
  private expired(r: Rule): void {
    if (!r.live) return;
    r.timer = 0;
    this.remove(r.holder, r.resource, r.action, r.deny, r, true);
    this.pending.push(r);
    this.deliver();
  }

  /** Reports expired rules once the index is consistent; re-entrant calls queue theirs here. */
  private deliver(): void {
    if (this.delivering || this.pending.length === 0) return;
    const q = this.pending;
    const cb = this.onExpire;
    if (cb === undefined) {
      q.length = 0;
      return;
    }
    this.delivering = true;
    try {
      drainQueue(q, 1, (i) => cb(view(q[i])));
    } finally {
      this.delivering = false;
    }
  }

  /** Whether an entry is in force now (lazily reads the clock once per check). */
  private inForce(e: Entry): boolean {
    if (typeof e === 'string' || e.expiresAt === Infinity) return true;
    if (this.checkNow < 0) this.checkNow = this.now();
    return e.expiresAt > this.checkNow;
  }

  // ---- rules ------------------------------------------------------------

  private subject(name: string): Subject {
    let s = this.subjects.get(name);
    if (s === undefined) {
      s = new Subject(name);
      this.subjects.set(name, s);
    }
    return s;
  }

  /** Drops a subject that holds nothing and links nothing. */
  private gc(s: Subject): void {
    if (s.nAllow === 0 && s.nDeny === 0 && s.roles.length === 0 && s.members.length === 0 && this.subjects.get(s.name) === s) this.subjects.delete(s.name);
  }

  private find(s: Subject, resource: string, action: string, deny: boolean): Entry | undefined {
    const wild = resource.endsWith('*');
    const m = mapOf(s, deny, wild, false);
    return m === null ? undefined : slotGet(m.get(wild ? resource.slice(0, -1) : resource), action);
  }

  /**
   * Adds one validated rule, or renews an existing one's TTL. A new rule's
   * key and tree value are pushed onto `keys`/`vals` for the caller to put in
   * the ordered index; returns whether it was new.
   */
  private upsert(subject: string, resource: string, action: string, deny: boolean, ttlMs: number, now: number, keys: string[], vals: (Rule | 0)[]): boolean {
    const s = this.subject(subject);
    const wild = resource.endsWith('*');
    const text = wild ? resource.slice(0, -1) : resource;
    const m = mapOf(s, deny, wild, true)!;
    const slot = m.get(text);
    const old = slotGet(slot, action);
    if (old !== undefined) {
      if (typeof old !== 'string') {
        this.cancel(old);
        if (ttlMs === Infinity) {
          old.live = false;
          slotPut(m, text, action);
          if (this.ordered) this.tree.set(ruleKey(subject, resource, action, deny), 0);
        } else this.schedule(old, now + ttlMs);
      } else if (ttlMs !== Infinity) {
        const r = new Rule(s, resource, action, deny, Infinity, 0);
        slotPut(m, text, r);
        if (this.ordered) this.tree.set(ruleKey(subject, resource, action, deny), r);
        this.schedule(r, now + ttlMs);
      }
      return false;
    }
    let e: Entry = action;
    if (ttlMs !== Infinity) e = new Rule(s, resource, action, deny, Infinity, 0);
    if (slot === undefined) m.set(text, e);
    else slotPut(m, text, e);
    if (deny) {
      s.nDeny++;
      this.ver++;
    } else s.nAllow++;
    this.count++;
    if (wild) {
      if (deny) s.dlist = null;
      else s.alist = null;
    }
    if (!deny && slot === undefined && this.reversed) this.addReverse(s, text, wild);
    if (typeof e !== 'string') this.schedule(e, now + ttlMs);
    if (this.ordered) {
      keys.push(ruleKey(subject, resource, action, deny));
      vals.push(typeof e === 'string' ? 0 : e);
    }
    return true;
  }

  private addReverse(s: Subject, text: string, wild: boolean): void {
    if (addHolder(wild ? this.grantsUnder : this.grantsAt, text, s) && wild) this.underLens.set(text.length, (this.underLens.get(text.length) ?? 0) + 1);
  }

  /**
   * Builds the ordered index from the maps, once. Keys start with the
   * subject and U+0000 (below every name character), so subjects in code
   * point order, each with its own keys sorted, is the global order: the
   * tree is bulk-loaded in O(n) after sorts of a subject's rules each.
   */
  private order(): void {
    if (this.ordered) return;
    const subs = [...this.subjects.values()].filter((s) => s.nAllow + s.nDeny > 0).sort((x, y) => compareCodePoints(x.name, y.name));
    const keys: string[] = [], vals: (Rule | 0)[] = [];
    const res: string[] = [], act: string[] = [], eff: boolean[] = [], val: (Rule | 0)[] = [], idx: number[] = [];
    let high = false; // a unit >= 0xD800 anywhere: JS < then differs from code point order
    const cmp = (i: number, j: number): number => {
      const c = high ? compareCodePoints(res[i], res[j]) || compareCodePoints(act[i], act[j]) : res[i] < res[j] ? -1 : res[i] > res[j] ? 1 : act[i] < act[j] ? -1 : act[i] > act[j] ? 1 : 0;
      return c || Number(eff[i]) - Number(eff[j]);
    };
    for (const s of subs) {
      res.length = act.length = eff.length = val.length = idx.length = 0;
      high = hasHighUnit(s.name);
      for (const [m, deny, wild] of [[s, false, false], [s.aw, false, true], [s.dx, true, false], [s.dw, true, true]] as const) {
        if (m === null) continue;
        for (const [text, slot] of m) {
          const resource = wild ? `${text}*` : text;
          if (!high && hasHighUnit(text)) high = true;
          const add = (e: Entry): void => {
            idx.push(res.length);
            res.push(resource);
            act.push(actionOf(e));
            eff.push(deny);
            val.push(typeof e === 'string' ? 0 : e);
          };
          if (slot instanceof Map) for (const e of slot.values()) add(e);
          else add(slot);
        }
      }
      if (!high) for (const a of act) if (hasHighUnit(a)) high = true;
      idx.sort(cmp);
      for (const i of idx) {
        keys.push(ruleKey(s.name, res[i], act[i], eff[i]));
        vals.push(val[i]);
      }
    }
    const t = BPlusTree.fromSorted<string, Rule | 0>(keys, vals, { keyType: 'string', backend: this.backend });
    this.tree.dispose();
    this.tree = t;
    this.ordered = true;
  }

  /** Builds the reverse maps (holders of grants by resource and by prefix) from the subjects' maps, once. */
  private reverse(): void {
    if (this.reversed) return;
    for (const s of this.subjects.values()) {
      for (const text of s.keys()) this.addReverse(s, text, false);
      if (s.aw !== null) for (const text of s.aw.keys()) this.addReverse(s, text, true);
    }
    this.reversed = true;
  }

  /** A TTL's deadline must fit the expiry wheel; checked before anything changes. */
  private fits(fn: string, now: number, ttlMs: number): void {
    if (ttlMs !== Infinity && now + ttlMs > this.maxTime) rangeError(`PermissionIndex.${fn}`, 'options.ttlMs', `puts the deadline at ${now + ttlMs} ms, beyond the largest time ${this.maxTime} (use Infinity for no TTL)`);
  }

  private schedule(r: Rule, expiresAt: number): void {
    r.expiresAt = expiresAt;
    // At the absolute deadline: the wheel's own time may lag the clock until the next sweep.
    r.timer = this.wheel.scheduleAt(expiresAt, r);
    this.ttlCount++;
    if (expiresAt < this.wakeAt) this.wakeAt = expiresAt;
  }

  private cancel(r: Rule): void {
    if (r.timer !== 0) this.wheel.cancel(r.timer);
    r.timer = 0;
    this.ttlCount--;
  }

  /** Takes one rule out of the maps (and, with `inTree`, the ordered index once built); `e` is its entry. */
  private remove(s: Subject, resource: string, action: string, deny: boolean, e: Entry, inTree: boolean): void {
    const wild = resource.endsWith('*');
    const text = wild ? resource.slice(0, -1) : resource;
    const m = mapOf(s, deny, wild, false)!;
    const empty = slotDel(m, text, action);
    if (typeof e !== 'string') {
      e.live = false;
      this.cancel(e);
    }
    if (deny) {
      s.nDeny--;
      this.ver++;
      if (wild && empty) s.dlist = null;
    } else {
      s.nAllow--;
      if (wild && empty) s.alist = null;
      if (empty && this.reversed && dropHolder(wild ? this.grantsUnder : this.grantsAt, text, s) && wild) {
        const n = this.underLens.get(text.length)! - 1;
        if (n === 0) this.underLens.delete(text.length);
        else this.underLens.set(text.length, n);
      }
    }
    this.count--;
    if (inTree && this.ordered) this.tree.delete(ruleKey(s.name, resource, action, deny));
    this.gc(s);
  }

  /** Undoes new rules the ordered index refused (it applies a batch wholly or not at all). */
  private rollback(keys: string[], vals: (Rule | 0)[]): void {
    for (let i = keys.length - 1; i >= 0; i--) {
      const [s, r, a, deny] = parseKey(keys[i]);
      const v = vals[i];
      this.remove(this.subjects.get(s)!, r, a, deny, v === 0 ? a : v, false);
    }
  }

  /**
   * Grants `action` on `resource` (or every resource a trailing-`*` pattern
   * covers) to `subject`. Returns true when the grant is new, false when it
   * existed (its TTL is then set anew from `options.ttlMs`).
   */
  grant(subject: string, resource: string, action: string, options?: RuleOptions): boolean {
    return this.addOne('grant', subject, resource, action, options, false);
  }

  /** Denies `action` on `resource` (or a pattern) to `subject`; a covering deny overrides every grant. Returns true when new. */
  deny(subject: string, resource: string, action: string, options?: RuleOptions): boolean {
    return this.addOne('deny', subject, resource, action, options, true);
  }

  private addOne(fn: string, subject: unknown, resource: unknown, action: unknown, options: unknown, deny: boolean): boolean {
    this.live(fn);
    const s = this.name(fn, 'subject', subject, 0);
    const res = this.name(fn, 'resource', resource, 1);
    const a = this.name(fn, 'action', action, 2);
    const { ttlMs } = this.ttl(fn, options);
    this.sweep();
    const now = ttlMs === Infinity ? 0 : this.now();
    this.fits(fn, now, ttlMs);
    const keys: string[] = [], vals: (Rule | 0)[] = [];
    if (!this.upsert(s, res, a, deny, ttlMs, now, keys, vals)) return false;
    if (keys.length === 0) return true;
    try {
      this.tree.set(keys[0], vals[0]);
    } catch (e) {
      this.rollback(keys, vals);
      throw e;
    }
    return true;
  }

  /**
   * Adds many rules in one call: element i of each array (a single string
   * applies to every element) is one rule, all with `options.effect` and
   * `options.ttlMs`. Every element is checked before anything changes.
   * Returns how many rules were new.
   */
  grantMany(subjects: string | readonly string[], resources: string | readonly string[], actions: string | readonly string[], options?: GrantManyOptions): number {
    const fn = 'grantMany';
    this.live(fn);
    const { ttlMs, o } = this.ttl(fn, options, ['effect']);
    const deny = this.effectArg(fn, o.effect) === 'deny';
    const n = this.batch(fn, subjects, resources, actions);
    const S = this.column(fn, 'subjects', subjects, n, 0);
    const R = this.column(fn, 'resources', resources, n, 1);
    const A = this.column(fn, 'actions', actions, n, 2);
    this.sweep();
    const now = ttlMs === Infinity ? 0 : this.now();
    this.fits(fn, now, ttlMs);
    const keys: string[] = [], vals: (Rule | 0)[] = [];
    let added = 0;
    for (let i = 0; i < n; i++) if (this.upsert(S[i], R[i], A[i], deny, ttlMs, now, keys, vals)) added++;
    if (keys.length > 0) {
      try {
        this.tree.setMany(keys, vals);
      } catch (e) {
        this.rollback(keys, vals);
        throw e;
      }
    }
    return added;
  }

  /** Length of a batch: the common length of its array arguments (1 when all are strings). */
  private batch(fn: string, ...cols: unknown[]): number {
    const names = ['subjects', 'resources', 'actions'];
    let n = -1;
    for (let c = 0; c < cols.length; c++) {
      const x = cols[c];
      if (typeof x === 'string') continue;
      if (!Array.isArray(x)) typeError(`PermissionIndex.${fn}`, names[c], `must be a string or an array of strings; got ${describe(x)}`);
      const len = batchLength(`PermissionIndex.${fn}`, names[c], x);
      if (n >= 0 && len !== n) rangeError(`PermissionIndex.${fn}`, names[c], `has ${len} elements; the other arrays have ${n}`);
      n = len;
    }
    return n < 0 ? 1 : n;
  }

  /** A validated copy of one batch column (a copy, so a clock or callback that rewrites the caller's array cannot change what was checked). */
  private column(fn: string, arg: string, x: unknown, n: number, kind: 0 | 1 | 2 | -1): string[] {
    const out = new Array<string>(n);
    if (typeof x === 'string') {
      const v = kind === -1 ? this.request(fn, arg, x) : this.name(fn, arg, x, kind);
      for (let i = 0; i < n; i++) out[i] = v;
      return out;
    }
    const a = x as readonly unknown[];
    for (let i = 0; i < n; i++) {
      const v = a[i];
      // The argument's name is built only for an element that fails.
      if (typeof v !== 'string' || v.length === 0 || !v.isWellFormed() || (kind !== -1 && !storable(v, kind))) {
        out[i] = kind === -1 ? this.request(fn, `${arg}[${i}]`, v) : this.name(fn, `${arg}[${i}]`, v, kind);
      } else out[i] = v;
    }
    return out;
  }

  /** Removes the allow (default) or deny rule of exactly this subject, resource (pattern) and action; true when it existed. */
  revoke(subject: string, resource: string, action: string, options?: RevokeOptions): boolean {
    const fn = 'revoke';
    this.live(fn);
    const s = this.name(fn, 'subject', subject, 0);
    const res = this.name(fn, 'resource', resource, 1);
    const a = this.name(fn, 'action', action, 2);
    const o = checkOptions<RevokeOptions>(`PermissionIndex.${fn}`, options);
    checkKnownKeys(`PermissionIndex.${fn}`, 'options', o, ['effect'], {});
    const deny = this.effectArg(fn, o.effect) === 'deny';
    this.sweep();
    const rec = this.subjects.get(s);
    const e = rec && this.find(rec, res, a, deny);
    if (e === undefined) return false;
    this.remove(rec!, res, a, deny, e, true);
    return true;
  }

  // ---- roles ------------------------------------------------------------

  /** Makes `subject` a member of `role`: it inherits the role's rules (and its roles', transitively). True when the link is new. */
  addRole(subject: string, role: string): boolean {
    this.live('addRole');
    const s = this.name('addRole', 'subject', subject, 0);
    const r = this.name('addRole', 'role', role, 0);
    this.sweep();
    if (s === r) return false; // a subject always has its own rules
    const a = this.subject(s), b = this.subject(r);
    if (a.roles.includes(b)) return false;
    a.roles.push(b);
    b.members.push(a);
    this.ver++;
    return true;
  }

  /** Removes the membership link `subject` → `role`; true when it existed. */
  removeRole(subject: string, role: string): boolean {
    this.live('removeRole');
    const s = this.name('removeRole', 'subject', subject, 0);
    const r = this.name('removeRole', 'role', role, 0);
    this.sweep();
    const a = this.subjects.get(s), b = this.subjects.get(r);
    if (a === undefined || b === undefined) return false;
    const i = a.roles.indexOf(b);
    if (i < 0) return false;
    a.roles.splice(i, 1);
    b.members.splice(b.members.indexOf(a), 1);
    this.ver++;
    this.gc(a);
    this.gc(b);
    return true;
  }

  /** Roles of `subject`: direct ones, or with `inherited` every role it reaches within `maxRoleDepth` links, nearest first. */
  rolesOf(subject: string, options?: { inherited?: boolean }): string[] {
    this.live('rolesOf');
    const s = this.request('rolesOf', 'subject', subject);
    const o = checkOptions<{ inherited?: boolean }>('PermissionIndex.rolesOf', options);
    checkKnownKeys('PermissionIndex.rolesOf', 'options', o, ['inherited'], {});
    checkBoolean('PermissionIndex.rolesOf', 'options.inherited', o.inherited);
    const rec = this.subjects.get(s);
    if (rec === undefined) return [];
    if (!o.inherited) return rec.roles.map((x) => x.name);
    return this.closureOf(rec).slice(1).map((x) => x.name);
  }

  /** The subject and the roles it reaches, breadth-first, cached until roles or denies change. */
  private closureOf(s: Subject): Subject[] {
    if (s.closureVer === this.ver) return s.closure!;
    const mark = ++this.epoch;
    const out = [s];
    s.mark = mark;
    const denies = s.nDeny > 0 ? [s] : [];
    let from = 0;
    for (let depth = 0; depth < this.maxDepth && from < out.length; depth++) {
      const to = out.length;
      for (let i = from; i < to; i++) {
        for (const r of out[i].roles) {
          if (r.mark !== mark) {
            r.mark = mark;
            out.push(r);
            if (r.nDeny > 0) denies.push(r);
          }
        }
      }
      from = to;
    }
    s.closure = out;
    s.closureVer = this.ver;
    s.closureDeny = denies.length > 0;
    s.denyHolders = denies;
    return out;
  }

  // ---- checks -----------------------------------------------------------

  /** A covering entry in force among one subject's rules of one effect, or undefined; sets hitText/hitWild. */
  private covering(s: Subject, deny: boolean, resource: string, action: string): Entry | undefined {
    const x = deny ? s.dx : s;
    if (x !== null && x.size > 0) {
      const slot = x.get(resource);
      if (slot !== undefined) {
        const e = this.inSlot(slot, action);
        if (e !== undefined) {
          this.hitText = resource;
          this.hitWild = false;
          return e;
        }
      }
    }
    const w = deny ? s.dw : s.aw;
    if (w === null || w.size === 0) return undefined;
    let list = deny ? s.dlist : s.alist;
    if (list === null) list = this.probePlan(s, deny, w);
    if (list !== NO_LIST) {
      for (let i = 0; i < list.length; i++) {
        const text = list[i];
        if (!resource.startsWith(text)) continue;
        const e = this.inSlot(w.get(text)!, action);
        if (e !== undefined) {
          this.hitText = text;
          this.hitWild = true;
          return e;
        }
      }
      return undefined;
    }
    const lens = deny ? s.dlens : s.alens;
    const n = resource.length;
    for (let i = 0; i < lens.length; i++) {
      const l = lens[i];
      if (l > n) break;
      const text = l === n ? resource : resource.slice(0, l);
      const slot = w.get(text);
      if (slot !== undefined) {
        const e = this.inSlot(slot, action);
        if (e !== undefined) {
          this.hitText = text;
          this.hitWild = true;
          return e;
        }
      }
    }
    return undefined;
  }

  /** Rebuilds how one subject's wildcard map is probed (see Subject.alist). */
  private probePlan(s: Subject, deny: boolean, w: Map<string, Slot>): string[] {
    const small = w.size <= SMALL_WILD;
    const list = small ? [...w.keys()] : NO_LIST;
    const lens = small ? NO_LENS : sortedLens(w);
    if (deny) {
      s.dlist = list;
      s.dlens = lens;
    } else {
      s.alist = list;
      s.alens = lens;
    }
    return list;
  }

  private inSlot(s: Slot, action: string): Entry | undefined {
    if (typeof s === 'string') return s === action || s === '*' ? s : undefined;
    if (s instanceof Rule) return (s.action === action || s.action === '*') && this.inForce(s) ? s : undefined;
    const e = s.get(action);
    if (e !== undefined && this.inForce(e)) return e;
    const w = s.get('*');
    return w !== undefined && this.inForce(w) ? w : undefined;
  }

  /** The decision for validated request names. */
  private decide(subject: string, resource: string, action: string): boolean {
    const rec = this.subjects.get(subject);
    if (rec === undefined) return false;
    this.checkNow = -1;
    // The common case: an own exact grant, and no deny anywhere in reach.
    if (rec.closureVer === this.ver && !rec.closureDeny && rec.size > 0) {
      const slot = rec.get(resource);
      if (slot !== undefined && (slot === action || slot === '*' || (typeof slot !== 'string' && this.inSlot(slot, action) !== undefined))) return true;
    }
    const members = this.closureOf(rec);
    let i = 0;
    for (; i < members.length; i++) {
      const m = members[i];
      if (m.nAllow > 0 && this.covering(m, false, resource, action) !== undefined) break;
    }
    if (i === members.length) return false;
    if (!rec.closureDeny) return true;
    const d = rec.denyHolders;
    for (let j = 0; j < d.length; j++) if (this.covering(d[j], true, resource, action) !== undefined) return false;
    return true;
  }

  /** Whether `subject` may do `action` on `resource`: a grant in force covers it and no deny in force does. */
  check(subject: string, resource: string, action: string): boolean {
    if (this.disposed) this.live('check');
    return this.decide(this.request('check', 'subject', subject), this.request('check', 'resource', resource), this.request('check', 'action', action));
  }

  /**
   * `check` of many requests in one call: element i of each array (a single
   * string applies to every element) is one request. Returns 1 (allowed) or
   * 0 per request; a bad element is a TypeError/RangeError naming its index.
   */
  checkMany(subjects: string | readonly string[], resources: string | readonly string[], actions: string | readonly string[]): Uint8Array {
    const fn = 'checkMany';
    this.live(fn);
    const n = this.batch(fn, subjects, resources, actions);
    const S = this.column(fn, 'subjects', subjects, n, -1);
    const R = this.column(fn, 'resources', resources, n, -1);
    const A = this.column(fn, 'actions', actions, n, -1);
    const out = allocate(`PermissionIndex.${fn}`, 'the result', Uint8Array, n);
    for (let i = 0; i < n; i++) out[i] = this.decide(S[i], R[i], A[i]) ? 1 : 0;
    return out;
  }

  /** The decision `check` gives, the rule that made it and the role path to that rule's holder. */
  explain(subject: string, resource: string, action: string): PermissionExplanation {
    this.live('explain');
    const s = this.request('explain', 'subject', subject);
    const res = this.request('explain', 'resource', resource);
    const a = this.request('explain', 'action', action);
    const rec = this.subjects.get(s);
    if (rec === undefined) return { allowed: false, rule: null, via: [] };
    // Breadth-first with parents, in the order the check consults subjects.
    const mark = ++this.epoch;
    const order = [rec], parent = [-1];
    rec.mark = mark;
    let from = 0;
    for (let depth = 0; depth < this.maxDepth && from < order.length; depth++) {
      const to = order.length;
      for (let i = from; i < to; i++) {
        for (const r of order[i].roles) {
          if (r.mark !== mark) {
            r.mark = mark;
            order.push(r);
            parent.push(i);
          }
        }
      }
      from = to;
    }
    this.checkNow = -1;
    const path = (i: number): string[] => {
      const p: string[] = [];
      for (let k = i; k >= 0; k = parent[k]) p.push(order[k].name);
      return p.reverse();
    };
    for (const deny of [true, false]) {
      for (let i = 0; i < order.length; i++) {
        const e = (deny ? order[i].nDeny : order[i].nAllow) > 0 ? this.covering(order[i], deny, res, a) : undefined;
        if (e === undefined) continue;
        const rule = typeof e === 'string'
          ? { subject: order[i].name, resource: this.hitWild ? `${this.hitText}*` : this.hitText, action: e, effect: deny ? 'deny' as const : 'allow' as const, expiresAt: Infinity }
          : view(e);
        return { allowed: !deny, rule, via: path(i) };
      }
    }
    return { allowed: false, rule: null, via: [] };
  }

  // ---- queries ----------------------------------------------------------

  /**
   * Rules of `subject` (and, by default, of its roles), ordered by resource
   * text, then action, then holder (code point order): what the subject can
   * reach. `prefix` filters on the rule's resource text, `action` keeps rules
   * that cover it. Expired rules are never listed.
   */
  resourcesOf(subject: string, options?: ResourcesOfOptions): PermissionRule[] {
    const fn = 'resourcesOf';
    this.live(fn);
    const s = this.request(fn, 'subject', subject);
    const o = checkOptions<ResourcesOfOptions>(`PermissionIndex.${fn}`, options);
    checkKnownKeys(`PermissionIndex.${fn}`, 'options', o, ['action', 'prefix', 'limit', 'inherited', 'effect'], {});
    const action = o.action === undefined ? undefined : this.request(fn, 'options.action', o.action);
    const prefix = o.prefix === undefined || o.prefix === '' ? '' : this.request(fn, 'options.prefix', o.prefix);
    const limit = o.limit === undefined || o.limit === Infinity ? Infinity : checkCount(`PermissionIndex.${fn}`, 'options.limit', o.limit);
    checkBoolean(`PermissionIndex.${fn}`, 'options.inherited', o.inherited);
    const effect = this.effectArg(fn, o.effect, true);
    this.sweep();
    const rec = this.subjects.get(s);
    if (rec === undefined || limit === 0) return [];
    this.order();
    const holders = o.inherited ?? true ? this.closureOf(rec) : [rec];
    const found: PermissionRule[] = [];
    for (const h of holders) {
      if (h.nAllow + h.nDeny === 0) continue;
      const lo = `${h.name}\u0000${prefix}`;
      let after: string | null = null, taken = 0;
      for (;;) {
        const page: [string, Rule | 0][] = after === null ? this.tree.prefix(lo, { limit: PAGE }) : this.tree.range(after, `${h.name}\u0001`, { loInclusive: false, limit: PAGE });
        let i = 0;
        for (; i < page.length && taken < limit; i++) {
          const [k, v] = page[i];
          if (!k.startsWith(lo)) break;
          const r = v === 0 ? fromKey(k) : view(v);
          if ((effect === 'any' || r.effect === effect) && (action === undefined || r.action === action || r.action === '*')) {
            found.push(r);
            taken++;
          }
        }
        if (i < page.length || page.length < PAGE || taken >= limit) break;
        after = page[page.length - 1][0];
      }
    }
    if (holders.length > 1) {
      found.sort((x, y) => compareCodePoints(x.resource, y.resource) || compareCodePoints(x.action, y.action) || compareCodePoints(x.subject, y.subject) || (x.effect < y.effect ? -1 : x.effect > y.effect ? 1 : 0));
    }
    return found.length > limit ? found.slice(0, limit) : found;
  }

  /**
   * Subjects allowed `action` on `resource` (without `action`: allowed some
   * action that a covering grant names), including, by default, members of
   * roles holding the grants, transitively; in code point order. Each
   * subject listed passes `check`.
   */
  subjectsOf(resource: string, options?: SubjectsOfOptions): string[] {
    const fn = 'subjectsOf';
    this.live(fn);
    const res = this.request(fn, 'resource', resource);
    const o = checkOptions<SubjectsOfOptions>(`PermissionIndex.${fn}`, options);
    checkKnownKeys(`PermissionIndex.${fn}`, 'options', o, ['action', 'limit', 'inherited'], {});
    const action = o.action === undefined ? undefined : this.request(fn, 'options.action', o.action);
    const limit = o.limit === undefined || o.limit === Infinity ? Infinity : checkCount(`PermissionIndex.${fn}`, 'options.limit', o.limit);
    checkBoolean(`PermissionIndex.${fn}`, 'options.inherited', o.inherited);
    this.sweep();
    // Holders of covering grants: exact ones, and those under each wildcard prefix length in use.
    const mark = ++this.epoch;
    const holders: Subject[] = [];
    const actions = new Set<string>();
    const take = (x: Subject | Subject[] | undefined, text: string, wild: boolean): void => {
      if (x === undefined) return;
      for (const h of Array.isArray(x) ? x : [x]) {
        if (action === undefined) slotActions((wild ? h.aw! : h).get(text), actions);
        if (h.mark !== mark) {
          h.mark = mark;
          holders.push(h);
        }
      }
    };
    this.reverse();
    take(this.grantsAt.get(res), res, false);
    for (const l of this.underLens.keys()) {
      if (l <= res.length) {
        const text = res.slice(0, l);
        take(this.grantsUnder.get(text), text, true);
      }
    }
    // Members reach a holder within maxDepth links: walk down that far.
    if (o.inherited ?? true) {
      let from = 0;
      for (let depth = 0; depth < this.maxDepth && from < holders.length; depth++) {
        const to = holders.length;
        for (let i = from; i < to; i++) {
          for (const m of holders[i].members) {
            if (m.mark !== mark) {
              m.mark = mark;
              holders.push(m);
            }
          }
        }
        from = to;
      }
    }
    const asked = action !== undefined ? [action] : [...actions];
    const out: string[] = [];
    for (const h of holders) if (asked.some((a) => this.decide(h.name, res, a))) out.push(h.name);
    out.sort(compareCodePoints);
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** Rules in force (grants and denies), after expiring what is due. */
  get size(): number {
    this.live('size');
    this.sweep();
    return this.count;
  }

  /** Expires every rule whose TTL has run out now (reported to `onExpire`); returns how many rules remain. */
  purge(): number {
    this.live('purge');
    this.sweep();
    return this.count;
  }

  /** Removes every rule and role link. */
  clear(): void {
    this.live('clear');
    this.wheel.clear();
    this.tree.clear();
    this.ordered = false;
    this.subjects.clear();
    this.grantsAt.clear();
    this.grantsUnder.clear();
    this.underLens.clear();
    this.reversed = false;
    this.count = 0;
    this.ttlCount = 0;
    this.wakeAt = Infinity;
    this.ver++;
  }

  // ---- snapshot ---------------------------------------------------------

  /**
   * The rules and role links as bytes (little-endian, CRC-32 checked): for
   * {@link PermissionIndex.restore}, here or in another process. A TTL is
   * stored as the time it had left, so it keeps running from the restore.
   *
   * Layout: magic, format; a string table (count, total UTF-8 bytes, each
   * string's length in UTF-16 units, then all the UTF-8 bytes, decoded in one
   * pass on restore); rules (subject, resource, action as string indices, an
   * effect byte, the TTL left as a float64); role links (subject and role
   * indices); the CRC-32 of everything before it.
   */
  snapshot(): Uint8Array {
    this.live('snapshot');
    this.sweep();
    const now = this.ttlCount > 0 ? this.now() : 0;
    const strings: string[] = [];
    const actionIds = new Map<string, number>();
    const subjectIds = new Map<Subject, number>();
    const rules: number[] = []; // subject, resource, action, effect per rule
    const ttls: number[] = [];
    const actionId = (a: string): number => {
      let i = actionIds.get(a);
      if (i === undefined) {
        i = strings.length;
        actionIds.set(a, i);
        strings.push(a);
      }
      return i;
    };
    const star: number[] = []; // indices of strings written with a trailing '*'
    const add = (sid: number, m: Map<string, Slot> | null, deny: number, wild: boolean): void => {
      if (m === null) return;
      for (const [text, slot] of m) {
        const rid = strings.length;
        strings.push(text);
        if (wild) star.push(rid);
        if (slot instanceof Map) {
          for (const e of slot.values()) {
            if (typeof e !== 'string' && e.expiresAt <= now) continue;
            rules.push(sid, rid, actionId(actionOf(e)), deny);
            ttls.push(typeof e === 'string' ? Infinity : e.expiresAt - now);
          }
        } else if (typeof slot === 'string' || slot.expiresAt > now) {
          rules.push(sid, rid, actionId(actionOf(slot)), deny);
          ttls.push(typeof slot === 'string' ? Infinity : slot.expiresAt - now);
        }
      }
    };
    for (const s of this.subjects.values()) {
      const sid = strings.length;
      subjectIds.set(s, sid);
      strings.push(s.name);
      add(sid, s, 0, false);
      add(sid, s.aw, 0, true);
      add(sid, s.dx, 1, false);
      add(sid, s.dw, 1, true);
    }
    const links: number[] = [];
    for (const s of this.subjects.values()) for (const role of s.roles) links.push(subjectIds.get(s)!, subjectIds.get(role)!);
    // One string of every name (and each wildcard's '*'), encoded in one pass.
    const parts = new Array<string>(strings.length + star.length);
    for (let i = 0, k = 0, j = 0; i < strings.length; i++) {
      parts[j++] = strings[i];
      if (k < star.length && star[k] === i) {
        parts[j++] = '*';
        k++;
      }
    }
    const utf8 = encoder.encode(parts.join(''));
    const size = 16 + 4 * strings.length + utf8.length + 4 + ttls.length * 21 + 4 + links.length * 4 + 4;
    const out = allocate('PermissionIndex.snapshot', 'the snapshot', Uint8Array, size);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, FORMAT, true);
    dv.setUint32(8, strings.length, true);
    dv.setUint32(12, utf8.length, true);
    let p = 16;
    for (let i = 0, k = 0; i < strings.length; i++) {
      const starred = k < star.length && star[k] === i;
      if (starred) k++;
      dv.setUint32(p, strings[i].length + (starred ? 1 : 0), true);
      p += 4;
    }
    out.set(utf8, p);
    p += utf8.length;
    dv.setUint32(p, ttls.length, true);
    p += 4;
    for (let i = 0; i < ttls.length; i++, p += 21) {
      dv.setUint32(p, rules[4 * i], true);
      dv.setUint32(p + 4, rules[4 * i + 1], true);
      dv.setUint32(p + 8, rules[4 * i + 2], true);
      out[p + 12] = rules[4 * i + 3];
      dv.setFloat64(p + 13, ttls[i], true);
    }
    dv.setUint32(p, links.length / 2, true);
    p += 4;
    for (const x of links) {
      dv.setUint32(p, x, true);
      p += 4;
    }
    dv.setUint32(p, crc32(out, 0, p), true);
    return out;
  }

  /**
   * An index rebuilt from {@link PermissionIndex.snapshot} bytes, with
   * `options` for the new index. Corrupt or truncated bytes are a RangeError
   * naming the offset; nothing is built then.
   */
  static restore(bytes: Uint8Array, options?: PermissionIndexOptions): PermissionIndex {
    const fn = 'PermissionIndex.restore';
    if (!(bytes instanceof Uint8Array)) typeError(fn, 'bytes', `must be a Uint8Array; got ${describe(bytes)}`);
    // A private copy: another thread writing a shared buffer cannot change what was checked.
    const b = bytes.slice();
    const dv = new DataView(b.buffer);
    const bad = (at: number, what: string): never => rangeError(fn, 'bytes', `${what} at offset ${at}`);
    if (b.length < 20) bad(0, `are too short for a snapshot (${b.length} bytes)`);
    const crcAt = b.length - 4;
    if (dv.getUint32(0, true) !== MAGIC) bad(0, 'do not start with a PermissionIndex snapshot header');
    if (dv.getUint32(4, true) !== FORMAT) bad(4, `have format version ${dv.getUint32(4, true)}; this build reads ${FORMAT}`);
    if (crc32(b, 0, crcAt) !== dv.getUint32(crcAt, true)) bad(crcAt, 'fail their CRC-32 check (corrupt or truncated)');
    const nStrings = dv.getUint32(8, true);
    const blob = dv.getUint32(12, true);
    let p = 16;
    if (nStrings > (crcAt - p) / 4) bad(8, `claim ${nStrings} strings, more than the bytes can hold`);
    const lensAt = p;
    p += 4 * nStrings;
    if (blob > crcAt - p) bad(12, `claim ${blob} bytes of strings, more than the bytes hold`);
    let text = '';
    try {
      text = decoder.decode(b.subarray(p, p + blob));
    } catch {
      bad(p, 'hold strings that are not valid UTF-8');
    }
    const strings = new Array<string>(nStrings);
    for (let i = 0, at = 0; i < nStrings; i++) {
      const len = dv.getUint32(lensAt + 4 * i, true);
      if (len > text.length - at) bad(lensAt + 4 * i, `give string ${i} ${len} UTF-16 units, past the end of the string bytes`);
      strings[i] = text.slice(at, at + len);
      at += len;
      if (i === nStrings - 1 && at !== text.length) bad(lensAt + 4 * i, `leave ${text.length - at} UTF-16 units of the string bytes unused`);
    }
    if (nStrings === 0 && text.length > 0) bad(12, 'hold string bytes but no strings');
    p += blob;
    if (p + 4 > crcAt) bad(p, 'are truncated: the rule count missing');
    const nRules = dv.getUint32(p, true);
    p += 4;
    if (nRules > (crcAt - p) / 21) bad(p - 4, `claim ${nRules} rules, more than the bytes can hold`);
    const ruleAt = p;
    p += nRules * 21;
    if (p + 4 > crcAt) bad(p, 'are truncated: the role-link count missing');
    const nLinks = dv.getUint32(p, true);
    p += 4;
    if (nLinks > (crcAt - p) / 8) bad(p - 4, `claim ${nLinks} role links, more than the bytes can hold`);
    const linkAt = p;
    if (p + nLinks * 8 !== crcAt) bad(p + nLinks * 8, 'hold trailing bytes before the checksum');
    const str = (at: number): string => {
      const i = dv.getUint32(at, true);
      if (i >= nStrings) bad(at, `name string ${i} of ${nStrings}`);
      return strings[i];
    };
    const idx = new PermissionIndex(options);
    try {
      const S: string[] = [], R: string[] = [], A: string[] = [], deny: boolean[] = [], ttl: number[] = [];
      for (let i = 0, q = ruleAt; i < nRules; i++, q += 21) {
        const at = (k: number): string => `rule ${i} (offset ${q + k})`;
        S.push(idx.snapName(str(q), at(0), 0));
        R.push(idx.snapName(str(q + 4), at(4), 1));
        A.push(idx.snapName(str(q + 8), at(8), 2));
        if (b[q + 12] > 1) bad(q + 12, `hold effect ${b[q + 12]} in rule ${i}; 0 (allow) or 1 (deny)`);
        deny.push(b[q + 12] === 1);
        const t = dv.getFloat64(q + 13, true);
        if (!(t > 0)) bad(q + 13, `hold a TTL of ${t} ms in rule ${i}; must be > 0 or Infinity`);
        ttl.push(t);
      }
      const links: [string, string][] = [];
      for (let i = 0, q = linkAt; i < nLinks; i++, q += 8) {
        links.push([idx.snapName(str(q), `link ${i} (offset ${q})`, 0), idx.snapName(str(q + 4), `link ${i} (offset ${q + 4})`, 0)]);
      }
      const now = idx.now();
      for (let i = 0; i < nRules; i++) {
        if (ttl[i] !== Infinity && now + ttl[i] > idx.maxTime) bad(ruleAt + i * 21 + 13, `hold a TTL of ${ttl[i]} ms in rule ${i}, beyond the expiry wheel's largest time`);
      }
      const keys: string[] = [], vals: (Rule | 0)[] = [];
      for (let i = 0; i < nRules; i++) {
        if (!idx.upsert(S[i], R[i], A[i], deny[i], ttl[i], now, keys, vals)) bad(ruleAt + i * 21, `repeat rule ${i}`);
      }
      for (let i = 0; i < links.length; i++) {
        const [s, r] = links[i];
        if (s === r) bad(linkAt + i * 8, `link ${JSON.stringify(s)} to itself`);
        idx.addRole(s, r);
      }
    } catch (e) {
      idx.dispose();
      throw e;
    }
    return idx;
  }

  /** A name read from a snapshot, held to the same rules as a grant's; the error names where it was. */
  private snapName(x: string, where: string, kind: 0 | 1 | 2): string {
    try {
      return this.name('restore', 'bytes', x, kind);
    } catch (e) {
      return rangeError('PermissionIndex.restore', 'bytes', `hold an invalid name in ${where}: ${(e as Error).message.replace(/^hotpath\.[\w.]+: bytes /, '')}`);
    }
  }

  // ---- lifetime ---------------------------------------------------------

  /**
   * Structural invariants (maps, ordered index, reverse maps and counts agree); null when they hold.
   * @internal
   */
  checkInvariants(): string | null {
    this.live('checkInvariants');
    if (this.ordered) {
      let n = 0;
      for (const [k, v] of this.tree) {
        n++;
        const [s, r, a, deny] = parseKey(k);
        const rec = this.subjects.get(s);
        if (rec === undefined) return `holder of ${JSON.stringify(k)} is not indexed`;
        const e = this.find(rec, r, a, deny);
        if (v === 0 ? e !== a : e !== v || !v.live) return `rule ${JSON.stringify(k)} does not match its subject's maps`;
      }
      if (n !== this.count) return `the ordered index holds ${n} rules, count says ${this.count}`;
    }
    let m = 0;
    for (const s of this.subjects.values()) {
      const tally = (x: Map<string, Slot> | null, wild: boolean): number => {
        let c = 0;
        if (x === null) return 0;
        for (const [text, slot] of x) {
          c += slot instanceof Map ? slot.size : 1;
          if (this.reversed && x !== s.dx && x !== s.dw) {
            const hs = (wild ? this.grantsUnder : this.grantsAt).get(text);
            if (hs !== s && !(Array.isArray(hs) && hs.includes(s))) c = NaN;
          }
        }
        return c;
      };
      const na = tally(s, false) + tally(s.aw, true);
      const nd = tally(s.dx, false) + tally(s.dw, true);
      if (Number.isNaN(na)) return `a grant of ${JSON.stringify(s.name)} is missing from the reverse maps`;
      if (na !== s.nAllow || nd !== s.nDeny) return `subject ${JSON.stringify(s.name)} counts ${s.nAllow}/${s.nDeny} rules, its maps hold ${na}/${nd}`;
      m += na + nd;
    }
    if (m !== this.count) return `the subjects hold ${m} rules, count says ${this.count}`;
    return this.tree.checkInvariants();
  }

  /** Stops the expiry timer and frees the tiers' memory; any later call throws a TypeError. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.wheel.dispose();
    this.tree.dispose();
    this.subjects.clear();
    this.grantsAt.clear();
    this.grantsUnder.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function view(r: Rule): PermissionRule {
  return { subject: r.holder.name, resource: r.resource, action: r.action, effect: r.deny ? 'deny' : 'allow', expiresAt: r.expiresAt };
}

function fromKey(k: string): PermissionRule {
  const [subject, resource, action, deny] = parseKey(k);
  return { subject, resource, action, effect: deny ? 'deny' : 'allow', expiresAt: Infinity };
}
