// The plain-JS loops a user would write without hotpath: the baseline every
// speed-up in the report is measured against.

export function plainCosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

export function plainCosineBatch(q, m, dim) {
  const n = m.length / dim, out = new Float32Array(n);
  let qq = 0;
  for (let j = 0; j < dim; j++) qq += q[j] * q[j];
  for (let r = 0; r < n; r++) {
    let ab = 0, bb = 0;
    const base = r * dim;
    for (let j = 0; j < dim; j++) {
      const x = m[base + j];
      ab += q[j] * x;
      bb += x * x;
    }
    out[r] = qq === 0 || bb === 0 ? 0 : ab / Math.sqrt(qq * bb);
  }
  return out;
}

/** Score everything, then sort: what top-k looks like without a heap. */
export function plainTopK(q, m, dim, k) {
  const s = plainCosineBatch(q, m, dim);
  const idx = Array.from(s.keys());
  idx.sort((x, y) => s[y] - s[x] || x - y);
  return idx.slice(0, k);
}
