// B+ tree benchmarks (issue 4): every tier against sorted-btree, the
// best-known JS B+ tree, on the same keys in one run.
import SortedBTree from 'sorted-btree';
import { randomF32 } from '../data.mjs';

const BTree = SortedBTree.default ?? SortedBTree;

function randomStrings(n, len, seed) {
  const u = randomF32(n * len, seed), alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789:/';
  const out = new Array(n);
  for (let i = 0, j = 0; i < n; i++) {
    let s = '';
    for (let c = 0; c < len; c++) s += alphabet[Math.floor((u[j++] + 1) * 19) % alphabet.length];
    out[i] = s;
  }
  return out;
}

/** @param {import('../harness.mjs').Harness} h */
export default function btree(h) {
  const { hp } = h;
  const n = 1_000_000;
  const numKeys = Float64Array.from(randomF32(n, 31), (v, i) => v * 1e9 + i / n);
  const strKeys = [...new Set(randomStrings(n, 24, 32))];
  const datasets = [
    { name: 'f64', keyType: 'number', keys: numKeys, list: Array.from(numKeys), cmp: undefined },
    { name: 'str24', keyType: 'string', keys: strKeys, list: strKeys, cmp: (a, b) => (a < b ? -1 : a > b ? 1 : 0) },
  ];
  for (const d of datasets) {
    const m = d.list.length;
    const values = d.list.map((_, i) => i);
    const sorted = [...d.list].sort(d.cmp ?? ((a, b) => a - b));
    const sortedKeys = d.keyType === 'number' ? Float64Array.from(sorted) : sorted;
    const probe = d.keyType === 'number' ? Float64Array.from({ length: 100_000 }, (_, i) => d.keys[(i * 7919) % m]) : Array.from({ length: 100_000 }, (_, i) => d.keys[(i * 7919) % m]);
    const probeList = Array.from(probe);
    const evens = d.keyType === 'number' ? d.keys.filter((_, i) => i % 2 === 0) : d.keys.filter((_, i) => i % 2 === 0);
    const evensList = Array.from(evens);
    const lo = sorted[Math.floor(m / 3)];

    // Prebuilt trees for the read benchmarks.
    const peer = new BTree(undefined, d.cmp);
    peer.setPairs(d.list.map((k, i) => [k, i]));
    const ours = Object.fromEntries(h.tiers.map((t) => [t, hp.BPlusTree.fromSorted(sortedKeys, values, { keyType: d.keyType, backend: t })]));

    h.group(`B+ tree build 1e6 ${d.name} (setMany, random order)`, { baseline: 'sorted-btree setPairs' }, (g) => {
      g.add('sorted-btree setPairs', () => new BTree(d.list.map((k, i) => [k, i]), d.cmp));
      for (const t of h.tiers) g.add(t, () => new hp.BPlusTree({ keyType: d.keyType, backend: t }).setMany(d.keys, values).dispose());
    });
    h.group(`B+ tree fromSorted 1e6 ${d.name}`, { baseline: 'sorted-btree setPairs (sorted)' }, (g) => {
      const pairs = sorted.map((k, i) => [k, i]);
      g.add('sorted-btree setPairs (sorted)', () => new BTree(pairs, d.cmp));
      for (const t of h.tiers) g.add(t, () => hp.BPlusTree.fromSorted(sortedKeys, values, { keyType: d.keyType, backend: t }).dispose());
    });
    h.group(`B+ tree getMany 1e5 of 1e6 ${d.name}`, { baseline: 'sorted-btree get loop' }, (g) => {
      g.add('sorted-btree get loop', () => { const r = new Array(probeList.length); for (let i = 0; i < probeList.length; i++) r[i] = peer.get(probeList[i]); return r; });
      for (const t of h.tiers) g.add(t, () => ours[t].getMany(probe));
    });
    h.group(`B+ tree single get x1e5 of 1e6 ${d.name}`, { baseline: 'sorted-btree get' }, (g) => {
      g.add('sorted-btree get', () => { let s = 0; for (let i = 0; i < probeList.length; i++) s += peer.get(probeList[i]); return s; });
      for (const t of h.tiers) g.add(t, () => { const tr = ours[t]; let s = 0; for (let i = 0; i < probeList.length; i++) s += tr.get(probeList[i]); return s; });
    });
    h.group(`B+ tree range 1000 entries of 1e6 ${d.name}`, { baseline: 'sorted-btree getRange' }, (g) => {
      g.add('sorted-btree getRange', () => peer.getRange(lo, d.keyType === 'number' ? Infinity : '\uffff', false, 1000));
      for (const t of h.tiers) g.add(t, () => ours[t].range(lo, null, { limit: 1000 }));
    });
    h.group(`B+ tree delete every 2nd of 1e6 ${d.name}`, { baseline: 'sorted-btree delete loop' }, (g) => {
      let fresh;
      const pairs = sorted.map((k, i) => [k, i]);
      g.add('sorted-btree delete loop', () => { for (let i = 0; i < evensList.length; i++) fresh.delete(evensList[i]); }, { beforeEach: () => { fresh = new BTree(pairs, d.cmp); } });
      for (const t of h.tiers) {
        let tr;
        g.add(t, () => tr.deleteMany(evens), { beforeEach: () => { tr?.dispose(); tr = hp.BPlusTree.fromSorted(sortedKeys, values, { keyType: d.keyType, backend: t }); } });
      }
    });
  }
}
