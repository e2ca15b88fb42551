// Rewrites every shared input array in a tight loop until `stop[0]` is set.
// Each pass restores a valid state (so the caller's checks pass), spins a
// random moment, then writes bad values (offsets huge, decreasing or past the
// end; floats NaN, ±Infinity, -0, negative, huge; fractional or stale ids) at
// random places, so a kernel that re-reads after validating sees them.
// workerData: { arrays: { name: view on a SharedArrayBuffer }, stop }.
import { workerData } from 'node:worker_threads';

const { arrays, stop } = workerData;
const F = [NaN, Infinity, -Infinity, -0, -1, 1e308, -1e308, 2 ** 53, 5e-324, 1e-300, 42, 7.5];
const U = [0, 1, 0xffffffff, 0x7fffffff, 1 << 20, 3];
let s = 12345;
const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
const views = Object.entries(arrays);
const n = arrays.sev.length;

function restore(name, v) {
  if (v instanceof Uint32Array) for (let i = 0; i < v.length; i++) v[i] = Math.floor((i * n) / (v.length - 1));
  else if (name === 'ids') for (let i = 0; i < v.length; i++) v[i] = i;
  else for (let i = 0; i < v.length; i++) v[i] = ((i * 37) % 101) / 101;
}

function spoil(name, v) {
  for (let j = 0; j < 8; j++) {
    const i = next() % v.length;
    if (v instanceof Uint32Array) v[i] = U[next() % U.length];
    else if (name === 'ids') v[i] = next() % 2 ? F[next() % F.length] : (next() % 64) + (next() % 4) * 2 ** 26 + (next() % 3) / 2;
    else v[i] = F[next() % F.length];
  }
}

let passes = 0, sink = 0;
while (Atomics.load(stop, 0) === 0) {
  for (const [name, v] of views) restore(name, v);
  for (let k = next() % 20_000; k > 0; k--) sink += k; // let the caller validate the valid state
  for (const [name, v] of views) spoil(name, v);
  for (let k = next() % 5000; k > 0; k--) sink += k;
  passes++;
}
Atomics.store(stop, 1, passes + (sink & 0));
