// PermissionIndex against two oracles:
// 1. node-casbin (RBAC with deny, keyMatch resources) on random worlds: every
//    check / checkMany decision must agree with enforceSync.
// 2. A naive model (a list of rules with absolute deadlines, role edges, BFS)
//    driven by random sequences of mutations, time steps, snapshot/restore and
//    clear, with a controlled clock and autoPurge off: decisions, size,
//    resourcesOf, subjectsOf, rolesOf, explain, onExpire events and the
//    structural invariants are compared after every step — also with an
//    onExpire that calls back into the index.
import fc from 'fast-check';
import { newEnforcer, newModel, StringAdapter } from 'casbin';
import { RBAC_DENY_KEYMATCH } from '../bench/lib/casbin-model.mjs';
import { describe, expect, it } from 'vitest';
import { PermissionIndex } from '../ts/index.js';
import type { PermissionRule, TierName } from '../ts/index.js';
import { TIERS } from './support/tiers.js';

type Effect = 'allow' | 'deny';

/** keyMatch / PermissionIndex pattern semantics: a trailing `*` covers every resource starting with the text before it. */
function covers(pattern: string, resource: string): boolean {
  return pattern.endsWith('*') ? resource.startsWith(pattern.slice(0, -1)) : pattern === resource;
}

// ---- 1. differential against casbin ---------------------------------------

const CASBIN_MODEL = RBAC_DENY_KEYMATCH;

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const ROLES = ['role:r0', 'role:r1', 'role:r2', 'role:r3'];
// Segments share prefixes ('doc:1' / 'doc:12', 'x' / 'xy') so mid-segment wildcards matter.
const SEGMENTS = ['doc:1', 'doc:2', 'doc:12', 'page:1', 'page:2', 'x', 'xy'];
const ACTIONS = ['read', 'write', 'delete'];

const path = fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 }).map((a) => a.join('/'));
/** About 75% exact resources, the rest trailing-`*` patterns: after a '/', mid-segment, or the bare '*'. */
const pattern: fc.Arbitrary<string> = fc.oneof(
  { weight: 75, arbitrary: path },
  { weight: 12, arbitrary: fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 3 }).map((a) => (a.length === 0 ? '*' : `${a.join('/')}/*`)) },
  { weight: 13, arbitrary: fc.tuple(path, fc.nat()).map(([p, k]) => `${p.slice(0, 1 + (k % p.length))}*`) },
);

interface World {
  rules: { sub: string; obj: string; act: string; eft: Effect }[];
  links: [string, string][];
}

const world: fc.Arbitrary<World> = fc.record({
  rules: fc.uniqueArray(
    fc.record({
      sub: fc.constantFrom(...USERS, ...ROLES),
      obj: pattern,
      act: fc.constantFrom(...ACTIONS, '*'),
      eft: fc.constantFrom<Effect>('allow', 'allow', 'deny'),
    }),
    { minLength: 3, maxLength: 25, size: 'max', selector: (r) => `${r.sub},${r.obj},${r.act},${r.eft}` },
  ),
  // Users into roles, and roles into roles (cycles included); at most 10
  // names, so every reachable role is within 9 links of both limits of 10.
  links: fc
    .tuple(
      fc.uniqueArray(fc.tuple(fc.constantFrom(...USERS), fc.constantFrom(...ROLES)), { maxLength: 6, size: 'max', selector: ([a, b]) => `${a}>${b}` }),
      fc.uniqueArray(fc.tuple(fc.constantFrom(...ROLES), fc.constantFrom(...ROLES)).filter(([a, b]) => a !== b), { maxLength: 4, size: 'max', selector: ([a, b]) => `${a}>${b}` }),
    )
    .map(([a, b]) => [...a, ...b]),
});

/** A request recipe, resolved against the world so that it hits its rules. */
interface Recipe {
  kind: 'exact' | 'under' | 'edge' | 'unrelated';
  pick: number;
  suffix: string;
  /** A random subject, or (when `member` >= 0) the picked rule's holder or a subject reaching it through roles. */
  sub: string;
  member: number;
  act: string;
}

