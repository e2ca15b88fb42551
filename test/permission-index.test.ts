import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PERMISSION_NAME, PermissionIndex } from '../ts/index.js';
import type { PermissionIndexOptions, PermissionRule } from '../ts/index.js';
import { TIERS } from './support/tiers.js';

// Semantics of PermissionIndex, each rule of the issue a test, on every tier.
// The casbin differential test and the model-based test are in
// permission-differential.test.ts.

function clocked(backend: string, extra: PermissionIndexOptions = {}): { acl: PermissionIndex; t: { now: number }; expired: PermissionRule[] } {
  const t = { now: 1000 };
  const expired: PermissionRule[] = [];
  const acl = new PermissionIndex({ backend: backend as 'js', clock: () => t.now, autoPurge: false, onExpire: (r) => expired.push(r), ...extra });
  return { acl, t, expired };
}

const rulesOf = (acl: PermissionIndex, s: string): string[] => acl.resourcesOf(s, { effect: 'any', inherited: false }).map((r) => `${r.effect} ${r.resource} ${r.action}`);

describe.each(TIERS)('PermissionIndex on %s', (backend) => {
  it('answers the example of the API', () => {
    const { acl, t } = clocked(backend);
    expect(acl.backend).toBe(backend);
    expect(acl.grant('user:42', 'doc:7/page:3', 'read')).toBe(true);
    expect(acl.grant('user:42', 'doc:9/*', 'write', { ttlMs: 3_600_000 })).toBe(true);
    expect(acl.grant('role:editor', 'doc:*', '*')).toBe(true);
    expect(acl.deny('user:13', 'doc:7/*', 'read')).toBe(true);
    expect(acl.addRole('user:42', 'role:editor')).toBe(true);
    expect(acl.addRole('user:13', 'role:editor')).toBe(true);
    expect(acl.check('user:42', 'doc:9/page:1', 'write')).toBe(true);
    expect(acl.check('user:42', 'doc:7/page:3', 'read')).toBe(true);
    expect(acl.check('user:42', 'img:1', 'read')).toBe(false);
    expect(acl.check('user:13', 'doc:7/page:3', 'read')).toBe(false); // deny overrides the role's grant
    expect(acl.check('user:13', 'doc:7/page:3', 'write')).toBe(true);
    expect(acl.check('user:13', 'doc:8', 'read')).toBe(true);
    expect(acl.checkMany(['user:42', 'user:13', 'nobody'], 'doc:7/page:3', 'read')).toEqual(Uint8Array.of(1, 0, 0));
    expect(acl.explain('user:13', 'doc:8', 'read')).toEqual({ allowed: true, rule: { subject: 'role:editor', resource: 'doc:*', action: '*', effect: 'allow', expiresAt: Infinity }, via: ['user:13', 'role:editor'] });
    expect(acl.explain('user:13', 'doc:7/x', 'read')).toEqual({ allowed: false, rule: { subject: 'user:13', resource: 'doc:7/*', action: 'read', effect: 'deny', expiresAt: Infinity }, via: ['user:13'] });
    expect(acl.explain('user:42', 'img:1', 'read')).toEqual({ allowed: false, rule: null, via: [] });
    expect(acl.resourcesOf('user:42', { action: 'read', prefix: 'doc:', limit: 100 }).map((r) => [r.subject, r.resource, r.action])).toEqual([
      ['role:editor', 'doc:*', '*'],
      ['user:42', 'doc:7/page:3', 'read'],
    ]);
    expect(acl.resourcesOf('user:42', { action: 'write' }).map((r) => r.resource)).toEqual(['doc:*', 'doc:9/*']);
    expect(acl.resourcesOf('user:42', { action: 'write' })[1].expiresAt).toBe(1000 + 3_600_000);
    expect(acl.subjectsOf('doc:7/page:3', { action: 'read' })).toEqual(['role:editor', 'user:42']);
    expect(acl.subjectsOf('doc:7/page:3', { action: 'read', inherited: false })).toEqual(['role:editor', 'user:42']);
    expect(acl.subjectsOf('doc:7/page:3', { action: 'write' })).toEqual(['role:editor', 'user:13', 'user:42']);
    expect(acl.size).toBe(4);
    expect(acl.revoke('user:42', 'doc:9/*', 'write')).toBe(true);
    expect(acl.revoke('user:42', 'doc:9/*', 'write')).toBe(false);
    expect(acl.removeRole('user:42', 'role:editor')).toBe(true);
    expect(acl.check('user:42', 'doc:9/page:1', 'write')).toBe(false);
    expect(acl.grantMany(['a', 'b', 'a'], ['r1', 'r2/*', 'r1'], 'read', { ttlMs: 50 })).toBe(2);
    expect(acl.size).toBe(5);
    const again = PermissionIndex.restore(acl.snapshot(), { backend, clock: () => t.now, autoPurge: false });
    for (const s of ['user:42', 'user:13', 'role:editor', 'a', 'b']) expect(rulesOf(again, s)).toEqual(rulesOf(acl, s));
    expect(again.checkInvariants()).toBe(null);
    again.dispose();
    expect(acl.checkInvariants()).toBe(null);
    acl.dispose();
    acl.dispose(); // idempotent
    expect(() => acl.check('a', 'r1', 'read')).toThrow(/^hotpath\.PermissionIndex\.check: index is disposed/);
  });

  it('matches trailing-* patterns by prefix, on code points, and * actions', () => {
    const { acl } = clocked(backend);
    acl.grant('u', 'doc:*', 'read');
    acl.grant('u', 'img:1/*', '*');
    acl.grant('u', '\u{1F600}*', 'read');
    acl.grant('u', 'x', 'read');
    const cases: [string, string, boolean][] = [
      ['doc:', 'read', true], ['doc:1', 'read', true], ['doc:1/2/3', 'read', true], ['doc', 'read', false], ['do', 'read', false], ['Doc:1', 'read', false],
      ['doc:1', 'write', false], ['img:1/', 'delete', true], ['img:1/a', 'anything', true], ['img:1', 'read', false], ['img:10', 'read', false],
      ['\u{1F600}', 'read', true], ['\u{1F600}x', 'read', true], ['\u{1F601}', 'read', false], ['\uD83D\uDE00\uE000', 'read', true],
      ['x', 'read', true], ['xy', 'read', false], ['doc:*', 'read', true], ['*', 'read', false],
      // a request's `*` is literal: it matches only a `*` grant
      ['img:1/a', '*', true], ['doc:1', '*', false],
    ];
    for (const [r, a, want] of cases) expect([r, a, acl.check('u', r, a)]).toEqual([r, a, want]);
    expect(acl.check('v', 'doc:1', 'read')).toBe(false);
    // An exact grant of "doc:" and the pattern "doc:*" are different rules.
    acl.grant('w', 'doc:', 'read');
    expect(acl.check('w', 'doc:', 'read')).toBe(true);
    expect(acl.check('w', 'doc:1', 'read')).toBe(false);
    expect(acl.revoke('u', 'doc:', 'read')).toBe(false);
    expect(acl.revoke('u', 'doc:*', 'read')).toBe(true);
    expect(acl.check('u', 'doc:1', 'read')).toBe(false);
    acl.dispose();
  });

  it('agrees with a direct prefix scan on generated patterns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[ab\/]{0,4}$/), fc.boolean(), fc.constantFrom('r', 'w', '*')), { maxLength: 12 }),
        fc.array(fc.tuple(fc.stringMatching(/^[ab\/]{1,5}$/), fc.constantFrom('r', 'w')), { minLength: 1, maxLength: 20 }),
        (rules, reqs) => {
          const acl = new PermissionIndex({ backend });
          const kept = rules.filter(([text, wild]) => wild || text.length > 0);
          for (const [text, wild, a] of kept) acl.grant('s', wild ? `${text}*` : text, a);
          for (const [r, a] of reqs) {
            const want = kept.some(([text, wild, ga]) => (wild ? r.startsWith(text) : r === text) && (ga === a || ga === '*'));
            expect(acl.check('s', r, a)).toBe(want);
          }
          expect(acl.checkMany('s', reqs.map((x) => x[0]), reqs.map((x) => x[1]))).toEqual(Uint8Array.from(reqs, ([r, a]) => Number(acl.check('s', r, a))));
          acl.dispose();
        },
      ),
      { seed: 19, numRuns: 60 },
    );
  });

  it('inherits through roles transitively, terminates on cycles and bounds the depth', () => {
    const { acl } = clocked(backend, { maxRoleDepth: 3 });
    acl.addRole('u', 'r1');
    acl.addRole('r1', 'r2');
    acl.addRole('r2', 'r3');
    acl.addRole('r3', 'r4');
    acl.addRole('r4', 'r1'); // cycle
    acl.addRole('r2', 'u'); // cycle back to the start
    acl.grant('r3', 'a', 'read');
    acl.grant('r4', 'b', 'read');
    expect(acl.check('u', 'a', 'read')).toBe(true); // 3 links
    expect(acl.check('u', 'b', 'read')).toBe(false); // 4 links: beyond maxRoleDepth 3
    expect(acl.check('r1', 'b', 'read')).toBe(true);
    expect(acl.rolesOf('u')).toEqual(['r1']);
    expect(acl.rolesOf('u', { inherited: true })).toEqual(['r1', 'r2', 'r3']);
    expect(acl.addRole('u', 'r1')).toBe(false);
    expect(acl.addRole('u', 'u')).toBe(false);
    expect(acl.explain('u', 'a', 'read').via).toEqual(['u', 'r1', 'r2', 'r3']);
    expect(acl.subjectsOf('b', { action: 'read' })).toEqual(['r1', 'r2', 'r3', 'r4']);
    acl.deny('r2', 'a', '*');
    expect(acl.check('u', 'a', 'read')).toBe(false);
    expect(acl.check('r3', 'a', 'read')).toBe(false); // r3 → r4 → r1 → r2 through the cycle
    expect(acl.explain('r3', 'a', 'read').via).toEqual(['r3', 'r4', 'r1', 'r2']);
    expect(acl.removeRole('r1', 'r2')).toBe(true);
    expect(acl.removeRole('r1', 'r2')).toBe(false);
    expect(acl.check('u', 'a', 'read')).toBe(false); // u → r1 → (nothing): no grant reached
    expect(acl.rolesOf('u', { inherited: true })).toEqual(['r1']);
    expect(acl.checkInvariants()).toBe(null);
    acl.dispose();
    // maxRoleDepth 0: only the subject's own rules.
    const flat = new PermissionIndex({ backend, maxRoleDepth: 0 });
    flat.addRole('u', 'r');
    flat.grant('r', 'x', 'read');
    expect(flat.check('u', 'x', 'read')).toBe(false);
    expect(flat.check('r', 'x', 'read')).toBe(true);
    flat.dispose();
  });

  it('lets a covering deny override every grant, its own or a role’s', () => {
    const { acl } = clocked(backend);
    acl.grant('u', 'doc:1', 'read');
    acl.grant('admin', '*', '*');
    acl.addRole('u', 'admin');
    expect(acl.check('u', 'secret', 'read')).toBe(true);
    acl.deny('admin', 'secret*', 'read');
    expect(acl.check('u', 'secret/1', 'read')).toBe(false);
    expect(acl.check('u', 'secret/1', 'write')).toBe(true);
    acl.deny('u', 'doc:1', '*');
    expect(acl.check('u', 'doc:1', 'read')).toBe(false);
    expect(acl.check('admin', 'doc:1', 'read')).toBe(true);
    expect(acl.subjectsOf('doc:1', { action: 'read' })).toEqual(['admin']);
    expect(acl.subjectsOf('doc:1')).toEqual(['admin']);
    expect(acl.revoke('u', 'doc:1', '*')).toBe(false); // that is the deny
    expect(acl.revoke('u', 'doc:1', '*', { effect: 'deny' })).toBe(true);
    expect(acl.check('u', 'doc:1', 'read')).toBe(true);
    expect(acl.resourcesOf('u', { effect: 'deny' }).map((r) => [r.subject, r.resource])).toEqual([['admin', 'secret*']]);
    acl.dispose();
  });

  it('expires TTL rules exactly, through the wheel, and reports each once', () => {
    const { acl, t, expired } = clocked(backend);
    acl.grant('u', 'a', 'read', { ttlMs: 100 });
    acl.grant('u', 'b/*', 'read', { ttlMs: 200 });
    acl.deny('u', 'b/secret', 'read', { ttlMs: 50 });
    acl.grant('u', 'c', 'read');
    expect(acl.check('u', 'b/secret', 'read')).toBe(false);
    t.now = 1049.999;
    expect(acl.check('u', 'b/secret', 'read')).toBe(false);
    t.now = 1050; // the deny's deadline: it no longer decides
    expect(acl.check('u', 'b/secret', 'read')).toBe(true);
    t.now = 1099;
    expect(acl.check('u', 'a', 'read')).toBe(true);
    t.now = 1100;
    expect(acl.check('u', 'a', 'read')).toBe(false); // exact, before any sweep
    expect(acl.checkMany('u', ['a', 'b/x', 'c'], 'read')).toEqual(Uint8Array.of(0, 1, 1));
    expect(expired).toEqual([]); // checks never call back
    expect(acl.resourcesOf('u').map((r) => r.resource)).toEqual(['b/*', 'c']);
    expect(expired.map((r) => `${r.effect} ${r.resource}`)).toEqual(['deny b/secret', 'allow a']);
    expect(acl.size).toBe(2);
    // Granting again renews the TTL (and reports the rule as not new).
    t.now = 1150;
    expect(acl.grant('u', 'b/*', 'read', { ttlMs: 1000 })).toBe(false);
    t.now = 1300;
    expect(acl.check('u', 'b/y', 'read')).toBe(true);
    expect(acl.subjectsOf('b/y')).toEqual(['u']);
    // ... or removes it (Infinity).
    acl.grant('u', 'c', 'read', { ttlMs: 10 });
    expect(acl.grant('u', 'c', 'read')).toBe(false);
    t.now = 5000;
    expect(acl.purge()).toBe(1);
    expect(expired.map((r) => r.resource)).toEqual(['b/secret', 'a', 'b/*']);
    expect(expired[2].expiresAt).toBe(2150);
    expect(acl.check('u', 'c', 'read')).toBe(true);
    expect(acl.subjectsOf('b/y')).toEqual([]);
    expect(acl.checkInvariants()).toBe(null);
    acl.dispose();
  });

  it('expires at the absolute deadline even when the wheel lags the clock, and refuses deadlines past the wheel', () => {
    const { acl, t, expired } = clocked(backend);
    t.now = 50_000; // nothing has advanced the wheel since 1000
    acl.grant('u', 'a', 'read', { ttlMs: 100 });
    t.now = 50_099;
    expect(acl.size).toBe(1);
    expect(expired).toEqual([]);
    t.now = 50_100;
    expect(acl.size).toBe(0);
    expect(expired.map((r) => r.expiresAt)).toEqual([50_100]);
    expect(() => acl.grant('u', 'b', 'read', { ttlMs: 2 ** 60 })).toThrow(/^hotpath\.PermissionIndex\.grant: options\.ttlMs puts the deadline at/);
    expect(() => acl.grantMany(['u', 'v'], 'b', 'read', { ttlMs: 1e308 })).toThrow(RangeError);
    expect(acl.grant('u', 'b', 'read', { ttlMs: Infinity })).toBe(true);
    expect(acl.size).toBe(1);
    expect(acl.checkInvariants()).toBe(null);
    acl.dispose();
  });

  it('expires from its background timer with autoPurge', async () => {
    const expired: string[] = [];
    const acl = new PermissionIndex({ backend, tickMs: 1, onExpire: (r) => expired.push(r.resource) });
    acl.grant('u', 'a', 'read', { ttlMs: 5 });
    acl.grant('u', 'b', 'read', { ttlMs: 60_000 });
    for (let i = 0; i < 100 && expired.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(expired).toEqual(['a']);
    expect(acl.check('u', 'a', 'read')).toBe(false);
    expect(acl.size).toBe(1);
    acl.dispose(); // stops the timer
  });

  it('gives checkMany the answers of check, with broadcasting and named bad elements', () => {
    const acl = new PermissionIndex({ backend });
    const subs = ['u0', 'u1', 'u2', 'r0'];
    for (let i = 0; i < 40; i++) acl.grant(subs[i % 4], i % 3 === 0 ? `p${i % 7}/*` : `p${i % 7}/q${i}`, ['read', 'write', '*'][i % 3]);
    acl.addRole('u0', 'r0');
    acl.deny('u1', 'p3/*', 'write');
    const S: string[] = [], R: string[] = [], A: string[] = [];
    for (let i = 0; i < 300; i++) {
      S.push(subs[(i * 7) % 4]);
      R.push(`p${i % 7}/q${(i * 13) % 45}`);
      A.push(['read', 'write', 'delete'][i % 3]);
    }
    const many = acl.checkMany(S, R, A);
    expect(Array.from(many)).toEqual(S.map((s, i) => Number(acl.check(s, R[i], A[i]))));
    expect(many.some((x) => x === 1) && many.some((x) => x === 0)).toBe(true);
    expect(Array.from(acl.checkMany('u0', R, 'read'))).toEqual(R.map((r) => Number(acl.check('u0', r, 'read'))));
    expect(acl.checkMany('u0', 'p0/q0', 'read')).toEqual(Uint8Array.of(Number(acl.check('u0', 'p0/q0', 'read'))));
    expect(acl.checkMany([], [], [])).toEqual(new Uint8Array(0));
    expect(() => acl.checkMany(['u0', 'u1'], ['a'], 'read')).toThrow(/^hotpath\.PermissionIndex\.checkMany: resources has 1 elements; the other arrays have 2/);
    expect(() => acl.checkMany(['u0', 'u1', 7 as unknown as string], 'a', 'read')).toThrow(new TypeError('hotpath.PermissionIndex.checkMany: subjects[2] must be a string; got number 7'));
    expect(() => acl.checkMany('u0', ['a', ''], 'read')).toThrow(/^hotpath\.PermissionIndex\.checkMany: resources\[1\] must not be empty/);
    expect(() => acl.checkMany('u0', 'a', ['read', '\uD800'])).toThrow(RangeError);
    expect(() => acl.checkMany('u0', 'a', 5 as unknown as string)).toThrow(/^hotpath\.PermissionIndex\.checkMany: actions must be a string or an array of strings/);
    acl.dispose();
  });

  it('lists resources in key order and subjects in code point order', () => {
    const { acl } = clocked(backend);
    for (const r of ['b', 'a/2', 'a/1', 'a/*', 'c\u{1F600}', 'c\uE000']) acl.grant('u', r, 'read');
    acl.grant('u', 'a/1', 'write');
    acl.grant('r', 'a/0', 'read');
    acl.grant('r', 'a/1', 'read');
    acl.addRole('u', 'r');
    expect(acl.resourcesOf('u', { inherited: false }).map((x) => `${x.resource} ${x.action}`)).toEqual(['a/* read', 'a/1 read', 'a/1 write', 'a/2 read', 'b read', 'c\uE000 read', 'c\u{1F600} read']);
    expect(acl.resourcesOf('u').map((x) => `${x.subject}:${x.resource}`)).toEqual(['u:a/*', 'r:a/0', 'r:a/1', 'u:a/1', 'u:a/1', 'u:a/2', 'u:b', 'u:c\uE000', 'u:c\u{1F600}']);
    expect(acl.resourcesOf('u', { prefix: 'a/', limit: 3 }).map((x) => `${x.subject}:${x.resource}`)).toEqual(['u:a/*', 'r:a/0', 'r:a/1']);
    expect(acl.resourcesOf('u', { action: 'write' }).map((x) => x.resource)).toEqual(['a/1']);
    expect(acl.resourcesOf('u', { limit: 0 })).toEqual([]);
    expect(acl.resourcesOf('nobody')).toEqual([]);
    // More rules than one page of the ordered index.
    for (let i = 0; i < 700; i++) acl.grant('big', `k${String(i).padStart(4, '0')}`, i % 2 ? 'read' : 'write');
    acl.grant('bigger', 'k', 'read');
    const page = acl.resourcesOf('big', { action: 'read' });
    expect(page.length).toBe(350);
    expect(page[349].resource).toBe('k0699');
    expect(acl.resourcesOf('big', { action: 'read', limit: 300 }).length).toBe(300);
    expect(acl.subjectsOf('a/1')).toEqual(['r', 'u']);
    expect(acl.subjectsOf('a/1', { limit: 1 })).toEqual(['r']);
    expect(acl.subjectsOf('a/9', { action: 'read' })).toEqual(['u']);
    expect(acl.subjectsOf('zzz')).toEqual([]);
    acl.dispose();
  });

  it('applies grantMany wholly or not at all', () => {
    const { acl, t } = clocked(backend);
    acl.grant('keep', 'x', 'read');
    expect(() => acl.grantMany(['a', 'b', 'c'], ['r', 'bad*pattern', 'r'], 'read')).toThrow(/^hotpath\.PermissionIndex\.grantMany: resources\[1\] may hold '\*' only as its last character/);
    expect(() => acl.grantMany(['a', 'b'], 'r', ['read', 'x*'])).toThrow(/^hotpath\.PermissionIndex\.grantMany: actions\[1\] must be '\*'/);
    expect(() => acl.grantMany(['a', 'b'], 'r', 'read', { effect: 'maybe' as 'allow' })).toThrow(/options\.effect/);
    expect(() => acl.grantMany(['a', 'b'], 'r', 'read', { ttlMs: 0 })).toThrow(/options\.ttlMs must be > 0/);
    expect(acl.size).toBe(1);
    expect(acl.checkInvariants()).toBe(null);
    expect(acl.grantMany(['a', 'b'], 'r/*', 'read', { effect: 'deny', ttlMs: 10 })).toBe(2);
    expect(acl.resourcesOf('a', { effect: 'deny' })[0]).toEqual({ subject: 'a', resource: 'r/*', action: 'read', effect: 'deny', expiresAt: 1010 });
    t.now = 1010;
    expect(acl.size).toBe(1);
    acl.dispose();
  });

  it('round-trips snapshots exactly, TTLs included, and refuses damaged bytes by offset', () => {
    const { acl, t } = clocked(backend);
    acl.grant('user:\u{1F600}', 'doc:1/*', 'read', { ttlMs: 500 });
    acl.grant('user:\u{1F600}', 'doc:2', '*');
    acl.deny('role:x', 'doc:1/secret', 'read');
    acl.grant('role:x', 'doc:*', 'write', { ttlMs: 10 });
    acl.addRole('user:\u{1F600}', 'role:x');
    acl.addRole('role:x', 'role:y');
    acl.addRole('lonely', 'role:z'); // a link with no rules
    t.now = 1100; // the write grant (TTL 10) is gone; doc:1/* has 400 ms left
    const bytes = acl.snapshot();
    t.now = 2000;
    const b = PermissionIndex.restore(bytes, { backend, clock: () => t.now, autoPurge: false });
    expect(b.size).toBe(3);
    expect(b.resourcesOf('user:\u{1F600}', { effect: 'any' })).toEqual([
      { subject: 'user:\u{1F600}', resource: 'doc:1/*', action: 'read', effect: 'allow', expiresAt: 2400 },
      { subject: 'role:x', resource: 'doc:1/secret', action: 'read', effect: 'deny', expiresAt: Infinity },
      { subject: 'user:\u{1F600}', resource: 'doc:2', action: '*', effect: 'allow', expiresAt: Infinity },
    ]);
    expect(b.rolesOf('user:\u{1F600}', { inherited: true })).toEqual(['role:x', 'role:y']);
    expect(b.rolesOf('lonely')).toEqual(['role:z']);
    expect(b.check('user:\u{1F600}', 'doc:1/secret', 'read')).toBe(false);
    t.now = 2399;
    expect(b.check('user:\u{1F600}', 'doc:1/a', 'read')).toBe(true);
    t.now = 2400;
    expect(b.check('user:\u{1F600}', 'doc:1/a', 'read')).toBe(false);
    expect(b.snapshot().length).toBeLessThan(bytes.length + 1);
    b.dispose();
    // Every truncation and every single-byte change is refused with an offset, never a crash.
    for (let n = 0; n < bytes.length; n++) expect(() => PermissionIndex.restore(bytes.subarray(0, n))).toThrow(/^hotpath\.PermissionIndex\.restore: bytes .*offset \d+/);
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes.slice();
      c[i] ^= 0x20;
      expect(() => PermissionIndex.restore(c)).toThrow(/^hotpath\.PermissionIndex\.restore: bytes .*offset \d+/);
    }
    expect(() => PermissionIndex.restore([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    // An empty index round-trips too.
    const e = PermissionIndex.restore(new PermissionIndex({ backend }).snapshot(), { backend });
    expect(e.size).toBe(0);
    e.dispose();
    acl.dispose();
  });

  it('refuses structurally valid snapshots that break the rules, naming where', () => {
    // Build the bytes of a snapshot by hand: strings, rules, links, CRC.
    const crc = (b: Uint8Array): number => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const make = (strings: string[], rules: [number, number, number, number, number][], links: [number, number][]): Uint8Array => {
      const enc = strings.map((x) => new TextEncoder().encode(x));
      const blob = enc.reduce((n, e) => n + e.length, 0);
      const size = 16 + 4 * strings.length + blob + 4 + rules.length * 21 + 4 + links.length * 8 + 4;
      const out = new Uint8Array(size), dv = new DataView(out.buffer);
      dv.setUint32(0, 0x49505048, true); dv.setUint32(4, 1, true); dv.setUint32(8, strings.length, true); dv.setUint32(12, blob, true);
      let p = 16;
      for (const x of strings) { dv.setUint32(p, x.length, true); p += 4; }
      for (const e of enc) { out.set(e, p); p += e.length; }
      dv.setUint32(p, rules.length, true); p += 4;
      for (const [sub, r, a, eff, ttl] of rules) { dv.setUint32(p, sub, true); dv.setUint32(p + 4, r, true); dv.setUint32(p + 8, a, true); out[p + 12] = eff; dv.setFloat64(p + 13, ttl, true); p += 21; }
      dv.setUint32(p, links.length, true); p += 4;
      for (const [sub, r] of links) { dv.setUint32(p, sub, true); dv.setUint32(p + 4, r, true); p += 8; }
      dv.setUint32(p, crc(out.subarray(0, p)), true);
      return out;
    };
    const ok = make(['u', 'r', 'read'], [[0, 1, 2, 0, Infinity]], [[0, 1]]);
    const idx = PermissionIndex.restore(ok, { backend });
    expect(idx.check('u', 'r', 'read')).toBe(true);
    idx.dispose();
    const cases: [Uint8Array, RegExp][] = [
      [make(['u', 'r', 'read'], [[0, 1, 9, 0, Infinity]], []), /name string 9 of 3 at offset 46/],
      [make(['u', 'a*b', 'read'], [[0, 1, 2, 0, Infinity]], []), /invalid name in rule 0 \(offset \d+\): may hold '\*' only/],
      [make(['u', '', 'read'], [[0, 1, 2, 0, Infinity]], []), /invalid name in rule 0 .*must not be empty/],
      [make(['u', 'r', 'read'], [[0, 1, 2, 2, Infinity]], []), /effect 2 in rule 0/],
      [make(['u', 'r', 'read'], [[0, 1, 2, 0, -5]], []), /TTL of -5 ms in rule 0/],
      [make(['u', 'r', 'read'], [[0, 1, 2, 0, NaN]], []), /TTL of NaN ms/],
      [make(['u', 'r', 'read'], [[0, 1, 2, 0, 5], [0, 1, 2, 0, 6]], []), /repeat rule 1/],
      [make(['u', 'r'], [], [[0, 0]]), /link "u" to itself/],
      [make(['u\u0000x', 'r', 'read'], [[0, 1, 2, 0, 1]], []), /U\+0000/],
    ];
    for (const [bytes, re] of cases) {
      expect(() => PermissionIndex.restore(bytes, { backend })).toThrow(RangeError);
      expect(() => PermissionIndex.restore(bytes, { backend })).toThrow(re);
    }
    // String lengths that do not add up to the string bytes.
    for (const [len, re] of [[7, /give string 0 7 UTF-16 units, past the end/], [0, /leave 1 UTF-16 units of the string bytes unused/]] as const) {
      const c = make(['u', 'r', 'read'], [[0, 1, 2, 0, Infinity]], []);
      const v = new DataView(c.buffer);
      v.setUint32(16, len, true);
      v.setUint32(c.length - 4, crc(c.subarray(0, c.length - 4)), true);
      expect(() => PermissionIndex.restore(c)).toThrow(re);
    }
    // Invalid UTF-8 in the string table.
    const bad = make(['u', 'r', 'read'], [[0, 1, 2, 0, Infinity]], []);
    bad[28] = 0xff;
    const dv = new DataView(bad.buffer);
    dv.setUint32(bad.length - 4, crc(bad.subarray(0, bad.length - 4)), true);
    expect(() => PermissionIndex.restore(bad)).toThrow(/hold strings that are not valid UTF-8 at offset 28/);
  });

  it('refuses bad names, options and states with named errors', () => {
    const acl = new PermissionIndex({ backend });
    const E = (f: () => unknown, C: ErrorConstructor, re: RegExp): void => {
      expect(f).toThrow(C);
      expect(f).toThrow(re);
    };
    E(() => acl.grant('', 'r', 'read'), RangeError, /^hotpath\.PermissionIndex\.grant: subject must not be empty/);
    E(() => acl.grant(5 as unknown as string, 'r', 'read'), TypeError, /^hotpath\.PermissionIndex\.grant: subject must be a string; got number 5/);
    E(() => acl.grant('u', 'r\uD800', 'read'), RangeError, /^hotpath\.PermissionIndex\.grant: resource contains a lone surrogate/);
    E(() => acl.grant('u', 'a*b', 'read'), RangeError, /resource may hold '\*' only as its last character/);
    E(() => acl.grant('u', '**', 'read'), RangeError, /resource may hold '\*'/);
    E(() => acl.deny('u', 'r', 're*d'), RangeError, /^hotpath\.PermissionIndex\.deny: action must be '\*'/);
    E(() => acl.grant('u', 'r\u0000x', 'read'), RangeError, /resource must not contain U\+0000/);
    E(() => acl.grant('u', 'r'.repeat(MAX_PERMISSION_NAME + 1), 'read'), RangeError, /resource has 4097 UTF-16 units; at most 4096/);
    expect(acl.grant('u', 'r'.repeat(MAX_PERMISSION_NAME), 'read')).toBe(true);
    E(() => acl.grant('u', 'r', 'read', { ttlMs: -1 }), RangeError, /options\.ttlMs must be > 0/);
    E(() => acl.grant('u', 'r', 'read', { ttlMs: '5' as unknown as number }), TypeError, /options\.ttlMs must be a number/);
    E(() => acl.grant('u', 'r', 'read', { ttl: 5 } as object), TypeError, /options has unknown option "ttl" \(did you mean "ttlMs"\?\)/);
    E(() => acl.grant('u', 'r', 'read', 5 as unknown as object), TypeError, /^hotpath\.PermissionIndex\.grant: options must be an object/);
    E(() => acl.revoke('u', 'r', 'read', { effect: 'allowed' as 'allow' }), RangeError, /^hotpath\.PermissionIndex\.revoke: options\.effect/);
    E(() => acl.addRole('u', ''), RangeError, /^hotpath\.PermissionIndex\.addRole: role must not be empty/);
    E(() => acl.removeRole(null as unknown as string, 'r'), TypeError, /^hotpath\.PermissionIndex\.removeRole: subject must be a string/);
    E(() => acl.check('u', '', 'read'), RangeError, /^hotpath\.PermissionIndex\.check: resource must not be empty/);
    E(() => acl.check('u', 'r', undefined as unknown as string), TypeError, /^hotpath\.PermissionIndex\.check: action must be a string/);
    E(() => acl.check('\uDFFF', 'r', 'read'), RangeError, /^hotpath\.PermissionIndex\.check: subject contains a lone surrogate/);
    E(() => acl.explain('u', 'r', ''), RangeError, /^hotpath\.PermissionIndex\.explain: action must not be empty/);
    E(() => acl.resourcesOf('u', { limit: -1 }), RangeError, /^hotpath\.PermissionIndex\.resourcesOf: options\.limit must be >= 0/);
    E(() => acl.resourcesOf('u', { effect: 'all' as 'any' }), RangeError, /options\.effect must be 'allow', 'deny' or 'any'/);
    E(() => acl.resourcesOf('u', { prefx: 'a' } as object), TypeError, /unknown option "prefx"/);
    E(() => acl.subjectsOf('r', { inherited: 1 as unknown as boolean }), TypeError, /^hotpath\.PermissionIndex\.subjectsOf: options\.inherited must be a boolean/);
    E(() => new PermissionIndex({ maxHierarchyLevel: 3 } as object), TypeError, /^hotpath\.PermissionIndex: options has unknown option "maxHierarchyLevel" \(did you mean "maxRoleDepth"\?\)/);
    E(() => new PermissionIndex({ separator: '/' } as object), TypeError, /unknown option "separator"/);
    E(() => new PermissionIndex({ maxRoleDepth: 65 }), RangeError, /options\.maxRoleDepth must be <= 64/);
    E(() => new PermissionIndex({ backend: 'gpu' as 'js' }), RangeError, /options\.backend/);
    E(() => new PermissionIndex({ clock: () => -1 }), TypeError, /options\.clock must return a finite time >= 0/);
    E(() => new PermissionIndex({ tickMs: 0 }), RangeError, /options\.tickMs/);
    // A clock that breaks its contract later: a named TypeError, nothing half-done.
    let bad = false;
    const c = new PermissionIndex({ backend, clock: () => (bad ? NaN : 5), autoPurge: false });
    c.grant('u', 'r', 'read', { ttlMs: 10 });
    bad = true;
    E(() => c.check('u', 'r', 'read'), TypeError, /options\.clock must return a finite time/);
    E(() => c.grant('u', 's', 'read', { ttlMs: 10 }), TypeError, /options\.clock/);
    bad = false;
    expect(c.size).toBe(1);
    expect(c.checkInvariants()).toBe(null);
    c.dispose();
    expect(acl.size).toBe(1);
    acl.dispose();
    for (const f of [() => acl.grant('u', 'r', 'read'), () => acl.size, () => acl.snapshot(), () => acl.checkMany('u', 'r', 'read'), () => acl.resourcesOf('u')]) E(f, TypeError, /^hotpath\.PermissionIndex\.\w+: index is disposed/);
  });

  it('clears everything and supports using', () => {
    const { acl } = clocked(backend);
    acl.grant('u', 'a', 'read', { ttlMs: 5 });
    acl.addRole('u', 'r');
    acl.grant('r', 'b', 'read');
    acl.clear();
    expect(acl.size).toBe(0);
    expect(acl.check('u', 'b', 'read')).toBe(false);
    expect(acl.rolesOf('u')).toEqual([]);
    expect(acl.subjectsOf('b')).toEqual([]);
    acl.grant('u', 'a', 'read');
    expect(acl.check('u', 'a', 'read')).toBe(true);
    expect(acl.checkInvariants()).toBe(null);
    {
      using scoped = new PermissionIndex({ backend });
      scoped.grant('x', 'y', 'z');
    }
    acl.dispose();
  });
});
