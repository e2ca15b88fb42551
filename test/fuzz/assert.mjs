// The per-call assertion of the fuzz suite, and the batch runner that spawns
// child processes with a watchdog (memory, progress) around them.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXED, SPECS, generate } from './catalogue.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
/** A call that makes the process resident above this is an unbounded allocation. */
export const RSS_LIMIT = 3 * 2 ** 30;
/** Virtual size beyond the child's size after loading: a call mapped a buffer over 4 GiB. */
export const VM_LIMIT = 4 * 2 ** 30;
const VM_GRACE_MS = 1000;
/** No finished call for this long: an endless loop (or a call far too slow for its input). */
export const STALL_MS = 8_000;

const REL = 1e-6;

function numEq(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= REL * Math.max(Math.abs(a), Math.abs(b));
  return false;
}

/** Deep equality of two serialised values; numbers within 1e-6 relative, arrays elementwise. */
export function sameValue(a, b) {
  if (numEq(a, b)) return true;
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue(a[k], b[k]));
}

/** Same JSON type structure (for tier-specific values such as memoryBytes or a bandwidth). */
function sameShape(a, b) {
  if (typeof a !== typeof b) return false;
  if (a === null || b === null || typeof a !== 'object') return (a === null) === (b === null);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return true;
  const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
  return ka.join() === kb.join();
}

const short = (x) => {
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

function specOf(rec, fixed) {
  return fixed ? FIXED[rec.i] : SPECS[rec.si ?? rec.i % SPECS.length];
}

/** Problems with a structure state: invariant reports, a state that could not be read. */
function stateProblem(st) {
  if (st == null) return null;
  if (st.stateError) return `its state could not be read afterwards: ${st.stateError.name}: ${st.stateError.msg}`;
  if (st.inv != null) return `tree invariants broken: ${st.inv}`;
  if (st.check != null && st.check !== '' ) return `invariants broken: ${short(st.check)}`;
  return null;
}

/**
 * Null when the call behaved, else what went wrong. `tier` is the tier it ran
 * on; rec.ref is the same call with js forced (absent on js).
 */
export function judge(rec, tier, fixed) {
  const spec = specOf(rec, fixed);
  const out = rec.outs ? rec.outs[tier] : rec.out;
  const ref = tier === 'js' ? null : rec.ref;
  const fn = spec.fn;
  const prefixes = [`hotpath.${fn}:`, ...(spec.prefixes ?? []).map((p) => `hotpath.${p}:`)];
  if (out.vmGrowth > VM_LIMIT) return `mapped ${(out.vmGrowth / 2 ** 30).toFixed(2)} GiB during the call (an allocation over 4 GiB)${out.err ? `, then threw ${out.err.name}: ${out.err.msg}` : ''}`;
  if (out.disposeErr) return `dispose() afterwards threw ${out.disposeErr.name}: ${out.disposeErr.msg}`;
  if (out.stateErr) return `reading the state afterwards threw ${out.stateErr.name}: ${out.stateErr.msg}`;
  if (out.problem) return out.problem;
  for (const st of [out.post, out.final, out.after]) {
    const p = stateProblem(st);
    if (p) return p;
  }
  if (out.ok && out.ok.endless) return 'iteration did not end (over 5000 steps for a few dozen keys)';
  if (out.err) {
    const e = out.err;
    const named = (e.name === 'TypeError' || e.name === 'RangeError') && (spec.anyMethod ? /^hotpath\.TtlCache[.:]/.test(e.msg) : prefixes.some((p) => e.msg.startsWith(p)));
    const disposedOk = spec.disposed && (e.name === 'Error' || e.name === 'TypeError') && e.msg.startsWith('hotpath.');
    const misuseOk = spec.misuse && e.name === 'Error' && prefixes.some((p) => e.msg.startsWith(p));
    const getterOk = rec.getter && e.name === 'FuzzGetterError';
    if (!named && !disposedOk && !misuseOk && !getterOk) return `threw ${e.name}: ${e.msg} (wanted a TypeError/RangeError starting ${prefixes.join(' or ')})`;
    // A failed call must leave the structure as it was (no half-applied batch).
    if (out.pre && out.post && !rec.nondet && !spec.disposed && !spec.userMutates && !sameValue(out.pre, out.post)) return `failed (${e.name}: ${e.msg}) but changed the structure: before ${short(out.pre)}, after ${short(out.post)}`;
    return null;
  }
  if (tier === 'js' || !ref || rec.nondet || spec.nondet) return null;
  if (ref.err) return `returned ${short(out.ok)} where js throws ${ref.err.name}: ${ref.err.msg}`;
  const cmp = spec.compare === 'shape' ? sameShape : sameValue;
  if (spec.fn === 'sequence' && Array.isArray(out.ok) && Array.isArray(ref.ok)) {
    const i = out.ok.findIndex((step, j) => !sameValue(step, ref.ok[j]));
    if (i >= 0) return `step ${i} (${out.ok[i]?.[0]}) gave ${short(out.ok[i]?.[1])}; js gives ${short(ref.ok[i]?.[1])}`;
  }
  if (!cmp(out.ok, ref.ok)) return `returned ${short(out.ok)}; js returns ${short(ref.ok)}`;
  if (out.final && !sameValue(out.final, ref.final)) return `left the structure as ${short(out.final)}; js leaves ${short(ref.final)}`;
  if (out.after && !sameValue(out.after, ref.after)) return `left the structure as ${short(out.after)}; js leaves ${short(ref.after)}`;
  return null;
}

/** The label of call i, for naming a call that never reported. */
export function labelOf(seed, i, fixed) {
  return fixed ? FIXED[i].label : generate(seed, i).label;
}

function memOf(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (f) => Number(new RegExp(`${f}:\\s+(\\d+) kB`).exec(st)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), vm: kb('VmSize') };
  } catch {
    return { rss: 0, vm: 0 };
  }
}