const recipe: fc.Arbitrary<Recipe> = fc.record({
  kind: fc.constantFrom<Recipe['kind']>('exact', 'exact', 'under', 'under', 'edge', 'unrelated'),
  pick: fc.nat(),
  suffix: fc.oneof(fc.constant(''), path, path.map((p) => `/${p}`), fc.constantFrom('1', '2', '/', ':1')),
  sub: fc.constantFrom(...USERS, ...ROLES, 'u9'),
  member: fc.oneof(fc.constant(-1), fc.nat()),
  act: fc.constantFrom(...ACTIONS, 'admin'),
});

function resolve(w: World, r: Recipe): [string, string, string] {
  const { obj, sub: holder } = w.rules[r.pick % w.rules.length];
  let sub = r.sub;
  if (r.member >= 0) {
    // The holder and everything that reaches it (members, members of members, ...).
    const reach = [holder];
    for (let i = 0; i < reach.length; i++) for (const [a, b] of w.links) if (b === reach[i] && !reach.includes(a)) reach.push(a);
    sub = reach[r.member % reach.length];
  }
  const stem = obj.endsWith('*') ? obj.slice(0, -1) : obj;
  let res: string;
  switch (r.kind) {
    case 'exact': res = stem; break; // the resource itself, or the pattern's prefix
    case 'under': res = stem + r.suffix; break;
    case 'edge': res = stem.slice(0, -1) + r.suffix; break; // just outside (or inside) the pattern
    default: res = r.suffix.replace(/^\//, '');
  }
  if (res === '') res = 'x';
  return [sub, res, r.act];
}

async function casbinFor(w: World) {
  const lines = [
    ...w.rules.map((r) => `p, ${r.sub}, ${r.obj}, ${r.act}, ${r.eft}`),
    ...w.links.map(([a, b]) => `g, ${a}, ${b}`),
  ];
  return newEnforcer(newModel(CASBIN_MODEL), new StringAdapter(lines.join('\n')));
}

function indexFor(tier: TierName, w: World): PermissionIndex {
  const ix = new PermissionIndex({ backend: tier, autoPurge: false });
  for (const r of w.rules) {
    const fresh = r.eft === 'allow' ? ix.grant(r.sub, r.obj, r.act) : ix.deny(r.sub, r.obj, r.act);
    expect(fresh).toBe(true);
  }
  for (const [a, b] of w.links) expect(ix.addRole(a, b)).toBe(true);
  return ix;
}

describe.each(TIERS)('PermissionIndex vs casbin (%s tier)', (tier) => {
  it('check, checkMany and explain agree with enforceSync on random RBAC-with-deny worlds', async () => {
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(world, fc.array(recipe, { minLength: 40, maxLength: 80, size: 'max' }), async (w, recipes) => {
        const e = await casbinFor(w);
        const ix = indexFor(tier, w);
        try {
          expect(ix.backend).toBe(tier);
          expect(ix.size).toBe(w.rules.length);
          const reqs = recipes.map((r) => resolve(w, r));
          const want = reqs.map(([s, o, a]) => e.enforceSync(s, o, a));
          for (let i = 0; i < reqs.length; i++) {
            const [s, o, a] = reqs[i];
            const got = ix.check(s, o, a);
            if (got !== want[i]) expect.fail(`check(${s}, ${o}, ${a}) = ${got}, casbin says ${want[i]}`);
            expect(ix.explain(s, o, a).allowed).toBe(got);
          }
          const many = ix.checkMany(reqs.map((q) => q[0]), reqs.map((q) => q[1]), reqs.map((q) => q[2]));
          expect(Array.from(many)).toEqual(want.map(Number));
          // Broadcast columns: one subject and action against every resource.
          const [s0, , a0] = reqs[0];
          const col = ix.checkMany(s0, reqs.map((q) => q[1]), a0);
          expect(Array.from(col)).toEqual(reqs.map(([, o]) => Number(e.enforceSync(s0, o, a0))));
          requests += reqs.length;
          expect(ix.checkInvariants()).toBeNull();
        } finally {
          ix.dispose();
        }
      }),
      { seed: 42, numRuns: 40 },
    );
    expect(requests).toBeGreaterThanOrEqual(40 * 40);
  });
});

// ---- 2. model-based ---------------------------------------------------------

interface MRule {
  subject: string;
  resource: string;
  action: string;
  effect: Effect;
  expiresAt: number;
}

