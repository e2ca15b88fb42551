// npm run bench:permissions [-- --quick]: PermissionIndex beside its peers, in
// one process run (memory rows each in a fresh `node --expose-gc` child):
//  - check(subject, resource, action) in ns per check on four request mixes
//    (exact hit, wildcard hit, role hit, miss) over a seeded RBAC workload of
//    10^4 users and 100 roles, at 10^4 / 10^5 / 10^6 rules; beside a JS Set of
//    `sub|res|act` strings (exact hits only: a Set knows no wildcards, roles or
//    denies) and node-casbin's enforceSync (RBAC with deny + keyMatch) at
//    10^4 and 10^5 policies, whose answers must agree with ours;
//  - checkMany of 10^4 mixed requests against a loop of check;
//  - grantMany of 10^6 rules against a loop of grant/deny, snapshot() and
//    PermissionIndex.restore() of 10^6 rules, snapshot bytes per rule;
//  - bytes per rule (RSS and V8 heap deltas) of PermissionIndex, casbin and a Set.
// Repetitions of the peers are interleaved; times are the best repetition
// (median kept in the JSON). Writes bench/results/permissions.{json,md}
// (permissions-quick.* with --quick) and, when README.md has the
// bench:permissions markers, puts the table there (scripts/readme-bench.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib/data.mjs';
import { RBAC_DENY_KEYMATCH } from './lib/casbin-model.mjs';

const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');

// The check rows hold up to four 10^6-rule indexes at once: run with room, and gc for the memory rows.
if (typeof globalThis.gc !== 'function') {
  try {
    execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=12288', self, ...argv], { stdio: 'inherit' });
  } catch (e) {
    process.exit(e.status ?? 1);
  }
  process.exit(0);
}

const hp = await import('../dist/index.js');
const { PermissionIndex } = hp;

// ---- workload --------------------------------------------------------------

const USERS = 10_000;
const ROLES = 100;
const ORGS = 1000;
const ACTIONS = ['read', 'write', 'comment', 'share', 'delete', 'admin'];
const ACTION_W = [0.4, 0.25, 0.15, 0.1, 0.07, 0.03];
const ROLE_SHARE = 0.05; // of the rules, held by roles
const ROLE_WILD = 0.4; // of role rules, wildcards
const USER_WILD = (0.1 - ROLE_SHARE * ROLE_WILD) / (1 - ROLE_SHARE); // so that 10% of all rules are wildcards
const DENY_SHARE = 0.01;
const STAR_ACTION = 0.01;

const userName = (i) => `user:${i}`;
const roleName = (j) => `role:${j}`;

/**
 * Rules of a seeded workload of N rules (1% denies): columns for grantMany,
 * role links, and per-holder rule lists for building requests.
 */