/**
 * Runs one batch in a child process. Resolves with { records, died } where
 * died (or null) says how the child ended early and which call it was running.
 */
export function runBatch(job, entry = join(ROOT, 'dist', 'index.js')) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build:ts first`);
  const dir = mkdtempSync(join(tmpdir(), 'hotpath-fuzz-'));
  const out = join(dir, 'out.jsonl');
  const jobPath = join(dir, 'job.json');
  writeFileSync(jobPath, JSON.stringify({ ...job, entry, out }));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', CHILD, jobPath], { env: { ...process.env, HOTPATH_BACKEND: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    let killedFor = null, lastSize = -1, lastChange = Date.now(), peak = 0, base = null, runningTier = '', overSince = null;
    const stall = job.stallMs ?? STALL_MS;
    const watch = setInterval(() => {
      const { rss, vm } = memOf(child.pid);
      peak = Math.max(peak, rss);
      // The child's size after its last finished call: garbage of finished calls is not the running call's.
      try {
        const [v, t] = readFileSync(`${out}.vm`, 'utf8').trim().split(' ');
        base = Number(v) || base;
        runningTier = t ?? '';
      } catch { /* not yet */ }
      if (rss > RSS_LIMIT && !killedFor) {
        killedFor = `resident memory reached ${(rss / 2 ** 30).toFixed(2)} GiB (limit ${RSS_LIMIT / 2 ** 30} GiB): an unbounded allocation`;
        child.kill('SIGKILL');
      }
      // A call may map a huge buffer and throw at once (the child then reports the growth itself);
      // one that keeps it for a second is filling it: kill it before it touches the memory.
      if (base !== null && vm - base > VM_LIMIT) overSince ??= Date.now();
      else overSince = null;
      if (overSince !== null && Date.now() - overSince > VM_GRACE_MS && !killedFor) {
        killedFor = `mapped ${((vm - base) / 2 ** 30).toFixed(2)} GiB beyond its size after the previous call (limit 4 GiB): an allocation over 4 GiB was attempted`;
        child.kill('SIGKILL');
      }
      let size = 0;
      try { size = statSync(out).size; } catch { /* not yet */ }
      if (size !== lastSize) { lastSize = size; lastChange = Date.now(); }
      else if (Date.now() - lastChange > stall && !killedFor) {
        killedFor = `no call finished for ${stall / 1000} s: endless loop or hang`;
        child.kill('SIGKILL');
      }
    }, 25);
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      let lines = [];
      try { lines = readFileSync(out, 'utf8').split('\n').filter(Boolean); } catch { /* none */ }
      rmSync(dir, { recursive: true, force: true });
      const records = [];
      let done = false;
      for (const l of lines) {
        try {
          const r = JSON.parse(l);
          if (r.done !== undefined) done = true;
          else if (!r.ready) records.push(r);
        } catch { /* a torn last line */ }
      }
      let died = null;
      if (!done || code !== 0) {
        const next = job.start + records.length;
        died = {
          tier: runningTier || '(loading)',
          how: killedFor ?? (signal ? `killed by ${signal}` : `exited with code ${code} without a full report`),
          call: next,
          label: next < job.start + job.count && (!job.fixed || next < FIXED.length) ? labelOf(job.seed, next, job.fixed) : '(after the last call)',
          stderr: stderr.trim().split('\n').slice(-8).join('\n'),
        };
      }
      resolve({ records, died, peakRss: peak });
    });
  });
}

/**
 * Runs calls [start, start + count) of a job, restarting the child after the
 * call that killed it, so one crash does not hide the calls behind it.
 * Resolves with { records, deaths }.
 */
export async function runJob(job) {
  const records = [];
  const deaths = [];
  let start = job.start;
  const end = job.start + job.count;
  while (start < end) {
    const r = await runBatch({ ...job, start, count: end - start });
    records.push(...r.records);
    if (!r.died) break;
    deaths.push({ batch: `${job.fixed ? 'fixed' : `seed ${job.seed}`} calls ${start}..${end - 1}`, ...r.died });
    start = r.died.call + 1;
  }
  return { records, deaths };
}