const ruleKey = (s: string, res: string, a: string, e: Effect): string => `${s}\u0000${res}\u0000${a}\u0000${e}`;
const eventKey = (r: { subject: string; resource: string; action: string; effect: Effect; expiresAt: number }): string =>
  `${r.subject} ${r.resource} ${r.action} ${r.effect} @${r.expiresAt}`;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The naive model: rules with absolute deadlines (in force iff expiresAt > now) and role edges. */
class Model {
  rules = new Map<string, MRule>();
  edges = new Map<string, string[]>();
  /** Events onExpire must have reported: every rule that left through its TTL. */
  expired: string[] = [];
  constructor(readonly depth: number) {}

  expire(now: number): void {
    for (const [k, r] of this.rules) {
      if (r.expiresAt <= now) {
        this.rules.delete(k);
        this.expired.push(eventKey(r));
      }
    }
  }
  upsert(subject: string, resource: string, action: string, effect: Effect, ttl: number, now: number): boolean {
    const k = ruleKey(subject, resource, action, effect);
    const expiresAt = ttl === Infinity ? Infinity : now + ttl;
    const old = this.rules.get(k);
    if (old !== undefined) {
      old.expiresAt = expiresAt;
      return false;
    }
    this.rules.set(k, { subject, resource, action, effect, expiresAt });
    return true;
  }
  revoke(subject: string, resource: string, action: string, effect: Effect): boolean {
    return this.rules.delete(ruleKey(subject, resource, action, effect));
  }
  addRole(s: string, r: string): boolean {
    if (s === r) return false;
    const l = this.edges.get(s) ?? [];
    if (l.includes(r)) return false;
    l.push(r);
    this.edges.set(s, l);
    return true;
  }
  removeRole(s: string, r: string): boolean {
    const l = this.edges.get(s);
    const i = l === undefined ? -1 : l.indexOf(r);
    if (i < 0) return false;
    l!.splice(i, 1);
    return true;
  }
  clear(): void {
    this.rules.clear();
    this.edges.clear();
  }
  /** Distance (in links, <= depth) of every subject `s` reaches, itself at 0. */
  closure(s: string): Map<string, number> {
    const dist = new Map([[s, 0]]);
    let frontier = [s];
    for (let d = 1; d <= this.depth && frontier.length > 0; d++) {
      const next: string[] = [];
      for (const x of frontier) {
        for (const r of this.edges.get(x) ?? []) {
          if (!dist.has(r)) {
            dist.set(r, d);
            next.push(r);
          }
        }
      }
      frontier = next;
    }
    return dist;
  }
  covering(s: string, res: string, a: string, effect: Effect, now: number): MRule[] {
    const holders = this.closure(s);
    return [...this.rules.values()].filter(
      (r) => r.effect === effect && r.expiresAt > now && holders.has(r.subject) && covers(r.resource, res) && (r.action === '*' || r.action === a),
    );
  }
  decide(s: string, res: string, a: string, now: number): boolean {
    return this.covering(s, res, a, 'allow', now).length > 0 && this.covering(s, res, a, 'deny', now).length === 0;
  }
  /** `decide` at `now` for a state that does not change meanwhile, memoized (the checks after a step ask it hundreds of times). */
  decider(now: number): (s: string, res: string, a: string) => boolean {
    const memo = new Map<string, boolean>();
    const closures = new Map<string, Map<string, number>>();
    const live = [...this.rules.values()].filter((r) => r.expiresAt > now);
    return (s, res, a) => {
      const k = `${s}\u0000${res}\u0000${a}`;
      let v = memo.get(k);
      if (v === undefined) {
        let holders = closures.get(s);
        if (holders === undefined) closures.set(s, (holders = this.closure(s)));
        let allow = false, deny = false;
        for (const r of live) {
          if (holders.has(r.subject) && (r.action === '*' || r.action === a) && covers(r.resource, res)) {
            if (r.effect === 'deny') deny = true;
            else allow = true;
          }
        }
        memo.set(k, (v = allow && !deny));
      }
      return v;
    };
  }
  subjects(): string[] {
    const out = new Set<string>();
    for (const r of this.rules.values()) out.add(r.subject);
    for (const [s, l] of this.edges) {
      if (l.length > 0) out.add(s);
      for (const r of l) out.add(r);
    }
    return [...out];
  }
}