function workload(N, seed = 1) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pickAction = () => {
    const u = rnd();
    let acc = 0;
    for (let i = 0; i < ACTIONS.length; i++) if (u < (acc += ACTION_W[i])) return ACTIONS[i];
    return ACTIONS[0];
  };
  const homes = (k, extra) => Array.from({ length: 1 + int(k) + extra }, () => int(ORGS));
  const userHomes = Array.from({ length: USERS }, () => homes(3, 0));
  const roleHomes = Array.from({ length: ROLES }, () => homes(5, 0));
  // Role links: 1-3 roles per user, popular roles more likely.
  const userRoles = Array.from({ length: USERS }, () => {
    const k = 1 + int(3), out = new Set();
    while (out.size < k) out.add(Math.floor(ROLES * rnd() ** 2));
    return [...out];
  });
  const links = [];
  for (let i = 0; i < USERS; i++) for (const j of userRoles[i]) links.push([userName(i), roleName(j)]);
  const segs = (org, depth) => {
    const s = [`org:${org}`, `proj:${int(1000)}`];
    if (depth >= 3) s.push(`doc:${int(10000)}`);
    if (depth >= 4) s.push(`rev:${int(100)}`);
    return s;
  };
  const seen = new Set();
  const allow = { S: [], R: [], A: [] }, deny = { S: [], R: [], A: [] };
  /** holder name -> indices into allow of its grants */
  const grantsOf = new Map();
  const nDeny = Math.round(N * DENY_SHARE);
  const nAllow = N - nDeny;
  while (allow.S.length < nAllow) {
    const isRole = rnd() < ROLE_SHARE;
    const h = isRole ? int(ROLES) : int(USERS);
    const name = isRole ? roleName(h) : userName(h);
    const hs = isRole ? roleHomes[h] : userHomes[h];
    const org = rnd() < 0.9 ? hs[int(hs.length)] : int(ORGS);
    let res;
    if (rnd() < (isRole ? ROLE_WILD : USER_WILD)) {
      // Cut at depth 1 (org), 2 (project) or 3 (document).
      const u = rnd();
      const cut = isRole ? (u < 0.1 ? 1 : u < 0.7 ? 2 : 3) : (u < 0.1 ? 1 : u < 0.6 ? 2 : 3);
      res = `${segs(org, 4).slice(0, cut).join('/')}/*`;
    } else {
      res = segs(org, 2 + int(3)).join('/');
    }
    const act = rnd() < STAR_ACTION ? '*' : pickAction();
    const key = `${name}\u0000${res}\u0000${act}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let l = grantsOf.get(name);
    if (l === undefined) grantsOf.set(name, (l = []));
    l.push(allow.S.length);
    allow.S.push(name);
    allow.R.push(res);
    allow.A.push(act);
  }
  // Denies: half of them carve into a grant the holder has (the same resource
  // or a deeper wildcard under it), the rest land on random resources.
  const dseen = new Set();
  while (deny.S.length < nDeny) {
    const isRole = rnd() < 0.2;
    const name = isRole ? roleName(int(ROLES)) : userName(int(USERS));
    const mine = grantsOf.get(name);
    let res, act;
    if (mine !== undefined && rnd() < 0.5) {
      const g = mine[int(mine.length)];
      const r = allow.R[g];
      res = r.endsWith('*') ? `${r.slice(0, -1)}${segs(0, 4)[r.split('/').length - 1] ?? 'x:1'}/*` : r;
      act = rnd() < 0.2 ? '*' : allow.A[g] === '*' ? pickAction() : allow.A[g];
    } else {
      const hs = isRole ? roleHomes[Number(name.slice(5))] : userHomes[Number(name.slice(5))];
      const s = segs(hs[int(hs.length)], 2 + int(3));
      res = rnd() < 0.3 ? `${s.slice(0, 2).join('/')}/*` : s.join('/');
      act = pickAction();
    }
    const key = `${name}\u0000${res}\u0000${act}`;
    if (dseen.has(key)) continue;
    dseen.add(key);
    deny.S.push(name);
    deny.R.push(res);
    deny.A.push(act);
  }
  return { N, allow, deny, links, userRoles, userHomes, grantsOf, seed };
}

/** An independent reference decision (probes `prefix/*` at each '/' of the resource), for building and verifying the mixes. */
function reference(w) {
  const rules = new Map(); // subject -> { allow: Map(res -> Set(act)), deny: ... }
  const add = (col, eff) => {
    for (let i = 0; i < col.S.length; i++) {
      let s = rules.get(col.S[i]);
      if (s === undefined) rules.set(col.S[i], (s = { allow: new Map(), deny: new Map() }));
      let acts = s[eff].get(col.R[i]);
      if (acts === undefined) s[eff].set(col.R[i], (acts = new Set()));
      acts.add(col.A[i]);
    }
  };
  add(w.allow, 'allow');
  add(w.deny, 'deny');
  const covers = (m, res, act) => {
    const hit = (k) => {
      const a = m.get(k);
      return a !== undefined && (a.has(act) || a.has('*'));
    };
    if (hit(res)) return true;
    for (let p = res.indexOf('/'); p >= 0; p = res.indexOf('/', p + 1)) if (hit(`${res.slice(0, p + 1)}*`)) return true;
    return false;
  };
  const closure = (sub) => {
    const i = sub.startsWith('user:') ? Number(sub.slice(5)) : -1;
    return i >= 0 ? [sub, ...w.userRoles[i].map(roleName)] : [sub];
  };
  const any = (subs, eff, res, act) => subs.some((s) => rules.has(s) && covers(rules.get(s)[eff], res, act));
  return {
    decide: (sub, res, act) => {
      const c = closure(sub);
      return any(c, 'allow', res, act) && !any(c, 'deny', res, act);
    },
    own: (sub, res, act) => any([sub], 'allow', res, act),
  };
}

/** The four request mixes of K requests each, and a shuffled mix of all four. */
function mixes(w, ref, K, seed = 7) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const { allow, deny } = w;
  const userExact = [], userWild = [];
  for (let i = 0; i < allow.S.length; i++) {
    if (!allow.S[i].startsWith('user:')) continue;
    (allow.R[i].endsWith('*') ? userWild : userExact).push(i);
  }
  const concrete = (act) => (act === '*' ? ACTIONS[int(ACTIONS.length)] : act);
  const extend = (pattern) => {
    // A concrete resource under `prefix/*`, one or two levels deeper.
    const p = pattern.slice(0, -1);
    const depth = p.split('/').length - 1;
    const next = [`proj:${int(1000)}`, `doc:${int(10000)}`, `rev:${int(100)}`, `page:${int(50)}`];
    const take = 1 + int(Math.min(2, 4 - depth));
    return p + next.slice(depth - 1, depth - 1 + take).join('/');
  };
  const fill = (gen, want) => {
    const S = [], R = [], A = [];
    let tries = 0;
    while (S.length < K) {
      if (++tries > K * 200) throw new Error(`could not build the mix (${S.length}/${K})`);
      const q = gen();
      if (q === null || ref.decide(q[0], q[1], q[2]) !== want) continue;
      S.push(q[0]); R.push(q[1]); A.push(q[2]);
    }
    return { S, R, A };
  };
  const out = {};
  // Grants naming the action itself (not `*`), so a Set of the grants holds each request's key.
  const userExactNamed = userExact.filter((g) => allow.A[g] !== '*');
  out.exact = fill(() => {
    const g = userExactNamed[int(userExactNamed.length)];
    return [allow.S[g], allow.R[g], allow.A[g]];
  }, true);
  out.wildcard = fill(() => {
    if (userWild.length === 0) return null;
    const g = userWild[int(userWild.length)];
    return [allow.S[g], extend(allow.R[g]), concrete(allow.A[g])];
  }, true);
  out.role = fill(() => {
    const u = int(USERS);
    const roles = w.userRoles[u];
    const mine = w.grantsOf.get(roleName(roles[int(roles.length)]));
    if (mine === undefined) return null;
    // Wildcards first (most role grants a user meets are patterns): 3 in 4 picks take one.
    let g = mine[int(mine.length)];
    if (rnd() < 0.75) for (let t = 0; t < 8 && !allow.R[g].endsWith('*'); t++) g = mine[int(mine.length)];
    const q = [userName(u), allow.R[g].endsWith('*') ? extend(allow.R[g]) : allow.R[g], concrete(allow.A[g])];
    return ref.own(q[0], q[1], q[2]) ? null : q; // covered only through the role
  }, true);
  const userDeny = [];
  for (let i = 0; i < deny.S.length; i++) if (deny.S[i].startsWith('user:')) userDeny.push(i);
  out.miss = fill(() => {
    const u = rnd();
    if (u < 0.2 && userDeny.length > 0) {
      // Denied: a request a user's deny covers (often also granted).
      const d = userDeny[int(userDeny.length)];
      return [deny.S[d], deny.R[d].endsWith('*') ? extend(deny.R[d]) : deny.R[d], concrete(deny.A[d])];
    }
    if (u < 0.4) {
      // The user's own exact resource with an action it lacks.
      const g = userExact[int(userExact.length)];
      return [allow.S[g], allow.R[g], ACTIONS[int(ACTIONS.length)]];
    }
    // Some resource in the user's home orgs.
    const i = int(USERS), hs = w.userHomes[i];
    const depth = 2 + int(3);
    const s = [`org:${hs[int(hs.length)]}`, `proj:${int(1000)}`, `doc:${int(10000)}`, `rev:${int(100)}`].slice(0, depth);
    return [userName(i), s.join('/'), ACTIONS[int(ACTIONS.length)]];
  }, false);
  // All four, interleaved at random.
  const mixed = { S: [], R: [], A: [] };
  const names = ['exact', 'wildcard', 'role', 'miss'];
  const at = [0, 0, 0, 0];
  for (let i = 0; i < K; i++) {
    const m = int(4);
    const src = out[names[m]], j = at[m]++;
    mixed.S.push(src.S[j]); mixed.R.push(src.R[j]); mixed.A.push(src.A[j]);
  }
  out.mixed = mixed;
  return out;
}

