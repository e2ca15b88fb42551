// Exact summation (Shewchuk's non-overlapping partials, as in Python's
// math.fsum): the independent reference for the compensated-sum contract.

export function exactSum(x: ArrayLike<number>): number {
  const partials: number[] = [];
  for (let i = 0; i < x.length; i++) {
    let v = x[i];
    let j = 0;
    for (let p of partials) {
      if (Math.abs(v) < Math.abs(p)) [v, p] = [p, v];
      const hi = v + p;
      const lo = p - (hi - v);
      if (lo !== 0) partials[j++] = lo;
      v = hi;
    }
    partials.length = j;
    partials.push(v);
  }
  let s = 0;
  for (let i = partials.length - 1; i >= 0; i--) s += partials[i];
  return s;
}
