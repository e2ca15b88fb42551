// `hotpath calibrate`: walks each kernel up a doubling ladder of work sizes,
// times every loaded tier against js at each rung, and derives the table
// `auto` dispatch follows: where each tier starts beating js for good, and
// which tier is fastest from which size on.
import { KERNEL_CASES, callOf, workOf } from './cases/kernels.mjs';
import { describeMachine, repsFor } from './matrix.mjs';

/** Per-call time in ns: median of `samples` timed loops of ~targetMs each. */
function timeCall(fn, targetMs, samples) {
  fn();
  const reps = repsFor(fn, targetMs);
  for (let i = 0; i < reps; i++) fn(); // one untimed sample: JIT tiers and caches settle
  const out = [];
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    out.push(((performance.now() - t) * 1e6) / reps);
  }
  out.sort((a, b) => a - b);
  return out[out.length >> 1];
}

/** A tier must be this much faster to take a rung from the current one: timing noise is a few percent. */
const MARGIN = 0.95;

/**
 * The dispatch steps from one kernel's ladder. Walking up, the current tier
 * (js at first) keeps a rung unless another is faster by MARGIN; a change
 * stands only when the next rung agrees (or it is the last), so noise
 * between two close tiers does not add steps.
 */
export function stepsFromLadder(ladder, tiers) {
  const steps = [];
  let cur = 'js';
  const winnerAt = (i) => {
    let best = cur;
    for (const t of tiers) if (t !== best && ladder[i].ns[t] < ladder[i].ns[best] * MARGIN && ladder[i].ns[t] < ladder[i].ns[cur] * MARGIN) best = t;
    return best;
  };
  for (let i = 0; i < ladder.length; i++) {
    const w = winnerAt(i);
    if (w !== cur && (i === ladder.length - 1 || winnerAt(i + 1) === w)) {
      cur = w;
      steps.push({ work: ladder[i].work, tier: cur });
    }
  }
  return steps;
}

/** Smallest rung from which `tier` beats js at every rung measured; null if it never settles. */
export function beatsJsFrom(ladder, tier) {
  let from = null;
  for (let i = ladder.length - 1; i >= 0; i--) {
    if (ladder[i].ns[tier] < ladder[i].ns.js * MARGIN) from = ladder[i].work;
    else break;
  }
  return from;
}

/**
 * Runs the calibration. `opts.cases` limits the kernels, `opts.quick` uses
 * shorter samples and a lower ceiling, `opts.log(line)` reports progress.
 */
export function calibrate(hp, opts = {}) {
  const cases = opts.cases ?? KERNEL_CASES;
  const loaded = ['native', 'wasm', 'js'].filter((t) => hp.backend().tiers[t].loaded);
  const log = opts.log ?? (() => {});
  const targetMs = opts.quick ? 0.15 : 0.5, samples = opts.quick ? 3 : 7, capMs = opts.quick ? 2 : 20;
  const kernels = {}, measurements = {};
  try {
    for (const c of cases) {
      const ceiling = c.sizes[2];
      const ladder = [];
      // Warm every tier's path through this kernel (JIT, wasm/native first calls)
      // on a mid-size input, so the smallest rungs are not timed cold.
      {
        const x = c.setup(c.params(c.sizes[1]));
        for (const t of loaded) {
          hp.setBackend(t);
          const end = performance.now() + (opts.quick ? 10 : 40);
          while (performance.now() < end) callOf(hp, c, x);
        }
        hp.setBackend('auto');
      }
      for (let w = c.minWork ?? 1; w <= ceiling; w *= 2) {
        const x = c.setup(c.params(w)), work = workOf(hp, c, x);
        if (ladder.length > 0 && work <= ladder[ladder.length - 1].work) continue;
        const ns = {};
        for (const t of loaded) {
          hp.setBackend(t);
          ns[t] = timeCall(() => callOf(hp, c, x), targetMs, samples);
        }
        hp.setBackend('auto');
        ladder.push({ work, ns });
        // Up to the large size, or until one call takes capMs: the winner can
        // change late (native's threads pay off only on big inputs), so no
        // earlier stop; past a few ms per call the ratios no longer move.
        if (Math.max(...Object.values(ns)) > capMs * 1e6) break;
      }
      const steps = stepsFromLadder(ladder, loaded);
      const beatsJs = Object.fromEntries(loaded.filter((t) => t !== 'js').map((t) => [t, beatsJsFrom(ladder, t)]));
      kernels[c.name] = { beatsJs, steps };
      measurements[c.name] = ladder;
      log(`${c.name.padEnd(16)} ${steps.length === 0 ? 'js at every size measured' : steps.map((s) => `${s.tier} from ${s.work}`).join(', ')}   (beats js: ${Object.entries(beatsJs).map(([t, w]) => `${t} ${w ?? 'never'}`).join(', ')})`);
    }
  } finally {
    hp.setBackend('auto');
  }
  return { schema: 1, machine: describeMachine(hp).summary, date: new Date().toISOString(), kernels, measurements };
}