function buildIndex(w, backend) {
  const idx = new PermissionIndex({ backend, autoPurge: false });
  idx.grantMany(w.allow.S, w.allow.R, w.allow.A);
  idx.grantMany(w.deny.S, w.deny.R, w.deny.A, { effect: 'deny' });
  for (const [s, r] of w.links) idx.addRole(s, r);
  return idx;
}

const MODEL = RBAC_DENY_KEYMATCH;

function casbinLines(w) {
  const lines = [];
  for (let i = 0; i < w.allow.S.length; i++) lines.push(`p, ${w.allow.S[i]}, ${w.allow.R[i]}, ${w.allow.A[i]}, allow`);
  for (let i = 0; i < w.deny.S.length; i++) lines.push(`p, ${w.deny.S[i]}, ${w.deny.R[i]}, ${w.deny.A[i]}, deny`);
  for (const [s, r] of w.links) lines.push(`g, ${s}, ${r}`);
  return lines.join('\n');
}

async function buildCasbin(w) {
  const casbin = await import('casbin');
  const text = casbinLines(w);
  return casbin.newEnforcer(casbin.newModel(MODEL), new casbin.StringAdapter(text));
}

// ---- memory child ------------------------------------------------------------

if (argv[0] === '--child') {
  const [, what, nArg] = argv;
  const N = Number(nArg);
  const snap = () => {
    for (let i = 0; i < 3; i++) globalThis.gc();
    const u = process.memoryUsage();
    return { rss: u.rss, heap: u.heapUsed, ext: u.external + u.arrayBuffers };
  };
  const before = snap();
  let w = workload(N);
  let keep, rules = N;
  if (what.startsWith('PermissionIndex')) {
    keep = buildIndex(w, what.split(' ')[1].replace(',', ''));
    // The ordered view and the reverse maps may be built lazily, on the first query that needs them.
    if (what.includes('queried')) {
      keep.resourcesOf(w.allow.S[0], { limit: 1 });
      keep.subjectsOf(w.allow.R[0], { limit: 1 });
    }
    rules = keep.size;
  } else if (what === 'casbin') {
    keep = await buildCasbin(w);
  } else if (what === 'Set') {
    keep = new Set();
    for (let i = 0; i < w.allow.S.length; i++) keep.add(`${w.allow.S[i]}|${w.allow.R[i]}|${w.allow.A[i]}`);
    for (let i = 0; i < w.deny.S.length; i++) keep.add(`${w.deny.S[i]}|${w.deny.R[i]}|${w.deny.A[i]}`);
  } else throw new Error(`unknown memory variant ${what}`);
  w = null;
  const after = snap();
  console.log(JSON.stringify({
    what, n: N, rules, keep: typeof keep, dist: statSync(new URL('../dist/api/permission-index.js', import.meta.url)).mtimeMs,
    rssPerRule: (after.rss - before.rss) / rules,
    heapPerRule: (after.heap - before.heap) / rules,
    extPerRule: (after.ext - before.ext) / rules,
  }));
  process.exit(0);
}

// ---- timing -------------------------------------------------------------------