const M_SUBJECTS = ['u0', 'u1', 'u2', 'r0', 'r1', 'r2'];
const M_ROLES = ['r0', 'r1', 'r2'];
const M_PATTERNS = ['doc:1/*', 'doc:1*', 'doc:1/a', 'doc:1/', 'doc:12', 'doc:2/b', 'doc:2/b/*', '*', 'd*'];
const M_RULE_ACTIONS = ['read', 'write', '*'];
const M_RESOURCES = ['doc:1/a', 'doc:1/', 'doc:1', 'doc:12', 'doc:2/b', 'doc:2/b/c', 'doc:2/b/', 'doc:1/a/b', 'x'];
const M_ACTIONS = ['read', 'write', 'delete'];

type Op =
  | { op: 'grant' | 'deny'; s: string; res: string; a: string; ttl: number | undefined }
  | { op: 'revoke'; s: string; res: string; a: string; effect: Effect | undefined }
  | { op: 'addRole' | 'removeRole'; s: string; r: string }
  | { op: 'grantMany'; n: number; s: string[]; res: string[]; a: string[]; single: [boolean, boolean, boolean]; effect: Effect | undefined; ttl: number | undefined }
  | { op: 'time'; step: number }
  | { op: 'restore' | 'clear' | 'purge' };

const subj = fc.constantFrom(...M_SUBJECTS);
const res = fc.constantFrom(...M_PATTERNS);
const act = fc.constantFrom(...M_RULE_ACTIONS);
// Integers and halves only: remaining TTLs survive snapshot arithmetic exactly.
const ttlArb = (withTtl: boolean): fc.Arbitrary<number | undefined> =>
  withTtl
    ? fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.constantFrom(0.5, 1, 2.5, 10, 25, 50, 100, 150, 400) })
    : fc.constant(undefined);

