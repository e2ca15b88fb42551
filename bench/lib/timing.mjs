// Timing helpers the standalone benches share.

/** Best of `reps` timings of fn, in ms: the least disturbed run on a noisy machine. */
export function best(fn, reps = 5) {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    b = Math.min(b, performance.now() - t);
  }
  return b;
}