const REPS = quick ? 3 : 7;
const K = 10_000;
const SIZES = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const CASBIN_SIZES = quick ? [10_000] : [10_000, 100_000];
const BULK_N = quick ? 100_000 : 1_000_000;
const TIERS = ['native', 'wasm', 'js'].filter((t) => hp.backend().tiers[t].loaded);
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
// Which PermissionIndex this measured: the commit, and whether its source differs from it.
const git = (...a) => {
  try {
    return execFileSync('git', a, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const distFile = new URL('../dist/api/permission-index.js', import.meta.url);
const distStamp = () => (existsSync(distFile) ? statSync(distFile).mtimeMs : null);
const source = { commit: git('rev-parse', '--short', 'HEAD'), dirty: (git('status', '--porcelain', '--', 'ts/api/permission-index.ts') ?? '') !== '', dist: distStamp() };
const log = (...a) => console.error(`[${(performance.now() / 1000).toFixed(1)}s]`, ...a);
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times each contender `reps` times, interleaved (rep 1 of each, then rep 2, ...):
 * { name: { best, median } } in ms per call of fn.
 */
function interleaved(contenders, reps = REPS, setup) {
  const t = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < reps; r++) {
    for (const [k, fn] of Object.entries(contenders)) {
      const arg = setup ? setup(k) : undefined;
      const t0 = performance.now();
      fn(arg);
      t[k].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { best: Math.min(...v), median: median(v), reps: v.length }]));
}

let sink = 0;
const PASSES = 5; // passes over the K requests per timed repetition (a few ms each)
const checkLoop = (idx, q, passes = PASSES) => () => {
  const { S, R, A } = q;
  let c = 0;
  for (let p = 0; p < passes; p++) for (let i = 0; i < S.length; i++) if (idx.check(S[i], R[i], A[i])) c++;
  sink += c;
};
const nsPer = (ms, n) => (ms * 1e6) / n;

/** Fresh copies of the request strings (as parsed off a request: no cached hash), for a timed pass each. */
const fresh = (a) => a.map((s) => s.split('').join(''));

/**
 * How much work the decisions of a request mix take, read off the index's
 * internals (private, so layout-dependent: null when the layout is not the
 * one this knows). Per request: subjects whose rules are consulted, map
 * probes (1 exact lookup + 1 per wildcard prefix length <= |resource|, an
 * upper bound within the subject that covers), of them on a sliced prefix,
 * and whether the own-exact fast path (no deny in the subject's closure) applies.
 */
function probeStats(idx, x) {
  const subjects = idx.subjects;
  const sample = subjects?.values().next().value;
  if (sample === undefined || typeof sample.nAllow !== 'number' || !('alens' in sample) || typeof idx.covering !== 'function') return { probes: null };
  let probes = 0, slices = 0, visited = 0, fast = 0, denyPass = 0, lensSum = 0, lensN = 0;
  /** How covering() probes one wildcard map: a list of prefixes for startsWith (newer layout, few prefixes) or prefix lengths. */
  const plan = (m, deny) => {
    const w = deny ? m.dw : m.aw;
    if (w === null || w.size === 0) return { list: [], lens: [] };
    const list = 'alist' in m ? (deny ? m.dlist : m.alist) : undefined;
    if (list && list.length > 0) return { list, lens: [] };
    let lens = deny ? m.dlens : m.alens;
    if (!lens || lens.length === 0) lens = [...new Set([...w.keys()].map((k) => k.length))].sort((p, q) => p - q);
    return { list: [], lens };
  };
  const pass = (m, deny, n) => {
    visited++;
    const ex = deny ? m.dx : m;
    if (ex !== null && ex.size > 0) probes++;
    const { list, lens } = plan(m, deny);
    probes += list.length; // startsWith tests
    for (const l of lens) {
      if (l > n) break;
      probes++;
      if (l < n) slices++;
    }
  };
  for (let i = 0; i < x.S.length; i++) {
    const rec = subjects.get(x.S[i]);
    if (rec === undefined) continue;
    const members = idx.closureOf(rec);
    idx.checkNow = -1;
    const n = x.R[i].length;
    if (!rec.closureDeny) fast++;
    let allowed = false;
    for (const m of members) {
      if (m.nAllow === 0) continue;
      const hit = idx.covering(m, false, x.R[i], x.A[i]) !== undefined; // first: it refreshes a stale probe plan
      pass(m, false, n);
      if (hit) {
        allowed = true;
        break;
      }
    }
    if (allowed && rec.closureDeny) {
      denyPass++;
      for (const m of Array.isArray(rec.denyHolders) ? rec.denyHolders : members) {
        if (m.nDeny === 0) continue;
        const hit = idx.covering(m, true, x.R[i], x.A[i]) !== undefined;
        pass(m, true, n);
        if (hit) break;
      }
    }
  }
  for (const s of new Set(x.S)) {
    const rec = subjects.get(s);
    if (rec) for (const m of idx.closureOf(rec)) { const p = plan(m, false); lensSum += p.list.length + p.lens.length; lensN++; }
  }
  const k = x.S.length;
  return {
    probes: probes / k, sliced: slices / k, subjectsVisited: visited / k,
    fastPathEligible: fast / k, denyPassShare: denyPass / k,
    wildcardLengthsPerSubject: lensSum / Math.max(1, lensN),
  };
}

const rows = []; // { section, op, who, ns?|ms?, ratio?, note? }
const diag = []; // diagnostics of the check path
const agreement = [];
const meta = { sizes: {} };

for (const N of SIZES) {
  log(`workload N=${N}`);
  const w = workload(N);
  const ref = reference(w);
  const q = mixes(w, ref, K);
  const t0 = performance.now();
  const idx = buildIndex(w, 'auto');
  const buildMs = performance.now() - t0;
  meta.sizes[N] = { rules: idx.size, allow: w.allow.S.length, deny: w.deny.S.length, links: w.links.length, buildMs, wildcards: w.allow.R.filter((r) => r.endsWith('*')).length + w.deny.R.filter((r) => r.endsWith('*')).length };
  // Our answers against the reference on every request of every mix.
  for (const [m, x] of Object.entries(q)) {
    const got = idx.checkMany(x.S, x.R, x.A);
    let bad = 0;
    for (let i = 0; i < x.S.length; i++) if (!!got[i] !== ref.decide(x.S[i], x.R[i], x.A[i])) bad++;
    agreement.push({ n: N, mix: m, peer: 'reference model', requests: x.S.length, disagreements: bad });
    if (bad > 0) log(`!! ${bad} disagreements with the reference on ${m} at N=${N}`);
  }
  // The other tiers (the index's ordered view and TTL wheel; check itself reads hash maps).
  const byTier = {};
  for (const t of TIERS) byTier[t] = buildIndex(w, t);
  const set = new Set();
  for (let i = 0; i < w.allow.S.length; i++) set.add(`${w.allow.S[i]}|${w.allow.R[i]}|${w.allow.A[i]}`);
  for (const x of Object.values(q)) for (let p = 0; p < 2; p++) checkLoop(idx, x, 1)(); // warm-up

  const MIX = { exact: '(a) exact hit', wildcard: '(b) wildcard hit', role: '(c) role hit', miss: '(d) miss' };
  const ourNs = {};
  for (const [m, label] of Object.entries(MIX)) {
    const x = q[m];
    const c = { 'hotpath auto': checkLoop(idx, x) };
    if (m === 'exact') {
      const keys = x.S.map((s, i) => `${s}|${x.R[i]}|${x.A[i]}`);
      c['Set.has(s|r|a)'] = () => {
        const { S, R, A } = x;
        let n = 0;
        for (let p = 0; p < PASSES; p++) for (let i = 0; i < S.length; i++) if (set.has(S[i] + '|' + R[i] + '|' + A[i])) n++;
        if (n !== PASSES * S.length) throw new Error('Set missed an exact grant');
        sink += n;
      };
      c['Set.has(prebuilt key)'] = () => {
        let n = 0;
        for (let p = 0; p < PASSES; p++) for (let i = 0; i < keys.length; i++) if (set.has(keys[i])) n++;
        sink += n;
      };
    }
    const r = interleaved(c);
    const ours = nsPer(r['hotpath auto'].best, PASSES * K);
    ourNs[m] = ours;
    rows.push({ section: 'check', n: N, op: `check ${label}`, who: 'hotpath auto', ns: ours, medianNs: nsPer(r['hotpath auto'].median, PASSES * K) });
    for (const k of Object.keys(c)) {
      if (k === 'hotpath auto') continue;
      const ns = nsPer(r[k].best, PASSES * K);
      rows.push({ section: 'check', n: N, op: `check ${label}`, who: k, ns, medianNs: nsPer(r[k].median, PASSES * K), ratio: ns / ours });
    }
    if (m === 'exact') {
      // Request strings fresh off the wire: neither side has their hashes cached.
      const copies = {};
      const rf = interleaved({
        'hotpath auto': () => {
          const { S, R, A } = copies.x;
          let n = 0;
          for (let i = 0; i < S.length; i++) if (idx.check(S[i], R[i], A[i])) n++;
          sink += n;
        },
        'Set.has(s|r|a)': () => {
          const { S, R, A } = copies.x;
          let n = 0;
          for (let i = 0; i < S.length; i++) if (set.has(S[i] + '|' + R[i] + '|' + A[i])) n++;
          sink += n;
        },
      }, REPS * 3, () => { copies.x = { S: fresh(x.S), R: fresh(x.R), A: x.A }; });
      const o = nsPer(rf['hotpath auto'].best, K);
      rows.push({ section: 'check', n: N, op: `check ${label}, fresh request strings`, who: 'hotpath auto', ns: o, medianNs: nsPer(rf['hotpath auto'].median, K) });
      const s = nsPer(rf['Set.has(s|r|a)'].best, K);
      rows.push({ section: 'check', n: N, op: `check ${label}, fresh request strings`, who: 'Set.has(s|r|a)', ns: s, medianNs: nsPer(rf['Set.has(s|r|a)'].median, K), ratio: s / o });
    }
  }
  // One line per tier, on the mixed requests.
  {
    const c = { 'hotpath auto': checkLoop(idx, q.mixed) };
    for (const t of TIERS) c[`hotpath ${t}`] = checkLoop(byTier[t], q.mixed);
    const r = interleaved(c);
    for (const k of Object.keys(c)) rows.push({ section: 'tiers', n: N, op: 'check, mixed (a-d)', who: k, ns: nsPer(r[k].best, PASSES * K), medianNs: nsPer(r[k].median, PASSES * K) });
  }
  // checkMany vs a loop of check.
  {
    const x = q.mixed;
    let many, loop;
    const r = interleaved({
      'checkMany': () => { many = idx.checkMany(x.S, x.R, x.A); },
      'loop of check': () => {
        loop = new Uint8Array(K);
        for (let i = 0; i < K; i++) loop[i] = idx.check(x.S[i], x.R[i], x.A[i]) ? 1 : 0;
      },
    }, REPS * 3);
    for (let i = 0; i < K; i++) if (many[i] !== loop[i]) throw new Error(`checkMany disagrees with check at ${i}`);
    rows.push({ section: 'checkMany', n: N, op: `checkMany of ${K} mixed requests`, who: 'hotpath checkMany', ms: r.checkMany.best, medianMs: r.checkMany.median, ratio: r['loop of check'].best / r.checkMany.best });
    rows.push({ section: 'checkMany', n: N, op: `checkMany of ${K} mixed requests`, who: 'loop of check', ms: r['loop of check'].best, medianMs: r['loop of check'].median, ratio: 1 });
  }
  // Where a check's time goes: validation (three isWellFormed) vs the decision, and how many map probes a decision makes.
  {
    const decide = idx.decide.bind(idx);
    for (const m of ['exact', 'wildcard', 'role', 'miss']) {
      const x = q[m];
      const r = interleaved({
        check: checkLoop(idx, x),
        'decide (no validation)': () => {
          const { S, R, A } = x;
          let n = 0;
          for (let p = 0; p < PASSES; p++) for (let i = 0; i < S.length; i++) if (decide(S[i], R[i], A[i])) n++;
          sink += n;
        },
        'validation only': () => {
          const { S, R, A } = x;
          let n = 0;
          for (let p = 0; p < PASSES; p++) {
            for (let i = 0; i < S.length; i++) {
              const s = S[i], rr = R[i], a = A[i];
              if (typeof s === 'string' && s.length > 0 && s.isWellFormed() && typeof rr === 'string' && rr.length > 0 && rr.isWellFormed() && typeof a === 'string' && a.length > 0 && a.isWellFormed()) n++;
            }
          }
          sink += n;
        },
      });
      const ps = probeStats(idx, x);
      diag.push({
        n: N, mix: m,
        checkNs: nsPer(r.check.best, PASSES * K),
        decideNs: nsPer(r['decide (no validation)'].best, PASSES * K),
        validationNs: nsPer(r['validation only'].best, PASSES * K),
        ...ps,
      });
    }
  }
  // casbin.
  if (CASBIN_SIZES.includes(N)) {
    log(`casbin N=${N}: loading`);
    const tl = performance.now();
    const e = await buildCasbin(w);
    const loadMs = performance.now() - tl;
    meta.sizes[N].casbinLoadMs = loadMs;
    const CK = N <= 10_000 ? (quick ? 100 : 250) : quick ? 50 : 100;
    for (const [m, label] of Object.entries(MIX)) {
      const x = q[m];
      const ours = idx.checkMany(x.S.slice(0, CK), x.R.slice(0, CK), x.A.slice(0, CK));
      let bad = 0;
      const ex = [];
      const r = interleaved({
        casbin: () => {
          for (let i = 0; i < CK; i++) {
            const v = e.enforceSync(x.S[i], x.R[i], x.A[i]);
            if (v !== !!ours[i]) {
              bad++;
              if (ex.length < 5) ex.push({ sub: x.S[i], obj: x.R[i], act: x.A[i], casbin: v, hotpath: !!ours[i] });
            }
          }
        },
      }, quick || N > 10_000 ? 1 : 2);
      const ns = nsPer(r.casbin.best, CK);
      rows.push({ section: 'casbin', n: N, op: `check ${label}`, who: `casbin enforceSync (${CK} requests)`, ns, medianNs: nsPer(r.casbin.median, CK), ratio: ns / ourNs[m] });
      agreement.push({ n: N, mix: m, peer: 'casbin', requests: CK * r.casbin.reps, disagreements: bad, examples: ex });
      if (bad > 0) log(`!! casbin disagrees on ${bad} ${m} requests at N=${N}:`, JSON.stringify(ex));
      log(`casbin N=${N} ${m}: ${(ns / 1e6).toFixed(2)} ms/check`);
    }
  }
  idx.dispose();
  for (const t of TIERS) byTier[t].dispose();
}

// ---- bulk: grantMany, grant loop, snapshot, restore -------------------------------

{
  log(`bulk N=${BULK_N}`);
  const w = workload(BULK_N);
  const ref = reference(w);
  const q = mixes(w, ref, K);
  const fill = (backend, many) => {
    const idx = new PermissionIndex({ backend, autoPurge: false });
    const t0 = performance.now();
    if (many) {
      idx.grantMany(w.allow.S, w.allow.R, w.allow.A);
      idx.grantMany(w.deny.S, w.deny.R, w.deny.A, { effect: 'deny' });
    } else {
      const { S, R, A } = w.allow;
      for (let i = 0; i < S.length; i++) idx.grant(S[i], R[i], A[i]);
      const d = w.deny;
      for (let i = 0; i < d.S.length; i++) idx.deny(d.S[i], d.R[i], d.A[i]);
    }
    const ms = performance.now() - t0;
    if (idx.size !== BULK_N) throw new Error(`size ${idx.size} after filling ${BULK_N}`);
    idx.dispose();
    globalThis.gc();
    return ms;
  };
  // auto (the default) best of 3, interleaved with its grant loop; the explicit tiers one run each (each run of both is ~10-20 s at 10^6).
  const bulkReps = quick ? 2 : 3;
  const times = {};
  for (let r = 0; r < bulkReps; r++) {
    for (const backend of r === 0 ? ['auto', ...TIERS] : ['auto']) {
      const t = (times[backend] ??= { grantMany: [], loop: [] });
      t.grantMany.push(fill(backend, true));
      t.loop.push(fill(backend, false));
      log(`grantMany ${backend}: ${t.grantMany.at(-1).toFixed(0)} ms, loop ${t.loop.at(-1).toFixed(0)} ms`);
    }
  }
  for (const [backend, t] of Object.entries(times)) {
    const gm = Math.min(...t.grantMany), gl = Math.min(...t.loop);
    const runs = t.grantMany.length > 1 ? `best of ${t.grantMany.length}` : '1 run';
    rows.push({ section: 'bulk', n: BULK_N, op: `grantMany of ${BULK_N} rules (2 calls: allows, denies; ${runs})`, who: `hotpath ${backend}`, ms: gm, medianMs: median(t.grantMany), ratio: gl / gm });
    rows.push({ section: 'bulk', n: BULK_N, op: `grantMany of ${BULK_N} rules (2 calls: allows, denies; ${runs})`, who: `loop of grant/deny, ${backend}`, ms: gl, medianMs: median(t.loop), ratio: 1 });
  }
  const t0 = performance.now();
  const roles = new PermissionIndex({ autoPurge: false });
  for (const [s, r] of w.links) roles.addRole(s, r);
  meta.addRoleNs = nsPer(performance.now() - t0, w.links.length);
  roles.dispose();
  const idx = buildIndex(w, 'auto');
  // First queries after loading (they may build the ordered view / reverse maps), then a second one each.
  for (const [label, q1] of [['resourcesOf', () => idx.resourcesOf(w.allow.S[0], { limit: 10 })], ['subjectsOf', () => idx.subjectsOf(w.allow.R[0], { limit: 10 })]]) {
    const t1 = performance.now();
    q1();
    const first = performance.now() - t1;
    const t2 = performance.now();
    q1();
    const second = performance.now() - t2;
    rows.push({ section: 'bulk', n: BULK_N, op: `first ${label} after loading ${BULK_N} rules (second call: ${second.toFixed(2)} ms)`, who: 'hotpath auto', ms: first });
  }
  let bytes;
  const restored = [];
  const r = interleaved({
    snapshot: () => { bytes = idx.snapshot(); },
    restore: () => { restored.push(PermissionIndex.restore(bytes, { autoPurge: false })); },
  }, quick ? 2 : 3);
  const back = restored.pop();
  for (const x of restored) x.dispose();
  const a = idx.checkMany(q.mixed.S, q.mixed.R, q.mixed.A), b = back.checkMany(q.mixed.S, q.mixed.R, q.mixed.A);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  if (back.size !== idx.size || diff > 0) throw new Error(`restore: size ${back.size} vs ${idx.size}, ${diff} decisions differ`);
  rows.push({ section: 'bulk', n: BULK_N, op: `snapshot() of ${BULK_N} rules + ${w.links.length} role links`, who: 'hotpath auto', ms: r.snapshot.best, medianMs: r.snapshot.median, note: `${bytes.length} bytes, ${(bytes.length / BULK_N).toFixed(1)} B/rule` });
  rows.push({ section: 'bulk', n: BULK_N, op: `PermissionIndex.restore() of ${BULK_N} rules`, who: 'hotpath auto', ms: r.restore.best, medianMs: r.restore.median, note: 'decisions identical on the mixed requests' });
  meta.snapshot = { bytes: bytes.length, bytesPerRule: bytes.length / BULK_N, snapshotMs: r.snapshot.best, restoreMs: r.restore.best, sumMs: r.snapshot.best + r.restore.best };
  back.dispose();
  idx.dispose();
}

// ---- memory (fresh processes) ---------------------------------------------------

const memory = [];
{
  const MEM_N = quick ? 100_000 : 1_000_000;
  const CAS_N = quick ? 10_000 : 100_000;
  const variants = [['PermissionIndex auto', MEM_N], ['PermissionIndex auto, queried (one resourcesOf + one subjectsOf)', MEM_N], ...TIERS.map((t) => [`PermissionIndex ${t}`, MEM_N]), ['Set', MEM_N], ['casbin', CAS_N]];
  for (const [what, n] of variants) {
    log(`memory ${what} N=${n}`);
    try {
      const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=12288', self, '--child', what, String(n)], { encoding: 'utf8' });
      memory.push(JSON.parse(out.trim().split('\n').pop()));
    } catch (e) {
      memory.push({ what, n, error: e.message.split('\n')[0] });
    }
  }
}

// ---- report ----------------------------------------------------------------------

const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
// dist/ rebuilt mid-run (others share the checkout) would mix two builds: this process loaded it at the start, the memory children later.
source.rebuiltDuringRun = distStamp() !== source.dist || memory.some((m) => m.dist !== undefined && m.dist !== source.dist);
if (source.rebuiltDuringRun) log('!! dist/api/permission-index.js changed during the run: the results mix two builds');
const info = hp.backend();
const sci = (n) => {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `10^${e}` : String(n);
};
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e4 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const ratio = (x) => (x === undefined ? '' : x >= 1000 ? `${Math.round(x).toLocaleString('en-US')}×` : `${x.toFixed(x >= 10 ? 1 : 2)}×`);
const totalBad = agreement.reduce((a, x) => a + x.disagreements, 0);
const casbinBad = agreement.filter((x) => x.peer === 'casbin').reduce((a, x) => a + x.disagreements, 0);

/** Why casbin stops at 10^5, from what was measured: its check scans every policy, so time grows linearly. */
function casbinNote() {
  const top = Math.max(...CASBIN_SIZES);
  const r = rows.filter((x) => x.section === 'casbin' && x.n === top);
  if (r.length === 0) return '';
  const perCheck = median(r.map((x) => x.ns)) / 1e6;
  const load = meta.sizes[top].casbinLoadMs / 1000;
  const f = 1_000_000 / top;
  return ` casbin is not run at 10^6 policies: it loaded ${sci(top)} in ${load.toFixed(1)} s and takes ${perCheck.toFixed(0)} ms a check (it evaluates the matcher on every policy), so 10^6 would take ~${(load * f).toFixed(0)} s+ to load and ~${((perCheck * f) / 1000).toFixed(1)} s a check.`;
}
/** The issue's targets against this run's rows. */
function targets() {
  const out = [];
  const find = (f) => rows.find(f);
  for (const N of SIZES.filter((n) => n >= 100_000)) {
    const set = find((r) => r.n === N && r.op === 'check (a) exact hit' && r.who === 'Set.has(s|r|a)');
    const ours = find((r) => r.n === N && r.op === 'check (a) exact hit' && r.who === 'hotpath auto');
    if (set && ours) out.push({ target: `exact-hit check >= 1.0x Set.has(s|r|a), ${sci(N)} rules`, measured: `${ratio(set.ratio)} (${fmtNs(ours.ns)} vs ${fmtNs(set.ns)})`, met: set.ratio >= 1 });
  }
  const top = Math.max(...CASBIN_SIZES);
  const cas = rows.filter((r) => r.section === 'casbin' && r.n === top);
  if (cas.length) {
    const lo = Math.min(...cas.map((r) => r.ratio));
    out.push({ target: `>= 10^4x casbin at ${sci(top)} policies (every mix)`, measured: `${ratio(lo)} (lowest mix) .. ${ratio(Math.max(...cas.map((r) => r.ratio)))}`, met: lo >= 1e4 });
  }
  for (const N of SIZES) {
    const cm = find((r) => r.n === N && r.who === 'hotpath checkMany');
    if (cm && N >= 100_000) out.push({ target: `checkMany >= 3x a loop of check, ${sci(N)} rules`, measured: ratio(cm.ratio), met: cm.ratio >= 3 });
  }
  const gm = find((r) => r.section === 'bulk' && r.who === 'hotpath auto' && r.op.startsWith('grantMany'));
  if (gm) out.push({ target: `grantMany of ${sci(BULK_N)} rules <= 1 s`, measured: `${(gm.ms / 1000).toFixed(2)} s`, met: gm.ms <= 1000 });
  if (meta.snapshot) out.push({ target: `snapshot + restore of ${sci(BULK_N)} rules <= 1 s`, measured: `${(meta.snapshot.snapshotMs / 1000).toFixed(2)} + ${(meta.snapshot.restoreMs / 1000).toFixed(2)} = ${(meta.snapshot.sumMs / 1000).toFixed(2)} s`, met: meta.snapshot.sumMs <= 1000 });
  return out;
}
const md = [];
md.push(`Node ${process.version}, native ${info.tiers.native.simd ?? '-'}, PermissionIndex of ${source.commit ?? '?'}${source.dirty ? ' (modified)' : ''}${source.rebuiltDuringRun ? ' (**dist rebuilt during the run: two builds mixed**)' : ''}, load ${loadBefore} before / ${loadAfter} after; \`npm run bench:permissions${quick ? ' -- --quick' : ''}\`.`);
md.push(`Workload (seeded): 10^4 users, 100 roles (1-3 per user), resources \`org:<i>/proj:<j>[/doc:<k>[/rev:<l>]]\`, 10% wildcard rules (\`.../*\` at depth 1-3; 40% of the 5% of rules held by roles), 6 actions and 1% \`*\`, 1% denies. ${K} requests per mix; best of ${REPS} interleaved repetitions (medians in the JSON).`);
md.push(`Ratio = peer time / hotpath time (> 1: hotpath faster). The Set knows only exact grants, so it is timed on (a) only. casbin times the first few hundred requests of each mix; on the ${agreement.filter((x) => x.peer === 'casbin').reduce((a, x) => a + x.requests, 0)} requests it answered, casbin and hotpath disagreed ${casbinBad} times, and on all ${agreement.filter((x) => x.peer !== 'casbin').reduce((a, x) => a + x.requests, 0)} requests hotpath disagreed with the bench's own reference model ${totalBad - casbinBad} times.${casbinNote()}`);
md.push('');
md.push('| rules | operation | implementation | time | ratio |');
md.push('|---:|---|---|---:|---:|');
for (const r of rows) {
  const time = r.ns !== undefined ? `${fmtNs(r.ns)}/check` : `${fmtMs(r.ms)} ms`;
  md.push(`| ${sci(r.n)} | ${r.op}${r.note ? ` (${r.note})` : ''} | ${r.who} | ${time} | ${ratio(r.ratio)} |`);
}
md.push('');
md.push('Targets:');
md.push('');
md.push('| target | measured | met |');
md.push('|---|---|:-:|');
for (const t of targets()) md.push(`| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
md.push('');
md.push('Memory (each in a fresh `node --expose-gc`, deltas around building the structure, counting the strings it keeps alive):');
md.push('');
md.push('| rules | structure | RSS B/rule | V8 heapUsed B/rule | external+arrayBuffers B/rule |');
md.push('|---:|---|---:|---:|---:|');
for (const m of memory) {
  md.push(m.error ? `| ${sci(m.n)} | ${m.what} | failed: ${m.error} | | |` : `| ${sci(m.n)} | ${m.what} | ${m.rssPerRule.toFixed(0)} | ${m.heapPerRule.toFixed(0)} | ${m.extPerRule.toFixed(0)} |`);
}
md.push('');
md.push('Where a check goes (auto): `decide` is check without its argument validation (a private method); the rest is read off the private maps for the same requests: rule sets consulted, probes (1 exact lookup, plus 1 map lookup per wildcard prefix length that fits or 1 `startsWith` per listed prefix, by the subject\'s probe plan; an upper bound inside the covering subject), how many of them slice a prefix, the share of requests whose closure holds no deny (the own-exact fast path may apply), the share that ran the deny pass, and wildcard probe-plan size (prefix lengths or listed prefixes) per consulted subject:');
md.push('');
md.push('| rules | mix | check | decide | validation only | rule sets | probes | sliced | no deny in closure | deny pass | wildcard plan/subject |');
md.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const pct = (x) => `${(100 * x).toFixed(0)}%`;
for (const d of diag) {
  const p = d.probes === null ? '| n/a | n/a | n/a | n/a | n/a | n/a' : `| ${d.subjectsVisited.toFixed(1)} | ${d.probes.toFixed(1)} | ${d.sliced.toFixed(1)} | ${pct(d.fastPathEligible)} | ${pct(d.denyPassShare)} | ${d.wildcardLengthsPerSubject.toFixed(1)}`;
  md.push(`| ${sci(d.n)} | ${d.mix} | ${d.checkNs.toFixed(0)} ns | ${d.decideNs.toFixed(0)} ns | ${d.validationNs.toFixed(0)} ns ${p} |`);
}
const text = md.join('\n');

const base = new URL(`./results/permissions${quick ? '-quick' : ''}`, import.meta.url);
writeFileSync(`${fileURLToPath(base)}.json`, JSON.stringify({ node: process.version, quick, source, load: { before: loadBefore, after: loadAfter }, k: K, reps: REPS, meta, rows, targets: targets(), agreement, memory, diagnostics: diag }, null, 2));
writeFileSync(`${fileURLToPath(base)}.md`, `${text}\n`);
console.log(`\n${text}`);
if (sink === 0.5) console.log(sink);

// The README block, as the other benches' npm scripts do with scripts/readme-bench.mjs.
const readme = new URL('../README.md', import.meta.url);
if (!quick && existsSync(readme) && readFileSync(readme, 'utf8').includes('<!-- bench:permissions:start')) {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/readme-bench.mjs', import.meta.url)), `${fileURLToPath(base)}.md`, '--block', 'permissions'], { stdio: 'inherit' });
} else if (!quick) {
  console.error('README.md has no <!-- bench:permissions:start ... --> block; not updated.');
}