function opsArb(withTtl: boolean): fc.Arbitrary<Op[]> {
  const arms: { weight: number; arbitrary: fc.Arbitrary<Op> }[] = [
    { weight: 20, arbitrary: fc.record({ op: fc.constant('grant' as const), s: subj, res, a: act, ttl: ttlArb(withTtl) }) },
    { weight: 8, arbitrary: fc.record({ op: fc.constant('deny' as const), s: subj, res, a: act, ttl: ttlArb(withTtl) }) },
    { weight: 8, arbitrary: fc.record({ op: fc.constant('revoke' as const), s: subj, res, a: act, effect: fc.constantFrom<Effect | undefined>(undefined, 'allow', 'deny') }) },
    { weight: 8, arbitrary: fc.record({ op: fc.constant('addRole' as const), s: subj, r: fc.constantFrom(...M_ROLES) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('removeRole' as const), s: subj, r: fc.constantFrom(...M_ROLES) }) },
    {
      weight: 4,
      arbitrary: fc.integer({ min: 1, max: 4 }).chain((n) =>
        fc.record({
          op: fc.constant('grantMany' as const),
          n: fc.constant(n),
          s: fc.array(subj, { minLength: n, maxLength: n }),
          res: fc.array(res, { minLength: n, maxLength: n }),
          a: fc.array(act, { minLength: n, maxLength: n }),
          single: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
          effect: fc.constantFrom<Effect | undefined>(undefined, 'allow', 'deny'),
          ttl: ttlArb(withTtl),
        }),
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom({ op: 'restore' as const }, { op: 'purge' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  ];
  if (withTtl) arms.push({ weight: 12, arbitrary: fc.record({ op: fc.constant('time' as const), step: fc.constantFrom(0, 0.5, 1, 10, 25, 50, 100, 200) }) });
  return fc.array(fc.oneof(...arms), { minLength: 1, maxLength: 40, size: 'max' });
}

const ruleView = (r: PermissionRule | MRule): string => `${r.resource} ${r.action} ${r.effect} @${r.expiresAt}`;

/**
 * Runs `ops` on a fresh index of `tier` and on the model, comparing after every
 * step. With `reentrant`, onExpire calls back into the index (grant, revoke,
 * deny, addRole, size, check) and the same calls go to the model.
 */
function runModel(tier: TierName, ops: Op[], depth: number, reentrant: boolean): void {
  let now = 3;
  const model = new Model(depth);
  const reported: string[] = [];
  const clock = () => now;
  let ix: PermissionIndex;
  const onExpire = (r: PermissionRule): void => {
    // Never early, and reported after the rule left the index.
    if (!(r.expiresAt <= now)) expect.fail(`onExpire(${eventKey(r)}) at ${now}: before its deadline`);
    reported.push(eventKey(r));
    if (!reentrant) return;
    expect(ix.checkInvariants()).toBeNull();
    if (r.effect === 'deny') {
      // Time moves on inside the callback: the calls below expire more rules
      // while this one is being reported (they are reported after it).
      now += 5;
      model.expire(now);
    }
    expect(ix.resourcesOf(r.subject, { effect: 'any', inherited: false }).map(ruleView)).not.toContain(ruleView(r));
    if (r.action === 'read') {
      // A follow-up grant with a TTL of its own (due at a later sweep, reported then).
      const ttl = r.effect === 'allow' ? 40 : Infinity;
      expect(ix.grant(r.subject, 'doc:2/b', 'write', ttl === Infinity ? undefined : { ttlMs: ttl })).toBe(model.upsert(r.subject, 'doc:2/b', 'write', 'allow', ttl, now));
      expect(ix.revoke(r.subject, 'doc:1/a', 'read', { effect: 'deny' })).toBe(model.revoke(r.subject, 'doc:1/a', 'read', 'deny'));
    } else if (r.action === 'write') {
      expect(ix.revoke(r.subject, 'doc:1/*', 'read')).toBe(model.revoke(r.subject, 'doc:1/*', 'read', 'allow'));
      expect(ix.deny(r.subject, 'doc:12', '*', { ttlMs: 25 })).toBe(model.upsert(r.subject, 'doc:12', '*', 'deny', 25, now));
    } else if (r.resource === '*') {
      // Everything goes, the rules still waiting to be reported included (they are reported all the same).
      ix.clear();
      model.clear();
    } else {
      expect(ix.addRole(r.subject, 'r1')).toBe(model.addRole(r.subject, 'r1'));
      expect(ix.grant('r1', r.resource, 'read')).toBe(model.upsert('r1', r.resource, 'read', 'allow', Infinity, now));
    }
    // Queries from inside the callback see the index as the model has it now.
    expect(ix.size).toBe(model.rules.size);
    for (const s of M_SUBJECTS) expect(ix.check(s, 'doc:2/b', 'write')).toBe(model.decide(s, 'doc:2/b', 'write', now));
  };
  const options = { backend: tier, clock, autoPurge: false, onExpire, maxRoleDepth: depth };
  ix = new PermissionIndex(options);
  const grid: [string, string, string][] = [];
  for (const s of M_SUBJECTS) for (const r of M_RESOURCES) for (const a of M_ACTIONS) grid.push([s, r, a]);
  const ttlOpt = (ttl: number | undefined) => (ttl === undefined ? undefined : { ttlMs: ttl });

  const verify = (step: number, op: Op): void => {
    // Plain comparisons, and expect() only on a mismatch: this runs thousands of times.
    const at = (what: string) => `${what} after step ${step} ${JSON.stringify(op)} (now ${now})`;
    const eq = (got: unknown, want: unknown, what: string): void => {
      if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, at(what)).toEqual(want);
    };
    const ok = (cond: boolean, what: string): void => {
      if (!cond) expect.fail(at(what));
    };
    eq(ix.size, model.rules.size, 'size'); // sweeps: every due rule is reported by now
    eq([...reported].sort(), [...model.expired].sort(), 'onExpire events');
    eq(ix.checkInvariants(), null, 'checkInvariants()');
    // Decisions: check, checkMany and explain on the whole request grid.
    const decide = model.decider(now);
    const want = grid.map(([s, r, a]) => decide(s, r, a));
    for (let i = 0; i < grid.length; i++) {
      const [s, r, a] = grid[i];
      if (ix.check(s, r, a) !== want[i]) expect.fail(at(`check(${s}, ${r}, ${a}) = ${!want[i]}, model says ${want[i]}`));
    }
    eq(Array.from(ix.checkMany(grid.map((g) => g[0]), grid.map((g) => g[1]), grid.map((g) => g[2]))), want.map(Number), 'checkMany');
    for (let i = 0; i < grid.length; i += 5) {
      const [s, r, a] = grid[i];
      const ex = ix.explain(s, r, a);
      const what = `explain(${s}, ${r}, ${a}) = ${JSON.stringify(ex)}`;
      ok(ex.allowed === want[i], what);
      const denies = model.covering(s, r, a, 'deny', now), grants = model.covering(s, r, a, 'allow', now);
      if (denies.length > 0) ok(ex.rule !== null && denies.some((d) => ruleView(d) === ruleView(ex.rule!) && d.subject === ex.rule!.subject), what);
      else if (grants.length > 0) ok(ex.rule !== null && grants.some((g) => ruleView(g) === ruleView(ex.rule!) && g.subject === ex.rule!.subject), what);
      else eq(ex, { allowed: false, rule: null, via: [] }, what);
      if (ex.rule !== null) {
        const v = ex.via;
        ok(v[0] === s && v[v.length - 1] === ex.rule.subject && v.length - 1 <= depth, `${what}: via`);
        for (let k = 1; k < v.length; k++) ok((model.edges.get(v[k - 1]) ?? []).includes(v[k]), `${what}: via link ${v[k - 1]} -> ${v[k]}`);
      }
    }
    for (const s of M_SUBJECTS) {
      // Own rules, both effects, as a set; listed in (resource, action, effect) order.
      const own = ix.resourcesOf(s, { effect: 'any', inherited: false });
      const ownWant = [...model.rules.values()].filter((r) => r.subject === s);
      eq(own.map(ruleView).sort(), ownWant.map(ruleView).sort(), `resourcesOf(${s}, own)`);
      ok(own.every((r) => r.subject === s), `resourcesOf(${s}, own): holders`);
      for (let k = 1; k < own.length; k++) {
        const x = own[k - 1], y = own[k];
        ok((cmp(x.resource, y.resource) || cmp(x.action, y.action) || cmp(x.effect, y.effect)) < 0, `resourcesOf(${s}, own): order`);
      }
      // Default: grants of the subject and its roles, by resource, action, holder.
      const holders = model.closure(s);
      const inh = [...model.rules.values()]
        .filter((r) => r.effect === 'allow' && holders.has(r.subject))
        .sort((x, y) => cmp(x.resource, y.resource) || cmp(x.action, y.action) || cmp(x.subject, y.subject));
      eq(ix.resourcesOf(s).map((r) => `${r.subject} ${ruleView(r)}`), inh.map((r) => `${r.subject} ${ruleView(r)}`), `resourcesOf(${s})`);
      // Roles: direct ones, and every role within `depth` links, nearest first.
      eq([...ix.rolesOf(s)].sort(), [...(model.edges.get(s) ?? [])].sort(), `rolesOf(${s})`);
      const all = ix.rolesOf(s, { inherited: true });
      holders.delete(s);
      eq([...all].sort(), [...holders.keys()].sort(), `rolesOf(${s}, inherited)`);
      for (let k = 1; k < all.length; k++) ok(holders.get(all[k])! >= holders.get(all[k - 1])!, `rolesOf(${s}, inherited): nearest first`);
    }
    const known = model.subjects();
    for (const r of M_RESOURCES) {
      for (const a of M_ACTIONS) eq(ix.subjectsOf(r, { action: a }), known.filter((s) => decide(s, r, a)).sort(cmp), `subjectsOf(${r}, ${a})`);
      const named = new Set([...model.rules.values()].filter((g) => g.effect === 'allow' && g.expiresAt > now && covers(g.resource, r)).map((g) => g.action));
      eq(ix.subjectsOf(r), known.filter((s) => [...named].some((a) => decide(s, r, a))).sort(cmp), `subjectsOf(${r})`);
    }
  };

  try {
    ops.forEach((op, step) => {
      switch (op.op) {
        case 'grant':
        case 'deny': {
          const got = op.op === 'grant' ? ix.grant(op.s, op.res, op.a, ttlOpt(op.ttl)) : ix.deny(op.s, op.res, op.a, ttlOpt(op.ttl));
          expect(got, `${op.op} at step ${step}`).toBe(model.upsert(op.s, op.res, op.a, op.op === 'grant' ? 'allow' : 'deny', op.ttl ?? Infinity, now));
          break;
        }
        case 'revoke':
          expect(ix.revoke(op.s, op.res, op.a, op.effect === undefined ? undefined : { effect: op.effect }), `revoke at step ${step}`).toBe(model.revoke(op.s, op.res, op.a, op.effect ?? 'allow'));
          break;
        case 'addRole':
          expect(ix.addRole(op.s, op.r)).toBe(model.addRole(op.s, op.r));
          break;
        case 'removeRole':
          expect(ix.removeRole(op.s, op.r)).toBe(model.removeRole(op.s, op.r));
          break;
        case 'grantMany': {
          const col = (xs: string[], single: boolean) => (single ? xs[0] : xs);
          const n = op.single.every(Boolean) ? 1 : op.n;
          const o: { effect?: Effect; ttlMs?: number } = {};
          if (op.effect !== undefined) o.effect = op.effect;
          if (op.ttl !== undefined) o.ttlMs = op.ttl;
          const got = ix.grantMany(col(op.s, op.single[0]), col(op.res, op.single[1]), col(op.a, op.single[2]), o);
          let fresh = 0;
          for (let i = 0; i < n; i++) {
            const pick = (xs: string[], single: boolean) => (single ? xs[0] : xs[i]);
            if (model.upsert(pick(op.s, op.single[0]), pick(op.res, op.single[1]), pick(op.a, op.single[2]), op.effect ?? 'allow', op.ttl ?? Infinity, now)) fresh++;
          }
          expect(got, `grantMany at step ${step}`).toBe(fresh);
          break;
        }
        case 'time':
          now += op.step;
          model.expire(now);
          break;
        case 'purge':
          expect(ix.purge()).toBe(model.rules.size);
          break;
        case 'restore': {
          const bytes = ix.snapshot();
          const next = PermissionIndex.restore(bytes, options);
          ix.dispose();
          ix = next;
          expect(ix.backend).toBe(tier);
          break;
        }
        case 'clear':
          ix.clear();
          model.clear();
          break;
      }
      verify(step, op);
    });
  } finally {
    ix.dispose();
  }
}

describe.each(TIERS)('PermissionIndex against a naive model (%s tier)', (tier) => {
  it('without TTLs, at role depth limits 0, 1, 2 and 10', () => {
    fc.assert(fc.property(opsArb(false), fc.constantFrom(0, 1, 2, 10), (ops, depth) => runModel(tier, ops, depth, false)), { seed: 7, numRuns: 40 });
  });

  it('with TTLs and a controlled clock: expiry, renewal, onExpire exactly once, snapshot/restore', () => {
    fc.assert(fc.property(opsArb(true), (ops) => runModel(tier, ops, 10, false)), { seed: 11, numRuns: 60 });
  });

  it('onExpire may call back into the index (grant, deny, revoke, addRole, queries) and it stays consistent', () => {
    fc.assert(fc.property(opsArb(true), (ops) => runModel(tier, ops, 10, true)), { seed: 13, numRuns: 40 });
  });

  it('a TTL counts from the clock at the grant, whatever other rules are pending (pinned case)', () => {
    let now = 0;
    const seen: string[] = [];
    const ix = new PermissionIndex({ backend: tier, clock: () => now, autoPurge: false, onExpire: (r) => seen.push(`${r.subject}@${now}`) });
    try {
      ix.grant('a', 'doc', 'read', { ttlMs: 100 }); // due at 100
      now = 50;
      ix.grant('b', 'doc', 'read', { ttlMs: 100 }); // due at 150
      now = 120;
      expect(ix.check('a', 'doc', 'read')).toBe(false);
      expect(ix.check('b', 'doc', 'read')).toBe(true);
      expect(ix.size).toBe(1);
      expect(seen).toEqual(['a@120']);
      expect(ix.check('b', 'doc', 'read')).toBe(true);
      expect(ix.resourcesOf('b').map((r) => r.expiresAt)).toEqual([150]);
      now = 150;
      expect(ix.size).toBe(0);
      expect(seen).toEqual(['a@120', 'b@150']);
    } finally {
      ix.dispose();
    }
  });

  it('re-granting renews the TTL from the clock at the re-grant (pinned case)', () => {
    let now = 0;
    const seen: number[] = [];
    const ix = new PermissionIndex({ backend: tier, clock: () => now, autoPurge: false, onExpire: () => seen.push(now) });
    try {
      expect(ix.grant('a', 'doc', 'read', { ttlMs: 100 })).toBe(true);
      now = 60;
      expect(ix.grant('a', 'doc', 'read', { ttlMs: 100 })).toBe(false); // now due at 160
      now = 130;
      expect(ix.size).toBe(1);
      expect(ix.check('a', 'doc', 'read')).toBe(true);
      expect(seen).toEqual([]);
      now = 160;
      expect(ix.size).toBe(0);
      expect(seen).toEqual([160]);
    } finally {
      ix.dispose();
    }
  });
});
