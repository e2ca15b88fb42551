// Time per operation for tables and logs: ns, µs or ms with 3-4 significant digits.

/** `ns` nanoseconds as text. */
export function fmtNs(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
}
